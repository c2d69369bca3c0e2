"""The [web] section (the mirror's HTTP server: where it listens, the stream, the limits
that keep it answering, who may change the kiosk) and [export] (the exports it renders
in worker processes)."""

from __future__ import annotations

from dataclasses import dataclass

from spirokiosk.daemon.config.keys import key
from spirokiosk.daemon.config.value_types import (
    Address,
    Bool,
    Choice,
    Float,
    Int,
    OptionalText,
    SizeOr,
)
from spirokiosk.display.sizes import Size


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
    stream_size: Size | str = key(  # noqa: RUF009 (key() is this schema's dataclasses.field)
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
