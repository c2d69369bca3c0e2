"""The kiosk's side of the camera child: start it, watch it, replace it, read its frames.

    camera = CameraProcess(ChildSpec("synthetic", (w, h), "BGRX"), timeout=5.0)
    camera.start()                     # a thread 'camera-synthetic' runs the children
    camera.newest()                    # (seq, time) of the newest frame, or None
    camera.copy_newest(view)           # copies it into `view` (h, w, 4): the render thread
    camera.status()                    # CameraStatus: source, state, last_error, fps
    camera.stop()

Each attempt at the camera is a child process (see `child`), started, watched and ended
by a `watcher.ChildWatcher` on this module's thread. It is replaced, after the
back-off (1, 2, 4 ... 60 s; back to 1 s after an attempt that delivered frames), when
it reports an error, exits, crashes (an abort in a C library), or gives no frame and
no heartbeat for `timeout` seconds plus a little grace (a driver call that never
returns): then it is killed. Nothing here blocks the render thread for longer than a
frame copy; the kiosk's own threads, fds and memory stay the same whatever a child
does (one socket pair per child, closed with it; one shared ring for all of them).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from spirokiosk.display.camera.process.ring import FrameRing
from spirokiosk.display.camera.process.watcher import (
    STOP_SECONDS,
    ChildSpec,
    ChildWatcher,
    Reports,
)
from spirokiosk.display.camera.source import (
    BACKOFF_FIRST,
    BACKOFF_MAX,
    STATE_DEGRADED,
    STATE_OFF,
    STATE_OK,
    CameraStatus,
    describe_error,
)
from spirokiosk.display.rates import RateMeter

log = logging.getLogger(__name__)

FPS_WINDOW = 2.0


@dataclass
class _Frame:
    slot: int
    seq: int
    time: float


class CameraProcess:
    """Runs camera children one after the other; see the module docstring."""

    def __init__(
        self,
        spec: ChildSpec,
        *,
        timeout: float,
        backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout: must be positive, not {timeout!r}")
        self.name = spec.source
        self.spec = spec
        self.timeout = float(timeout)
        self._backoff = backoff
        self._clock = clock
        self._ring = FrameRing.create((spec.size[1], spec.size[0], 4))
        self._lock = threading.Lock()
        self._read_done = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._child: subprocess.Popen | None = None  # the running child: stop() ends it
        self._watcher: ChildWatcher | None = None  # its watcher: slots are freed through it
        self._latest: _Frame | None = None
        self._reading: int | None = None  # the slot the render thread copies from
        self._deferred: set[int] = set()  # slots to free once the copy is done
        self._freeing = False  # the render thread is sending a `free` through the watcher
        self._state = STATE_OFF
        self._last_error: str | None = None
        self._waiting: str | None = None  # what the child says it waits for
        self._frame_rate = RateMeter(FPS_WINDOW)
        self.failures = 0  # attempts that failed so far
        self.children = 0  # children started so far

    # -- the caller's side ------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"camera {self.name}: already started")
        with self._lock:
            self._state = STATE_DEGRADED  # not ok before the first frame
        # The thread starts every child and outlives it, so the children's parent-death
        # signal fires only when the kiosk ends (prctl(2) ties it to the forking thread).
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_SECONDS + 1.0) -> bool:
        """End the child (SIGTERM, then SIGKILL) and the thread; True once both are gone."""
        self._stopping.set()
        with self._lock:
            child = self._child
        if child is not None:
            with contextlib.suppress(OSError):
                child.terminate()
        ended = True
        if self._thread is not None:
            self._thread.join(timeout)
            ended = not self._thread.is_alive()
            if not ended:
                log.warning(
                    "camera %s: the camera thread did not end in %.1f s", self.name, timeout
                )
        with self._lock:
            self._latest = None
            self._state = STATE_OFF
            self._frame_rate.clear()
        if self._thread is None:
            self._ring.close()  # else the thread closes it when its last child has gone
        return ended

    def newest(self) -> tuple[int, float] | None:
        """(seq, time received) of the newest frame; None while there is none."""
        latest = self._latest
        return None if latest is None else (latest.seq, latest.time)

    def copy_newest(self, out: np.ndarray) -> tuple[int, float] | None:
        """Copy the newest frame into `out` ((h, w, 4) uint8); its (seq, time), or None."""
        with self._lock:
            latest = self._latest
            if latest is None:
                return None
            self._reading = latest.slot
        try:
            np.copyto(out, self._ring.slot(latest.slot))
        finally:
            with self._lock:
                self._reading = None
                watcher = self._watcher if latest.slot in self._deferred else None
                self._deferred.discard(latest.slot)
                self._freeing = watcher is not None
                self._read_done.notify_all()
            if watcher is not None:
                self._free_outside_the_lock(watcher, latest.slot)
        return latest.seq, latest.time

    def _free_outside_the_lock(self, watcher: ChildWatcher, slot: int) -> None:
        # The attempt's end waits for this send (`_freeing`) before it closes the socket.
        # Without that wait the close could land inside the send. In CPython's
        # Modules/socketmodule.c (read in main) the socket's close() stores -1 as its fd
        # and then close(2)s the old number with the GIL released; send() runs
        # sock_send_impl from sock_call_ex between Py_BEGIN_ALLOW_THREADS and
        # Py_END_ALLOW_THREADS, and it reads the fd there, without the GIL, just before
        # send(2). A number read before the close and opened again by another thread in
        # between (a viewer's connection) would get the message. The send itself never
        # waits (ChildWatcher.free) and runs without the lock, so nothing here holds the
        # render thread or the camera thread longer than a system call.
        try:
            watcher.free(slot)
        finally:
            with self._lock:
                self._freeing = False
                self._read_done.notify_all()

    def status(self, now: float | None = None) -> CameraStatus:
        """State, last error and frame rate; a frame older than `timeout` counts as a failure."""
        now = self._clock() if now is None else now
        with self._lock:
            state, error, latest = self._state, self._last_error, self._latest
            waiting = self._waiting
            fps = self._frame_rate.rate(now)
        if state == STATE_OK and latest is not None and now - latest.time > self.timeout:
            state, error = STATE_DEGRADED, f"no frame for {now - latest.time:.1f} s"
        elif state == STATE_DEGRADED and waiting is not None:
            error = waiting
        return CameraStatus(self.name, state, error, round(fps, 1))

    # -- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._attempts()
        finally:
            self._ring.close()

    def _attempts(self) -> None:
        first, longest = self._backoff
        delay = first
        while not self._stopping.is_set():
            delivered = self._attempt()
            if self._stopping.is_set():
                break
            if delivered:
                delay = first
            log.warning(
                "camera %s: %s; curves only, retrying in %g s", self.name, self._last_error, delay
            )
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2.0, longest)

    def _attempt(self) -> bool:
        """One child, from start to end; True if it delivered any frame."""
        reports = Reports(frame=self._took_frame, beat=self._heard, failed=self._fail)
        try:
            watcher = ChildWatcher.start(
                self.spec, self._ring, timeout=self.timeout, clock=self._clock, reports=reports
            )
        except OSError as exc:
            self._fail(f"cannot start the camera process: {describe_error(exc)}")
            return False
        self.children += 1
        with self._lock:
            self._child, self._watcher = watcher.process, watcher
        try:
            return watcher.watch(self._stopping)
        finally:
            watcher.end()
            with self._lock:
                self._child = None
                self._watcher = None
                self._latest = None
                self._waiting = None
                self._deferred.clear()
                # The next child will write every slot: no copy may be left running; and
                # no `free` may be on its way through the socket closed below.
                while self._reading is not None or self._freeing:
                    self._read_done.wait()
            watcher.close()

    # -- what the watcher reports (on the thread) ---------------------------------------

    def _took_frame(self, slot: int, seq: int) -> int | None:
        """Frame `seq` in `slot` is the newest; the slot it replaces, if that is free now."""
        now = self._clock()
        with self._lock:
            old, self._latest = self._latest, _Frame(slot, seq, now)
            self._state = STATE_OK
            self._waiting = None
            self._frame_rate.add(now)
            if old is None:
                return None
            if old.slot == self._reading:  # freed once the render thread's copy is done
                self._deferred.add(old.slot)
                return None
        return old.slot

    def _heard(self, waiting: str | None) -> None:
        with self._lock:
            self._waiting = waiting

    def _fail(self, message: str) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.failures += 1
            self._latest = None
            self._state = STATE_DEGRADED
            self._last_error = message
            self._frame_rate.clear()
