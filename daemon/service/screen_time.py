"""The screen schedule as the render loop lives it: on, off or quiet, now.

The loop asks `state()` every tick (the schedule is read at most once a second, by the
wall clock); `changed` is true on the first tick of a new state, when the loop redraws
once. Going off asks the TV to sleep over HDMI-CEC (when configured) and coming back
wakes it; the calls run in TvPower's own thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from spirokiosk.daemon.config import Config
from spirokiosk.daemon.schedule.cec import TvPower
from spirokiosk.daemon.schedule.ranges import parse_entries
from spirokiosk.daemon.schedule.timetable import (
    ScheduleState,
    ScreenSchedule,
    Timetable,
    system_zone,
)

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0  # seconds between looks at the schedule
ASLEEP_TICK = 1.0  # seconds between ticks while off or quiet (at most 1 frame a second)


class ScreenTime:
    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], float] = time.time,
        zone: dt.tzinfo | None = None,
        make_tv: Callable[[str], TvPower] = TvPower,
    ) -> None:
        self._clock = clock
        self._zone = zone
        self._make_tv = make_tv
        self.tv: TvPower | None = None
        self._config = config
        self.schedule = ScreenSchedule(
            self._timetable(config), config.schedule.mode, clock=clock, zone=zone
        )
        self._apply_tv(config)
        self.current: ScheduleState | None = None  # before the first look
        self._checked_at = -float("inf")
        self.changed = False

    def _timetable(self, config: Config, zone: dt.tzinfo | None = None) -> Timetable | None:
        """The on-times in this ScreenTime's zone, else `zone`, else the system's (read
        from /etc/localtime now)."""
        section = config.schedule
        if not section.enabled:
            return None
        return Timetable(parse_entries(section.on), self._zone or zone or system_zone())

    @property
    def zone(self) -> dt.tzinfo | None:
        """The zone the on-times are read in; None without a timetable."""
        timetable = self.schedule.timetable
        return timetable.zone if timetable is not None else None

    def _apply_tv(self, config: Config) -> None:
        section = config.schedule
        wanted = section.cec and section.mode == "off"
        if self.tv is not None and (not wanted or self.tv.device != section.cec_device):
            self.tv.stop(timeout=0)  # (a reload, on the render thread: no waiting)
            self.tv = None
        if wanted and self.tv is None:
            self.tv = self._make_tv(section.cec_device)

    def apply(self, config: Config, zone: dt.tzinfo | None = None) -> None:
        """A reload: the new on-times and mode; a manual override stays. `zone`: the
        system's zone as the reloader read it (None: read now, when needed)."""
        if config.schedule == self._config.schedule:
            return
        self.schedule.reconfigure(self._timetable(config, zone), config.schedule.mode)
        self._config = config
        self._apply_tv(config)
        self._checked_at = -float("inf")  # look again at the next tick

    def override(self, state: str | None) -> None:
        self.schedule.override(state)
        self._checked_at = -float("inf")  # the next tick enters the state
        log.info("screen %s by hand (until the next scheduled change)", state or "on schedule")

    def state(self) -> str:
        """on, off or quiet: the state for this tick (sets `changed` on a change)."""
        self.changed = False
        now = self._clock()
        if self.current is not None and now - self._checked_at < CHECK_EVERY:
            return self.current.state
        self._checked_at = now
        before, self.current = self.current, self.schedule.current()
        if before is None or before.state != self.current.state:
            self.changed = True
            self._went(before.state if before is not None else "on", self.current)
        return self.current.state

    def _went(self, before: str, now: ScheduleState) -> None:
        until = self.until()
        if now.state != "on" or before != "on":
            log.info("screen %s%s", now.state, f" until {until}" if until else "")
        if self.tv is not None:
            if now.state == "off":
                self.tv.standby()
            elif before == "off":
                self.tv.wake()

    def until(self) -> str | None:
        """'07:00' (today or tomorrow) or 'Mon 07:00', or None when nothing is scheduled."""
        when = self.current.next_change if self.current is not None else None
        if when is None:
            return None
        today = dt.datetime.fromtimestamp(self._clock(), when.tzinfo).date()
        if when.date() - today <= dt.timedelta(days=1):
            return when.strftime("%H:%M")
        return when.strftime("%a %H:%M")

    def stop(self) -> None:
        if self.tv is not None:
            self.tv.stop(timeout=0.2)  # a cec-ctl call stuck on the bus is left to end alone
