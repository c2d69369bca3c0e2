"""Where a curve goes on the screen: fit its bounding box into a pixel size (and, with
the page's margin, into a plotter's page in mm: `display.export.svg`).

Curve units are mathematical (y up); pixels are pygame's (y down, pixel (i, j)
covers [i, i + 1) x [j, j + 1), so its centre is at (i + 0.5, j + 0.5)).
"""

import math
from dataclasses import dataclass

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.display.curves.model import MIN_EXTENT

MARGIN_FRACTION = 0.05  # of the shorter side, like the original 5 % axis padding
MAX_SEGMENT_PX = 1.5  # longest polyline segment we accept at the fitted scale
_PROBE_POINTS = 4096  # samples used to find the bounding box before the scale is known


@dataclass(frozen=True)
class Fit:
    """An affine map from curve units to pixels: x' = cx + s (x - x0), y' = cy - s (y - y0)."""

    scale: float  # pixels per curve unit
    centre_px: tuple[float, float]  # where the curve's bounding-box centre lands
    centre: complex  # the curve's bounding-box centre, in curve units

    def to_pixels(self, z: np.ndarray) -> np.ndarray:
        """Complex curve positions -> (n, 2) float pixel coordinates."""
        z = np.asarray(z) - self.centre
        return np.column_stack(
            [self.centre_px[0] + self.scale * z.real, self.centre_px[1] - self.scale * z.imag]
        )

    def point_to_pixels(self, z: complex) -> tuple[float, float]:
        z = complex(z) - self.centre
        return self.centre_px[0] + self.scale * z.real, self.centre_px[1] - self.scale * z.imag


def fit_curve(curve: Curve, size: tuple[int, int]) -> Fit:
    """Centre the curve's bounding box in `size`, as large as the margin allows.

    The margin is a fraction of the shorter side plus half the line width, so
    thick strokes never touch the edge.
    """
    w, h = size
    return fit_within(curve, size, MARGIN_FRACTION * min(w, h) + curve.line_width / 2.0 + 1.0)


def fit_within(curve: Curve, size: tuple[float, float], margin: float) -> Fit:
    """Centre the curve's bounding box in `size` (pixels for the screen, millimetres for
    a plotter's page), as large as fits with `margin` clear on every side (the room left
    is never taken as under one unit across)."""
    w, h = size
    z = curve.z(np.linspace(0.0, curve.period, _PROBE_POINTS))
    x0, x1 = float(z.real.min()), float(z.real.max())
    y0, y1 = float(z.imag.min()), float(z.imag.max())
    room_w, room_h = max(w - 2.0 * margin, 1.0), max(h - 2.0 * margin, 1.0)
    # A degenerate extent (a straight line) must not divide by zero.
    span_w, span_h = max(x1 - x0, MIN_EXTENT), max(y1 - y0, MIN_EXTENT)
    scale = min(room_w / span_w, room_h / span_h)
    return Fit(
        scale=scale,
        centre_px=(w / 2.0, h / 2.0),
        centre=complex((x0 + x1) / 2.0, (y0 + y1) / 2.0),
    )


def sample_curve(curve: Curve, fit: Fit, max_segment_px: float = MAX_SEGMENT_PX) -> np.ndarray:
    """Pixel polyline over one period, uniform in t, segments at most ~max_segment_px.

    `curve.sample_count` works from an upper bound of the speed, which for
    many-wheel curves is about twice the real one; the count is then trimmed
    to what the measured longest segment needs, which halves the work for
    those curves without making any segment longer than the limit.
    """
    n = curve.sample_count(fit.scale, max_segment_px)
    points = fit.to_pixels(_closed_z(curve, n))
    longest = float(np.hypot(*np.diff(points, axis=0).T).max())
    trimmed = max(64, math.ceil((n - 1) * longest / max_segment_px * 1.05) + 1)
    if trimmed < 0.8 * n:
        points = fit.to_pixels(_closed_z(curve, trimmed))
    return points


def _closed_z(curve: Curve, n: int) -> np.ndarray:
    z = curve.z(np.linspace(0.0, curve.period, n))
    z[-1] = z[0]
    return z
