"""/stream.mjpg over real HTTP on loopback, against the running cheroot server.

Every wait is bounded: sockets have timeouts and polling loops have deadlines.
"""

import contextlib
import gc
import itertools
import logging
import os
import re
import socket
import struct
import threading
import time

import pytest
import simplejpeg
from support import http_get, http_request, wait_until
from support.mirror import Mirror
from support.mjpeg import MjpegReader, StreamEndedError, Throttled, median, open_stream

from spirokiosk.web.app import NO_STORE_HEADERS
from spirokiosk.web.hub.mjpeg import CONTENT_TYPE


@pytest.fixture
def mirror():
    started = []

    def start(**options):
        m = Mirror(**options)
        started.append(m)
        return m

    yield start
    for m in reversed(started):
        m.close()


class Viewer(threading.Thread):
    """Reads parts in a thread until `parts` are read or `seconds` pass; decodes every JPEG."""

    def __init__(self, port, parts=None, seconds=None, rate=None, rcvbuf=None, stop=None):
        super().__init__(name="test-viewer", daemon=True)
        self.port, self.parts, self.seconds = port, parts, seconds
        self.stop = stop or threading.Event()  # set: it ends after the part it is reading
        self.rate, self.rcvbuf = rate, rcvbuf
        self.received = []  # (X-Timestamp, header receipt time, end-of-part time)
        self.error = None
        self.started_reading = threading.Event()

    def run(self):
        conn = None
        try:
            conn, response = open_stream("127.0.0.1", self.port, timeout=5, rcvbuf=self.rcvbuf)
            assert response.status == 200
            body = Throttled(response, self.rate) if self.rate else response
            reader = MjpegReader(body)
            deadline = time.monotonic() + (self.seconds or 30)
            while (
                time.monotonic() < deadline
                and not self.stop.is_set()
                and (self.parts is None or len(self.received) < self.parts)
            ):
                part = reader.read_part()
                assert simplejpeg.decode_jpeg(part.jpeg).ndim == 3
                self.received.append((part.timestamp, part.received_at, time.time()))
                self.started_reading.set()
        except Exception as exc:  # reported by check()
            self.error = exc
        finally:
            self.started_reading.set()
            if conn is not None:
                conn.close()

    def check(self):
        self.join(40)
        assert not self.is_alive(), "viewer did not finish"
        if self.error:
            raise self.error
        return self.received


def distinct_frames(received):
    return sorted({stamp for stamp, *_ in received})


def missed_frames(received, published):
    """Frames the feeder published between this viewer's first and last frame that it never got."""
    stamps = distinct_frames(received)  # X-Timestamp has microseconds: compare at that precision
    window = [round(s, 6) for s in published if stamps[0] <= round(s, 6) <= stamps[-1]]
    return len(set(window) - set(stamps)), len(window)


def raw_request(port, path="/stream.mjpg", rcvbuf=None, timeout=5):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return sock


def reset_close(sock):
    """Close with an RST, like a browser tab killed mid-stream."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def open_fds():
    return len(os.listdir("/proc/self/fd"))


# -- framing and headers -------------------------------------------------------


def test_headers_framing_and_rising_timestamps(mirror):
    m = mirror(stream_fps=30)
    conn, response = open_stream("127.0.0.1", m.port)
    try:
        assert response.status == 200
        assert response.getheader("Content-Type") == CONTENT_TYPE
        for name, value in NO_STORE_HEADERS.items():
            assert response.getheader(name) == value
        reader = MjpegReader(response)
        stamps = []
        for _ in range(15):
            part = reader.read_part()
            assert list(part.headers) == ["Content-Type", "Content-Length", "X-Timestamp"]
            assert re.fullmatch(r"\d{10}\.\d{6}", part.headers["X-Timestamp"])
            assert simplejpeg.decode_jpeg(part.jpeg).shape == (240, 320, 3)
            stamps.append(part.timestamp)
        assert all(b > a for a, b in itertools.pairwise(stamps))
        assert abs(time.time() - stamps[-1]) < 5
    finally:
        conn.close()


def test_each_part_is_written_whole_with_the_next_boundary(mirror):
    """HTTP/1.0: no chunking, so the raw bytes show the part and the boundary arriving together."""
    m = mirror()
    sock = socket.create_connection(("127.0.0.1", m.port), timeout=5)
    try:
        sock.sendall(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")
        data = b""
        while data.count(b"--frame\r\n") < 4:
            chunk = sock.recv(65536)
            assert chunk, "stream ended"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        assert b"multipart/x-mixed-replace; boundary=frame" in head
        assert body.startswith(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ")
        parts = body.split(b"\r\n--frame\r\n")
        first = parts[0].removeprefix(b"--frame\r\n")
        headers, _, jpeg = first.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", headers).group(1))
        assert len(jpeg) == length and jpeg.startswith(b"\xff\xd8") and jpeg.endswith(b"\xff\xd9")
    finally:
        sock.close()


# -- rates and fairness ----------------------------------------------------------


def test_several_clients_all_get_the_full_rate(mirror):
    m = mirror(stream_fps=30)
    viewers = [Viewer(m.port, seconds=1.5) for _ in range(4)]
    for v in viewers:
        v.start()
    for v in viewers:
        received = v.check()
        missed, window = missed_frames(received, m.feeder.timestamps)
        assert window >= 25, "the feeder should publish ~45 frames in 1.5 s"
        assert missed <= window * 0.15, f"a viewer missed {missed} of {window} frames"
    assert m.hub.stats().frames_encoded <= m.feeder.published  # one encode per frame


def test_slow_client_gets_fresh_frames_and_does_not_slow_the_others(mirror):
    # ~12 kB frames at 30 fps: ~360 kB/s, so a 100 kB/s reader must skip frames.
    m = mirror(stream_fps=30, frame_size=(480, 360))
    slow = Viewer(m.port, seconds=4.0, rate=100_000, rcvbuf=4096)
    slow.start()
    assert slow.started_reading.wait(10)
    fast = Viewer(m.port, seconds=2.0)
    fast.start()
    fast_received = fast.check()
    slow_received = slow.check()

    missed, window = missed_frames(fast_received, m.feeder.timestamps)
    assert missed <= window * 0.15, f"the fast viewer missed {missed} of {window} frames"

    later = slow_received[len(slow_received) // 3 :]  # after the connection warmed up
    assert len(later) >= 5
    header_ages = [received - stamp for stamp, received, _ in later]
    assert median(header_ages) < 1.0, f"frame ages {header_ages}"
    assert max(header_ages) < 1.5, f"frame ages {header_ages}"
    # It skipped frames rather than queueing them: far fewer frames than published.
    missed, window = missed_frames(slow_received, m.feeder.timestamps)
    assert missed > window / 3


def test_slots_are_capped_and_freed(mirror):
    m = mirror(max_viewers=2)
    held = [open_stream("127.0.0.1", m.port) for _ in range(2)]
    try:
        for _, response in held:
            assert response.status == 200
            MjpegReader(response).read_part()
        status, headers, body = http_get(m.port, "/stream.mjpg")
        assert status == 503
        assert int(headers["Retry-After"]) > 0
        assert headers["Content-Type"].startswith("text/html")
        assert b"at most 2 viewers" in body
    finally:
        held[0][0].close()
    # The closed client is noticed at its next write and its slot freed.
    assert wait_until(lambda: m.hub.stats().viewers == 1)
    conn, response = open_stream("127.0.0.1", m.port)
    try:
        assert response.status == 200
        MjpegReader(response).read_part()
    finally:
        conn.close()
        held[1][0].close()
    assert wait_until(lambda: m.hub.stats().viewers == 0)


def test_page_and_status_answer_while_ten_streams_run(mirror):
    m = mirror(max_viewers=10, stream_fps=30)
    # The streams run until told to end (30 s at most): a starved server would answer
    # the page only once one had ended.
    stop = threading.Event()
    viewers = [Viewer(m.port, seconds=30.0, stop=stop) for _ in range(10)]
    for v in viewers:
        v.start()
    try:
        for v in viewers:
            assert v.started_reading.wait(10)
        assert m.hub.stats().viewers == 10
        for path in ("/", "/api/status", "/healthz", "/", "/api/status"):
            status, _, _ = http_get(m.port, path, timeout=10.0)
            assert status == 200, path
            assert m.hub.stats().viewers == 10, f"{path} was answered only after a stream ended"
        assert b'"viewers":10' in http_get(m.port, "/api/status")[2]
        assert all(v.is_alive() for v in viewers), "a stream ended while the others were answered"
        assert wait_until(lambda: all(len(v.received) > 10 for v in viewers), timeout=10)
    finally:
        stop.set()
    for v in viewers:
        assert len(v.check()) > 10


# -- still pictures and idling -----------------------------------------------------


def test_still_picture_is_resent_every_second(mirror):
    m = mirror(max_frames=1)  # the render loop publishes one frame, then nothing changes
    conn, response = open_stream("127.0.0.1", m.port, timeout=3)
    try:
        reader = MjpegReader(response)
        parts = [reader.read_part() for _ in range(3)]
    finally:
        conn.close()
    assert len({p.timestamp for p in parts}) == 1
    gaps = [b.received_at - a.received_at for a, b in itertools.pairwise(parts)]
    assert all(gap < 1.5 for gap in gaps), gaps
    assert m.hub.stats().frames_encoded == 1


def test_nothing_is_encoded_while_nobody_watches(mirror):
    m = mirror()
    wait_until(lambda: m.feeder.ticks >= 60)  # the feeder has asked 60 times for a frame
    assert m.feeder.published == 0
    assert m.hub.stats().frames_encoded == 0
    conn, response = open_stream("127.0.0.1", m.port)
    MjpegReader(response).read_part()
    conn.close()
    assert wait_until(lambda: m.hub.stats().viewers == 0)
    encoded, ticks = m.hub.stats().frames_encoded, m.feeder.ticks
    wait_until(lambda: m.feeder.ticks >= ticks + 60)
    assert m.hub.stats().frames_encoded <= encoded + 1  # at most one frame already in flight


def test_snapshot_over_http_while_nobody_streams(mirror):
    m = mirror(frame_size=(200, 100))
    status, headers, body = http_get(m.port, "/snapshot.jpg", timeout=5)
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == NO_STORE_HEADERS["Cache-Control"]
    assert simplejpeg.decode_jpeg(body).shape == (100, 200, 3)


# -- misbehaving clients -------------------------------------------------------------


def test_stalled_client_is_dropped_after_the_write_timeout(mirror, caplog):
    m = mirror(frame_size=(480, 360), write_timeout_seconds=1.0)
    sock = raw_request(m.port, rcvbuf=4096)  # asks, then never reads
    try:
        with caplog.at_level(logging.INFO, "spirokiosk.web.app.stream"):
            assert wait_until(lambda: m.hub.stats().viewers == 1)
            assert wait_until(lambda: m.hub.stats().viewers == 0, timeout=8)
        # Dropped for what the write timeout says, the client still connected.
        dropped = [r for r in caplog.messages if "dropped (it took nothing for 1 s)" in r]
        assert len(dropped) == 1, caplog.messages
        assert "left" not in dropped[0]
        status, _, _ = http_get(m.port, "/api/status")
        assert status == 200
    finally:
        sock.close()


def test_a_viewer_that_hangs_up_is_logged_as_left_with_its_frames(mirror, caplog):
    m = mirror(frame_size=(160, 120))
    with caplog.at_level(logging.INFO, "spirokiosk.web.app.stream"):
        conn, response = open_stream("127.0.0.1", m.port, timeout=5)
        reader = MjpegReader(response)
        for _ in range(3):
            reader.read_part()
        conn.close()
        assert wait_until(lambda: m.hub.stats().viewers == 0)
        assert wait_until(lambda: any("left after" in r for r in caplog.messages))
    (line,) = [r for r in caplog.messages if " after " in r and "viewer 127.0.0.1" in r]
    assert re.search(r"viewer 127\.0\.0\.1 left after [0-9.]+ s and (\d+) frames", line)
    assert int(re.search(r"and (\d+) frames", line).group(1)) >= 3
    assert "dropped" not in line


def test_connect_abort_cycles_leak_nothing(mirror):
    m = mirror(stream_fps=60, max_viewers=10, frame_size=(160, 120))

    def cycle(i):
        sock = raw_request(m.port)
        try:
            if i % 4 == 0:
                return None  # gone before the answer
            data = sock.recv(4096)
            if i % 4 == 1 or not data.startswith(b"HTTP/1.1 200"):
                return data[:12]
            while b"\r\n--frame\r\n" not in data.partition(b"Content-Length")[2]:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data[:12]
        finally:
            if i % 2:
                reset_close(sock)
            else:
                sock.close()

    cycle(1)  # warm up lazily created things before counting
    assert wait_until(lambda: m.hub.stats().viewers == 0)
    threads, fds = threading.active_count(), open_fds()

    statuses = [cycle(i) for i in range(200)]
    answered = [s for s in statuses if s]
    assert all(s in (b"HTTP/1.1 200", b"HTTP/1.1 503") for s in answered), set(answered)
    # 503s are expected: aborted streams hold their slot until noticed (within a frame),
    # and these cycles run far faster than that.
    assert sum(s == b"HTTP/1.1 200" for s in answered) >= 25

    assert wait_until(lambda: m.hub.stats().viewers == 0, timeout=10)
    assert wait_until(lambda: open_fds() <= fds, timeout=10), (open_fds(), fds)
    assert threading.active_count() == threads
    assert http_get(m.port, "/healthz")[0] == 200


def test_closed_connections_are_freed_without_the_cyclic_gc(mirror):
    from spirokiosk.web.server.cheroot_server import _Connection

    m = mirror(frame_size=(160, 120))

    def live_connections() -> int:
        return sum(isinstance(o, _Connection) for o in gc.get_objects())

    assert http_get(m.port, "/api/status")[0] == 200
    gc.collect()
    gc.disable()  # only reference counting frees anything now
    try:
        for _ in range(30):
            assert http_get(m.port, "/api/status")[0] == 200
        # the server has closed them all (a connection is counted until it is closed)
        wait_until(lambda: m.server._server.connections_from("127.0.0.1") == 0)
        before = live_connections()
        gc.collect()
        # nothing was waiting for the cyclic GC (cheroot's per-connection cycles are cut)
        assert before - live_connections() <= 2, (before, live_connections())
    finally:
        gc.enable()


def test_a_stream_the_server_ends_closes_with_the_close_delimiter(mirror):
    m = mirror(frame_size=(160, 120))
    conn, response = open_stream("127.0.0.1", m.port)
    reader = MjpegReader(response)
    reader.read_part()
    ended = threading.Event()

    def read_to_the_end():
        with contextlib.suppress(StreamEndedError):
            while True:
                reader.read_part()
        ended.set()  # only a proper end sets it: a bare EOF or a reset raises past it

    thread = threading.Thread(target=read_to_the_end, name="test-reader", daemon=True)
    thread.start()
    m.server.stop()
    assert ended.wait(5), "the stream did not end with --frame--"
    conn.close()


def test_head_of_the_stream_takes_no_place_and_logs_no_visit(mirror, caplog):
    m = mirror(max_viewers=1)
    with caplog.at_level(logging.INFO, "spirokiosk.web.app.stream"):
        status, headers, body = http_request(m.port, "HEAD", "/stream.mjpg")
    assert status == 200 and headers["Content-Type"].startswith("multipart/x-mixed-replace")
    assert body == b""
    assert m.hub.stats().viewers == 0
    assert not [r for r in caplog.records if "viewer" in r.getMessage()]
    slot = m.hub.acquire_viewer()  # the one place is taken: HEAD says what GET would
    try:
        status, headers, _ = http_request(m.port, "HEAD", "/stream.mjpg")
        assert status == 503 and int(headers["Retry-After"]) > 0
    finally:
        slot.release()
