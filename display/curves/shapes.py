"""Unit shapes a wheel can trace: S(theta) as complex numbers, once per turn."""

import math

import numpy as np

# Each shape fills the real and imaginary parts of one complex array: about twice as fast
# as np.exp(1j * theta) and complex arithmetic, which build complex temporaries (the
# studio previews 12-wheel curves within 50 ms). Same values: cos and sin are what
# numpy's complex exp computes for a purely imaginary argument.


def _cos_sin(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cos, sin = np.cos(theta), np.sin(theta)
    out = np.empty(np.shape(theta), dtype=complex)
    out.real, out.imag = cos, sin
    return out, cos, sin


def _circle(theta: np.ndarray) -> np.ndarray:
    return _cos_sin(theta)[0]


def _square(theta: np.ndarray) -> np.ndarray:
    out, cos, sin = _cos_sin(theta)
    out /= np.maximum(np.abs(cos), np.abs(sin))
    return out


def _rhombus(theta: np.ndarray) -> np.ndarray:
    out, cos, sin = _cos_sin(theta)
    out /= np.abs(cos) + np.abs(sin)
    return out


def _tetracuspid(theta: np.ndarray) -> np.ndarray:
    out, cos, sin = _cos_sin(theta)
    out.real, out.imag = cos * cos * cos, sin * sin * sin  # x * x * x: ** 3 is 6x slower
    return out


# name -> (function, upper bound of |dS/dtheta|). The speed bound sets the
# sampling density: a square's corner moves at twice a circle's speed.
_SHAPES = {
    "circle": (_circle, 1.0),
    "ellipse": (_circle, 1.0),
    "square": (_square, 2.0),
    "rhombus": (_rhombus, math.sqrt(2.0)),
    "tetracuspid": (_tetracuspid, 1.5),
}

SHAPES: tuple[str, ...] = tuple(_SHAPES)


def unit_shape(name: str, theta: np.ndarray) -> np.ndarray:
    """The unit shape `name` at angles `theta` (radians)."""
    return _SHAPES[name][0](theta)


def shape_speed(name: str) -> float:
    """An upper bound of |dS/dtheta| for the shape."""
    return _SHAPES[name][1]
