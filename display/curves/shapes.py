"""Unit shapes a wheel can trace: S(theta) as complex numbers, once per turn."""

import math

import numpy as np


def _circle(theta: np.ndarray) -> np.ndarray:
    return np.exp(1j * theta)


def _square(theta: np.ndarray) -> np.ndarray:
    return np.exp(1j * theta) / np.maximum(np.abs(np.cos(theta)), np.abs(np.sin(theta)))


def _rhombus(theta: np.ndarray) -> np.ndarray:
    return np.exp(1j * theta) / (np.abs(np.cos(theta)) + np.abs(np.sin(theta)))


def _tetracuspid(theta: np.ndarray) -> np.ndarray:
    return np.cos(theta) ** 3 + 1j * np.sin(theta) ** 3


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
