"""The screen's presentation path in a real X server (Xvfb), through SDL's GL renderer as
on the Pi's kmsdrm: what the renderer holds after each frame is the picture Composer.draw
makes in one go on the CPU (exactly; within a step of rounding where the GPU blends a
fade), while only what changed is uploaded.
"""

import dataclasses

import numpy as np
import pygame
import pytest
from support import wait_until

from spirokiosk.display.curves import PRESETS
from spirokiosk.display.draw.buffers import FrameBuffers
from spirokiosk.display.draw.scene import Overlays, Scene, Timing
from spirokiosk.display.screen.output import new_frame_surface, open_output

SIZE = (320, 240)
CURVES = [
    dataclasses.replace(PRESETS["gears-105-63"], name="first"),
    dataclasses.replace(PRESETS["seed-magma-11"], name="second"),
]


@pytest.fixture
def x_window(x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.setenv("SDL_VIDEODRIVER", "x11")
    output = open_output("window", SIZE, fallback_headless=False)
    yield output
    output.close()


def playlist():
    index = [0]

    def next_curve():
        index[0] += 1
        return CURVES[(index[0] - 1) % len(CURVES)]

    return next_curve


def preparing(scene: Scene) -> bool:
    """The next curve is being built on its thread, or built (the screen can load it once
    built)."""
    return scene.next_underway


def rgb(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surface).astype(int)


@pytest.mark.parametrize("rings_apart", [False, True])
def test_what_the_screen_shows_is_the_whole_frame_drawn(x_window, rings_apart):
    """With `rings_apart` the wheels' outlines are drawn by the GPU over the picture, not
    into the frame; the reference still draws them into its frame on the CPU."""
    timing = Timing(draw_seconds=1.0, hold_seconds=0.5, fade_seconds=0.3)
    overlays = Overlays(pen=True, wheels=True, caption=True)
    screen_scene = Scene(SIZE, playlist(), timing, overlays)
    screen_scene.rings_apart = rings_apart
    composer = screen_scene.composer
    reference = Scene(SIZE, playlist(), timing, overlays)
    buffers = FrameBuffers(SIZE, new_frame_surface)
    expected = new_frame_surface(SIZE)
    presenter = x_window.presenter
    uploads, checked, promoted = [], {"drawing": 0, "holding": 0, "fading": 0}, 0
    sprite_frames, known, ahead = 0, set(), set()
    for frame_number in range(100):
        dt = 0.0 if frame_number == 0 else 1 / 60
        screen_scene.update(dt)
        reference.update(dt)
        if preparing(screen_scene):  # frames come faster than the clock here: let the
            wait_until(
                lambda: screen_scene.update(0.0) or screen_scene.next_canvas
            )  # thread finish
        frame, stale = buffers.take()
        damage = composer.compose(frame, stale=stale)
        buffers.drawn(frame, damage)
        if frame_number % 3 == 1:  # the mirror borrows a buffer now and then
            buffers.lend(frame)()
        fade, staged = composer.fade, 0
        if composer.new_curve_shown and presenter.promote(screen_scene.drawing.canvas, fade):
            damage = composer.base_damage  # as the render loop does
            promoted += 1
        elif screen_scene.next_canvas is not None:
            staged = presenter.stage(screen_scene.next_canvas)
            staged += presenter.preload(screen_scene.next_sprites)  # one texture a frame
            ahead |= {id(s) for s in screen_scene.next_sprites}
        sprites = composer.sprites
        sprite_frames += bool(sprites)
        # A sprite's texture is made (uploaded) the first frame it shows, then kept; the
        # next curve's were made ahead during the hold, one a frame, as it was loaded.
        new = [s for s, *_ in sprites if id(s) not in known | ahead]
        made = sum(s.get_width() * s.get_height() * 4 for s in new)
        known = {id(s) for s, *_ in sprites}
        uploaded = presenter.render(frame, damage, fade, sprites)
        uploads.append(uploaded - made + staged)
        if composer.new_curve_shown and frame_number > 0:
            assert not new and uploaded == sum(r.width * r.height * 4 for r in damage)
        shown = rgb(presenter.read_back())
        presenter.renderer.present()
        reference.composer.draw(expected)
        phase = screen_scene.phase
        differences = np.abs(shown - rgb(expected)).max(axis=2)  # (x, y)
        if phase == "fading":  # the GPU blends the old frame: rounding, not pixels
            assert differences.max() <= 2, (frame_number, phase)
        else:  # ...and the sprites, where they are; elsewhere the very same pixels
            assert differences.max() <= 2, (frame_number, phase)
            for sprite, (x, y), *_ in sprites:
                differences[
                    max(x, 0) : x + sprite.get_width(), max(y, 0) : y + sprite.get_height()
                ] = 0
            assert differences.max() == 0, (frame_number, phase)
        checked[phase] += 1
    assert all(count > 5 for count in checked.values()), checked
    assert (sprite_frames > 50) == rings_apart
    assert bool(ahead) == rings_apart
    whole = SIZE[0] * SIZE[1] * 4
    assert uploads[0] == whole  # the first frame: all of it
    # Then what moved (pen, wheels, new strokes); a new curve's canvas was loaded ahead,
    # a slice a frame, during the hold: no frame after the first uploads all of it.
    assert promoted == 1
    assert max(uploads[1:]) < whole // 2, uploads
    assert np.median(uploads) < whole // 3


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_turned_screen_shows_the_upright_picture_turned_clockwise(
    x_display, monkeypatch, rotation
):
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.setenv("SDL_VIDEODRIVER", "x11")
    panel = (240, 160)  # the window stands for the panel, as mounted
    output = open_output("window", panel, fallback_headless=False, rotation=rotation)
    try:
        upright = (160, 240) if rotation in (90, 270) else panel
        assert output.size == upright  # the picture is laid out for the turned screen
        assert f"turned {rotation}°" in output.describe()
        frame = new_frame_surface(upright)
        pixels = np.random.default_rng(rotation).integers(0, 256, (*upright, 3), np.uint8)
        pygame.surfarray.blit_array(frame, pixels)
        damage = [frame.get_rect()]
        output.presenter.render(frame, damage, None)
        shown = rgb(output.presenter.read_back())
        # surfarray is (x, y): a clockwise turn on screen is rot90 with k = +1 here
        # (numpy turns the (x, y) plane, whose y points down, the other way round).
        expected = np.rot90(pixels.astype(int), rotation // 90)
        assert shown.shape[:2] == panel
        assert np.array_equal(shown, expected)
        # Only what changed is uploaded, turned or not.
        assert output.presenter.render(frame, [pygame.Rect(5, 6, 7, 8)], None) == 7 * 8 * 4
        # A sprite drawn over the picture turns with it, about the picture's centre.
        sprite = pygame.Surface((30, 20), pygame.SRCALPHA, 32)
        sprite.fill((250, 10, 120, 255))
        sprite.fill((0, 0, 0, 0), (5, 5, 10, 10))  # a transparent hole
        output.presenter.render(frame, [], None, ((sprite, (13, 57)),))
        frame.blit(sprite, (13, 57))
        expected = np.rot90(rgb(frame), rotation // 90)
        assert np.array_equal(rgb(output.presenter.read_back()), expected)
    finally:
        output.close()
