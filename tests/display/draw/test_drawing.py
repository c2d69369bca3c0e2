"""CurveDrawing: fit, background, complete and anti-aliased strokes, incremental painting."""

import dataclasses

import numpy as np
import pygame
import pytest

from spirokiosk.display.curves import PRESETS
from spirokiosk.display.curves.colours import colour_table
from spirokiosk.display.draw.drawing import CurveDrawing, background_surface

SIZE = (240, 180)
# autumn runs red -> yellow with no blue at all; gray has r == g == b. So on a
# pixel the blue channel tells how much of the grey background still shows.
CURVE = dataclasses.replace(
    PRESETS["gears-105-63"], colour_map="autumn", background_map="gray", line_width=4.0
)


def pixels_of(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surface).astype(int)


@pytest.fixture(scope="module")
def finished() -> CurveDrawing:
    drawing = CurveDrawing(CURVE, SIZE)
    drawing.advance_to(1.0)
    return drawing


def test_the_background_is_the_map_from_top_to_bottom():
    pixels = pixels_of(background_surface("viridis", (20, 50)))
    table = colour_table("viridis", 50).astype(int)
    assert (pixels[0] == table).all() and (pixels[19] == table).all()
    assert (pixels[:, 0] == table[0]).all() and (pixels[:, -1] == table[-1]).all()


def test_a_new_drawing_is_only_background():
    drawing = CurveDrawing(CURVE, SIZE)
    assert drawing.progress == 0.0
    assert drawing.canvas.get_size() == SIZE
    assert (pixels_of(drawing.canvas) == pixels_of(background_surface("gray", SIZE))).all()
    assert drawing.advance_to(0.0) == []


def test_the_curve_is_fitted_centred_inside_a_margin(finished):
    points = finished.points
    w, h = SIZE
    margin = 0.05 * min(w, h)
    assert points[:, 0].min() >= margin and points[:, 0].max() <= w - margin
    assert points[:, 1].min() >= margin and points[:, 1].max() <= h - margin
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    assert centre == pytest.approx([w / 2, h / 2], abs=0.5)
    # It fills the limiting dimension (the height here).
    assert points[:, 1].max() - points[:, 1].min() > h - 2 * margin - 2 * CURVE.line_width - 2


def test_segments_are_short_at_the_fitted_scale(finished):
    lengths = np.hypot(*np.diff(finished.points, axis=0).T)
    assert lengths.max() <= 1.5
    assert (finished.points[0] == finished.points[-1]).all()


def test_the_finished_canvas_holds_the_whole_curve(finished):
    pixels = pixels_of(finished.canvas)
    background = pixels_of(background_surface("gray", SIZE))
    xy = np.floor(finished.points).astype(int)
    ink = np.abs(pixels[xy[:, 0], xy[:, 1]] - background[xy[:, 0], xy[:, 1]]).max(axis=1)
    assert ink.min() > 60  # every sampled point of the curve is clearly drawn


def test_strokes_are_anti_aliased(finished):
    pixels = pixels_of(finished.canvas)
    background = pixels_of(background_surface("gray", SIZE))
    grey = background[:, :, 2]
    visible = grey > 80  # where the background is light enough to measure coverage
    coverage = 1.0 - pixels[:, :, 2] / np.maximum(grey, 1)
    stroke = visible & (coverage > 0.05)
    partial = visible & (coverage > 0.15) & (coverage < 0.85)
    full = visible & (coverage > 0.97)
    assert full.sum() > 500
    # The edges of a 4 px line: a good share of its pixels are partly covered,
    # with every level of coverage, not a few fixed steps.
    assert partial.sum() > 0.15 * stroke.sum()
    levels, _ = np.histogram(coverage[partial], bins=7, range=(0.15, 0.85))
    assert levels.min() > 0.05 * partial.sum()


def test_colour_follows_the_map_along_the_curve():
    drawing = CurveDrawing(CURVE, SIZE)
    table = colour_table("autumn", 1024).astype(int)
    n = len(drawing.points) - 1
    for u in (0.02, 0.25, 0.5, 0.75, 0.98):
        drawing.advance_to(u + 0.01)  # just past u: nothing drawn later covers it yet
        x, y = np.floor(drawing.points[round(u * n)]).astype(int)
        colour = pixels_of(drawing.canvas)[x, y]
        assert np.abs(colour - table[round(u * 1023)]).max() <= 12, u


def test_many_small_steps_give_the_picture_of_one_big_step(finished):
    stepped = CurveDrawing(CURVE, SIZE)
    for i in range(1, 301):
        stepped.advance_to(i / 300)
    difference = np.abs(pixels_of(stepped.canvas) - pixels_of(finished.canvas)).max(axis=2)
    assert (difference > 8).mean() < 0.002  # only where the curve crosses itself
    assert difference.mean() < 0.2


def test_only_pixels_inside_the_dirty_rects_change():
    drawing = CurveDrawing(CURVE, SIZE)
    before = pixels_of(drawing.canvas)
    for i in range(1, 41):
        rects = drawing.advance_to(i / 40)
        after = pixels_of(drawing.canvas)
        changed = np.any(before != after, axis=2)
        inside = np.zeros_like(changed)
        for rect in rects:
            inside[rect.left : rect.right, rect.top : rect.bottom] = True
        assert changed.any() and not (changed & ~inside).any()
        before = after


def test_work_per_update_is_bounded_by_the_new_segments():
    drawing = CurveDrawing(PRESETS["seed-magma-11"], (320, 240))
    step = 1 / 400
    samples = []
    for i in range(1, 401):
        drawing.advance_to(i * step)
        samples.append(drawing.last_stats.samples)
        assert drawing.last_stats.segments <= drawing.segment_count * step + 1
    early, late = np.median(samples[1:50]), np.median(samples[-50:])
    assert late < 2 * early  # no growth with what is already on the canvas


def test_the_pen_moves_uniformly_in_the_curve_parameter():
    drawing = CurveDrawing(CURVE, SIZE)
    assert drawing.pen_position() == pytest.approx(tuple(drawing.points[0]))
    drawing.advance_to(0.3)
    expected = drawing.fit.point_to_pixels(complex(CURVE.z(0.3 * CURVE.period)))
    assert drawing.pen_position() == pytest.approx(expected, abs=0.2)
    assert drawing.pen_parameter == pytest.approx(0.3 * CURVE.period)
    drawing.advance_to(1.0)
    assert drawing.pen_position() == pytest.approx(tuple(drawing.points[0]))


def test_the_pen_never_goes_back():
    drawing = CurveDrawing(CURVE, SIZE)
    drawing.advance_to(0.5)
    snapshot = pixels_of(drawing.canvas)
    assert drawing.advance_to(0.2) == []
    assert drawing.progress == 0.5
    assert (pixels_of(drawing.canvas) == snapshot).all()


def test_a_size_must_be_positive():
    with pytest.raises(ValueError, match="size"):
        CurveDrawing(CURVE, (0, 100))
