"""cheroot's server and connections, adjusted for many viewers and hostile clients.

- Requests pass a gate before a worker thread sees them (`gate`): the selector
  thread collects each request's head and small body as the bytes come, so a
  client that drips its headers holds no worker; too slow is 408, too big 431, too
  many connections from one address 503. How one request is then read and answered
  is `requests`, the sockets' files `socket_io`.
- Each connection bounds its unsent bytes (TCP_NOTSENT_LOWAT): the kernel keeps at
  most that much queued ahead of the client, so a slow client's next frame is never
  stuck behind a deep buffer of old ones, while the congestion window (and so a
  fast client's throughput) is not limited.
- Open connections are tracked, so that stopping can cut off a blocked send, and
  freed by reference counting once closed (see `_Connection.close`).
- The WSGI environ carries the client socket (PEER_SOCKET_KEY), so a stream can be
  handed to the stream writer and notice a departed client.
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
from cheroot.makefile import MakeFile
from cheroot.server import HTTPConnection

from spirokiosk.display.messages import escaped
from spirokiosk.web.app.context import PEER_SOCKET_KEY
from spirokiosk.web.server.gate import READY, TOO_LARGE, RequestLimits, verdict
from spirokiosk.web.server.requests import Request
from spirokiosk.web.server.socket_io import make_file

log = logging.getLogger(__name__)

LOGGED_CHARS = 300  # of a message of cheroot's


class _Connection(HTTPConnection):
    RequestHandlerClass = Request

    def __init__(self, server: CherootServer, sock: socket.socket, makefile=MakeFile) -> None:
        if makefile is MakeFile:  # plain TCP (no TLS adapter): our files (socket_io)
            makefile = make_file
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
        # A Content-Length far past what any route reads is refused by cheroot at once
        # (413, closed) rather than read by someone; between the two the app says 413.
        self.max_request_body_size = 2 * max(limits.body_bytes, limits.upload_bytes)
        # cheroot counts every connection in its selector against this (10 by default):
        # with requests parked there by the gate that would end keep-alive for all.
        # The connections per address are bounded already.
        self.keep_alive_conn_limit = None
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
        """Hand `conn` to a worker once its next request has all come (see `gate`)."""
        if conn.refused:
            log.info("%s: more than %d connections; refused", conn.peer, self.limits.per_address)
            _answer_and_close(
                conn,
                "503 Service Unavailable",
                f"too many connections from {conn.peer} (at most {self.limits.per_address})",
            )
            return
        if conn.rfile.has_data():  # a pipelined request, read with the last one
            reader = conn.rfile
            conn.received += reader._read_buf[reader._read_pos :]
            reader._read_buf, reader._read_pos = b"", 0
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
        if data:
            conn.received += data
        decision = verdict(conn.received, self.limits)
        if data == b"" and decision != READY:  # the client has gone, its request unfinished
            conn.close()
            return
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

    def request_deadline(self) -> float:
        """When a request a worker starts reading now must be all there (time.monotonic())."""
        return time.monotonic() + self.limits.request_seconds

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
