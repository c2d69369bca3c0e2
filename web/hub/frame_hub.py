"""The frame hub: the newest rendered frame, JPEG-encoded once, fanned out to every viewer.

Threads and what each one does here:

- the render loop (main thread) asks `wants_frame(now)` every tick and, when
  it is true, lends its frame buffer with `publish(..., release=)`: a reference
  only, no copy, no encoding; it wakes the encoder, which gives the buffer back
  once it has encoded it (or dropped it for a newer one);
- the encoder thread (`start()`/`stop()`) takes the newest raw frame, scales
  and encodes it (GIL released, see `spirokiosk.web.hub.jpeg`) and stores it as
  an immutable `EncodedFrame`; a raw frame replaced before the encoder got
  to it is dropped, never queued (what it changed goes on with the newer one);
  the encoder (`spirokiosk.web.hub.bands`) encodes again only the bands of the
  picture that changed, as the publisher said (`changed`);
- web threads wait in `wait_frame()` for a frame newer than the one they
  sent last (or time out and resend the same one), and take viewer slots
  under the viewer cap with `acquire_viewer()`: that side, and the cap, is
  `spirokiosk.web.hub.viewers.ViewerSide`, which `FrameHub` extends.

With no viewers and no pending snapshot `wants_frame` is false, so nothing
is copied or encoded at all.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from spirokiosk.display.pixels import check_pixels
from spirokiosk.display.rates import RateMeter
from spirokiosk.web.hub.bands import BandEncoder
from spirokiosk.web.hub.frames import EncodedFrame, RawFrame
from spirokiosk.web.hub.jpeg import StreamBox
from spirokiosk.web.hub.mjpeg import build_part
from spirokiosk.web.hub.sprites import Sprite
from spirokiosk.web.hub.stats import FPS_WINDOW_SECONDS, HubStats
from spirokiosk.web.hub.viewers import ViewerSide

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamSettings:
    """The stream's part of the [web] config, as parsed values (the daemon's schema
    checks them; this does not)."""

    max_viewers: int = 10
    fps: float = 30.0
    quality: int = 80
    box: StreamBox | None = None  # None: streamed at the rendered size


def _give_back(raw: RawFrame | None) -> None:
    """Let whoever lent `raw`'s pixels draw on them again."""
    if raw is not None and raw.release is not None:
        raw.release()


class FrameHub(ViewerSide):
    """Newest frame in, one JPEG per frame out, any number of viewers (up to the cap).

    What web threads call (viewer slots, `wait_frame`, `snapshot`, the cap) is in
    `ViewerSide`; here is what the render loop and the encoder thread do.
    """

    def __init__(
        self,
        settings: StreamSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings or StreamSettings()
        super().__init__(self._settings.max_viewers)
        self._interval = 1.0 / self._settings.fps
        self._clock = clock
        self._raw_ready = threading.Condition(self._lock)
        self._raw: RawFrame | None = None
        self._seq = 0
        self._next_due = -math.inf  # render thread only
        self._encode_rate = RateMeter(FPS_WINDOW_SECONDS)
        self._frames_published = 0
        self._frames_dropped = 0
        self._encode_seconds = 0.0
        self._encode_errors = 0
        self._thread: threading.Thread | None = None
        self.encoder = BandEncoder()  # the encoder thread's; its counters are read by tests

    # -- settings ------------------------------------------------------------

    @property
    def settings(self) -> StreamSettings:
        return self._settings

    def apply_settings(self, settings: StreamSettings) -> None:
        """Take new fps, quality, size and viewer cap live (e.g. on SIGHUP).

        Viewers above a lowered cap keep watching; new ones wait for a free slot.
        """
        with self._lock:
            self._settings = settings
            self._max_viewers = settings.max_viewers
            self._interval = 1.0 / settings.fps

    # -- render thread -------------------------------------------------------

    def wants_frame(self, now: float) -> bool:
        """True when someone watches (or waits for a snapshot), the encoder is ready and
        the stream fps cap allows a new frame. Call once per render tick.

        `now` is a monotonic clock in seconds (time.monotonic()); a jump backwards
        restarts the schedule. When this returns true the caller should `publish()`.
        """
        if self._viewers == 0 and self._snapshot_waiters == 0:
            return False
        if self._raw is not None:  # the encoder has not taken the previous frame yet
            return False
        interval = self._interval
        due = self._next_due
        if due - now > 2 * interval:  # clock went back, or the fps cap was raised
            due = now
        if now < due - 0.25 * interval:  # a quarter interval of slack absorbs tick jitter
            return False
        # Keep a steady cadence; after a pause start again from now.
        self._next_due = now + interval if now - due > interval else due + interval
        return True

    def publish(
        self,
        pixels: np.ndarray,
        layout: str,
        timestamp: float,
        *,
        release: Callable[[], None] | None = None,
        over: tuple[np.ndarray, int] | None = None,
        sprites: tuple[Sprite, ...] = (),
        changed: list[tuple[int, int, int, int]] | None = None,
        over_key: object = None,
    ) -> None:
        """Hand over a rendered frame: (H, W, C) uint8, C-contiguous.

        The hub owns `pixels` from now on, or, given `release`, borrows them until it
        calls `release()` (from the encoder's thread, once it is done with them: the
        render loop lends its frame buffer rather than copy it). `over`: (old frame,
        opacity 0..255) blended over the frame by the encoder (a fade the screen does on
        its GPU), and `over_key`: the same key (not None) for the same old frame, for as
        long as it lives, so that the encoder scales it once a fade, not once a frame;
        `sprites` drawn on the frame before that (what the screen's GPU draws
        over the picture: see web.hub.sprites; 4-byte layouts only). `layout` is the
        pixels' byte order ('BGRX', 'RGBX', 'RGB', ...: see display.pixels; simplejpeg
        knows them by these names); `timestamp` is the Unix time of rendering
        (time.time()), sent as X-Timestamp. `changed`: the rectangles (x, y, w, h) in which
        `pixels` differ from the frame published before (None: anywhere), so that only
        those bands are encoded again (see web.hub.bands). Stores a reference and wakes the
        encoder: no copy, no encoding here.
        """
        check_pixels(pixels, layout)
        if sprites and len(layout) != 4:
            raise ValueError(f"sprites: need a 4-byte layout, not {layout!r}")
        changed = None if changed is None else tuple(changed)
        with self._lock:
            if self._stopping:  # nobody will encode it
                replaced = raw = RawFrame(pixels, layout, float(timestamp), release)
            else:
                self._frames_published += 1
                if self._raw is not None:  # dropped unencoded: its changes go on with this one
                    old = self._raw.changed
                    changed = None if old is None or changed is None else old + changed
                raw = RawFrame(
                    pixels,
                    layout,
                    float(timestamp),
                    release,
                    over,
                    tuple(sprites),
                    changed,
                    over_key if over is not None else None,
                )
                replaced, self._raw = self._raw, raw
            if replaced is not None:
                self._frames_dropped += 1
            self._raw_ready.notify()
        _give_back(replaced)

    # -- encoder thread ------------------------------------------------------

    def start(self) -> None:
        """Start the encoder thread ('jpeg-encoder')."""
        if self._thread is not None:
            raise RuntimeError("FrameHub.start() called twice")
        self._thread = threading.Thread(target=self._encode_loop, name="jpeg-encoder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the encoder thread and wake every waiting viewer. Safe to call more than once."""
        with self._lock:
            self._stopping = True
            self._raw_ready.notify_all()
            self._frame_ready.notify_all()
            never_started = self._thread is None
            pending = self._raw if never_started else None
            if never_started:
                self._raw = None
        _give_back(pending)  # with no encoder, nobody else would
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the JPEG encoder thread did not stop within %.1f s", timeout)

    def _encode_loop(self) -> None:
        while True:
            with self._lock:
                while self._raw is None and not self._stopping:
                    self._raw_ready.wait()
                if self._stopping:
                    pending, self._raw = self._raw, None
                    break
                raw, self._raw = self._raw, None
                wanted = self._viewers > 0 or self._snapshot_waiters > 0
                quality, box = self._settings.quality, self._settings.box
                if not wanted:  # the last viewer left after this frame was published
                    self._frames_dropped += 1
                    self.encoder.forget()  # its changes are lost: the next is all new
            try:
                if wanted:
                    self._encode(raw, quality, box)
            finally:
                _give_back(raw)
                del raw  # no view of a lent buffer may outlive its release
        _give_back(pending)

    def _encode(self, raw: RawFrame, quality: int, box: StreamBox | None) -> None:
        started = time.perf_counter()
        try:
            jpeg, width, height = self.encoder.encode(
                raw.pixels,
                raw.layout,
                quality,
                box,
                raw.over,
                raw.sprites,
                raw.changed,
                raw.over_key,
            )
            part = build_part(jpeg, raw.timestamp)
        except Exception:
            self.encoder.forget()
            self._encode_errors += 1
            if self._encode_errors == 1 or self._encode_errors % 1000 == 0:
                log.exception("JPEG encoding failed (%d failures so far)", self._encode_errors)
            return
        elapsed = time.perf_counter() - started
        with self._lock:
            self._seq += 1
            self._latest = EncodedFrame(jpeg, part, self._seq, raw.timestamp, width, height)
            self._encode_seconds += elapsed
            self._encode_rate.add(self._clock())
            self._frame_ready.notify_all()
            listeners = self._frame_listeners
        for listener in listeners:  # e.g. the stream writer's wake-up: it must not block
            listener()

    # -- counters ------------------------------------------------------------

    def stats(self) -> HubStats:
        now = self._clock()
        with self._lock:
            fps = self._encode_rate.rate(now)
            return HubStats(
                frames_published=self._frames_published,
                frames_encoded=self._seq,
                frames_dropped=self._frames_dropped,
                viewers=self._viewers,
                max_viewers=self.viewer_cap,
                stream_fps=round(fps, 2),
                encode_seconds=self._encode_seconds,
            )
