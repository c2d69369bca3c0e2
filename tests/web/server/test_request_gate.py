"""The gate's decisions on the bytes of a request received so far."""

import pytest

from spirokiosk.web.server.gate import READY, TOO_LARGE, WAIT, RequestLimits, verdict

LIMITS = RequestLimits(header_bytes=200, body_bytes=50)
HEAD = b"POST /api/curve HTTP/1.1\r\nHost: k\r\n"


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (b"", WAIT),
        (b"GET / HTTP/1.1\r\nHost: k\r\n", WAIT),  # the blank line has not come yet
        (b"GET / HTTP/1.1\r\nHost: k\r\n\r\n", READY),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 300, TOO_LARGE),  # no end in sight, over the limit
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 190 + b"\r\n\r\n", TOO_LARGE),
        (HEAD + b"Content-Length: 10\r\n\r\n12345", WAIT),  # a small body: waited for
        (HEAD + b"Content-Length: 10\r\n\r\n1234567890", READY),
        (HEAD + b"content-length:10\r\n\r\n1234567890", READY),  # any case, no space
        (
            HEAD + b"Content-Length: 500\r\n\r\n12345",
            READY,
        ),  # too big to wait for: the app says 413
        (HEAD + b"Content-Length: 10\r\nExpect: 100-continue\r\n\r\n", READY),  # waits for us
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\n", READY),  # read as it comes
        (HEAD + b"Content-Length: 10\r\nContent-Length: 10\r\n\r\n", READY),  # cheroot's 400
        (HEAD + b"Content-Length: -1\r\n\r\n", READY),  # ditto
    ],
)
def test_verdicts(received, expected):
    assert verdict(received, LIMITS) == expected
