"""The curve model: symmetry, closure, period reduction, sampling, data round-trip."""

import cmath
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spirokiosk.display.curves import PRESETS, SHAPES, Curve, Wheel, random_curve
from spirokiosk.display.curves.model import MAX_POINTS, WheelSteps

sizes = st.complex_numbers(max_magnitude=2.0, allow_nan=False, allow_infinity=False)


@st.composite
def symmetric_circle_curves(draw):
    """Circle wheels with w == h and every frequency m mod k, gcd(m, k) = 1."""
    k = draw(st.integers(2, 12))
    m = draw(st.sampled_from([r for r in range(1, k) if math.gcd(r, k) == 1]))
    multiples = draw(st.lists(st.integers(-6, 6), min_size=2, max_size=8, unique=True))
    freqs = [m + a * k for a in multiples]
    widths = draw(st.lists(sizes, min_size=len(freqs), max_size=len(freqs)))
    curve = Curve(wheels=[Wheel(f, w, w, "circle") for f, w in zip(freqs, widths, strict=True)])
    return curve, k, m


@st.composite
def any_curves(draw):
    n = draw(st.integers(1, 8))
    freqs = draw(st.lists(st.integers(-40, 40).filter(bool), min_size=n, max_size=n))
    wheels = [Wheel(f, draw(sizes), draw(sizes), draw(st.sampled_from(SHAPES))) for f in freqs]
    first = wheels[0]
    wheels[0] = Wheel(first.freq, draw(sizes.filter(lambda z: abs(z) > 0.01)), first.height)
    return Curve(
        wheels=wheels,
        colour_map=draw(st.sampled_from(["magma", "viridis", "YlGnBu", "bone", "turbo"])),
        background_map=draw(st.sampled_from(["bone", "cividis", "rainbow"])),
        line_width=draw(st.floats(0.5, 64)),
        name=draw(st.text(max_size=20).filter(str.isprintable)),  # what from_dict accepts
    )


def rotation_maps_onto_itself(points: np.ndarray, angle: float, tol: float) -> bool:
    """Every rotated point lies within tol of some point of the set."""
    z = points[:, 0] + 1j * points[:, 1]
    rotated = z * cmath.exp(1j * angle)
    for chunk in np.array_split(rotated, max(1, len(rotated) // 256)):
        if np.abs(chunk[:, None] - z[None, :]).min(axis=1).max() > tol:
            return False
    return True


@settings(max_examples=60, deadline=None)
@given(symmetric_circle_curves())
def test_symmetric_circle_curves_are_exactly_k_fold(curve_k_m):
    curve, k, m = curve_k_m
    # design.md's statement: z(t + 2 pi / k) = e^{2 pi i m / k} z(t), exactly
    t = np.linspace(0, 2 * math.pi, 997)
    atol = 1e-9 * max(curve.reach(), 1e-12)
    rotation = cmath.exp(2j * math.pi * m / k)
    assert np.allclose(curve.z(t + 2 * math.pi / k), rotation * curve.z(t), atol=atol)
    # the symmetry found is at least as strong (reduced frequencies may give more)
    found_k, found_m = curve.symmetry
    assert math.gcd(found_m, found_k) == 1
    t = np.linspace(0, curve.period, 997)
    found_rotation = cmath.exp(2j * math.pi * found_m / found_k)
    shifted = curve.z(t + curve.period / found_k)
    assert np.allclose(shifted, found_rotation * curve.z(t), atol=atol)
    assert curve.exactly_symmetric


@settings(max_examples=25, deadline=None)
@given(symmetric_circle_curves())
def test_rotating_the_point_set_maps_it_onto_itself(curve_k_m):
    curve = curve_k_m[0]
    k, m = curve.symmetry
    n = k * 240 + 1  # the rotation then maps samples exactly onto samples
    points = curve.points(n)
    tol = 1e-9 * max(curve.reach(), 1e-12)
    assert rotation_maps_onto_itself(points, 2 * math.pi * m / k, tol)


def test_point_set_without_symmetry_is_not_rotation_invariant():
    curve = Curve(wheels=[Wheel(1, 1), Wheel(2, 0.5), Wheel(-3, 0.3)])
    assert curve.symmetry is None
    points = curve.points(721)
    assert not rotation_maps_onto_itself(points, 2 * math.pi / 3, 1e-3)


@settings(max_examples=80, deadline=None)
@given(any_curves())
def test_points_close_and_have_the_requested_shape(curve):
    points = curve.points(257)
    assert points.shape == (257, 2)
    assert np.array_equal(points[0], points[-1])
    z = curve.z(np.array([0.0, curve.period]))
    assert abs(z[0] - z[1]) <= 1e-9 * max(1.0, curve.reach())


@settings(max_examples=60, deadline=None)
@given(any_curves(), st.integers(2, 7))
def test_common_factor_reduces_the_period(curve, factor):
    wheels = [Wheel(w.freq * factor, w.width, w.height, w.shape) for w in curve.wheels]
    scaled = Curve(wheels=wheels)
    assert scaled.freq_gcd == curve.freq_gcd * factor
    assert math.isclose(scaled.period, curve.period / factor)
    # Same figure, traced faster: the reduced period covers it exactly once.
    assert np.allclose(scaled.points(101), curve.points(101), atol=1e-9 * max(1, curve.reach()))


def test_seed_curve_with_common_factor_three_samples_a_third_of_a_turn():
    curve = PRESETS["seed-circle-9a"]
    assert curve.freq_gcd == 3
    assert math.isclose(curve.period, 2 * math.pi / 3)


@settings(max_examples=40, deadline=None)
@given(any_curves(), st.floats(50, 1000))
def test_automatic_density_keeps_segments_short(curve, scale):
    n = curve.sample_count(scale, max_segment_px=2.0)
    points = curve.points(n) * scale
    longest = np.hypot(*np.diff(points, axis=0).T).max()
    assert longest <= 2.0 + 1e-9 or n == MAX_POINTS
    # ...and the count grows with the figure's size on screen
    assert curve.sample_count(scale * 4, max_segment_px=2.0) >= n


@settings(max_examples=80, deadline=None)
@given(any_curves())
def test_dict_round_trip(curve):
    data = curve.to_dict()
    again = Curve.from_dict(data)
    assert again == curve
    assert again.to_dict() == data


def test_to_dict_writes_complex_sizes_as_strings():
    wheel = Curve(wheels=[Wheel(3, 0.125j, 0.5 - 0.25j)]).to_dict()["wheels"][0]
    assert wheel == {"freq": 3, "width": "0.125j", "height": "0.5-0.25j", "shape": "circle"}
    assert complex(wheel["width"]) == 0.125j


def test_height_defaults_to_width():
    assert Wheel(2, 0.5j).height == 0.5j
    assert Curve.from_dict({"wheels": [{"freq": 2, "width": "0.5j"}]}).wheels[0].height == 0.5j


@pytest.mark.parametrize(
    ("name", "k", "m"),
    [
        ("seed-magma-11", 10, 9),
        ("seed-rhombus-8", 2, 1),
        ("seed-ellipse-6", 3, 2),
        ("seed-circle-9b", 4, 3),
        # k_fold 9 with every frequency a multiple of 3: the figure is 3-fold
        ("seed-circle-9a", 3, 2),
    ],
)
def test_seed_curve_symmetry(name, k, m):
    assert PRESETS[name].symmetry == (k, m)


def test_seed_curves_match_the_published_data():
    import tomllib

    from support import SEED_CURVES

    for name, spec in tomllib.loads(SEED_CURVES.read_text()).items():
        curve = PRESETS[name]
        assert [w.freq for w in curve.wheels] == spec["freqs"]
        assert [w.width for w in curve.wheels] == [complex(s) for s in spec["widths"]]
        assert [w.height for w in curve.wheels] == [complex(s) for s in spec["heights"]]
        assert {w.shape for w in curve.wheels} == {spec["shape"]}
        assert curve.colour_map == spec["colour_map"]
        assert curve.background_map == spec["background_map"]
        assert curve.line_width == spec["line_width"]


def test_gear_presets_are_real_hypotrochoids_and_epitrochoids():
    gears = {n: c for n, c in PRESETS.items() if n.startswith("gears-")}
    assert len(gears) >= 4
    assert any(n.endswith("-outside") for n in gears)
    # ring 96, wheel 52: 96 / gcd(96, 52) = 24 lobes
    assert PRESETS["gears-96-52"].symmetry[0] == 24
    # check the hypotrochoid against its textbook form, rescaled t = (r / g) s
    ring, r, d = 96, 52, 42
    s = np.linspace(0, 2 * np.pi, 400)
    t = s * r / math.gcd(ring, r)
    z = (ring - r) * np.exp(1j * t) + d * np.exp(-1j * (ring - r) * t / r)
    assert np.allclose(PRESETS["gears-96-52"].z(s) * (ring - r + d), z)


def test_symmetry_none_for_one_wheel_and_for_coprime_differences():
    assert Curve(wheels=[Wheel(3, 1)]).symmetry is None
    assert Curve(wheels=[Wheel(1, 1), Wheel(2, 0.5)]).symmetry is None
    assert Curve(wheels=[Wheel(1, 1), Wheel(-2, 0.5)]).symmetry == (3, 1)


def test_non_circle_shapes_are_not_exactly_symmetric():
    curve = Curve(wheels=[Wheel(1, 1, shape="square"), Wheel(-3, 0.4, shape="square")])
    assert curve.symmetry == (4, 1)
    assert not curve.exactly_symmetric
    assert Curve(wheels=[Wheel(1, 1, 0.5), Wheel(-3, 0.4)]).exactly_symmetric is False


def test_shapes_trace_their_outline():
    theta = np.linspace(0, 2 * np.pi, 1000)
    from spirokiosk.display.curves.shapes import unit_shape

    square = unit_shape("square", theta)
    assert np.allclose(np.maximum(abs(square.real), abs(square.imag)), 1)
    rhombus = unit_shape("rhombus", theta)
    assert np.allclose(abs(rhombus.real) + abs(rhombus.imag), 1)
    astroid = unit_shape("tetracuspid", theta)
    assert np.allclose(np.abs(astroid.real) ** (2 / 3) + np.abs(astroid.imag) ** (2 / 3), 1)
    assert np.allclose(np.abs(unit_shape("circle", theta)), 1)


def test_wheel_steps_are_each_wheels_position():
    """All wheels at once (the arms, every frame) give each wheel's own position."""
    curve = random_curve(seed=11, wheels=(9, 9), shapes=SHAPES, exact_symmetry=False)
    wheels = [*curve.wheels, Wheel(3, 0.2 + 0.1j, 0.05j, "ellipse")]  # height apart too
    assert len({w.shape for w in wheels}) > 2
    steps = WheelSteps(wheels)
    for t in (0.0, 0.3, 1.7, 2 * math.pi - 1e-3):
        expected = [complex(w.position(np.array(t))) for w in wheels]
        np.testing.assert_allclose(steps.at(t), expected, rtol=0, atol=1e-12)
