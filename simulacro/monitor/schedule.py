"""When a monitoring schedule runs next: SageMaker ``ScheduleExpression`` values, evaluated in UTC.

Accepted: ``NOW`` (a one-off analysis: it runs once, when the schedule is created) and AWS cron,
``cron(minutes hours day-of-month month day-of-week year)``, e.g. ``cron(0 * ? * * *)`` (hourly),
``cron(0 */6 ? * * *)`` (every 6 hours), ``cron(0 3 ? * * *)`` (daily at 03:00). Fields take ``*``,
``?`` (day-of-month or day-of-week, exactly one of them), single values, ``a-b`` ranges, ``/step``
and comma lists; months ``JAN``-``DEC``; days of week ``1``-``7`` = ``SUN``-``SAT``. ``L``, ``W`` and
``#`` are not supported. SageMaker accepts only some of these shapes for monitoring (hourly, every N
hours, daily); this module does not enforce that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from simulacro.monitor.errors import MonitorInputError

NOW = "NOW"
_CRON = re.compile(r"^cron\((.*)\)$")
_MONTHS = {name: i for i, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_WEEKDAYS = {name: i for i, name in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    low: int
    high: int
    names: dict[str, int]
    allows_question_mark: bool = False


_FIELDS = (
    FieldSpec("minutes", 0, 59, {}),
    FieldSpec("hours", 0, 23, {}),
    FieldSpec("day-of-month", 1, 31, {}, allows_question_mark=True),
    FieldSpec("month", 1, 12, _MONTHS),
    FieldSpec("day-of-week", 1, 7, _WEEKDAYS, allows_question_mark=True),
    FieldSpec("year", 1970, 2199, {}),
)


@dataclass(frozen=True)
class CronSchedule:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: frozenset[int] | None  # None: '?'
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # None: '?'; 1 = Sunday
    years: frozenset[int]

    def runs_on(self, day: date) -> bool:
        if self.days_of_month is not None:
            return day.day in self.days_of_month
        return self.days_of_week is not None and _aws_weekday(day) in self.days_of_week

    def next_after(self, after: datetime) -> datetime | None:
        """First run strictly after `after` (naive, UTC)."""
        start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        while day.year <= max(self.years):
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
            elif day.month not in self.months:
                day = _first_of_next_month(day)
            else:
                if self.runs_on(day):
                    run = self._first_time_on(day, start)
                    if run is not None:
                        return run
                day += timedelta(days=1)
        return None

    def _first_time_on(self, day: date, start: datetime) -> datetime | None:
        for hour in self.hours:
            for minute in self.minutes:
                run = datetime(day.year, day.month, day.day, hour, minute)
                if run >= start:
                    return run
        return None


def next_run_after(expression: str, after: datetime) -> datetime | None:
    """Next scheduled run strictly after `after`; None for ``NOW`` (one-off) or when none is left.

    A naive `after` is read as UTC and a naive result returned; an aware one gives an aware UTC result.
    """
    schedule = parse_schedule_expression(expression)
    if schedule is None:
        return None
    run = schedule.next_after(_as_naive_utc(after))
    if run is None or after.tzinfo is None:
        return run
    return run.replace(tzinfo=timezone.utc)


def first_run_at(expression: str, created_at: datetime) -> datetime | None:
    """When a schedule created at `created_at` runs first: at once for ``NOW``, else its next cron time."""
    if expression.strip() == NOW:
        return created_at
    return next_run_after(expression, created_at)


def parse_schedule_expression(expression: str) -> CronSchedule | None:
    """The cron schedule of `expression`, or None for ``NOW``."""
    text = expression.strip()
    if text == NOW:
        return None
    match = _CRON.match(text)
    if not match:
        raise _invalid(expression, "expected NOW or cron(minutes hours day-of-month month day-of-week year)")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise _invalid(expression, f"expected 6 cron fields, got {len(fields)}")
    values = [_parse_field(text, spec, field) for spec, field in zip(_FIELDS, fields)]
    minutes, hours, days_of_month, months, days_of_week, years = values
    if (days_of_month is None) == (days_of_week is None):
        raise _invalid(expression, "exactly one of day-of-month and day-of-week must be '?'")
    minutes, hours, months, years = (_without_question_mark(v) for v in (minutes, hours, months, years))
    return CronSchedule(tuple(sorted(minutes)), tuple(sorted(hours)), days_of_month, months, days_of_week, years)


def _without_question_mark(values: frozenset[int] | None) -> frozenset[int]:
    assert values is not None, "_parse_field refuses '?' in the fields that do not allow it"
    return values


def _parse_field(expression: str, spec: FieldSpec, field: str) -> frozenset[int] | None:
    if field == "?":
        if not spec.allows_question_mark:
            raise _invalid(expression, "'?' is only allowed in day-of-month or day-of-week")
        return None
    values: set[int] = set()
    for part in field.split(","):
        values |= _parse_part(expression, spec, part)
    return frozenset(values)


def _parse_part(expression: str, spec: FieldSpec, part: str) -> set[int]:
    range_text, _, step_text = part.partition("/")
    step = _step(expression, spec, step_text) if step_text else 1
    if range_text == "*":
        first, last = spec.low, spec.high
    elif "-" in range_text:
        low_text, high_text = range_text.split("-", 1)
        first, last = _number(expression, spec, low_text), _number(expression, spec, high_text)
    else:
        first = _number(expression, spec, range_text)
        last = spec.high if step_text else first
    span = range(first, last + 1) if first <= last else [*range(first, spec.high + 1), *range(spec.low, last + 1)]
    return set(list(span)[::step])


def _step(expression: str, spec: FieldSpec, text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise _invalid(expression, f"{spec.name} step must be a whole number >= 1, got {text!r}")
    return int(text)


def _number(expression: str, spec: FieldSpec, text: str) -> int:
    name = text.upper()
    if name in spec.names:
        return spec.names[name]
    if not text.isdigit():
        raise _invalid(
            expression,
            f"{spec.name} value {text!r} is not supported (use numbers {spec.low}-{spec.high}, names, *, ?, "
            "ranges, lists and /steps; L, W and # are not supported)",
        )
    value = int(text)
    if not spec.low <= value <= spec.high:
        raise _invalid(expression, f"{spec.name} {value} is outside {spec.low}-{spec.high}")
    return value


def _invalid(expression: str, reason: str) -> MonitorInputError:
    return MonitorInputError(f"ScheduleExpression {expression!r}: {reason}")


def _aws_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Monday is 0 in Python, 2 in AWS cron; Sunday is 1


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _as_naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
