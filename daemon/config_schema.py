"""The configuration schema: value types and the sections, each key declared once.

A key is a field of a frozen section dataclass whose metadata carries its value type and
a one-line description. Loading, dumping, the shipped deploy/config.toml and the README
table are all generated from these declarations, so they cannot disagree.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

BUILT_IN_DEFAULTS = "built-in defaults"

# The wheel shapes design.md names; random_shapes is checked against these unless the
# caller passes the curves module's own list.
SHAPE_NAMES = ("circle", "ellipse", "square", "rhombus", "tetracuspid")


class BadValueError(ValueError):
    """A value does not fit its type; one message per problem found."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class Size(NamedTuple):
    """A WxH size in pixels; str() gives the config spelling, e.g. '1920x1080'."""

    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


def toml_type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for error messages."""
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
    return names.get(type(value), "table" if isinstance(value, dict) else "date/time")


def shown(value: object) -> str:
    """A parsed TOML value written back compactly for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, default=str)


def typed(value: object) -> str:
    """'string "abc"', 'integer 3': a value with its TOML type, for error messages."""
    return f"{toml_type_name(value)} {shown(value)}"


def did_you_mean(word: str, choices: Collection[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# Value types. `parse` turns a TOML value into the typed value or raises BadValueError; `to_toml`
# turns it back into something tomli-w can write; `describe` names the allowed values.
# `names` maps a vocabulary ("curves", "shapes") to the names known at load time.


class _Plain:
    """Types whose typed value is already what TOML holds."""

    def to_toml(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Bool(_Plain):
    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> bool:
        if not isinstance(raw, bool):
            raise BadValueError(f"must be true or false, not {typed(raw)}")
        return raw

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Int(_Plain):
    min: int
    max: int

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise BadValueError(f"must be an integer, not {typed(raw)}")
        if not self.min <= raw <= self.max:
            raise BadValueError(f"must be between {self.min} and {self.max}, not {raw}")
        return raw

    def describe(self) -> str:
        return f"integer {self.min} to {self.max}"


@dataclass(frozen=True)
class Float(_Plain):
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
class Choice(_Plain):
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
class Text(_Plain):
    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        if not isinstance(raw, str):
            raise BadValueError(f"must be a string, not {typed(raw)}")
        if not raw.strip():
            raise BadValueError("must not be empty")
        return raw

    def describe(self) -> str:
        return "string"


_SIZE = re.compile(r"\s*(\d+)\s*[xX]\s*(\d+)\s*")


@dataclass(frozen=True)
class SizeOr:
    """`WxH` or one of a few keywords (`auto`, `display`)."""

    keywords: tuple[str, ...]
    min: int = 16
    max: int = 8192

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> Size | str:
        spelled = " or ".join(self.keywords) + " or WxH such as 1920x1080"
        if not isinstance(raw, str):
            raise BadValueError(f"must be {spelled}; not {typed(raw)}")
        if raw in self.keywords:
            return raw
        match = _SIZE.fullmatch(raw)
        if not match:
            hint = did_you_mean(raw, self.keywords)
            raise BadValueError(f"must be {spelled}; not {shown(raw)}{hint}")
        size = Size(int(match[1]), int(match[2]))
        if not (self.min <= size.width <= self.max and self.min <= size.height <= self.max):
            raise BadValueError(
                f"width and height must be between {self.min} and {self.max} pixels, not {size}"
            )
        return size

    def to_toml(self, value: Size | str) -> str:
        return str(value)

    def describe(self) -> str:
        return " or ".join(self.keywords) + " or WxH"


@dataclass(frozen=True)
class NameList:
    """A list of names from a vocabulary known only at load time (presets, shapes).

    With `empty_means_all`, an empty list stands for every known name followed by the
    `extra` names, and is expanded at load time so the effective config shows it.
    """

    vocabulary: str
    noun: str
    extra: tuple[str, ...] = ()
    min_items: int = 0
    empty_means_all: bool = False

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise BadValueError(f"must be an array of strings, not {typed(raw)}")
        if len(raw) < self.min_items:
            raise BadValueError(f"must name at least {self.min_items} {self.noun}")
        known = [*names[self.vocabulary], *self.extra]
        problems = [
            f"unknown {self.noun} {shown(item)}{did_you_mean(item, known)}"
            for item in raw
            if item not in known
        ]
        if problems:
            raise BadValueError(*problems)
        if not raw and self.empty_means_all:
            return tuple(known)
        return tuple(raw)

    def to_toml(self, value: tuple[str, ...]) -> list[str]:
        return list(value)

    def describe(self) -> str:
        extra = "".join(f' or "{name}"' for name in self.extra)
        return f"array of {self.noun} names{extra}"


ValueType = Bool | Int | Float | Choice | Text | SizeOr | NameList


def key(kind: ValueType, default: Any, doc: str, *, secret: bool = False) -> Any:
    """Declare one config key: its value type, default and one-line description."""
    return field(default=default, metadata={"kind": kind, "doc": doc, "secret": secret})


@dataclass(frozen=True)
class DisplaySection:
    mode: str = key(
        Choice(("fullscreen", "window", "headless")),
        "fullscreen",
        "fullscreen on the HDMI screen, a desktop window, or headless (no screen; the web "
        "mirror still runs)",
    )
    size: Size | str = key(  # noqa: RUF009 (key() is this schema's dataclasses.field)
        SizeOr(("auto",)), "auto", "drawing size: auto (the screen's resolution) or WxH"
    )
    fps: int = key(Int(1, 240), 60, "frame rate cap, used when the display gives no vsync")
    fallback_headless: bool = key(
        Bool(), True, "when no display can be opened, run headless (and say so) instead of failing"
    )
    show_pen: bool = key(Bool(), True, "draw a dot at the pen's tip while a curve is drawn")
    show_wheels: bool = key(Bool(), False, "draw the turning wheels and arms (the epicycles)")
    show_caption: bool = key(Bool(), False, "show a caption with the curve's name and parameters")


@dataclass(frozen=True)
class CurvesSection:
    playlist: tuple[str, ...] = key(
        NameList("curves", "preset", extra=("random",), empty_means_all=True),
        (),
        'preset names (see `spirokiosk presets`) and "random" (a new random curve), played in '
        'order and repeated; [] means every preset, then "random"',
    )
    draw_seconds: float = key(Float(0.5, 3600), 20.0, "seconds the pen takes to draw one curve")
    hold_seconds: float = key(Float(0, 3600), 8.0, "seconds a finished curve stays on screen")
    fade_seconds: float = key(Float(0, 60), 2.0, "seconds of cross-fade into the next curve")
    random_shapes: tuple[str, ...] = key(
        NameList("shapes", "shape", min_items=1),
        ("circle",),
        "wheel shapes random curves are built from",
    )


@dataclass(frozen=True)
class CameraSection:
    source: str = key(
        Choice(("none", "picamera2", "v4l2", "synthetic")),
        "none",
        "none, picamera2 (the Pi camera), v4l2 (a USB webcam) or synthetic (a test pattern)",
    )
    mode: str = key(
        Choice(("overlay", "camera")),
        "overlay",
        "overlay: the curves drawn over the camera picture; camera: the picture alone",
    )
    device: str = key(Text(), "/dev/video0", "the webcam's device, used when source is v4l2")
    overlay_opacity: float = key(
        Float(0, 1), 0.85, "opacity of the curves over the camera picture (overlay mode)"
    )
    timeout_seconds: float = key(
        Float(0.1, 60),
        5.0,
        "a camera silent this long counts as failed: curves only, retried with back-off",
    )


@dataclass(frozen=True)
class WebSection:
    enabled: bool = key(Bool(), True, "serve the live mirror, snapshot and status over HTTP")
    bind: str = key(
        Text(), "0.0.0.0", "address to listen on: 0.0.0.0 for the whole LAN, 127.0.0.1 for local"
    )
    port: int = key(Int(1, 65535), 8000, "TCP port of the mirror")
    max_viewers: int = key(
        Int(1, 1000), 10, "concurrent stream viewers; the next one gets 503 with Retry-After"
    )
    stream_fps: int = key(Int(1, 120), 30, "frame rate cap of the stream")
    stream_quality: int = key(Int(1, 100), 80, "JPEG quality of the stream")
    stream_size: Size | str = key(  # noqa: RUF009 (as above)
        SizeOr(("display",)), "display", "stream picture size: display (the screen's) or WxH"
    )
    write_timeout_seconds: float = key(
        Float(0.1, 300), 10.0, "a viewer that accepts no data for this long is dropped"
    )


@dataclass(frozen=True)
class LoggingSection:
    level: str = key(
        Choice(("debug", "info", "warning", "error")), "info", "level of spirokiosk's own messages"
    )
    verbose: bool = key(
        Bool(),
        False,
        "also log other libraries (waitress, PIL, picamera2) at that level, not only warnings",
    )


SECTIONS: Mapping[str, type] = MappingProxyType(
    {
        "display": DisplaySection,
        "curves": CurvesSection,
        "camera": CameraSection,
        "web": WebSection,
        "logging": LoggingSection,
    }
)


@dataclass(frozen=True)
class Config:
    """The whole typed, immutable configuration. `path` is the file read, or None."""

    display: DisplaySection = field(default_factory=DisplaySection)
    curves: CurvesSection = field(default_factory=CurvesSection)
    camera: CameraSection = field(default_factory=CameraSection)
    web: WebSection = field(default_factory=WebSection)
    logging: LoggingSection = field(default_factory=LoggingSection)
    path: Path | None = field(default=None, compare=False)

    @property
    def source(self) -> str:
        """Where the values came from: the file's path or 'built-in defaults'."""
        return str(self.path) if self.path is not None else BUILT_IN_DEFAULTS


@dataclass(frozen=True)
class KeySpec:
    """One key of the schema, flattened for loaders and documentation."""

    section: str
    name: str
    default: Any
    kind: ValueType
    doc: str
    secret: bool

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}"


def section_keys(section: str) -> list[KeySpec]:
    """The keys of one section, in declaration order."""
    return [
        KeySpec(section, f.name, f.default, **f.metadata)
        for f in dataclasses.fields(SECTIONS[section])
    ]


def all_keys() -> Iterator[KeySpec]:
    """Every key of the schema, section by section, in declaration order."""
    for section in SECTIONS:
        yield from section_keys(section)
