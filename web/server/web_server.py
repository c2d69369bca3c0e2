"""WebServer: cheroot serving the mirror's app, in a thread named 'web'.

Why cheroot and not waitress: cheroot writes a response synchronously from
the worker thread that serves the connection, with a socket timeout on each
send. For MJPEG that is exactly the back-pressure wanted: a slow client's
worker is simply busy longer and takes the newest frame when it comes back
(it skips frames, nothing queues), a stalled client's send times out after
`write_timeout_seconds` and the connection is dropped, a closed client makes
the next send fail. Waitress instead copies app output into a per-channel
buffer written by its I/O thread (spilling to a temporary file past
`outbuf_overflow`), and does not time out a channel while a request is in
progress, so a stalled stream could hold its worker indefinitely.

Each stream ties one worker thread, so the pool is `max_viewers` plus
`spare_workers` that streams can never take: `/`, `/api/status` and `/healthz`
stay fast while every stream slot is taken. Idle keep-alive connections, and
requests still arriving, wait in cheroot's selector, not in a worker (see
`gate`): a client that drips its headers holds no thread.

Every connection keeps at most `unsent_limit_bytes` queued unsent in the
kernel (TCP_NOTSENT_LOWAT; see `cheroot_server`): bytes queued ahead of a slow
client are latency, while a fast client's throughput is not limited (the
congestion window is not). The stream writer goes further for its viewers: it
starts a viewer's next part only once the kernel has sent all of the last
(`web.app.stream_writer`), so a client reading at 100 kB/s gets each new
frame's headers within about a frame of its rendering.

The constructor binds and listens, so a busy port fails at once with a clear
error; `start()` serves; `stop()` ends the streams and returns within about
a second, cutting off any client still being written to.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time

from flask import Flask

from spirokiosk.web.app.context import EXTENSION_KEY
from spirokiosk.web.server.cheroot_server import CherootServer
from spirokiosk.web.server.gate import RequestLimits
from spirokiosk.web.urls import authority, http_url, is_wildcard

log = logging.getLogger(__name__)

UNSENT_LIMIT_BYTES = 32 * 1024
SPARE_WORKERS = 6  # beyond max_viewers: pages, API calls, snapshots, 503 answers
LISTEN_BACKLOG = 128


class WebServerError(RuntimeError):
    """The web server could not start (the message names address and port)."""


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port), or WebServerError."""
    where = authority(host, port)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise WebServerError(f"web: cannot listen on {where}: unknown address ({exc})") from exc
    sock = socket.socket(family, kind, proto)
    try:
        if port != 0:  # lets a restart reuse the port at once; still refuses a live listener
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and is_wildcard(host):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            reason = "the port is already in use (another spirokiosk or web server?)"
        elif exc.errno == errno.EACCES:
            reason = "permission denied (ports below 1024 need privileges)"
        elif exc.errno == errno.EADDRNOTAVAIL:
            reason = "no such address on this machine"
        else:
            reason = exc.strerror or str(exc)
        raise WebServerError(f"web: cannot listen on {where}: {reason}") from exc
    return sock


class WebServer:
    """The mirror's HTTP server. Binds in the constructor; serves in thread 'web' after start()."""

    def __init__(
        self,
        app: Flask,
        *,
        bind: str = "0.0.0.0",
        port: int = 8000,
        max_viewers: int = 10,
        spare_workers: int = SPARE_WORKERS,
        write_timeout_seconds: float = 10.0,
        unsent_limit_bytes: int = UNSENT_LIMIT_BYTES,
        limits: RequestLimits | None = None,
    ) -> None:
        self._app = app
        self._listener = _listen(bind, port)
        self.threads = max_viewers + spare_workers
        self._server = CherootServer(
            self._listener,
            app,
            threads=self.threads,
            timeout=write_timeout_seconds,
            unsent_limit=unsent_limit_bytes,
            backlog=LISTEN_BACKLOG,
            limits=limits or RequestLimits(),
        )
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.bind = bind
        self.port: int = self._listener.getsockname()[1]
        ctx = app.extensions.get(EXTENSION_KEY)
        if ctx is not None:  # one worker per stream: a reload may not raise the cap past them
            ctx.hub.set_capacity(max_viewers)

    @property
    def url(self) -> str:
        """A URL for the log: the machine's address when bound to every interface."""
        host = socket.gethostname() if is_wildcard(self.bind) else self.bind
        return http_url(host, self.port)

    def start(self) -> None:
        if self._thread is not None or self._stopped:
            raise RuntimeError("WebServer.start() may be called once, before stop()")
        ctx = self._app.extensions.get(EXTENSION_KEY)
        if ctx is not None:
            ctx.open_streams()
        self._server.prepare()  # worker threads; the socket is already bound
        self._thread = threading.Thread(target=self._serve, name="web", daemon=True)
        self._thread.start()
        log.info("web mirror at %s (%d worker threads)", self.url, self.threads)

    def _serve(self) -> None:
        try:
            self._server.serve()
        except Exception:
            log.exception("the web server stopped on an error")

    def stop(self, timeout: float = 1.0) -> None:
        """End the streams, cut off slow clients, stop the threads. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        ctx = self._app.extensions.get(EXTENSION_KEY)
        if ctx is not None:
            ctx.close_streams()
        if self._thread is None:  # never started: only the socket to close
            self._listener.close()
            return
        deadline = time.monotonic() + timeout
        # Streams end at their next wake-up (now); give in-flight writes a moment.
        grace = time.monotonic() + timeout / 4
        while self._server.busy_workers() and time.monotonic() < grace:
            time.sleep(0.01)
        self._server.cut_off_connections()
        self._server.shutdown_timeout = max(0.1, deadline - time.monotonic())
        self._server.stop()
        self._thread.join(max(0.1, deadline - time.monotonic()))
        if self._thread.is_alive():
            log.warning("the web server thread did not stop within %.1f s", timeout)
        else:
            log.info("web mirror stopped")
