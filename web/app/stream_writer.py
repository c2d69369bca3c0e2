"""One thread that writes every viewer's stream: the newest part, from the same memory, to
each socket that can take it, without a thread waking per viewer per frame.

A /stream.mjpg response starts in a web worker as any other (cheroot sends the
headers and the opening boundary); then the worker hands its socket to the writer
and sleeps until the writer is done with it. The writer ('stream-writer') wakes when
the hub has a new frame (a byte on a pipe, from the encoder thread) or a socket can
take more, and for each viewer:

- with nothing unsent, queues the newest part (or the same one again after
  `resend_interval`, for a still picture) and sends what the socket takes at once;
- with something unsent, waits for the socket: a slow viewer skips frames and
  always gets the newest next, nothing queues;
- holds the next part back while the kernel still has bytes of the last one not yet
  sent (`kernel_backlog`), so that a slow viewer's next part is the newest when the
  network can take it, not one that waited behind the last (see `_held_back`);
- drops a viewer whose socket took nothing for its timeout (the server's write
  timeout, cheroot's own socket timeout), or whose client has gone.

With 20 viewers a frame costs one wake-up of one thread and 20 non-blocking
`sendmsg` calls, where a thread per viewer cost 20 wake-ups, 20 hand-overs of the
GIL and 20 polls.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

from spirokiosk.web.hub.frame_hub import FrameHub
from spirokiosk.web.hub.frames import EncodedFrame

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25  # the writer looks at the clock at least this often
HELD_SECONDS = 0.01  # ... and at a held-back viewer's kernel backlog this often
STALL_SECONDS = 10.0  # a viewer's stall timeout when its socket has none of its own
DISCARD_BYTES = 4096  # what a viewer sends after its request is read and dropped
# Linux's ioctl for the bytes written to a TCP socket but not yet sent (write_seq -
# snd_nxt in tcp_ioctl, net/ipv4/tcp.c; <linux/sockios.h>); the socket module has no name
# for it.
SIOCOUTQNSD = 0x894B


def kernel_backlog(sock: socket.socket) -> int | None:
    """Bytes the kernel holds for `sock` that it has not sent yet: what the congestion or
    the client's window keeps back. None where the socket cannot say (not TCP)."""
    answer = bytearray(4)
    try:
        fcntl.ioctl(sock.fileno(), SIOCOUTQNSD, answer, True)
    except (OSError, ValueError):
        return None
    return int.from_bytes(answer, sys.byteorder, signed=True)


@dataclass(eq=False)
class StreamViewer:
    """One stream's socket while the writer has it."""

    sock: socket.socket
    chunked: bool  # HTTP/1.1: each part goes as one chunk of cheroot's chunked body
    last_seq: int  # the newest frame sent (the slot's first_after to begin with)
    done: threading.Event = field(default_factory=threading.Event)
    ended: str = ""  # why the writer let go: "closing", "gone" or "stalled"
    clean: bool = True  # False when it ended in the middle of a part
    parts: int = 0
    timeout: float | None = None  # the socket's own, given back when the writer lets go
    unsent: list[memoryview] = field(default_factory=list)
    sent_at: float = 0.0
    progress_at: float = 0.0
    events: int = 0  # what the selector watches the socket for
    backlog: int | None = 0  # the kernel's unsent bytes when last asked; None: cannot ask
    holds: int = 0  # times a due part was held back behind them

    @property
    def stall_seconds(self) -> float:
        """How long it may take nothing before it counts as stalled."""
        return self.timeout or STALL_SECONDS


class StreamWriter:
    """The writer thread; `add` a viewer, wait on its `done`, `stop` at the end."""

    def __init__(self, hub: FrameHub, resend_interval: float) -> None:
        self._hub = hub
        self._resend_interval = resend_interval
        self._lock = threading.Lock()
        self._incoming: list[StreamViewer] = []
        self._viewers: set[StreamViewer] = set()
        self._closing = False
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._selector = selectors.DefaultSelector()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._hub.add_frame_listener(self.wake)
        self._thread = threading.Thread(target=self._run, name="stream-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """End every stream (their workers then close them) and the thread."""
        with self._lock:
            self._closing = True
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout)
        self._hub.remove_frame_listener(self.wake)
        if self._thread is None or not self._thread.is_alive():
            self._selector.close()
            os.close(self._wake_r)
            os.close(self._wake_w)

    def add(self, viewer: StreamViewer) -> bool:
        """Take over `viewer`'s socket; False when the writer is stopping."""
        with self._lock:
            if self._closing:
                return False
            self._incoming.append(viewer)
        self.wake()
        return True

    def wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"!")

    # -- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while self._turn():
                pass
        except Exception:
            log.exception("the stream writer stopped on an error")
        finally:
            for viewer in list(self._viewers):
                self._let_go(viewer, "closing")

    def _turn(self) -> bool:
        with self._lock:
            incoming, self._incoming = self._incoming, []
            closing = self._closing
        for viewer in incoming:
            self._take(viewer)
        if closing:
            return False
        now = time.monotonic()
        latest = self._hub.latest()
        held = False
        for viewer in list(self._viewers):
            if not viewer.unsent:
                held = self._queue_if_due(viewer, latest, now) or held
            # Bytes it has not taken, in this writer or in the kernel, and no progress.
            waiting = viewer.unsent or viewer.backlog
            if waiting and now - viewer.progress_at > viewer.stall_seconds:
                self._let_go(viewer, "stalled")
        # A held-back viewer is asked again soon, not at the next frame: one whose part
        # takes a little longer than a frame to go would otherwise wait for a second.
        for key, mask in self._selector.select(HELD_SECONDS if held else TICK_SECONDS):
            if key.data is None:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._wake_r, 4096)
                continue
            viewer = key.data
            if mask & selectors.EVENT_READ and self._client_left(viewer):
                self._let_go(viewer, "gone")
            elif mask & selectors.EVENT_WRITE:
                self._send(viewer)
        return True

    def _take(self, viewer: StreamViewer) -> None:
        viewer.timeout = viewer.sock.gettimeout()
        viewer.sock.setblocking(False)
        # As if `last_seq` had just been sent: a frame the hub held from before anyone
        # watched (the slot's first_after) goes out only after `resend_interval`, if no
        # newer one comes first, as in a stream without the writer (web.app.stream).
        viewer.progress_at = viewer.sent_at = time.monotonic()
        self._viewers.add(viewer)
        viewer.events = selectors.EVENT_READ
        self._selector.register(viewer.sock, viewer.events, viewer)

    def _queue_if_due(self, viewer: StreamViewer, frame: EncodedFrame | None, now: float) -> bool:
        """Queue the newest part when one is due; True when it is held back instead."""
        if frame is None:
            return False
        if frame.seq <= viewer.last_seq and now - viewer.sent_at < self._resend_interval:
            return False
        if self._held_back(viewer, now):
            return True
        part = memoryview(frame.part)
        viewer.unsent = [memoryview(b"%x\r\n" % len(part)), part, memoryview(b"\r\n")]
        if not viewer.chunked:
            viewer.unsent = [part]
        viewer.last_seq, viewer.sent_at, viewer.progress_at = frame.seq, now, now
        viewer.parts += 1
        self._send(viewer)
        return False

    def _held_back(self, viewer: StreamViewer, now: float) -> bool:
        """True while the kernel has not yet sent all of the viewer's last part.

        The server bounds those bytes (TCP_NOTSENT_LOWAT, web.server), but a part handed
        over on top of them would wait behind them: at 100 kB/s, 32 KiB is a third of a
        second. Held back, the viewer gets whatever frame is newest once they are gone
        (asked again every HELD_SECONDS meanwhile). A fast viewer has sent everything by
        its next frame and is never held. One ioctl a viewer a frame: half a
        microsecond here. The stall clock starts with the hold, and the bytes going
        down are progress (the turn lets go of a viewer with none for its timeout)."""
        if viewer.backlog is None:
            return False
        backlog = kernel_backlog(viewer.sock)
        if backlog is None or backlog <= 0:
            viewer.backlog = None if backlog is None else 0
            return False
        if viewer.backlog == 0 or backlog < viewer.backlog:
            viewer.progress_at = now
        viewer.backlog = backlog
        viewer.holds += 1
        return True

    def _send(self, viewer: StreamViewer) -> None:
        try:
            sent = viewer.sock.sendmsg(viewer.unsent)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._let_go(viewer, "gone")
            return
        if sent:
            viewer.progress_at = time.monotonic()
        while sent and viewer.unsent:
            first = viewer.unsent[0]
            if sent >= len(first):
                sent -= len(first)
                viewer.unsent.pop(0)
            else:
                viewer.unsent[0] = first[sent:]
                sent = 0
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if viewer.unsent else 0)
        if events != viewer.events and viewer in self._viewers:
            viewer.events = events
            self._selector.modify(viewer.sock, events, viewer)

    def _client_left(self, viewer: StreamViewer) -> bool:
        """True when the client closed or reset; what else it sends is dropped (a viewer
        has nothing to say once it asked for the stream, and unread it would keep the
        socket readable for ever)."""
        try:
            return viewer.sock.recv(DISCARD_BYTES) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _let_go(self, viewer: StreamViewer, why: str) -> None:
        if viewer not in self._viewers:
            return
        self._viewers.discard(viewer)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(viewer.sock)
        viewer.clean = not viewer.unsent
        viewer.unsent = []
        with contextlib.suppress(OSError):
            viewer.sock.settimeout(viewer.timeout)  # cheroot's again, for its last writes
        viewer.ended = why
        viewer.done.set()
