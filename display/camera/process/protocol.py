"""Messages between the camera child and the kiosk, over a SOCK_SEQPACKET socket pair:
each send is one whole message, so no framing is needed, and a closed end reads as b"".

Child to parent:
    {"t": "beat", "waiting": "no camera found"}      alive, no frame yet (and why, or null)
    {"t": "frame", "slot": 1, "seq": 42}             slot 1 holds frame 42: the parent's now
    {"t": "log", "level": 20, "text": "..."}         a log line for the kiosk's log
    {"t": "error", "text": "..."}                    the attempt failed (the child then ends)
Parent to child:
    {"t": "free", "slot": 1}                         slot 1 is the child's again
"""

from __future__ import annotations

import json
import socket

MAX_MESSAGE = 4096  # bytes; longer log and error texts are cut before sending
TEXT_LIMIT = 1000  # characters of a log or error text


def socket_pair() -> tuple[socket.socket, socket.socket]:
    """(parent's end, child's end); neither is inherited unless passed explicitly."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


def _encode(message: dict) -> bytes:
    for key in ("text", "waiting"):
        if isinstance(message.get(key), str) and len(message[key]) > TEXT_LIMIT:
            message = {**message, key: message[key][:TEXT_LIMIT] + "..."}
    return json.dumps(message, separators=(",", ":")).encode()


def send(sock: socket.socket, message: dict) -> None:
    sock.send(_encode(message))


def send_nowait(sock: socket.socket, message: dict) -> None:
    """Send now or not at all: raises BlockingIOError when the other end's queue is full.

    MSG_DONTWAIT alone is not enough on a socket with a timeout: CPython first polls for
    room for up to the timeout (Modules/socketmodule.c, sock_call_ex calls internal_select
    before the send when the timeout is > 0). Use it on a socket whose timeout is 0."""
    sock.send(_encode(message), socket.MSG_DONTWAIT)


def receive(sock: socket.socket) -> dict | None:
    """The next message; None when the other end has gone. Raises TimeoutError after the
    socket's timeout, ValueError for something that is not a message."""
    data = sock.recv(MAX_MESSAGE)
    if not data:
        return None
    return _decode(data)


def _decode(data: bytes) -> dict:
    message = json.loads(data)
    if not isinstance(message, dict) or not isinstance(message.get("t"), str):
        raise ValueError(f"not a camera message: {data[:80]!r}")
    return message


def receive_nowait(sock: socket.socket) -> dict | None:
    """The next message if one is waiting; raises BlockingIOError when none is."""
    data = sock.recv(MAX_MESSAGE, socket.MSG_DONTWAIT)
    if not data:
        return None
    return _decode(data)
