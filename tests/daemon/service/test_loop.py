"""The render loop in-process: elapsed time, status, web requests, frames for the hub,
events and reloads; on a headless output with a fake clock."""

import dataclasses
import json
import logging
import time

import numpy as np
import pygame
import pytest
import simplejpeg
from support import FakeClock, wait_until
from support.loop import build_loop, reload_with

from spirokiosk.daemon.config import ConfigError, load_config
from spirokiosk.daemon.service.control import Reloaded
from spirokiosk.daemon.service.parts import scene_timing, stream_settings
from spirokiosk.daemon.service.playlist import Playlist
from spirokiosk.display.curves import PRESETS, SHAPES
from spirokiosk.display.draw.overlays import Overlays
from spirokiosk.display.draw.scene import Scene
from spirokiosk.display.draw.surfaces import surface_array, surface_layout
from spirokiosk.display.screen.output import open_output
from spirokiosk.display.screen.watch import ScreenWatch
from spirokiosk.web.hub.frame_hub import FrameHub

# -- the render loop, in-process ---------------------------------------------------------

SMALL = (160, 120)


def small_config(*overrides):
    defaults = [
        "display.mode=headless",
        "display.size=160x120",
        "display.fps=240",
        'curves.playlist=["seed-magma-11", "gears-96-52"]',
        "curves.draw_seconds=1",
        "curves.hold_seconds=0.5",
        "curves.fade_seconds=0",
    ]
    return load_config(None, [*defaults, *overrides], PRESETS, SHAPES)


@pytest.fixture
def make_loop():
    """A RenderLoop on a headless 160x120 output with a fake clock; hubs are stopped after."""
    hubs = []

    def build(
        config=None,
        *,
        hub=False,
        output=None,
        screen_watch=None,
        access=None,
        overlays=None,
    ):
        config = config or small_config()
        clock = FakeClock()
        frame_hub = None
        if hub:
            frame_hub = FrameHub(stream_settings(config))
            frame_hub.start()
            hubs.append(frame_hub)
        loop = build_loop(
            config,
            clock=clock,
            output=output,
            overlays=overlays,
            hub=frame_hub,
            screen_watch=screen_watch,
            access=access,
        )
        return loop, clock

    yield build
    for hub in hubs:
        hub.stop()


def run_ticks(loop, clock, count, step=1 / 60):
    for _ in range(count):
        clock.now += step
        loop.tick()


def test_loop_advances_the_scene_by_elapsed_time(make_loop):
    loop, clock = make_loop()
    loop.tick()
    run_ticks(loop, clock, 30, step=0.01)  # 0.3 s of the 1 s drawing
    assert loop.scene.progress == pytest.approx(0.3, abs=1e-6)
    clock.now += 60.0  # a long stall counts as MAX_DT, it does not skip the curve
    loop.tick()
    assert loop.scene.progress == pytest.approx(0.55, abs=1e-6)
    assert loop.frames == 32


def test_loop_publishes_its_status(make_loop):
    loop, clock = make_loop()
    loop.tick()
    status = loop.control.status()
    assert status["mode"] == "headless"
    assert status["curve"] == PRESETS["seed-magma-11"].to_dict()
    assert status["curve_summary"] == PRESETS["seed-magma-11"].summary()
    assert status["camera"] == {"source": "none", "state": "off", "last_error": None, "fps": 0.0}
    assert status["display"]["size"] == [160, 120]
    assert status["timing"] == {"draw_seconds": 1.0, "hold_seconds": 0.5, "fade_seconds": 0.0}
    assert loop.control.is_alive()
    run_ticks(loop, clock, 30, step=0.02)
    later = loop.control.status()
    assert later is not status and later["frames_rendered"] > status["frames_rendered"]
    assert later["phase"] == "drawing" and 0 < later["progress"] < 1
    assert later["uptime_s"] == pytest.approx(0.6, abs=0.3)
    json.dumps(later)  # /api/status serialises it as is


def test_web_requests_play_before_the_playlist(make_loop):
    loop, clock = make_loop()
    loop.tick()
    assert loop.control.play_curve(PRESETS["gears-105-84"])
    run_ticks(loop, clock, 100, step=0.02)  # past the 1.5 s cycle
    assert loop.scene.curve.name == "gears-105-84"
    run_ticks(loop, clock, 80, step=0.02)
    assert loop.scene.curve.name == "gears-96-52"  # then the playlist goes on


def test_no_viewer_means_no_frame_is_copied(make_loop):
    loop, clock = make_loop(hub=True)
    run_ticks(loop, clock, 20)
    assert loop.hub.stats().frames_published == 0


def test_frames_reach_the_hub_in_the_right_colours(make_loop):
    loop, clock = make_loop(hub=True)
    slot = loop.hub.acquire_viewer()
    try:
        deadline = time.monotonic() + 10
        while loop.hub.latest() is None and time.monotonic() < deadline:
            run_ticks(loop, clock, 1)
            time.sleep(0.005)  # let the encoder thread run
        frame = loop.hub.latest()
        assert frame is not None
        view = surface_array(loop.frame)
        layout = surface_layout(loop.frame)
        expected = np.stack([view[..., layout.index(c)] for c in "RGB"], axis=-1).astype(float)
        del view
    finally:
        slot.release()
    decoded = simplejpeg.decode_jpeg(frame.jpeg, colorspace="RGB").astype(float)
    assert decoded.shape == (*SMALL[::-1], 3)
    # The hub may have encoded a frame a tick or two older; the picture is the same but
    # for the pen. Swapped channels would be far off (magma on bone is not grey).
    assert np.abs(decoded - expected).mean() < 5.0


@pytest.mark.parametrize("mode", ["window", "headless"])
def test_the_mirror_shows_the_wheels_whoever_draws_them(make_loop, mode):
    """On a screen the wheels' outlines are left out of the frame (its GPU draws them);
    the mirror's encoder draws them on its copy. Headless they are in the frame."""
    wheels = Overlays(pen=True, wheels=True)
    output = open_output(mode, SMALL)
    try:
        loop, clock = make_loop(hub=True, output=output, overlays=wheels)
        config = small_config()
        reference = Scene(SMALL, Playlist(config.curves.playlist), scene_timing(config), wheels)
        expected = pygame.Surface(SMALL, 0, 32)
        slot = loop.hub.acquire_viewer()
        try:
            loop.tick()
            reference.update(0.0)
            for _ in range(10):  # a third of the drawing, one frame a tick to the mirror
                encoded = loop.hub.stats().frames_encoded
                run_ticks(loop, clock, 1, step=1 / 30)  # (the stream's rate: every tick)
                reference.update(1 / 30)
                assert wait_until(lambda e=encoded: loop.hub.stats().frames_encoded > e)
        finally:
            slot.release()
        assert loop.scene.rings_apart == (mode == "window")
        assert bool(loop.scene.composer.sprites) == (mode == "window")
        reference.composer.draw(expected)
        decoded = simplejpeg.decode_jpeg(loop.hub.latest().jpeg, colorspace="RGB").astype(int)
        shown = pygame.surfarray.array3d(expected).transpose(1, 0, 2).astype(int)
        bare = pygame.surfarray.array3d(loop.frame).transpose(1, 0, 2).astype(int)
        assert np.abs(decoded - shown).mean() < 3.0  # JPEG's loss
        if mode == "window":  # the frame alone lacks the rings the mirror shows
            rings = (bare != shown).any(axis=2)
            assert rings.sum() > 500
            missing = np.abs(bare - shown)[rings].mean()
            assert np.abs(decoded - shown)[rings].mean() < missing / 2
        else:
            assert np.array_equal(bare, shown)
    finally:
        output.close()


def test_window_close_and_escape_stop_the_loop(make_loop):
    output = open_output("window", SMALL)
    try:
        loop, _ = make_loop(output=output)
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
        loop.run()  # returns: Escape in window mode stops
        assert loop.signals.stop_requested
        assert not loop.control.is_alive()
        loop2, _ = make_loop(output=output)
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        loop2.run()
        assert loop2.frames == 1
    finally:
        output.close()


def test_escape_does_not_stop_a_fullscreen_kiosk(make_loop, tmp_path):
    output = open_output("fullscreen", SMALL, drm_root=tmp_path)
    try:
        loop, clock = make_loop(output=output)
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
        run_ticks(loop, clock, 3)
        assert not loop.signals.stop_requested
    finally:
        output.close()


def test_reload_applies_what_it_can_and_names_what_needs_a_restart(make_loop, caplog):
    new = small_config(
        "curves.draw_seconds=4",
        'curves.playlist=["gears-144-84-outside"]',
        "web.max_viewers=3",
        "web.stream_quality=50",
        "display.size=320x240",
        "display.show_caption=true",
    )
    loop, _ = make_loop(hub=True)
    assert not loop.scene.overlays.caption
    loop.tick()
    with caplog.at_level(logging.INFO, "spirokiosk.daemon.service.loop"):
        reload_with(loop, lambda: new)
    assert loop.config is new
    assert loop.scene.timing.draw_seconds == 4.0
    assert loop.playlist.names == ("gears-144-84-outside",)
    assert loop.hub.settings.max_viewers == 3
    assert loop.hub.settings.quality == 50
    assert loop.output.size == SMALL  # display.size needs a restart
    assert loop.scene.overlays.caption  # overlays apply live
    messages = [r.getMessage() for r in caplog.records]
    assert not any("display.show_caption changed" in m for m in messages)
    assert any("curves.draw_seconds" in m and "web.max_viewers" in m for m in messages)
    assert any(m.startswith("display.size changed: takes effect after a restart") for m in messages)
    assert loop.control.status()["reloads"] == 1


def test_a_bad_config_on_reload_keeps_the_running_one(make_loop, caplog):
    def broken():
        raise ConfigError(["web.port: must be an integer", "curves.draw_seconds: too small"])

    loop, _ = make_loop()
    before = loop.config
    loop.tick()
    reload_with(loop, broken)
    assert loop.config is before
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "web.port: must be an integer" in errors
    assert "curves.draw_seconds: too small" in errors
    assert loop.reloads == 0


def test_a_curve_that_cannot_be_drawn_is_dropped_and_the_loop_goes_on(make_loop, caplog):
    # A NUL in a name makes pygame's font refuse the caption: once, a curve like this from
    # the web stopped the service. The web refuses such names now; the loop must survive
    # whatever else a curve may do.
    loop, clock = make_loop()
    loop.scene.set_overlays(Overlays(pen=True, caption=True))
    loop.tick()
    bad = dataclasses.replace(PRESETS["gears-96-30"], name="bad\x00name")
    assert loop.control.play_curve(bad)
    with caplog.at_level(logging.ERROR, "spirokiosk"):
        run_ticks(loop, clock, 120, step=0.02)  # past the first curve's 1.5 s
    assert loop.scene.curve.name != bad.name
    assert loop.scene.curve.name == "gears-96-52"  # the playlist went on
    # Whichever noticed first (the preparation thread or the loop) logs it, escaped.
    failures = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and "'bad\\x00name'" in failures[0]
    assert loop.control.is_alive()
    assert "\x00" not in loop.status_line()


@pytest.mark.parametrize(
    "error",
    [ValueError("Exceeds the limit (4300 digits)"), RecursionError(), KeyError("x")],
)
def test_any_error_while_reloading_keeps_the_running_config(make_loop, caplog, error):
    def broken():
        raise error

    loop, _ = make_loop()
    before = loop.config
    loop.tick()
    with caplog.at_level(logging.ERROR, "spirokiosk.daemon.service"):
        reload_with(loop, broken)
    assert loop.config is before
    assert any("config not reloaded" in r.getMessage() for r in caplog.records)
    loop.tick()  # and the loop goes on


def test_a_reload_that_fails_half_way_puts_the_old_values_back(make_loop, monkeypatch):
    new = small_config("curves.draw_seconds=4", "web.stream_quality=50")
    loop, _ = make_loop(hub=True)
    before = loop.config
    loop.tick()

    def failing_apply(settings):
        raise RuntimeError("the hub is broken")

    real_apply = loop.hub.apply_settings
    monkeypatch.setattr(loop.hub, "apply_settings", failing_apply)
    reload_with(loop, lambda: new)
    monkeypatch.setattr(loop.hub, "apply_settings", real_apply)
    assert loop.config is before
    assert loop.scene.timing.draw_seconds == before.curves.draw_seconds


def test_a_screen_connected_later_is_taken_without_a_restart(make_loop, tmp_path, monkeypatch):
    # A TV switched on after boot: the kiosk started headless and once needed a restart.
    status = tmp_path / "sys" / "card1-HDMI-A-1" / "status"
    status.parent.mkdir(parents=True)
    status.write_text("disconnected\n")
    monkeypatch.setenv("SDL_VIDEODRIVER", "kmsdrm")  # as on the Pi's console
    monkeypatch.delenv("SDL_KMSDRM_DEVICE_INDEX", raising=False)
    monkeypatch.delenv("SDL_RENDER_DRIVER", raising=False)
    first = open_output("fullscreen", None, drm_root=tmp_path / "sys", dev_root=tmp_path)
    assert first.mode == "headless" and first.waiting_for_screen

    def open_screen():  # SDL's dummy driver plays the screen that came
        monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
        return open_output("fullscreen", (320, 180), drm_root=tmp_path / "sys")

    watch = ScreenWatch(open_screen, drm_root=tmp_path / "sys", every=0.5)
    loop, clock = make_loop(output=first, hub=True, screen_watch=watch)
    slot = loop.hub.acquire_viewer()  # a viewer watches all along
    try:
        run_ticks(loop, clock, 60)
        assert loop.output is first  # nothing connected yet
        assert "(no screen is connected" in loop.status_line()
        status.write_text("connected\n")
        run_ticks(loop, clock, 60)
        assert loop.output.mode == "fullscreen" and loop.output.size == (320, 180)
        assert loop.scene.size == (320, 180)
        assert loop.scene.curve.name == "seed-magma-11"  # the curve on screen goes on there
        wait_until(lambda: run_ticks(loop, clock, 1) or loop.hub.latest().width == 320)
        assert not slot.released
        assert loop.status(clock()).get("mode") == "fullscreen"
    finally:
        slot.release()
        loop.output.close()


# -- the control API's commands, applied by the loop ---------------------------------------


def test_skip_starts_the_next_curve_at_once_with_the_usual_fade(make_loop):
    loop, clock = make_loop(small_config("curves.fade_seconds=0.5"))
    loop.tick()
    run_ticks(loop, clock, 10, step=0.02)
    assert loop.scene.curve.name == "seed-magma-11" and loop.scene.progress < 0.5
    skipped = loop.scene.drawing
    assert loop.control.skip()
    run_ticks(loop, clock, 1, step=0.02)
    assert skipped.progress < 0.5  # the picture as it was fades out; the rest is not drawn
    assert loop.scene.curve.name == "gears-96-52"
    assert loop.scene.phase == "fading" and loop.scene.progress < 0.05
    assert loop.scene.composer.fade is not None  # the old picture fades out over the new one
    # A curve asked for goes first, as at the end of a hold.
    assert loop.control.play_curve(PRESETS["gears-105-84"])
    assert loop.control.skip()
    run_ticks(loop, clock, 1, step=0.02)
    assert loop.scene.curve.name == "gears-105-84"


def test_pause_stops_the_pen_and_time_does_not_count_until_resumed(make_loop):
    loop, clock = make_loop()
    loop.tick()
    run_ticks(loop, clock, 20, step=0.01)  # 0.2 s of the 1 s drawing
    assert loop.control.pause()
    run_ticks(loop, clock, 1, step=0.01)
    held = loop.scene.progress
    assert held == pytest.approx(0.2, abs=1e-6)  # applied before this tick's time counts
    run_ticks(loop, clock, 200, step=0.02)  # 4 s: more than a whole curve's time
    assert loop.scene.progress == held and loop.scene.curve.name == "seed-magma-11"
    assert loop.control.status()["paused"] is True
    assert "seed-magma-11 (paused)" in loop.status_line()
    assert loop.control.resume()
    run_ticks(loop, clock, 10, step=0.01)
    assert loop.scene.progress == pytest.approx(held + 0.1, abs=1e-6)  # from where it was
    assert loop.status(clock.now)["paused"] is False


def test_skip_while_paused_moves_on_and_the_pen_runs_again(make_loop):
    loop, clock = make_loop()
    loop.tick()
    loop.control.pause()
    run_ticks(loop, clock, 5)
    loop.control.skip()
    run_ticks(loop, clock, 30, step=0.01)
    assert loop.scene.curve.name == "gears-96-52"
    assert loop.scene.progress == pytest.approx(0.3, abs=1e-6)
    assert loop.control.status()["paused"] is False


def test_a_new_playlist_plays_from_the_next_curve_until_the_config_changes_it(make_loop):
    reloaded = small_config("curves.draw_seconds=2")
    loop, clock = make_loop()
    loop.tick()
    assert loop.control.status()["playlist"] == ["seed-magma-11", "gears-96-52"]
    assert loop.control.replace_playlist(("gears-105-84", "gears-96-30"))
    run_ticks(loop, clock, 20, step=0.02)  # past the next status document
    assert loop.control.status()["playlist"] == ["gears-105-84", "gears-96-30"]
    assert loop.scene.curve.name == "seed-magma-11"  # the curve on screen goes on
    played = []
    for _ in range(3):
        run_ticks(loop, clock, 80, step=0.02)  # 1.6 s: past one 1.5 s cycle
        played.append(loop.scene.curve.name)
    assert played == ["gears-105-84", "gears-96-30", "gears-105-84"]
    reload_with(loop, lambda: reloaded)  # other timing, the same playlist: this run's stays
    assert loop.scene.timing.draw_seconds == 2.0
    assert loop.playlist.names == ("gears-105-84", "gears-96-30")
    other = small_config('curves.playlist=["gears-96-52"]')
    reload_with(loop, lambda: other)  # the admin edits curves.playlist: that wins
    assert loop.playlist.names == ("gears-96-52",)


def test_a_command_that_fails_is_logged_and_the_loop_goes_on(make_loop, caplog):
    loop, clock = make_loop()
    loop.tick()
    loop.control.replace_playlist(("no-such-preset",))  # the web checks names; this did not
    loop.control.pause()
    run_ticks(loop, clock, 2)
    assert "ReplacePlaylist could not be applied" in caplog.text
    assert loop.playlist.names == ("seed-magma-11", "gears-96-52")
    assert loop.paused  # the next command still applied


def test_a_reload_reads_the_token_file_again(make_loop, tmp_path, caplog):
    from spirokiosk.daemon.service.parts import access_rules
    from spirokiosk.web.app.access import Access

    token_file = tmp_path / "token"
    token_file.write_text("first-token-0123456789\n")
    settings = ["web.control=token", f"web.control_token_file={token_file}"]
    config = small_config(*settings)
    access = Access(access_rules(config))
    loop, _ = make_loop(config, access=access)
    loop.tick()
    assert access.rules.token == "first-token-0123456789"
    token_file.write_text("second-token-0123456789\n")  # the same config, a new token
    reload_with(loop, lambda: small_config(*settings))
    assert access.rules.token == "second-token-0123456789"
    token_file.unlink()  # gone: the reload is refused, the running token stays
    # As checked before the file went: the reloader reads the file again.
    reload_with(loop, lambda: config)
    assert access.rules.token == "second-token-0123456789"
    assert f"web.control_token_file: {token_file}: no such file" in caplog.text
    assert "second-token" not in caplog.text and "first-token" not in caplog.text


def test_a_reload_renames_the_announcement_but_keeps_the_running_servers_port(make_loop):
    from spirokiosk.daemon.discovery.announcer import DiscoverySettings

    class Announcer:  # the loop's view of the discovery thread: settings in, nothing out
        def __init__(self) -> None:
            self.settings = DiscoverySettings(True, "kiosk", "0.0.0.0", 8000)

        def apply(self, settings) -> None:
            self.settings = settings

        announced_name = None

    config = small_config()
    loop, _ = make_loop(config)
    loop.discovery = Announcer()
    loop.reloaded(Reloaded(small_config('discovery.name="den"', "web.port=9000")))
    # web.port needs a restart: the server still listens on 8000, and so says the advert
    assert loop.discovery.settings == DiscoverySettings(True, "den", "0.0.0.0", 8000)
