from datetime import datetime, timedelta, timezone

import pytest

from simulacro.monitor import MonitorInputError, first_run_at, next_run_after, parse_schedule_expression

AFTER = datetime(2025, 1, 31, 22, 30)  # a Friday


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("cron(0 * ? * * *)", datetime(2025, 1, 31, 23, 0)),  # hourly
        ("cron(0 */6 ? * * *)", datetime(2025, 2, 1, 0, 0)),  # every 6 hours
        ("cron(0 */4 ? * * *)", datetime(2025, 2, 1, 0, 0)),
        ("cron(0 22 ? * * *)", datetime(2025, 2, 1, 22, 0)),  # daily, today's run has passed
        ("cron(0 23 ? * * *)", datetime(2025, 1, 31, 23, 0)),
        ("cron(15 10 ? * MON-FRI *)", datetime(2025, 2, 3, 10, 15)),  # weekdays: next is Monday
        ("cron(0 8 ? * 1 *)", datetime(2025, 2, 2, 8, 0)),  # 1 is Sunday
        ("cron(0 9 1,15 * ? *)", datetime(2025, 2, 1, 9, 0)),
        ("cron(0 0 1 JAN ? *)", datetime(2026, 1, 1, 0, 0)),
        ("cron(0 0 29 2 ? *)", datetime(2028, 2, 29, 0, 0)),  # the next leap day
        ("cron(30 22 ? * * *)", datetime(2025, 2, 1, 22, 30)),  # strictly after
        ("cron(0/20 * ? * * *)", datetime(2025, 1, 31, 22, 40)),
        ("cron(0 10-12 ? * SAT *)", datetime(2025, 2, 1, 10, 0)),
        ("cron(0 0 ? * FRI-MON *)", datetime(2025, 2, 1, 0, 0)),  # a range that wraps the week
    ],
)
def test_next_run_follows_aws_cron(expression, expected):
    assert next_run_after(expression, AFTER) == expected


def test_a_run_exactly_at_after_is_not_the_next_one():
    assert next_run_after("cron(0 * ? * * *)", datetime(2025, 1, 1, 10, 0)) == datetime(2025, 1, 1, 11, 0)


def test_seconds_past_the_minute_move_to_the_next_run():
    assert next_run_after("cron(* * ? * * *)", datetime(2025, 1, 1, 10, 0, 30)) == datetime(2025, 1, 1, 10, 1)


def test_aware_times_are_read_and_returned_in_utc():
    paris = timezone(timedelta(hours=1))
    run = next_run_after("cron(0 3 ? * * *)", datetime(2025, 1, 1, 3, 30, tzinfo=paris))
    assert run == datetime(2025, 1, 1, 3, 0, tzinfo=timezone.utc)


def test_successive_hourly_runs_are_an_hour_apart():
    run, runs = AFTER, []
    for _ in range(3):
        run = next_run_after("cron(0 * ? * * *)", run)
        runs.append(run)
    assert [r.hour for r in runs] == [23, 0, 1]


def test_now_is_a_one_off_that_runs_at_creation_and_never_again():
    assert first_run_at("NOW", AFTER) == AFTER
    assert next_run_after("NOW", AFTER) is None
    assert parse_schedule_expression("NOW") is None


def test_a_cron_schedule_first_runs_at_its_next_time():
    assert first_run_at("cron(0 * ? * * *)", AFTER) == datetime(2025, 1, 31, 23, 0)


def test_a_schedule_whose_years_have_passed_never_runs_again():
    assert next_run_after("cron(0 0 1 1 ? 2024)", AFTER) is None


@pytest.mark.parametrize(
    "expression, message",
    [
        ("rate(1 hour)", "expected NOW or cron"),
        ("cron(0 * * * *)", "expected 6 cron fields, got 5"),
        ("cron(0 * * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 * ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(60 * ? * * *)", "minutes 60 is outside 0-59"),
        ("cron(0 ? ? * * *)", "'?' is only allowed in day-of-month or day-of-week"),
        ("cron(0 0 L * ? *)", "L, W and # are not supported"),
        ("cron(0 */0 ? * * *)", "hours step must be a whole number >= 1"),
    ],
)
def test_invalid_expressions_are_refused_with_the_reason(expression, message):
    with pytest.raises(MonitorInputError, match=message):
        next_run_after(expression, AFTER)
