"""On the wall clock, every wait of 30 s or more says so and says how far it got every 30 s: the steady-state holds
and the control run's ten minutes included (a silent ten-minute sleep looks like a hang)."""

from datetime import datetime, timedelta, timezone

from simulacro.gameday.stop_conditions import WatchedClock


class FakeWallClock:
    virtual = False

    def __init__(self):
        self.at = datetime(2026, 11, 30, tzinfo=timezone.utc)
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)

    def now(self):
        return self.at


def test_a_ten_minute_wall_clock_sleep_prints_progress_every_30_s():
    lines, wall = [], FakeWallClock()
    WatchedClock(wall, lambda: None, lines.append).sleep(600)
    assert sum(wall.slept) == 600 and max(wall.slept) <= 30
    assert lines[0].startswith("letting 10m pass on the wall clock")
    assert len([line for line in lines if line.startswith("still letting time pass")]) == 19
    assert "9m30s of 10m" in lines[-1]


def test_a_short_wall_clock_sleep_says_nothing():
    lines = []
    WatchedClock(FakeWallClock(), lambda: None, lines.append).sleep(29)
    assert lines == []


def test_the_virtual_clock_says_nothing_either():
    class Virtual(FakeWallClock):
        virtual = True

    lines = []
    WatchedClock(Virtual(), lambda: None, lines.append).sleep(3600)
    assert lines == []
