"""What the server makes of requests that break HTTP's rules, over real sockets: a clear
400 at once where it can tell, and after the read timeout where only time tells."""

import json
import logging
import socket
import time

import pytest

from spirokiosk.web.server import WebServer

READ_TIMEOUT = 1.0
BODY = b'{"preset": "seed-magma-11"}'


@pytest.fixture
def server(app):
    server = WebServer(app, bind="127.0.0.1", port=0, write_timeout_seconds=READ_TIMEOUT)
    server.start()
    yield server
    server.stop()


def exchange(server, raw: bytes, wait: float = 10.0) -> tuple[bytes, float]:
    """Send `raw`, read until the server closes or `wait` passes: (answer, seconds)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        started = time.monotonic()
        sock.sendall(raw)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
        return answer, time.monotonic() - started


def post(headers: str, body: bytes = BODY) -> bytes:
    head = f"POST /api/curve HTTP/1.1\r\nContent-Type: application/json\r\n{headers}\r\n"
    return head.encode() + body


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (
            f"Host: kiosk\r\nContent-Length: {len(BODY)}\r\nContent-Length: {len(BODY)}\r\n",
            b"Content-Length: sent twice",
        ),
        ("Host: kiosk\r\nContent-Length: -5\r\n", b"Content-Length: must be a number of bytes"),
        ("Host: kiosk\r\nContent-Length: 1e3\r\n", b"Content-Length: must be a number of bytes"),
        (f"Content-Length: {len(BODY)}\r\n", b"Host: an HTTP/1.1 request needs one"),
    ],
)
def test_broken_framing_gets_a_400_at_once(server, headers, message):
    answer, took = exchange(server, post(headers), wait=READ_TIMEOUT * 3)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(message)
    assert took < READ_TIMEOUT  # not after a timeout: the headers said enough


def test_an_http_1_0_request_needs_no_host(server):
    answer, _ = exchange(server, b"GET /api/status HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_a_body_shorter_than_its_length_gets_a_400_after_the_timeout_and_one_log_line(
    server, caplog
):
    request = post(f"Host: kiosk\r\nContent-Length: {len(BODY) + 50}\r\n")
    with caplog.at_level(logging.INFO, "spirokiosk.web"):
        answer, took = exchange(server, request)
    assert took >= READ_TIMEOUT * 0.9  # only time tells that nothing more will come
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in head
    assert json.loads(body)["errors"] == [
        "body: shorter than its Content-Length (nothing more came in time)"
    ]
    from_the_server = [r for r in caplog.records if r.name.startswith("spirokiosk.web.cheroot")]
    assert [r.getMessage() for r in from_the_server] == [
        "127.0.0.1: the request body was shorter than its Content-Length; answered and closed"
    ]
    assert not any(r.exc_info for r in caplog.records)


def test_a_good_request_on_the_same_server_still_works(server):
    request = post(f"Host: kiosk\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n")
    answer, _ = exchange(server, request)
    assert answer.startswith(b"HTTP/1.1 202 ")
