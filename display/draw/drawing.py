"""One curve drawn progressively onto a persistent canvas.

    d = CurveDrawing(curve, size=(w, h))
    rects = d.advance_to(0.25)   # paints only what is new since the last call
    d.canvas                     # background + strokes so far (pygame.Surface)
    d.enable_ink(0.85); d.ink    # the strokes alone too, to blend over a camera picture

No display is needed: surfaces are plain 32-bit software surfaces.
"""

import logging

import numpy as np
import pygame

from spirokiosk.display.curves import Curve
from spirokiosk.display.curves.colours import colour_table
from spirokiosk.display.draw.ink import InkLayer
from spirokiosk.display.draw.layout import Fit, fit_curve, sample_curve
from spirokiosk.display.draw.stroke import PolylineStroke, StrokeStats

log = logging.getLogger(__name__)

COLOUR_STEPS = 1024  # entries in the stroke colour table: finer than 8-bit steps


def background_surface(map_name: str, size: tuple[int, int]) -> pygame.Surface:
    """A vertical gradient of the colour map, map(0) at the top to map(1) at the bottom.

    The same picture as the original's `imshow` of a 0..1 ramp behind the axes.
    """
    w, h = size
    surface = pygame.Surface((w, h), 0, 32)
    column = colour_table(map_name, max(h, 2))[:h]
    pixels = pygame.surfarray.pixels3d(surface)
    pixels[:] = column[None, :, :]
    del pixels  # unlock the surface
    return surface


class CurveDrawing:
    """The canvas of one curve and the pen that draws it, progress 0..1 in curve time.

    The pen moves uniformly in the curve parameter t: progress p means t = p * period.
    With `ink_opacity` (or after `enable_ink`) the strokes are also kept on an
    InkLayer of their own, `ink`, to be blended over a camera picture.
    """

    def __init__(self, curve: Curve, size: tuple[int, int], ink_opacity: float | None = None):
        w, h = int(size[0]), int(size[1])
        if w < 1 or h < 1:
            raise ValueError(f"size: must be positive, not {size!r}")
        self.curve = curve
        self.size = (w, h)
        self.fit: Fit = fit_curve(curve, self.size)
        points = sample_curve(curve, self.fit)
        colours = colour_table(curve.colour_map, COLOUR_STEPS)
        self._colours = colours
        self._stroke = PolylineStroke(points, curve.line_width, colours)
        self.canvas = background_surface(curve.background_map, self.size)
        self._progress = 0.0
        self.last_stats = StrokeStats()
        self.ink: InkLayer | None = None
        if ink_opacity is not None:
            self.ink = InkLayer(self.size, ink_opacity)
        log.debug(
            "drawing %s at %dx%d: %d points, %.1f px/unit",
            curve.name or "curve",
            w,
            h,
            len(points),
            self.fit.scale,
        )

    @property
    def progress(self) -> float:
        return self._progress

    @property
    def points(self) -> np.ndarray:
        """The whole polyline in pixels, (n, 2), closed."""
        return self._stroke.points

    @property
    def segment_count(self) -> int:
        return self._stroke.segment_count

    @property
    def segments_drawn(self) -> int:
        return self._stroke.drawn

    def advance_to(self, progress: float) -> list[pygame.Rect]:
        """Draw the segments between the old and the new progress; return dirty rects.

        The pen never goes back: a smaller progress changes nothing.
        """
        progress = min(max(float(progress), self._progress), 1.0)
        self._progress = progress
        target = int(np.floor(progress * self._stroke.segment_count + 1e-9))
        if target <= self._stroke.drawn:
            self.last_stats = StrokeStats()
            return []
        pixels = pygame.surfarray.pixels3d(self.canvas)
        try:
            boxes, self.last_stats = self._stroke.paint_to(pixels, target, self.ink)
        finally:
            del pixels  # unlock before anyone blits the canvas
        return [pygame.Rect(box) for box in boxes]

    def enable_ink(self, opacity: float) -> InkLayer:
        """Keep the strokes on an InkLayer too (at `opacity`); what is drawn already goes on it.

        Catching up paints the strokes so far once more (a whole curve at
        1920x1080 takes about a tenth of a second), so it is meant for a
        change of configuration, not for every frame.
        """
        if self.ink is not None:
            self.ink.set_opacity(opacity)
            return self.ink
        ink = InkLayer(self.size, opacity)
        drawn = self._stroke.drawn
        if drawn:
            stroke = self._stroke
            replay = PolylineStroke(stroke.points, stroke.width, self._colours)
            scratch = np.zeros((*self.size, 3), np.uint8)
            replay.paint_to(scratch, drawn, ink)
        self.ink = ink
        return ink

    def disable_ink(self) -> None:
        """Stop keeping the strokes on their own layer (curves only from now on)."""
        self.ink = None

    @property
    def pen_parameter(self) -> float:
        """The curve parameter t under the pen."""
        return self._progress * self.curve.period

    def pen_position(self) -> tuple[float, float]:
        """(x, y) pixels of the pen tip, between samples when progress falls between them."""
        where = self._progress * self._stroke.segment_count
        i = min(int(where), self._stroke.segment_count - 1)
        frac = where - i
        a, b = self._stroke.points[i], self._stroke.points[i + 1]
        return float(a[0] + (b[0] - a[0]) * frac), float(a[1] + (b[1] - a[1]) * frac)

    def pen_colour(self) -> tuple[int, int, int]:
        """The stroke colour under the pen."""
        r, g, b = self._colours[round(self._progress * (len(self._colours) - 1))]
        return int(r), int(g), int(b)
