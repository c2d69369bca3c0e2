"""`spirokiosk run --display window` in a real X server (Xvfb): the screen shows the curve.

Screenshots come from Pillow's ImageGrab over XCB (no extra tools needed).
"""

import http.client
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import simplejpeg
from PIL import ImageGrab, features
from support import free_port

WINDOW = (640, 480)

assert features.check("xcb"), "Pillow was built without XCB: no screenshots"


def wait_for_ready(notify: socket.socket, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        notify.settimeout(0.5)
        try:
            if b"READY=1" in notify.recv(4096).split(b"\n"):
                return
        except TimeoutError:
            assert proc.poll() is None, f"exited with status {proc.returncode}"
    raise AssertionError("no READY=1")


def curve_pixels(shot: np.ndarray) -> tuple[int, tuple[int, int]]:
    """(pixels off the background gradient, window width) of a screenshot.

    The window is what is not the black root; its background is a vertical gradient,
    one colour per row, so a pixel far from its row's median colour is the curve (or
    the pen).
    """
    lit = np.argwhere(shot.max(axis=2) > 0)
    (top, left), (bottom, right) = lit.min(axis=0), lit.max(axis=0) + 1
    window = shot[top:bottom, left:right].astype(int)
    background = np.median(window, axis=1, keepdims=True)
    off = np.abs(window - background).sum(axis=2) > 60
    return int(off.sum()), (right - left, bottom - top)


def window_origin(shot: np.ndarray) -> tuple[int, int]:
    """(top, left) of the window: the root is black, the window's bottom rows are not."""
    lit = np.argwhere(shot.max(axis=2) > 0)
    bottom, left = lit.max(axis=0)[0] + 1, lit.min(axis=0)[1]
    return bottom - WINDOW[1], left


def screenshot(display: str) -> np.ndarray:
    return np.asarray(ImageGrab.grab(xdisplay=display).convert("RGB"))


def test_the_window_shows_the_curve_being_drawn(x_display):
    importlib.import_module("systemd.daemon")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SDL_VIDEODRIVER", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=x_display, SPIROKIOSK_CONFIG="", PYGAME_HIDE_SUPPORT_PROMPT="1")
    size = "{}x{}".format(*WINDOW)
    command = [sys.executable, "-m", "spirokiosk.daemon.cli", "run", "--display", "window"]
    for setting in (f"display.size={size}", "web.bind=127.0.0.1", f"web.port={port}"):
        command += ["--set", setting]
    command += ["--set", "curves.draw_seconds=10"]  # still drawing during the test
    with tempfile.TemporaryDirectory(prefix="sk-x-") as where:
        notify_path = str(Path(where) / "notify")
        env["NOTIFY_SOCKET"] = notify_path
        stderr_path = Path(where) / "stderr.log"
        with (
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify,
            open(stderr_path, "wb") as stderr,
        ):
            notify.bind(notify_path)
            proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
            try:
                wait_for_ready(notify, proc, 30)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/status")
                status = json.loads(conn.getresponse().read())
                conn.close()
                assert status["mode"] == "window"
                assert status["display"]["driver"] == "x11"

                first, (width, height) = curve_pixels(screenshot(x_display))
                assert width == WINDOW[0] and height <= WINDOW[1]
                deadline = time.monotonic() + 10
                second = first
                while second <= first + 50 and time.monotonic() < deadline:
                    time.sleep(0.2)
                    second, _ = curve_pixels(screenshot(x_display))
                assert first > 0, "no curve on the screen"
                assert second > first + 50, "the curve did not grow"

                # The mirror shows what the window shows, in the same colours.
                shot = screenshot(x_display)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/snapshot.jpg")
                mirrored = simplejpeg.decode_jpeg(conn.getresponse().read()).astype(int)
                conn.close()
                top, left = window_origin(shot)
                on_screen = shot[top : top + WINDOW[1], left : left + WINDOW[0]].astype(int)
                assert mirrored.shape == on_screen.shape
                assert np.abs(mirrored - on_screen).mean() < 6.0
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(10)
        log = stderr_path.read_text()
    assert proc.returncode == 0, log
    assert f"display: window {size} (SDL x11" in log
