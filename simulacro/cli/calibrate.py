"""Calibration against alert fatigue: replay a metric history through every alarm of the spec.

For each alarm: how often it would have entered ALARM, for how long in all, and whether that makes it
noisy (it would page more than once a day on average, or sit in ALARM more than 5 % of the time). The
history is a CSV (`timestamp,namespace,metric,dimensions,value[,count]`, dimensions as
`Name=Value;Name=Value`, `count` repeating the value as PutMetricData's Values/Counts do) or
GetMetricData against a target (for percentile alarms with each period's SampleCount, so that the
low-sample-count rule judges the real traffic, not one datapoint).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from simulacro.alarms import backtest
from simulacro.errors import BadInput
from simulacro.spec import load_stack
from simulacro.spec.model import Alarm, MetricRef

from .options import EXIT_FOUND, EXIT_OK, Subcommands, command_target, known_environment, spec_option

if TYPE_CHECKING:
    from simulacro.target.targets import Target

NOISY_ENTRIES_PER_DAY = 1.0
NOISY_FRACTION_IN_ALARM = 0.05

# A period's percentile repeated as often as it had samples (capped: enough for any low-sample rule).
MAX_REPEAT = 10_000
SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Calibration:
    alarm: str
    category: str
    owner: str
    days: float
    entries: int
    seconds_in_alarm: float
    fraction_in_alarm: float
    has_data: bool

    @property
    def entries_per_day(self) -> float:
        return self.entries / self.days if self.days else 0.0

    @property
    def verdict(self) -> str:
        if not self.has_data:
            return "no data: cannot judge (is the metric published?)"
        if self.entries_per_day > NOISY_ENTRIES_PER_DAY or self.fraction_in_alarm > NOISY_FRACTION_IN_ALARM:
            return "NOISY: would page too often; raise the threshold, widen M of N or the period"
        return "ok"


def series_key(ref: MetricRef) -> SeriesKey:
    return ref.namespace, ref.name, tuple(sorted(ref.dimensions.items()))


def read_history(path: Path) -> dict[SeriesKey, tuple[np.ndarray, np.ndarray]]:
    """The CSV history, grouped per metric series; a malformed row is an error naming its line."""
    grouped: dict[SeriesKey, list[tuple[float, float, int]]] = defaultdict(list)
    line = 1
    try:
        # utf-8-sig: a spreadsheet's export starts with a byte order mark, which must not become part of "timestamp"
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in HISTORY_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise BadInput(
                    f"{path}:1: the header must name {','.join(HISTORY_COLUMNS)}[,count]; missing: {', '.join(missing)}"
                )
            for line, row in enumerate(reader, start=2):
                try:
                    at = _epoch(row["timestamp"])
                    dims = parse_dimensions(row["dimensions"] or "")
                    count = int(row.get("count") or 1)
                    value = float(row["value"])
                    if count < 1 or not np.isfinite(value):
                        raise ValueError(
                            f"count {count} and value {row['value']!r} must be a positive count and a finite number"
                        )
                    grouped[(row["namespace"], row["metric"], dims)].append((at, value, count))
                except (KeyError, ValueError, TypeError, AttributeError) as error:
                    raise BadInput(
                        f"{path}:{line}: expected timestamp,namespace,metric,dimensions,value[,count] ({error})"
                    ) from None
    except UnicodeDecodeError as error:
        raise BadInput(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start}): save the history as UTF-8 CSV"
        ) from None
    except csv.Error as error:
        raise BadInput(f"{path}:{line + 1}: not a CSV row ({error})") from None
    return {key: _repeated(sorted(rows)) for key, rows in grouped.items()}


HISTORY_COLUMNS = ("timestamp", "namespace", "metric", "dimensions", "value")
DIMENSIONS_HELP = (
    "dimensions as Name=Value pairs joined by ';', in any order, e.g. "
    "EndpointName=churn-staging;VariantName=AllTraffic (empty for a metric without dimensions)"
)


def parse_dimensions(text: str) -> tuple[tuple[str, str], ...]:
    """`Name=Value;Name=Value` as a sorted tuple of pairs; a pair without `=` is an error naming it."""
    pairs = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, equals, value = part.partition("=")
        if not equals or not name.strip():
            raise ValueError(f"dimension {part!r} is not Name=Value ({DIMENSIONS_HELP})")
        pairs.append((name.strip(), value.strip()))
    return tuple(sorted(pairs))


def history_from_target(
    target: Target, alarms: Iterable[Alarm], start: datetime, end: datetime
) -> dict[SeriesKey, tuple[np.ndarray, np.ndarray]]:
    """Each alarm's metrics from GetMetricData, at the alarm's period, as one sample per period."""
    history: dict[SeriesKey, tuple[np.ndarray, np.ndarray]] = {}
    for alarm in alarms:
        cloudwatch = target.client("cloudwatch", alarm.environment, target.stack.region_of(alarm, target.region))
        for ref in alarm.metric_refs:
            key = series_key(ref)
            if key in history:
                continue
            stat = {"Metric": ref.metric(), "Period": alarm.period}
            queries = [{"Id": "value", "MetricStat": {**stat, "Stat": ref.statistic}}]
            if ref.is_percentile:
                queries.append({"Id": "count", "MetricStat": {**stat, "Stat": "SampleCount"}})
            found: dict[str, dict[float, float]] = {"value": {}, "count": {}}
            for page in cloudwatch.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
            ):
                for result in page["MetricDataResults"]:
                    found[result["Id"]].update(
                        (t.timestamp(), v) for t, v in zip(result["Timestamps"], result["Values"])
                    )
            rows = [
                (at, value, min(int(found["count"].get(at, 1)), MAX_REPEAT))
                for at, value in sorted(found["value"].items())
            ]
            history[key] = _repeated(rows)
    return history


def calibrate(
    alarms: Iterable[Alarm], history: dict[SeriesKey, tuple[np.ndarray, np.ndarray]], start: datetime, end: datetime
) -> list[Calibration]:
    days = (end - start).total_seconds() / 86400
    results = []
    for alarm in alarms:
        definition = alarm.to_put_metric_alarm(lambda name: name)
        if alarm.metric is not None:
            samples: Any = history.get(series_key(alarm.metric), _arrays([]))
            has_data = len(samples[0]) > 0
        else:
            samples = {metric_id: history.get(series_key(ref), _arrays([])) for metric_id, ref in alarm.metrics.items()}
            has_data = all(len(s[0]) > 0 for s in samples.values())
        replay = backtest(definition, samples, start=start, end=end)
        results.append(
            Calibration(
                alarm.name,
                alarm.category,
                alarm.owner,
                days,
                replay.alarm_entries,
                replay.seconds_in_alarm,
                replay.fraction_in_alarm,
                has_data,
            )
        )
    return results


def unmatched_warning(alarms: list[Alarm], history: dict[SeriesKey, Any]) -> str:
    """Why nothing was judged: the series the history holds, beside the ones the alarms read."""

    def show(key: SeriesKey) -> str:
        namespace, metric, dims = key
        return f"{namespace} {metric}[{';'.join(f'{k}={v}' for k, v in dims)}]"

    wanted = sorted({series_key(ref) for alarm in alarms for ref in alarm.metric_refs})
    held = sorted(history)
    return (
        f"warning: the history matches no alarm: none of its {len(held)} series is a metric an alarm reads, so "
        "nothing was judged. Namespace, metric name and every dimension must match exactly (dimension names and "
        f"values are case-sensitive). The history holds: {', '.join(show(k) for k in held[:5]) or 'nothing'}"
        f"{' ...' if len(held) > 5 else ''}; the alarms read: {', '.join(show(k) for k in wanted[:5])}"
        f"{' ...' if len(wanted) > 5 else ''}"
    )


def report(results: list[Calibration]) -> str:
    header = f"{'alarm':40} {'category':9} {'pages/day':>9} {'in ALARM':>9}  verdict"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.alarm:40} {r.category:9} {r.entries_per_day:9.2f} {r.fraction_in_alarm:9.1%}  {r.verdict}")
    noisy = sum(r.verdict.startswith("NOISY") for r in results)
    lines.append(f"{noisy} noisy alarm(s) of {len(results)}")
    return "\n".join(lines)


def default_window(days: float, now: datetime | None = None) -> tuple[datetime, datetime]:
    end = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    return end - timedelta(days=days), end


def _epoch(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()


def _repeated(rows: list[tuple[float, float, int]]) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.empty(0), np.empty(0)
    times, values, counts = (np.asarray(column) for column in zip(*rows))
    return np.repeat(times.astype(float), counts), np.repeat(values.astype(float), counts)


def _arrays(pairs: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    if not pairs:
        return np.empty(0), np.empty(0)
    times, values = zip(*pairs)
    return np.asarray(times, dtype=float), np.asarray(values, dtype=float)


# --- the command ---------------------------------------------------------------------------


def register(commands: Subcommands) -> None:
    parser = commands.add_parser("calibrate", help="replay a metric history through every alarm; flag noisy ones")
    spec_option(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--history",
        type=Path,
        help="CSV (UTF-8, a byte order mark is fine) with the header "
        "timestamp,namespace,metric,dimensions,value[,count]: timestamp ISO-8601 or epoch seconds; "
        + DIMENSIONS_HELP.replace("%", "%%")
        + "; count repeats the value (PutMetricData's Values/Counts)",
    )
    source.add_argument("--target", choices=("local", "aws"), help="read the history with GetMetricData from a target")
    parser.add_argument("--env", default=None, help="only this environment's alarms (with --target aws: required)")
    parser.add_argument("--days", type=float, default=14, help="length of the history window (default 14)")
    parser.add_argument(
        "--start", default=None, help="window start, ISO-8601 (default: --days before now, or the CSV's first sample)"
    )
    parser.add_argument(
        "--aws-profile", default=None, help="AWS profile for --target aws (default: AWS_PROFILE, then boto3's chain)"
    )
    parser.add_argument("--aws-region", default=None, help="region (default: the spec's)")
    parser.add_argument(
        "--endpoint-url", default=None, help="an AWS-compatible endpoint for --target aws (default: AWS_ENDPOINT_URL)"
    )
    parser.set_defaults(run=_calibrate)


def _calibrate(args: argparse.Namespace) -> int:
    if not np.isfinite(args.days) or args.days <= 0:
        raise BadInput(f"--days {args.days:g}: the history window must be a positive number of days")
    stack = load_stack(args.spec)
    if args.env is not None:
        known_environment(stack, args.env)
    alarms = [a for a in stack.alarms if args.env in (None, a.environment)]
    if args.history is not None:
        if not args.history.is_file():
            raise BadInput(f"no history file at {args.history}")
        history = read_history(args.history)
        first = min((times[0] for times, _ in history.values() if len(times)), default=None)
        last = max((times[-1] for times, _ in history.values() if len(times)), default=None)
        if first is None or last is None:
            raise BadInput(f"{args.history} holds no samples")
        start = _start(args.start) or datetime.fromtimestamp(first, timezone.utc)
        end = datetime.fromtimestamp(last + 60, timezone.utc)
    else:
        if args.target == "aws" and args.env is None:
            raise BadInput("--target aws reads one account: name it with --env")
        start, end = default_window(args.days)
        start = _start(args.start) or start
        where = argparse.Namespace(**{**vars(args), "env": args.env or next(iter(stack.environments))})
        with command_target(stack, where) as target:
            history = history_from_target(target, alarms, start, end)
    results = calibrate(alarms, history, start, end)
    print(f"replayed {len(alarms)} alarms over {start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} UTC")
    print(report(results))
    if results and not any(r.has_data for r in results):
        print(unmatched_warning(alarms, history), file=sys.stderr)
    return EXIT_FOUND if any(r.verdict.startswith("NOISY") for r in results) else EXIT_OK


def _start(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"--start {text!r} is not an ISO-8601 time such as 2026-11-01T00:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
