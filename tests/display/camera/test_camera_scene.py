"""Curves over a camera picture: the ink layer, the scene's camera modes, the camera link."""

import dataclasses
import json
import time

import numpy as np
import pygame
import pytest
from support import CAMERA_CHILD_PATH

from spirokiosk.display.camera.link import CameraLink, CameraSettings
from spirokiosk.display.curves import PRESETS
from spirokiosk.display.draw.drawing import CurveDrawing, background_surface
from spirokiosk.display.draw.ink import InkLayer
from spirokiosk.display.draw.scene import Overlays, Scene, Timing

SIZE = (160, 120)
NO_OVERLAYS = Overlays(pen=False, wheels=False, caption=False)
CURVES = [
    dataclasses.replace(PRESETS[name], name=name) for name in ("gears-105-84", "gears-105-63")
]
WAIT = 10.0


def pixels_of(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surface).astype(int)


def checkerboard(size=SIZE, colours=((0, 200, 60), (230, 30, 200))) -> pygame.Surface:
    """A stand-in camera picture: big squares of two colours."""
    w, h = size
    surface = pygame.Surface(size, 0, 32)
    squares = ((np.arange(w)[:, None] // 10 + np.arange(h)[None, :] // 10) % 2).astype(bool)
    pixels = pygame.surfarray.pixels3d(surface)
    pixels[:] = np.where(squares[..., None], colours[1], colours[0])
    del pixels
    return surface


def frame_of(scene: Scene, picture=None) -> np.ndarray:
    target = pygame.Surface(scene.size, 0, 32)
    scene.composer.draw(target, picture)
    return pixels_of(target)


def coverage_of(ink: InkLayer) -> np.ndarray:
    return pygame.surfarray.array_alpha(ink.surface).astype(int)


def test_ink_over_the_background_is_the_canvas():
    drawing = CurveDrawing(CURVES[0], SIZE, ink_opacity=1.0)
    for progress in (0.2, 0.5, 0.75):
        drawing.advance_to(progress)
    composed = background_surface(CURVES[0].background_map, SIZE)
    drawing.ink.draw(composed)
    difference = np.abs(pixels_of(composed) - pixels_of(drawing.canvas))
    assert (coverage_of(drawing.ink) > 0).sum() > 1000
    assert difference.max() <= 3 and difference.mean() < 0.1


def test_ink_turned_on_mid_curve_matches_ink_kept_from_the_start():
    kept = CurveDrawing(CURVES[0], SIZE, ink_opacity=0.5)
    late = CurveDrawing(CURVES[0], SIZE)
    for progress in (0.1, 0.3, 0.45):
        kept.advance_to(progress)
        late.advance_to(progress)
    assert late.ink is None
    late.enable_ink(0.5)
    assert np.abs(coverage_of(late.ink) - coverage_of(kept.ink)).max() <= 2
    kept.advance_to(0.9)
    late.advance_to(0.9)
    assert np.abs(coverage_of(late.ink) - coverage_of(kept.ink)).max() <= 2
    late.disable_ink()
    assert late.ink is None


def test_opacity_scales_the_layer_and_can_change():
    drawing = CurveDrawing(CURVES[0], SIZE, ink_opacity=1.0)
    drawing.advance_to(0.5)
    full = coverage_of(drawing.ink)
    drawing.ink.set_opacity(0.25)
    assert np.abs(coverage_of(drawing.ink) - full * 0.25).max() <= 1
    drawing.ink.set_opacity(1.0)
    assert (coverage_of(drawing.ink) == full).all()
    with pytest.raises(ValueError, match="opacity"):
        drawing.ink.set_opacity(1.5)


def test_overlay_is_the_picture_with_the_curve_over_it():
    picture = checkerboard()
    scene = Scene(SIZE, lambda: CURVES[0], Timing(1.0, 1.0), NO_OVERLAYS, camera_mode="overlay")
    scene.set_camera_mode("overlay", opacity=1.0)
    scene.update(1.0)  # the whole curve, held
    frame = frame_of(scene, picture)
    cover = coverage_of(scene.drawing.ink)
    under = pixels_of(picture)
    canvas = pixels_of(scene.drawing.canvas)
    assert (frame[cover == 0] == under[cover == 0]).all()  # no ink: the camera picture
    solid = cover == 255
    assert solid.sum() > 500
    assert np.abs(frame[solid] - canvas[solid]).max() <= 1  # solid ink: the curve's colours
    scene.set_camera_mode("overlay", opacity=0.5)
    half = frame_of(scene, picture)
    expected = 0.5 * canvas[solid] + 0.5 * under[solid]
    assert np.abs(half[solid] - expected).max() <= 2


def test_camera_mode_is_the_picture_alone_and_no_picture_is_curves_only():
    picture = checkerboard()
    plain = Scene(SIZE, lambda: CURVES[0], Timing(2.0, 1.0), Overlays())
    scene = Scene(SIZE, lambda: CURVES[0], Timing(2.0, 1.0), Overlays(), camera_mode="camera")
    for each in (plain, scene):
        each.update(0.7)
    assert (frame_of(scene, picture) == pixels_of(picture)).all()
    assert (frame_of(scene, None) == frame_of(plain)).all()  # camera failed: as without one
    scene.set_camera_mode("overlay")
    assert (frame_of(scene, None) == frame_of(plain)).all()
    scene.set_camera_mode(None)
    assert scene.drawing.ink is None
    assert (frame_of(scene, picture) == frame_of(plain)).all()  # no camera mode: picture unused
    with pytest.raises(ValueError, match="camera mode"):
        scene.set_camera_mode("pip")


def test_the_old_curve_fades_out_over_the_picture():
    picture = checkerboard()
    curves = iter(CURVES)
    scene = Scene(
        SIZE, lambda: next(curves), Timing(1.0, 0.5, 0.6), NO_OVERLAYS, camera_mode="overlay"
    )
    scene.set_camera_mode("overlay", opacity=1.0)
    scene.update(1.5)
    old_ink = coverage_of(scene.drawing.ink)
    held = frame_of(scene, picture)
    scene.update(0.3 + 1e-6)  # halfway through the fade into the next curve
    assert scene.phase == "fading" and scene.curve.name == CURVES[1].name
    fading = frame_of(scene, picture)
    new_ink = coverage_of(scene.drawing.ink)
    only_old = (old_ink == 255) & (new_ink == 0)
    under = pixels_of(picture)
    differ = only_old[..., None] & (np.abs(held - under) > 60)
    assert differ.sum() > 100
    low, high = np.minimum(held, under), np.maximum(held, under)
    assert ((fading[differ] > low[differ] + 10) & (fading[differ] < high[differ] - 10)).all()
    scene.update(0.4)
    assert scene.phase == "drawing"
    done = frame_of(scene, picture)
    gone = only_old & (coverage_of(scene.drawing.ink) == 0)
    assert gone.sum() > 100 and (done[gone] == under[gone]).all()  # the old curve is gone


@pytest.fixture
def link_scene():
    scene = Scene(SIZE, lambda: CURVES[0], Timing(2.0, 1.0), NO_OVERLAYS)
    link = CameraLink(scene, like=pygame.Surface(SIZE, 0, 32))
    yield scene, link
    link.stop()


def wait_for_picture(link):
    deadline = time.monotonic() + WAIT
    while (picture := link.picture(time.monotonic())) is None:
        assert time.monotonic() < deadline, "no camera picture in time"
        time.sleep(0.01)
    return picture


def test_the_link_starts_switches_and_stops_cameras(link_scene):
    scene, link = link_scene
    assert link.status() == {"source": "none", "state": "off", "last_error": None, "fps": 0.0}
    assert link.picture(time.monotonic()) is None and link.summary() is None
    link.apply(CameraSettings("synthetic", "overlay", opacity=0.5))
    feed = link.feed
    assert scene.camera_mode == "overlay" and scene.opacity == 0.5
    picture = wait_for_picture(link)
    assert picture.get_size() == SIZE and link.shown == "overlay"
    assert link.status()["state"] == "ok" and link.summary() == "camera synthetic ok"
    link.apply(CameraSettings("synthetic", "camera", opacity=0.5))
    assert link.feed is feed  # a mode change keeps the camera running
    wait_for_picture(link)
    assert link.shown == "camera"
    link.apply(CameraSettings("synthetic", "camera", timeout=2.0))
    assert link.feed is not feed and feed.status().state == "off"  # a new camera thread
    link.apply(CameraSettings("none"))
    assert link.feed is None and scene.camera_mode is None
    assert link.picture(time.monotonic()) is None and link.shown == "curves"
    assert link.status()["state"] == "off"


def test_settings_refuse_unknown_sources_and_modes():
    with pytest.raises(ValueError, match="source"):
        CameraSettings("usb")
    with pytest.raises(ValueError, match="mode"):
        CameraSettings("synthetic", "side-by-side")


@pytest.mark.filterwarnings("ignore:setDaemon:DeprecationWarning")
def test_a_pi_camera_that_stops_is_replaced_and_a_reload_to_synthetic_works(
    link_scene, monkeypatch
):
    # The real picamera2 in the camera's own process, over the stand-in libcamera: 20
    # frames, then its requests never complete again (a ribbon cable pulled).
    monkeypatch.setenv("PYTHONPATH", str(CAMERA_CHILD_PATH))
    monkeypatch.setenv("SPIROKIOSK_TEST_LIBCAMERA", json.dumps([{"fps": 30, "stall_after": 20}]))
    _, link = link_scene
    link.apply(CameraSettings("picamera2", "overlay", timeout=1.0))
    wait_for_picture(link)
    assert link.status()["state"] == "ok"
    first = link.feed.camera
    deadline = time.monotonic() + WAIT
    while link.status()["last_error"] != "no frame from the Pi camera for 1 s":
        assert time.monotonic() < deadline, f"never degraded: {link.status()}"
        time.sleep(0.02)
    assert link.status()["state"] == "degraded"
    assert link.picture(time.monotonic()) is None  # curves only, at once
    wait_for_picture(link)  # a fresh camera process, and its frames
    assert first.children >= 2
    link.apply(CameraSettings("synthetic", "overlay"))
    assert link.feed.camera is not first
    wait_for_picture(link)
    assert link.status()["source"] == "synthetic" and link.status()["state"] == "ok"
