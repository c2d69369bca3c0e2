"""`spirokiosk run`: the playlist, the control object, the render loop, and the whole
service as a subprocess talking to a test-owned NOTIFY_SOCKET, as systemd would see it.
"""

import contextlib
import importlib
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pygame
import pytest
import simplejpeg
from support import free_port, http_get

from spirokiosk.daemon.config import ConfigError, load_config
from spirokiosk.daemon.control import Control, PlayCurve
from spirokiosk.daemon.loop import RenderLoop
from spirokiosk.daemon.notify import Notifier
from spirokiosk.daemon.playlist import Playlist, make_random_curve
from spirokiosk.daemon.settings import scene_timing, web_settings
from spirokiosk.daemon.signals import SignalFlags
from spirokiosk.display.curves import PRESETS
from spirokiosk.display.overlays import Overlays
from spirokiosk.display.pixels import surface_array, surface_layout
from spirokiosk.display.scene import Scene
from spirokiosk.display.screen import open_output
from spirokiosk.web.hub import FrameHub
from spirokiosk.web.testing import MjpegReader, open_stream

# -- the playlist -----------------------------------------------------------------------


def test_playlist_cycles_in_order():
    playlist = Playlist(["seed-magma-11", "gears-96-52"])
    names = [playlist().name for _ in range(5)]
    assert names == ["seed-magma-11", "gears-96-52"] * 2 + ["seed-magma-11"]


def test_random_entries_use_the_configured_shapes():
    asked = []

    def fake_random(shapes):
        asked.append(tuple(shapes))
        return PRESETS["gears-96-30"]

    playlist = Playlist(
        ["random", "seed-rhombus-8"], ("square", "rhombus"), make_random=fake_random
    )
    assert [playlist().name for _ in range(3)] == ["gears-96-30", "seed-rhombus-8", "gears-96-30"]
    assert asked == [("square", "rhombus")] * 2


def test_random_circle_curves_are_exactly_symmetric():
    curve = make_random_curve(("circle",))
    assert all(w.shape == "circle" and w.width == w.height for w in curve.wheels)
    other = make_random_curve(("square", "circle"))
    assert {w.shape for w in other.wheels} <= {"square", "circle"}


def test_playlist_update_restarts_a_changed_list_only():
    playlist = Playlist(["seed-magma-11", "gears-96-52", "gears-96-30"])
    playlist()
    playlist.update(["seed-magma-11", "gears-96-52", "gears-96-30"], ("circle",))
    assert playlist().name == "gears-96-52"  # same list: carries on
    playlist.update(["gears-105-63", "seed-magma-11"], ("circle",))
    assert playlist().name == "gears-105-63"  # new list: from its top


@pytest.mark.parametrize(
    ("names", "shapes", "message"),
    [
        ([], ("circle",), "at least one curve"),
        (["nope"], ("circle",), "nope"),
        (["random"], (), "shape"),
    ],
)
def test_playlist_refuses_what_it_cannot_play(names, shapes, message):
    with pytest.raises(ValueError, match=message):
        Playlist(names, shapes)


# -- the control object -----------------------------------------------------------------


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_control_is_alive_only_while_the_loop_ticks():
    clock = FakeClock()
    control = Control(stall_seconds=2.0, clock=clock)
    assert not control.is_alive()  # before the first tick
    control.beat(clock.now)
    clock.now += 1.9
    assert control.is_alive()
    clock.now += 0.2
    assert not control.is_alive()  # stalled
    control.beat(clock.now)
    assert control.is_alive()
    control.stopped()
    assert not control.is_alive()


def test_control_status_is_the_newest_snapshot_and_a_copy():
    control = Control()
    assert control.status() == {}
    first = {"fps": 60.0}
    control.publish(first)
    seen = control.status()
    seen["viewers"] = 3  # what the web adds stays out of the snapshot
    assert first == {"fps": 60.0}
    control.publish({"fps": 59.0})
    assert control.status() == {"fps": 59.0}


def test_control_command_queue_is_bounded_and_drained_in_order():
    control = Control(max_queued=3)
    curves = [PRESETS[name] for name in ("seed-magma-11", "gears-96-52", "gears-96-30")]
    assert all(control.play_curve(curve) for curve in curves)
    assert not control.play_curve(PRESETS["gears-105-63"])  # full: refused, not buffered
    assert control.take_commands(limit=2) == [PlayCurve(curves[0]), PlayCurve(curves[1])]
    assert control.take_commands() == [PlayCurve(curves[2])]
    assert control.take_commands() == []


def test_control_is_safe_to_use_from_many_threads():
    control = Control(max_queued=10_000)

    def ask():
        for _ in range(500):
            control.play_curve(PRESETS["gears-96-30"])
            control.status()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    taken = 0
    while any(t.is_alive() for t in threads) or taken < 2000:
        control.publish({"frames": taken})
        taken += len(control.take_commands(limit=100))
    for thread in threads:
        thread.join()
    assert taken == 2000


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
    return load_config(None, [*defaults, *overrides], PRESETS)


@pytest.fixture
def make_loop():
    """A RenderLoop on a headless 160x120 output with a fake clock; hubs are stopped after."""
    hubs = []

    def build(config=None, *, hub=False, load=None, output=None):
        config = config or small_config()
        clock = FakeClock()
        playlist = Playlist(config.curves.playlist, config.curves.random_shapes)
        output = output or open_output("headless", config.display.size)
        scene = Scene(output.size, playlist, timing=scene_timing(config), overlays=Overlays())
        frame_hub = None
        if hub:
            frame_hub = FrameHub(web_settings(config))
            frame_hub.start()
            hubs.append(frame_hub)
        loop = RenderLoop(
            output=output,
            scene=scene,
            playlist=playlist,
            config=config,
            load_config=load or (lambda: config),
            control=Control(clock=clock),
            notifier=Notifier(),
            signals=SignalFlags(),
            hub=frame_hub,
            clock=clock,
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


def test_loop_publishes_status_snapshots(make_loop):
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
        view = surface_array(loop.output.surface)
        layout = surface_layout(loop.output.surface)
        expected = np.stack([view[..., layout.index(c)] for c in "RGB"], axis=-1).astype(float)
        del view
    finally:
        slot.release()
    decoded = simplejpeg.decode_jpeg(frame.jpeg, colorspace="RGB").astype(float)
    assert decoded.shape == (*SMALL[::-1], 3)
    # The hub may have encoded a frame a tick or two older; the picture is the same but
    # for the pen. Swapped channels would be far off (magma on bone is not grey).
    assert np.abs(decoded - expected).mean() < 5.0


def test_window_close_and_escape_stop_the_loop(make_loop):
    output = open_output("window", "160x120")
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
    output = open_output("fullscreen", "160x120", drm_root=tmp_path)
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
    loop, _ = make_loop(hub=True, load=lambda: new)
    assert not loop.scene.overlays.caption
    loop.tick()
    with caplog.at_level(logging.INFO, "spirokiosk.daemon.loop"):
        loop.signals.request_reload()
        loop.tick()
    assert loop.config is new
    assert loop.scene.timing.draw_seconds == 4.0
    assert loop.playlist.names == ("gears-144-84-outside",)
    assert loop.hub.settings.max_viewers == 3
    assert loop.hub.settings.stream_quality == 50
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

    loop, _ = make_loop(load=broken)
    before = loop.config
    loop.tick()
    loop.signals.request_reload()
    loop.tick()
    assert loop.config is before
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "web.port: must be an integer" in errors
    assert "curves.draw_seconds: too small" in errors
    assert loop.reloads == 0


# -- the service as systemd runs it --------------------------------------------------------

RUN = (sys.executable, "-m", "spirokiosk.daemon.cli", "run")
READY_TIMEOUT = 30.0  # start-up imports numpy, pygame, flask: slow on a busy machine
WATCHDOG_USEC = 400_000  # pings every 0.2 s


def headless_on(port: int) -> list[str]:
    return ["--display", "headless", "--set", f"web.port={port}", "--set", "web.bind=127.0.0.1"]


def parse_notification(datagram: bytes) -> dict[str, str]:
    fields = {}
    for line in datagram.decode().split("\n"):
        name, _, value = line.partition("=")
        fields[name] = value
    return fields


HANG_LAUNCHER = """\
# Runs `spirokiosk` with a render loop that hangs while TRIGGER exists: the test's own
# way to freeze the loop (and nothing else) in a real process; production has no hook.
import pathlib, sys, time
from spirokiosk.daemon import cli, loop

trigger = pathlib.Path(sys.argv[1])
real_tick = loop.RenderLoop.tick

def tick(self):
    while trigger.exists():
        time.sleep(0.02)
    real_tick(self)

loop.RenderLoop.tick = tick
sys.exit(cli.main(sys.argv[2:]))
"""


class Kiosk:
    """`spirokiosk run` in a subprocess with NOTIFY_SOCKET and WATCHDOG_USEC set.

    A thread reads the notification socket all the time, as systemd does: a full socket
    would block the daemon's sd_notify() (and with it the render loop).
    """

    def __init__(self, args, *, env=None, launcher_args=None):
        self._dir = tempfile.TemporaryDirectory(prefix="sk-")  # short: AF_UNIX paths <= 107
        self.dir = Path(self._dir.name)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(self.dir / "notify"))
        self.notify.settimeout(0.1)
        self._inbox: queue.Queue[dict[str, str]] = queue.Queue()
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read, name="test-notify-reader")
        self._reader.start()
        self.messages: list[dict[str, str]] = []  # what the test has received so far
        self.stderr_path = self.dir / "stderr.log"
        environ = {
            k: v for k, v in os.environ.items() if not k.startswith(("WATCHDOG_", "JOURNAL_"))
        }
        environ.pop("SPIROKIOSK_CONFIG", None)
        environ.update(
            NOTIFY_SOCKET=str(self.dir / "notify"),
            WATCHDOG_USEC=str(WATCHDOG_USEC),
            SDL_VIDEODRIVER="dummy",
            PYGAME_HIDE_SUPPORT_PROMPT="1",
        )
        environ.update(env or {})
        if launcher_args is None:
            command = [*RUN, *args]
        else:
            launcher = self.dir / "launcher.py"
            launcher.write_text(HANG_LAUNCHER)
            command = [sys.executable, str(launcher), *launcher_args, "run", *args]
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                command, env=environ, stdout=subprocess.DEVNULL, stderr=stderr
            )

    def _read(self) -> None:
        while not self._closing.is_set():
            try:
                self._inbox.put(parse_notification(self.notify.recv(4096)))
            except TimeoutError:
                continue

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def receive(self, timeout: float) -> dict[str, str] | None:
        """The next notification, or None after `timeout` seconds."""
        try:
            message = self._inbox.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        self.messages.append(message)
        return message

    def wait_for(self, key: str, timeout: float, value: str = "1") -> dict[str, str]:
        """The next message with key=value; every message read on the way is kept."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            message = self.receive(min(remaining, 0.5))
            if message is not None and message.get(key) == value:
                return message
            if message is None and self.proc.poll() is not None:
                break
        raise AssertionError(
            f"no {key}={value} within {timeout} s (exit {self.proc.poll()}); "
            f"messages {self.messages[-5:]}; stderr:\n{self.stderr}"
        )

    def drain(self) -> list[dict[str, str]]:
        got = []
        while (message := self.receive(0.0)) is not None:
            got.append(message)
        return got

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._closing.set()
        self._reader.join(5)
        self.notify.close()
        self._dir.cleanup()


def status_of(port: int) -> dict:
    code, _, body = http_get(port, "/api/status")
    assert code == 200
    return json.loads(body)


@pytest.fixture(scope="module")
def systemd_python():
    importlib.import_module("systemd.daemon")


CONFIG = """\
[display]
size = "320x240"
[curves]
draw_seconds = 2
hold_seconds = 1
fade_seconds = 0.5
[web]
bind = "127.0.0.1"
port = {port}
"""


@pytest.fixture(scope="module")
def kiosk(systemd_python):
    """One kiosk for the module's lifecycle tests, started from a config file."""
    port = free_port()
    config_dir = Path(tempfile.mkdtemp(prefix="sk-config-"))
    config = config_dir / "config.toml"
    config.write_text(CONFIG.format(port=port))
    kiosk = Kiosk(["--display", "headless", "--config", str(config)])
    kiosk.port, kiosk.config = port, config
    try:
        kiosk.ready = kiosk.wait_for("READY", READY_TIMEOUT)
        kiosk.healthz_at_ready = http_get(port, "/healthz")[0]  # at once, before anything
        yield kiosk
    finally:
        if kiosk.proc.poll() is None:
            kiosk.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                kiosk.proc.wait(2)
        kiosk.close()
        config.unlink(missing_ok=True)
        config_dir.rmdir()


def test_ready_once_the_first_frame_is_drawn_and_the_port_answers(kiosk):
    assert kiosk.healthz_at_ready == 200
    assert kiosk.ready["STATUS"].startswith("headless, seed-magma-11, ")
    before = kiosk.messages[: kiosk.messages.index(kiosk.ready)]
    assert all("READY" not in message for message in before)
    assert f"config: {kiosk.config}" in kiosk.stderr


def test_status_snapshot_and_stream_over_http(kiosk):
    status = status_of(kiosk.port)
    for key in ("mode", "fps", "stream_fps", "viewers", "max_viewers", "frames_rendered"):
        assert key in status
    assert status["mode"] == "headless"
    assert status["curve"]["name"] == "seed-magma-11"
    assert status["camera"] == {"source": "none", "state": "off", "last_error": None, "fps": 0.0}
    assert status["display"]["size"] == [320, 240]
    assert status["phase"] in ("drawing", "holding", "fading")
    code, headers, body = http_get(kiosk.port, "/snapshot.jpg")
    assert code == 200 and headers["Content-Type"] == "image/jpeg"
    picture = simplejpeg.decode_jpeg(body)
    assert picture.shape == (240, 320, 3) and picture.std() > 10
    conn, response = open_stream("127.0.0.1", kiosk.port)
    try:
        reader = MjpegReader(response)
        parts = [reader.read_part() for _ in range(3)]
    finally:
        conn.close()
    stamps = [part.timestamp for part in parts]
    assert stamps == sorted(stamps) and stamps[0] < stamps[-1]
    assert all(simplejpeg.decode_jpeg(p.jpeg).shape == (240, 320, 3) for p in parts)


def test_watchdog_pings_and_periodic_status_lines(kiosk):
    kiosk.drain()
    status = None
    deadline = time.monotonic() + 7.0  # STATUS= comes every 5 s
    while status is None and time.monotonic() < deadline:
        message = kiosk.receive(0.5)
        if message is not None and "STATUS" in message and "READY" not in message:
            status = message
    assert status is not None, kiosk.messages[-10:]
    name, fps, viewers = status["STATUS"].split(", ")[1:]
    assert name == "seed-magma-11" or name.startswith(("gears", "seed", "random"))
    assert float(fps.split()[0]) > 0 and viewers.endswith("viewers")
    pings = [m for m in kiosk.messages if m == {"WATCHDOG": "1"}]
    assert len(pings) >= 5


def test_sighup_with_a_good_config_reloads_it(kiosk):
    kiosk.config.write_text(
        CONFIG.format(port=kiosk.port).replace("draw_seconds = 2", "draw_seconds = 3")
        + "max_viewers = 3\n"
    )
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    kiosk.proc.send_signal(signal.SIGHUP)
    reloading = kiosk.wait_for("RELOADING", 10)
    assert before <= int(reloading["MONOTONIC_USEC"]) <= before + 10_000_000
    kiosk.wait_for("READY", 10)
    status = status_of(kiosk.port)
    assert status["max_viewers"] == 3
    assert status["timing"]["draw_seconds"] == 3.0
    assert status["reloads"] == 1
    assert "curves.draw_seconds, web.max_viewers applied" in kiosk.stderr


def test_sighup_with_a_bad_config_keeps_the_running_one(kiosk):
    before = status_of(kiosk.port)
    kiosk.config.write_text(
        CONFIG.format(port='"eighty"').replace("hold_seconds = 1", "hold_secs = 1")
    )
    kiosk.proc.send_signal(signal.SIGHUP)
    kiosk.wait_for("RELOADING", 10)
    kiosk.wait_for("READY", 10)
    log = kiosk.stderr
    assert "config not reloaded, 2 error(s); the running config stays" in log
    assert "web.port: must be an integer" in log
    assert "curves.hold_secs: unknown key (did you mean 'hold_seconds'?)" in log
    after = status_of(kiosk.port)
    assert after["reloads"] == before["reloads"]
    assert after["timing"] == before["timing"] and after["max_viewers"] == before["max_viewers"]
    assert http_get(kiosk.port, "/healthz")[0] == 200


def test_sigterm_stops_within_two_seconds_with_status_0(systemd_python):
    if Path("/etc/spirokiosk/config.toml").exists():
        pytest.skip("this machine has /etc/spirokiosk/config.toml")
    port = free_port()
    kiosk = Kiosk(
        ["--display", "headless", "--set", f"web.port={port}", "--set", "web.bind=127.0.0.1"]
    )
    try:
        kiosk.wait_for("READY", READY_TIMEOUT)
        conn, response = open_stream("127.0.0.1", port)  # a viewer still watching
        MjpegReader(response).read_part()
        kiosk.proc.send_signal(signal.SIGTERM)
        assert kiosk.proc.wait(2.0) == 0
        kiosk.wait_for("STOPPING", 1.0)
        conn.close()
        log = kiosk.stderr
        assert log.count("built-in defaults: no /etc/spirokiosk/config.toml") == 1
        assert "stopping (SIGTERM)" in log and "Traceback" not in log
    finally:
        kiosk.close()


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if " ERROR " in line]


def test_a_busy_port_fails_the_start_with_one_clear_line(systemd_python):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        kiosk = Kiosk(
            ["--display", "headless", "--set", f"web.port={port}", "--set", "web.bind=127.0.0.1"]
        )
        try:
            assert kiosk.proc.wait(READY_TIMEOUT) == 1
            (line,) = error_lines(kiosk.stderr)
            assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in line
            assert "Traceback" not in kiosk.stderr
            assert not any("READY" in m for m in kiosk.drain())
        finally:
            kiosk.close()


def test_a_bad_config_fails_the_start_listing_every_error(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[display]\nmode = "tv"\n[web]\nport = 0\nmax_viewer = 3\n')
    result = subprocess.run(
        [*RUN, "--config", str(config), "--set", "curves.draw_seconds=-1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "spirokiosk: not starting: 4 config errors"
    assert sorted(line.split(":")[0] for line in lines[:-1]) == [
        "curves.draw_seconds",
        "display.mode",
        "web.max_viewer",
        "web.port",
    ]


def test_no_display_and_no_fallback_fails_the_start_with_one_clear_line(systemd_python):
    kiosk = Kiosk(
        ["--display", "fullscreen", "--set", "display.fallback_headless=false"],
        env={"SDL_VIDEODRIVER": "no-such-driver"},
    )
    try:
        assert kiosk.proc.wait(READY_TIMEOUT) == 1
        (line,) = error_lines(kiosk.stderr)
        assert "cannot open fullscreen" in line and "fallback_headless is false" in line
    finally:
        kiosk.close()


def test_a_hung_render_loop_stops_the_watchdog_pings(systemd_python):
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="sk-hang-") as where:
        trigger = Path(where) / "hang"
        kiosk = Kiosk(
            headless_on(port),
            launcher_args=[str(trigger)],
        )
        try:
            kiosk.wait_for("READY", READY_TIMEOUT)
            kiosk.wait_for("WATCHDOG", 2.0)
            trigger.touch()  # the loop hangs at its next tick; the web threads do not
            deadline = time.monotonic() + 10.0
            while http_get(port, "/healthz")[0] != 503:
                assert time.monotonic() < deadline, "/healthz never said the loop stalled"
                time.sleep(0.1)
            kiosk.drain()
            silent_until = time.monotonic() + 1.0  # five ping intervals without a ping
            while (left := silent_until - time.monotonic()) > 0:
                message = kiosk.receive(left)
                assert message is None or "WATCHDOG" not in message, "pinged while hung"
            assert http_get(port, "/api/status")[0] == 200  # the web still answers
            trigger.unlink()  # the loop comes back, and so do the pings
            kiosk.wait_for("WATCHDOG", 5.0)
            kiosk.proc.send_signal(signal.SIGTERM)
            assert kiosk.proc.wait(5.0) == 0
        finally:
            kiosk.close()


def test_curve_requests_are_bounded_by_what_the_scene_already_holds():
    control = Control(max_queued=3)
    curve = PRESETS["gears-96-30"]
    assert all(control.play_curve(curve) for _ in range(3))
    assert not control.play_curve(curve)  # three commands wait
    assert len(control.take_commands()) == 3
    control.note_scene_queue(3)  # the loop handed them to the scene, not started yet
    assert not control.play_curve(curve)
    control.note_scene_queue(2)  # one started
    assert control.play_curve(curve)
