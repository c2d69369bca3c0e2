"""The render loop under the screen schedule: off (black, a line saying until when, a
tick a second, nothing encoded while nobody watches), quiet (the finished curve stays),
waking at the on-time or by hand, and the TV put to sleep over CEC by a stand-in cec-ctl
that checks its arguments against cec-ctl's manual."""

import datetime as dt
import logging
import os
import stat
import sys
import textwrap

import numpy as np
import pygame
import pytest
import simplejpeg
from support import FakeClock, wait_until
from support.loop import build_loop

from spirokiosk.daemon.config import load_config
from spirokiosk.daemon.schedule.cec import TvPower
from spirokiosk.daemon.service.control import Reloaded
from spirokiosk.daemon.service.parts import stream_settings
from spirokiosk.daemon.service.screen_time import ScreenTime
from spirokiosk.display.curves import PRESETS, SHAPES
from spirokiosk.display.draw.surfaces import surface_array
from spirokiosk.web.hub.frame_hub import FrameHub

UTC = dt.UTC
EVENING = dt.datetime(2026, 12, 1, 23, 30, tzinfo=UTC).timestamp()  # a Tuesday


def config_with(*overrides):
    defaults = [
        "display.mode=headless",
        "display.size=160x120",
        'curves.playlist=["seed-magma-11", "gears-96-52"]',
        "curves.draw_seconds=1",
        "curves.hold_seconds=0.5",
        "curves.fade_seconds=0",
        "schedule.enabled=true",
        'schedule.on=["daily 07:00-23:00"]',
    ]
    return load_config(None, [*defaults, *overrides], PRESETS, SHAPES)


class Clocks:
    """The loop's monotonic clock and the schedule's wall clock, moved together."""

    def __init__(self, wall: float) -> None:
        self.mono = FakeClock()
        self.wall = FakeClock(wall)

    def advance(self, seconds: float) -> None:
        self.mono.now += seconds
        self.wall.now += seconds


@pytest.fixture
def resting_loop():
    made = []

    def build(config, *, wall=EVENING, hub=False, tv=None):
        clocks = Clocks(wall)
        frame_hub = FrameHub(stream_settings(config)) if hub else None
        if frame_hub is not None:
            frame_hub.start()
        screen_time = ScreenTime(
            config, clock=clocks.wall, zone=UTC, make_tv=tv or (lambda device: None)
        )
        loop = build_loop(
            config,
            clock=clocks.mono,
            hub=frame_hub,
            screen_time=screen_time,
            sleep=clocks.advance,
        )
        made.append((frame_hub, screen_time))
        return loop, clocks

    yield build
    for frame_hub, screen_time in made:
        if frame_hub is not None:
            frame_hub.stop()
        screen_time.stop()


def brightness(surface):
    return float(surface_array(surface)[..., :3].mean())


def test_off_is_a_black_still_a_tick_a_second_saying_until_when(resting_loop):
    loop, clocks = resting_loop(config_with())
    loop.tick()
    still = loop._still
    assert still is not None and brightness(still) < 8  # black with one dim line
    assert brightness(still) > 0
    status = loop.control.status()
    assert status["schedule"] == {
        "state": "off",
        "next_change": "2026-12-02T07:00+00:00",
        "override": False,
    }
    assert "screen off until 07:00" in loop.status_line()
    before = (loop.frames, clocks.mono.now, loop.scene.progress)
    for _ in range(5):
        loop.tick()
    assert loop.frames == before[0]  # nothing drawn again
    assert clocks.mono.now - before[1] == pytest.approx(5.0)  # a tick a second
    assert loop.scene.progress == before[2]  # the pen does not move


def test_while_off_nothing_is_encoded_unless_someone_watches(resting_loop):
    loop, _clocks = resting_loop(config_with(), hub=True)
    for _ in range(3):
        loop.tick()
    assert loop.hub.stats().frames_encoded == 0
    slot = loop.hub.acquire_viewer()
    try:
        loop.tick()
        frame = loop.hub.wait_frame(0, 5.0)
        assert frame is not None
        pixels = simplejpeg.decode_jpeg(frame.jpeg)
        assert pixels.mean() < 10  # the viewer sees the sleeping screen
    finally:
        slot.release()


def test_a_still_is_encoded_once_and_resent_without_encoding(resting_loop):
    loop, _clocks = resting_loop(config_with(), hub=True)
    slot = loop.hub.acquire_viewer()
    try:
        for count in range(1, 5):  # a tick a second, a frame to the hub each
            loop.tick()
            assert wait_until(lambda c=count: loop.hub.stats().frames_encoded == c)
        encoder = loop.hub.encoder
        assert (encoder.whole_encodes, encoder.strip_encodes, encoder.reused) == (1, 0, 3)
        shown = simplejpeg.decode_jpeg(loop.hub.latest().jpeg)
        expected = simplejpeg.decode_jpeg(
            simplejpeg.encode_jpeg(
                surface_array(loop._still), loop.hub.settings.quality, loop._layout, "420", True
            )
        )
        assert np.array_equal(shown, expected)
    finally:
        slot.release()


def test_quiet_keeps_the_finished_curve_and_moves_nothing(resting_loop):
    loop, _clocks = resting_loop(config_with("schedule.mode=quiet"))
    loop.tick()
    assert loop.scene.phase == "holding" and loop.scene.progress == 1.0
    still = pygame.surfarray.array3d(loop._still)
    background = still[0, 0]
    assert (np.abs(still.astype(int) - background).sum(axis=2) > 60).mean() > 0.01  # a curve
    for _ in range(4):
        loop.tick()
    assert loop.scene.phase == "holding"
    assert loop.control.status()["schedule"]["state"] == "quiet"


def test_the_on_time_wakes_the_screen_where_the_pen_was(resting_loop):
    loop, clocks = resting_loop(config_with(), wall=EVENING - 3600 * 0.5 - 0.3)  # 22:59:42
    for _ in range(10):
        clocks.advance(0.02)
        loop.tick()
    progress = loop.scene.progress
    assert 0 < progress < 1 and loop.control.status()["schedule"]["state"] == "on"
    clocks.advance(30.0)  # 23:00:12: off
    loop.tick()
    assert loop.screen_time.current.state == "off"
    clocks.wall.now = dt.datetime(2026, 12, 2, 7, 0, 1, tzinfo=UTC).timestamp()
    loop.tick()
    assert loop._still is None and loop.screen_time.current.state == "on"
    clocks.advance(0.02)
    loop.tick()
    assert loop.scene.progress == pytest.approx(progress + 0.02, abs=1e-6)


def test_an_override_from_the_control_queue_turns_the_screen_on_until_the_next_change(
    resting_loop,
):
    loop, clocks = resting_loop(config_with())
    loop.tick()
    assert loop.control.set_screen("on")
    loop.tick()  # the command is applied; the next look at the schedule sees it
    loop.tick()
    assert loop.control.status()["schedule"]["override"] is True
    assert loop.screen_time.current.state == "on" and loop._still is None
    clocks.wall.now = dt.datetime(2026, 12, 2, 7, 0, 1, tzinfo=UTC).timestamp()
    loop.tick()
    assert loop.screen_time.current.override is False


def test_a_reload_applies_new_on_times(resting_loop):
    loop, _clocks = resting_loop(config_with())
    loop.tick()
    assert loop.screen_time.current.state == "off"
    loop.reloaded(Reloaded(config_with('schedule.on=["daily 00:00-24:00"]')))
    loop.tick()
    assert loop.screen_time.current.state == "on"


# -- HDMI-CEC through a stand-in cec-ctl ----------------------------------------------------

STAND_IN = textwrap.dedent(
    """\
    #!{python}
    # A stand-in for v4l-utils' cec-ctl: records its arguments, refuses what cec-ctl's
    # manual (cec-ctl.1) does not define among the options spirokiosk uses.
    import os, sys
    args = sys.argv[1:]
    with open(os.environ["CEC_RECORD"], "a") as f:
        f.write(" ".join(args) + "\\n")
    takes_value = {{"--device", "-d", "--osd-name", "-o", "--to", "-t"}}
    flags = {{"--skip-info", "-s", "--playback", "--standby", "--image-view-on"}}
    i = 0
    while i < len(args):
        if args[i] in takes_value and i + 1 < len(args):
            if args[i] in ("--osd-name", "-o") and len(args[i + 1]) > 14:
                sys.exit("OSD name too long")
            if args[i] in ("--to", "-t") and not 0 <= int(args[i + 1]) <= 15:
                sys.exit("bad logical address")
            i += 2
        elif args[i] in flags:
            i += 1
        else:
            sys.exit(f"unknown option {{args[i]}}")
    if "--device" not in args and "-d" not in args:
        sys.exit("no device")
    sys.exit(int(os.environ.get("CEC_EXIT", "0")))
    """
)


@pytest.fixture
def cec_ctl(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "cec-ctl"
    program.write_text(STAND_IN.format(python=sys.executable))
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    record = tmp_path / "cec.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CEC_RECORD", str(record))
    return record


def test_off_puts_the_tv_to_sleep_and_the_on_time_wakes_it(resting_loop, cec_ctl):
    tvs = []

    def make_tv(device):
        tvs.append(TvPower(device))
        return tvs[-1]

    loop, clocks = resting_loop(config_with("schedule.cec=true"), tv=make_tv)
    loop.tick()
    clocks.wall.now = dt.datetime(2026, 12, 2, 7, 0, 1, tzinfo=UTC).timestamp()
    loop.tick()
    assert tvs[0].idle(10)
    assert cec_ctl.read_text().splitlines() == [
        "--device /dev/cec0 --skip-info --playback --osd-name spirokiosk",
        "--device /dev/cec0 --skip-info --to 0 --standby",
        "--device /dev/cec0 --skip-info --to 0 --image-view-on",
    ]
    assert tvs[0].calls == 3


def test_a_tv_that_ignores_cec_or_no_cec_ctl_is_one_warning(cec_ctl, monkeypatch, caplog):
    monkeypatch.setenv("CEC_EXIT", "1")
    tv = TvPower("/dev/cec0")
    with caplog.at_level(logging.WARNING, "spirokiosk.daemon.schedule.cec"):
        for _ in range(3):
            tv.standby()
            tv.wake()
        assert tv.idle(10)
        monkeypatch.setenv("PATH", "/nonexistent")
        tv.standby()
        tv.standby()
        assert tv.idle(10)
    tv.stop()
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2, warnings
    assert "--playback --osd-name spirokiosk on /dev/cec0 failed (exit 1)" in warnings[0]
    assert "the TV may not support CEC" in warnings[0]
    assert "cec-ctl not found (sudo apt install v4l-utils)" in warnings[1]


def test_quiet_shows_the_curve_a_skip_brings(resting_loop):
    loop, _clocks = resting_loop(config_with("schedule.mode=quiet"))
    loop.tick()
    first, still = loop.scene.curve, loop._still
    assert loop.control.skip()
    loop.tick()
    assert loop.scene.curve is not first
    assert loop._still is not still  # drawn again: the screen shows what the status says
    assert loop.scene.phase == "holding"


def test_quiet_with_a_curve_that_fails_to_draw_goes_on(resting_loop, monkeypatch):
    loop, _clocks = resting_loop(config_with("schedule.mode=quiet"))

    def broken(*args, **kwargs):
        raise RuntimeError("a curve that cannot be drawn")

    monkeypatch.setattr(loop.scene.composer, "compose", broken)
    loop.tick()  # no exception: the curve is dropped, the rest goes on
    loop.tick()
    assert loop._still is not None and loop.control.is_alive()
