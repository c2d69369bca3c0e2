"""The Pi camera source against a fake `picamera2` package that follows the real API.

picamera2 only installs on a Pi (from apt), so a stand-in package is written to a
temporary directory put at the front of sys.path: the source's own
`from picamera2 import Picamera2` finds it exactly as it would find the real one.
The stand-in keeps picamera2's calls and failure modes: Picamera2() raising
RuntimeError("Camera __init__ sequence did not complete.") when the camera is busy,
configure() only when stopped, capture_request(wait=False) giving a job that
wait(job, timeout) turns into a CompletedRequest or a TimeoutError, make_array("main")
giving [B, G, R, 255] pixels for XRGB8888, and requests that must be released.
"""

import sys
import threading

import pytest

from spirokiosk.display.camera.pi_camera import Picamera2Device
from spirokiosk.display.camera.source import CameraError

SIZE = (64, 48)
WAIT = 10.0

FAKE_PICAMERA2 = '''
"""Test stand-in for picamera2: the calls spirokiosk uses, with the real semantics."""

import threading
from concurrent.futures import Future

import numpy as np

# What the next cameras do; the test changes it.
BEHAVIOUR = {
    "busy": 0,            # how many Picamera2() calls fail as if another program held it
    "frames": None,       # frames each camera delivers before it stalls (None: forever)
    "error": None,        # an exception capture jobs fail with
    "bgr": (50, 100, 200),
    "interval": 0.005,    # seconds between frames
}
CAMERAS = []  # every Picamera2 made


class Job:
    def __init__(self):
        self._future = Future()

    def get_result(self, timeout=None):
        return self._future.result(timeout=timeout)


class CompletedRequest:
    def __init__(self, camera, pixels):
        self._camera, self._pixels, self.released = camera, pixels, False
        camera.handed_out += 1

    def make_array(self, name):
        if self.released:
            raise RuntimeError("request already released")
        config = self._camera.camera_config[name]
        assert config["format"] == "XRGB8888"
        return self._pixels.copy()

    def release(self):
        if not self.released:
            self.released = True
            self._camera.released += 1


class Picamera2:
    def __init__(self, camera_num=0, tuning=None):
        if BEHAVIOUR["busy"] > 0:
            BEHAVIOUR["busy"] -= 1
            raise RuntimeError("Camera __init__ sequence did not complete.")
        self.camera_num = camera_num
        self.camera_config = None
        self.started = self.closed = False
        self.calls = []
        self.handed_out = self.released = 0
        self._delivered = 0
        self._timers = []
        CAMERAS.append(self)

    def create_video_configuration(self, main={}, lores=None, raw=None, buffer_count=6,
                                   queue=True, controls=None):
        main = {"format": "XBGR8888", "size": (1280, 720), **main}
        return {"use_case": "video", "main": main, "lores": lores, "raw": raw,
                "buffer_count": buffer_count, "queue": queue}

    def configure(self, camera_config):
        if self.started:
            raise RuntimeError("Camera must be stopped before configuring")
        self.calls.append("configure")
        self.camera_config = camera_config

    def start(self):
        if self.camera_config is None:
            raise RuntimeError("Camera has not been configured")
        self.calls.append("start")
        self.started = True

    def capture_request(self, wait=None, signal_function=None, flush=None):
        if not self.started:
            raise RuntimeError("the fake cannot capture from a stopped camera")
        job = Job()
        limit = BEHAVIOUR["frames"]
        if limit is None or self._delivered < limit:
            self._delivered += 1
            timer = threading.Timer(BEHAVIOUR["interval"], self._finish, (job,))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        if wait is None:
            wait = signal_function is None
        if wait is False:
            return job
        return job.get_result(timeout=None if wait is True else wait)

    def _finish(self, job):
        if BEHAVIOUR["error"] is not None:
            job._future.set_exception(BEHAVIOUR["error"])
            return
        w, h = self.camera_config["main"]["size"]
        b, g, r = BEHAVIOUR["bgr"]
        pixels = np.empty((h, w, 4), np.uint8)
        pixels[:] = (b, g, r, 255)
        job._future.set_result(CompletedRequest(self, pixels))

    def wait(self, job, timeout=None):
        return job.get_result(timeout=timeout)

    def cancel_all_and_flush(self):
        self.calls.append("cancel_all_and_flush")

    def stop(self):
        self.calls.append("stop")
        self.started = False
        for timer in self._timers:
            timer.cancel()

    def close(self):
        self.calls.append("close")
        self.closed = True
'''


@pytest.fixture
def picamera2(tmp_path, monkeypatch):
    """The stand-in package, importable as `picamera2` for this test only."""
    package = tmp_path / "picamera2"
    package.mkdir()
    (package / "__init__.py").write_text(FAKE_PICAMERA2)
    monkeypatch.delitem(sys.modules, "picamera2", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    import picamera2 as fake

    yield fake
    sys.modules.pop("picamera2", None)


def test_the_main_stream_is_asked_for_at_the_output_size_in_xrgb8888(picamera2):
    device = Picamera2Device(SIZE, "RGBX")
    device.open()
    (camera,) = picamera2.CAMERAS
    assert camera.camera_config["main"] == {"format": "XRGB8888", "size": SIZE}
    assert camera.calls == ["configure", "start"]
    cancel = threading.Event()
    frames = [device.read(1.0, cancel) for _ in range(3)]
    assert all(frame.shape == (SIZE[1], SIZE[0], 4) for frame in frames)
    assert frames[0][0, 0].tolist() == [200, 100, 50, 255]  # [B, G, R, 255] read as BGRX
    assert camera.handed_out == camera.released == 3  # every request went back
    device.close()
    assert camera.calls[-2:] == ["stop", "close"] and camera.closed


def test_frames_in_the_screens_own_order_are_not_reordered(picamera2):
    device = Picamera2Device(SIZE, "BGRX")
    device.open()
    frame = device.read(1.0, threading.Event())
    assert frame[0, 0].tolist() == [50, 100, 200, 255]
    device.close()


def test_a_capture_that_times_out_raises_and_a_stop_is_noticed(picamera2):
    picamera2.BEHAVIOUR["frames"] = 1
    device = Picamera2Device(SIZE)
    device.open()
    cancel = threading.Event()
    assert device.read(1.0, cancel) is not None
    with pytest.raises(TimeoutError, match=r"no frame from the Pi camera for 0\.3 s"):
        device.read(0.3, cancel)
    cancel.set()
    assert device.read(5.0, cancel) is None
    device.close()


def test_a_busy_camera_says_so(picamera2):
    picamera2.BEHAVIOUR["busy"] = 1
    device = Picamera2Device(SIZE)
    with pytest.raises(CameraError) as caught:
        device.open()
    assert "Camera __init__ sequence did not complete." in str(caught.value)
    assert "busy" in str(caught.value)
    device.close()
    assert picamera2.CAMERAS == []  # the failed attempt made no camera


def test_a_stalled_camera_times_out_and_closes_without_waiting_for_its_job(picamera2):
    picamera2.BEHAVIOUR["frames"] = 2
    device = Picamera2Device(SIZE)
    device.open()
    cancel = threading.Event()
    assert device.read(1.0, cancel) is not None
    assert device.read(1.0, cancel) is not None
    with pytest.raises(TimeoutError, match=r"no frame from the Pi camera for 0\.2 s"):
        device.read(0.2, cancel)
    device.close()  # a capture job is still queued: cancelled first, then stop and close
    (camera,) = picamera2.CAMERAS
    assert camera.calls[-3:] == ["cancel_all_and_flush", "stop", "close"]
    assert camera.released == 2


def test_capture_errors_reach_the_caller(picamera2):
    picamera2.BEHAVIOUR["error"] = RuntimeError("Camera frontend has timed out!")
    device = Picamera2Device(SIZE)
    device.open()
    with pytest.raises(RuntimeError, match="Camera frontend has timed out!"):
        device.read(1.0, threading.Event())
    device.close()
    assert picamera2.CAMERAS[0].closed


def test_without_picamera2_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)  # import picamera2 -> ImportError
    device = Picamera2Device(SIZE)
    with pytest.raises(CameraError, match="apt install python3-picamera2") as caught:
        device.open()
    assert "--system-site-packages" in str(caught.value)
    device.close()  # closing what never opened is fine


def test_frames_of_a_size_the_isp_adjusted_still_fit_the_screen(picamera2):
    device = Picamera2Device((60, 48), "BGRX")
    device.open()
    (camera,) = picamera2.CAMERAS
    camera.camera_config["main"]["size"] = (64, 48)  # as if libcamera aligned the width
    frame = device.read(1.0, threading.Event())
    assert frame.shape == (48, 60, 4) and frame[0, 0].tolist() == [50, 100, 200, 255]
    device.close()
