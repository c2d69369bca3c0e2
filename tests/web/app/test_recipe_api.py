"""POST /api/recipe over a real server (a file in, its curve out; uploads past the body
limit for this route alone), and the recipe in /snapshot.jpg's COM segment."""

import http.client
import io
import json
import socket
import struct
import sys
import threading
import time

import numpy as np
import pytest
import simplejpeg
from PIL import Image
from support import http_get, http_request, wait_until
from support.mirror import FrameFeeder, StaticControl
from support.mjpeg import MjpegReader, open_stream
from support.recipe_files import (
    gif_with_recipe,
    jpeg_with_recipe,
    mp4_with_recipe,
    padded_png,
    png_with_recipe,
    remuxed_mov,
)

from spirokiosk.display.curves import PRESETS, Curve
from spirokiosk.display.export.recipe import RECIPE_KEY, curve_from_recipe
from spirokiosk.display.export.svg import PlotterPage, plotter_svg
from spirokiosk.web.app import create_app
from spirokiosk.web.app.snapshot_recipe import with_comment
from spirokiosk.web.server import WebServer
from spirokiosk.web.server.gate import RequestLimits

CURVE = PRESETS["gears-96-52"]
ON_SCREEN = PRESETS["seed-magma-11"]
UPLOAD_LIMIT = 8 * 1024 * 1024
LIMITS = RequestLimits(request_seconds=1.0, upload_bytes=UPLOAD_LIMIT)


@pytest.fixture
def control():
    c = StaticControl()
    c.data["curve"] = ON_SCREEN.to_dict()
    return c


def serve(hub, control, limits=LIMITS, upload=UPLOAD_LIMIT):
    app = create_app(hub, control, snapshot_timeout=2.0, max_upload_bytes=upload)
    server = WebServer(app, bind="127.0.0.1", port=0, limits=limits)
    server.start()
    return server


@pytest.fixture
def server(hub, control):
    server = serve(hub, control)
    yield server
    server.stop()


def post_file(server, data: bytes, query: str = "", content_type="application/octet-stream"):
    status, headers, body = http_request(
        server.port,
        "POST",
        "/api/recipe" + query,
        body=data,
        headers={"Content-Type": content_type},
    )
    return status, headers, json.loads(body)


def send_raw(server, path: str, content_type: str, body: bytes, sent: int = 1000) -> bytes:
    """POST only the head and `sent` bytes of `body`; the answer, read until closed."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: k\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode() + body[:sent])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    ("make", "query"),
    [
        (png_with_recipe, ""),
        (gif_with_recipe, ""),
        (jpeg_with_recipe, ""),
        (mp4_with_recipe, "?name=clip.mp4"),
        (lambda c: remuxed_mov(mp4_with_recipe(c)), "?name=clip.mov"),  # ffmpeg -c copy
        (lambda c: plotter_svg(c, PlotterPage()).encode(), ""),
        (lambda c: json.dumps(c.to_dict()).encode(), "?name=curve.json"),
    ],
    ids=["png", "gif", "jpeg", "mp4", "mov", "svg", "json"],
)
def test_a_file_gives_its_curve(server, make, query):
    status, _, answer = post_file(server, make(CURVE), query)
    assert status == 200, answer
    assert Curve.from_dict(answer["curve"]) == CURVE


def test_a_body_sent_as_curl_sends_it_is_the_file(server):
    # curl --data-binary @snapshot.jpg: a form's Content-Type, the file's bytes
    form = "application/x-www-form-urlencoded"
    status, _, answer = post_file(server, jpeg_with_recipe(CURVE), "", form)
    assert status == 200 and Curve.from_dict(answer["curve"]) == CURVE


def test_a_toml_file_is_named_by_its_file_name(server):
    toml = b'[[wheels]]\nfreq = 1\nwidth = "1"\n[[wheels]]\nfreq = -5\nwidth = "0.5"\n'
    status, _, answer = post_file(server, toml, "?name=star%20five.toml", "application/toml")
    assert status == 200, answer
    assert answer["curve"]["name"] == "star five"


def test_a_toml_nested_too_deeply_gets_400_naming_it(server):
    # tomllib recurses once per nested array or inline table: past the recursion limit
    deep = b"[curve]\nfreqs = " + b"[" * 3000 + b"]" * 3000 + b"\n"
    status, _, answer = post_file(server, deep, "?name=deep.toml", "application/toml")
    assert status == 400
    assert answer["errors"] == ["file: not valid TOML (arrays or tables nested too deeply)"]


def test_an_upload_past_the_body_limit_is_read_on_this_route_only(server):
    big = padded_png(png_with_recipe(CURVE), 5 * 1024 * 1024)
    status, _, answer = post_file(server, big)
    assert status == 200, answer
    assert Curve.from_dict(answer["curve"]) == CURVE
    answer = send_raw(server, "/api/curve", "application/json", big)
    assert answer.startswith(b"HTTP/1.1 413 ")  # refused unread, the connection closed


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (bytes(range(256)) * 4, 400, "file: not a PNG, GIF, JPEG, MP4, SVG, JSON or TOML file"),
        (b"", 400, "file: empty; expected a PNG, GIF, JPEG, MP4, SVG, JSON or TOML file"),
        (None, 400, "file: a PNG without a spirokiosk recipe (not made by spirokiosk?)"),
        (b'{"wheels": "many"}', 400, "wheels: "),
    ],
)
def test_bad_files_get_400_naming_the_field(server, data, status, error):
    data = png_with_recipe(None) if data is None else data
    got, _, answer = post_file(server, data)
    assert got == status
    assert answer["errors"][0].startswith(error), answer


def test_an_mp4_opens_on_a_kiosk_without_pyav(server, monkeypatch):
    data = mp4_with_recipe(CURVE)
    monkeypatch.setitem(sys.modules, "av", None)  # the server's threads: `import av` fails
    status, _, answer = post_file(server, data, "?name=clip.mp4", "video/mp4")
    assert status == 200, answer
    assert Curve.from_dict(answer["curve"]) == CURVE


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


FTYP = box(b"ftyp", b"isom\0\0\2\0isomiso2mp41")
FREE = struct.pack(">I4s", 8, b"free")
COMMENT_PATH = (b"moov", b"udta", b"meta", b"ilst", b"\xa9cmt", b"data")


def hostile_mp4(kind: str) -> bytes:
    recipe = f"{RECIPE_KEY}:{json.dumps(CURVE.to_dict())}".encode()
    if kind == "flat":  # 7 MiB of empty boxes before the moov
        return FTYP + FREE * (7 * 1024 * 128) + box(b"moov", b"")
    if kind == "nested":  # moov in moov in moov ..., 7 MiB deep
        levels = 7 * 1024 * 128
        return FTYP + b"".join(
            struct.pack(">I4s", 8 * (levels - i), b"moov") for i in range(levels)
        )
    if kind == "huge-data":  # a 7 MiB recipe where the comment goes
        inner = b"\0\0\0\1\0\0\0\0" + recipe + b" " * (7 * 1024 * 1024)
        for name in reversed(COMMENT_PATH):
            inner = box(name, (bytes(4) if name == b"meta" else b"") + inner)
        return FTYP + inner
    whole = FTYP + box(b"moov", box(b"udta", b""))  # "past-the-end": its moov claims 4 GiB
    return whole[: len(FTYP)] + struct.pack(">I", 2**32 - 1) + whole[len(FTYP) + 4 :]


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("flat", "file: not a readable MP4 (more than 10000 boxes before the recipe)"),
        ("nested", "file: an MP4 without a spirokiosk recipe (not made by spirokiosk?)"),
        ("huge-data", "recipe: larger than 64 KiB"),
        ("past-the-end", "file: not a readable MP4 (the 'moov' box runs past the end of the file)"),
    ],
    ids=["flat", "nested", "huge-data", "past-the-end"],
)
def test_a_hostile_mp4_gets_400_and_the_kiosk_reads_on(server, kind, error):
    status, _, answer = post_file(server, hostile_mp4(kind), "?name=clip.mp4", "video/mp4")
    assert (status, answer["errors"]) == (400, [error])
    status, _, answer = post_file(server, mp4_with_recipe(CURVE), "", "video/mp4")
    assert status == 200 and Curve.from_dict(answer["curve"]) == CURVE


def test_a_form_is_refused_with_415(server):
    status, _, answer = post_file(
        server, b"--x\r\n\r\n--x--", "", "multipart/form-data; boundary=x"
    )
    assert status == 415
    assert answer["errors"][0].startswith("file: send the file itself as the body")


def test_an_over_size_file_gets_413_unread(server):
    too_big = padded_png(png_with_recipe(CURVE), UPLOAD_LIMIT)
    # Only the head and 1000 bytes are sent: an answer at all (within the client's 5 s,
    # not the server's read timeout's 400) is one given without the rest.
    answer = send_raw(server, "/api/recipe", "image/png", too_big)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"file: larger than 8 MiB" in answer


@pytest.mark.parametrize(("limit", "said"), [(96 * 1024, "96 KiB"), (100_000, "100000 bytes")])
def test_the_upload_limit_is_said_in_its_largest_whole_unit(hub, control, limit, said):
    # The same wording as the curve API's body limit (api.byte_size, for both routes).
    server = serve(hub, control, RequestLimits(request_seconds=1.0, upload_bytes=limit), limit)
    try:
        answer = send_raw(server, "/api/recipe", "image/png", bytes(limit + 1))
    finally:
        server.stop()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert json.loads(body)["errors"] == [f"file: larger than {said}"]


def test_a_chunked_file_is_held_to_the_same_limit(server):
    # No Content-Length to refuse it by: read up to one byte past the limit, then 413.
    png = png_with_recipe(CURVE)
    for size, status in ((UPLOAD_LIMIT, 200), (UPLOAD_LIMIT + 1, 413)):
        data = padded_png(png, size - len(png) - 12)  # (a chunk's length, type and CRC)
        assert len(data) == size
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            chunks = (data[i : i + 4096] for i in range(0, size, 4096))
            headers = {"Content-Type": "image/png"}
            conn.request("POST", "/api/recipe", chunks, headers, encode_chunked=True)
            response = conn.getresponse()
            answer = json.loads(response.read())
        finally:
            conn.close()
        assert response.status == status, answer
    assert answer["errors"] == ["file: larger than 8 MiB"]


def test_a_file_shorter_than_its_content_length_gets_400(server):
    data = padded_png(png_with_recipe(CURVE), 100 * 1024)  # over body_bytes: the app reads it
    answer = send_raw(server, "/api/recipe", "image/png", data, sent=1000)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in head
    assert json.loads(body)["errors"] == [
        "file: shorter than its Content-Length (nothing more came in time)"
    ]


def test_a_slow_upload_gets_time_by_its_length(hub, control):
    # 1 s for a request, plus 1 s per 256 KiB: 512 KiB sent over 1.5 s is on time.
    limits = RequestLimits(request_seconds=1.0, upload_bytes=UPLOAD_LIMIT)
    limits = RequestLimits(**{**limits.__dict__, "upload_bytes_per_second": 256 * 1024})
    server = serve(hub, control, limits)
    try:
        data = padded_png(png_with_recipe(CURVE), 512 * 1024)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            head = (
                "POST /api/recipe HTTP/1.1\r\nHost: k\r\nContent-Type: image/png\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
            )
            sock.sendall(head.encode() + data[: len(data) // 2])
            time.sleep(1.5)  # the client is slow: past request_seconds, within its upload time
            sock.sendall(data[len(data) // 2 :])
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    finally:
        server.stop()


def test_uploads_at_once_are_bounded_and_the_rest_told_to_retry(server):
    # 4 MiB: the slow two are given 17 s (1 + 4 MiB at 256 KiB/s), far past the wait below
    data = padded_png(png_with_recipe(CURVE), 4 * 1024 * 1024)
    head = (
        "POST /api/recipe HTTP/1.1\r\nHost: k\r\nContent-Type: image/png\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    slow = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(2)]
    try:
        for sock in slow:
            sock.sendall(head + data[:1000])  # being read, the rest still to come
        answers = []

        def third_is_refused():
            answers.append(post_file(server, png_with_recipe(CURVE)))
            return answers[-1][0] == 503

        try:
            wait_until(third_is_refused, timeout=10.0, interval=0.05)
        except AssertionError:
            raise AssertionError(f"answers: {[a[:1] + a[2:] for a in answers[-3:]]}") from None
        _, headers, answer = answers[-1]
        assert headers["Retry-After"] == "5"
        assert answer["errors"] == [
            "file: the kiosk is reading other files just now; try again in a moment"
        ]
        for sock in slow:
            sock.sendall(data[1000:])
            assert sock.recv(12) == b"HTTP/1.1 200"
        assert post_file(server, png_with_recipe(CURVE))[0] == 200  # the places are free again
    finally:
        for sock in slow:
            sock.close()


# -- the snapshot's recipe ----------------------------------------------------------------


def test_the_snapshot_carries_the_curve_on_screen(server, hub):
    with FrameFeeder(hub, size=(96, 64)):
        status, headers, jpeg = http_get(server.port, "/snapshot.jpg")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and image.size == (96, 64)
        comment = image.info["comment"]
        image.load()  # the picture still decodes whole
    assert comment.startswith(RECIPE_KEY.encode() + b":")
    assert curve_from_recipe(comment) == ON_SCREEN
    assert simplejpeg.decode_jpeg(jpeg).shape == (64, 96, 3)
    # dropped back on the studio, it opens that curve
    status, _, answer = post_file(server, jpeg, "", "image/jpeg")
    assert status == 200 and Curve.from_dict(answer["curve"]) == ON_SCREEN


def test_the_stream_parts_carry_no_recipe(server, hub):
    with FrameFeeder(hub, size=(96, 64)):
        conn, response = open_stream("127.0.0.1", server.port)
        try:
            part = MjpegReader(response).read_part()
        finally:
            conn.close()
    assert RECIPE_KEY.encode() not in part.jpeg


def test_no_curve_no_comment(server, hub, control):
    control.data["curve"] = None
    with FrameFeeder(hub, size=(96, 64)):
        status, _, jpeg = http_get(server.port, "/snapshot.jpg")
    assert status == 200
    with Image.open(io.BytesIO(jpeg)) as image:
        assert "comment" not in image.info


def test_the_comment_goes_after_the_jfif_segment():
    jpeg = simplejpeg.encode_jpeg(np.zeros((8, 8, 3), dtype=np.uint8))
    spliced = with_comment(jpeg, b"hello")
    assert jpeg[2:4] == b"\xff\xe0"  # simplejpeg writes JFIF's APP0 first
    app0_end = 4 + int.from_bytes(jpeg[4:6], "big")
    assert spliced[:app0_end] == jpeg[:app0_end]
    assert spliced[app0_end : app0_end + 9] == b"\xff\xfe\x00\x07hello"
    assert spliced[app0_end + 9 :] == jpeg[app0_end:]
    assert with_comment(b"not a jpeg", b"x") == b"not a jpeg"
    assert with_comment(jpeg, None) == jpeg


def test_concurrent_snapshot_and_uploads_do_not_disturb_each_other(server, hub):
    errors = []

    def upload():
        try:
            status, _, _ = post_file(server, gif_with_recipe(CURVE))
            if status not in (200, 503):
                errors.append(status)
        except Exception as exc:
            errors.append(exc)

    with FrameFeeder(hub, size=(96, 64)):
        threads = [threading.Thread(target=upload) for _ in range(4)]
        for t in threads:
            t.start()
        assert http_get(server.port, "/snapshot.jpg")[0] == 200
        for t in threads:
            t.join()
    assert errors == []


def test_the_studio_page_says_the_upload_limit(server):
    status, _, html = http_get(server.port, "/studio")
    assert status == 200
    assert b'id="recipe-file" type="file"' in html
    assert f'data-max-bytes="{UPLOAD_LIMIT}"'.encode() in html
