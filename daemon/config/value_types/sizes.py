"""A picture size: `WxH` (display/sizes.py's grammar) or one of a few keywords."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from spirokiosk.daemon.config.value_types.base import BadValueError, shown, typed
from spirokiosk.display.messages import did_you_mean
from spirokiosk.display.sizes import Size, parse_size


@dataclass(frozen=True)
class SizeOr:
    """`WxH` or one of a few keywords (`auto`, `display`)."""

    keywords: tuple[str, ...]
    min: int = 16
    max: int = 8192

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> Size | str:
        spelled = ", ".join(self.keywords) + " or WxH such as 1920x1080"
        if not isinstance(raw, str):
            raise BadValueError(f"must be {spelled}; not {typed(raw)}")
        if raw in self.keywords:
            return raw
        try:
            size = parse_size(raw)
        except ValueError:
            hint = did_you_mean(raw, self.keywords)
            raise BadValueError(f"must be {spelled}; not {shown(raw)}{hint}") from None
        if not size.within(self.min, self.max):
            raise BadValueError(
                f"width and height must be between {self.min} and {self.max} pixels, not {size}"
            )
        return size

    def to_toml(self, value: Size | str) -> str:
        return str(value)

    def describe(self) -> str:
        return ", ".join(self.keywords) + " or WxH"
