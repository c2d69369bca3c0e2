"""The whole service as a subprocess talking to a test-owned NOTIFY_SOCKET, as systemd
would see it: READY, STATUS, WATCHDOG, reloads, stop, and start-up failures."""

import contextlib
import fcntl
import importlib
import os
import pty
import signal
import socket
import struct
import subprocess
import tempfile
import termios
import time
from pathlib import Path

import pytest
import simplejpeg
from support import free_port, http_get, wait_until
from support.daemon import READY_TIMEOUT, RUN, Kiosk, status_of
from support.mjpeg import MjpegReader, open_stream

# -- the service as systemd runs it --------------------------------------------------------


def headless_on(port: int) -> list[str]:
    return ["--display", "headless", "--set", f"web.port={port}", "--set", "web.bind=127.0.0.1"]


HANG_LAUNCHER = """\
# Runs `spirokiosk` with a render loop that hangs while TRIGGER exists: the test's own
# way to freeze the loop (and nothing else) in a real process; production has no hook.
import pathlib, sys, time
from spirokiosk.daemon import cli
from spirokiosk.daemon.service import loop

trigger = pathlib.Path(sys.argv[1])
real_tick = loop.RenderLoop.tick

def tick(self):
    while trigger.exists():
        time.sleep(0.02)
    real_tick(self)

loop.RenderLoop.tick = tick
sys.exit(cli.main(sys.argv[2:]))
"""


def queued_input(fd: int) -> int:
    """Bytes waiting to be read on a terminal."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


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


def test_status_and_stream_over_http(kiosk):
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
            launcher=HANG_LAUNCHER,
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


def test_ctrl_c_on_the_pis_keyboard_does_not_stop_the_kiosk(systemd_python):
    # tty1 is the kiosk's controlling terminal: with the terminal's usual settings, Ctrl-C
    # there was SIGINT, a clean exit that Restart=on-failure does not restart.
    master, slave = pty.openpty()
    kiosk = Kiosk(headless_on(free_port()), env={"INVOCATION_ID": "t"}, terminal=slave)
    try:
        kiosk.wait_for("READY", READY_TIMEOUT)
        os.write(master, b"\x03")
        # With ISIG on, the line discipline would turn it into SIGINT and not queue it.
        wait_until(lambda: queued_input(slave) == 1, timeout=5)
        kiosk.drain()
        kiosk.wait_for("WATCHDOG", 5.0)  # still ticking
        assert kiosk.proc.poll() is None
        assert termios.tcgetattr(slave)[3] & termios.ISIG == 0  # quiet while it runs
        kiosk.proc.send_signal(signal.SIGTERM)
        assert kiosk.proc.wait(10) == 0
        assert termios.tcgetattr(slave)[3] & termios.ISIG  # given back at the stop
    finally:
        kiosk.close()
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize(("invocation", "status"), [("t", 1), (None, 0)])
def test_sigint_is_a_clean_stop_only_outside_systemd(systemd_python, invocation, status):
    env = {"INVOCATION_ID": invocation} if invocation else {}
    kiosk = Kiosk(headless_on(free_port()), env=env)
    try:
        kiosk.wait_for("READY", READY_TIMEOUT)
        kiosk.proc.send_signal(signal.SIGINT)
        assert kiosk.proc.wait(10) == status
    finally:
        kiosk.close()
