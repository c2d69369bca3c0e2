"""Camera sources: the thread, newest-frame hand-over, faults, back-off; the synthetic camera;
frame layouts; the render side's feed."""

import logging
import re
import subprocess
import sys
import threading
import time

import numpy as np
import pygame
import pytest
from support import wait_until

from spirokiosk.display.camera.feed import CameraFeed, device_factory
from spirokiosk.display.camera.frames import fit_frame
from spirokiosk.display.camera.source import CameraError, CameraSource
from spirokiosk.display.camera.synthetic import BARS, SyntheticDevice
from spirokiosk.display.draw.surfaces import surface_array, surface_layout
from spirokiosk.display.pixels import convert_layout

SIZE = (64, 48)
WAIT = 10.0  # generous deadline for what a thread does within milliseconds


class ScriptedDevice:
    """A CameraDevice doing what `plan` says: 'busy' (open fails), or a number of frames
    followed by 'error', 'timeout' or 'hang' (ignores the timeout until released)."""

    def __init__(self, plan, log, release):
        self.plan, self.log, self.release = plan, log, release
        self.frames = 0
        self.closed = False

    def open(self):
        self.log.append("open")
        if self.plan == "busy":
            raise RuntimeError("Device or resource busy")

    def read(self, timeout, cancel):
        count, then = self.plan
        if count is None or self.frames < count:
            self.frames += 1
            if cancel.wait(0.002):
                return None
            return np.full((*SIZE[::-1], 4), self.frames % 256, np.uint8)
        if then == "error":
            raise OSError(5, "Input/output error")
        if then == "timeout":
            raise TimeoutError()
        self.release.wait()  # 'hang': a driver call that does not return
        return None if cancel.is_set() else np.zeros((*SIZE[::-1], 4), np.uint8)

    def close(self):
        self.closed = True
        self.log.append("close")


@pytest.fixture
def scripted():
    """make(plans) -> a CameraSource whose attempts follow `plans` (the last repeats)."""
    made = []

    def make(plans, *, timeout=5.0, backoff=(0.01, 0.04), name="fake"):
        plans = list(plans)
        log, release = [], threading.Event()

        def device():
            plan = plans.pop(0) if len(plans) > 1 else plans[0]
            return ScriptedDevice(plan, log, release)

        source = CameraSource(name, device, timeout=timeout, backoff=backoff)
        source.events, source.release = log, release
        made.append(source)
        return source

    yield make
    for source in made:
        source.release.set()
        source.stop()


def test_frames_come_from_a_named_thread_newest_only(scripted):
    source = scripted([(None, None)])
    assert source.status().state == "off" and source.latest() is None
    source.start()
    wait_until(lambda: source.latest() is not None and source.latest().seq > 20)
    names = [thread.name for thread in threading.enumerate()]
    assert "camera-fake" in names
    first = source.latest()
    wait_until(lambda: source.latest().seq > first.seq + 5)
    assert source.latest().time >= first.time  # the newest replaces the older; no queue
    status = source.status()
    assert status.state == "ok" and status.last_error is None and status.fps > 0
    assert source.stop()
    assert "camera-fake" not in [thread.name for thread in threading.enumerate()]
    assert source.status().state == "off" and source.latest() is None
    assert source.events[-1] == "close"


@pytest.mark.parametrize(
    ("then", "message"),
    [("error", "OSError: [Errno 5] Input/output error"), ("timeout", "no frame for 5 s")],
)
def test_a_failing_camera_degrades_closes_and_recovers(scripted, then, message):
    source = scripted([(3, then), (None, None)])
    source.start()
    wait_until(lambda: source.failures == 1)
    wait_until(lambda: source.status().state == "ok")
    status = source.status()
    assert status.last_error == message  # the last error stays on show after recovery
    assert source.events[:3] == ["open", "close", "open"]


def test_a_failure_withdraws_the_picture_at_once(scripted):
    source = scripted([(2, "error"), "busy"], backoff=(30.0, 30.0))
    source.start()
    wait_until(lambda: source.failures == 1)
    assert source.latest() is None
    status = source.status()
    assert status.state == "degraded" and status.fps == 0.0
    assert "Input/output error" in status.last_error


def test_back_off_doubles_up_to_its_cap_and_starts_again_after_frames(scripted, caplog):
    plans = ["busy", "busy", "busy", "busy", (2, "error"), "busy"]
    source = scripted(plans, backoff=(0.01, 0.04))
    with caplog.at_level(logging.WARNING, "spirokiosk.display.camera.source"):
        source.start()
        wait_until(lambda: source.failures >= 6)
        source.stop()
    delays = [
        float(re.search(r"retrying in ([0-9.]+) s", r.getMessage())[1])
        for r in caplog.records
        if "retrying in" in r.getMessage()
    ]
    assert delays[:6] == [0.01, 0.02, 0.04, 0.04, 0.01, 0.02]
    assert "camera fake: RuntimeError: Device or resource busy; curves only" in caplog.text


def test_a_camera_silent_past_the_timeout_is_degraded_without_waiting_for_it(scripted):
    source = scripted([(1, "hang")], timeout=0.5)
    source.start()
    wait_until(lambda: source.latest() is not None)
    frame = source.latest()
    assert source.status(now=frame.time + 0.4).state == "ok"
    late = source.status(now=frame.time + 0.8)
    assert late.state == "degraded" and late.last_error == "no frame for 0.8 s"
    feed = CameraFeed(source, pygame.Surface(SIZE, 0, 32))
    assert feed.picture(frame.time + 0.4) is not None
    assert feed.picture(frame.time + 0.8) is None  # the screen drops to curves only
    assert not source.stop(timeout=0.05)  # stuck in the driver: left to end alone
    source.release.set()


def test_the_feed_copies_only_new_frames_into_its_surface(scripted):
    source = scripted([(None, None)])
    surface = pygame.Surface(SIZE, 0, 32)
    feed = CameraFeed(source, surface)
    assert feed.picture(time.monotonic()) is None
    feed.start()
    wait_until(lambda: source.latest() is not None)
    frame = source.latest()
    picture = feed.picture(frame.time)
    assert picture is surface
    view = surface_array(surface)
    assert (view == frame.pixels).all()
    del view


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
    with pytest.raises(ValueError, match="timeout"):
        CameraSource("fake", lambda: None, timeout=0)


def test_a_camera_error_message_is_shown_as_it_is(scripted):
    class Broken:
        def open(self):
            raise CameraError("no webcam at /dev/video7 (found: none)")

        def close(self):
            pass

    source = CameraSource("v4l2", Broken, timeout=1.0, backoff=(30.0, 30.0))
    source.start()
    try:
        wait_until(lambda: source.failures == 1)
        assert source.status().last_error == "no webcam at /dev/video7 (found: none)"
    finally:
        source.stop()


def test_importing_the_camera_modules_opens_and_starts_nothing():
    code = (
        "import sys, threading, pygame;"
        "import spirokiosk.display.camera.feed, spirokiosk.display.camera.link;"
        "assert 'picamera2' not in sys.modules and 'pygame.camera' not in sys.modules;"
        "assert threading.active_count() == 1 and not pygame.get_init()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
