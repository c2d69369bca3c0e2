"""A camera in a thread of its own that hands over only its newest frame.

    source = CameraSource("synthetic", lambda: SyntheticDevice(size, "BGRX"), timeout=5.0)
    source.start()
    frame = source.latest()      # CameraFrame or None; never waits
    source.status()              # CameraStatus: source, state ok/degraded/off, last_error, fps
    source.stop()

The thread opens a device (a fresh one per attempt), reads frames and
publishes each as the newest (one reference swap; older ones are dropped,
never queued). A device that cannot be opened, raises, or delivers no frame
for `timeout` seconds is closed, the newest frame is withdrawn (the screen
drops to curves only) and the thread waits before trying again: 1, 2, 4 ...
up to 60 s, back to 1 s once frames come again. Nothing here ever blocks
the caller: `latest()` and `status()` only read what the thread left.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np

from spirokiosk.display.rates import RateMeter

log = logging.getLogger(__name__)

STATE_OK = "ok"
STATE_DEGRADED = "degraded"
STATE_OFF = "off"
BACKOFF_FIRST = 1.0  # seconds before the first retry
BACKOFF_MAX = 60.0  # the back-off doubles up to this
FPS_WINDOW = 2.0  # seconds over which the camera's frame rate is measured
STOP_SECONDS = 1.0  # how long stop() waits for the thread by default


class CameraError(RuntimeError):
    """A camera failure whose message is meant for the admin as it is."""


class CameraDevice(Protocol):
    """One attempt at a camera: opened once, read many times, closed once."""

    def open(self) -> None:
        """Open and start the camera; raise when it cannot be used."""

    def read(self, timeout: float, cancel: threading.Event) -> np.ndarray | None:
        """The next frame as `(h, w, 4)` uint8 pixels, or None once `cancel` is set.

        Raises TimeoutError when no frame comes within `timeout` seconds, any
        other exception when the camera fails.
        """

    def close(self) -> None:
        """Stop and release the camera (also after a failed open or read)."""


@dataclass(frozen=True)
class CameraFrame:
    """A frame handed over by a source; its pixels are never written again."""

    pixels: np.ndarray  # (h, w, 4) uint8 in the layout the device was made for
    seq: int  # 1, 2, 3 ... per source
    time: float  # monotonic clock reading when it was published


@dataclass(frozen=True)
class CameraStatus:
    """What /api/status shows as `camera`."""

    source: str
    state: str  # ok, degraded or off
    last_error: str | None = None
    fps: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def describe_error(exc: BaseException) -> str:
    """One line for the log and the status page."""
    if isinstance(exc, (TimeoutError, CameraError)):
        return " ".join(str(exc).split()) or type(exc).__name__
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class CameraSource:
    """Runs a device in a named thread; see the module docstring."""

    def __init__(
        self,
        name: str,
        make_device: Callable[[], CameraDevice],
        *,
        timeout: float,
        backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout: must be positive, not {timeout!r}")
        self.name = name
        self.timeout = float(timeout)
        self._make_device = make_device
        self._backoff = backoff
        self._clock = clock
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._latest: CameraFrame | None = None
        self._seq = 0
        self._state = STATE_OFF
        self._last_error: str | None = None
        self._frame_rate = RateMeter(FPS_WINDOW)
        self.failures = 0  # how many attempts have failed so far

    # -- the caller's side ------------------------------------------------------------

    def start(self) -> None:
        """Start the thread (once); the first frame follows when the device delivers."""
        if self._thread is not None:
            raise RuntimeError(f"camera {self.name}: already started")
        with self._lock:
            self._state = STATE_DEGRADED  # not ok before the first frame
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_SECONDS) -> bool:
        """Ask the thread to end and wait up to `timeout` s; True once it has ended.

        The thread is a daemon thread: one stuck in a driver call cannot keep
        the process alive, and it closes its device when the call returns.
        """
        self._cancel.set()
        thread = self._thread
        ended = True
        if thread is not None:
            thread.join(timeout)
            ended = not thread.is_alive()
            if not ended:
                log.warning(
                    "camera %s: still busy after %.1f s; left to end alone", self.name, timeout
                )
        with self._lock:
            self._latest = None
            self._state = STATE_OFF
            self._frame_rate.clear()
        return ended

    def latest(self) -> CameraFrame | None:
        """The newest frame, or None while there is none (not yet, or after a failure)."""
        return self._latest

    def status(self, now: float | None = None) -> CameraStatus:
        """State, last error and frame rate; a frame older than `timeout` counts as a failure."""
        now = self._clock() if now is None else now
        with self._lock:
            state, error, latest = self._state, self._last_error, self._latest
            fps = self._frame_rate.rate(now)
        if state == STATE_OK and latest is not None and now - latest.time > self.timeout:
            state, error = STATE_DEGRADED, f"no frame for {now - latest.time:.1f} s"
        return CameraStatus(self.name, state, error, round(fps, 1))

    # -- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        first, longest = self._backoff
        delay = first
        while not self._cancel.is_set():
            delivered = self._attempt()
            if self._cancel.is_set():
                break
            if delivered:
                delay = first
            log.warning(
                "camera %s: %s; curves only, retrying in %g s", self.name, self._last_error, delay
            )
            if self._cancel.wait(delay):
                break
            delay = min(delay * 2.0, longest)

    def _attempt(self) -> bool:
        """Open a device and publish its frames until it fails; True if any frame came."""
        delivered = False
        device = None
        try:
            device = self._make_device()
            device.open()
            while not self._cancel.is_set():
                pixels = device.read(self.timeout, self._cancel)
                if pixels is None:
                    if self._cancel.is_set():
                        break
                    raise CameraError("the camera returned no frame")
                self._publish(pixels)
                if not delivered:
                    delivered = True
                    h, w = pixels.shape[:2]
                    log.info("camera %s: delivering %dx%d frames", self.name, w, h)
        except Exception as exc:
            self._fail(exc)
        finally:
            if device is not None:
                self._close(device)
        return delivered

    def _publish(self, pixels: np.ndarray) -> None:
        now = self._clock()
        with self._lock:
            if self._cancel.is_set():
                return  # stopped: a frame that comes late stays unseen
            self._seq += 1
            self._latest = CameraFrame(pixels, self._seq, now)
            self._state = STATE_OK
            self._frame_rate.add(now)

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, TimeoutError) and not str(exc):
            exc = TimeoutError(f"no frame for {self.timeout:g} s")
        message = describe_error(exc)
        log.debug("camera %s failed", self.name, exc_info=exc)
        with self._lock:
            if self._cancel.is_set():
                return
            self.failures += 1
            self._latest = None
            self._state = STATE_DEGRADED
            self._last_error = message
            self._frame_rate.clear()

    def _close(self, device: CameraDevice) -> None:
        try:
            device.close()
        except Exception as exc:
            log.warning("camera %s: closing failed: %s", self.name, describe_error(exc))
