"""/stream.mjpg and /snapshot.jpg (which carries the curve's recipe: snapshot_recipe)."""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Iterator

from flask import Blueprint, Response, render_template, request

from spirokiosk.web.app.context import PEER_SOCKET_KEY, web_context
from spirokiosk.web.app.snapshot_recipe import snapshot_comment, with_comment
from spirokiosk.web.app.stream_writer import StreamViewer, StreamWriter
from spirokiosk.web.hub.frame_hub import FrameHub
from spirokiosk.web.hub.mjpeg import CONTENT_TYPE, END, OPENING
from spirokiosk.web.hub.viewers import ViewerSlot

log = logging.getLogger(__name__)

bp = Blueprint("stream", __name__)

VIEWERS_FULL_RETRY_AFTER = 15
SNAPSHOT_RETRY_AFTER = 2


def peer_closed(sock: socket.socket) -> bool:
    """True when the client has closed or reset the connection (checked without blocking).

    A stream client sends nothing after its request, so a readable socket means
    end-of-file or an error; data (a pipelined request) means it is still there.
    """
    try:
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        events = poller.poll(0)
        if not events:
            return False
        if events[0][1] & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
            return True
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class MjpegBody:
    """The body of one /stream.mjpg response.

    Under our server (the client's socket in the environ, a StreamWriter running)
    the opening boundary goes out with the headers, then the writer thread sends
    every part and this worker sleeps until it lets go (see stream_writer).

    Otherwise (another WSGI server, the test client) each turn waits for a frame
    newer than the one sent last and yields its prebuilt part; a still picture is
    sent again every `resend_interval`; the server writes each part synchronously,
    so a slow client skips frames and never queues them.

    `close()` (called by the server when the response ends for any reason: client
    gone, write timeout, server stopping) frees the viewer slot.
    """

    CHECK_INTERVAL = 0.25

    def __init__(
        self,
        hub: FrameHub,
        slot: ViewerSlot,
        closing: threading.Event,
        resend_interval: float,
        client: str,
        peer: socket.socket | None = None,
        writer: StreamWriter | None = None,
        chunked: bool = True,
    ) -> None:
        self._hub = hub
        self._writer = writer
        self._chunked = chunked
        self._slot = slot
        self._closing = closing
        self._resend_interval = resend_interval
        self._client = client
        self._peer = peer
        self._started = time.monotonic()
        self._parts = 0
        self._stalled_after: float | None = None  # the writer dropped it: nothing taken

    def __iter__(self) -> Iterator[bytes]:
        yield OPENING  # with cheroot's headers, written before the next step
        if self._writer is not None and self._peer is not None:
            yield from self._by_the_writer()
            return
        last = self._slot.first_after
        sent_at = time.monotonic()
        wait = min(self.CHECK_INTERVAL, self._resend_interval)
        while True:
            frame = self._hub.wait_frame(last, wait, self._closing)
            if self._closing.is_set() or self._hub.stopped:
                yield END  # the server ends the stream: say so (multipart's close-delimiter)
                return
            if self._peer is not None and peer_closed(self._peer):  # once per wake-up
                return
            if frame is None:
                continue
            now = time.monotonic()
            if frame.seq == last and now - sent_at < self._resend_interval:
                continue
            last, sent_at = frame.seq, now
            self._parts += 1
            yield frame.part

    def _by_the_writer(self) -> Iterator[bytes]:
        """The writer thread sends the parts; this worker waits until it lets go."""
        viewer = StreamViewer(self._peer, self._chunked, self._slot.first_after)
        if not self._writer.add(viewer):
            yield END
            return
        while not viewer.done.wait(self.CHECK_INTERVAL * 4):
            pass
        self._parts = viewer.parts
        if viewer.ended == "stalled":
            self._stalled_after = viewer.stall_seconds
        if viewer.ended == "closing" and viewer.clean:
            yield END  # the server ends the stream: say so (multipart's close-delimiter)

    def close(self) -> None:
        if self._slot.release():
            how = "left"
            if self._stalled_after is not None:
                how = f"dropped (it took nothing for {self._stalled_after:g} s)"
            log.info(
                "viewer %s %s after %.1f s and %d frames (%d watching)",
                self._client,
                how,
                time.monotonic() - self._started,
                self._parts,
                self._hub.stats().viewers,
                extra={"VIEWER": self._client},
            )


def _busy_page(status: int, title: str, message: str, retry_after: int) -> Response:
    html = render_template("busy.html", title=title, message=message, retry_after=retry_after)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Retry-After"] = str(retry_after)
    return response


def _full_page(cap: int) -> Response:
    return _busy_page(
        503,
        "The mirror is full",
        f"This kiosk streams to at most {cap} viewer{'s' if cap != 1 else ''} at once, "
        "and every place is taken right now. Try again in a little while.",
        VIEWERS_FULL_RETRY_AFTER,
    )


@bp.get("/stream.mjpg")
def stream() -> Response:
    ctx = web_context()
    if ctx.closing.is_set() or ctx.hub.stopped:
        return _busy_page(
            503,
            "The mirror is stopping",
            "The kiosk is shutting down or restarting. Try again in a little while.",
            SNAPSHOT_RETRY_AFTER * 5,
        )
    if request.method == "HEAD":  # what a GET would answer, without taking a place
        if ctx.hub.stats().viewers >= ctx.hub.viewer_cap:
            return _full_page(ctx.hub.viewer_cap)
        return Response(content_type=CONTENT_TYPE)
    slot = ctx.hub.acquire_viewer()
    if slot is None:
        return _full_page(ctx.hub.viewer_cap)
    client = request.remote_addr or "?"
    log.info(
        "viewer %s joined (%d watching)",
        client,
        ctx.hub.stats().viewers,
        extra={"VIEWER": client},  # a journal field: journalctl -u spirokiosk VIEWER=ADDRESS
    )
    peer = request.environ.get(PEER_SOCKET_KEY)
    # cheroot sends a body of unknown length to an HTTP/1.1 client in chunks (server.py,
    # send_headers), so the writer must frame the parts the same way; to 1.0, as it is.
    chunked = request.environ.get("SERVER_PROTOCOL") == "HTTP/1.1"
    body = MjpegBody(
        ctx.hub, slot, ctx.closing, ctx.resend_interval, client, peer, ctx.writer, chunked
    )
    # direct_passthrough: the server iterates MjpegBody itself and calls its close().
    return Response(body, content_type=CONTENT_TYPE, direct_passthrough=True)


@bp.get("/snapshot.jpg")
def snapshot() -> Response:
    ctx = web_context()
    frame = ctx.hub.snapshot(ctx.snapshot_timeout, ctx.closing)
    if frame is None:
        return _busy_page(
            503,
            "No picture yet",
            "The kiosk did not hand over a frame in time. Try again in a moment.",
            SNAPSHOT_RETRY_AFTER,
        )
    recipe = snapshot_comment(ctx.control.status().get("curve"))
    response = Response(with_comment(frame.jpeg, recipe), mimetype="image/jpeg")
    response.headers["X-Timestamp"] = f"{frame.timestamp:.6f}"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(frame.timestamp))
    response.headers["Content-Disposition"] = f'inline; filename="spirokiosk-{stamp}.jpg"'
    return response
