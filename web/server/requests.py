"""One request as cheroot reads and answers it, held to what a client may send (RFC 9112).

- A Content-Length sent twice or not a plain number, a header line that starts with
  a space (obsolete line folding, which cheroot 11 answers with a 500 and a
  traceback), and an HTTP/1.1 request without Host get 400 at once, saying why.
- Every read a worker makes for a request ends by the gate's time limit (socket_io's
  deadline): a body that comes a byte now and then (chunked, after a 100 Continue,
  or too long for the gate to wait for) holds a worker that long at most, and then
  gets 408 or the app's 400. An upload (a body past the body limit, which only
  POST /api/recipe reads) gets more time by its length (`gate.upload_seconds`).
- Before answering on a connection it keeps, cheroot reads the rest of a body the
  app did not read. Here that happens only for what fits the body limit: a larger
  rest (a refused upload) or a socket whose read timed out (it refuses to read
  again, socket.SocketIO) closes the connection after the answer instead; one log
  line says so where the client sent less than it announced.
- Chunks of the answer go out as three pieces in one `sendmsg` (socket_io).
"""

from __future__ import annotations

import logging

from cheroot.server import HTTPRequest

from spirokiosk.web.server.gate import upload_seconds
from spirokiosk.web.server.socket_io import DeadlineReader, SocketWriter

log = logging.getLogger(__name__)


class StrictHeaders(dict):
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


class _NoFoldedLines:
    """The request's reader while cheroot reads the headers: a line that starts with a
    space or a tab is refused (cheroot's reader takes it for the continuation of a
    previous header, and fails when there is none)."""

    def __init__(self, rfile) -> None:
        self._rfile = rfile

    def readline(self, size: int = -1) -> bytes:
        line = self._rfile.readline(size)
        if line[:1] in (b" ", b"\t"):
            raise ValueError("headers: a line may not start with a space or a tab")
        return line

    def __getattr__(self, name: str):
        return getattr(self._rfile, name)


class Request(HTTPRequest):
    """cheroot's request with the rules in the module docstring."""

    def parse_request(self) -> None:
        reader = self.conn.rfile
        if isinstance(reader, DeadlineReader):
            reader.deadline_io.deadline = self.server.request_deadline()
        super().parse_request()

    def respond(self) -> None:
        try:
            super().respond()
        finally:
            reader = self.conn.rfile
            if isinstance(reader, DeadlineReader):
                reader.deadline_io.deadline = None  # the next request's time starts later

    def read_request_headers(self) -> bool:
        self.inheaders = StrictHeaders()
        rfile, self.rfile = self.rfile, _NoFoldedLines(self.rfile)
        try:
            read = super().read_request_headers()
        finally:
            self.rfile = rfile
        if not read:
            return False
        if self.request_protocol == b"HTTP/1.1" and b"Host" not in self.inheaders:
            self.simple_response("400 Bad Request", "Host: an HTTP/1.1 request needs one")
            return False
        reader = self.conn.rfile
        length = self.inheaders.get(b"Content-Length")
        if isinstance(reader, DeadlineReader) and reader.deadline_io.deadline and length:
            reader.deadline_io.deadline += upload_seconds(int(length), self.server.limits)
        return True

    def send_headers(self) -> None:
        remaining = getattr(self.rfile, "remaining", 0)
        if not self.close_connection and not self.chunked_read and remaining > 0:
            self._read_the_rest(remaining)
        super().send_headers()

    def _read_the_rest(self, remaining: int) -> None:
        reader = self.conn.rfile
        timed_out = isinstance(reader, DeadlineReader) and reader.deadline_io.timed_out
        if timed_out or remaining > self.server.limits.body_bytes:
            self.close_connection = True
        else:
            try:
                self.rfile.read(remaining)
                return
            except OSError:
                self.close_connection = True
                timed_out = True
        if timed_out:
            log.info(
                "%s: the request body was shorter than its Content-Length; answered and closed",
                self.conn.remote_addr,
            )

    def write(self, chunk: bytes) -> None:
        if self.chunked_write and chunk and isinstance(self.conn.wfile, SocketWriter):
            self.conn.wfile.write_pieces((b"%x\r\n" % len(chunk), chunk, b"\r\n"))
        else:
            super().write(chunk)
