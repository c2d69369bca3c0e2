"""The sockets' files for cheroot's connections (plain TCP; the mirror has no TLS).

- Writes are copy-free: cheroot's own socket writer copies what is left of its
  buffer after every partial send (quadratic in the part size for a slow client),
  and its chunked encoding joins size line, part and CRLF into a new bytes object
  per client per frame. Here a chunk goes out with one scatter-gather `sendmsg`
  of the three pieces, other writes with `sendall`. A write that makes no progress
  for the socket timeout raises TimeoutError: cheroot closes the connection.
- Reads have a deadline per request (the gate's time limit), besides cheroot's
  timeout per recv.
"""

from __future__ import annotations

import _pyio
import socket
import time

from cheroot.makefile import StreamReader, StreamWriter


class SocketWriter(StreamWriter):
    """cheroot's socket writer without its buffer: every write goes straight to the socket."""

    def __init__(self, sock: socket.socket, mode: str = "wb", bufsize: int = 8192) -> None:
        super().__init__(sock, mode, bufsize)
        self._socket = sock

    def write(self, val, *args, **kwargs) -> int:
        self._checkClosed()
        if self._write_buf:
            self.flush()
        self._socket.sendall(val)
        self.bytes_written += len(val)
        return len(val)

    def write_pieces(self, pieces: tuple[bytes, ...]) -> None:
        """Send the pieces in order without joining them (each sendmsg waits at most the
        socket timeout for room, so only a stalled client times out)."""
        self._checkClosed()
        views = [memoryview(piece) for piece in pieces]
        total = sum(len(v) for v in views)
        while views:
            sent = self._socket.sendmsg(views)
            while sent and views:
                if sent >= len(views[0]):
                    sent -= len(views.pop(0))
                else:
                    views[0] = views[0][sent:]
                    sent = 0
        self.bytes_written += total


class DeadlineSocketIO(socket.SocketIO):
    """A socket's reading side whose reads all end by `deadline` (time.monotonic()), when
    one is set: cheroot's own socket timeout bounds each recv only, so a client sending
    a byte now and then could keep a worker reading for ever. A read past the deadline
    raises TimeoutError("timed out"), which cheroot answers 408 (server.py,
    HTTPConnection.communicate, which looks for that text)."""

    def __init__(self, sock: socket.socket, mode: str) -> None:
        super().__init__(sock, mode)
        self.deadline: float | None = None
        self.timed_out = False

    def readinto(self, buffer) -> int | None:
        if self.deadline is None:
            return self._read(buffer)
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.timed_out = True
            raise TimeoutError("timed out")
        sock = self._sock
        usual = sock.gettimeout()  # the same socket times the writes: put it back after
        sock.settimeout(left if usual is None else min(left, usual))
        try:
            return self._read(buffer)
        finally:
            sock.settimeout(usual)

    def _read(self, buffer) -> int | None:
        try:
            return super().readinto(buffer)
        except TimeoutError:
            self.timed_out = True
            raise


class DeadlineReader(StreamReader):
    """cheroot's socket reader (so its has_data() and bytes_read work) over a
    DeadlineSocketIO."""

    def __init__(self, sock: socket.socket, mode: str = "rb", bufsize: int = 8192) -> None:
        _pyio.BufferedReader.__init__(self, DeadlineSocketIO(sock, mode), bufsize)
        self.bytes_read = 0

    @property
    def deadline_io(self) -> DeadlineSocketIO:
        return self.raw


def make_file(sock: socket.socket, mode: str = "r", bufsize: int = 8192):
    """The files cheroot's connections read and write through (HTTPConnection's
    `makefile`): the two classes above."""
    return SocketWriter(sock, mode, bufsize) if "w" in mode else DeadlineReader(sock, mode, bufsize)
