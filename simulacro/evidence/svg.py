"""A drill's timeline as an inline SVG a person reads at a glance.

From top to bottom: a time axis with ticks; the budgets as shaded bands (when the alarm had to fire,
when it had to clear); one lane per alarm with its state as coloured bands (OK green, ALARM red,
INSUFFICIENT_DATA grey), as the drill observed it; then every event of the timeline as a labelled mark
(what was injected, what fired, what arrived, what the runbook did, what was restored); a legend last.
Every shape carries a <title>, so hovering shows the full label.
"""

from __future__ import annotations

import re
from html import escape
from typing import Callable

from simulacro.spec import format_duration

from .timeline import DrillRecord

COLOURS = {
    "steady": "#6b7280",
    "inject": "#dc2626",
    "alarm": "#d97706",
    "notification": "#2563eb",
    "event": "#7c3aed",
    "runbook": "#0891b2",
    "restore": "#16a34a",
    "recovered": "#15803d",
    "note": "#9ca3af",
    "failure": "#b91c1c",
}
STATE_COLOURS = {"OK": "#86efac", "ALARM": "#fca5a5", "INSUFFICIENT_DATA": "#d1d5db"}
WIDTH, LEFT, RIGHT, ROW, NAME_WIDTH = 880, 170, 12, 16, 160
LABEL_WIDTH = 150  # pixels a mark's label needs before the next one on the same lane
TICKS = (10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)
ENTERED = re.compile(r"^(?P<alarm>\S+) entered (?P<state>OK|ALARM|INSUFFICIENT_DATA)$")
STAYED = re.compile(r"^(?P<alarm>\S+) stayed (?P<state>OK|ALARM|INSUFFICIENT_DATA)\b")


def timeline_svg(record: DrillRecord) -> str:
    if not record.entries:
        return ""
    end = max(
        [record.seconds_since_start(e.at) for e in record.entries]
        + [record.seconds_since_start(b.start) + b.seconds for b in record.budgets]
        + [1.0]
    )
    scale = (WIDTH - LEFT - RIGHT) / end
    x = lambda seconds: LEFT + seconds * scale  # noqa: E731
    parts: list[str] = []
    y = 18
    parts.append(_axis(end, x, y))
    y += 8
    for budget in record.budgets:
        start = record.seconds_since_start(budget.start)
        parts.append(_budget(budget.label, x(start), budget.seconds * scale, y))
        y += ROW
    for alarm, spans in alarm_states(record, end).items():
        parts.append(_lane_name(alarm, y))
        parts += [_state(alarm, state, x(a), (b - a) * scale, y) for a, b, state in spans]
        y += ROW
    xs = [x(record.seconds_since_start(e.at)) for e in record.entries]
    lanes = _label_lanes(xs)
    marks_top = y + 6
    parts.append(f'<line x1="{LEFT}" y1="{marks_top}" x2="{WIDTH - RIGHT}" y2="{marks_top}" stroke="#111" />')
    parts += [_mark(e.kind, e.label, at, marks_top, lane) for e, at, lane in zip(record.entries, xs, lanes)]
    y = marks_top + 14 + ROW * (max(lanes, default=0) + 1)
    parts.append(_legend(y))
    height = y + 16
    return (
        f'<svg class="simulacro-timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="timeline of {escape(record.title)}">' + "".join(parts) + "</svg>"
    )


def alarm_states(record: DrillRecord, end: float) -> dict[str, list[tuple[float, float, str]]]:
    """Each alarm's observed state over the drill: (from, to, state) spans, from its first observation to the end."""
    changes: dict[str, list[tuple[float, str]]] = {}
    for entry in record.entries:
        found = ENTERED.match(entry.label) or STAYED.match(entry.label)
        if found is None:
            continue
        at = record.seconds_since_start(entry.at)
        if STAYED.match(entry.label):
            at = 0.0  # a steady state held from the start of the drill up to the check
        changes.setdefault(found["alarm"], []).append((at, found["state"]))
    spans: dict[str, list[tuple[float, float, str]]] = {}
    for alarm, seen in changes.items():
        seen.sort(key=lambda change: change[0])
        bounds = [at for at, _ in seen[1:]] + [end]
        spans[alarm] = [(at, upto, state) for (at, state), upto in zip(seen, bounds) if upto > at]
    return spans


def _axis(end: float, x: Callable[[float], float], y: int) -> str:
    step = next((t for t in TICKS if end / t <= 10), TICKS[-1])
    ticks = []
    at = 0.0
    while at <= end + 1e-9:
        ticks.append(
            f'<line x1="{x(at):.1f}" y1="{y - 4}" x2="{x(at):.1f}" y2="{y + 2}" stroke="#111" />'
            f'<text x="{x(at):.1f}" y="{y - 6}" font-size="9" text-anchor="middle">{format_duration(at) if at else "0s"}</text>'
        )
        at += step
    return (
        f'<g class="axis"><line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#111" />'
        + "".join(ticks)
        + f'<text x="4" y="{y + 1}" font-size="9">target time</text></g>'
    )


def _budget(label: str, start: float, width: float, y: int) -> str:
    return (
        f'<g class="budget"><rect x="{start:.1f}" y="{y}" width="{max(width, 1):.1f}" height="{ROW - 3}" fill="#fde68a" '
        f'opacity="0.7"><title>{escape(label)}</title></rect>'
        f'<text x="4" y="{y + 10}" font-size="9">budget</text>'
        f'<text x="{start + 3:.1f}" y="{y + 10}" font-size="9">{escape(label)}</text></g>'
    )


def _lane_name(alarm: str, y: int) -> str:
    return f'<text x="4" y="{y + 10}" font-size="9" class="alarm-lane">{escape(_short(alarm, 30))}<title>{escape(alarm)}</title></text>'


def _state(alarm: str, state: str, start: float, width: float, y: int) -> str:
    return (
        f'<rect class="alarm-state {state}" x="{start:.1f}" y="{y}" width="{max(width, 1):.1f}" height="{ROW - 3}" '
        f'fill="{STATE_COLOURS[state]}"><title>{escape(alarm)}: {state}</title></rect>'
        f'<text x="{start + 3:.1f}" y="{y + 10}" font-size="9">{state if width > 40 else ""}</text>'
    )


def _label_lanes(xs: list[float]) -> list[int]:
    """A lane per label, the first where it overlaps no other label: labels never overlap."""
    taken: list[list[tuple[float, float]]] = []
    lanes = []
    for at in xs:
        span = _label_span(at)
        lane = next(
            (i for i, spans in enumerate(taken) if all(span[1] <= a or b <= span[0] for a, b in spans)), len(taken)
        )
        if lane == len(taken):
            taken.append([])
        taken[lane].append(span)
        lanes.append(lane)
    return lanes


def _label_span(at: float) -> tuple[float, float]:
    """Where a mark's label is drawn: to its right, or to its left near the right edge."""
    return (at - LABEL_WIDTH, at) if _flipped(at) else (at, at + LABEL_WIDTH)


def _flipped(at: float) -> bool:
    return at + LABEL_WIDTH > WIDTH - RIGHT


def _mark(kind: str, label: str, at: float, top: int, lane: int) -> str:
    colour = COLOURS.get(kind, "#111")
    y = top + 12 + ROW * lane
    text_x, anchor = (at - 2, "end") if _flipped(at) else (at + 2, "start")
    return (
        f'<g class="event {escape(kind)}"><circle cx="{at:.1f}" cy="{top}" r="4" fill="{colour}">'
        f"<title>{escape(kind)}: {escape(label)}</title></circle>"
        f'<line x1="{at:.1f}" y1="{top}" x2="{at:.1f}" y2="{y - 8}" stroke="{colour}" stroke-dasharray="2,2" />'
        f'<text x="{text_x:.1f}" y="{y}" font-size="9" fill="{colour}" text-anchor="{anchor}">'
        f"{escape(kind)}: {escape(_short(label, 24))}<title>{escape(label)}</title></text></g>"
    )


def _legend(y: int) -> str:
    items = [
        (f'<rect x="{{x}}" y="{y - 8}" width="10" height="8" fill="{STATE_COLOURS[s]}" />', s) for s in STATE_COLOURS
    ]
    items.append((f'<rect x="{{x}}" y="{y - 8}" width="10" height="8" fill="#fde68a" />', "budget"))
    items += [
        (f'<circle cx="{{cx}}" cy="{y - 4}" r="4" fill="{COLOURS[k]}" />', k)
        for k in ("inject", "alarm", "notification", "event", "runbook", "restore", "recovered")
    ]
    parts, x = [], LEFT
    for shape, text in items:
        parts.append(shape.format(x=x, cx=x + 5) + f'<text x="{x + 13}" y="{y}" font-size="9">{escape(text)}</text>')
        x += 22 + 6 * len(text)
    return '<g class="legend">' + "".join(parts) + "</g>"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
