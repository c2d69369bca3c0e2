"""The curve layer on its own, for blending the strokes over a camera picture.

A CurveDrawing's canvas holds the strokes already painted over the
background map. Over a camera picture that background is replaced, so the
strokes are also kept here: colour and coverage per pixel. Painting coverage
b of colour c over a pixel of coverage A and colour C ("over" compositing)
gives A' = A + b (1 - A) and C' = C + (c - C) b / A'; composited over any
picture, that is exactly what painting the same strokes straight onto the
picture would give, joints and all.

The layer is a per-pixel-alpha surface whose alpha is the coverage times the
opacity, so a frame costs one SDL alpha blit of the area that has ink
(an alpha blit with a surface-wide alpha as well is SDL's slow path, hence
the opacity baked in; the plain coverage is kept aside for a new opacity).
"""

from __future__ import annotations

import sys

import numpy as np
import pygame


class InkLayer:
    """Strokes with coverage on a transparent (w, h) surface; `opacity` 0..1 scales it all."""

    def __init__(self, size: tuple[int, int], opacity: float = 1.0) -> None:
        self.size = (int(size[0]), int(size[1]))
        self.surface = pygame.Surface(self.size, pygame.SRCALPHA, 32)
        self.surface.fill((0, 0, 0, 0))
        self._coverage = np.zeros(self.size, np.uint8)  # (w, h), as pygame.surfarray
        self._opacity = check_opacity(opacity)
        self.bounds: pygame.Rect | None = None  # the area with any ink
        self._fade: tuple[np.ndarray, np.ndarray] | None = None  # (byte index, alpha) when fading

    @property
    def opacity(self) -> float:
        return self._opacity

    def set_opacity(self, opacity: float) -> None:
        """Scale the layer by a new opacity (one pass over the inked area)."""
        opacity = check_opacity(opacity)
        if opacity == self._opacity:
            return
        self._opacity = opacity
        self._fade = None
        if self.bounds is None:
            return
        area = _slices(self.bounds)
        alpha = pygame.surfarray.pixels_alpha(self.surface)
        try:
            alpha[area] = _scaled(self._coverage[area], opacity)
        finally:
            del alpha

    def add(self, x: np.ndarray, y: np.ndarray, colour: np.ndarray, coverage: np.ndarray) -> None:
        """Paint `colour` (k, 3) over pixels (x, y) with `coverage` (k,) 0..1 (an InkSink)."""
        if len(x) == 0:
            return
        rgb = pygame.surfarray.pixels3d(self.surface)
        alpha = pygame.surfarray.pixels_alpha(self.surface)
        try:
            old = self._coverage[x, y].astype(np.float32) * np.float32(1.0 / 255.0)
            new = old + coverage * (1.0 - old)
            weight = coverage / np.maximum(new, np.float32(1e-6))
            current = rgb[x, y].astype(np.float32)
            rgb[x, y] = (current + (colour - current) * weight[:, None] + 0.5).astype(np.uint8)
            level = (new * 255.0 + 0.5).astype(np.uint8)
            self._coverage[x, y] = level
            alpha[x, y] = _scaled(level, self._opacity)
        finally:
            del rgb, alpha  # unlock the surface
        x0, y0 = int(x.min()), int(y.min())
        box = pygame.Rect(x0, y0, int(x.max()) - x0 + 1, int(y.max()) - y0 + 1)
        self.bounds = box if self.bounds is None else self.bounds.union(box)
        self._fade = None

    def draw(self, target: pygame.Surface) -> None:
        """Blend the layer over `target` (same size), only where there is ink."""
        if self.bounds is not None:
            target.blit(self.surface, self.bounds.topleft, self.bounds)

    def fade_to(self, weight: float) -> None:
        """Scale the layer's alpha by `weight` 0..1 relative to now, for a cross-fade out.

        The first call notes where the ink is; later calls rewrite only those
        alpha bytes. Painting again ends the fade's memory of the layer.
        """
        if self.bounds is None:
            return
        if self._fade is None:
            self._fade = self._inked_alpha()
        index, alpha = self._fade
        level = np.uint16(round(min(max(weight, 0.0), 1.0) * 256))
        flat = np.frombuffer(self.surface.get_buffer(), np.uint8)
        try:
            flat[index] = ((alpha * level) >> 8).astype(np.uint8)
        finally:
            del flat

    def _inked_alpha(self) -> tuple[np.ndarray, np.ndarray]:
        """Byte offsets of the alpha of every inked pixel, and those alphas (uint16)."""
        shift = self.surface.get_shifts()[3]
        byte = shift // 8 if sys.byteorder == "little" else 3 - shift // 8
        area = _slices(self.bounds)
        xs, ys = np.nonzero(self._coverage[area])
        xs = xs + self.bounds.left
        ys = ys + self.bounds.top
        index = ys.astype(np.int64) * self.surface.get_pitch() + xs * 4 + byte
        flat = np.frombuffer(self.surface.get_buffer(), np.uint8)
        try:
            alpha = flat[index].astype(np.uint16)
        finally:
            del flat
        return index, alpha


def check_opacity(opacity: float) -> float:
    """`opacity` as a float, or ValueError when it is not within 0..1."""
    opacity = float(opacity)
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity: must be between 0 and 1, not {opacity!r}")
    return opacity


def _scaled(level: np.ndarray, opacity: float) -> np.ndarray:
    if opacity >= 1.0:
        return level
    return (level.astype(np.float32) * np.float32(opacity) + 0.5).astype(np.uint8)


def _slices(rect: pygame.Rect) -> tuple[slice, slice]:
    return slice(rect.left, rect.right), slice(rect.top, rect.bottom)
