"""The Flask app through its test client: routes, headers, page, status, slot release."""

import json
import re

import pytest
import simplejpeg
from support.mirror import FrameFeeder
from support.mjpeg import MjpegReader

from spirokiosk.display.curves import PRESETS, Curve
from spirokiosk.web.app import NO_STORE_HEADERS
from spirokiosk.web.app.context import STATUS_KEYS
from spirokiosk.web.hub.mjpeg import CONTENT_TYPE


@pytest.fixture
def feeder(hub):
    with FrameFeeder(hub, size=(96, 64)) as f:
        yield f


def assert_no_store(response):
    for name, value in NO_STORE_HEADERS.items():
        assert response.headers[name] == value


def test_page_shows_stream_snapshot_and_curve(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert_no_store(response)
    html = response.get_data(as_text=True)
    assert 'src="/stream.mjpg"' in html
    assert 'href="/snapshot.jpg"' in html
    assert "/static/spirokiosk.js" in html
    embedded = re.search(
        r'<script id="initial-status" type="application/json">(.*?)</script>', html
    )
    status = json.loads(embedded.group(1))
    assert status["curve"]["name"] == "seed-magma-11"
    assert status["curve_info"]["symmetry"] == list(PRESETS["seed-magma-11"].symmetry)


def test_status_has_every_documented_key(client, control):
    control.data.update(fps=59.5, frames_rendered=1234, uptime_s=12.5)
    response = client.get("/api/status")
    assert response.status_code == 200
    assert_no_store(response)
    status = response.get_json()
    assert set(STATUS_KEYS) <= set(status)
    assert status["fps"] == 59.5 and status["frames_rendered"] == 1234
    assert status["max_viewers"] == 2 and status["viewers"] == 0
    assert status["camera"] == {"source": "none", "state": "off"}
    curve = Curve.from_dict(status["curve"])
    assert curve == PRESETS["seed-magma-11"]
    info = status["curve_info"]
    assert info["symmetry"] == list(curve.symmetry)
    assert len(info["wheels"]) == len(curve.wheels)
    assert info["wheels"][7]["width"]["angle_deg"] == 90.0  # "0.125j": a quarter turn ahead


def test_status_without_a_curve_or_with_a_bad_one(client, control):
    control.data.pop("curve")
    control.data.pop("mode")
    status = client.get("/api/status").get_json()
    assert status["curve"] is None and status["mode"] is None and status["curve_info"] is None
    control.data["curve"] = {"wheels": [{"freq": 0, "width": "1", "height": "1"}]}
    status = client.get("/api/status").get_json()
    assert "wheels[0].freq" in status["curve_info"]["error"]
    assert client.get("/").status_code == 200


def test_healthz_follows_the_render_loop(client, control):
    response = client.get("/healthz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")
    assert_no_store(response)
    control.alive = False
    assert client.get("/healthz").status_code == 503


def test_snapshot_when_nobody_streams(client, feeder):
    response = client.get("/snapshot.jpg")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert_no_store(response)
    assert simplejpeg.decode_jpeg(response.get_data()).shape == (64, 96, 3)
    assert re.fullmatch(r"\d+\.\d{6}", response.headers["X-Timestamp"])


def test_snapshot_without_frames_is_503_with_retry_after(client):
    response = client.get("/snapshot.jpg")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"


def test_stream_over_the_cap_is_503_with_a_short_page(client, hub):
    held = [hub.acquire_viewer(), hub.acquire_viewer()]
    response = client.get("/stream.mjpg")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    assert "at most 2 viewers" in response.get_data(as_text=True)
    assert_no_store(response)
    for slot in held:
        slot.release()


def test_cap_is_held_to_the_server_capacity(app, client, hub):
    hub.set_capacity(1)  # the server's pool was sized for one stream
    held = hub.acquire_viewer()
    response = client.get("/stream.mjpg")
    assert response.status_code == 503
    assert "at most 1 viewer " in response.get_data(as_text=True)
    assert client.get("/api/status").get_json()["max_viewers"] == 1
    held.release()


def test_stream_releases_its_slot_when_closed(client, hub, feeder):
    response = client.get("/stream.mjpg", buffered=False)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE
    assert_no_store(response)
    assert hub.stats().viewers == 1
    chunks = iter(response.response)

    class Body:  # a file-like view of the streamed chunks for the strict reader
        buffer = b""

        def _fill(self):
            self.buffer += next(chunks)

        def readline(self, limit):
            while b"\n" not in self.buffer:
                self._fill()
            line, _, self.buffer = self.buffer.partition(b"\n")
            return line + b"\n"

        def read(self, n):
            while len(self.buffer) < n:
                self._fill()
            data, self.buffer = self.buffer[:n], self.buffer[n:]
            return data

    reader = MjpegReader(Body())
    for _ in range(3):
        assert simplejpeg.decode_jpeg(reader.read_part().jpeg).shape == (64, 96, 3)
    response.close()
    assert hub.stats().viewers == 0


def test_head_of_stream_frees_its_slot(client, hub):
    response = client.head("/stream.mjpg")
    assert response.status_code == 200
    response.close()
    assert hub.stats().viewers == 0


def test_static_assets_are_served(client):
    for name in ("spirokiosk.js", "spirokiosk.css", "favicon.svg"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        response.close()
