"""Scene: time-based pen, hold, cross-fade, playlist and queue, overlays."""

import dataclasses
import subprocess
import sys
from itertools import cycle

import numpy as np
import pygame
import pytest

from spirokiosk.display.curves import PRESETS
from spirokiosk.display.draw.scene import Overlays, Scene, Timing

SIZE = (160, 120)
NO_OVERLAYS = Overlays(pen=False, wheels=False, caption=False)
CURVES = [
    dataclasses.replace(PRESETS[name], name=name)
    for name in ("gears-105-84", "gears-150-60-outside", "gears-105-63")
]


def pixels_of(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surface).astype(int)


def frame_of(scene: Scene) -> np.ndarray:
    target = pygame.Surface(scene.size, 0, 32)
    scene.composer.draw(target)
    return pixels_of(target)


def playlist(curves=CURVES):
    calls = []
    source = cycle(curves)

    def next_curve():
        curve = next(source)
        calls.append(curve.name)
        return curve

    return next_curve, calls


def test_the_first_frame_is_the_background_and_the_pen():
    scene = Scene(SIZE, lambda: CURVES[0], Timing(draw_seconds=3.0))
    background = pixels_of(scene.drawing.canvas)
    frame = frame_of(scene)
    assert scene.phase == "drawing" and scene.progress == 0.0
    same = np.all(frame == background, axis=2)
    assert 0.97 < same.mean() < 1.0  # the pen dot, and nothing else


def test_progress_is_elapsed_time_over_draw_seconds_whatever_the_frame_rate():
    fast = Scene(SIZE, lambda: CURVES[0], Timing(draw_seconds=4.0), NO_OVERLAYS)
    slow = Scene(SIZE, lambda: CURVES[0], Timing(draw_seconds=4.0), NO_OVERLAYS)
    for _ in range(90):
        fast.update(1 / 60)
    for _ in range(30):
        slow.update(1 / 20)
    assert fast.progress == pytest.approx(1.5 / 4.0) and slow.progress == pytest.approx(1.5 / 4)
    difference = np.abs(frame_of(fast) - frame_of(slow))
    assert (difference > 8).mean() < 0.002


def test_an_offline_render_ends_complete_even_when_float_sums_fall_short():
    duration, frames = 2.0, 97
    scene = Scene(SIZE, lambda: CURVES[0], Timing(draw_seconds=duration), NO_OVERLAYS)
    for i in range(frames):
        if i:
            scene.update(duration / (frames - 1))
        frame = frame_of(scene)
    assert scene.progress == 1.0 and scene.phase == "holding"
    assert scene.drawing.segments_drawn == scene.drawing.segment_count
    assert (frame == pixels_of(scene.drawing.canvas)).all()


def test_hold_then_cross_fade_into_the_next_curve():
    next_curve, calls = playlist()
    scene = Scene(SIZE, next_curve, Timing(1.0, 1.0, 0.6), NO_OVERLAYS)
    scene.update(1.0)
    assert scene.phase == "holding" and scene.progress == 1.0
    old = frame_of(scene)
    scene.update(0.8)
    assert scene.phase == "holding" and (frame_of(scene) == old).all()
    scene.update(0.5)  # 0.3 s into the next curve, halfway through the fade
    assert scene.phase == "fading" and scene.curve.name == CURVES[1].name
    assert scene.progress == pytest.approx(0.3)
    new = pixels_of(scene.drawing.canvas)
    mixed = frame_of(scene)
    differ = np.abs(old - new) > 60
    low, high = np.minimum(old, new), np.maximum(old, new)
    assert differ.sum() > 200
    assert ((mixed >= low - 1) & (mixed <= high + 1)).all()
    assert ((mixed[differ] > low[differ] + 10) & (mixed[differ] < high[differ] - 10)).all()
    scene.update(0.4)
    assert scene.phase == "drawing" and (frame_of(scene) == pixels_of(scene.drawing.canvas)).all()
    assert calls == [CURVES[0].name, CURVES[1].name]


def test_queued_curves_play_next_in_order_before_the_playlist():
    next_curve, _ = playlist()
    scene = Scene(SIZE, next_curve, Timing(0.5, 0.5, 0.2), NO_OVERLAYS)
    first, second = (
        dataclasses.replace(PRESETS["gears-96-30"], name=name) for name in ("asked-1", "asked-2")
    )
    scene.queue_curve(first)
    scene.queue_curve(second)
    shown = [scene.curve.name]
    for _ in range(45):  # five curves of 1 s, in 0.1 s steps
        scene.update(0.1)
        if scene.curve.name != shown[-1]:
            shown.append(scene.curve.name)
    assert shown == [CURVES[0].name, "asked-1", "asked-2", CURVES[1].name, CURVES[2].name]


def test_a_curve_queued_during_the_hold_still_comes_first():
    next_curve, calls = playlist()
    scene = Scene(SIZE, next_curve, Timing(0.5, 1.0, 0.2), NO_OVERLAYS)
    scene.update(1.2)  # past halfway through the hold: the next playlist curve is ready
    asked = dataclasses.replace(PRESETS["gears-96-30"], name="asked")
    scene.queue_curve(asked)
    scene.update(0.5)
    assert scene.curve.name == "asked"
    scene.update(1.5 + 1e-6)
    assert scene.curve.name == CURVES[1].name
    assert calls == [CURVES[0].name, CURVES[1].name]


def test_a_long_stall_moves_on_by_one_curve_at_most():
    next_curve, _ = playlist()
    scene = Scene(SIZE, next_curve, Timing(1.0, 1.0, 0.0), NO_OVERLAYS)
    scene.update(1000.0)
    assert scene.curve.name == CURVES[0].name and scene.phase == "holding"
    scene.update(1000.0)
    assert scene.curve.name == CURVES[1].name
    assert scene.phase == "holding"


def test_overlays_change_the_frame_but_never_the_canvas():
    plain = Scene(SIZE, lambda: CURVES[0], Timing(4.0), NO_OVERLAYS)
    decorated = Scene(SIZE, lambda: CURVES[0], Timing(4.0), Overlays(True, True, True))
    for scene in (plain, decorated):
        scene.update(1.0)
    canvas_before = pixels_of(decorated.drawing.canvas)
    with_overlays = frame_of(decorated)
    assert (pixels_of(decorated.drawing.canvas) == canvas_before).all()
    assert (canvas_before == pixels_of(plain.drawing.canvas)).all()
    changed = np.any(with_overlays != frame_of(plain), axis=2)
    assert changed.mean() > 0.02


@pytest.mark.parametrize(
    ("overlays", "minimum"),
    [(Overlays(pen=True), 10), (Overlays(pen=False, wheels=True), 200)],
)
def test_each_moving_overlay_shows_while_drawing_only(overlays, minimum):
    scene = Scene(SIZE, lambda: CURVES[0], Timing(1.0, 1.0), overlays)
    scene.update(0.5)
    changed = np.any(frame_of(scene) != pixels_of(scene.drawing.canvas), axis=2)
    assert changed.sum() > minimum
    scene.update(0.6)
    assert scene.phase == "holding"
    assert (frame_of(scene) == pixels_of(scene.drawing.canvas)).all()


def test_the_caption_stays_in_the_hold():
    scene = Scene(SIZE, lambda: CURVES[0], Timing(1.0, 1.0), Overlays(pen=False, caption=True))
    scene.update(1.5)
    changed = np.any(frame_of(scene) != pixels_of(scene.drawing.canvas), axis=2)
    w, h = SIZE
    assert changed[: w // 2, h // 2 :].sum() > 100  # bottom-left corner
    assert not changed[w // 2 :, : h // 2].any()


def test_the_target_must_have_the_scene_size():
    scene = Scene(SIZE, lambda: CURVES[0])
    with pytest.raises(ValueError, match="size"):
        scene.composer.draw(pygame.Surface((10, 10), 0, 32))


@pytest.mark.parametrize(
    "timing",
    [dict(draw_seconds=0), dict(hold_seconds=-1), dict(fade_seconds=float("nan"))],
)
def test_timing_rejects_impossible_values(timing):
    with pytest.raises(ValueError):
        Timing(**timing)


def test_importing_the_renderer_initialises_nothing():
    code = (
        "import pygame, spirokiosk.display.draw.scene, spirokiosk.display.draw.overlays;"
        "assert not pygame.get_init() and not pygame.font.get_init()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_queued_curve_is_prepared_during_the_still_hold_not_at_the_switch(monkeypatch):
    next_curve, _ = playlist()
    scene = Scene(SIZE, next_curve, Timing(0.5, 1.0, 0.2), NO_OVERLAYS)
    asked = dataclasses.replace(PRESETS["gears-96-30"], name="asked")
    scene.queue_curve(asked)
    assert scene.queued_count == 1
    scene.update(1.1)  # past halfway through the hold
    assert scene.queued_count == 1  # prepared, not started
    built = []
    real = scene._new_drawing
    monkeypatch.setattr(scene, "_new_drawing", lambda c: built.append(c.name) or real(c))
    scene.update(0.5)  # the switch
    assert scene.curve.name == "asked"
    assert built == []  # nothing was built at the switch: no pause on screen
    assert scene.queued_count == 0


def test_a_curve_that_cannot_be_prepared_is_skipped(caplog):
    broken = dataclasses.replace(CURVES[1], name="broken", colour_map="no-such-map")
    next_curve, calls = playlist([CURVES[0], broken, CURVES[2]])
    scene = Scene(SIZE, next_curve, Timing(1.0, 1.0, 0.0), NO_OVERLAYS)
    for _ in range(25):
        scene.update(0.1)  # through the first curve and its hold
    assert scene.curve.name == CURVES[2].name
    assert calls[:3] == [CURVES[0].name, "broken", CURVES[2].name]
    assert any("cannot prepare 'broken'; skipped" in r.getMessage() for r in caplog.records)


def test_abandoning_a_curve_starts_the_next_at_once_without_a_fade():
    next_curve, _ = playlist()
    scene = Scene(SIZE, next_curve, Timing(1.0, 1.0, 0.5), NO_OVERLAYS)
    scene.update(0.5)
    scene.abandon_curve()
    assert scene.curve.name == CURVES[1].name
    assert scene.phase == "drawing" and scene.progress == 0.0
    frame_of(scene)  # draws


def test_a_playlist_of_nothing_but_broken_curves_gives_up_with_an_error():
    broken = dataclasses.replace(CURVES[0], colour_map="no-such-map")
    with pytest.raises(RuntimeError, match="could not be prepared"):
        Scene(SIZE, lambda: broken, Timing(1.0, 1.0, 0.0), NO_OVERLAYS)
