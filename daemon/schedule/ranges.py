"""On-times as the admin writes them: `"mon-fri 07:00-23:00"`, `"sat,sun 09:00-24:00"`,
`"daily 07:00-09:00,17:00-23:30"`, `"fri 22:00-02:00"` (past midnight: into Saturday).

Each entry is days, a space, then one or more time ranges separated by commas. Days are
mon..sun, ranges of them (`mon-fri`, `fri-mon` wraps), lists (`sat,sun`), or `daily`.
Times are HH:MM on a 24-hour clock; 24:00 ends a day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_A_DAY = 24 * 60
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


class RangeError(ValueError):
    """An on-time entry that does not parse; the message says what is wrong."""


@dataclass(frozen=True)
class OnTime:
    """On from `start` to `end` minutes after midnight of `weekday` (0 = Monday); an end
    past 1440 runs into the next day."""

    weekday: int
    start: int
    end: int


def _minutes(text: str, *, is_end: bool) -> int:
    match = _TIME.fullmatch(text)
    if match is None:
        raise RangeError(f"{text!r} is not a time such as 07:30")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        raise RangeError(f"{text!r} is not a time of day (00:00 to 23:59, or 24:00 as an end)")
    return hours * 60 + minutes


def _days(text: str) -> list[int]:
    if text in ("daily", "*"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        for name in (first, last) if last else (first,):
            if name not in DAYS:
                raise RangeError(
                    f"{name!r} is not a day: use mon, tue, wed, thu, fri, sat, sun or daily"
                )
        start = DAYS.index(first)
        count = (DAYS.index(last) - start) % 7 + 1 if last else 1
        days.extend((start + i) % 7 for i in range(count))
    return sorted(set(days))


def parse_entry(entry: str) -> list[OnTime]:
    """One entry as on-times; RangeError says what is wrong with it."""
    days_text, _, times_text = entry.strip().lower().partition(" ")
    if not times_text.strip():
        raise RangeError(f"{entry!r}: expected days and times, such as 'mon-fri 07:00-23:00'")
    weekdays = _days(days_text)
    on: list[OnTime] = []
    for span in times_text.replace(" ", "").split(","):
        start_text, dash, end_text = span.partition("-")
        if not dash:
            raise RangeError(f"{span!r} is not a time range such as 07:00-23:00")
        start = _minutes(start_text, is_end=False)
        end = _minutes(end_text, is_end=True)
        if end == start:
            raise RangeError(f"{span!r} is empty (it starts where it ends)")
        if end < start:
            end += MINUTES_A_DAY  # past midnight, into the next day
        on.extend(OnTime(day, start, end) for day in weekdays)
    return on


def parse_entries(entries: Sequence[str]) -> tuple[OnTime, ...]:
    """Every entry's on-times; the first bad entry raises RangeError naming its index."""
    on: list[OnTime] = []
    for index, entry in enumerate(entries):
        try:
            on.extend(parse_entry(entry))
        except RangeError as exc:
            raise RangeError(f"[{index}]: {exc}") from None
    return tuple(on)
