"""The synthetic camera, made to misbehave as a test plans it, inside camera children.

The plan file holds a JSON list, one entry per attempt (the last one repeats):
    {"frames": null}                      frames for ever
    {"frames": 3, "then": "error"}        3 frames, then an I/O error from read()
    ... "then": "timeout"                 the device's own timeout (TimeoutError)
    ... "then": "hang"                    read() never returns (Python-level sleep)
    ... "then": "hang-in-c"               never returns, SIGTERM blocked (like a driver
                                          call): only SIGKILL ends it
    ... "then": "abort"                   os.abort(), as pygame 2.1.2 does on a V4L2 error
    ... "then": "exit"                    the process exits with code 3
    {"open": "busy"}                      open() fails: the camera is busy
    {"open": "absent"}                    no camera: says so with heartbeats, for ever
    {"open": "hang"}                      open() never returns
    {"frames": null, "silent_while": P}   no frame (the device's timeout) while file P exists
    {"frames": 2, "then": "hang", "paced": true}
                                          each frame only when the test sends the child
                                          a SIGUSR1 (blocked from the start: it waits)
Each attempt appends "open N" / "close N" lines to <plan>.events (N counts attempts), and
"beat N" after each heartbeat while it waits for an absent camera.
"""

import json
import os
import signal
import time


def _next_attempt(events: str) -> int:
    fd = os.open(events + ".count", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, b".")
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _note(events: str, line: str) -> None:
    with open(events, "a") as f:
        f.write(line + "\n")


def install(plan_path: str) -> None:
    with open(plan_path) as f:
        if any(plan.get("paced") for plan in json.load(f)):
            # Blocked before any thread starts (numpy's, imported below, included), so
            # that every thread inherits the mask: a SIGUSR1 sent while the child is not
            # in read() stays pending, never delivered to a thread that would die of it.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})

    from spirokiosk.display.camera import synthetic
    from spirokiosk.display.camera.source import CameraError

    events = plan_path + ".events"
    real_init = synthetic.SyntheticDevice.__init__
    real_read = synthetic.SyntheticDevice.read
    real_open = synthetic.SyntheticDevice.open

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        with open(plan_path) as f:
            plans = json.load(f)
        self.attempt = _next_attempt(events)
        self.plan = plans[min(self.attempt, len(plans)) - 1]
        self.delivered = 0

    def wait_until_present(self, stop, beat):
        if self.plan.get("open") == "absent":
            while not stop.wait(0.1):
                beat("no synthetic camera found; waiting for one")
                _note(events, f"beat {self.attempt}")

    def open_(self):
        _note(events, f"open {self.attempt}")
        if self.plan.get("open") == "busy":
            raise CameraError("cannot open the synthetic camera: Device or resource busy")
        if self.plan.get("open") == "hang":
            time.sleep(3600)
        real_open(self)

    def read(self, timeout, cancel):
        silent = self.plan.get("silent_while")
        if silent and os.path.exists(silent):
            if cancel.wait(timeout):
                return None
            raise TimeoutError()
        frames = self.plan.get("frames")
        if frames is None or self.delivered < frames:
            if self.plan.get("paced"):
                signal.sigwait({signal.SIGUSR1})
            self.delivered += 1
            return real_read(self, timeout, cancel)
        then = self.plan.get("then")
        if then == "error":
            raise OSError(5, "Input/output error")
        if then == "timeout":
            raise TimeoutError()
        if then == "abort":
            os.abort()
        if then == "exit":
            os._exit(3)
        if then == "hang-in-c":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        time.sleep(3600)
        return None

    def close(self):
        _note(events, f"close {self.attempt}")

    synthetic.SyntheticDevice.__init__ = init
    synthetic.SyntheticDevice.wait_until_present = wait_until_present
    synthetic.SyntheticDevice.open = open_
    synthetic.SyntheticDevice.read = read
    synthetic.SyntheticDevice.close = close
