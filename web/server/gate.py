"""The gate in front of the web server's worker threads: a request reaches a worker only
once it has all arrived, within a time limit and a size limit.

Without it a worker thread reads a request's headers itself, with a timeout per read
only, so a client that sends a byte every few seconds (slowloris) holds the thread
for as long as it likes; 16 such connections held every thread of the kiosk. Here the
bytes of a request's head (and of a small body) are collected by the server's
selector thread, a read whenever some arrive and never a wait; a worker gets the
connection with the whole request already read. A head not complete within
`request_seconds` of the connection's first byte (or of its previous answer) is
answered 408, one larger than `header_bytes` 431; a client with `per_address` open
connections gets 503 for the next.

This module holds the decisions, on bytes alone; `cheroot_server` does the reading and
the answering for cheroot's connections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

READY = "ready"  # the whole request is here: hand it to a worker
WAIT = "wait"  # more is to come: back to the selector
TOO_LARGE = "too large"  # the head is over the limit: 431

HEAD_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*([0-9]{1,12})[ \t]*\r?$", re.I | re.M)
_NOT_WAITED_FOR = re.compile(
    rb"^(transfer-encoding[ \t]*:|expect[ \t]*:[ \t]*100-continue)", re.I | re.M
)


@dataclass(frozen=True)
class RequestLimits:
    """The [web] limits, in the units the server uses."""

    header_bytes: int = 16 * 1024  # request line and headers together
    request_seconds: float = 5.0  # for a request's head and small body to arrive
    body_bytes: int = 64 * 1024  # the largest body a route takes (the curve API)
    per_address: int = 32  # open connections from one client address
    upload_bytes: int = 32 * 1024 * 1024  # the largest file POST /api/recipe takes
    upload_bytes_per_second: int = 256 * 1024  # the slowest upload waited for


def upload_seconds(length: int, limits: RequestLimits) -> float:
    """The time a body of `length` bytes gets beyond `request_seconds`: none for a body
    within `body_bytes`; an upload's at the slowest rate waited for. Only a route that
    reads such a body (POST /api/recipe) is held that long; the others refuse it unread.
    """
    if length <= limits.body_bytes:
        return 0.0
    return min(length, limits.upload_bytes) / limits.upload_bytes_per_second


def verdict(received: bytes | bytearray, limits: RequestLimits) -> str:
    """What to do with a connection that has sent `received` so far of its next request.

    A body is waited for too when its Content-Length is within `body_bytes` (so a
    worker never waits for it either), unless the client waits for a 100 Continue
    first or sends it chunked; a longer one is left to the app, which refuses it.
    """
    end = received.find(HEAD_END)
    if end < 0:
        return TOO_LARGE if len(received) >= limits.header_bytes else WAIT
    if end + len(HEAD_END) > limits.header_bytes:
        return TOO_LARGE
    head = bytes(received[:end])
    lengths = _CONTENT_LENGTH.findall(head)
    if len(lengths) != 1 or _NOT_WAITED_FOR.search(head):
        return READY  # no body, or one the server and the app deal with as they come
    length = int(lengths[0])
    if length > limits.body_bytes or len(received) >= end + len(HEAD_END) + length:
        return READY
    return WAIT
