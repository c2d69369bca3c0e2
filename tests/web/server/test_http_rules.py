"""What the server makes of requests that break HTTP's rules, over real sockets: a clear
400 at once where it can tell, and after the read timeout where only time tells."""

import json
import logging
import select
import socket
import threading
import time

import pytest
from support import wait_until

from spirokiosk.web.server import WebServer
from spirokiosk.web.server.gate import RequestLimits

READ_TIMEOUT = 1.0
REQUEST_SECONDS = 1.5
BODY = b'{"preset": "seed-magma-11"}'


PATIENT = 60.0  # a server's timeouts far past any wait here: what it answers, it decided


def serving(app, read_timeout: float, request_seconds: float):
    limits = RequestLimits(request_seconds=request_seconds)
    server = WebServer(
        app, bind="127.0.0.1", port=0, write_timeout_seconds=read_timeout, limits=limits
    )
    server.start()
    return server


@pytest.fixture
def server(app):
    server = serving(app, READ_TIMEOUT, REQUEST_SECONDS)
    yield server
    server.stop()


@pytest.fixture
def patient_server(app):
    """A server none of whose timeouts can end an exchange (whose `wait` is shorter)."""
    server = serving(app, PATIENT, PATIENT)
    yield server
    server.stop()


def exchange(server, raw: bytes, wait: float = 10.0) -> tuple[bytes, bool]:
    """Send `raw`, read until the server closes or `wait` passes: (answer, whether the
    server closed the connection)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        sock.sendall(raw)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            return answer, False
        return answer, True


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
def test_broken_framing_gets_a_400_at_once(patient_server, headers, message):
    answer, closed = exchange(patient_server, post(headers))
    assert closed, "not answered and closed: the server waited for more"
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(message)  # not a timeout's answer: the headers said enough


def test_an_http_1_0_request_needs_no_host(server):
    answer, _ = exchange(server, b"GET /api/status HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_a_request_not_all_there_in_time_gets_408_and_one_log_line(server, caplog):
    request = post(f"Host: kiosk\r\nContent-Length: {len(BODY) + 50}\r\n")
    with caplog.at_level(logging.INFO, "spirokiosk.web"):
        started = time.monotonic()
        answer, closed = exchange(server, request)
    # Only the time limit tells that nothing more will come: its answer, not before it
    # (a lower bound: a loaded machine only makes it longer).
    assert closed and time.monotonic() - started >= REQUEST_SECONDS * 0.9
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ") and b"Connection: close" in head
    assert body == b"the request did not all come in time"
    assert [r.getMessage() for r in caplog.records] == [
        f"127.0.0.1: request not complete in {REQUEST_SECONDS:g} s; closed"
    ]


def test_a_body_that_stops_after_a_100_continue_gets_the_apps_400_and_one_log_line(server, caplog):
    # A client that waits for 100 Continue is handed to a worker once its headers are
    # in; the body it then sends short times out in the app's read.
    request = post(f"Host: kiosk\r\nExpect: 100-continue\r\nContent-Length: {len(BODY) + 50}\r\n")
    with caplog.at_level(logging.INFO, "spirokiosk.web"):
        started = time.monotonic()
        answer, closed = exchange(server, request)
    # Ended by the read timeout, as its answer and the log line say, and not before it.
    assert closed and time.monotonic() - started >= READ_TIMEOUT * 0.9
    head, _, body = answer.split(b"\r\n\r\n", 1)[1].partition(b"\r\n\r\n")  # after the 100
    assert head.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in head
    assert json.loads(body)["errors"] == [
        "body: shorter than its Content-Length (nothing more came in time)"
    ]
    from_the_server = [
        r for r in caplog.records if r.name.startswith("spirokiosk.web.server.requests")
    ]
    assert [r.getMessage() for r in from_the_server] == [
        "127.0.0.1: the request body was shorter than its Content-Length; answered and closed"
    ]
    assert not any(r.exc_info for r in caplog.records)


def test_a_good_request_on_the_same_server_still_works(server):
    request = post(f"Host: kiosk\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n")
    answer, _ = exchange(server, request)
    assert answer.startswith(b"HTTP/1.1 202 ")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def healthz_answers(server) -> bool:
    """GET /healthz is answered 200 (its 5 s wait only keeps a deaf server from hanging a test)."""
    answer, _ = exchange(
        server, b"GET /healthz HTTP/1.1\r\nHost: kiosk\r\nConnection: close\r\n\r\n", 5.0
    )
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:60]
    return True


class Dripper(threading.Thread):
    """A slowloris client: a request's headers, one byte every `pause` seconds."""

    def __init__(self, port: int, pause: float):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.pause = pause
        self.answer = b""
        self.dripping = threading.Event()  # its first bytes are sent

    def run(self):
        request = b"GET /api/status HTTP/1.1\r\nHost: kiosk\r\nX-Padding: " + b"a" * 200
        try:
            for sent, byte in enumerate(request, 1):
                self.sock.send(bytes([byte]))
                if sent == 3:
                    self.dripping.set()
                time.sleep(self.pause)  # the client's pace
        except OSError:
            pass  # cut off: what should happen
        try:
            while chunk := self.sock.recv(4096):
                self.answer += chunk
        except OSError:
            pass
        self.sock.close()


def test_clients_dripping_their_headers_hold_no_worker(app):
    # Two workers in all: before the gate, two drippers were enough to make the kiosk deaf
    # until the time limit cut them off.
    limits = RequestLimits(request_seconds=3.0)  # the drippers would take 11 s
    server = WebServer(app, bind="127.0.0.1", port=0, max_viewers=1, spare_workers=1, limits=limits)
    server.start()
    try:
        drippers = [Dripper(server.port, pause=0.05) for _ in range(20)]
        for dripper in drippers:
            dripper.start()
        for dripper in drippers:
            assert dripper.dripping.wait(10)
        for _ in range(5):
            assert healthz_answers(server)
        # while every dripper was still dripping: none had been answered or cut off yet
        readable, _, _ = select.select([d.sock for d in drippers], [], [], 0)
        assert not readable, f"answered only after the time limit cut off {len(readable)}"
        for dripper in drippers:
            dripper.join(limits.request_seconds * 4)
        assert all(d.answer.startswith(b"HTTP/1.1 408 ") for d in drippers)
        assert healthz_answers(server)
    finally:
        server.stop()


def test_a_head_over_the_limit_gets_431_and_costs_no_memory(server):
    answer, closed = exchange(
        server, b"GET / HTTP/1.1\r\nHost: kiosk\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"
    )
    assert closed
    assert answer.startswith(b"HTTP/1.1 431 ")  # not the time limit's 408: refused at once
    assert answer.endswith(b"request line and headers: at most 16384 bytes")
    before = rss_bytes()
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: kiosk\r\nX-Big: ")
            chunk = b"a" * 1024 * 1024
            for _ in range(100):  # 100 MB of one header, as fast as the server takes it
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # refused and closed long before the end
    assert sent < 20 * 1024 * 1024
    assert rss_bytes() - before < 8 * 1024 * 1024
    assert healthz_answers(server)


def test_one_address_may_not_open_more_connections_than_its_share(app):
    limits = RequestLimits(per_address=3)
    server = WebServer(app, bind="127.0.0.1", port=0, limits=limits)
    server.start()
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
    try:
        wait_until(lambda: server._server.connections_from("127.0.0.1") == 3)
        answer, _ = exchange(server, b"GET /healthz HTTP/1.1\r\nHost: kiosk\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503 ")
        assert answer.endswith(b"too many connections from 127.0.0.1 (at most 3)")
        idle.pop().close()
        wait_until(lambda: server._server.connections_from("127.0.0.1") == 2)
        assert healthz_answers(server)  # one freed: a place again
    finally:
        for sock in idle:
            sock.close()
        server.stop()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ["/", "/healthz", "/api/status", "/snapshot.jpg"])
def test_a_body_sent_where_none_is_read_gets_413(server, method, path):
    head = f"{method} {path} HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 5\r\n"
    answer, _ = exchange(server, head.encode() + b"Connection: close\r\n\r\nhello")
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert f"body: {path} takes none".encode() in answer


def test_a_header_line_starting_with_a_space_gets_400_not_500(server, caplog):
    answer, _ = exchange(server, b"GET / HTTP/1.1\r\n X-Folded: yes\r\nHost: kiosk\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b"headers: a line may not start with a space or a tab")
    assert not any(r.exc_info for r in caplog.records)


class SlowBody(threading.Thread):
    """A request whose head comes at once and whose body comes a byte at a time."""

    def __init__(self, port: int, head: bytes, body: bytes, pause: float = 0.1):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.head, self.body, self.pause = head, body, pause
        self.answer = b""

    def run(self):
        try:
            self.sock.sendall(self.head)
            for byte in self.body:
                self.sock.send(bytes([byte]))
                time.sleep(self.pause)  # the client's pace
        except OSError:
            pass
        try:
            while chunk := self.sock.recv(4096):
                self.answer += chunk
        except OSError:
            pass
        self.sock.close()


@pytest.mark.parametrize(
    "head",
    [
        b"Transfer-Encoding: chunked\r\n",
        b"Expect: 100-continue\r\nContent-Length: 400\r\n",
        b"Content-Length: 100000\r\n",  # over the body limit: not waited for by the gate
    ],
    ids=["chunked", "100-continue", "too long for the gate"],
)
def test_a_body_that_drips_holds_a_worker_no_longer_than_the_time_limit(app, head):
    limits = RequestLimits(request_seconds=REQUEST_SECONDS)
    server = WebServer(app, bind="127.0.0.1", port=0, max_viewers=1, spare_workers=1, limits=limits)
    server.start()
    try:
        request = b"POST /api/curve HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
        slow = [
            SlowBody(server.port, request + head + b"\r\n", b'4\r\n{"a"' * 100) for _ in range(2)
        ]
        for client in slow:
            client.start()
        for client in slow:  # each would drip for 50 s: only the server can end it sooner
            client.join(REQUEST_SECONDS * 6)
        assert all(not client.is_alive() for client in slow), "a worker read on past the limit"
        assert all(
            client.answer[:12]
            in (b"HTTP/1.1 408", b"HTTP/1.1 400", b"HTTP/1.1 413", b"HTTP/1.1 100")
            for client in slow
        )
        assert healthz_answers(server)
    finally:
        server.stop()


def test_a_huge_announced_body_is_refused_at_once_and_not_read(server):
    before = rss_bytes()
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/curve HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
            b"Content-Length: 300000000\r\n\r\n"
        )
        answer = b""
        try:
            chunk = b"x" * (1024 * 1024)
            for _ in range(300):
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass  # refused and closed
        try:
            while data := sock.recv(4096):
                answer += data
        except OSError:
            pass
    assert sent < 20 * 1024 * 1024  # closed on it long before the end: nobody read it
    assert answer == b"" or answer.startswith(b"HTTP/1.1 413 ")
    assert rss_bytes() - before < 16 * 1024 * 1024
    assert healthz_answers(server)


def test_connections_waiting_at_the_gate_do_not_turn_keep_alive_off(server):
    parked = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(12)]
    try:
        wait_until(lambda: server._server.connections_from("127.0.0.1") == 12)  # all at the gate
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: k\r\n\r\n")
            head = sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 200 ") and b"Connection: close" not in head
    finally:
        for sock in parked:
            sock.close()


def test_a_pipelined_request_that_stops_halfway_is_ended_by_the_time_limit(server):
    first = b"GET /healthz HTTP/1.1\r\nHost: k\r\n\r\n"
    answer, closed = exchange(server, first + b"GET /healthz HTTP/1.1\r\nHo")
    assert closed
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"HTTP/1.1 408 " in answer  # the second: not all there in time
