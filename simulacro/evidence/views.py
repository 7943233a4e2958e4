"""HTML views of the evidence for the pytest-html report: small tables and the inline SVG chart."""

from __future__ import annotations

import json
from html import escape
from typing import Any, Iterable

from simulacro.spec import format_duration

from .svg import timeline_svg
from .timeline import DrillRecord

STYLE = """<style>
.simulacro table{border-collapse:collapse;margin:4px 0 12px 0;font-size:12px}
.simulacro th,.simulacro td{border:1px solid #d1d5db;padding:2px 6px;text-align:left;vertical-align:top}
.simulacro th{background:#f3f4f6}.simulacro h3{margin:10px 0 4px 0}
.simulacro .bad{color:#b91c1c;font-weight:bold}.simulacro .good{color:#15803d}
</style>"""


def table(headers: list[str], rows: Iterable[Iterable[Any]], *, css: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def drill_html(record: DrillRecord) -> str:
    parts = [
        STYLE,
        f'<div class="simulacro drill-evidence" id="{escape(_anchor(record.nodeid))}">',
        f"<h3>Timeline: {escape(record.title)}</h3>",
        f"<p>environment {escape(record.environment or '-')}, wall time {record.wall_seconds:.3f}s, "
        f"target time {format_duration(_span(record))}</p>",
        timeline_svg(record),
        table(
            ["t+", "what", "label", "detail"],
            (
                (format_duration(record.seconds_since_start(e.at)), e.kind, e.label, _detail(e.detail))
                for e in record.entries
            ),
        ),
    ]
    if record.measurements:
        parts.append(
            table(
                ["measured", "value", "floor of the definition", "budget", "verdict"],
                (
                    (
                        m["name"],
                        format_duration(m["seconds"]),
                        _maybe(m["floor"]),
                        _maybe(m["budget"]),
                        _Html(_verdict(m)),
                    )
                    for m in record.measurements
                ),
            )
        )
    if record.evidence:
        parts.append(
            "<h3>Evidence kept</h3>" + table(["item", "value"], ((k, _detail(v)) for k, v in record.evidence.items()))
        )
    parts.append("</div>")
    return "".join(parts)


def inventory_html(inventories: list[dict[str, Any]], models: list[str] | None = None) -> str:
    """The live inventories; with several models (`Stack.model_families()`), each table grouped by model."""
    by_model = _ModelColumn(models)
    parts = [STYLE, '<div class="simulacro inventory">']
    for found in inventories:
        env = f"{found['environment']} (account {found['account']}, {found['region']})"
        parts.append(f"<h3>Alarms by {by_model.word}category: {escape(env)}</h3>")
        alarms = sorted(
            found["alarms"],
            key=lambda a: (by_model.order(by_model.key(a["name"])), a.get("category") or "~", a["name"]),
        )
        parts.append(
            table(
                by_model.headers(
                    ["category", "alarm", "state", "owner", "runbook", "ALARM actions", "metric", "threshold"]
                ),
                (
                    by_model.row(
                        a["name"],
                        [
                            a.get("category") or "-",
                            a["name"],
                            a["state"],
                            a.get("owner") or _bad("no owner"),
                            a.get("runbook") or "-",
                            ", ".join(x.rsplit(":", 1)[-1] for x in a["actions"]["alarm"]) or _bad("none"),
                            _metric(a["metric"]),
                            f"{a['comparison'].replace('Threshold', '')} {a['threshold']} over {a['datapoints_to_alarm']}/{a['evaluation_periods']} x {a['period']}s",
                        ],
                    )
                    for a in alarms
                ),
            )
        )
        parts.append(f"<h3>Rules and targets: {escape(env)}</h3>")
        parts.append(
            table(
                by_model.headers(["rule", "state", "target", "dead-letter queue", "retries"]),
                (
                    by_model.row(
                        r["name"],
                        [
                            r["name"],
                            r["state"],
                            t["arn"].rsplit(":", 1)[-1],
                            t["dead_letter_queue"].rsplit(":", 1)[-1] if t["dead_letter_queue"] else _bad("none"),
                            (t.get("retry") or {}).get("MaximumRetryAttempts", "default"),
                        ],
                    )
                    for r in by_model.sorted(found["rules"])
                    for t in r["targets"]
                ),
            )
        )
        parts.append(f"<h3>Log groups and retention: {escape(env)}</h3>")
        parts.append(
            table(
                by_model.headers(["log group", "retention"]),
                (
                    by_model.row(
                        g["name"],
                        [g["name"], f"{g['retention_days']} days" if g["retention_days"] else _bad("never expires")],
                    )
                    for g in by_model.sorted(found["log_groups"])
                ),
            )
        )
        parts.append(f"<h3>Data capture, monitoring schedule and baseline: {escape(env)}</h3>")
        parts.append(
            table(
                by_model.headers(["endpoint", "status", "capture", "sampling"]),
                (
                    by_model.row(
                        e["name"],
                        [e["name"], e["status"], e["capture"]["status"], f"{e['capture']['sampling_percentage']} %"],
                    )
                    for e in by_model.sorted(found["endpoints"])
                ),
            )
        )
        parts.append(
            table(
                by_model.headers(["schedule", "status", "endpoint", "cron", "baseline"]),
                (
                    by_model.row(
                        s["name"],
                        [
                            s["name"],
                            s["status"],
                            s["endpoint"],
                            s["schedule"],
                            (s["statistics"] or "").rsplit("/", 2)[-2] if s["statistics"] else "-",
                        ],
                    )
                    for s in by_model.sorted(found["monitoring_schedules"])
                ),
            )
        )
    parts.append("</div>")
    return "".join(parts)


def drills_by_model_html(drills: list[dict[str, Any]], models: list[str] | None = None) -> str:
    """Per model, how its drills went (a drill belongs to the model its parameter names); empty for one model."""
    by_model = _ModelColumn(models)
    if not by_model.on:
        return ""
    counts: dict[str, dict[str, int]] = {}
    for drill in drills:
        param = drill["drill"].rsplit("[", 1)[-1].rstrip("]") if "[" in drill["drill"] else ""
        outcome = drill.get("outcome") or "-"
        row = counts.setdefault(by_model.key(param), {})
        row[outcome] = row.get(outcome, 0) + 1
    outcomes = sorted({o for row in counts.values() for o in row})
    return (
        STYLE
        + '<div class="simulacro drills-by-model"><h3>Drills by model</h3>'
        + table(
            ["model", "drills", *outcomes],
            (
                (model, sum(row.values()), *(row.get(o, 0) for o in outcomes))
                for model, row in sorted(counts.items(), key=lambda kv: by_model.order(kv[0]))
            ),
        )
        + "</div>"
    )


class _ModelColumn:
    """A leading "model" column and a model-first order, only when the platform has several models."""

    SHARED = "(shared)"

    def __init__(self, models: list[str] | None):
        self.models = list(models or [])
        self.on = len(self.models) > 1
        self.word = "model and " if self.on else ""

    def key(self, name: str) -> str:
        from simulacro.spec.model import model_family

        return (model_family(name, self.models) or self.SHARED) if self.on else ""

    def order(self, model: str) -> int:
        return self.models.index(model) if model in self.models else len(self.models)

    def headers(self, headers: list[str]) -> list[str]:
        return ["model", *headers] if self.on else headers

    def row(self, name: str, cells: list[Any]) -> list[Any]:
        return [self.key(name), *cells] if self.on else cells

    def sorted(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: self.order(self.key(item["name"]))) if self.on else items


def _metric(metric: dict[str, Any]) -> str:
    if "expression" in metric:
        parts = ", ".join(f"{key}={value['name']}" for key, value in metric["metrics"].items())
        return f"{metric['expression']} ({parts})"
    dims = ",".join(f"{k}={v}" for k, v in metric["dimensions"].items())
    return f"{metric['statistic']} {metric['namespace']} {metric['name']} [{dims}]"


def _span(record: DrillRecord) -> float:
    return max((record.seconds_since_start(e.at) for e in record.entries), default=0.0)


def _verdict(measurement: dict[str, Any]) -> str:
    budget = measurement["budget"]
    if budget is None:
        return "-"
    return (
        '<span class="good">within budget</span>'
        if measurement["seconds"] <= budget
        else '<span class="bad">over budget</span>'
    )


def _maybe(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(seconds)


def _detail(value: Any) -> str:
    if isinstance(value, dict) and not value:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 400 else text[:400] + " ..."


def _cell(value: Any) -> str:
    return value.html if isinstance(value, _Html) else escape(str(value))


class _Html:
    def __init__(self, html: str):
        self.html = html


def _bad(text: str) -> _Html:
    return _Html(f'<span class="bad">{escape(text)}</span>')


STATUS_CSS = {"proven": "good", "failed": "bad", "not run": "", "skipped": ""}


def scorecard_html(card: dict[str, Any], verdict: str | None = None) -> str:
    """The phase scorecard, first in the report: requirements, then the alarm and rule tables, then regressions."""
    parts = [STYLE, '<div class="simulacro scorecard"><h2>Phase scorecard</h2>']
    if verdict:
        parts.append(f"<p><b>{escape(verdict)}</b></p>")
    parts.append(
        table(
            ["requirement", "status", "proven by", "why"],
            (
                (
                    r["title"],
                    _Html(
                        f'<span class="{STATUS_CSS.get(r["status"], "")}">{escape(r["status"])}'
                        f"{' (regressed)' if r.get('regressed') else ''}</span>"
                    ),
                    _Html(
                        "<br>".join(
                            f'<a href="#{escape(_anchor(d))}">{escape(d.split("::")[-1])}</a>' for d in r["drills"]
                        )
                        or "-"
                    ),
                    "; ".join(r["reasons"]) or "-",
                )
                for r in card["requirements"]
            ),
        )
    )
    parts.append("<h3>Alarms: detection, notification, recovery</h3>")
    parts.append(
        table(
            [
                "alarm",
                "environment",
                "category",
                "owner",
                "time to detect",
                "floor",
                "budget",
                "time to notify",
                "time to recover",
                "recovery budget",
            ],
            (
                (
                    a["alarm"],
                    a["environment"],
                    a["category"],
                    a["owner"],
                    _maybe(a["detect"]),
                    _maybe(a["floor"]),
                    _maybe(a["detect_budget"]),
                    _maybe(a["notify"]),
                    _maybe(a["recover"]),
                    _maybe(a["recover_budget"]),
                )
                for a in card["alarms"]
            ),
        )
    )
    if card["rules"]:
        parts.append(
            "<h3>Rules: delivery latency</h3>"
            + table(["rule", "delivery latency"], ((r["rule"], _maybe(r["delivery_latency"])) for r in card["rules"]))
        )
    if card.get("regressed"):
        parts.append(
            "<h3>Regressed since the previous run</h3><ul>"
            + "".join(f'<li class="bad">{escape(r["what"])}</li>' for r in card["regressed"])
            + "</ul>"
        )
    parts.append("</div>")
    return "".join(parts)


def _anchor(nodeid: str) -> str:
    return "drill-" + "".join(c if c.isalnum() else "-" for c in nodeid)
