"""Anti-aliased, colour-graded polyline strokes painted straight into pixels.

Each segment is a capsule (a line of the stroke's width with round ends).
For a batch of consecutive segments every pixel near them gets the distance
to the nearest one (numpy, float32, a small window per segment), so joints
inside a batch are seamless: coverage comes from the union, not from
stacking one capsule on another. Coverage is a one-pixel linear ramp at the
edge, clip(width / 2 + 0.5 - d, 0, 1), which is what makes the edge smooth
at 1:1, and the colour is the colour map at the parameter of the nearest
point on the curve.

Joints between batches (one frame and the next) would still stack the two
capsules' edge coverage and show a bead at every frame boundary. So each
batch also measures its distance to the few segments just before it (its
"tail", already painted) and paints only the coverage it adds:
beta = (a_new - a_old) / (1 - a_old). Over a pixel already covered a_old by
about the same colour, that lands exactly where one union pass would have.

Work per batch is proportional to its segments (plus the short tail), never
to how much has been drawn before.
"""

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

BATCH_ARC_PX = 192.0  # longest run of curve painted in one vectorised batch
BATCH_MAX_SEGMENTS = 1024


@dataclass(frozen=True)
class StrokeStats:
    """What the last paint call did: the bounded work the per-frame budget relies on."""

    segments: int = 0  # new segments painted
    tail_segments: int = 0  # already painted segments measured for the joint
    samples: int = 0  # pixel-segment distances evaluated
    pixels: int = 0  # canvas pixels written

    def __add__(self, other: "StrokeStats") -> "StrokeStats":
        return StrokeStats(
            self.segments + other.segments,
            self.tail_segments + other.tail_segments,
            self.samples + other.samples,
            self.pixels + other.pixels,
        )


class InkSink(Protocol):
    """Receives what a paint call adds, pixel by pixel (see display.ink.InkLayer)."""

    def add(self, x: np.ndarray, y: np.ndarray, colour: np.ndarray, coverage: np.ndarray) -> None:
        """Pixels (x, y) get `colour` (k, 3) float over them with `coverage` (k,) 0..1."""


class PolylineStroke:
    """A polyline painted progressively, in order, onto an (w, h, 3) uint8 pixel view.

    `points` are pixel coordinates (n, 2); the colour table spans the whole
    polyline (its first entry at point 0, its last at point n - 1) and is
    interpolated, so the colour varies continuously with the curve parameter.
    A closed polyline (first point == last) has its end painted over its start.
    """

    def __init__(self, points: np.ndarray, width: float, colours: np.ndarray):
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) < 2:
            raise ValueError("points: need an (n >= 2, 2) array")
        self.points = points
        self.width = float(width)
        self.radius = self.width / 2.0 + 0.5  # coverage is > 0 inside this distance
        self._x = x = points[:, 0].astype(np.float32)
        self._y = y = points[:, 1].astype(np.float32)
        # Each segment's own numbers, worked out once (a batch is a run of segments, so it
        # takes slices of these, free, where it would otherwise compute them each frame):
        # its span, the top-left pixel of its window and that corner relative to its start,
        # 1 / its length squared, and the longer side of its box.
        self._sx, self._sy = x[1:] - x[:-1], y[1:] - y[:-1]
        self._wx0 = np.floor(np.minimum(x[:-1], x[1:]) - self.radius).astype(np.int32)
        self._wy0 = np.floor(np.minimum(y[:-1], y[1:]) - self.radius).astype(np.int32)
        self._ox = self._wx0.astype(np.float32) - x[:-1]
        self._oy = self._wy0.astype(np.float32) - y[:-1]
        length2 = self._sx * self._sx + self._sy * self._sy
        self._inv_len2 = 1.0 / np.maximum(length2, np.float32(1e-12))
        self._extent = np.maximum(np.abs(self._sx), np.abs(self._sy))
        self._u = np.linspace(0.0, 1.0, len(points), dtype=np.float32)
        seg_len = np.hypot(*np.diff(points, axis=0).T)
        self._arc = np.concatenate([[0.0], np.cumsum(seg_len)])  # arc length at each point
        self._colours = np.asarray(colours, dtype=np.float32)
        if len(self._colours) < 2:
            raise ValueError("colours: need a table of at least two colours")
        self._colour_steps = self._colours[1:] - self._colours[:-1]
        self.drawn = 0  # segments painted so far

    @property
    def segment_count(self) -> int:
        return len(self.points) - 1

    def paint_to(
        self, pixels: np.ndarray, segments: int, ink: InkSink | None = None
    ) -> tuple[list, StrokeStats]:
        """Paint segments [drawn, segments) in batches; return dirty (x, y, w, h) boxes.

        `ink`, when given, also receives every painted pixel's colour and added
        coverage, for a layer that is blended over something else later.
        """
        segments = min(max(segments, self.drawn), self.segment_count)
        boxes, stats = [], StrokeStats()
        while self.drawn < segments:
            end = self._batch_end(self.drawn, segments)
            box, batch_stats = self._paint_batch(pixels, self.drawn, end, ink)
            self.drawn = end
            stats = stats + batch_stats
            if box is not None:
                boxes.append(box)
        return boxes, stats

    def _batch_end(self, start: int, stop: int) -> int:
        limit = np.searchsorted(self._arc, self._arc[start] + BATCH_ARC_PX, side="right") - 1
        return int(min(stop, max(limit, start + 1), start + BATCH_MAX_SEGMENTS))

    def _tail(self, start: int) -> int:
        """The first of the painted segments that end near where this batch joins the
        stroke (its tail: segments [first, start)).

        Only the run just before the batch: where the curve comes back over
        older ink (a crossing, or the end meeting the start of a closed
        curve) the newer stroke is painted on top, as a pen would.
        """
        reach = 2.0 * self.radius + 2.0
        return max(0, int(np.searchsorted(self._arc, self._arc[start] - reach)) - 1)

    def _colour_at(self, param: np.ndarray) -> np.ndarray:
        """Colours at parameters 0..1, linearly between table entries: (k, 3) float."""
        where = param * np.float32(len(self._colours) - 1)
        index = np.minimum(where.astype(np.intp), len(self._colours) - 2)
        frac = (where - index)[:, None]
        return self._colours[index] + self._colour_steps[index] * frac

    def _paint_batch(self, pixels: np.ndarray, start: int, stop: int, ink: InkSink | None):
        """Paint segments [start, stop) over what is there; return (dirty box or None, stats).

        Every step is a handful of numpy calls on a few thousand values: at one batch a
        frame their count, not their size, is most of the cost, so none is spent twice
        (the new segments' pairs and the tail's are slices, not masks)."""
        first = self._tail(start)
        n_old = start - first
        height_px = pixels.shape[1]
        near = self._near_pixels(first, stop, pixels.shape[0], height_px)
        flat, which, dist, along, samples = near
        # Pairs come in the order of their segments: the tail's first, then the new ones'.
        split = int(np.searchsorted(which, n_old))
        if split == len(which):
            return None, StrokeStats(stop - start, n_old, samples, 0)
        r = np.float32(self.radius)

        # Per pixel: the nearest new segment gives coverage and colour ...
        new_dist = dist[split:]
        cells, nearest = _nearest_per_cell(flat[split:], new_dist, self.radius)
        cover_new = _unit_clip(r - new_dist[nearest])
        s = which[split:][nearest] + first
        u = self._u
        param = u[s] + (u[s + 1] - u[s]) * along[split:][nearest]
        # ... and the nearest tail segment the coverage already painted.
        cover_old = np.zeros_like(cover_new)
        if split:
            old_dist = dist[:split]
            old_cells, old_nearest = _nearest_per_cell(flat[:split], old_dist, self.radius)
            at = np.minimum(np.searchsorted(old_cells, cells), len(old_cells) - 1)
            match = old_cells[at] == cells
            cover_old[match] = _unit_clip(r - old_dist[old_nearest][at[match]])
        beta = _unit_clip((cover_new - cover_old) / np.maximum(1.0 - cover_old, 1e-6))

        paint = beta > 0.0
        if not paint.any():
            return None, StrokeStats(stop - start, n_old, samples, 0)
        x, y = np.divmod(cells[paint], height_px)
        colour = self._colour_at(param[paint])
        added = beta[paint]
        current = pixels[x, y].astype(np.float32)
        blend = (current + (colour - current) * added[:, None] + 0.5).astype(np.uint8)
        pixels[x, y] = blend
        if ink is not None:
            ink.add(x, y, colour, added)
        x0, y0 = int(x.min()), int(y.min())
        box = (x0, y0, int(x.max()) - x0 + 1, int(y.max()) - y0 + 1)
        return box, StrokeStats(stop - start, n_old, samples, len(x))

    def _near_pixels(self, first: int, stop: int, width_px: int, height_px: int):
        """Every (segment, pixel) pair closer than the stroke's reach, inside the canvas,
        for segments [first, stop).

        Returns the pixel as x * height + y, the segment less `first` (in order), the
        distance, the position of the nearest point along the segment (0..1), and how
        many distances were evaluated.
        """
        r = self.radius
        run = slice(first, stop)
        # One square window per segment, the same size for all (vectorised).
        wx0, wy0 = self._wx0[run], self._wy0[run]
        side = math.ceil(float(self._extent[run].max()) + 2.0 * r) + 1
        grid = np.arange(side, dtype=np.float32) + 0.5
        # Pixel centres relative to the segment's start, all float32.
        px = self._ox[run][:, None, None] + grid[None, None, :]
        py = self._oy[run][:, None, None] + grid[None, :, None]
        dx, dy = self._sx[run][:, None, None], self._sy[run][:, None, None]
        along = (px * dx + py * dy) * self._inv_len2[run][:, None, None]
        along = _unit_clip(along, out=along)  # the nearest point on the segment
        ex = np.subtract(px, dx * along)
        ey = np.subtract(py, dy * along)
        ex *= ex
        ey *= ey
        dist2 = np.add(ex, ey, out=ex)

        hit = np.flatnonzero(dist2 < r * r)
        which, cell = np.divmod(hit, side * side)
        x = wx0[which] + (cell % side)
        y = wy0[which] + (cell // side)
        # Mostly the windows are all inside the canvas: then nothing is left out.
        outside_x = wx0.min() < 0 or wx0.max() + side > width_px
        if outside_x or wy0.min() < 0 or wy0.max() + side > height_px:
            inside = (x >= 0) & (x < width_px) & (y >= 0) & (y < height_px)
            hit, which, x, y = hit[inside], which[inside], x[inside], y[inside]
        flat = x.astype(np.int64) * height_px + y
        dist = np.sqrt(dist2.reshape(-1)[hit])
        return flat, which, dist, along.reshape(-1)[hit], int(dist2.size)


def _unit_clip(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """`values` clipped to 0..1 (np.clip's result, for a fraction of its overhead)."""
    out = np.maximum(values, 0.0, out=out)
    return np.minimum(out, 1.0, out=out)


def _nearest_per_cell(cells: np.ndarray, dist: np.ndarray, reach: float):
    """For each distinct cell, the index of its smallest distance; cells come out sorted.

    One sort on (cell, distance) packed in a float64 (distances are below
    `reach`), where ufunc.at would be slow on the older numpy of some systems.
    """
    key = cells.astype(np.float64) * float(math.ceil(reach) + 1) + dist
    order = np.argsort(key)
    ordered = cells[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first], order[first]
