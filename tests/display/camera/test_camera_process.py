"""The camera in a process of its own: frames through shared memory, and every way a child
can fail (an error, its own timeout, a hang, a hang the kernel has to end, an abort, an
exit) degrading the picture and ending in a fresh child, never in a stuck kiosk.

The children are real processes running the synthetic camera, made to misbehave by a
plan (tests/support/camera_child); the kiosk's side is the real CameraProcess.
"""

import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from support import REPO, camera_events, plan_camera, wait_until

SIZE = (64, 48)
WAIT = 20.0  # a child takes a few hundred ms to start (Python, numpy)


def frame_buffer(size=SIZE):
    return np.zeros((size[1], size[0], 4), np.uint8)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_frames_come_from_a_child_through_shared_memory(cameras, monkeypatch, tmp_path):
    plan_camera(monkeypatch, tmp_path, [{"frames": None}])
    camera = cameras()
    assert "camera-synthetic" in [t.name for t in threading.enumerate()]
    wait_until(lambda: camera.newest() is not None, WAIT)
    out = frame_buffer()
    seq, _ = camera.copy_newest(out)
    assert seq >= 1 and (out[..., 3] == 255).all() and out[..., :3].max() > 0
    wait_until(lambda: camera.newest()[0] > seq + 5, WAIT)  # the newest replaces, no queue
    status = camera.status()
    assert (status.state, status.last_error) == ("ok", None) and status.fps > 10
    assert camera.children == 1


def test_the_frame_being_copied_is_never_written_meanwhile(cameras, monkeypatch, tmp_path):
    # Slow copies against a child writing 30 frames a second: the slot being copied must
    # not change while the copy lasts (the synthetic picture scrolls, so a write shows).
    plan_camera(monkeypatch, tmp_path, [{"frames": None}])
    camera = cameras(size=(320, 240))
    wait_until(lambda: camera.newest() is not None, WAIT)
    real_copyto = np.copyto
    torn = []

    def slow_copyto(dst, src):
        before = src.copy()
        time.sleep(0.05)  # a frame and a half of the child's time
        torn.append(not np.array_equal(before, src))
        real_copyto(dst, src)

    monkeypatch.setattr(np, "copyto", slow_copyto)
    out = frame_buffer((320, 240))
    seqs = [camera.copy_newest(out)[0] for _ in range(30)]
    assert len(set(seqs)) > 10  # the child went on delivering meanwhile
    assert torn and not any(torn)


@pytest.mark.parametrize(
    ("then", "message"),
    [
        ("error", "OSError: [Errno 5] Input/output error"),
        ("timeout", "no frame for 5 s"),
        ("exit", "the camera process ended with exit code 3"),
        ("abort", "the camera process was killed by SIGABRT"),
    ],
)
def test_a_failing_child_degrades_the_picture_and_is_replaced(
    cameras, monkeypatch, tmp_path, then, message
):
    plan = plan_camera(monkeypatch, tmp_path, [{"frames": 3, "then": then}, {"frames": None}])
    camera = cameras()
    wait_until(lambda: camera.failures == 1, WAIT)
    wait_until(lambda: camera.status().state == "ok", WAIT)
    assert camera.status().last_error == message  # the last error stays on show
    assert camera.children == 2
    if then in ("error", "timeout"):  # the child closed its camera before it ended
        assert camera_events(plan)[:3] == ["open 1", "close 1", "open 2"]


@pytest.mark.parametrize("hang", ["hang", "hang-in-c"])
def test_a_child_stuck_in_a_call_is_killed_after_the_timeout(cameras, monkeypatch, tmp_path, hang):
    plan_camera(monkeypatch, tmp_path, [{"frames": 2, "then": hang}, {"frames": None}])
    camera = cameras(timeout=0.5)
    wait_until(lambda: camera.newest() is not None, WAIT)
    first = camera._child
    wait_until(lambda: camera.failures == 1, WAIT)
    assert camera.newest() is None or camera.newest()[0] <= 1  # the old frames withdrawn
    assert "no frame and no sign of life for 0.5 s" in camera.status().last_error
    wait_until(lambda: first.returncode is not None, WAIT)  # reaped, not left behind
    wait_until(lambda: camera.status().state == "ok", WAIT)


def test_a_frame_older_than_the_timeout_is_not_shown(cameras, monkeypatch, tmp_path):
    plan_camera(monkeypatch, tmp_path, [{"frames": 1, "then": "hang"}])
    camera = cameras(timeout=3.0)
    wait_until(lambda: camera.newest() is not None, WAIT)
    _, received = camera.newest()
    assert camera.status(now=received + 2.0).state == "ok"
    late = camera.status(now=received + 3.5)
    assert late.state == "degraded" and late.last_error == "no frame for 3.5 s"


def test_a_busy_camera_is_retried_with_a_back_off_that_doubles(
    cameras, monkeypatch, tmp_path, caplog
):
    plan_camera(
        monkeypatch,
        tmp_path,
        [{"open": "busy"}] * 5 + [{"frames": 2, "then": "error"}, {"open": "busy"}],
    )
    logger = "spirokiosk.display.camera.process.supervisor"
    with caplog.at_level(logging.WARNING, logger):
        camera = cameras(backoff=(0.01, 0.04))
        wait_until(lambda: camera.failures >= 8, WAIT)
        camera.stop()
    delays = [
        float(re.search(r"retrying in ([0-9.]+) s", r.getMessage())[1])
        for r in caplog.records
        if "retrying in" in r.getMessage()
    ]
    assert delays[:7] == [0.01, 0.02, 0.04, 0.04, 0.04, 0.01, 0.02]  # reset after frames
    assert "cannot open the synthetic camera: Device or resource busy; curves only" in caplog.text


def test_while_there_is_no_camera_the_child_waits_and_says_why(cameras, monkeypatch, tmp_path):
    plan = plan_camera(monkeypatch, tmp_path, [{"open": "absent"}])
    camera = cameras(timeout=0.5)  # heartbeats keep it alive well past the timeout
    wait_until(lambda: camera.status().last_error is not None, WAIT)
    # 30 beats, 0.1 s apart: twice the silence (timeout and grace) that gets a child killed
    wait_until(lambda: camera_events(plan).count("beat 1") >= 30, WAIT)
    status = camera.status()
    assert status.state == "degraded"
    assert status.last_error == "no synthetic camera found; waiting for one"
    assert camera.children == 1 and camera.failures == 0


def test_many_failed_attempts_leave_the_kiosks_fds_threads_and_memory_as_they_were(
    cameras, monkeypatch, tmp_path
):
    plan_camera(monkeypatch, tmp_path, [{"open": "busy"}])
    fds, threads = open_fds(), threading.active_count()
    camera = cameras(backoff=(0.001, 0.001))
    wait_until(lambda: camera.failures >= 3, WAIT)
    memory = rss_bytes()
    wait_until(lambda: camera.failures >= 40, 60)
    assert rss_bytes() - memory < 4 * 1024 * 1024
    assert camera.stop(timeout=5.0)
    # Counted once nothing runs (sampling during attempts caught a child's socket
    # half the time): one fd or thread leaked per attempt would be 40 more by now.
    assert open_fds() <= fds
    assert threading.active_count() <= threads


def test_stopping_ends_the_child_even_one_that_ignores_sigterm(cameras, monkeypatch, tmp_path):
    plan_camera(monkeypatch, tmp_path, [{"frames": 1, "then": "hang-in-c"}])
    camera = cameras(timeout=30.0)
    wait_until(lambda: camera.newest() is not None, WAIT)
    child = camera._child
    fds = open_fds()
    assert camera.stop(timeout=5.0)
    assert child.returncode == -signal.SIGKILL
    assert camera.status().state == "off" and camera.newest() is None
    assert open_fds() < fds  # its socket and the shared memory are closed


KIOSK = textwrap.dedent(
    """
    import sys, time
    from spirokiosk.display.camera.process.supervisor import CameraProcess, ChildSpec
    camera = CameraProcess(ChildSpec("synthetic", (64, 48), "BGRX"), timeout=5.0)
    camera.start()
    while camera.newest() is None:
        time.sleep(0.01)
    print(camera._child.pid, flush=True)
    time.sleep(3600)
    """
)


def test_a_kiosk_killed_outright_leaves_no_camera_process():
    kiosk = subprocess.Popen(
        [sys.executable, "-c", KIOSK], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        child = int(kiosk.stdout.readline())
        os.kill(child, 0)  # alive
        kiosk.kill()
        kiosk.wait(10)

        def gone():
            try:
                with open(f"/proc/{child}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie for init
            except FileNotFoundError:
                return True

        wait_until(gone, WAIT)
    finally:
        kiosk.kill()
        kiosk.stdout.close()


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_turned_camera_is_asked_for_the_other_shape_and_turned_in_its_process(turn):
    from spirokiosk.display.camera.process import protocol
    from spirokiosk.display.camera.process.child import Attempt
    from spirokiosk.display.camera.process.ring import FrameRing

    height, width = 6, 10  # the picture as the screen shows it
    ring = FrameRing.create((height, width, 4))
    parent, child = protocol.socket_pair()
    try:
        attempt = Attempt({"turn": turn}, child, ring)
        camera_shape = (width, height) if turn in (90, 270) else (height, width)
        frame = np.arange(np.prod(camera_shape) * 4, dtype=np.uint32).astype(np.uint8)
        frame = frame.reshape(*camera_shape, 4)
        frame[..., 0] = np.arange(camera_shape[0])[:, None]  # row numbers: the turn shows
        attempt.hand_over(frame)
        message = protocol.receive(parent)
        shown = ring.slot(message["slot"]).copy()  # (a view would keep the memory mapped)
        clockwise = {0: frame, 90: frame[::-1].transpose(1, 0, 2), 180: frame[::-1, ::-1]}
        clockwise[270] = frame[:, ::-1].transpose(1, 0, 2)
        assert np.array_equal(shown, clockwise[turn])
    finally:
        parent.close()
        child.close()
        ring.close()
