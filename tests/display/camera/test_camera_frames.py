"""The synthetic camera, frame layouts and sizes, the render side's feed; importing the
camera package starts nothing."""

import subprocess
import sys
import threading
import time

import numpy as np
import pygame
import pytest
from support import plan_camera, wait_until

from spirokiosk.display.camera.devices import device_factory
from spirokiosk.display.camera.feed import CameraFeed
from spirokiosk.display.camera.frames import fit_frame
from spirokiosk.display.camera.process.supervisor import CameraProcess, ChildSpec
from spirokiosk.display.camera.synthetic import BARS, SyntheticDevice
from spirokiosk.display.draw.surfaces import surface_array, surface_layout
from spirokiosk.display.pixels import convert_layout

SIZE = (64, 48)
WAIT = 10.0  # generous deadline for what a thread does within milliseconds


def test_the_synthetic_camera_scrolls_colour_bars_and_shows_the_time():
    device = SyntheticDevice((320, 240), "RGBX")
    device.open()
    wall = time.mktime((2024, 5, 1, 12, 34, 56, 0, 0, -1))
    first = device.render(0.0, wall)
    assert first.shape == (240, 320, 4) and (first[..., 3] == 255).all()
    bars = first[: int(240 * 0.55), :, :3].reshape(-1, 3)
    pure = np.isin(bars, (0, 255)).all(axis=1)
    assert pure.mean() > 0.99  # the bars are pure colours
    found = {tuple(map(int, c)) for c in np.unique(bars, axis=0)}
    assert found == set(BARS)
    moved = device.render(1.0, wall)
    assert (moved != first).any()  # a second later the bars have scrolled
    later = device.render(0.0, wall + 1.0)
    changed = np.argwhere((later != first).any(axis=2))
    assert len(changed) > 0  # ... and the clock shows another second,
    (top, left), right = changed.min(axis=0), changed.max(axis=0)[1]
    assert top > 240 * 0.6 and right - left < 320 * 0.8  # in the clock's box only
    bgrx = SyntheticDevice((320, 240), "BGRX")
    bgrx.open()
    assert (bgrx.render(0.0, wall)[..., [2, 1, 0]] == first[..., :3]).all()


def test_the_synthetic_camera_stops_waiting_when_cancelled():
    device = SyntheticDevice(SIZE, fps=0.5)
    device.open()
    cancel = threading.Event()
    assert device.read(1.0, cancel) is not None  # the first frame at once
    cancel.set()
    assert device.read(1.0, cancel) is None


def test_layouts_reorder_channels_and_fill_the_unused_byte():
    rgb = np.array([[[10, 20, 30]]], np.uint8)
    assert convert_layout(rgb, "RGB", "BGRX").tolist() == [[[30, 20, 10, 255]]]
    bgrx = np.array([[[1, 2, 3, 0]]], np.uint8)
    assert convert_layout(bgrx, "BGRX", "BGRX") is bgrx  # nothing to do: no copy
    assert convert_layout(bgrx, "BGRX", "XRGB").tolist() == [[[255, 3, 2, 1]]]
    with pytest.raises(ValueError, match="layout"):
        convert_layout(rgb, "RGBX", "BGRX")
    surface = pygame.Surface((4, 4), 0, 32)
    assert sorted(surface_layout(surface)) == sorted("BGRX")


def test_frames_of_another_size_are_centred_cropped_or_padded():
    frame = np.arange(4 * 6, dtype=np.uint8).reshape(4, 6, 1)
    assert fit_frame(frame, (6, 4)) is frame
    cropped = fit_frame(frame, (4, 2))
    assert cropped[:, :, 0].tolist() == [[7, 8, 9, 10], [13, 14, 15, 16]]
    padded = fit_frame(frame, (8, 4))
    assert padded.shape == (4, 8, 1) and (padded[:, 1:7] == frame).all()
    assert (padded[:, 0] == 0).all() and (padded[:, 7] == 0).all()


def test_unknown_sources_and_bad_timeouts_are_refused():
    with pytest.raises(ValueError, match=r"camera\.source"):
        device_factory("webcam", SIZE, "BGRX")
    with pytest.raises(ValueError, match=r"camera\.source"):
        CameraFeed.open("webcam", SIZE)
    with pytest.raises(ValueError, match="timeout"):
        CameraProcess(ChildSpec("synthetic", SIZE, "BGRX"), timeout=0)


def test_the_feed_copies_only_new_frames_into_its_surface(monkeypatch, tmp_path):
    plan_camera(monkeypatch, tmp_path, [{"frames": None}])
    feed = CameraFeed.open("synthetic", SIZE, timeout=5.0)
    assert feed.picture(time.monotonic()) is None
    feed.start()
    try:
        wait_until(lambda: feed.camera.newest() is not None, 20)
        seq, received = feed.camera.newest()
        picture = feed.picture(received)
        assert picture is not None and feed.changed
        copied = surface_array(picture).copy()
        assert copied[..., :3].max() > 0
        if feed.camera.newest()[0] == seq:  # no newer frame yet: nothing is copied again
            assert feed.picture(received) is picture and not feed.changed
        assert feed.picture(received + 6.0) is None  # older than the timeout: curves only
    finally:
        assert feed.stop(5.0)


def test_importing_the_camera_modules_opens_and_starts_nothing():
    code = (
        "import sys, threading, pygame;"
        "import spirokiosk.display.camera.feed, spirokiosk.display.camera.link;"
        "assert 'picamera2' not in sys.modules and 'pygame.camera' not in sys.modules;"
        "assert threading.active_count() == 1 and not pygame.get_init()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
