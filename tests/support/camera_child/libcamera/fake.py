"""The cameras the stand-in libcamera shows, and how they behave.

A test sets them for camera children through the environment variable
SPIROKIOSK_TEST_LIBCAMERA: a JSON list of CameraSpec fields, one object per camera
(`[]`: no camera), read when this module is imported; in-process, `set_cameras()`.
"""

import dataclasses
import json
import os
from collections.abc import Callable


@dataclasses.dataclass
class CameraSpec:
    id: str = "/base/axi/pcie@120000/rp1/i2c@88000/imx708@1a"
    model: str = "imx708"
    kind: str = "rpi"  # "rpi" (has ColorFilterArrangement -> raw stream) or "usb"
    location: int = 2
    rotation: int = 180
    sensor_size: tuple = (4608, 2592)
    raw_modes: dict = dataclasses.field(
        default_factory=lambda: {"SRGGB10_CSI2P": [(1536, 864), (2304, 1296), (4608, 2592)]}
    )
    mode: str = "fps"  # "fps": complete at `fps`; "never": accept requests, never complete
    fps: float = 30.0
    stall_after: int | None = None  # complete this many frames then go silent (cable pulled)
    acquire_error: int = 0  # errno to fail Camera.acquire() with (e.g. errno.EBUSY)
    start_error: int = 0
    stop_hangs: bool = False
    pattern: Callable[[int], int] | None = None
    pixel: tuple | None = None  # 4 bytes per pixel (XRGB8888 in memory: B, G, R, X)


@dataclasses.dataclass
class World:
    cameras: list = dataclasses.field(default_factory=list)


world = World()


def set_cameras(*specs):
    """Replace the camera list. Takes effect for the NEXT CameraManager.singleton()
    (picamera2 caches the manager in Picamera2._cm._cms)."""
    world.cameras = list(specs)


def _from_environment() -> None:
    text = os.environ.get("SPIROKIOSK_TEST_LIBCAMERA")
    if text is not None:
        set_cameras(*(CameraSpec(**fields) for fields in json.loads(text)))


_from_environment()
