"""Arrays: names from a vocabulary known at load time (presets, shapes) and the screen
schedule's on-times."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from spirokiosk.daemon.config.value_types.base import BadValueError, shown, typed
from spirokiosk.display.messages import did_you_mean


@dataclass(frozen=True)
class NameList:
    """A list of names from a vocabulary known only at load time (presets, shapes).

    With `empty_means_all`, an empty list stands for every known name followed by the
    `extra` names, and is expanded at load time so the effective config shows it.
    `also` names are allowed too but not part of "every" ("favourites" in the playlist).
    """

    vocabulary: str
    noun: str
    extra: tuple[str, ...] = ()
    min_items: int = 0
    empty_means_all: bool = False
    also: tuple[str, ...] = ()

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise BadValueError(f"must be an array of strings, not {typed(raw)}")
        if len(raw) < self.min_items:
            raise BadValueError(f"must name at least {self.min_items} {self.noun}")
        known = [*names[self.vocabulary], *self.extra]
        allowed = [*known, *self.also]
        problems = [
            f"unknown {self.noun} {shown(item)}{did_you_mean(item, allowed)}"
            for item in raw
            if item not in allowed
        ]
        if problems:
            raise BadValueError(*problems)
        if not raw and self.empty_means_all:
            return tuple(known)
        return tuple(raw)

    def to_toml(self, value: tuple[str, ...]) -> list[str]:
        return list(value)

    def describe(self) -> str:
        extra = "".join(f' or "{name}"' for name in (*self.extra, *self.also))
        return f"array of {self.noun} names{extra}"


@dataclass(frozen=True)
class OnTimes:
    """The screen schedule's on-times: an array of entries such as "mon-fri 07:00-23:00"
    (the grammar is daemon/schedule/ranges.py's)."""

    max_items: int = 100
    max_entry_chars: int = 500

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> tuple[str, ...]:
        from spirokiosk.daemon.schedule.ranges import RangeError, parse_entry

        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise BadValueError(
                f'must be an array such as ["mon-fri 07:00-23:00"], not {typed(raw)}'
            )
        if len(raw) > self.max_items:
            raise BadValueError(f"must have at most {self.max_items} entries, not {len(raw)}")
        problems = []
        for index, entry in enumerate(raw):
            if len(entry) > self.max_entry_chars:  # the whole entry is read, or none of it
                problems.append(
                    f"entry {index + 1}: longer than {self.max_entry_chars} characters; "
                    "split it into several entries"
                )
                continue
            try:
                parse_entry(entry)
            except RangeError as exc:
                problems.append(f"entry {index + 1} ({shown(entry)}): {exc}")
        if problems:
            raise BadValueError(*problems)
        return tuple(raw)

    def to_toml(self, value: tuple[str, ...]) -> list[str]:
        return list(value)

    def describe(self) -> str:
        return 'array of "DAYS HH:MM-HH:MM[,HH:MM-HH:MM...]" entries'
