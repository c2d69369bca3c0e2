"""MJPEG framing: the multipart/x-mixed-replace body sent to /stream.mjpg clients.

The body opens with the boundary line; every part is its headers, the JPEG
and then the next boundary line, all in one write, so that a browser sees
the end of frame N (and shows it) before frame N+1 exists. Parts are built
once per frame by the encoder thread and shared by every client.
"""

from __future__ import annotations

BOUNDARY = "frame"
CONTENT_TYPE = f"multipart/x-mixed-replace; boundary={BOUNDARY}"
OPENING = f"--{BOUNDARY}\r\n".encode("ascii")
DELIMITER = f"\r\n--{BOUNDARY}\r\n".encode("ascii")
# When the server ends a stream: every part already ends with the next delimiter, so
# what follows it is an empty part (no headers, no body) and the close-delimiter.
END = f"\r\n\r\n--{BOUNDARY}--\r\n".encode("ascii")


def build_part(jpeg: bytes, timestamp: float) -> bytes:
    """One part: Content-Type, Content-Length, X-Timestamp, the JPEG, then the next boundary."""
    head = b"Content-Type: image/jpeg\r\nContent-Length: %d\r\nX-Timestamp: %.6f\r\n\r\n" % (
        len(jpeg),
        timestamp,
    )
    return b"".join((head, jpeg, DELIMITER))
