"""The studio's server side: POST /api/preview, /api/colour-maps, /api/gears, /api/random,
the /studio page, the place in the queue; through the Flask test client and once over
real HTTP against a running Mirror (cheroot on loopback)."""

import json
import xml.etree.ElementTree as ET

import pytest
from support import http_request
from support.mirror import Mirror

from spirokiosk.display.curves import PRESETS, Curve, random_curve
from spirokiosk.display.curves.colours import colour_table
from spirokiosk.display.curves.presets import gear_curve
from spirokiosk.web.app.studio_data import SWATCH_MAPS, SWATCH_STOPS

SVG = "{http://www.w3.org/2000/svg}"
CIRCLES = {"wheels": [{"freq": 1, "width": "1"}, {"freq": -4, "width": "0.4j"}]}


def preview(client, body, **kwargs):
    return client.post("/api/preview", json=body, **kwargs)


def assert_svg(response) -> ET.Element:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "image/svg+xml"
    assert "no-store" in response.headers["Cache-Control"]
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SVG}svg"
    assert root.findall(f".//{SVG}polyline")
    return root


def field_errors(response, status=400) -> list[str]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    return response.get_json()["errors"]


# -- POST /api/preview ------------------------------------------------------------------


def test_a_whole_curve_previews_in_its_colours(client):
    curve = {**CIRCLES, "colour_map": "viridis", "background_map": "gray"}
    root = assert_svg(preview(client, curve))
    strokes = {p.get("stroke") for p in root.iter(f"{SVG}polyline")}
    viridis = {"#{:02x}{:02x}{:02x}".format(*c) for c in colour_table("viridis", 48)}
    assert strokes <= viridis and len(strokes) > 10
    stops = [s.get("stop-color") for s in root.iter(f"{SVG}stop")]
    assert stops[0] == "#{:02x}{:02x}{:02x}".format(*colour_table("gray", 2)[0])


def test_a_preset_and_a_seeded_random_curve_preview_too(client):
    response = preview(client, {"preset": "gears-96-52"})
    assert_svg(response)
    assert response.headers["X-Curve-Name"] == "gears-96-52"
    response = preview(client, {"random": True, "seed": 42})
    assert_svg(response)
    assert response.headers["X-Curve-Name"] == random_curve(42).name


def test_a_twelve_wheel_curve_previews(client):
    curve = random_curve(9, wheels=12, shapes=("circle", "square"), exact_symmetry=False)
    response = preview(client, curve.to_dict())
    assert_svg(response)
    assert len(response.get_data()) < 400_000
    assert float(response.headers["Server-Timing"].split("dur=")[1]) > 0


def test_the_symmetry_is_told_exact_approximate_or_none(client):
    exact = preview(client, {"wheels": [{"freq": 1, "width": "1"}, {"freq": -4, "width": "0.5"}]})
    assert exact.headers["X-Symmetry"] == "exact 5 1"
    assert exact.headers["X-Symmetry-Text"].startswith("exactly 5-fold symmetric")
    square = {
        "wheels": [{"freq": 1, "width": "1"}, {"freq": -4, "width": "0.5", "shape": "square"}]
    }
    approximate = preview(client, square)
    assert approximate.headers["X-Symmetry"] == "approximate 5 1"
    assert "wheel 2 is a square" in approximate.headers["X-Symmetry-Text"]
    oval = {"wheels": [{"freq": 1, "width": "1", "height": "0.5"}, {"freq": 6, "width": "0.3"}]}
    assert "wheel 1 has width != height" in preview(client, oval).headers["X-Symmetry-Text"]
    none = preview(client, {"wheels": [{"freq": 1, "width": "1"}, {"freq": 2, "width": "0.5"}]})
    assert none.headers["X-Symmetry"] == "none"
    assert none.headers["X-Symmetry-Text"].startswith("no rotational symmetry")


def test_bad_input_is_400_naming_every_field(client):
    body = {
        "wheels": [{"freq": 0, "width": "1"}, {"freq": 3, "width": "big", "shape": "star"}],
        "colour_map": "magmaa",
        "line_width": 100,
    }
    errors = field_errors(preview(client, body))
    fields = [e.split(": ", 1)[0] for e in errors]
    assert fields == [
        "wheels[0].freq",
        "wheels[1].width",
        "wheels[1].height",
        "wheels[1].shape",
        "colour_map",
        "line_width",
    ]
    assert "magma" in errors[4]  # did you mean
    assert field_errors(preview(client, {"preset": "nope"}))[0].startswith("preset: ")
    assert field_errors(preview(client, []))[0].startswith("body: ")


def test_too_dense_too_many_and_absurd_curves_are_refused_not_500(client):
    dense = {"wheels": [{"freq": 1, "width": "1"}, {"freq": 997, "width": "0.9"}]}
    assert field_errors(preview(client, dense))[0].startswith("wheels: too dense")
    many = {"wheels": [{"freq": 1, "width": "0.1"}] * 33}
    assert field_errors(preview(client, many))[0].startswith("wheels: too many")
    dot = {"wheels": [{"freq": 1, "width": "1e-300"}]}
    assert field_errors(preview(client, dot))[0].startswith("wheels: the curve is a dot")


def test_the_body_rules_are_those_of_api_curve(client):
    text = client.post("/api/preview", data=json.dumps(CIRCLES), content_type="text/plain")
    assert field_errors(text, 415)[0].startswith("body: ")
    big = {**CIRCLES, "name": "x" * (64 * 1024)}
    assert "64 KiB" in field_errors(preview(client, big), 413)[0]
    broken = client.post("/api/preview", data="{", content_type="application/json")
    assert field_errors(broken)[0].startswith("body: not valid JSON")
    assert field_errors(client.get("/api/preview"), 405)


def test_a_preview_queues_nothing(client, control):
    assert_svg(preview(client, CIRCLES))
    assert control.queued == []


# -- swatches, gears, random ------------------------------------------------------------


def test_colour_map_swatches_come_from_the_real_maps(client):
    response = client.get("/api/colour-maps")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    maps = response.get_json()
    assert [m["name"] for m in maps] == list(SWATCH_MAPS)
    turbo = next(m for m in maps if m["name"] == "turbo")
    expected = ["#{:02x}{:02x}{:02x}".format(*c) for c in colour_table("turbo", SWATCH_STOPS)]
    assert turbo["stops"] == expected
    assert turbo["css"].startswith("linear-gradient(90deg, " + expected[0] + " 0%")


def test_gears_are_the_presets_curves(client):
    answer = client.get("/api/gears?ring=96&wheel=52&pen=42&colour_map=plasma").get_json()
    made = Curve.from_dict(answer["curve"])
    preset = gear_curve(96, 52, 42)
    assert made.wheels == preset.wheels == PRESETS["gears-96-52"].wheels
    assert made.colour_map == "plasma"
    assert answer["symmetry"]["state"] == "exact"
    outside = client.get("/api/gears?ring=150&wheel=60&pen=52&outside=1").get_json()
    assert Curve.from_dict(outside["curve"]).wheels == PRESETS["gears-150-60-outside"].wheels


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("ring=96&wheel=52", "pen"),
        ("ring=x&wheel=52&pen=3", "ring"),
        ("ring=96&wheel=0&pen=3", "wheel"),
        ("ring=52&wheel=96&pen=3", "wheel"),
        ("ring=96&wheel=52&pen=3&outside=maybe", "outside"),
        ("ring=997&wheel=998&pen=3&outside=1", "ring"),
        ("ring=96&wheel=52&pen=3&colour_map=nope", "colour_map"),
    ],
)
def test_bad_gears_name_the_field(client, query, field):
    errors = field_errors(client.get(f"/api/gears?{query}"))
    assert errors[0].startswith(f"{field}: "), errors


def test_random_says_its_seed_and_the_seed_makes_it_again(client):
    first = client.get("/api/random").get_json()
    assert isinstance(first["seed"], int)
    again = client.get(f"/api/random?seed={first['seed']}").get_json()
    assert again["curve"] == first["curve"]
    assert Curve.from_dict(again["curve"]) == random_curve(first["seed"])
    mixed = client.get("/api/random?seed=7&shapes=square,rhombus").get_json()
    expected = random_curve(7, shapes=("square", "rhombus"), exact_symmetry=False)
    assert Curve.from_dict(mixed["curve"]) == expected
    assert field_errors(client.get("/api/random?seed=-1"))[0].startswith("seed: ")
    # "²" is a digit to str.isdigit() but not to int(): a 400, not a 500
    assert field_errors(client.get("/api/random?seed=%C2%B2"))[0].startswith("seed: ")
    assert field_errors(client.get("/api/random?shapes=star"))[0].startswith("shapes[0]: ")


# -- the page, the link from /, the queue --------------------------------------------------


def test_the_studio_page_and_the_link_from_the_index(client):
    page = client.get("/studio")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for element in ("wheel-rows", "sym-k", "sym-m", "freq-list", "studio-preview", "draw"):
        assert f'id="{element}"' in html
    assert 'data-max-wheels="32"' in html
    index = client.get("/").get_data(as_text=True)
    assert 'id="open-in-studio" href="/studio"' in index
    assert "curvelink.js" in index


def test_queueing_says_the_place(client, control):
    first = client.post("/api/curve", json={"preset": "gears-96-52"}).get_json()
    second = client.post("/api/curve", json=CIRCLES).get_json()
    assert (first["place"], second["place"]) == (1, 2)


def test_a_preview_over_real_http():
    with Mirror(feed=False) as mirror:
        body = json.dumps(random_curve(5, wheels=12).to_dict())
        status, headers, data = http_request(
            mirror.port,
            "POST",
            "/api/preview",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        assert status == 200 and headers["Content-Type"].startswith("image/svg+xml")
        assert ET.fromstring(data).findall(f".//{SVG}polyline")
        status, _, data = http_request(
            mirror.port,
            "POST",
            "/api/preview",
            body=b"[1]",
            headers={"Content-Type": "application/json"},
        )
        assert status == 400 and json.loads(data)["errors"][0].startswith("body: ")


def test_previews_beyond_those_being_drawn_wait_a_moment(app, client):
    from spirokiosk.web.app.context import PREVIEWS_AT_ONCE, web_context

    with app.app_context():
        slots = web_context().previews
    for _ in range(PREVIEWS_AT_ONCE):  # as if that many were being drawn right now
        assert slots.acquire(blocking=False)
    try:
        response = client.post("/api/preview", json={"preset": "gears-96-52"})
        assert response.status_code == 503 and response.headers["Retry-After"] == "1"
        assert response.get_json()["errors"][0].startswith("preview: ")
    finally:
        for _ in range(PREVIEWS_AT_ONCE):
            slots.release()
    assert client.post("/api/preview", json={"preset": "gears-96-52"}).status_code == 200
