"""`spirokiosk run` with the synthetic camera for real, in a subprocess, as systemd runs it:
curves over the test pattern in the mirror, a camera failing mid-run and coming back,
SIGHUP switching modes and sources, and the stream keeping its rate all along.

The camera is made to fail the test's own way (production has no hook): the camera
children find tests/support/camera_child on PYTHONPATH, whose sitecustomize silences
the synthetic camera while a trigger file exists.
"""

import contextlib
import http.client
import importlib
import json
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
from support import CAMERA_CHILD_PATH, free_port
from support.mjpeg import MjpegReader, open_stream

from spirokiosk.display.curves import Curve
from spirokiosk.display.draw.drawing import CurveDrawing

READY_TIMEOUT = 30.0
SIZE = (320, 240)
STREAM_FPS = 10
BAR_COLOURS = np.array(  # the pattern's saturated bars (white and black occur elsewhere too)
    [(255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0), (0, 0, 255)]
)
ALL_BARS = np.array([*BAR_COLOURS, (255, 255, 255), (0, 0, 0)])  # the whole top band

CONFIG = """\
[display]
size = "320x240"
fps = 30
[curves]
playlist = ["seed-magma-11"]
draw_seconds = 1.5
hold_seconds = 3
fade_seconds = 0.5
[camera]
source = "{source}"
mode = "{mode}"
overlay_opacity = 1.0
timeout_seconds = 0.5
[web]
bind = "127.0.0.1"
port = {port}
stream_fps = {fps}
"""


class Kiosk:
    """The daemon, with a NOTIFY_SOCKET read all the time (as systemd)."""

    def __init__(self, where: Path, port: int):
        self.dir, self.port = where, port
        self.config = where / "config.toml"
        self.trigger = where / "camera-silent"
        self.write_config()
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(where / "notify"))
        self.notify.settimeout(0.1)
        self.inbox: queue.Queue[dict[str, str]] = queue.Queue()
        self.closing = threading.Event()
        self.reader = threading.Thread(target=self._read, name="test-notify-reader")
        self.reader.start()
        plan = where / "camera-plan.json"
        plan.write_text(json.dumps([{"frames": None, "silent_while": str(self.trigger)}]))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WATCHDOG_", "JOURNAL_"))}
        env["PYTHONPATH"] = str(CAMERA_CHILD_PATH)
        env["SPIROKIOSK_TEST_CAMERA_PLAN"] = str(plan)
        env.pop("SPIROKIOSK_CONFIG", None)
        env.update(NOTIFY_SOCKET=str(where / "notify"), SDL_VIDEODRIVER="dummy")
        env["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
        command = [sys.executable, "-m", "spirokiosk.daemon.cli", "run"]
        command += ["--display", "headless", "--config", str(self.config)]
        self.stderr_path = where / "stderr.log"
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)

    def write_config(self, source="synthetic", mode="overlay"):
        self.config.write_text(
            CONFIG.format(source=source, mode=mode, port=self.port, fps=STREAM_FPS)
        )

    def _read(self):
        while not self.closing.is_set():
            try:
                datagram = self.notify.recv(4096)
            except TimeoutError:
                continue
            fields = dict(line.partition("=")[::2] for line in datagram.decode().split("\n"))
            self.inbox.put(fields)

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_for(self, key: str, timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.inbox.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"the daemon ended:\n{self.stderr}"
                continue
            if message.get(key) == "1":
                return message
        raise AssertionError(f"no {key}=1 within {timeout} s; stderr:\n{self.stderr}")

    def reload(self, source="synthetic", mode="overlay") -> dict[str, str]:
        """New config, SIGHUP, and the READY message that ends the reload."""
        self.write_config(source, mode)
        while not self.inbox.empty():
            self.inbox.get()
        self.proc.send_signal(signal.SIGHUP)
        self.wait_for("RELOADING", 10)
        return self.wait_for("READY", 10)

    def get(self, path: str) -> tuple[bytes, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            assert response.status == 200, (path, response.status)
            return response.read(), dict(response.getheaders())
        finally:
            conn.close()

    def status(self) -> dict:
        return json.loads(self.get("/api/status")[0])

    def snapshot(self) -> np.ndarray:
        """The mirror's picture, rendered after this call began (not an older frame)."""
        asked = time.time()
        deadline = time.monotonic() + 10
        while True:
            jpeg, headers = self.get("/snapshot.jpg")
            if float(headers["X-Timestamp"]) > asked:
                return simplejpeg.decode_jpeg(jpeg, colorspace="RGB")
            assert time.monotonic() < deadline, "no fresh snapshot"
            time.sleep(0.02)

    def wait_status(self, predicate, timeout=10.0) -> dict:
        deadline = time.monotonic() + timeout
        while not predicate(status := self.status()):
            assert time.monotonic() < deadline, f"status never matched; last: {status}"
            time.sleep(0.05)
        return status

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.closing.set()
        self.reader.join(5)
        self.notify.close()


class StreamWatcher:
    """Reads /stream.mjpg in a thread, noting each part's X-Timestamp."""

    def __init__(self, port: int):
        self.stamps: list[float] = []
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._conn, response = open_stream("127.0.0.1", port)
        self._reader = MjpegReader(response)
        self._thread = threading.Thread(target=self._run, name="test-stream-watcher")
        self._thread.start()

    def _run(self):
        try:
            while not self._stop.is_set():
                self.stamps.append(self._reader.read_part().timestamp)
        except Exception as exc:  # closing the connection under the reader ends it somehow
            if not self._stop.is_set():
                self.error = exc

    def close(self):
        self._stop.set()
        self._conn.close()
        self._thread.join(5)


@pytest.fixture(scope="module")
def kiosk():
    importlib.import_module("systemd.daemon")  # set up by scripts/setup-env.sh
    with tempfile.TemporaryDirectory(prefix="sk-cam-") as where:
        kiosk = Kiosk(Path(where), free_port())
        try:
            kiosk.ready = kiosk.wait_for("READY", READY_TIMEOUT)
            kiosk.watcher = StreamWatcher(kiosk.port)
            kiosk.watch_started = time.time()
            yield kiosk
        finally:
            kiosk.close()


def bar_fraction(picture: np.ndarray, colours: np.ndarray = BAR_COLOURS) -> float:
    """How much of the picture is one of the test pattern's saturated bar colours."""
    pixels = picture.reshape(-1, 1, 3).astype(int)
    distance = np.abs(pixels - colours[None]).max(axis=2)
    return float((distance.min(axis=1) < 50).mean())


def solid_ink(curve: dict) -> tuple[np.ndarray, np.ndarray]:
    """Where the finished curve fully covers the frame (away from its edges), and its colours."""
    drawing = CurveDrawing(Curve.from_dict(curve), SIZE, ink_opacity=1.0)
    drawing.advance_to(1.0)
    alpha = pygame.surfarray.array_alpha(drawing.ink.surface).T
    colours = pygame.surfarray.array3d(drawing.ink.surface).transpose(1, 0, 2)
    solid = alpha == 255
    core = solid.copy()
    core[1:-1, 1:-1] &= solid[:-2, 1:-1] & solid[2:, 1:-1] & solid[1:-1, :-2] & solid[1:-1, 2:]
    return core, colours


def test_the_mirror_shows_the_curve_over_the_test_pattern(kiosk):
    assert kiosk.ready["STATUS"].startswith("headless, seed-magma-11, ")
    assert ", camera synthetic " in kiosk.ready["STATUS"]
    status = kiosk.wait_status(
        lambda s: s["phase"] == "holding" and s["picture"] == "overlay", timeout=15
    )
    assert status["camera"]["source"] == "synthetic" and status["camera"]["state"] == "ok"
    assert status["camera"]["fps"] > 5
    picture = kiosk.snapshot()
    assert kiosk.status()["phase"] == "holding"  # the snapshot is of the finished curve
    core, colours = solid_ink(status["curve"])
    assert core.sum() > 300
    error = np.abs(picture[core].astype(int) - colours[core]).mean()
    assert error < 20, f"the curve's colours are off by {error:.1f} on average"
    assert bar_fraction(picture[~core]) > 0.3  # and the pattern around it


def test_a_silent_camera_degrades_to_curves_only_and_comes_back(kiosk):
    kiosk.trigger.touch()
    try:
        status = kiosk.wait_status(lambda s: s["camera"]["last_error"] == "no frame for 0.5 s")
        assert status["camera"]["state"] == "degraded" and status["picture"] == "curves"
        assert bar_fraction(kiosk.snapshot()) < 0.02  # the pattern is gone from the mirror
        ready = kiosk.reload()  # the same config: READY carries the STATUS line at once
        assert "camera synthetic degraded (no frame for 0.5 s)" in ready["STATUS"]
    finally:
        kiosk.trigger.unlink()
    status = kiosk.wait_status(lambda s: s["camera"]["state"] == "ok", timeout=15)
    assert status["picture"] == "overlay"
    assert bar_fraction(kiosk.snapshot()) > 0.2
    log = kiosk.stderr
    assert "camera synthetic: no frame for 0.5 s; curves only, retrying in 1 s" in log
    assert "Traceback" not in log


def test_sighup_switches_camera_modes_and_sources(kiosk):
    ready = kiosk.reload(mode="camera")
    status = kiosk.wait_status(lambda s: s["picture"] == "camera")
    bars = kiosk.snapshot()[: int(SIZE[1] * 0.55)]
    assert bar_fraction(bars, ALL_BARS) > 0.9  # the picture alone: no curve over the bars
    assert "camera.mode applied" in kiosk.stderr

    ready = kiosk.reload(source="none", mode="camera")
    status = kiosk.status()
    assert status["camera"] == {"source": "none", "state": "off", "last_error": None, "fps": 0.0}
    assert status["picture"] == "curves" and "camera" not in ready["STATUS"]
    assert bar_fraction(kiosk.snapshot()) < 0.02

    kiosk.reload(source="synthetic", mode="overlay")
    status = kiosk.wait_status(lambda s: s["picture"] == "overlay")
    assert status["camera"]["state"] == "ok"
    assert bar_fraction(kiosk.snapshot()) > 0.2
    assert kiosk.proc.poll() is None


def test_the_stream_kept_its_rate_throughout(kiosk):
    kiosk.watcher.close()
    stamps = kiosk.watcher.stamps
    assert kiosk.watcher.error is None
    span = time.time() - kiosk.watch_started
    assert len(stamps) >= 0.6 * STREAM_FPS * span, (len(stamps), span)
    gaps = np.diff(stamps)
    assert gaps.min() > 0 and gaps.max() < 1.0, gaps.max()


def children_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found |= {int(n) for n in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_kiosk_killed_outright_leaves_no_camera_process():
    with tempfile.TemporaryDirectory(prefix="sk-kill-") as where:
        kiosk = Kiosk(Path(where), free_port())
        try:
            kiosk.wait_for("READY", READY_TIMEOUT)
            kiosk.wait_status(lambda s: s["camera"]["state"] == "ok")
            (camera,) = children_of(kiosk.proc.pid)
            assert alive(camera)
            kiosk.proc.kill()  # SIGKILL: no clean-up of its own runs
            kiosk.proc.wait(10)
            deadline = time.monotonic() + 10
            while alive(camera):
                assert time.monotonic() < deadline, "the camera process outlived the kiosk"
                time.sleep(0.05)
        finally:
            kiosk.close()
