"""Single values: true/false, numbers within limits, one of a fixed set of words or
integers."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from spirokiosk.daemon.config.value_types.base import BadValueError, Plain, shown, typed
from spirokiosk.display.messages import did_you_mean


@dataclass(frozen=True)
class Bool(Plain):
    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> bool:
        if not isinstance(raw, bool):
            raise BadValueError(f"must be true or false, not {typed(raw)}")
        return raw

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Int(Plain):
    min: int
    max: int

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise BadValueError(f"must be an integer, not {typed(raw)}")
        if not self.min <= raw <= self.max:
            raise BadValueError(f"must be between {self.min} and {self.max}, not {shown(raw)}")
        return raw

    def describe(self) -> str:
        return f"integer {self.min} to {self.max}"


@dataclass(frozen=True)
class Float(Plain):
    min: float
    max: float

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or math.isnan(raw):
            raise BadValueError(f"must be a number, not {typed(raw)}")
        if not self.min <= raw <= self.max:
            raise BadValueError(f"must be between {self.min:g} and {self.max:g}, not {raw:g}")
        return float(raw)

    def describe(self) -> str:
        return f"number {self.min:g} to {self.max:g}"


@dataclass(frozen=True)
class Choice(Plain):
    options: tuple[str, ...]

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        allowed = ", ".join(self.options)
        if not isinstance(raw, str):
            raise BadValueError(f"must be one of {allowed}; not {typed(raw)}")
        if raw not in self.options:
            hint = did_you_mean(raw, self.options)
            raise BadValueError(f"must be one of {allowed}; not {shown(raw)}{hint}")
        return raw

    def describe(self) -> str:
        return "one of " + ", ".join(self.options)


@dataclass(frozen=True)
class IntChoice(Plain):
    options: tuple[int, ...]

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> int:
        allowed = ", ".join(str(o) for o in self.options)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw not in self.options:
            raise BadValueError(f"must be one of {allowed}; not {typed(raw)}")
        return raw

    def describe(self) -> str:
        return "one of " + ", ".join(str(o) for o in self.options)
