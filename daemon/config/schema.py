"""The configuration schema: the sections, each key declared once.

A key is a field of a frozen section dataclass whose metadata carries its value type
(value_types: which values it takes, its limits), a one-line description, and whether a
reload can apply it. Loading, dumping, the shipped deploy/config.toml, the README table
and what a reload applies are all generated from these declarations, so they cannot
disagree. The names a key may take that belong to another part (display modes, camera
sources and modes) come from that part's light package, never written out twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from spirokiosk.daemon.config.value_types import (
    Address,
    Bool,
    Choice,
    Float,
    Int,
    IntChoice,
    NameList,
    OnTimes,
    OptionalText,
    ServiceName,
    SizeOr,
    Text,
    Topic,
    ValueType,
)
from spirokiosk.display.camera import SOURCES as CAMERA_SOURCES
from spirokiosk.display.draw import CAMERA_MODES
from spirokiosk.display.screen import MODES as DISPLAY_MODES
from spirokiosk.display.screen import ROTATIONS
from spirokiosk.display.sizes import Size

BUILT_IN_DEFAULTS = "built-in defaults"


def key(
    kind: ValueType, default: Any, doc: str, *, secret: bool = False, restart: bool = False
) -> Any:
    """Declare one config key: its value type, default and one-line description.

    `secret`: masked when the config is shown. `restart`: a reload cannot apply it to the
    running process (it is logged as needing `systemctl restart`).
    """
    metadata = {"kind": kind, "doc": doc, "secret": secret, "restart": restart}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class DisplaySection:
    mode: str = key(
        Choice(DISPLAY_MODES),
        "fullscreen",
        "fullscreen on the HDMI screen, a desktop window, or headless (no screen; the web "
        "mirror still runs)",
        restart=True,
    )
    size: Size | str = key(  # noqa: RUF009 (key() is this schema's dataclasses.field)
        SizeOr(("auto",)),
        "auto",
        "drawing size: auto (the screen's resolution) or WxH",
        restart=True,
    )
    rotation: int = key(
        IntChoice(ROTATIONS),
        0,
        "degrees the picture is turned clockwise on the screen: 90 or 270 for a screen "
        "mounted in portrait, 180 upside down (display.size stays the screen's own)",
        restart=True,
    )
    fps: int = key(Int(1, 240), 60, "frame rate cap, used when the display gives no vsync")
    fallback_headless: bool = key(
        Bool(),
        True,
        "when no display can be opened, run headless (and say so) instead of failing",
        restart=True,
    )
    show_pen: bool = key(Bool(), True, "draw a dot at the pen's tip while a curve is drawn")
    show_wheels: bool = key(Bool(), False, "draw the turning wheels and arms (the epicycles)")
    show_caption: bool = key(Bool(), False, "show a caption with the curve's name and parameters")
    show_address: str = key(
        Choice(("auto", "always", "never")),
        "auto",
        "the mirror's address and its QR code in the bottom-left corner for a few seconds at "
        "each new curve: auto (until the web page has been opened once), always or never",
    )


@dataclass(frozen=True)
class CurvesSection:
    playlist: tuple[str, ...] = key(
        NameList("curves", "preset", extra=("random",), empty_means_all=True, also=("favourites",)),
        (),
        'preset names (see `spirokiosk presets`), "random" (a new random curve) and '
        '"favourites" (the next hearted curve of the gallery, in turn), played in order and '
        'repeated; [] means every preset, then "random"',
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
        Choice(("none", *CAMERA_SOURCES)),
        "none",
        "none, picamera2 (the Pi camera), v4l2 (a USB webcam) or synthetic (a test pattern)",
    )
    mode: str = key(
        Choice(CAMERA_MODES),
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
    rotation: int = key(
        IntChoice(ROTATIONS),
        0,
        "0: the camera is mounted with the screen (turned with it, if it is); else the "
        "degrees its picture is turned clockwise on top of that, for a camera mounted "
        "differently (display.rotation for an upright camera beside a turned screen)",
    )


@dataclass(frozen=True)
class WebSection:
    enabled: bool = key(
        Bool(), True, "serve the live mirror, snapshot and status over HTTP", restart=True
    )
    bind: str = key(
        Address(),
        "0.0.0.0",
        "address to listen on: 0.0.0.0 for the whole LAN, 127.0.0.1 for local",
        restart=True,
    )
    port: int = key(Int(1, 65535), 8000, "TCP port of the mirror", restart=True)
    max_viewers: int = key(
        Int(1, 1000), 10, "concurrent stream viewers; the next one gets 503 with Retry-After"
    )
    stream_fps: int = key(Int(1, 120), 30, "frame rate cap of the stream")
    stream_quality: int = key(Int(1, 100), 80, "JPEG quality of the stream")
    stream_size: Size | str = key(  # noqa: RUF009 (as above)
        SizeOr(("auto", "display")),
        "auto",
        "stream picture size: auto (the screen's divided by the smallest whole number that "
        "fits it in 1280x720: 1080p streams at 960x540), display (the screen's) or WxH "
        "(resampled to fit)",
    )
    write_timeout_seconds: float = key(
        Float(0.1, 300),
        10.0,
        "a viewer that accepts no data for this long is dropped",
        restart=True,
    )
    request_timeout_seconds: float = key(
        Float(0.5, 120),
        5.0,
        "a request's line, headers and body must all arrive within this; else 408",
        restart=True,
    )
    max_header_bytes: int = key(
        Int(1024, 1024 * 1024),
        16 * 1024,
        "request line and headers together at most this big; else 431",
        restart=True,
    )
    max_body_bytes: int = key(
        Int(1024, 16 * 1024 * 1024),
        64 * 1024,
        "the largest body the curve API takes; else 413 (other addresses take none)",
        restart=True,
    )
    max_upload_bytes: int = key(
        Int(64 * 1024, 32 * 1024 * 1024),
        32 * 1024 * 1024,
        "the largest file POST /api/recipe reads (a picture dropped on the studio); else 413",
        restart=True,
    )
    max_connections_per_address: int = key(
        Int(1, 10000),
        32,
        "open connections one client address may have; the next gets 503",
        restart=True,
    )
    spare_workers: int = key(
        Int(1, 100),
        6,
        "worker threads streams can never take: the page, the API and /healthz keep answering",
        restart=True,
    )
    control: str = key(
        Choice(("open", "token", "off")),
        "open",
        "who may change the kiosk (queue curves, skip, pause, playlist): open (anyone on the "
        "LAN), token (requests with web.control_token) or off (nobody; watching stays open)",
    )
    control_token: str = key(
        OptionalText(secret=True),
        "",
        "the token for web.control = token: 16 or more of A-Z a-z 0-9 - . _ ~ + / (e.g. "
        "`openssl rand -hex 16`); never logged, masked by `spirokiosk config`",
        secret=True,
    )
    control_token_file: str = key(
        OptionalText(),
        "",
        "a file holding the token instead (first line), read at start and on every reload",
    )
    rate_limit: int = key(
        Int(0, 6000),
        30,
        "changing requests one client may send a minute (up to 10 at once); the next gets 429 "
        "with Retry-After; 0 = no limit",
    )
    queue_per_client: int = key(
        Int(1, 64),
        8,
        "curves one client may have waiting at once (the queue holds 64 in all); the next "
        "gets 429 until one of them starts",
    )


@dataclass(frozen=True)
class ExportSection:
    workers: int = key(
        Int(1, 8),
        1,
        "exports (POST /api/export) rendered at once, each in its own process at lower "
        "priority, so the screen keeps its frame rate",
        restart=True,
    )
    queue: int = key(
        Int(0, 100),
        4,
        "exports waiting for a worker at most; the next one gets 429 with Retry-After",
        restart=True,
    )
    keep_bytes: int = key(
        Int(1 << 20, 1 << 30),
        64 << 20,
        "bytes of finished export files kept in memory at most (the oldest are forgotten "
        "first); a single file larger than this fails",
        restart=True,
    )
    keep_seconds: float = key(
        Float(10, 86400), 300.0, "seconds a finished export file is kept for download", restart=True
    )
    abandon_seconds: float = key(
        Float(1, 3600),
        90.0,
        "an export whose status nobody asks for this long is cancelled (its render stopped); "
        "the page asks every second, a browser tab in the background once a minute",
        restart=True,
    )
    max_seconds: float = key(
        Float(1, 86400),
        600.0,
        "an export still rendering after this long fails (its worker killed, its slot freed), "
        "even while someone waits for it",
        restart=True,
    )


@dataclass(frozen=True)
class MqttSection:
    enabled: bool = key(
        Bool(),
        False,
        "publish to an MQTT broker for Home Assistant (discovery, commands)",
        restart=True,
    )
    host: str = key(Address(), "localhost", "the broker's address or host name", restart=True)
    port: int = key(Int(1, 65535), 1883, "the broker's port (8883 is usual with TLS)", restart=True)
    tls: bool = key(
        Bool(), False, "connect with TLS, checking the broker's certificate", restart=True
    )
    ca_file: str = key(
        OptionalText(),
        "",
        "with tls: a PEM file of the certificate authorities to check the broker against "
        '(a private CA); "" for the system\'s',
        restart=True,
    )
    username: str = key(OptionalText(), "", "user name at the broker", restart=True)
    password: str = key(
        OptionalText(secret=True),
        "",
        "password at the broker",
        secret=True,
        restart=True,
    )
    discovery_prefix: str = key(
        Topic(),
        "homeassistant",
        "Home Assistant's discovery prefix (its MQTT settings)",
        restart=True,
    )
    base_topic: str = key(
        Topic(),
        "spirokiosk",
        "the kiosk's own topics (state, commands, availability) start with this, then its "
        "host name",
        restart=True,
    )
    snapshot_seconds: float = key(
        Float(0, 3600),
        10.0,
        "publish a JPEG of the screen for Home Assistant's camera this often; 0: never",
        restart=True,
    )


@dataclass(frozen=True)
class ScheduleSection:
    enabled: bool = key(
        Bool(), False, "switch the screen off (or to quiet) outside the on-times below"
    )
    on: tuple[str, ...] = key(
        OnTimes(),
        ("mon-fri 07:00-23:00", "sat,sun 08:00-24:00"),
        "when the screen is on, in local time: days (mon-fri, sat,sun, daily) and one or "
        'more ranges ("fri 22:00-02:00" runs past midnight)',
    )
    mode: str = key(
        Choice(("off", "quiet")),
        "off",
        "outside the on-times: off (black, the loop idles, the TV may sleep) or quiet (the "
        "last finished curve stays, nothing moves)",
    )
    cec: bool = key(
        Bool(), False, "with mode off, put the TV in standby over HDMI-CEC and wake it (cec-ctl)"
    )
    cec_device: str = key(Text(), "/dev/cec0", "the CEC device of the HDMI port the TV is on")


@dataclass(frozen=True)
class StateSection:
    dir: str = key(
        Text(),
        "auto",
        "where the gallery's database (gallery.sqlite) lives: auto is $STATE_DIRECTORY "
        "(/var/lib/spirokiosk under systemd), else $XDG_STATE_HOME/spirokiosk, else "
        "~/.local/state/spirokiosk",
        restart=True,
    )
    history_limit: int = key(
        Int(1, 1_000_000),
        1000,
        "curves the gallery's history keeps (the oldest go first); hearted ones stay",
        restart=True,
    )


@dataclass(frozen=True)
class DiscoverySection:
    enabled: bool = key(
        Bool(),
        True,
        "announce the mirror on the LAN over mDNS/DNS-SD (_http._tcp), for phones, browsers "
        "and Home Assistant",
    )
    name: str = key(
        ServiceName(),
        "spirokiosk on {hostname}",
        "the name the kiosk is announced under; {hostname} is this machine's name",
    )


@dataclass(frozen=True)
class LoggingSection:
    level: str = key(
        Choice(("debug", "info", "warning", "error")), "info", "level of spirokiosk's own messages"
    )
    verbose: bool = key(
        Bool(),
        False,
        "also log other libraries (cheroot, PIL, picamera2) at that level, not only warnings",
    )


SECTIONS: Mapping[str, type] = MappingProxyType(
    {
        "display": DisplaySection,
        "curves": CurvesSection,
        "camera": CameraSection,
        "web": WebSection,
        "export": ExportSection,
        "mqtt": MqttSection,
        "schedule": ScheduleSection,
        "state": StateSection,
        "discovery": DiscoverySection,
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
    export: ExportSection = field(default_factory=ExportSection)
    mqtt: MqttSection = field(default_factory=MqttSection)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    state: StateSection = field(default_factory=StateSection)
    discovery: DiscoverySection = field(default_factory=DiscoverySection)
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
    restart: bool

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


def changed_keys(old: Config, new: Config) -> list[str]:
    """The dotted keys whose values differ, for logging what a reload changed."""
    return [
        spec.dotted
        for spec in all_keys()
        if getattr(getattr(old, spec.section), spec.name)
        != getattr(getattr(new, spec.section), spec.name)
    ]


def restart_keys() -> frozenset[str]:
    """The dotted keys a reload cannot apply (declared with restart=True)."""
    return frozenset(spec.dotted for spec in all_keys() if spec.restart)
