"""What the screen should do at an instant, and when that next changes.

Instants are aware datetimes; on-times are local wall-clock times in the system's time
zone (zoneinfo, so DST changes are the zone's own rules). A change at a wall-clock time
that does not exist (02:30 on the night clocks go forward) happens when the clock first
shows a later time; one that happens twice (the night they go back) happens the first
time. A manual override holds until the next scheduled change.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from spirokiosk.daemon.schedule.ranges import MINUTES_A_DAY, OnTime

STATES = ("on", "off", "quiet")
LOOK_AHEAD_DAYS = 8  # a week of boundaries and a day more: the next change is among them


def system_zone() -> dt.tzinfo:
    """The system's time zone: $TZ if it names one, else /etc/localtime, else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    try:
        if name:
            return ZoneInfo(name)
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError, ZoneInfoNotFoundError):
        return dt.UTC


class Timetable:
    """On-times by weekday, read in time zone `zone`."""

    def __init__(self, on: Sequence[OnTime], zone: dt.tzinfo) -> None:
        self.zone = zone
        self._on = tuple(on)
        # weekday -> the minutes of that day at which something starts or ends
        self._boundaries: dict[int, set[int]] = {day: set() for day in range(7)}
        for t in self._on:
            self._boundaries[t.weekday].add(t.start)
            day, end = (
                (t.weekday, t.end)
                if t.end <= MINUTES_A_DAY
                else (
                    (t.weekday + 1) % 7,
                    t.end - MINUTES_A_DAY,
                )
            )
            if end == MINUTES_A_DAY:
                day, end = (day + 1) % 7, 0
            self._boundaries[day].add(end)

    def is_on(self, when: dt.datetime) -> bool:
        local = when.astimezone(dt.UTC).astimezone(self.zone)  # (same zone: no-op else)
        if local.fold and local.utcoffset() != local.replace(fold=0).utcoffset():
            local = _end_of_first_pass(local)  # clocks went back: the state stays
        minute = local.hour * 60 + local.minute + local.second / 60
        today, yesterday = local.weekday(), (local.weekday() - 1) % 7
        for t in self._on:
            if t.weekday == today and t.start <= minute < t.end:
                return True
            if t.weekday == yesterday and minute < t.end - MINUTES_A_DAY:
                return True
        return False

    def next_change(self, when: dt.datetime) -> dt.datetime | None:
        """The first instant after `when` at which is_on() differs; None if never.

        Compared in UTC: Python compares two datetimes of one zone by wall time alone.
        """
        now_on = self.is_on(when)
        after = when.astimezone(dt.UTC)
        first_day = after.astimezone(self.zone).date()
        candidates = []
        for offset in range(-1, LOOK_AHEAD_DAYS + 1):
            day = first_day + dt.timedelta(days=offset)
            for minute in self._boundaries[day.weekday()]:
                wall = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
                candidates.append(_first_showing(wall, self.zone))
        for candidate in sorted(c for c in candidates if c > after):
            if self.is_on(candidate) != now_on:
                return candidate.astimezone(self.zone)
        return None


def _first_showing(wall: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant the clocks of `zone` first show the naive `wall` time: its first
    pass when they show it twice; when they skip it (clocks go forward), the moment they
    jump past it, which is when is_on() sees it passed."""
    at = wall.replace(tzinfo=zone).astimezone(dt.UTC)
    if at.astimezone(zone).replace(tzinfo=None) == wall:
        return at
    # In a gap fold=0 reads `wall` with the offset before the jump and fold=1 with the
    # one after (PEP 495): the jump lies between the two instants; minute by minute, as
    # the clocks of every zone today jump on a whole minute.
    instant = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)
    while instant < at and instant.astimezone(zone).replace(tzinfo=None) < wall:
        instant += dt.timedelta(minutes=1)
    return instant


def _end_of_first_pass(local: dt.datetime) -> dt.datetime:
    """For a wall time in the hour the clocks repeat (fold=1): the last second of the
    first pass, so that the repeated hour keeps the state the first pass ended with."""
    end = local.replace(fold=0, second=0, microsecond=0)
    while end.replace(fold=1).utcoffset() != end.replace(fold=0).utcoffset():
        end += dt.timedelta(minutes=1)  # at most the repeated hour, once a year
    return (end - dt.timedelta(seconds=1)).replace(fold=0)


@dataclass(frozen=True)
class ScheduleState:
    state: str  # on, off or quiet
    next_change: dt.datetime | None  # local time of the next scheduled change
    override: bool

    def as_dict(self) -> dict:
        when = self.next_change.isoformat(timespec="minutes") if self.next_change else None
        return {"state": self.state, "next_change": when, "override": self.override}


class ScreenSchedule:
    """The timetable (None: always on), what off means (`off` or `quiet`), and a manual
    override. Used by the render loop only (not thread-safe, no need)."""

    def __init__(
        self,
        timetable: Timetable | None,
        mode: str = "off",
        *,
        clock: Callable[[], float] = time.time,
        zone: dt.tzinfo | None = None,
    ) -> None:
        self.timetable = timetable
        self.mode = mode
        self._clock = clock
        self.zone = zone or (timetable.zone if timetable is not None else system_zone())
        self._override: tuple[str, dt.datetime | None] | None = None
        # The last answer and the span of Unix times [from, next change) it holds for:
        # the render loop asks once a second, and working out the next change costs a
        # week of boundaries (60 us here, a Pi core five times that). Unix times, as two
        # datetimes of one zone compare by wall time alone (wrong in the repeated hour).
        self._known: tuple[float, float, str, dt.datetime | None] | None = None

    def reconfigure(self, timetable: Timetable | None, mode: str) -> None:
        """New on-times and mode (a reload); a manual override stays as it was."""
        self.timetable, self.mode = timetable, mode
        self._known = None

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), self.zone)

    def _scheduled(self, when: dt.datetime) -> tuple[str, dt.datetime | None]:
        if self.timetable is None:
            return "on", None
        at = when.timestamp()
        known = self._known
        if known is not None and known[0] <= at < known[1]:  # (a clock set back: outside)
            return known[2], known[3]
        state = "on" if self.timetable.is_on(when) else self.mode
        next_change = self.timetable.next_change(when)
        until = next_change.timestamp() if next_change is not None else float("inf")
        self._known = (at, until, state, next_change)
        return state, next_change

    def current(self) -> ScheduleState:
        when = self.now()
        state, next_change = self._scheduled(when)
        if self._override is not None:
            wanted, until = self._override
            if until is not None and when >= until:
                self._override = None  # the schedule has moved on: it rules again
            else:
                return ScheduleState(wanted, next_change, True)
        return ScheduleState(state, next_change, False)

    def override(self, state: str | None) -> ScheduleState:
        """`state` until the next scheduled change (None: back to the schedule now)."""
        if state is not None and state not in STATES:
            raise ValueError(f"state: must be one of {', '.join(STATES)}, not {state!r}")
        if state is None:
            self._override = None
        else:
            self._override = (state, self._scheduled(self.now())[1])
        return self.current()
