"""The mirror without pygame or a daemon, for tests and benchmarks.

- `StaticControl`: the `control` object `create_app` needs, with a settable status;
  it records the curves asked for (`queued`) and can play a full queue (`accepting`).
- `FrameFeeder`: a thread that plays the render loop: asks `hub.wants_frame()`
  at a tick rate and publishes synthetic moving frames.
- `Mirror`: hub, app, server and feeder on a loopback port, started and
  stopped together.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.web.app import create_app
from spirokiosk.web.hub import FrameHub, StreamSettings
from spirokiosk.web.server import WebServer


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

    accepting: bool = True  # False: play_curve and the commands answer "queue full"
    queued: list[Curve] = field(default_factory=list)
    commands: list[tuple] = field(default_factory=list)  # ("skip",), ("playlist", names)...
    sources: list[tuple[str, str]] = field(default_factory=list)  # (source, detail) of each
    page_views: int = 0
    per_client: int = 8
    clients: list[str] = field(default_factory=list)  # who asked for each queued curve

    def status(self) -> dict:
        return dict(self.data)

    def is_alive(self) -> bool:
        return self.alive

    def play_curve(
        self, curve: Curve, source: str = "request", detail: str = "", *, client: str = ""
    ) -> bool:
        if not self.accepting or (client and self.waiting_for(client) >= self.per_client):
            return False
        self.queued.append(curve)
        self.sources.append((source, detail))
        self.clients.append(client)
        return True

    def waiting_for(self, client: str) -> int:
        return self.clients.count(client)

    def _command(self, *command) -> bool:
        if self.accepting:
            self.commands.append(command)
        return self.accepting

    def skip(self) -> bool:
        return self._command("skip")

    def pause(self) -> bool:
        return self._command("pause")

    def resume(self) -> bool:
        return self._command("resume")

    def replace_playlist(self, names: tuple[str, ...]) -> bool:
        return self._command("playlist", tuple(names))

    def set_screen(self, state: str | None) -> bool:
        return self._command("screen", state)

    def waiting(self) -> int:
        return len(self.queued)

    def note_page_view(self) -> None:
        self.page_views += 1


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
        self.ticks = 0  # turns of its loop (each asks the hub, unless max_frames are out)
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
            self.ticks += 1
            next_tick += self.tick
            delay = next_tick - time.monotonic()
            if delay < -self.tick:  # fell behind: do not try to catch up
                next_tick = time.monotonic()
            self._stop.wait(max(0.0, delay))


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
        max_viewers: int = 10,
        stream_fps: float = 30.0,
        stream_quality: int = 80,
        stream_box: tuple[int, int] | None = None,
        write_timeout_seconds: float = 10.0,
    ) -> None:
        self.control = StaticControl()
        self.hub = FrameHub(StreamSettings(max_viewers, stream_fps, stream_quality, stream_box))
        self.hub.start()
        self.app = create_app(self.hub, self.control, **(app_options or {}))
        try:
            self.server = WebServer(
                self.app,
                bind="127.0.0.1",
                port=0,
                max_viewers=max_viewers,
                write_timeout_seconds=write_timeout_seconds,
            )
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
