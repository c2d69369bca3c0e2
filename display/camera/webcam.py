"""A USB webcam (V4L2) through pygame.camera, as a CameraDevice.

pygame.camera is imported and initialised when the camera is opened (in the
camera's thread), never at module import. Webcams offer a few fixed sizes,
so the camera is asked for the output size and whatever it delivers is
scaled to it here, in the camera thread, never in the render loop.

Frames are polled with query_image() (it does not block) so a camera that
stops delivering is noticed after the timeout, and a stop after a few
milliseconds; get_image() is only called once a frame is ready.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time

import numpy as np
import pygame

from spirokiosk.display.camera.source import CameraError
from spirokiosk.display.draw.surfaces import surface_array, surface_layout
from spirokiosk.display.pixels import convert_layout

log = logging.getLogger(__name__)

POLL_SECONDS = 0.005  # between two query_image() calls while waiting for a frame


class V4L2Device:
    """A CameraDevice for the webcam at `device` (e.g. /dev/video0) at `size`, in `layout`."""

    def __init__(self, size: tuple[int, int], layout: str = "BGRX", device: str = "/dev/video0"):
        self.size = (int(size[0]), int(size[1]))
        self.layout = layout
        self.device = device
        self._camera = None
        self._frame: pygame.Surface | None = None  # 32-bit, output size: frames land here

    def open(self) -> None:
        cameras = importlib.import_module("pygame.camera")
        cameras.init()
        found = list(cameras.list_cameras())
        # An admin names it by a stable link (/dev/v4l/by-id/...): /dev/videoN numbers
        # move between boots. pygame lists /dev/videoN names, so real paths are compared.
        wanted = os.path.realpath(self.device)
        if wanted not in {os.path.realpath(str(name)) for name in found}:
            where = ", ".join(map(str, found)) if found else "none"
            raise CameraError(f"no webcam at {self.device} (found: {where})")
        camera = cameras.Camera(wanted, self.size, "RGB")
        try:
            camera.start()  # opens the device: fails when it is busy or gone
        except Exception as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise CameraError(f"cannot start the webcam {self.device}: {detail}") from exc
        self._camera = camera
        self._frame = pygame.Surface(self.size, 0, 32)
        got = tuple(camera.get_size())
        if got != self.size:
            log.info("v4l2: %s gives %dx%d; scaled to %dx%d", self.device, *got, *self.size)

    def read(self, timeout: float, cancel: threading.Event) -> np.ndarray | None:
        camera = self._camera
        if camera is None:
            raise CameraError("the webcam is not open")
        deadline = time.monotonic() + timeout
        while not camera.query_image():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no frame from the webcam {self.device} for {timeout:g} s")
            if cancel.wait(POLL_SECONDS):
                return None
        image = camera.get_image()
        if image.get_size() != self.size:
            image = pygame.transform.scale(image, self.size)
        self._frame.blit(image, (0, 0))
        view = surface_array(self._frame)
        try:
            pixels = np.array(view, copy=True)
        finally:
            del view  # unlock the surface
        return convert_layout(pixels, surface_layout(self._frame), self.layout)

    def close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.stop()
