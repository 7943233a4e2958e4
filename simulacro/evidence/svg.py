"""A drill's timeline as a small inline SVG: entries as marks on a time axis, budgets as bands."""
from __future__ import annotations

from html import escape

from simulacro.spec import format_duration

from .timeline import DrillRecord

COLOURS = {
    "steady": "#6b7280", "inject": "#dc2626", "alarm": "#d97706", "notification": "#2563eb", "event": "#7c3aed",
    "runbook": "#0891b2", "restore": "#16a34a", "recovered": "#15803d", "note": "#9ca3af", "failure": "#b91c1c",
}
WIDTH, LEFT, RIGHT, ROW = 760, 10, 10, 16


def timeline_svg(record: DrillRecord) -> str:
    if not record.entries:
        return ""
    end = max([record.seconds_since_start(e.at) for e in record.entries]
              + [record.seconds_since_start(b.start) + b.seconds for b in record.budgets] + [1.0])
    scale = (WIDTH - LEFT - RIGHT) / end
    x = lambda seconds: LEFT + seconds * scale  # noqa: E731
    bands = [_band(b.label, x(record.seconds_since_start(b.start)), b.seconds * scale, i) for i, b in enumerate(record.budgets)]
    top = 8 + ROW * len(record.budgets)
    xs = [x(record.seconds_since_start(e.at)) for e in record.entries]
    lanes = _label_lanes(xs)
    marks = [_mark(e.kind, e.label, at, top, lane) for e, at, lane in zip(record.entries, xs, lanes)]
    height = top + 22 + ROW * (max(lanes, default=0) + 1)
    axis = (f'<line x1="{LEFT}" y1="{top}" x2="{WIDTH - RIGHT}" y2="{top}" stroke="#111" />'
            f'<text x="{LEFT}" y="{height - 2}" font-size="10">0s</text>'
            f'<text x="{WIDTH - RIGHT}" y="{height - 2}" font-size="10" text-anchor="end">{format_duration(end)}</text>')
    return (f'<svg class="simulacro-timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'role="img" aria-label="timeline of {escape(record.title)}">' + "".join(bands) + axis + "".join(marks) + "</svg>")


def _band(label: str, start: float, width: float, row: int) -> str:
    y = 4 + row * ROW
    return (f'<rect x="{start:.1f}" y="{y}" width="{max(width, 1):.1f}" height="{ROW - 4}" fill="#fde68a" opacity="0.6">'
            f'<title>{escape(label)}</title></rect>'
            f'<text x="{start + 3:.1f}" y="{y + 10}" font-size="9">{escape(label)}</text>')


LABEL_WIDTH = 80  # pixels a kind's label needs before the next one on the same lane


def _label_lanes(xs: list[float]) -> list[int]:
    """A lane per label, the first whose previous label ends before this one starts: labels never overlap."""
    ends: list[float] = []
    lanes = []
    for at in xs:
        lane = next((i for i, end in enumerate(ends) if end <= at), len(ends))
        if lane == len(ends):
            ends.append(0.0)
        ends[lane] = at + LABEL_WIDTH
        lanes.append(lane)
    return lanes


def _mark(kind: str, label: str, at: float, top: int, lane: int) -> str:
    colour = COLOURS.get(kind, "#111")
    y = top + 12 + ROW * lane
    return (f'<circle cx="{at:.1f}" cy="{top}" r="4" fill="{colour}"><title>{escape(kind)}: {escape(label)}</title></circle>'
            f'<line x1="{at:.1f}" y1="{top}" x2="{at:.1f}" y2="{y - 8}" stroke="{colour}" stroke-dasharray="2,2" />'
            f'<text x="{at + 2:.1f}" y="{y}" font-size="9" fill="{colour}">{escape(kind)}</text>')
