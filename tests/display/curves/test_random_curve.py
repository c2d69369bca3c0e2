"""random_curve: reproducible, symmetric, and not degenerate."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spirokiosk.display.curves import Curve, Wheel, random_curve
from spirokiosk.display.curves.randomcurve import looks_good


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_same_seed_same_curve(seed):
    assert random_curve(seed=seed) == random_curve(seed=seed)
    assert random_curve(seed=seed).name == f"random-{seed}"


def test_different_seeds_differ():
    curves = {random_curve(seed=s).wheels for s in range(20)}
    assert len(curves) == 20


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 12))
def test_exactly_symmetric_with_requested_k(seed, k):
    curve = random_curve(seed=seed, k_fold=k)
    found_k, m = curve.symmetry
    assert found_k % k == 0  # k-fold, possibly more
    assert math.gcd(m, found_k) == 1
    assert curve.exactly_symmetric
    t = np.linspace(0, curve.period, 500)
    rotated = curve.z(t) * np.exp(2j * np.pi * m / found_k)
    assert np.allclose(curve.z(t + curve.period / found_k), rotated, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 9), st.integers(0, 4))
def test_wheel_count_in_range(seed, lo, extra):
    curve = random_curve(seed=seed, wheels=(lo, lo + extra))
    assert lo <= len(curve.wheels) <= lo + extra


def test_sizes_mostly_fall_with_frequency():
    falling = 0
    for seed in range(40):
        wheels = sorted(random_curve(seed=seed).wheels, key=lambda w: abs(w.freq))
        sizes = [abs(w.width) for w in wheels]
        falling += float(np.corrcoef(range(len(sizes)), sizes)[0, 1] < 0)
    assert falling >= 32


def test_random_curves_pass_the_quality_check():
    assert all(looks_good(random_curve(seed=s)) for s in range(30))


def test_quality_check_rejects_degenerate_curves():
    blob = Curve(wheels=[Wheel(1, 1), Wheel(1, -0.95), Wheel(4, 0.01)])
    ring = Curve(wheels=[Wheel(1, 1), Wheel(7, 0.05)])
    # a dense tangle: high frequencies with large arms fill the disc
    dense = Curve(wheels=[Wheel(1, 1), *[Wheel(1 + 3 * a, 0.6) for a in range(10, 40, 3)]])
    good = Curve(wheels=[Wheel(1, 1), Wheel(-5, 0.5), Wheel(7, 0.25)])
    assert not looks_good(blob)
    assert not looks_good(ring)
    assert not looks_good(dense)
    assert looks_good(good)


def test_other_shapes_when_symmetry_may_be_approximate():
    shapes = ("square", "rhombus", "tetracuspid")
    used = set()
    for seed in range(10):
        curve = random_curve(seed=seed, shapes=shapes, exact_symmetry=False)
        used |= {w.shape for w in curve.wheels}
        assert curve.symmetry is not None
    assert used == set(shapes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"wheels": (1, 3)}, "wheels"),
        ({"wheels": (5, 3)}, "wheels"),
        ({"k_fold": 1}, "k_fold"),
        ({"shapes": ("hexagon",)}, "shapes"),
        ({"shapes": ("square",)}, "exact_symmetry"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        random_curve(seed=1, **kwargs)
