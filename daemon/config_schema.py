"""The configuration schema: the sections, each key declared once.

A key is a field of a frozen section dataclass whose metadata carries its value type
(config_types) and a one-line description. Loading, dumping, the shipped
deploy/config.toml and the README table are all generated from these declarations, so
they cannot disagree.
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomli_w

from spirokiosk.daemon.config_types import (
    Bool,
    Choice,
    Float,
    Int,
    NameList,
    Size,
    SizeOr,
    Text,
    ValueType,
)

BUILT_IN_DEFAULTS = "built-in defaults"

# The wheel shapes design.md names; random_shapes is checked against these unless the
# caller passes the curves module's own list.
SHAPE_NAMES = ("circle", "ellipse", "square", "rhombus", "tetracuspid")


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


# Documents generated from the schema: the shipped deploy/config.toml, the README table.


def _default_toml(spec: KeySpec) -> str:
    """'name = default' as tomli-w writes it (may span lines for arrays)."""
    return tomli_w.dumps({spec.name: spec.kind.to_toml(spec.default)}).rstrip("\n")


_HEADER = """\
# spirokiosk configuration: /etc/spirokiosk/config.toml (or the file $SPIROKIOSK_CONFIG
# or --config names).
#
# Every key is listed below, commented out at its built-in default. To change one,
# remove the '#' in front of it (and of its continuation lines) and edit the value.
# A missing key, or a missing /etc/spirokiosk/config.toml, means the built-in default.
#
# Precedence: built-in defaults < this file < `--set section.key=value` on the
# command line (repeatable; e.g. `spirokiosk run --set web.port=8080`).
#
# Check after editing:    spirokiosk check-config
#   (prints 'config OK', or every problem as 'section.key: message')
# See the effective values: spirokiosk config
# Apply:                  sudo systemctl reload spirokiosk
#   A config with errors is refused on reload: the running one is kept and every
#   error goes to the journal (journalctl -u spirokiosk). A service that is not
#   running refuses to start with a bad config and lists the errors the same way.
"""


def render_default_config_toml() -> str:
    """The text of deploy/config.toml: every key at its default, commented, with its doc."""
    parts = [_HEADER]
    for section in SECTIONS:
        parts.append(f"\n[{section}]\n")
        for spec in section_keys(section):
            commented = "\n".join("#" + line for line in _default_toml(spec).splitlines())
            values = "" if isinstance(spec.kind, Bool) else f" ({spec.kind.describe()})"
            about = textwrap.wrap(spec.doc + values, 86)
            comments = "".join(f"# {line}\n" for line in about)
            parts.append(f"\n{comments}{commented}\n")
    return "".join(parts)


def _markdown_default(spec: KeySpec) -> str:
    value = spec.kind.to_toml(spec.default)
    if isinstance(value, list):
        inline = "[" + ", ".join(_inline_scalar(item) for item in value) + "]"
    else:
        inline = _inline_scalar(value)
    return f"`{inline}`"


def _inline_scalar(value: Any) -> str:
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def config_reference_markdown() -> str:
    """A Markdown table of every key (key, default, values, meaning) for the README."""
    rows = ["| key | default | values | meaning |", "| --- | --- | --- | --- |"]
    for spec in all_keys():
        cells = [f"`{spec.dotted}`", _markdown_default(spec), spec.kind.describe(), spec.doc]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"
