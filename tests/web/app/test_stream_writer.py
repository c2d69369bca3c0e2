"""The stream writer against real loopback TCP sockets: what it hands the kernel, and when.

The hub is a small stand-in here, so that the test decides which frame is newest at each
of the writer's turns; the sockets, the kernel's queues and the writer are real.
"""

import socket
import threading
from types import SimpleNamespace

import pytest
from support import wait_until

from spirokiosk.web.app import stream_writer
from spirokiosk.web.app.stream_writer import StreamViewer, StreamWriter, kernel_backlog
from spirokiosk.web.hub.frames import EncodedFrame

PART_BYTES = 20_000  # more than a 4 KiB receive buffer takes, less than the unsent limit
UNSENT_LIMIT = 32 * 1024  # as the server sets on every connection (web.server)


class Frames:
    """The hub's side the writer uses: the newest frame, and a wake-up when it changes.
    Counts the writer's looks at each frame (one a turn)."""

    def __init__(self):
        self._lock = threading.Condition()
        self._frame = None
        self._looks = 0
        self._listeners = []

    def add_frame_listener(self, listener):
        self._listeners.append(listener)

    def remove_frame_listener(self, listener):
        self._listeners.remove(listener)

    def latest(self):
        with self._lock:
            self._looks += 1
            self._lock.notify_all()
            return self._frame

    def publish(self, seq):
        body = seq.to_bytes(8, "big") + bytes([seq % 251]) * (PART_BYTES - 8)
        with self._lock:
            self._frame = EncodedFrame(body, body, seq, float(seq), 1, 1)
            self._looks = 0
        for listener in self._listeners:
            listener()

    def wait_looked_at(self, times=2):
        """Until the writer took `times` looks at the newest frame: two mean one whole
        turn (queueing included) went by with it as the newest."""
        with self._lock:
            assert self._lock.wait_for(lambda: self._looks >= times, timeout=10)


@pytest.fixture
def connection():
    """(the server's socket, the client's) over loopback; the client reads nothing until
    told, into a 4 KiB receive buffer."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(listener.getsockname())
        server, _ = listener.accept()
    server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, UNSENT_LIMIT)
    client.settimeout(5)
    yield server, client
    client.close()
    server.close()


@pytest.fixture
def frames():
    return Frames()


@pytest.fixture
def writer(frames):
    started = StreamWriter(frames, resend_interval=60.0)
    started.start()
    yield started
    started.stop()


def read_part(client):
    data = bytearray()
    while len(data) < PART_BYTES:
        chunk = client.recv(PART_BYTES - len(data))
        assert chunk, "the writer closed the stream"
        data += chunk
    return int.from_bytes(data[:8], "big")


def test_a_slow_viewer_gets_the_newest_frame_once_the_last_has_left(
    connection, frames, writer, monkeypatch
):
    # No tick to fall back on: the held-back viewer is served because its backlog is
    # looked at while it is held, not because the writer woke for something else.
    monkeypatch.setattr(stream_writer, "TICK_SECONDS", 600.0)
    server, client = connection
    server.settimeout(10)
    viewer = StreamViewer(server, chunked=False, last_seq=0)
    assert writer.add(viewer)
    frames.publish(1)
    assert wait_until(lambda: viewer.parts == 1)
    # The client reads nothing: part 1 is in the kernel, some of it not yet sent.
    assert kernel_backlog(server) > 0
    for seq in (2, 3):  # newer frames come; each has a whole turn of the writer's
        frames.publish(seq)
        frames.wait_looked_at()
    assert viewer.parts == 1, "a part was queued behind one the kernel had not sent"

    assert read_part(client) == 1
    assert read_part(client) == 3  # the newest, not the one that came while it waited
    assert viewer.parts == 2
    assert viewer.holds >= 2


def test_a_viewer_that_reads_nothing_is_let_go_while_held_back(connection, frames, writer):
    server, _ = connection
    server.settimeout(0.5)  # the server's write timeout, as the writer reads it
    viewer = StreamViewer(server, chunked=False, last_seq=0)
    assert writer.add(viewer)
    seq = 0
    while not viewer.done.is_set() and seq < 2000:  # frames keep coming, as they do
        seq += 1
        frames.publish(seq)
        viewer.done.wait(0.02)
    assert viewer.done.is_set(), "a viewer that never read was never let go"
    assert viewer.ended == "stalled"
    assert viewer.parts == 1


def test_a_viewer_that_keeps_up_is_never_held_back(connection, frames, writer):
    server, client = connection
    server.settimeout(10)
    viewer = StreamViewer(server, chunked=False, last_seq=0)
    assert writer.add(viewer)
    for seq in range(1, 31):
        frames.publish(seq)
        assert read_part(client) == seq  # every frame, each as it comes
    assert viewer.parts == 30
    assert viewer.holds == 0
    assert wait_until(lambda: kernel_backlog(server) == 0)


def test_a_socket_that_cannot_say_its_backlog_is_written_to_as_before(frames, writer):
    server, client = socket.socketpair()  # not TCP: the kernel has no such count for it
    with server, client:
        server.settimeout(10)
        client.settimeout(5)
        assert kernel_backlog(server) is None
        viewer = StreamViewer(server, chunked=False, last_seq=0)
        assert writer.add(viewer)
        for seq in (1, 2):
            frames.publish(seq)
            assert read_part(client) == seq


def test_a_new_viewer_waits_for_a_frame_newer_than_the_one_held(connection, frames, writer):
    """The hub's newest frame from before anyone watched (the slot's first_after) is
    stale: the viewer's first part is the next frame."""
    server, client = connection
    server.settimeout(10)
    frames.publish(1)  # rendered before this viewer came
    viewer = StreamViewer(server, chunked=False, last_seq=1)
    assert writer.add(viewer)
    frames.wait_looked_at()
    assert viewer.parts == 0
    frames.publish(2)
    assert read_part(client) == 2


def test_a_still_picture_held_from_before_goes_out_after_the_resend_interval(connection, frames):
    """No newer frame comes (a still screen): the one held is sent, once the interval
    after the viewer came has passed."""
    server, client = connection
    server.settimeout(10)
    writer = StreamWriter(frames, resend_interval=2.0)
    writer.start()
    try:
        frames.publish(1)
        viewer = StreamViewer(server, chunked=False, last_seq=1)
        assert writer.add(viewer)
        frames.wait_looked_at()
        assert viewer.parts == 0
        assert read_part(client) == 1
    finally:
        writer.stop()


def test_a_hold_after_a_long_still_picture_is_not_taken_for_a_stall(
    connection, frames, writer, monkeypatch
):
    """The stall clock starts with a hold: a part due long after the last one went out
    (a still picture, a low stream fps) finds the last one's bytes still draining, and
    that is not a viewer that took nothing for its timeout."""
    now = [1000.0]
    monkeypatch.setattr(stream_writer, "time", SimpleNamespace(monotonic=lambda: now[0]))
    server, client = connection
    server.settimeout(5)  # the write timeout, far shorter than the gap below
    viewer = StreamViewer(server, chunked=False, last_seq=0)
    assert writer.add(viewer)
    frames.publish(1)
    assert wait_until(lambda: viewer.parts == 1)
    now[0] += 100  # the next frame comes 100 s later; the client has read nothing yet
    frames.publish(2)
    frames.wait_looked_at()
    assert viewer.holds >= 1 and not viewer.done.is_set(), viewer.ended
    assert read_part(client) == 1
    assert read_part(client) == 2
