"""Picture sizes written WxH ("1920x1080"), as the config, the command line and the
screen use them."""

from __future__ import annotations

import re
from typing import NamedTuple

# Six digits per side at most: a longer number is a mistake, and int() of thousands of
# digits is slow (and refused past Python's int-string limit).
_WXH = re.compile(r"\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*")


class Size(NamedTuple):
    """A size in pixels; str() gives the WxH spelling, e.g. '1920x1080'."""

    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"

    def within(self, low: int, high: int) -> bool:
        """Whether both sides are from `low` to `high` pixels."""
        return low <= self.width <= high and low <= self.height <= high


def parse_size(text: object) -> Size:
    """'1920x1080' (spaces and a capital X allowed) as a Size; ValueError when not WxH."""
    match = _WXH.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected WIDTHxHEIGHT in pixels such as 1920x1080, not {text!r}")
    return Size(int(match[1]), int(match[2]))


def turned(size: tuple[int, int], rotation: int) -> tuple[int, int]:
    """`size` after turning by `rotation` degrees: width and height swap at 90 and 270."""
    w, h = int(size[0]), int(size[1])
    return (h, w) if rotation % 180 == 90 else (w, h)
