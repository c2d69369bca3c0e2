"""The render thread gives a slot back to the camera child (`free`, at the end of
`copy_newest`): that send never waits, however full the child's queue, and never meets
the socket's close at the attempt's end (the end waits for it, as it waits for a copy).

Real children on the synthetic camera (tests/support/camera_child); a `paced` child
hands over each frame only when the test sends it a SIGUSR1, so the order of events is
the test's, not the clock's.
"""

import os
import signal
import socket
import threading

import numpy as np
from support import camera_events, plan_camera, wait_until

from spirokiosk.display.camera.process import watcher as watcher_module
from spirokiosk.display.camera.process.watcher import ChildWatcher

SIZE = (64, 48)
WAIT = 20.0  # a guard only: a child takes a few hundred ms to start
FREE_OF_NOTHING = b'{"t":"free","slot":-1}'  # a message the child would ignore


def frame_buffer():
    return np.zeros((SIZE[1], SIZE[0], 4), np.uint8)


def paused_copy(monkeypatch, camera, on_copy):
    """copy_newest on a thread of its own whose copy first runs `on_copy()`; returns
    (thread, results)."""
    real_copyto = np.copyto
    results = []

    def copyto(dst, src):
        if threading.current_thread() is thread:
            on_copy()
        real_copyto(dst, src)

    monkeypatch.setattr(np, "copyto", copyto)
    thread = threading.Thread(
        target=lambda: results.append(camera.copy_newest(frame_buffer())),
        name="render",
        daemon=True,
    )
    return thread, results


def next_frame(camera, child):
    """A paced child hands over its next frame; returns its seq once the kiosk has it."""
    seq = camera.newest()[0] if camera.newest() else 0
    os.kill(child.pid, signal.SIGUSR1)
    wait_until(lambda: camera.newest() is not None and camera.newest()[0] == seq + 1, WAIT)
    return seq + 1


def test_the_free_never_waits_for_a_child_whose_queue_is_full(cameras, monkeypatch, tmp_path):
    # A socket timeout, if the free's socket had one, as long as the watcher's patience:
    # a send that polled for room first would wait for an hour.
    monkeypatch.setattr(watcher_module, "POLL_SECONDS", 3600.0)
    plan = plan_camera(
        monkeypatch, tmp_path, [{"frames": 2, "then": "hang", "paced": True}, {"frames": None}]
    )
    camera = cameras(timeout=3600.0)
    wait_until(lambda: "open 1" in camera_events(plan), WAIT)
    child = camera._child
    try:
        assert next_frame(camera, child) == 1
        copying, go = threading.Event(), threading.Event()

        def on_copy():  # the render thread copies frame 1 ...
            copying.set()
            assert go.wait(WAIT)

        render, results = paused_copy(monkeypatch, camera, on_copy)
        render.start()
        assert copying.wait(WAIT)
        assert next_frame(camera, child) == 2  # ... while frame 2 replaces it: freed after the copy
        # The child now hangs in its camera read and reads no message any more: fill its
        # queue from the kiosk's end (a second fd on the same socket) until it takes no more.
        filler = socket.socket(fileno=os.dup(camera._watcher._sock.fileno()))
        sent = 0
        try:
            while True:
                filler.send(FREE_OF_NOTHING, socket.MSG_DONTWAIT)
                sent += 1
        except BlockingIOError:
            pass
        finally:
            filler.close()
        assert sent > 0
        go.set()
        render.join(WAIT)
        assert not render.is_alive(), "the render thread waited for room in the child's queue"
        assert results[0][0] == 1  # frame 1 was copied
        # The state is as after any copy: nothing read, nothing left to free, frame 2 newest.
        assert camera._reading is None and not camera._freeing and camera._deferred == set()
        assert camera.newest()[0] == 2 and camera.status().state == "ok"
    finally:  # on a failure above too: the stuck child must not outlive the test
        child.kill()
    # The stuck child has gone (killed above; for real after the timeout) and the next
    # one starts with every slot its own: frames come and are copied as before.
    wait_until(lambda: camera.children == 2 and camera.newest() is not None, WAIT)
    seq, _ = camera.copy_newest(frame_buffer())
    wait_until(lambda: camera.newest()[0] > seq + 5, WAIT)  # slots keep coming back
    assert camera.copy_newest(frame_buffer())[0] > seq + 5


def test_the_end_of_an_attempt_waits_for_a_free_on_its_way(cameras, monkeypatch, tmp_path):
    plan_camera(monkeypatch, tmp_path, [{"frames": None}])
    camera = cameras()
    wait_until(lambda: camera.newest() is not None, WAIT)
    child = camera._child

    def on_copy():  # a newer frame arrives during the copy: the slot is freed after it
        seq = camera.newest()[0]
        wait_until(lambda: camera.newest()[0] > seq, WAIT)

    render, results = paused_copy(monkeypatch, camera, on_copy)
    in_free, go, closed, waiting = (threading.Event() for _ in range(4))
    seen = []
    real_free, real_close = ChildWatcher.free, ChildWatcher.close

    def free(watcher, slot):
        if threading.current_thread() is not render:
            return real_free(watcher, slot)  # the camera thread's own frees
        fd = watcher._sock.fileno()
        before = os.fstat(fd).st_ino
        in_free.set()
        assert go.wait(WAIT)  # here, between taking the watcher and sending
        # What the send is about to use: still this socket, open, the same file.
        seen.append((watcher._sock.fileno() == fd, fd != -1, os.fstat(fd).st_ino == before))
        real_free(watcher, slot)
        seen.append("sent")

    def close(watcher):
        seen.append("closed")
        real_close(watcher)
        closed.set()

    class WatchedCondition(type(camera._read_done)):
        def wait(self, timeout=None):
            waiting.set()
            return super().wait(timeout)

    monkeypatch.setattr(ChildWatcher, "free", free)
    monkeypatch.setattr(ChildWatcher, "close", close)
    camera._read_done = WatchedCondition(camera._lock)
    render.start()
    assert in_free.wait(WAIT)
    child.kill()  # the attempt ends while the render thread is about to send
    wait_until(lambda: waiting.is_set() or closed.is_set(), WAIT)
    assert not closed.is_set(), "the socket was closed under a free on its way"
    go.set()
    render.join(WAIT)
    assert not render.is_alive() and results[0] is not None
    assert closed.wait(WAIT)
    assert seen == [(True, True, True), "sent", "closed"]
    wait_until(lambda: camera.children == 2 and camera.newest() is not None, WAIT)
    assert camera.copy_newest(frame_buffer()) is not None
