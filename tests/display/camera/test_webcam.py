"""The USB webcam source against a fake `pygame.camera` (this machine has no /dev/video*).

The stand-in module replaces pygame.camera in sys.modules and on the pygame package,
which is where the source's `importlib.import_module("pygame.camera")` finds it. It
keeps the real API: init(), list_cameras() giving device paths, Camera(device, size,
format) with start() failing like the V4L2 backend on a busy device, stop(),
get_size() (the size the camera really gives), query_image() and get_image() giving
a 24-bit RGB surface.
"""

import sys
import threading
import types

import pygame
import pytest

from spirokiosk.display.camera.source import CameraError
from spirokiosk.display.camera.webcam import V4L2Device

SIZE = (64, 48)
WAIT = 10.0


def make_fake_camera_module(behaviour: dict) -> types.ModuleType:
    module = types.ModuleType("pygame.camera")
    module.opened = []

    class Camera:
        def __init__(self, device, size=(640, 480), format="RGB"):
            self.device, self.asked, self.format = device, tuple(size), format
            self.started = False
            self.stops = 0
            module.opened.append(self)

        def start(self):
            if behaviour["busy"]:
                raise SystemError(f"Cannot open '{self.device}': 16, Device or resource busy")
            self.started = True

        def stop(self):
            self.stops += 1
            self.started = False

        def get_size(self):
            return behaviour["native"]

        def query_image(self):
            return self.started and not behaviour["stalled"]

        def get_image(self, dest_surf=None):
            image = pygame.Surface(behaviour["native"], 0, 24)
            image.fill(behaviour["rgb"])
            return image

    def init(backend=None):
        module.initialised = True

    module.init = init
    module.list_cameras = lambda: list(behaviour["devices"])
    module.Camera = Camera
    return module


@pytest.fixture
def webcam(monkeypatch):
    """The behaviour dict of a fake pygame.camera installed for this test."""
    behaviour = {
        "devices": ["/dev/video0"],
        "busy": False,
        "stalled": False,
        "native": (32, 24),
        "rgb": (200, 100, 50),
    }
    module = make_fake_camera_module(behaviour)
    monkeypatch.setitem(sys.modules, "pygame.camera", module)
    monkeypatch.setattr(pygame, "camera", module, raising=False)
    behaviour["module"] = module
    return behaviour


def test_frames_are_scaled_to_the_output_size_in_the_screens_byte_order(webcam):
    device = V4L2Device(SIZE, "RGBX", "/dev/video0")
    device.open()
    (camera,) = webcam["module"].opened
    assert camera.asked == SIZE and camera.format == "RGB" and camera.started
    frame = device.read(1.0, threading.Event())
    assert frame.shape == (SIZE[1], SIZE[0], 4)
    assert (frame[..., :3] == (200, 100, 50)).all() and (frame[..., 3] == 255).all()
    bgrx = V4L2Device(SIZE, "BGRX", "/dev/video0")
    bgrx.open()
    assert bgrx.read(1.0, threading.Event())[5, 5, :3].tolist() == [50, 100, 200]
    device.close()
    assert camera.stops == 1 and not camera.started


def test_a_missing_webcam_names_the_ones_there_are(webcam):
    device = V4L2Device(SIZE, device="/dev/video2")
    with pytest.raises(CameraError, match=r"no webcam at /dev/video2 \(found: /dev/video0\)"):
        device.open()
    webcam["devices"] = []
    with pytest.raises(CameraError, match=r"\(found: none\)"):
        device.open()


def test_a_busy_webcam_says_so(webcam):
    webcam["busy"] = True
    device = V4L2Device(SIZE, device="/dev/video0")
    with pytest.raises(CameraError) as caught:
        device.open()
    assert str(caught.value) == (
        "cannot start the webcam /dev/video0: Cannot open '/dev/video0': 16, "
        "Device or resource busy"
    )


def test_a_webcam_named_by_a_stable_link_is_found(webcam, tmp_path):
    # /dev/v4l/by-id/... links point at whichever /dev/videoN the webcam got this boot.
    link = tmp_path / "usb-Logitech_Webcam-video-index0"
    link.symlink_to("/dev/video0")
    device = V4L2Device(SIZE, device=str(link))
    device.open()
    assert webcam["module"].opened[-1].device == "/dev/video0"
    assert device.read(1.0, threading.Event()) is not None
    device.close()


def test_a_webcam_that_stops_delivering_times_out_and_a_stop_is_noticed(webcam):
    device = V4L2Device(SIZE)
    device.open()
    cancel = threading.Event()
    assert device.read(1.0, cancel) is not None
    webcam["stalled"] = True
    with pytest.raises(TimeoutError, match=r"no frame from the webcam /dev/video0 for 0\.2 s"):
        device.read(0.2, cancel)
    cancel.set()
    assert device.read(5.0, cancel) is None
    device.close()
