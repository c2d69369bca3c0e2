"""POST /api/curve and GET /api/presets: a viewer asks for the next curve.

Through the Flask test client with web.testing's StaticControl (it records what it was
asked to play), and once over real HTTP against a running Mirror.
"""

import http.client
import json
import socket

import pytest
from support.mirror import Mirror

from spirokiosk.display.curves import PRESETS, SHAPES, Curve, random_curve
from spirokiosk.web.app import curve_requests as curve_request
from spirokiosk.web.app.api import byte_size
from spirokiosk.web.app.curve_info import describe_curve
from spirokiosk.web.app.curve_requests import MAX_LIVE_POINTS, curve_from_request, live_points


def post(client, body, **kwargs):
    return client.post("/api/curve", json=body, **kwargs)


def assert_json_error(response, status, field):
    """The documented error shape, no-store, and `field` named at the start of an error."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    doc = response.get_json()
    assert isinstance(doc["error"], str) and isinstance(doc["errors"], list)
    assert any(e.startswith(f"{field}: ") for e in doc["errors"]), doc
    assert doc["error"] == "; ".join(doc["errors"])
    return doc


def assert_queued(response, control, expected: Curve):
    assert response.status_code == 202, response.get_data(as_text=True)
    assert "no-store" in response.headers["Cache-Control"]
    doc = response.get_json()
    assert doc["queued"] == expected.name
    assert Curve.from_dict(doc["curve"]) == expected
    assert control.queued == [expected]


# -- the three forms ---------------------------------------------------------------------


def test_a_preset_is_queued(client, control):
    assert_queued(post(client, {"preset": "gears-96-52"}), control, PRESETS["gears-96-52"])


def test_a_seeded_random_curve_is_that_seed(client, control):
    response = post(client, {"random": True, "seed": 123})
    assert_queued(response, control, random_curve(123))
    assert response.get_json()["queued"] == "random-123"


def test_random_with_shapes_follows_the_generator(client, control):
    shapes = ["square", "rhombus", "square"]
    response = post(client, {"random": True, "seed": 7, "shapes": shapes})
    expected = random_curve(7, shapes=("square", "rhombus"), exact_symmetry=False)
    assert_queued(response, control, expected)
    assert {w.shape for w in control.queued[0].wheels} <= {"square", "rhombus"}


def test_unseeded_random_curves_differ(client, control):
    first = post(client, {"random": True})
    second = post(client, {"random": True, "seed": None})
    assert first.status_code == second.status_code == 202
    assert first.get_json()["queued"] != second.get_json()["queued"]
    assert [c.name for c in control.queued] == [
        first.get_json()["queued"],
        second.get_json()["queued"],
    ]


def test_a_whole_curve_round_trips(client, control):
    curve = random_curve(5, shapes=("tetracuspid", "circle"), exact_symmetry=False)
    data = {**curve.to_dict(), "name": "mine"}
    response = post(client, data)
    assert_queued(response, control, Curve.from_dict(data))
    assert response.get_json()["curve"] == data


def test_an_unnamed_curve_gets_a_name(client, control):
    response = post(client, {"wheels": [{"freq": 1, "width": "1"}, {"freq": -4, "width": "0.3j"}]})
    assert response.status_code == 202
    assert response.get_json()["queued"] == control.queued[0].name == curve_request.UNNAMED


def test_charset_in_the_content_type_is_fine(client, control):
    response = client.post(
        "/api/curve",
        data=json.dumps({"preset": "gears-105-84"}).encode(),
        content_type="application/json; charset=utf-8",
    )
    assert_queued(response, control, PRESETS["gears-105-84"])


# -- refusals ------------------------------------------------------------------------------


def test_not_json_is_415(client, control):
    response = client.post("/api/curve", data="preset=gears-96-52", content_type="text/plain")
    doc = assert_json_error(response, 415, "Content-Type")
    assert "application/json" in doc["error"] and "text/plain" in doc["error"]
    response = client.post("/api/curve", data={"preset": "gears-96-52"})  # an HTML form post
    assert_json_error(response, 415, "Content-Type")
    assert control.queued == []


def test_a_body_over_64_kib_is_413(client, control):
    big = {"preset": "gears-96-52", "padding": "x" * (64 * 1024)}
    doc = assert_json_error(post(client, big), 413, "body")
    assert "64 KiB" in doc["error"]
    assert control.queued == []


def padded(body: dict, size: int) -> bytes:
    """`body` as JSON, padded with trailing whitespace (still valid JSON) to `size` bytes."""
    raw = json.dumps(body).encode()
    return raw + b" " * (size - len(raw))


def test_the_body_limit_is_64_kib_exactly(client, control):
    limit = 64 * 1024
    for size, status in ((limit, 202), (limit + 1, 413)):
        raw = padded({"preset": "gears-96-52"}, size)
        response = client.post("/api/curve", data=raw, content_type="application/json")
        assert response.status_code == status, size
    assert control.queued == [PRESETS["gears-96-52"]]


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"{", "Expecting property name"),
        (b"", "Expecting value"),
        (b"\xff\xfe\xfa", "not valid JSON"),
        (b"[" * 30000 + b"]" * 30000, "nested too deeply"),
    ],
)
def test_invalid_json_is_400(client, raw, detail):
    response = client.post("/api/curve", data=raw, content_type="application/json")
    doc = assert_json_error(response, 400, "body")
    assert doc["error"].startswith("body: not valid JSON (")
    assert detail in doc["error"]


@pytest.mark.parametrize("raw", ["[1, 2]", '"gears-96-52"', "null", "3"])
def test_a_body_that_is_not_an_object_is_400(client, raw):
    response = client.post("/api/curve", data=raw, content_type="application/json")
    assert_json_error(response, 400, "body")


def test_an_empty_object_says_what_to_send(client):
    doc = assert_json_error(post(client, {"colour": "red"}), 400, "body")
    assert '"preset"' in doc["error"]
    assert any(e.startswith("colour: unknown field") for e in doc["errors"])


def test_an_unknown_preset_suggests_names(client, control):
    doc = assert_json_error(post(client, {"preset": "gears-96-25"}), 400, "preset")
    assert doc["error"].startswith("preset: unknown preset 'gears-96-25' (did you mean ")
    assert "'gears-96-52'" in doc["error"]
    doc = assert_json_error(post(client, {"preset": "zzzz"}), 400, "preset")
    assert "/api/presets" in doc["error"]
    assert_json_error(post(client, {"preset": 3}), 400, "preset")
    assert control.queued == []


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "12", True, [1]])
def test_a_bad_seed_is_400(client, seed):
    doc = assert_json_error(post(client, {"random": True, "seed": seed}), 400, "seed")
    assert str(2**32 - 1) in doc["error"]


def test_the_largest_seed_is_fine(client, control):
    assert post(client, {"random": True, "seed": 2**32 - 1}).status_code == 202
    assert control.queued[0].name == f"random-{2**32 - 1}"


@pytest.mark.parametrize(
    ("shapes", "field", "hint"),
    [
        (["sqare"], "shapes[0]", "did you mean 'square'"),
        (["circle", 4], "shapes[1]", "circle"),
        ([], "shapes", "non-empty"),
        ("square", "shapes", "list"),
    ],
)
def test_bad_shapes_are_400(client, shapes, field, hint):
    doc = assert_json_error(post(client, {"random": True, "shapes": shapes}), 400, field)
    assert hint in doc["error"]


def test_random_must_be_true(client):
    assert_json_error(post(client, {"random": "yes"}), 400, "random")
    assert_json_error(post(client, {"seed": 4}), 400, "random")  # a seed alone: random missing


def test_random_reports_every_problem_at_once(client):
    doc = assert_json_error(
        post(client, {"random": True, "seed": -3, "shapes": ["x"]}), 400, "seed"
    )
    assert [e.split(":")[0] for e in doc["errors"]] == ["seed", "shapes[0]"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"preset": "gears-96-52", "seed": 3}, ["'preset'", "'seed'"]),
        ({"preset": "gears-96-52", "wheels": []}, ["'preset'", "'wheels'"]),
        ({"random": True, "line_width": 5}, ["'random'", "'line_width'"]),
        ({"preset": "x", "random": True}, ["'preset'", "'random'"]),
    ],
)
def test_mixing_forms_is_400(client, control, body, named):
    doc = assert_json_error(post(client, body), 400, "body")
    assert doc["error"].startswith("body: mixes a ")
    for key in named:
        assert key in doc["error"]
    assert control.queued == []


def test_unknown_fields_with_a_preset_are_named(client):
    doc = assert_json_error(post(client, {"preset": "gears-96-52", "presett": 1}), 400, "presett")
    assert "did you mean 'preset'" in doc["error"]


def test_a_bad_curve_lists_every_field(client, control):
    body = {
        "wheels": [
            {"freq": 0, "width": "1"},
            {"freq": 3, "width": "abc", "shape": "sqare"},
            {"freq": 2000, "width": 1},
        ],
        "colour_map": "no-such-map",
        "line_width": 100,
    }
    doc = assert_json_error(post(client, body), 400, "wheels[0].freq")
    fields = [e.split(":")[0] for e in doc["errors"]]
    assert fields == [
        "wheels[0].freq",
        "wheels[1].width",
        "wheels[1].height",  # the height defaults to the width
        "wheels[1].shape",
        "wheels[2].freq",
        "colour_map",
        "line_width",
    ]
    assert "did you mean 'square'" in doc["error"]
    assert control.queued == []


def test_too_many_wheels_is_400(client):
    body = {"wheels": [{"freq": i + 1, "width": "0.1"} for i in range(33)]}
    doc = assert_json_error(post(client, body), 400, "wheels")
    assert "at most 32" in doc["error"]


def test_a_long_name_is_400(client):
    body = {"wheels": [{"freq": 1, "width": "1"}], "name": "n" * 81}
    assert_json_error(post(client, body), 400, "name")


@pytest.mark.parametrize("name", ["bad\x00name", "lone \udc80", "two\nlines", "bell\x07"])
def test_a_name_the_screen_or_journal_cannot_show_is_400(client, control, name):
    # A NUL in a name once crashed the caption (and STATUS=) and stopped the service.
    raw = json.dumps({"wheels": [{"freq": 1, "width": "1"}], "name": name})
    response = client.post("/api/curve", data=raw, content_type="application/json")
    doc = assert_json_error(response, 400, "name")
    assert "printable characters only" in doc["error"]
    assert control.queued == []


@pytest.mark.parametrize(
    ("wheel", "field"),
    [
        ({"freq": 1, "width": 10**400}, "wheels[0].width"),  # once a 500 (OverflowError)
        ({"freq": 1, "width": 1, "height": -(10**400)}, "wheels[0].height"),
        ({"freq": 10**400, "width": 1}, "wheels[0].freq"),
    ],
)
def test_numbers_too_large_for_a_float_are_400_naming_the_field(client, wheel, field):
    raw = json.dumps({"wheels": [wheel]})
    response = client.post("/api/curve", data=raw, content_type="application/json")
    doc = assert_json_error(response, 400, field)
    assert len(doc["error"]) < 200  # the number is not echoed in full


@pytest.mark.parametrize(
    "raw",
    [
        '{"wheels": [{"freq": 1, "width": NaN}]}',
        '{"wheels": [{"freq": 1, "width": Infinity}]}',
        '{"wheels": [{"freq": 1, "width": 1}], "line_width": NaN}',
    ],
)
def test_nan_and_infinity_are_400(client, raw):
    response = client.post("/api/curve", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"]


# -- the density limit -------------------------------------------------------------------


def test_a_curve_too_dense_to_draw_live_is_400(client, control):
    # Valid for the model (32 wheels, |freq| <= 1000) but a tangle of ~half a million points.
    body = {
        "wheels": [{"freq": 1000 - 31 * i, "width": "0.5", "shape": "square"} for i in range(32)]
    }
    curve = Curve.from_dict(body)
    assert live_points(curve) > MAX_LIVE_POINTS
    doc = assert_json_error(post(client, body), 400, "wheels")
    assert "too dense to draw live" in doc["error"] and "1920x1080" in doc["error"]
    assert control.queued == []


def test_the_density_limit_is_at_the_bound(client, control, monkeypatch):
    curve = PRESETS["seed-magma-11"]
    points = live_points(curve)
    monkeypatch.setattr(curve_request, "MAX_LIVE_POINTS", points)
    assert post(client, curve.to_dict()).status_code == 202
    monkeypatch.setattr(curve_request, "MAX_LIVE_POINTS", points - 1)
    doc = assert_json_error(post(client, curve.to_dict()), 400, "wheels")
    assert f"{points:,}" in doc["error"]
    assert control.queued == [curve]


def test_every_preset_and_typical_random_curves_are_within_the_limit():
    for name, curve in PRESETS.items():
        assert live_points(curve) <= MAX_LIVE_POINTS, name
    for seed in range(20):
        assert live_points(random_curve(seed)) <= MAX_LIVE_POINTS, seed


def test_a_too_dense_seeded_random_curve_names_the_seed(monkeypatch):
    monkeypatch.setattr(curve_request, "MAX_LIVE_POINTS", 100)
    with pytest.raises(curve_request.CurveError) as caught:
        curve_from_request({"random": True, "seed": 9})
    assert caught.value.errors[0].startswith("seed: random-9 is too dense to draw live")


def test_an_unseeded_random_curve_draws_again_when_too_dense(monkeypatch):
    seeds = iter(range(1, 100))
    dense = random_curve(1, shapes=SHAPES, exact_symmetry=False)
    monkeypatch.setattr(curve_request, "MAX_LIVE_POINTS", live_points(dense) - 1)
    curve = curve_from_request(
        {"random": True, "shapes": list(SHAPES)}, new_seed=lambda: next(seeds)
    )
    assert curve.name != "random-1"
    assert live_points(curve) <= curve_request.MAX_LIVE_POINTS


# -- the queue -----------------------------------------------------------------------------


def test_a_full_queue_is_429_with_retry_after(client, control):
    control.accepting = False
    control.data["timing"] = {"draw_seconds": 20.0, "hold_seconds": 8.0, "fade_seconds": 2.0}
    response = post(client, {"preset": "gears-96-52"})
    assert_json_error(response, 429, "queue")
    assert response.headers["Retry-After"] == "28"
    control.data.pop("timing")
    response = post(client, {"preset": "gears-96-52"})
    assert int(response.headers["Retry-After"]) > 0


def test_requests_queue_in_order(client, control):
    for name in ("gears-96-30", "seed-rhombus-8", "gears-96-30"):
        assert post(client, {"preset": name}).status_code == 202
    assert [c.name for c in control.queued] == ["gears-96-30", "seed-rhombus-8", "gears-96-30"]


# -- other API answers -------------------------------------------------------------------


def test_presets_lists_every_preset(client):
    response = client.get("/api/presets")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    listed = response.get_json()
    assert [p["name"] for p in listed] == list(PRESETS)
    for item in listed:
        curve = PRESETS[item["name"]]
        assert item["summary"] == curve.summary()
        assert item["description"] == curve.description


def test_api_routing_errors_are_json(client):
    assert_json_error(client.get("/api/curve"), 405, "/api/curve")
    assert_json_error(client.get("/api/nothing"), 404, "/api/nothing")
    response = client.get("/nothing")  # outside /api/: Flask's usual page
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_symmetry_is_spelled_as_in_the_summary():
    curves = [*PRESETS.values(), random_curve(3, shapes=("square",), exact_symmetry=False)]
    curves.append(Curve.from_dict({"wheels": [{"freq": 1, "width": "1"}, {"freq": 3, "width": 1}]}))
    for curve in curves:
        info = describe_curve(curve.to_dict())
        assert info["summary"].endswith(", " + info["symmetry_text"]), curve.name
    assert describe_curve(PRESETS["seed-magma-11"].to_dict())["symmetry_text"].startswith(
        "approximate 10-fold"
    )


# -- over real HTTP ------------------------------------------------------------------------


def test_a_curve_posted_over_http():
    curve = random_curve(11, shapes=("rhombus", "circle"), exact_symmetry=False)
    with Mirror(feed=False) as mirror:
        conn = http.client.HTTPConnection("127.0.0.1", mirror.port, timeout=5)
        try:
            body = json.dumps(curve.to_dict())
            conn.request("POST", "/api/curve", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            doc = json.loads(response.read())
            assert response.status == 202, doc
            assert "no-store" in response.getheader("Cache-Control")
            assert doc["queued"] == "random-11"
            # A refused request on the same keep-alive connection answers JSON too.
            conn.request("POST", "/api/curve", "{}", {"Content-Type": "text/plain"})
            response = conn.getresponse()
            assert response.status == 415 and json.loads(response.read())["errors"]
        finally:
            conn.close()
        # A chunked body (no Content-Length) is held to the same 64 KiB.
        for size, status in ((1000, 202), (64 * 1024 + 1, 413)):
            raw = padded({"preset": "gears-96-30"}, size)
            chunks = [raw[i : i + 4096] for i in range(0, len(raw), 4096)]
            conn = http.client.HTTPConnection("127.0.0.1", mirror.port, timeout=5)
            try:
                headers = {"Content-Type": "application/json"}
                conn.request("POST", "/api/curve", iter(chunks), headers, encode_chunked=True)
                response = conn.getresponse()
                assert response.status == status, response.read()
                response.read()
            finally:
                conn.close()
        assert mirror.control.queued == [curve, PRESETS["gears-96-30"]]


def test_a_body_declared_over_the_limit_is_refused_unread():
    # Content-Length one byte over 64 KiB, and not a byte of the body sent: 413 at once,
    # not a wait for a body that would be refused anyway.
    head = (
        "POST /api/curve HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
        f"Content-Length: {64 * 1024 + 1}\r\n\r\n"
    )
    with Mirror(feed=False) as mirror:
        with socket.create_connection(("127.0.0.1", mirror.port), timeout=5) as sock:
            sock.sendall(head.encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert mirror.control.queued == []
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in head
    assert json.loads(body)["errors"] == ["body: larger than 64 KiB"]


@pytest.mark.parametrize(
    ("count", "said"),
    [
        (64 * 1024, "64 KiB"),
        (8 * 1024 * 1024, "8 MiB"),
        (1024 * 1024, "1 MiB"),
        (1024 * 1024 + 1024, "1025 KiB"),
        (1024, "1 KiB"),
        (1500, "1500 bytes"),
        (1024 * 1024 + 1, "1048577 bytes"),
        (0, "0 bytes"),
    ],
)
def test_a_size_is_said_in_its_largest_whole_unit(count, said):
    assert byte_size(count) == said


@pytest.mark.parametrize(("limit", "said"), [(1024 * 1024, "1 MiB"), (1500, "1500 bytes")])
def test_the_body_limit_is_said_as_the_recipe_route_says_its_own(limit, said):
    # web.max_body_bytes = 1 MiB was "1024 KiB" here while the recipe route said "1 MiB":
    # both now say a limit with api.byte_size. A body past the server's own 64 KiB is
    # refused unread (only its head is sent); a smaller one the server waits for is sent.
    head = (
        "POST /api/curve HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
        f"Content-Length: {limit + 1}\r\n\r\n"
    ).encode()
    body = b" " * (limit + 1) if limit < 64 * 1024 else b""
    with (
        Mirror(feed=False, app_options={"max_body_bytes": limit}) as mirror,
        socket.create_connection(("127.0.0.1", mirror.port), timeout=5) as sock,
    ):
        sock.sendall(head + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert json.loads(body)["errors"] == [f"body: larger than {said}"]


def test_a_client_with_too_many_curves_waiting_gets_429_naming_its_share(client, control):
    control.per_client = 2
    for _ in range(2):
        assert client.post("/api/curve", json={"preset": "gears-96-52"}).status_code == 202
    response = client.post("/api/curve", json={"preset": "gears-96-52"})
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert "2 of your curves already wait" in response.get_json()["error"]
    assert len(control.queued) == 2
