"""Whatever JSON anyone on the LAN sends to POST /api/curve, the answer is 202 or a 4xx
naming a field (never a 500), and a curve that is accepted can be drawn, caption and all.

Property-based (hypothesis): values are arbitrary JSON, shaped half the time like a real
request (the real field names, wheels as lists of objects) so that the checks past the
first one are reached too.
"""

import json

import pygame
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spirokiosk.display.curves import PRESETS, SHAPES
from spirokiosk.display.draw.overlays import Overlays
from spirokiosk.display.draw.scene import Scene, Timing
from spirokiosk.web.app.curve_requests import curve_from_request

FIELDS = [
    "preset", "random", "seed", "shapes", "wheels", "freqs", "widths", "heights", "shape",
    "name", "description", "colour_map", "background_map", "line_width", "k_fold",
    "congruency",
]  # fmt: skip
WHEEL_FIELDS = ["freq", "width", "height", "shape"]

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 2**32, 2**63, 1e308, -1e-300, 5e-324]),
)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["0.125j", "1+2j", "nanj", "inf", "1e999", "magma", "circle", "\x00", "\udc80"]
    ),
    st.sampled_from(list(PRESETS) + list(SHAPES)),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(FIELDS)), children, max_size=5
        ),
    ),
    max_leaves=20,
)
wheels = st.lists(
    st.dictionaries(st.sampled_from(WHEEL_FIELDS), st.one_of(scalars, json_values), max_size=4),
    max_size=6,
)
shaped_bodies = st.dictionaries(
    st.sampled_from(FIELDS),
    st.one_of(scalars, wheels, st.lists(scalars, max_size=6), json_values),
    max_size=6,
)
bodies = st.one_of(json_values, shaped_bodies)

# Requests that are mostly right, with odd names, sizes and styles: most are accepted, so
# the drawing of what the API lets through is exercised.
sizes = st.one_of(
    st.floats(-2, 2, allow_nan=False),
    st.complex_numbers(max_magnitude=2, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["0.125j", "1e-9", "0", "-1-1j"]),
)
good_wheels = st.fixed_dictionaries(
    {"freq": st.integers(-60, 60).filter(bool), "width": sizes},
    optional={"height": sizes, "shape": st.sampled_from(SHAPES)},
)
likely_curves = st.one_of(
    st.builds(lambda name: {"preset": name}, st.sampled_from(list(PRESETS))),
    st.fixed_dictionaries(
        {"random": st.just(True), "seed": st.integers(0, 2**32 - 1)},
        optional={"shapes": st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3)},
    ),
    st.fixed_dictionaries(
        {"wheels": st.lists(good_wheels, min_size=1, max_size=8)},
        optional={
            "name": st.text(max_size=90),
            "colour_map": st.sampled_from(["magma", "viridis", "turbo", "gray", "YlGnBu"]),
            "background_map": st.sampled_from(["bone", "cividis", "twilight"]),
            "line_width": st.floats(0.5, 64),
        },
    ),
)


# One app and client for every example is fine: the stand-in control only records.
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=st.one_of(bodies, likely_curves))
def test_any_json_body_is_202_or_a_4xx_naming_a_field(client, control, body):
    raw = json.dumps(body)  # NaN and Infinity written as JSON's non-standard tokens
    response = client.post("/api/curve", data=raw, content_type="application/json")
    assert response.status_code in (202, 400, 413, 429), response.get_data(as_text=True)
    doc = response.get_json()
    if response.status_code == 400:
        assert doc["errors"] and all(": " in error for error in doc["errors"])
        assert all(len(error) < 1000 for error in doc["errors"])


@pytest.fixture(scope="module")
def target():
    return pygame.Surface((96, 72), 0, 32)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=likely_curves)
def test_an_accepted_curve_can_be_drawn_with_every_overlay(target, body):
    try:
        curve = curve_from_request(body, new_seed=lambda: 7)
    except ValueError:
        return  # refused with a message (an unprintable name, a blob): the API says why
    scene = Scene(
        target.get_size(),
        lambda: curve,
        Timing(1.0, 0.5, 0.2),
        Overlays(pen=True, wheels=True, caption=True),
    )
    for _ in range(4):
        scene.update(0.45)
        scene.composer.draw(target)
