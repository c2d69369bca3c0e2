"""One camera child as the kiosk sees it, from its start to its end.

    watcher = ChildWatcher.start(spec, ring, timeout=5.0, clock=time.monotonic, reports=reports)
    delivered = watcher.watch(stopping)  # its messages, until it fails or `stopping` is set
    watcher.end()                        # SIGTERM, a moment to close the camera, SIGKILL; reaped
    watcher.close()                      # its socket
    watcher.free(slot)                   # slot `slot` is the child's again (any thread, at once)

The watcher turns what it hears into three reports (`Reports`): a new frame, a
heartbeat, a failure. What the kiosk keeps of them (the newest frame, the state, the
last error) and the retries belong to `supervisor`. A child that falls silent is
killed after `timeout` plus a little grace, so that a camera read that times out as it
should is reported by the child itself first. After an error of its own the child is
only closing down: nothing it sends or does then counts as another failure (its exit
included), and it has a short while to close its camera before it is ended. The
socket is this child's alone: opened with it, closed with it. It is non-blocking (a
timeout of 0): `watch` waits for messages with poll(), and `free`, which the render
thread calls, sends at once or not at all.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from spirokiosk.display.camera.process import protocol
from spirokiosk.display.camera.process.ring import FrameRing
from spirokiosk.display.camera.source import describe_error
from spirokiosk.display.messages import escaped

log = logging.getLogger(__name__)

CHILD_MODULE = "spirokiosk.display.camera.process.child"
GRACE_SECONDS = 1.0  # past the timeout, for the child to report its own timeout first
CLOSE_SECONDS = 2.0  # how long a child that reported an error may take to close the camera
STOP_SECONDS = 1.0  # between SIGTERM and SIGKILL when a child is stopped
POLL_SECONDS = 0.25  # the watcher looks at the clock and at stop() this often, at least


@dataclass(frozen=True)
class ChildSpec:
    """What a child opens: camera.source, frames of `size` in byte order `layout`, the
    camera's picture turned `turn` degrees clockwise (a camera or screen mounted turned)."""

    source: str
    size: tuple[int, int]
    layout: str
    device: str = "/dev/video0"
    turn: int = 0


@dataclass(frozen=True)
class Reports:
    """Where a watcher's news goes; each is called on the watching thread."""

    # (slot, seq) is the newest; returns the slot it replaces if that may be freed now
    frame: Callable[[int, int], int | None]
    beat: Callable[[str | None], None]  # alive, no frame yet: what the child waits for
    failed: Callable[[str], None]  # the attempt failed: why, as the status shows it


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the camera process was killed by {name}"
    return f"the camera process ended with exit code {code}"


class ChildWatcher:
    """One child and its socket; see the module docstring."""

    def __init__(
        self,
        spec: ChildSpec,
        process: subprocess.Popen,
        sock: socket.socket,
        *,
        slots: int,
        timeout: float,
        clock: Callable[[], float],
        reports: Reports,
    ) -> None:
        self.spec = spec
        self.process = process
        # A timeout of 0: a send never polls first (see protocol.send_nowait) and no thread
        # changes the timeout under another thread's call.
        sock.settimeout(0.0)
        self._sock = sock
        self._slots = slots
        self._timeout = timeout
        self._clock = clock
        self._reports = reports

    @classmethod
    def start(
        cls,
        spec: ChildSpec,
        ring: FrameRing,
        *,
        timeout: float,
        clock: Callable[[], float],
        reports: Reports,
    ) -> ChildWatcher:
        """Start a child on `ring`; raises OSError when it cannot be started. The child dies
        with the thread that calls this (see `child`): call it from one that outlives it."""
        parent_end, child_end = protocol.socket_pair()
        settings = {  # the child's argv[1]
            "source": spec.source,
            "size": list(spec.size),
            "layout": spec.layout,
            "device": spec.device,
            "turn": spec.turn,
            "timeout": timeout,
            "parent": os.getpid(),
            "sock": child_end.fileno(),
            "ring": ring.fd,
            "slots": ring.slots,
        }
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", CHILD_MODULE, json.dumps(settings)],
                pass_fds=(child_end.fileno(), ring.fd),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C at the terminal is the kiosk's alone
            )
        except OSError:
            parent_end.close()
            raise
        finally:
            child_end.close()
        return cls(
            spec,
            process,
            parent_end,
            slots=ring.slots,
            timeout=timeout,
            clock=clock,
            reports=reports,
        )

    def watch(self, stopping: threading.Event) -> bool:
        """Follow the child's messages until it ends, fails or falls silent, or `stopping`
        is set; True if it delivered any frame."""
        sock = self._sock
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        delivered = False
        failed = False  # the child said why; what follows is its closing down

        def fail(message: str) -> bool:
            if not failed:
                self._reports.failed(message)
            return delivered

        deadline = self._clock() + self._timeout + GRACE_SECONDS
        while not stopping.is_set():
            now = self._clock()
            if now >= deadline:
                return fail(
                    f"the camera process gave no frame and no sign of life for "
                    f"{self._timeout:g} s (stuck in the driver?); it was killed"
                )
            wait_ms = math.ceil(min(deadline - now, POLL_SECONDS) * 1000)
            try:
                if not poller.poll(wait_ms):
                    continue
                message = protocol.receive_nowait(sock)
            except BlockingIOError:  # woken, but nothing to read after all
                continue
            except ConnectionResetError:  # it ended with our `free` messages unread
                message = None
            except (OSError, ValueError) as exc:
                return fail(f"lost the camera process: {describe_error(exc)}")
            if message is None:  # the child has ended
                return fail(describe_exit(self._reap()))
            kind = message["t"]
            if kind == "frame" and not failed:
                try:
                    self._take_frame(message)
                except ValueError as exc:
                    return fail(f"lost the camera process: {exc}")
                if not delivered:
                    delivered = True
                    log.info(
                        "camera %s: delivering %dx%d frames", self.spec.source, *self.spec.size
                    )
                deadline = self._clock() + self._timeout + GRACE_SECONDS
            elif kind == "beat" and not failed:
                self._reports.beat(message.get("waiting"))
                deadline = self._clock() + self._timeout + GRACE_SECONDS
            elif kind == "log":
                self._log_for_child(message)
            elif kind == "error" and not failed:
                # Shown at once; the child closes its camera and ends, or is ended.
                self._reports.failed(
                    escaped(message.get("text") or "the camera failed", protocol.TEXT_LIMIT)
                )
                failed = True
                deadline = min(deadline, self._clock() + CLOSE_SECONDS)
        return delivered

    def free(self, slot: int) -> None:
        """Give `slot` back to the child; nothing when the child has gone. Never waits:
        the render thread calls this. With the child's queue full the message is dropped
        (BlockingIOError): the child reads its messages before each frame it hands over
        and at most one `free` per slot is ever in flight, so a full queue means it has
        stopped reading, stuck somewhere; it is killed for its silence and the next child
        starts with every slot its own, so nothing is lost that matters."""
        with contextlib.suppress(OSError):
            protocol.send_nowait(self._sock, {"t": "free", "slot": slot})

    def end(self) -> None:
        """No child left behind: SIGTERM, a moment to close the camera, then SIGKILL."""
        child = self.process
        if child.poll() is not None:
            return
        with contextlib.suppress(OSError):
            child.terminate()
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def close(self) -> None:
        """Close the socket, once the child has ended and no slot is freed through it."""
        self._sock.close()

    def _take_frame(self, message: dict) -> None:
        slot, seq = message.get("slot"), message.get("seq")
        if slot not in range(self._slots) or not isinstance(seq, int):
            raise ValueError(f"a frame message without a slot: {message!r}")
        old = self._reports.frame(slot, seq)
        if old is not None:
            self.free(old)

    def _log_for_child(self, message: dict) -> None:
        level = message.get("level")
        if not isinstance(level, int):
            level = logging.INFO
        level = min(max(level, logging.DEBUG), logging.CRITICAL)
        text = escaped(message.get("text"), protocol.TEXT_LIMIT)
        log.log(level, "camera %s: %s", self.spec.source, text)

    def _reap(self) -> int:
        try:
            return self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:  # closed its socket but lives on: end it
            self.process.kill()
            return self.process.wait()
