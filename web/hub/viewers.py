"""The hub as its viewers see it: their slots under the cap, the newest encoded frame
they share, and waiting for the next one.

`ViewerSide` is `FrameHub`'s base class rather than an object it holds: the render loop
asks "does anyone watch?" every tick, and two attributes of the hub itself answer it,
with no call or other object on the way (see `FrameHub.wants_frame`). What the encoder
side uses of it is listed in `ViewerSide`'s docstring; the rest is for web threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from spirokiosk.web.hub.frames import EncodedFrame


class ViewerSlot:
    """A stream client's place under the viewer cap; `release()` may be called repeatedly.

    `on_release` gives the place back (the hub's count); it runs once, on the first
    release.
    """

    def __init__(self, on_release: Callable[[], None], first_after: int) -> None:
        self._on_release = on_release
        self._lock = threading.Lock()
        self._released = False
        # The first frame sent must be newer than this sequence number: a frame
        # encoded while nobody watched may be minutes old.
        self.first_after = first_after

    @property
    def released(self) -> bool:
        return self._released

    def release(self) -> bool:
        """Give the slot back; true if this call released it (false if it already was)."""
        with self._lock:
            if self._released:
                return False
            self._released = True
        self._on_release()
        return True

    def __enter__(self) -> ViewerSlot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class ViewerSide:
    """Viewer slots, the newest frame and the waits for it, all under one lock.

    For the encoder side (the subclass), under `_lock`: `_viewers` and
    `_snapshot_waiters` say whether anyone wants frames (read without the lock by the
    render thread: a stale answer costs one frame, early or late); a new frame goes in
    `_latest`, then `_frame_ready.notify_all()` and each of `_frame_listeners` (called
    outside the lock); `_stopping` set ends every wait; `_max_viewers` is the configured
    cap, replaced on reload.
    """

    def __init__(self, max_viewers: int) -> None:
        self._lock = threading.Lock()
        self._frame_ready = threading.Condition(self._lock)
        self._latest: EncodedFrame | None = None
        self._viewers = 0
        self._snapshot_waiters = 0
        self._stopping = False
        self._frame_listeners: tuple[Callable[[], None], ...] = ()
        self._max_viewers = max_viewers
        self._capacity: int | None = None  # streams the server can carry; None: no limit

    def set_capacity(self, streams: int | None) -> None:
        """At most `streams` viewers whatever max_viewers says (the web server's worker
        threads for streams; a max_viewers raised by a reload stays held to it)."""
        with self._lock:
            self._capacity = streams

    @property
    def viewer_cap(self) -> int:
        """How many viewers may watch at once: max_viewers, held to the capacity."""
        cap = self._max_viewers
        return cap if self._capacity is None else min(cap, self._capacity)

    def add_frame_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` from the encoder thread after each new frame (it must return
        at once)."""
        with self._lock:
            self._frame_listeners = (*self._frame_listeners, listener)

    def remove_frame_listener(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._frame_listeners = tuple(f for f in self._frame_listeners if f != listener)

    def acquire_viewer(self) -> ViewerSlot | None:
        """A viewer slot, or None when `viewer_cap` viewers are already watching, or the
        hub has stopped."""
        with self._lock:
            if self._stopping or self._viewers >= self.viewer_cap:
                return None
            live = self._viewers > 0 and self._latest is not None
            first_after = -1 if live or self._latest is None else self._latest.seq
            self._viewers += 1
        return ViewerSlot(self._viewer_left, first_after)

    def _viewer_left(self) -> None:
        with self._lock:
            self._viewers -= 1

    def wait_frame(
        self, after_seq: int, timeout: float, cancel: threading.Event | None = None
    ) -> EncodedFrame | None:
        """The newest frame once one newer than `after_seq` exists, or after `timeout`
        seconds the newest frame whatever its age (to resend a still picture);
        None when there is no frame at all yet, or the hub stops.

        Setting `cancel` and calling `wake_viewers()` ends the wait at once.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._stopping and (self._latest is None or self._latest.seq <= after_seq):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (cancel is not None and cancel.is_set()):
                    break
                self._frame_ready.wait(remaining)
            return None if self._stopping else self._latest

    @property
    def stopped(self) -> bool:
        return self._stopping

    def wake_viewers(self) -> None:
        """Wake every thread in `wait_frame` (used when the web server closes its streams)."""
        with self._lock:
            self._frame_ready.notify_all()

    def snapshot(
        self, timeout: float = 2.0, cancel: threading.Event | None = None
    ) -> EncodedFrame | None:
        """The newest frame; when nobody streams, a fresh one asked of the render loop.

        Returns None if no frame arrives within `timeout` seconds (or `cancel` is set).
        """
        with self._lock:
            if self._latest is not None and self._viewers > 0:
                return self._latest
            after = self._latest.seq if self._latest is not None else 0
            self._snapshot_waiters += 1
        try:
            frame = self.wait_frame(after, timeout, cancel)
        finally:
            with self._lock:
                self._snapshot_waiters -= 1
        return frame if frame is not None and frame.seq > after else None

    def latest(self) -> EncodedFrame | None:
        """The newest encoded frame, however old (None before the first one)."""
        return self._latest
