"""The mirror's settings: the `[web]` config section as one small frozen dataclass.

Field names are the config keys without the `web.` prefix, so the daemon can
build it with `WebSettings(**web_section)`. This module does not read config
files; it only checks the values, so that a bad one names its key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SIZE_RE = re.compile(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*$")


def parse_stream_size(value: str) -> tuple[int, int] | None:
    """'display' -> None (the display's own size); 'WxH' -> (W, H).

    Raises ValueError naming web.stream_size on anything else.
    """
    if not isinstance(value, str):
        raise ValueError(f"web.stream_size: expected 'display' or 'WxH', got {value!r}")
    if value.strip().lower() == "display":
        return None
    match = _SIZE_RE.match(value)
    if not match:
        raise ValueError(
            f"web.stream_size: expected 'display' or 'WxH' such as '1280x720', got {value!r}"
        )
    width, height = int(match[1]), int(match[2])
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise ValueError(f"web.stream_size: each side must be 16..8192 pixels, got {value!r}")
    return width, height


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class WebSettings:
    """Settings of the web mirror (deploy/config.toml documents each key)."""

    enabled: bool = True
    bind: str = "0.0.0.0"
    port: int = 8000
    max_viewers: int = 10
    stream_fps: float = 30.0
    stream_quality: int = 80
    stream_size: str = "display"
    write_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        checks = [
            ("enabled", isinstance(self.enabled, bool), "must be true or false"),
            ("bind", isinstance(self.bind, str), "must be an address such as '0.0.0.0'"),
            ("port", _is_int(self.port) and 0 <= self.port <= 65535, "must be 0..65535"),
            ("max_viewers", _is_int(self.max_viewers) and self.max_viewers >= 1, "must be >= 1"),
            (
                "stream_fps",
                _is_number(self.stream_fps) and 0 < self.stream_fps <= 240,
                "must be a number in (0, 240]",
            ),
            (
                "stream_quality",
                _is_int(self.stream_quality) and 1 <= self.stream_quality <= 100,
                "must be an integer 1..100",
            ),
            (
                "write_timeout_seconds",
                _is_number(self.write_timeout_seconds) and 0 < self.write_timeout_seconds <= 3600,
                "must be a number of seconds in (0, 3600]",
            ),
        ]
        problems = [
            f"web.{key}: {message}, got {getattr(self, key)!r}"
            for key, ok, message in checks
            if not ok
        ]
        try:
            parse_stream_size(self.stream_size)
        except ValueError as exc:
            problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def stream_box(self) -> tuple[int, int] | None:
        """The box the stream must fit in, or None to keep the display's size."""
        return parse_stream_size(self.stream_size)
