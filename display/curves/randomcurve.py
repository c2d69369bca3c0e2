"""Random curves worth looking at.

Recipe: pick a symmetry k and a residue m coprime to k, give every wheel a
frequency m + a k (so the figure is k-fold symmetric), let sizes mostly fall
as frequencies rise, then reject what looks bad: a collapsed blob, a
near-circle, or a tangle so dense it reads as a filled disc.
"""

import math
import secrets

import numpy as np

from spirokiosk.display.curves.model import Curve, Wheel
from spirokiosk.display.curves.shapes import SHAPES

# Line colour map, background map: pairs that read well together.
STYLE_PAIRS = (
    ("magma", "bone"),
    ("YlGnBu", "viridis"),
    ("turbo", "gray"),
    ("plasma", "cividis"),
    ("viridis", "bone"),
    ("inferno", "twilight"),
    ("spring", "viridis"),
    ("cool", "magma"),
    ("YlOrRd", "bone"),
    ("BuGn", "inferno"),
)

_QUARTER_TURNS = np.array([1, 1j, -1, -1j])
_MAX_TRIES = 200


def random_curve(
    seed: int | None = None,
    wheels: int | tuple[int, int] = (3, 13),
    k_fold: int | None = None,
    shapes: tuple[str, ...] = ("circle",),
    exact_symmetry: bool = True,
) -> Curve:
    """A random curve; the same seed always gives the same curve.

    `wheels` is a count or an inclusive (min, max) range. With `exact_symmetry`
    every wheel is a circle with width == height, so the k-fold symmetry is
    exact; otherwise shapes are drawn from `shapes` and heights may differ from
    widths (symmetry then holds only approximately). The curve's name records
    the seed: "random-<seed>".
    """
    lo, hi = (wheels, wheels) if isinstance(wheels, int) else wheels
    if not 2 <= lo <= hi:
        raise ValueError(f"wheels: need 2 <= min <= max, got {wheels!r}")
    if k_fold is not None and k_fold < 2:
        raise ValueError(f"k_fold: must be at least 2, got {k_fold}")
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown or not shapes:
        raise ValueError(f"shapes: unknown or empty {unknown or shapes!r}; known: {SHAPES}")
    if exact_symmetry and set(shapes) != {"circle"}:
        raise ValueError("exact_symmetry needs circle wheels only: shapes=('circle',)")
    if seed is None:
        seed = secrets.randbits(32)

    rng = np.random.default_rng(seed)
    for _ in range(_MAX_TRIES):
        curve = _draw(rng, lo, hi, k_fold, shapes, exact_symmetry)
        if looks_good(curve):
            break
    # After _MAX_TRIES the last draw is kept: rare, and still a valid curve.
    pair = STYLE_PAIRS[int(rng.integers(len(STYLE_PAIRS)))]
    return Curve(
        wheels=curve.wheels,
        colour_map=pair[0],
        background_map=pair[1],
        line_width=float(rng.choice([3.0, 4.0, 5.0, 6.0])),
        name=f"random-{seed}",
        description="random curve",
    )


def _draw(rng, lo, hi, k_fold, shapes, exact) -> Curve:
    n = int(rng.integers(lo, hi + 1))
    k = k_fold or int(rng.choice([2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11, 12]))
    m = int(rng.choice([r for r in range(1, k) if math.gcd(r, k) == 1] or [1]))
    # The first wheel is slow and large; the rest turn faster, in either sense.
    span = max(2, 40 // k)
    multiples = rng.integers(-span, span + 1, size=n - 1)
    freqs = [m if rng.random() < 0.5 else m - k] + [m + int(a) * k for a in multiples]
    freqs = [f for f in freqs if f != 0] or [m]
    # Sizes fall with frequency, with some spread so it is not a rule.
    order = np.argsort([abs(f) + rng.uniform(0, k) for f in freqs])
    sizes = np.sort(rng.uniform(0.1, 0.85, size=len(freqs)))[::-1]
    sizes[0] = 1.0
    wheels = []
    for rank, index in enumerate(order):
        width = complex(sizes[rank] * _QUARTER_TURNS[rng.integers(4)])
        shape = "circle" if exact else str(rng.choice(shapes))
        height = width
        if not exact and rng.random() < 0.5:
            height = width * rng.uniform(0.5, 1.0) * _QUARTER_TURNS[rng.integers(4)]
        wheels.append(Wheel(freqs[index], width, height, shape))
    return Curve(wheels=tuple(wheels))


def looks_good(curve: Curve, grid: int = 96) -> bool:
    """Reject collapsed blobs, near-circles and tangles dense enough to fill a disc."""
    if curve.symmetry is None:
        return False
    z = curve.z(np.linspace(0.0, curve.period, curve.sample_count(grid / 2.5)))
    z = z - (z.real.max() + z.real.min()) / 2 - 1j * (z.imag.max() + z.imag.min()) / 2
    radius = np.abs(z)
    r_max = radius.max()
    if r_max < 0.3 * curve.reach():
        return False  # the wheels cancel out: a small blob
    if (r_max - radius.min()) / r_max < 0.25:
        return False  # the figure hugs one circle: a wobbly ring
    # Ink coverage on a coarse grid, against the disc the figure spans.
    cells = np.round((z / r_max + 1 + 1j) * (grid - 1) / 2)
    ink = np.zeros((grid, grid), dtype=bool)
    ink[cells.imag.astype(int), cells.real.astype(int)] = True
    yy, xx = np.mgrid[0:grid, 0:grid]
    disc = (xx - (grid - 1) / 2) ** 2 + (yy - (grid - 1) / 2) ** 2 <= ((grid - 1) / 2) ** 2
    coverage = ink[disc].mean()
    return 0.04 < coverage < 0.3
