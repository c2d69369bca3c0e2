"""The Pi camera device against the real picamera2 (from PyPI, the test extra) with only the
layer under it played: libcamera (tests/support/camera_child/libcamera) and the kernel's
DMA heap (buffers in memfds, tests/support/camera_child/picamera2_memfd.py). picamera2's
own code runs: its camera manager thread, its event loop and job queue, its buffer
mapping, its failure paths, which is where both bugs the fakes of its API let through
were (a stop() that hangs behind a capture job; a pipe leaked by every failed open).
"""

import errno
import gc
import os
import sys
import threading

import pytest
from support import CAMERA_CHILD_PATH

from spirokiosk.display.camera.pi_camera import Picamera2Device
from spirokiosk.display.camera.source import CameraError

# picamera2's preview thread is made daemon with the deprecated Thread.setDaemon().
pytestmark = pytest.mark.filterwarnings("ignore:setDaemon:DeprecationWarning")

SIZE = (64, 48)
PIXEL = (50, 100, 200, 0)  # in memory, as XRGB8888 is: B, G, R, then a counter here


@pytest.fixture
def world(monkeypatch):
    """set(*specs): the cameras libcamera shows from now on (CameraSpec fields)."""
    monkeypatch.syspath_prepend(str(CAMERA_CHILD_PATH))
    import picamera2_memfd
    from libcamera import fake

    picamera2_memfd.install()
    from picamera2 import Picamera2

    def set_cameras(*specs):
        fake.set_cameras(*(fake.CameraSpec(**spec) for spec in specs))
        if not Picamera2._cm.cameras:  # no camera open: picamera2 may look again
            gc.collect()  # libcamera's manager lives while anything refers to it
            Picamera2._cm.reset()

    yield set_cameras
    set_cameras()


def open_fds() -> int:
    gc.collect()  # picamera2's selectors are freed by the cyclic collector only
    return len(os.listdir("/proc/self/fd"))


def test_frames_come_at_the_output_size_in_the_screens_byte_order(world):
    world({"pixel": PIXEL, "fps": 100})
    device = Picamera2Device(SIZE, "BGRX")
    device.open()
    try:
        config = device._camera.camera_config["main"]
        assert (config["format"], tuple(config["size"])) == ("XRGB8888", SIZE)
        cancel = threading.Event()
        frames = [device.read(2.0, cancel) for _ in range(3)]
        assert all(frame.shape == (SIZE[1], SIZE[0], 4) for frame in frames)
        assert frames[0][0, 0, :3].tolist() == [50, 100, 200]  # B, G, R: as it is
        assert len({int(frame[0, 0, 3]) for frame in frames}) == 3  # three frames, not one
        rgbx = Picamera2Device(SIZE, "RGBX")
        rgbx._camera, rgbx._job = device._camera, None  # the same camera, another order
        assert rgbx.read(2.0, cancel)[0, 0, :3].tolist() == [200, 100, 50]
    finally:
        device.close()


def test_a_camera_that_stops_times_out_and_closes_without_hanging(world):
    # picamera2's stop() queues behind the capture job still waiting for a frame and
    # never returns; the device cancels that job first.
    world({"fps": 100, "stall_after": 2})
    device = Picamera2Device(SIZE)
    device.open()
    cancel = threading.Event()
    delivered = 0
    with pytest.raises(TimeoutError, match=r"no frame from the Pi camera for 0\.3 s"):
        for _ in range(5):
            assert device.read(0.3, cancel) is not None
            delivered += 1
    assert 2 <= delivered <= 3  # picamera2 may hold one finished frame back (queue=True)
    closer = threading.Thread(target=device.close)
    closer.start()
    closer.join(5.0)
    assert not closer.is_alive(), "close() hung behind the capture job"
    assert [t for t in threading.enumerate() if t.daemon] == []  # picamera2's threads ended


class WatchedEvent(threading.Event):
    """An Event that says (`looked`) once someone has looked whether it is set."""

    def __init__(self) -> None:
        super().__init__()
        self.looked = threading.Event()

    def is_set(self) -> bool:
        self.looked.set()
        return super().is_set()


def test_a_stop_is_noticed_while_waiting_for_a_frame(world):
    world({"mode": "never"})
    device = Picamera2Device(SIZE)
    device.open()
    cancel = WatchedEvent()

    def stop_once_the_read_waits():
        if cancel.looked.wait(10):  # the read has begun and found no stop yet
            cancel.set()

    threading.Thread(target=stop_once_the_read_waits, name="test-stop", daemon=True).start()
    # None is the stop noticed; the read's own timeout (10 s, far past it) would raise.
    assert device.read(10.0, cancel) is None
    device.close()


def test_a_busy_camera_says_so_and_two_hundred_tries_leak_nothing(world):
    world({"acquire_error": errno.EBUSY})
    device = Picamera2Device(SIZE)
    with pytest.raises(CameraError) as caught:
        device.open()
    message = str(caught.value)
    assert message.startswith("cannot open the Pi camera 0: Camera __init__ sequence")
    assert "busy with another program such as rpicam-hello" in message
    fds, threads = open_fds(), threading.active_count()
    for _ in range(200):
        with pytest.raises(CameraError):
            device.open()
    assert open_fds() == fds  # picamera2 alone leaks a pipe per failed open
    assert threading.active_count() == threads


def test_with_no_camera_the_device_waits_cheaply_and_says_why(world):
    world()
    device = Picamera2Device(SIZE)
    stop, said = threading.Event(), []

    def beat(waiting):
        said.append(waiting)
        if len(said) == 2:
            stop.set()

    fds = open_fds()
    device.wait_until_present(stop, beat)
    assert said == ["no Pi camera 0 found (is the cable in?); waiting for one"] * 2
    assert open_fds() <= fds + 1  # libcamera's camera manager, made once and kept
    world({})
    device.wait_until_present(threading.Event(), beat)  # a camera: returns at once
    assert len(said) == 2


def test_without_picamera2_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)  # import picamera2 -> ImportError
    device = Picamera2Device(SIZE)
    with pytest.raises(CameraError, match="apt install python3-picamera2") as caught:
        device.open()
    assert "--system-site-packages" in str(caught.value)
    device.close()  # closing what never opened is fine
