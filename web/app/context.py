"""What the web handlers share: the hub, the daemon's control object, a closing flag.

Handlers never mutate scene state: they read the hub's immutable frames and the
control object's immutable status documents, and ask for curves through the
control's command queue.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app

from spirokiosk.display.curves import Curve
from spirokiosk.web.app.curve_info import describe_curve
from spirokiosk.web.app.stream_writer import StreamWriter
from spirokiosk.web.hub.frame_hub import FrameHub

EXTENSION_KEY = "spirokiosk"
PEER_SOCKET_KEY = "spirokiosk.peer_socket"  # WSGI environ key set by our server (optional)
UPLOADS_AT_ONCE = 2  # files POST /api/recipe reads at once: each holds a worker and memory
# Studio previews sampled and written at once: each is 5-40 ms of Python holding the GIL,
# which the render thread needs too; more wait for a moment (503, Retry-After: 1).
PREVIEWS_AT_ONCE = 2

# /api/status always has these keys (None when the daemon does not know yet).
STATUS_KEYS = (
    "mode",
    "fps",
    "stream_fps",
    "viewers",
    "max_viewers",
    "frames_rendered",
    "frames_encoded",
    "uptime_s",
    "camera",
    "curve",
)


class Control(Protocol):
    """What the daemon gives the web app."""

    def status(self) -> dict:
        """The immutable status document the render loop published (mode, fps, curve...)."""

    def is_alive(self) -> bool:
        """True while the render loop ticks."""

    per_client: int  # curves one client may have waiting at once

    def play_curve(
        self, curve: Curve, source: str = "request", detail: str = "", *, client: str = ""
    ) -> bool:
        """Queue `curve` to be drawn next (after any asked for before); False when full,
        or when `client` already has `per_client` curves waiting. `source` and `detail`
        say who asked, for the gallery's history."""

    def waiting_for(self, client: str) -> int:
        """How many of `client`'s curves wait."""

    def skip(self) -> bool:
        """Start the next curve now (with the usual fade); False when the queue is full."""

    def pause(self) -> bool:
        """Stop the pen where it is (time stops for the scene); False when full."""

    def resume(self) -> bool:
        """Let the pen move on from where it stopped; False when full."""

    def replace_playlist(self, names: tuple[str, ...]) -> bool:
        """Play these preset names (and "random") from now on, until a restart or a
        reload that changes curves.playlist; False when full."""

    def set_screen(self, state: str | None) -> bool:
        """Screen on, off or quiet until the next scheduled change (None: the schedule
        again); False when the command queue is full."""

    def waiting(self) -> int:
        """Curves asked for and not started yet (a curve just queued counts itself)."""

    def note_page_view(self) -> None:
        """The page was opened (the screen stops showing its address, when so configured)."""


class Gallery(Protocol):
    """The kiosk's memory of curves, as the daemon gives it (its SQLite store). Entries
    are dicts: id, name, curve (a to_dict()), drawn_at, source, detail, hearts,
    favourite. A method that fails (disk full, I/O error) raises an exception whose
    message says why; the web answers 503 with it."""

    def entries(self, kind: str, limit: int, before: int | None) -> list[dict]:
        """Newest first: "history" (all) or "favourites" (hearted), ids below `before`."""

    def entry(self, entry_id: int) -> dict | None:
        """One entry, or None."""

    def heart(self, entry_id: int) -> dict | None:
        """One more heart (committed when it returns); the entry, or None."""

    def unfavourite(self, entry_id: int) -> dict | None:
        """No more hearts: no longer a favourite; the entry, or None."""


@dataclass
class WebContext:
    hub: FrameHub
    control: Control
    gallery: Gallery | None = None  # None: the kiosk runs without one (GET /api/gallery 503)
    resend_interval: float = 1.0  # a still picture is sent again this often
    snapshot_timeout: float = 2.0  # /snapshot.jpg waits this long for a fresh frame
    max_body_bytes: int = 64 * 1024  # the largest curve a POST /api/curve may send
    max_upload_bytes: int = 32 * 1024 * 1024  # the largest file POST /api/recipe reads
    uploads: threading.BoundedSemaphore = field(  # files being read at once (recipes.py)
        default_factory=lambda: threading.BoundedSemaphore(UPLOADS_AT_ONCE)
    )
    previews: threading.BoundedSemaphore = field(  # studio previews drawn at once (studio.py)
        default_factory=lambda: threading.BoundedSemaphore(PREVIEWS_AT_ONCE)
    )
    closing: threading.Event = field(default_factory=threading.Event)
    writer: StreamWriter | None = None  # while a server serves: every stream's writes
    _described: tuple[object, object] = (None, None)  # (curve data, its description)

    def close_streams(self) -> None:
        """End every /stream.mjpg response at its next wake-up (the server is stopping)."""
        self.closing.set()
        self.hub.wake_viewers()
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.stop()

    def open_streams(self) -> None:
        """Before a server serves: streams get the writer thread."""
        self.closing.clear()
        if self.writer is None:
            self.writer = StreamWriter(self.hub, self.resend_interval)
            self.writer.start()

    def describe(self, curve: dict | None) -> dict | None:
        """describe_curve(), remembered for the last curve seen (the page polls often)."""
        data, info = self._described
        if curve != data:
            info = describe_curve(curve)
            self._described = (curve, info)
        return info

    def status(self) -> dict:
        """The /api/status document."""
        status = dict.fromkeys(STATUS_KEYS)
        status.update(self.control.status())
        stats = self.hub.stats()
        status.update(
            stream_fps=stats.stream_fps,
            viewers=stats.viewers,
            max_viewers=stats.max_viewers,
            frames_encoded=stats.frames_encoded,
            frames_published=stats.frames_published,
            frames_dropped=stats.frames_dropped,
        )
        status["curve_info"] = self.describe(status.get("curve"))
        return status


def web_context() -> WebContext:
    """The WebContext of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
