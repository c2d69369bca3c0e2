"""The schedule's arithmetic: ranges as the admin writes them, midnight, DST changes and
the manual override, all with an injected clock and time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from spirokiosk.daemon.schedule.ranges import RangeError, parse_entries
from spirokiosk.daemon.schedule.timetable import ScreenSchedule, Timetable

BERLIN = ZoneInfo("Europe/Berlin")  # DST: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00


def local(*args, fold=0):
    return dt.datetime(*args, tzinfo=BERLIN, fold=fold)


def table(*entries):
    return Timetable(parse_entries(entries), BERLIN)


class WallClock:
    def __init__(self, when: dt.datetime) -> None:
        self.t = when.timestamp()

    def __call__(self) -> float:
        return self.t

    def set(self, when: dt.datetime) -> None:
        self.t = when.timestamp()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("mon-fri", "expected days and times"),
        ("moon 07:00-08:00", "'moon' is not a day"),
        ("mon 7-8", "'7' is not a time such as 07:30"),
        ("mon 07:00", "'07:00' is not a time range"),
        ("mon 07:00-25:00", "'25:00' is not a time of day"),
        ("mon 24:00-02:00", "'24:00' is not a time of day"),
        ("mon 07:60-08:00", "'07:60' is not a time of day"),
        ("mon 07:00-07:00", "is empty"),
    ],
)
def test_bad_entries_say_what_is_wrong_and_where(entry, message):
    with pytest.raises(RangeError, match=message) as caught:
        parse_entries(["daily 08:00-09:00", entry])
    assert str(caught.value).startswith("[1]: ")


def test_weekday_ranges_lists_and_several_ranges_a_day():
    t = table("mon-fri 07:00-09:00,17:00-23:00", "sat,sun 09:00-24:00")
    monday = local(2026, 11, 30)  # a Monday
    assert not t.is_on(monday.replace(hour=6, minute=59))
    assert t.is_on(monday.replace(hour=7))
    assert not t.is_on(monday.replace(hour=12))
    assert t.is_on(monday.replace(hour=22, minute=59, second=59))
    assert not t.is_on(monday.replace(hour=23))
    saturday = local(2026, 12, 5)
    assert not t.is_on(saturday.replace(hour=8))
    assert t.is_on(saturday.replace(hour=23, minute=59))
    assert t.next_change(monday.replace(hour=8)) == monday.replace(hour=9)
    friday_night = local(2026, 12, 4, 23, 30)
    assert t.next_change(friday_night) == saturday.replace(hour=9)


def test_a_range_past_midnight_runs_into_the_next_day():
    t = table("fri 22:00-02:00")
    assert t.is_on(local(2026, 12, 4, 23, 0))
    assert t.is_on(local(2026, 12, 5, 1, 59))  # Saturday morning
    assert not t.is_on(local(2026, 12, 5, 2, 0))
    assert not t.is_on(local(2026, 12, 3, 1, 0))  # Thursday morning: Wednesday had none
    assert t.next_change(local(2026, 12, 4, 23, 0)) == local(2026, 12, 5, 2, 0)


def test_on_until_24_00_and_again_at_00_00_is_no_change_at_midnight():
    t = table("daily 07:00-24:00", "daily 00:00-01:00")
    assert t.next_change(local(2026, 12, 1, 22, 0)) == local(2026, 12, 2, 1, 0)
    assert table("daily 00:00-24:00").next_change(local(2026, 12, 1, 12, 0)) is None


def test_spring_forward_a_change_in_the_missing_hour_happens_after_it():
    t = table("daily 02:30-22:00")  # on 2026-03-29 there is no 02:30 in Berlin
    before = local(2026, 3, 29, 1, 0)
    change = t.next_change(before)
    # The clocks jump from 02:00 winter time to 03:00 summer time: 02:30 has passed then.
    assert change.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)
    assert change.utcoffset() == dt.timedelta(hours=2)  # 03:00 summer time
    assert not t.is_on(local(2026, 3, 29, 1, 59))
    assert t.is_on(local(2026, 3, 29, 3, 0))  # the hour after the gap: on, as 02:30 passed


def test_across_the_gap_the_screen_turns_on_when_the_clocks_jump_not_an_hour_later():
    # The answer is kept until the next change: that change must be the jump itself.
    clock = WallClock(local(2026, 3, 29, 1, 50))
    schedule = ScreenSchedule(table("sun 02:30-05:00"), "off", clock=clock, zone=BERLIN)
    assert schedule.current().state == "off"
    clock.set(local(2026, 3, 29, 3, 0))  # the first minute of summer time
    assert schedule.current().state == "on"
    clock.set(local(2026, 3, 29, 3, 25))
    assert schedule.current().state == "on"


def test_fall_back_the_hour_that_happens_twice_keeps_the_state_it_ended_with():
    t = table("daily 07:00-02:30")  # on 2026-10-25 02:00-03:00 happens twice in Berlin
    evening = local(2026, 10, 24, 23, 0)
    change = t.next_change(evening)
    assert change.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert t.is_on(local(2026, 10, 25, 2, 15, fold=0))
    assert not t.is_on(local(2026, 10, 25, 2, 45, fold=0))
    # The clock shows 02:15 again: the range would say on, but the screen went off at
    # the first 02:30 and stays off (no half hour of screen at night once a year).
    assert not t.is_on(local(2026, 10, 25, 2, 15, fold=1))
    assert t.next_change(local(2026, 10, 25, 2, 15, fold=1)) == local(2026, 10, 25, 7, 0)
    hours_off = local(2026, 10, 25, 7, 0).timestamp() - change.timestamp()
    assert hours_off / 3600 == 5.5  # 02:30 summer time to 07:00 winter time


def test_the_schedule_turns_off_or_quiet_and_names_the_next_change():
    clock = WallClock(local(2026, 12, 1, 23, 30))
    schedule = ScreenSchedule(table("daily 07:00-23:00"), "quiet", clock=clock, zone=BERLIN)
    state = schedule.current()
    assert (state.state, state.override) == ("quiet", False)
    assert state.as_dict()["next_change"] == "2026-12-02T07:00+01:00"
    clock.set(local(2026, 12, 2, 7, 0))
    assert schedule.current().state == "on"
    assert ScreenSchedule(None, clock=clock, zone=BERLIN).current().as_dict() == {
        "state": "on",
        "next_change": None,
        "override": False,
    }


def test_an_override_holds_until_the_next_scheduled_change():
    clock = WallClock(local(2026, 12, 1, 23, 30))
    schedule = ScreenSchedule(table("daily 07:00-23:00"), clock=clock, zone=BERLIN)
    assert schedule.current().state == "off"
    assert schedule.override("on").as_dict()["override"] is True
    clock.set(local(2026, 12, 2, 6, 59))
    assert schedule.current().state == "on"  # still the override
    clock.set(local(2026, 12, 2, 7, 0))  # the schedule turns on: the override is spent
    state = schedule.current()
    assert (state.state, state.override) == ("on", False)
    clock.set(local(2026, 12, 2, 23, 0))
    assert schedule.current().state == "off"  # and the next change is the schedule's again
    with pytest.raises(ValueError, match="state: must be one of on, off, quiet"):
        schedule.override("asleep")


def test_without_a_schedule_an_override_holds_until_cleared():
    clock = WallClock(local(2026, 12, 1, 12, 0))
    schedule = ScreenSchedule(None, clock=clock, zone=BERLIN)
    schedule.override("off")
    clock.set(local(2027, 1, 1, 12, 0))
    assert schedule.current().state == "off"
    assert schedule.override(None).state == "on"


def test_the_config_reads_every_entry_whole_as_the_service_will():
    from spirokiosk.daemon.config import ConfigError, load_config
    from spirokiosk.display.curves import PRESETS, SHAPES

    padded = "daily 07:00-08:00" + " " * 183 + ",25:00-26:00"  # past 200 characters
    with pytest.raises(ConfigError) as caught:
        load_config(None, [f'schedule.on=["{padded}"]'], PRESETS, SHAPES)
    assert "'25:00' is not a time of day" in caught.value.errors[0]
    many = "daily " + ",".join(f"{h:02d}:00-{h:02d}:30" for h in range(24))  # 270 characters
    config = load_config(None, [f'schedule.on=["{many}"]'], PRESETS, SHAPES)
    assert len(parse_entries(config.schedule.on)) == 24 * 7
    with pytest.raises(ConfigError, match="longer than 500 characters"):
        load_config(None, [f'schedule.on=["daily {"x" * 600}"]'], PRESETS, SHAPES)


class CountingTimetable(Timetable):
    """Counts the (costly) look-ups of the next change."""

    def __init__(self, *entries: str) -> None:
        super().__init__(parse_entries(entries), BERLIN)
        self.lookups = 0

    def next_change(self, when):
        self.lookups += 1
        return super().next_change(when)


def test_the_next_change_is_worked_out_once_until_it_comes_or_the_clock_goes_back():
    clock = WallClock(local(2026, 12, 1, 12, 0))
    timetable = CountingTimetable("daily 07:00-23:00")
    schedule = ScreenSchedule(timetable, "off", clock=clock, zone=BERLIN)
    for minute in range(0, 600, 7):  # the render loop asks every second; here every 7 min
        clock.set(local(2026, 12, 1, 12, 0) + dt.timedelta(minutes=minute))
        assert schedule.current().state == "on"
    assert timetable.lookups == 1
    clock.set(local(2026, 12, 1, 22, 59, 59))
    assert schedule.current().next_change == local(2026, 12, 1, 23, 0)
    clock.set(local(2026, 12, 1, 23, 0))  # the change comes: the next one is worked out
    assert schedule.current().as_dict() == {
        "state": "off",
        "next_change": "2026-12-02T07:00+01:00",
        "override": False,
    }
    assert timetable.lookups == 2
    clock.set(local(2026, 12, 1, 22, 0))  # the clock set back (NTP after a boot)
    assert schedule.current().state == "on"
    assert schedule.current().next_change == local(2026, 12, 1, 23, 0)
    assert timetable.lookups == 3
    schedule.reconfigure(CountingTimetable("daily 21:00-22:30"), "quiet")  # a reload
    clock.set(local(2026, 12, 1, 22, 40))
    assert schedule.current().state == "quiet"


def test_in_the_hour_that_happens_twice_the_answer_follows_the_instant_not_the_wall_clock():
    clock = WallClock(local(2026, 10, 25, 2, 20))  # first pass, before the clocks go back
    schedule = ScreenSchedule(table("sun 02:30-03:30"), clock=clock, zone=BERLIN)
    assert schedule.current().state == "off"
    assert schedule.current().next_change == local(2026, 10, 25, 2, 30)
    # An hour later the wall clock shows 02:25 again: past the change, though the wall
    # time is before 02:30.
    clock.set(local(2026, 10, 25, 2, 25, fold=1))
    assert schedule.current().state == "on"
