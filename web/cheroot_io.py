"""cheroot, adjusted for streaming the same large parts to many clients.

- Writes are copy-free: cheroot's own socket writer copies what is left of its
  buffer after every partial send (quadratic in the part size for a slow
  client), and its chunked encoding joins size line, part and CRLF into a new
  bytes object per client per frame. Here a chunk goes out with one
  scatter-gather `sendmsg` of the three pieces, other writes with `sendall`.
- Each connection bounds its unsent bytes (TCP_NOTSENT_LOWAT): the kernel
  keeps at most that much queued ahead of the client, so a slow client's
  next frame is never stuck behind a deep buffer of old ones, while the
  congestion window (and so a fast client's throughput) is not limited.
- A write that makes no progress for the server timeout raises TimeoutError,
  which cheroot answers by closing the connection (a stalled client).
- Open connections are tracked, so that stopping can cut off a blocked send,
  and freed by reference counting once closed (see `_Connection.close`).
- The WSGI environ carries the client socket (PEER_SOCKET_KEY), so a stream
  can notice a departed client between frames.
- Requests are held to what a client may send (RFC 9112): a Content-Length sent
  twice, or one that is not a plain number, and an HTTP/1.1 request without Host
  get 400 at once; a body shorter than its Content-Length ends, after the read
  timeout, in the app's 400 and a closed connection, with one log line (cheroot
  would try to read the rest again and log a traceback).
- Requests pass a gate before a worker thread sees them (`request_gate`): the
  selector thread collects each request's head and small body as the bytes come,
  so a client that drips its headers holds no worker; too slow is 408, too big
  431, too many connections from one address 503.
- The listening socket is bound beforehand (so a busy port fails early) and
  messages go through `logging`.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import Counter

from cheroot import connections, wsgi
from cheroot.makefile import MakeFile, StreamWriter
from cheroot.server import HTTPConnection, HTTPRequest

from spirokiosk.display.messages import escaped
from spirokiosk.web.app.context import PEER_SOCKET_KEY
from spirokiosk.web.request_gate import READY, TOO_LARGE, RequestLimits, verdict

log = logging.getLogger(__name__)

LOGGED_CHARS = 300  # of a message of cheroot's


class _SocketWriter(StreamWriter):
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


def _makefile(sock: socket.socket, mode: str = "r", bufsize: int = 8192):
    return _SocketWriter(sock, mode, bufsize) if "w" in mode else MakeFile(sock, mode, bufsize)


class _StrictHeaders(dict):
    """Request headers that refuse, as cheroot's header reader (server.py, HeaderReader)
    stores them, a second Content-Length or a malformed one: its ValueError becomes a
    400 with the message."""

    def __setitem__(self, key: bytes, value: bytes) -> None:
        if key == b"Content-Length":
            if key in self:
                raise ValueError("Content-Length: sent twice")
            if not value.isdigit():
                raise ValueError("Content-Length: must be a number of bytes")
        super().__setitem__(key, value)


class _Request(HTTPRequest):
    def read_request_headers(self) -> bool:
        self.inheaders = _StrictHeaders()
        if not super().read_request_headers():
            return False
        if self.request_protocol == b"HTTP/1.1" and b"Host" not in self.inheaders:
            self.simple_response("400 Bad Request", "Host: an HTTP/1.1 request needs one")
            return False
        return True

    def send_headers(self) -> None:
        # cheroot reads what is left of the body before answering on a kept-alive
        # connection; after a read that timed out the socket refuses to read again
        # (socket.SocketIO), which would end in a traceback and no answer at all.
        remaining = getattr(self.rfile, "remaining", 0)
        if not self.close_connection and not self.chunked_read and remaining > 0:
            try:
                self.rfile.read(remaining)
            except OSError:
                log.info(
                    "%s: the request body was shorter than its Content-Length; answered and closed",
                    self.conn.remote_addr,
                )
                self.close_connection = True
        super().send_headers()

    def write(self, chunk: bytes) -> None:
        if self.chunked_write and chunk and isinstance(self.conn.wfile, _SocketWriter):
            self.conn.wfile.write_pieces((b"%x\r\n" % len(chunk), chunk, b"\r\n"))
        else:
            super().write(chunk)


class _Connection(HTTPConnection):
    RequestHandlerClass = _Request

    def __init__(self, server: CherootServer, sock: socket.socket, makefile=MakeFile) -> None:
        if makefile is MakeFile:  # plain TCP (no TLS adapter): use the copy-free writer
            makefile = _makefile
        super().__init__(server, sock, makefile)
        if server.unsent_limit and hasattr(socket, "TCP_NOTSENT_LOWAT"):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, server.unsent_limit)
        self.received = bytearray()  # of the next request, before a worker gets it
        self.waiting_since = time.monotonic()  # accepted, or answered last
        try:
            self.peer = str(sock.getpeername()[0])
        except (OSError, IndexError):
            self.peer = "?"
        self.refused = not server.track(self)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.server.untrack(self)
            # cheroot wraps two bound methods in lru_cache and keeps them on the
            # instance: a reference cycle that only the cyclic GC would free.
            # Dropping them lets a closed connection go as soon as it is unused.
            for name in ("resolve_peer_creds", "get_peer_creds"):
                self.__dict__.pop(name, None)


class _Gateway(wsgi.Gateway_10):
    def get_environ(self) -> dict:
        environ = super().get_environ()
        environ[PEER_SOCKET_KEY] = self.req.conn.socket
        return environ


def _answer_and_close(conn: _Connection, status: str, message: str) -> None:
    """A short answer written without waiting (the selector thread must not block), then
    the connection closed."""
    body = message.encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
    with contextlib.suppress(OSError):
        conn.socket.send(head.encode() + b"Connection: close\r\n\r\n" + body, socket.MSG_DONTWAIT)
    conn.close()


class _GatedConnections(connections.ConnectionManager):
    """cheroot's selector loop, with its expiry replaced: cheroot's looks at the last read
    only (`_expire`, cheroot/connections.py), which a client dripping bytes keeps fresh.
    Here a connection with part of a request has `request_seconds` from its first byte
    (or its previous answer), then gets 408; an idle one is closed after the shorter of
    that and the server's timeout."""

    def _expire(self, threshold: float) -> None:
        limits, now = self.server.limits, time.monotonic()
        idle_for = min(limits.request_seconds, self.server.timeout)
        ended = [
            (fd, conn)
            for fd, conn in self._selector.connections
            if conn is not self.server
            and now - conn.waiting_since > (limits.request_seconds if conn.received else idle_for)
        ]
        for fd, conn in ended:
            self._selector.unregister(fd)
            if conn.received:
                log.info(
                    "%s: request not complete in %g s; closed", conn.peer, limits.request_seconds
                )
                _answer_and_close(
                    conn, "408 Request Timeout", "the request did not all come in time"
                )
            else:
                conn.close()


class CherootServer(wsgi.Server):
    """cheroot's WSGI server on a listening socket made beforehand (see the module doc)."""

    ConnectionClass = _Connection
    expiration_interval = 0.2  # also how often its selector loop looks at stop()

    def __init__(
        self,
        listener: socket.socket,
        app,
        *,
        threads: int,
        timeout: float,
        unsent_limit: int,
        backlog: int,
        limits: RequestLimits,
    ) -> None:
        super().__init__(
            listener.getsockname()[:2],
            app,
            numthreads=threads,
            max=threads,
            server_name="spirokiosk",
            request_queue_size=backlog,
            timeout=timeout,
            shutdown_timeout=1,
        )
        self.gateway = _Gateway
        self.unsent_limit = unsent_limit
        self.limits = limits
        self.max_request_header_size = limits.header_bytes  # for pipelined requests too
        self._per_address: Counter[str] = Counter()
        self._listener = listener
        self._live: set[_Connection] = set()
        self._live_lock = threading.Lock()

    def bind(self, family, type, proto=0):  # cheroot's signature; prepare() calls this
        self.socket = self._listener
        self.bind_addr = self.resolve_real_bind_addr(self._listener)
        return self._listener

    def error_log(self, msg="", level=logging.INFO, traceback=False) -> None:
        # cheroot's messages may quote what a client sent: one line, whatever it held.
        log.log(level, "%s", escaped(msg, LOGGED_CHARS), exc_info=traceback)

    def prepare(self) -> None:
        super().prepare()
        plain, self._connections = self._connections, _GatedConnections(self)
        plain.close()

    def track(self, conn: _Connection) -> bool:
        """Count `conn`; False when its address already has as many as it may."""
        with self._live_lock:
            self._live.add(conn)
            if self._per_address[conn.peer] >= self.limits.per_address:
                return False
            self._per_address[conn.peer] += 1
            return True

    def untrack(self, conn: _Connection) -> None:
        with self._live_lock:
            if conn in self._live:
                self._live.discard(conn)
                if not conn.refused:
                    self._per_address[conn.peer] -= 1
                    if self._per_address[conn.peer] <= 0:
                        del self._per_address[conn.peer]

    def connections_from(self, address: str) -> int:
        with self._live_lock:
            return self._per_address[address]

    # -- the gate (selector thread) ----------------------------------------------------

    def process_conn(self, conn: _Connection) -> None:
        """Hand `conn` to a worker once its next request has all come (see request_gate)."""
        if conn.refused:
            log.info("%s: more than %d connections; refused", conn.peer, self.limits.per_address)
            _answer_and_close(
                conn,
                "503 Service Unavailable",
                f"too many connections from {conn.peer} (at most {self.limits.per_address})",
            )
            return
        if conn.rfile.has_data():  # a pipelined request already read: cheroot's own case
            super().process_conn(conn)
            return
        try:
            conn.socket.setblocking(False)
            try:
                data = conn.socket.recv(self.limits.header_bytes + self.limits.body_bytes)
            finally:
                conn.socket.settimeout(self.timeout)
        except BlockingIOError:
            data = None
        except OSError:
            conn.close()
            return
        if data == b"":  # the client has gone
            conn.close()
            return
        if data:
            conn.received += data
        decision = verdict(conn.received, self.limits)
        if decision == READY:
            # Into the reader's buffer, where cheroot's reads find it first: its
            # `has_data()` (cheroot/makefile.py) looks at the same two attributes.
            conn.rfile._read_buf, conn.rfile._read_pos = bytes(conn.received), 0
            conn.received = bytearray()
            super().process_conn(conn)
        elif decision == TOO_LARGE:
            log.info("%s: request head over %d bytes; refused", conn.peer, self.limits.header_bytes)
            _answer_and_close(
                conn,
                "431 Request Header Fields Too Large",
                f"request line and headers: at most {self.limits.header_bytes} bytes",
            )
        else:
            self._connections.put(conn)  # back to the selector until more comes

    def put_conn(self, conn: _Connection) -> None:
        """A worker is done with `conn`'s request: the next one's time starts now."""
        conn.waiting_since = time.monotonic()
        super().put_conn(conn)

    def cut_off_connections(self) -> int:
        """Shut down every open connection: a blocked send fails at once."""
        with self._live_lock:
            live = list(self._live)
        for conn in live:
            with contextlib.suppress(OSError):
                conn.socket.shutdown(socket.SHUT_RDWR)
        return len(live)

    def busy_workers(self) -> int:
        return max(0, self.requests.min - self.requests.idle)
