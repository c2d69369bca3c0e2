"""The camera child: one attempt at one camera, from opening it to its first failure.

    python -m spirokiosk.display.camera.process.child '{"source": "synthetic", ...}'

Started by `watcher.ChildWatcher`, on `supervisor.CameraProcess`'s thread, with a socket
and the frame ring's memfd passed by number in the JSON spec. The child writes each
frame into a free slot of the ring and says `frame`; it says `beat` while it has no
frame to give yet (opening the camera, or waiting for one to appear); on a failure it
says `error` and ends. Retrying is the parent's job: every attempt is a fresh process,
so whatever a failed attempt leaked (picamera2 leaves a pipe open for every Picamera2()
that fails, see notes in pi_camera) goes with it.

It dies with the kiosk: PR_SET_PDEATHSIG asks the kernel for SIGKILL when the thread
that started it ends (prctl(2): the parent *thread*; the supervisor starts children
from a thread that outlives them), and a parent already gone before that is noticed
by getppid().
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import sys
import threading

import numpy as np

from spirokiosk.display.camera.devices import device_factory
from spirokiosk.display.camera.process import protocol
from spirokiosk.display.camera.process.ring import FrameRing
from spirokiosk.display.camera.source import describe_error
from spirokiosk.display.sizes import turned

log = logging.getLogger("spirokiosk.camera")

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """SIGKILL for this process when the kiosk ends, however it ends."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the kiosk ended before the line above
        os._exit(0)


class _ToParent(logging.Handler):
    """Log records go to the kiosk as messages, to be logged there with its settings."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(logging.INFO)
        self._sock = sock

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError):
            protocol.send(
                self._sock, {"t": "log", "level": record.levelno, "text": self.format(record)}
            )


class Attempt:
    """Opens the device, then reads frames into free slots until it fails or is stopped."""

    def __init__(self, spec: dict, sock: socket.socket, ring: FrameRing) -> None:
        self.spec = spec
        self.sock = sock
        self.ring = ring
        self.stop = threading.Event()
        self.free = set(range(ring.slots))
        self.seq = 0
        self.turn = int(spec.get("turn", 0)) % 360

    def beat(self, waiting: str | None = None) -> None:
        """Alive; `waiting`: why there is no frame yet, for the status page."""
        protocol.send(self.sock, {"t": "beat", "waiting": waiting})

    def run(self) -> int:
        # A turned picture is asked of the camera the other way round, turned here: the
        # child's time, never the render thread's.
        size = turned(tuple(self.spec["size"]), self.turn)
        make = device_factory(self.spec["source"], size, self.spec["layout"], self.spec["device"])
        device = make()
        try:
            self.beat()
            wait = getattr(device, "wait_until_present", None)
            if wait is not None:
                wait(self.stop, self.beat)
            if self.stop.is_set():
                return 0
            device.open()
            timeout = float(self.spec["timeout"])
            while not self.stop.is_set():
                pixels = device.read(timeout, self.stop)
                if pixels is None:
                    break
                self.hand_over(pixels)
            return 0
        except Exception as exc:
            log.debug("attempt failed", exc_info=True)
            if isinstance(exc, TimeoutError) and not str(exc):
                exc = TimeoutError(f"no frame for {float(self.spec['timeout']):g} s")
            protocol.send(self.sock, {"t": "error", "text": describe_error(exc)})
            return 1
        finally:
            device.close()

    def hand_over(self, pixels) -> None:
        """Write `pixels` into a free slot and give it to the parent; with no slot free
        (the parent is slow to read), the frame is dropped: the camera never waits."""
        self.collect_freed()
        if not self.free:
            return
        slot = min(self.free)
        if self.turn:  # clockwise: numpy's rot90 turns the other way for positive k
            pixels = np.rot90(pixels, -(self.turn // 90))
        self.ring.slot(slot)[...] = pixels
        self.free.discard(slot)
        self.seq += 1
        protocol.send(self.sock, {"t": "frame", "slot": slot, "seq": self.seq})

    def collect_freed(self) -> None:
        while True:
            try:
                message = protocol.receive_nowait(self.sock)
            except BlockingIOError:
                return
            if message is None:  # the kiosk closed its end: stop
                self.stop.set()
                return
            if message.get("t") == "free" and message.get("slot") in range(self.ring.slots):
                self.free.add(message["slot"])


def main(argv: list[str] | None = None) -> int:
    spec = json.loads((sys.argv[1:] if argv is None else argv)[0])
    die_with_parent(spec["parent"])
    sock = socket.socket(fileno=spec["sock"])
    logging.basicConfig(level=logging.INFO, handlers=[_ToParent(sock)], format="%(message)s")
    ring = FrameRing(spec["ring"], (spec["size"][1], spec["size"][0], 4), spec["slots"])
    attempt = Attempt(spec, sock, ring)
    signal.signal(signal.SIGTERM, lambda *_: attempt.stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the kiosk's to handle
    return attempt.run()


if __name__ == "__main__":
    sys.exit(main())
