"""Helpers for tests, benchmarks and demos of the mirror, without pygame or a daemon.

- `StaticControl`: the `control` object `create_app` needs, with a settable status;
  it records the curves asked for (`queued`) and can play a full queue (`accepting`).
- `FrameFeeder`: a thread that plays the render loop: asks `hub.wants_frame()`
  at a tick rate and publishes synthetic moving frames.
- `MjpegReader` / `open_stream`: a strict client of /stream.mjpg that parses
  parts by Content-Length.
- `Mirror`: hub, app, server and feeder on a loopback port, started and
  stopped together.
"""

from __future__ import annotations

import http.client
import math
import socket
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from spirokiosk.display.curves import Curve

from .app import create_app
from .hub import FrameHub
from .mjpeg import CLOSING, OPENING
from .server import WebServer
from .settings import WebSettings


@dataclass
class StaticControl:
    """A stand-in for the daemon's control object."""

    alive: bool = True
    data: dict = field(
        default_factory=lambda: {
            "mode": "headless",
            "fps": 60.0,
            "frames_rendered": 0,
            "uptime_s": 0.0,
            "camera": {"source": "none", "state": "off"},
            "curve": None,
        }
    )

    accepting: bool = True  # False: play_curve answers "queue full"
    queued: list[Curve] = field(default_factory=list)

    def status(self) -> dict:
        return dict(self.data)

    def is_alive(self) -> bool:
        return self.alive

    def play_curve(self, curve: Curve) -> bool:
        if not self.accepting:
            return False
        self.queued.append(curve)
        return True


def synthetic_frame(width: int, height: int, t: float) -> np.ndarray:
    """An RGBX frame of soft moving bands: compresses like a real picture, changes every call."""
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    frame = np.empty((height, width, 4), dtype=np.uint8)
    frame[..., 0] = (127 + 120 * np.sin(6.0 * x + 3.0 * t)).astype(np.uint8)
    frame[..., 1] = (127 + 120 * np.sin(5.0 * y - 2.0 * t + 4.0 * x * y)).astype(np.uint8)
    frame[..., 2] = (127 + 120 * np.cos(9.0 * (x - y) + t)).astype(np.uint8)
    frame[..., 3] = 255
    return frame


class FrameFeeder:
    """Plays the render loop against a hub in a thread named 'test-feeder'.

    Every tick it asks `wants_frame(monotonic now)` and, if true, publishes a new
    synthetic frame stamped with time.time(). `max_frames` stops publishing after
    that many frames (a still picture).
    """

    def __init__(
        self,
        hub: FrameHub,
        size: tuple[int, int] = (320, 240),
        tick_hz: float = 120.0,
        max_frames: int | None = None,
    ) -> None:
        self.hub = hub
        self.size = size
        self.tick = 1.0 / tick_hz
        self.max_frames = max_frames
        self.published = 0
        self.timestamps: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-feeder", daemon=True)

    def start(self) -> FrameFeeder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def __enter__(self) -> FrameFeeder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if (self.max_frames is None or self.published < self.max_frames) and (
                self.hub.wants_frame(now)
            ):
                pixels = synthetic_frame(*self.size, t=now)
                stamp = time.time()
                self.hub.publish(pixels, "RGBX", stamp)
                self.timestamps.append(stamp)
                self.published += 1
            next_tick += self.tick
            delay = next_tick - time.monotonic()
            if delay < -self.tick:  # fell behind: do not try to catch up
                next_tick = time.monotonic()
            self._stop.wait(max(0.0, delay))


class MjpegError(AssertionError):
    """The stream broke the framing rules."""


@dataclass(frozen=True)
class Part:
    headers: dict[str, str]
    jpeg: bytes
    received_at: float  # time.time() when the part's headers were read

    @property
    def timestamp(self) -> float:
        return float(self.headers["X-Timestamp"])


class MjpegReader:
    """Reads parts from a multipart/x-mixed-replace body (boundary 'frame') strictly."""

    def __init__(self, fileobj) -> None:
        self._f = fileobj
        self._opened = False

    def _line(self) -> bytes:
        line = self._f.readline(1024)
        if not line:
            raise EOFError("stream ended")
        return line

    def read_part(self) -> Part:
        if not self._opened:
            line = self._line()
            if line != OPENING:
                raise MjpegError(f"body must open with {OPENING!r}, got {line!r}")
            self._opened = True
        headers: dict[str, str] = {}
        line = self._line()
        received_at = time.time()
        while line != b"\r\n":
            if not line.endswith(b"\r\n") or b":" not in line:
                raise MjpegError(f"bad part header line {line!r}")
            name, value = line.decode("latin-1").split(":", 1)
            headers[name.strip()] = value.strip()
            line = self._line()
        if headers.get("Content-Type") != "image/jpeg":
            raise MjpegError(f"part Content-Type must be image/jpeg: {headers}")
        length = int(headers["Content-Length"])
        jpeg = self._read_exactly(length)
        trailer = self._read_exactly(len(CLOSING))
        if trailer != CLOSING:
            raise MjpegError(f"part must end with {CLOSING!r}, got {trailer!r}")
        return Part(headers, jpeg, received_at)

    def _read_exactly(self, n: int) -> bytes:
        chunks = []
        while n > 0:
            chunk = self._f.read(n)
            if not chunk:
                raise EOFError("stream ended inside a part")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)


class _SmallBufferConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, timeout: float, rcvbuf: int | None) -> None:
        super().__init__(host, port, timeout=timeout)
        self._rcvbuf = rcvbuf

    def connect(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self._rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)
        sock.settimeout(self.timeout)
        try:
            sock.connect((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.sock = sock


def open_stream(
    host: str,
    port: int,
    path: str = "/stream.mjpg",
    timeout: float = 5.0,
    rcvbuf: int | None = None,
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """GET `path` over IPv4 (optionally with a small receive buffer); returns (conn, response)."""
    conn = _SmallBufferConnection(host, port, timeout, rcvbuf)
    conn.request("GET", path)
    return conn, conn.getresponse()


class Throttled:
    """Wraps a readable so that reads average at most `rate` bytes per second."""

    def __init__(self, fileobj, rate: float, chunk: int = 2048) -> None:
        self._f = fileobj
        self._rate = rate
        self._chunk = chunk
        self._start = time.monotonic()
        self._bytes = 0

    def _pace(self, n: int) -> None:
        self._bytes += n
        ahead = self._bytes / self._rate - (time.monotonic() - self._start)
        if ahead > 0:
            time.sleep(ahead)

    def read(self, n: int) -> bytes:
        data = self._f.read(min(n, self._chunk))
        self._pace(len(data))
        return data

    def readline(self, limit: int = -1) -> bytes:
        line = self._f.readline(limit)
        self._pace(len(line))
        return line


def median(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class Mirror:
    """A whole mirror on 127.0.0.1 with a free port: hub, app, server and (optionally) a feeder.

    Use as a context manager, or call `close()`; parts stop in reverse order.
    """

    def __init__(
        self,
        *,
        feed: bool = True,
        frame_size: tuple[int, int] = (320, 240),
        tick_hz: float = 120.0,
        max_frames: int | None = None,
        app_options: dict | None = None,
        **settings: object,
    ) -> None:
        self.settings = WebSettings(**{"bind": "127.0.0.1", "port": 0, **settings})
        self.control = StaticControl()
        self.hub = FrameHub(self.settings)
        self.hub.start()
        self.app = create_app(self.hub, self.control, **(app_options or {}))
        try:
            self.server = WebServer.from_settings(self.app, self.settings)
            self.server.start()
        except BaseException:
            self.hub.stop()
            raise
        self.feeder = FrameFeeder(self.hub, frame_size, tick_hz, max_frames) if feed else None
        if self.feeder:
            self.feeder.start()

    @property
    def port(self) -> int:
        return self.server.port

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.stop()
        if self.feeder:
            self.feeder.stop()
        self.hub.stop()

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
