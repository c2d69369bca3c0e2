"""A strict client of /stream.mjpg, and ways to read it slowly.

- `MjpegReader`: parses parts by Content-Length and fails on any framing fault;
- `open_stream`: GET over IPv4, optionally with a small receive buffer;
- `Throttled`: a readable that averages at most a given number of bytes per second.
"""

from __future__ import annotations

import http.client
import math
import socket
import time
from dataclasses import dataclass

from spirokiosk.web.hub.mjpeg import DELIMITER, END, OPENING


class MjpegError(AssertionError):
    """The stream broke the framing rules."""


class StreamEndedError(EOFError):
    """The server ended the stream properly: an empty part, then the close-delimiter."""


@dataclass(frozen=True)
class Part:
    headers: dict[str, str]
    jpeg: bytes
    received_at: float  # time.time() when the part's headers were read

    @property
    def timestamp(self) -> float:
        return float(self.headers["X-Timestamp"])


class MjpegReader:
    """Reads parts from a multipart/x-mixed-replace body (boundary 'frame') strictly."""

    def __init__(self, fileobj) -> None:
        self._f = fileobj
        self._opened = False

    def _line(self) -> bytes:
        line = self._f.readline(1024)
        if not line:
            raise EOFError("stream ended")
        return line

    def read_part(self) -> Part:
        if not self._opened:
            line = self._line()
            if line != OPENING:
                raise MjpegError(f"body must open with {OPENING!r}, got {line!r}")
            self._opened = True
        headers: dict[str, str] = {}
        line = self._line()
        received_at = time.time()
        if line == b"\r\n":  # no headers: only the empty part before the close-delimiter
            end = self._read_exactly(len(END) - 2)
            if b"\r\n" + end != END:
                raise MjpegError(f"a part without headers must be the end, got {end!r}")
            raise StreamEndedError("the server ended the stream")
        while line != b"\r\n":
            if not line.endswith(b"\r\n") or b":" not in line:
                raise MjpegError(f"bad part header line {line!r}")
            name, value = line.decode("latin-1").split(":", 1)
            headers[name.strip()] = value.strip()
            line = self._line()
        if headers.get("Content-Type") != "image/jpeg":
            raise MjpegError(f"part Content-Type must be image/jpeg: {headers}")
        length = int(headers["Content-Length"])
        jpeg = self._read_exactly(length)
        trailer = self._read_exactly(len(DELIMITER))
        if trailer != DELIMITER:
            raise MjpegError(f"part must end with {DELIMITER!r}, got {trailer!r}")
        return Part(headers, jpeg, received_at)

    def _read_exactly(self, n: int) -> bytes:
        chunks = []
        while n > 0:
            chunk = self._f.read(n)
            if not chunk:
                raise EOFError("stream ended inside a part")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)


class _SmallBufferConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, timeout: float, rcvbuf: int | None) -> None:
        super().__init__(host, port, timeout=timeout)
        self._rcvbuf = rcvbuf

    def connect(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self._rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)
        sock.settimeout(self.timeout)
        try:
            sock.connect((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.sock = sock


def open_stream(
    host: str,
    port: int,
    path: str = "/stream.mjpg",
    timeout: float = 5.0,
    rcvbuf: int | None = None,
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """GET `path` over IPv4 (optionally with a small receive buffer); returns (conn, response)."""
    conn = _SmallBufferConnection(host, port, timeout, rcvbuf)
    conn.request("GET", path)
    return conn, conn.getresponse()


class Throttled:
    """Wraps a readable so that reads average at most `rate` bytes per second."""

    def __init__(self, fileobj, rate: float, chunk: int = 2048) -> None:
        self._f = fileobj
        self._rate = rate
        self._chunk = chunk
        self._start = time.monotonic()
        self._bytes = 0

    def _pace(self, n: int) -> None:
        self._bytes += n
        ahead = self._bytes / self._rate - (time.monotonic() - self._start)
        if ahead > 0:
            time.sleep(ahead)

    def read(self, n: int) -> bytes:
        data = self._f.read(min(n, self._chunk))
        self._pace(len(data))
        return data

    def readline(self, limit: int = -1) -> bytes:
        line = self._f.readline(limit)
        self._pace(len(line))
        return line


def median(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
