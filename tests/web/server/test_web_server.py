"""WebServer lifecycle: bind at construction, clear errors, named thread, prompt stop."""

import contextlib
import logging
import os
import socket
import struct
import threading

import pytest
from support import wait_until
from support.mirror import FrameFeeder
from support.mjpeg import MjpegReader, open_stream

from spirokiosk.web.hub import StreamSettings
from spirokiosk.web.server import WebServer, WebServerError


@pytest.fixture
def stream_settings():
    return StreamSettings(max_viewers=4)


def thread_names():
    return [t.name for t in threading.enumerate()]


def test_busy_port_fails_at_construction_naming_address_and_port(app):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(WebServerError, match=rf"127\.0\.0\.1:{port}.*already in use"):
            WebServer(app, bind="127.0.0.1", port=port)


def test_unknown_address_fails_clearly(app):
    with pytest.raises(WebServerError, match=r"no-such-host\.invalid:8000"):
        WebServer(app, bind="no-such-host.invalid", port=8000)


def test_constructor_binds_and_listens_without_threads(app):
    before = threading.active_count()
    server = WebServer(app, bind="127.0.0.1", port=0)
    try:
        assert threading.active_count() == before
        assert server.port > 0
        # The port is taken from now on (connections wait in the backlog until start()).
        with socket.create_connection(("127.0.0.1", server.port), timeout=2):
            pass
    finally:
        server.stop()  # never started: just closes the socket
    with socket.socket() as again:
        again.bind(("127.0.0.1", server.port))  # released


def test_workers_are_the_streams_plus_spares_and_hold_the_viewer_cap(app, hub):
    server = WebServer(app, bind="127.0.0.1", port=0, max_viewers=3, write_timeout_seconds=2.5)
    try:
        assert server.threads == 3 + 6
        assert server.url.startswith("http://127.0.0.1:")
        assert hub.viewer_cap == 3  # max_viewers is 4, but only 3 stream workers exist
    finally:
        server.stop()


def server_side_of(client: socket.socket) -> socket.socket:
    """The server's end of `client`'s connection (the server runs in this process): a
    duplicate of its descriptor, found by its peer address."""
    for fd in map(int, os.listdir("/proc/self/fd")):
        copy = os.dup(fd)
        try:
            sock = socket.socket(fileno=copy)
        except OSError:
            os.close(copy)
            continue
        with contextlib.suppress(OSError):
            if sock.type == socket.SOCK_STREAM and sock.getpeername() == client.getsockname():
                return sock
        sock.close()
    raise AssertionError(f"no server socket connected to {client.getsockname()}")


# tcpi_notsent_bytes in struct tcp_info (/usr/include/linux/tcp.h): 8 one-byte fields,
# 24 u32, 4 u64 and 2 u32 before it.
TCPI_NOTSENT_BYTES = 144


def send_would_wait(sock: socket.socket) -> bool:
    """True when a blocking send on `sock` waits for the client: its unsent bytes are at
    its TCP_NOTSENT_LOWAT (the server sets one), where tcp_sendmsg waits for memory
    (tcp_stream_memory_free, net/ipv4/tcp_ipv4.c)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    (notsent,) = struct.unpack_from("I", info, TCPI_NOTSENT_BYTES)
    return notsent >= sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT)


def test_serves_in_a_thread_named_web_and_stops_promptly_with_streams_open(app, hub, caplog):
    server = WebServer(app, bind="127.0.0.1", port=0, write_timeout_seconds=30)
    server.start()
    with pytest.raises(RuntimeError):
        server.start()
    # Parts of about 80 kB, more than a client with a 4 KiB receive buffer (set before
    # it connects, so that its window is small from the start) takes plus the unsent
    # limit (32 KiB): the first part fills the stalled client's socket to the limit.
    feeder = FrameFeeder(hub, size=(1920, 1080)).start()
    stalled = socket.socket()
    stalled.settimeout(5)
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(("127.0.0.1", server.port))
    try:
        assert "web" in thread_names()
        streams = [open_stream("127.0.0.1", server.port) for _ in range(2)]
        readers = [(conn, MjpegReader(response)) for conn, response in streams]
        for _, reader in readers:
            reader.read_part()
        # A client that stopped reading: the server's socket to it fills up, so the last
        # write of its response waits in a blocking send (30 s timeout) when streams end.
        stalled.sendall(b"GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
        wait_until(lambda: hub.stats().viewers == 3)
        with server_side_of(stalled) as blocked:
            wait_until(lambda: send_would_wait(blocked))

        # stop() cuts the stalled client off: it does not wait for its 30 s write timeout
        # (the join's 10 s only keeps a broken stop from hanging the test).
        with caplog.at_level(logging.INFO, "spirokiosk.web.server.web_server"):
            stopping = threading.Thread(target=server.stop, name="test-stop")
            stopping.start()
            stopping.join(10)
        assert not stopping.is_alive(), "stop() waited for the stalled client's write timeout"
        assert "web mirror stopped" in caplog.messages
        assert "web" not in thread_names()
        assert not [n for n in thread_names() if n.startswith("CP Server")]
        assert hub.stats().viewers == 0
        for conn, reader in readers:  # the streams ended: readers reach the end
            with pytest.raises((EOFError, OSError)):
                for _ in range(1000):
                    reader.read_part()
            conn.close()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
    finally:
        stalled.close()
        feeder.stop()
        server.stop()  # idempotent


def test_what_cheroot_logs_stays_on_one_line(app, caplog):
    server = WebServer(app, bind="127.0.0.1", port=0)
    try:
        with caplog.at_level(logging.INFO, "spirokiosk.web.server.cheroot_server"):
            server._server.error_log("Bad header 'X: a\nINFO forged: line'")
    finally:
        server.stop()
    (record,) = caplog.records
    assert record.getMessage() == "Bad header 'X: a\\nINFO forged: line'"
