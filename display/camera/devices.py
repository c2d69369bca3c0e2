"""Which device class serves which camera.source; each imports its camera library only
when the camera is opened, so naming one here costs nothing."""

from __future__ import annotations

from collections.abc import Callable

from spirokiosk.display.camera import SOURCES
from spirokiosk.display.camera.source import CameraDevice


def device_factory(
    source: str, size: tuple[int, int], layout: str, device: str = "/dev/video0"
) -> Callable[[], CameraDevice]:
    """A maker of fresh devices of kind `source` (one per attempt to open the camera)."""
    if source == "synthetic":
        from spirokiosk.display.camera.synthetic import SyntheticDevice

        return lambda: SyntheticDevice(size, layout)
    if source == "picamera2":
        from spirokiosk.display.camera.pi_camera import Picamera2Device

        return lambda: Picamera2Device(size, layout)
    if source == "v4l2":
        from spirokiosk.display.camera.webcam import V4L2Device

        return lambda: V4L2Device(size, layout, device)
    raise ValueError(f"camera.source: must be one of {', '.join(SOURCES)}, not {source!r}")
