"""Composer.compose, the screen's way of drawing (only what changed, on buffers kept from
frame to frame), is held to Composer.draw, the whole-frame reference: the same pixels, frame
after frame, through drawing, holding, the fade and the next curve; with one buffer or
two taking turns (one lent to the mirror); with every overlay; over a camera picture.
"""

import dataclasses

import numpy as np
import pygame
import pytest

from spirokiosk.display.curves import PRESETS
from spirokiosk.display.draw.damage import area, merge
from spirokiosk.display.draw.scene import Overlays, Scene, Timing

SIZE = (200, 150)
ALL_OVERLAYS = Overlays(pen=True, wheels=True, caption=True)
CURVES = [
    dataclasses.replace(PRESETS["gears-96-30"], name="first"),
    dataclasses.replace(PRESETS["seed-rhombus-8"], name="second"),
]
TIMING = Timing(draw_seconds=1.0, hold_seconds=0.4, fade_seconds=0.3)


def scenes(overlays=ALL_OVERLAYS, camera_mode=None):
    """Two scenes that play the same show: one composes, one draws (the reference)."""

    def playlist():
        index = [0]

        def next_curve():
            curve = CURVES[index[0] % len(CURVES)]
            index[0] += 1
            return curve

        return next_curve

    return [Scene(SIZE, playlist(), TIMING, overlays, camera_mode=camera_mode) for _ in range(2)]


def pixels(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surface)


def with_fade(scene: Scene, buffer: pygame.Surface) -> pygame.Surface:
    """What the screen shows: the composed buffer, the sprites drawn apart (if any) and
    the old frame blended over it."""
    shown = buffer.copy()
    for sprite, where, _ in scene.composer.sprites:
        shown.blit(sprite, where)
    fade = scene.composer.fade
    if fade is not None:
        old, alpha = fade
        old.set_alpha(None if alpha >= 255 else alpha)
        shown.blit(old, (0, 0))
    return shown


@pytest.mark.parametrize(
    ("buffers", "rings_apart"), [(1, False), (2, False), (3, False), (2, True)]
)
def test_compose_on_kept_buffers_equals_the_whole_frame_drawn(buffers, rings_apart):
    composing, reference = scenes()
    composing.rings_apart = rings_apart  # the reference draws them in the frame
    targets = [pygame.Surface(SIZE, 0, 32) for _ in range(buffers)]
    stale = [None] * buffers  # what each buffer missed since it was last drawn on
    expected = pygame.Surface(SIZE, 0, 32)
    phases, partial_frames = set(), 0
    for frame in range(110):  # 1.4 s a curve at 1/60: two curves and a fade
        dt = 0.0 if frame == 0 else 1 / 60
        composing.update(dt)
        reference.update(dt)
        index = frame % buffers
        damage = composing.composer.compose(targets[index], stale=stale[index])
        stale[index] = []
        for other in range(buffers):
            if other != index and stale[other] is not None:
                stale[other] = merge([*stale[other], *damage], targets[index].get_rect())
        reference.composer.draw(expected)
        shown = with_fade(composing, targets[index])
        assert np.array_equal(pixels(shown), pixels(expected)), (frame, composing.phase)
        phases.add(composing.phase)
        partial_frames += area(damage) < SIZE[0] * SIZE[1]
    assert phases == {"drawing", "holding", "fading"}
    assert partial_frames > 90  # all but the first frame of each curve


def test_wheels_drawn_apart_leave_the_frame_and_most_of_its_damage():
    apart, within = scenes()
    apart.rings_apart = True
    targets = [pygame.Surface(SIZE, 0, 32) for _ in range(2)]
    changed = {True: [], False: []}
    sprites_seen = set()
    for frame in range(60):  # drawing, the wheels turning
        dt = 0.0 if frame == 0 else 1 / 60
        for scene, target in zip((apart, within), targets, strict=True):
            scene.update(dt)
            damage = scene.composer.compose(target, stale=[] if frame else None)
            if frame:
                changed[scene.rings_apart].append(area(damage))
        sprites = apart.composer.sprites
        assert sprites and within.composer.sprites == ()
        sprites_seen.update(id(sprite) for sprite, _, _ in sprites)
        if frame == 30:
            assert not np.array_equal(pixels(targets[0]), pixels(targets[1]))  # no rings
            for sprite, _, copy in sprites:  # the mirror's copy of the same pixels
                assert np.array_equal(pygame.surfarray.pixels_alpha(sprite).T, copy[..., 3])
    assert len(sprites_seen) == len(apart.composer.sprites)  # the same sprites every frame
    assert sum(changed[True]) < sum(changed[False]) / 2, changed
    apart.update(0.2)  # holding: the wheels are gone
    assert apart.phase == "holding"
    assert apart.composer.sprites == ()


def test_a_still_picture_has_no_damage():
    scene, _ = scenes(overlays=Overlays(pen=False, wheels=False, caption=True))
    target = pygame.Surface(SIZE, 0, 32)
    scene.update(0.0)
    assert scene.composer.compose(target) == [target.get_rect()]  # the first frame: all of it
    scene.update(1.05)  # past the drawing: holding, nothing moves
    scene.composer.compose(target)
    scene.update(0.1)
    assert scene.composer.compose(target, stale=[]) == []


def test_over_a_camera_picture_the_same_pixels_too():
    composing, reference = scenes(camera_mode="overlay")
    rng = np.random.default_rng(3)
    picture = pygame.Surface(SIZE, 0, 32)
    target, expected = pygame.Surface(SIZE, 0, 32), pygame.Surface(SIZE, 0, 32)
    for frame in range(100):
        dt = 0.0 if frame == 0 else 1 / 60
        new_picture = frame % 2 == 0  # a 30 fps camera under a 60 fps screen
        if new_picture:
            pygame.surfarray.blit_array(picture, rng.integers(0, 255, (*SIZE, 3)))
        composing.update(dt)
        reference.update(dt)
        composing.composer.compose(target, picture, picture_new=new_picture, stale=[])
        reference.composer.draw(expected, picture)
        assert np.array_equal(pixels(target), pixels(expected)), frame


def test_damage_is_merged_and_clipped():
    bounds = pygame.Rect(0, 0, 100, 100)
    rects = [pygame.Rect(10, 10, 10, 10), pygame.Rect(15, 15, 10, 10), pygame.Rect(90, 90, 20, 20)]
    merged = merge(rects, bounds)
    assert sorted(map(tuple, merged)) == [(10, 10, 15, 15), (90, 90, 10, 10)]
    assert merge([pygame.Rect(200, 200, 5, 5)], bounds) == []


def test_with_the_pen_alone_a_frame_changes_a_few_hundred_pixels():
    scene, _ = scenes(overlays=Overlays(pen=True, wheels=False, caption=False))
    target = pygame.Surface(SIZE, 0, 32)
    scene.update(0.0)
    scene.composer.compose(target)
    changed = []
    for _ in range(50):
        scene.update(1 / 60)
        changed.append(area(scene.composer.compose(target, stale=[])))
    assert max(changed) < SIZE[0] * SIZE[1] // 10
    assert np.median(changed) < 1500
