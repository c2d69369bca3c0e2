"""The stroke rasteriser on plain numpy pixel arrays: coverage, joints, colour, bounded work."""

import numpy as np
import pytest

from spirokiosk.display.draw.stroke import PolylineStroke

BACKGROUND = 40
RED_TO_BLUE = np.array([[255, 0, 0], [0, 0, 255]], dtype=np.uint8)


def blank(w=120, h=60) -> np.ndarray:
    return np.full((w, h, 3), BACKGROUND, dtype=np.uint8)


def horizontal_line(n=61, x0=10.0, x1=110.0, y=30.25, width=5.0, colours=RED_TO_BLUE):
    points = np.column_stack([np.linspace(x0, x1, n), np.full(n, y)])
    return PolylineStroke(points, width, colours)


def test_a_line_is_solid_inside_and_anti_aliased_at_its_edges():
    pixels = blank()
    stroke = horizontal_line(y=30.25, width=4.0, colours=np.array([[250, 250, 250]] * 2))
    stroke.paint_to(pixels, stroke.segment_count)
    column = pixels[60, :, :].astype(int)
    ink = np.abs(column - BACKGROUND).max(axis=1)
    # Pixel centres at y + 0.5; the line covers 28.25..32.25.
    assert ink[29] > 200 and ink[30] > 200 and ink[31] > 200
    assert 0 < ink[28] < 200 and 0 < ink[32] < 200  # partial coverage: no stair steps
    assert ink[26] == 0 and ink[34] == 0


def test_coverage_ramps_with_distance_from_the_centre_line():
    pixels = blank()
    stroke = horizontal_line(y=30.0, width=3.0, colours=np.array([[240, 240, 240]] * 2))
    stroke.paint_to(pixels, stroke.segment_count)
    # Centres at distances 0.5, 1.5, 2.5 from y = 30: coverage 1, 0.5, 0.
    column = pixels[60, :, 0].astype(int)
    assert column[29] == column[30] == 240
    assert column[31] == pytest.approx(BACKGROUND + 0.5 * (240 - BACKGROUND), abs=1)
    assert column[28] == pytest.approx(BACKGROUND + 0.5 * (240 - BACKGROUND), abs=1)
    assert column[32] == column[27] == BACKGROUND


def test_painting_in_many_small_steps_leaves_no_beads_at_the_joints():
    # One colour, so any difference is coverage stacked up at a joint.
    white = np.array([[250, 250, 250]] * 2, dtype=np.uint8)
    one_pass, steps = blank(), blank()
    horizontal_line(n=121, colours=white).paint_to(one_pass, 120)
    stroke = horizontal_line(n=121, colours=white)
    for k in range(1, 121):
        stroke.paint_to(steps, k)
    assert np.abs(one_pass.astype(int) - steps.astype(int)).max() <= 1


def test_a_curved_stroke_painted_in_steps_matches_one_pass():
    t = np.linspace(0.0, 1.5 * np.pi, 400)
    points = np.column_stack([60 + 40 * np.cos(t), 30 + 25 * np.sin(t)])
    one_pass, steps = blank(), blank()
    PolylineStroke(points, 6.0, RED_TO_BLUE).paint_to(one_pass, 399)
    stroke = PolylineStroke(points, 6.0, RED_TO_BLUE)
    for k in range(3, 400, 3):
        stroke.paint_to(steps, k)
    stroke.paint_to(steps, 399)
    difference = np.abs(one_pass.astype(int) - steps.astype(int))
    # Only the gradient's slight colour change between neighbouring segments.
    assert difference.max() <= 6
    assert np.mean(difference) < 0.5


def test_colour_follows_the_table_along_the_line():
    pixels = blank()
    stroke = horizontal_line(y=30.0, width=5.0)
    stroke.paint_to(pixels, stroke.segment_count)
    start, middle, end = pixels[11, 29], pixels[60, 29], pixels[109, 29]
    assert start[0] > 240 and start[2] < 15
    assert end[2] > 240 and end[0] < 15
    assert abs(int(middle[0]) - 128) < 10 and abs(int(middle[2]) - 128) < 10


def test_dirty_boxes_hold_every_changed_pixel():
    stroke = horizontal_line(n=201)
    pixels = blank()
    for k in (17, 60, 61, 150, 200):
        before = pixels.copy()
        boxes, _ = stroke.paint_to(pixels, k)
        changed = np.any(before != pixels, axis=2)
        inside = np.zeros_like(changed)
        for x, y, w, h in boxes:
            inside[x : x + w, y : y + h] = True
        assert changed.any()
        assert not (changed & ~inside).any()


def test_work_per_call_does_not_grow_with_what_is_already_drawn():
    # A long spiral: thousands of segments, painted in 25-segment steps.
    t = np.linspace(0.0, 40.0 * np.pi, 6001)
    radius = 20.0 + 2.5 * t
    points = np.column_stack([200 + radius * np.cos(t), 200 + radius * np.sin(t)])
    stroke = PolylineStroke(points, 5.0, RED_TO_BLUE)
    pixels = np.zeros((400, 400, 3), dtype=np.uint8)
    samples = []
    for k in range(25, 6001, 25):
        _, stats = stroke.paint_to(pixels, k)
        assert stats.segments == 25
        samples.append(stats.samples)
    # The spiral speeds up outwards, so segments grow a little; the work per
    # call must follow that, not the thousands of segments already drawn.
    later = samples[1:]  # the first call has no tail to join
    assert max(later) < 3 * min(later)
    assert max(samples) < 25 * 20 * 20  # a small window per segment and tail


def test_painting_never_writes_outside_the_pixels():
    points = np.array([[-20.0, -20.0], [10.0, 10.0], [50.0, -30.0], [70.0, 90.0]])
    stroke = PolylineStroke(points, 6.0, RED_TO_BLUE)
    pixels = blank(60, 40)
    boxes, stats = stroke.paint_to(pixels, 3)
    assert stats.pixels > 0
    for x, y, w, h in boxes:
        assert x >= 0 and y >= 0 and x + w <= 60 and y + h <= 40


def test_a_polyline_needs_two_points():
    with pytest.raises(ValueError, match="points"):
        PolylineStroke(np.zeros((1, 2)), 3.0, RED_TO_BLUE)
