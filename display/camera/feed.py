"""The render loop's camera: the configured source, and its newest frame as a surface.

    feed = CameraFeed.open("synthetic", (w, h), like=output.surface, timeout=5.0)
    feed.start()                  # the source's own thread opens the camera
    picture = feed.picture(now)   # a surface at the output size, or None: show curves only
    feed.status(now)              # CameraStatus(source, state, last_error, fps)
    feed.stop()

`picture()` never waits: it copies the source's newest frame into a
surface of the screen's own pixel format (one memcpy, only when a new frame
came) and returns it, or None when there is no frame younger than the
timeout. Sources: `picamera2` (the Pi camera), `v4l2` (a USB webcam through
pygame.camera) and `synthetic` (a moving test pattern); each module imports
its camera library only when the camera is opened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pygame

from spirokiosk.display.camera import SOURCES
from spirokiosk.display.camera.pi_camera import Picamera2Device
from spirokiosk.display.camera.source import (
    BACKOFF_FIRST,
    BACKOFF_MAX,
    CameraDevice,
    CameraSource,
    CameraStatus,
)
from spirokiosk.display.camera.synthetic import SyntheticDevice
from spirokiosk.display.camera.webcam import V4L2Device
from spirokiosk.display.draw.surfaces import surface_array, surface_layout

log = logging.getLogger(__name__)


def device_factory(
    source: str, size: tuple[int, int], layout: str, device: str = "/dev/video0"
) -> Callable[[], CameraDevice]:
    """A maker of fresh devices of kind `source` (one per attempt to open the camera)."""
    if source == "synthetic":
        return lambda: SyntheticDevice(size, layout)
    if source == "picamera2":
        return lambda: Picamera2Device(size, layout)
    if source == "v4l2":
        return lambda: V4L2Device(size, layout, device)
    raise ValueError(f"camera.source: must be one of {', '.join(SOURCES)}, not {source!r}")


class CameraFeed:
    """A CameraSource and the surface its frames are copied into, for the render thread."""

    def __init__(self, source: CameraSource, surface: pygame.Surface) -> None:
        self._source = source
        self._surface = surface
        self._seq = 0  # the frame in the surface
        self.changed = False  # whether the last picture() brought a new frame
        self._wrong_size_seen = False

    @classmethod
    def open(
        cls,
        source: str,
        size: tuple[int, int],
        *,
        like: pygame.Surface | None = None,
        device: str = "/dev/video0",
        timeout: float = 5.0,
        backoff: tuple[float, float] = (BACKOFF_FIRST, BACKOFF_MAX),
    ) -> CameraFeed:
        """A feed (not started) from camera `source`, frames at `size` in the format of `like`."""
        size = (int(size[0]), int(size[1]))
        if like is not None and like.get_bytesize() == 4:
            surface = pygame.Surface(size, 0, like)
        else:
            surface = pygame.Surface(size, 0, 32)
        make = device_factory(source, size, surface_layout(surface), device)
        return cls(CameraSource(source, make, timeout=timeout, backoff=backoff), surface)

    @property
    def name(self) -> str:
        return self._source.name

    @property
    def source(self) -> CameraSource:
        return self._source

    def start(self) -> None:
        self._source.start()

    def stop(self, timeout: float = 1.0) -> bool:
        return self._source.stop(timeout)

    def status(self, now: float | None = None) -> CameraStatus:
        return self._source.status(now)

    def picture(self, now: float) -> pygame.Surface | None:
        """The newest frame as a surface, or None when there is none younger than the timeout."""
        frame = self._source.latest()
        self.changed = False
        if frame is None or now - frame.time > self._source.timeout:
            return None
        if frame.seq != self._seq:
            self.changed = True
            view = surface_array(self._surface)
            try:
                if view.shape != frame.pixels.shape:
                    self._report_wrong_size(frame.pixels.shape)
                    return None
                np.copyto(view, frame.pixels)
            finally:
                del view  # unlock the surface before it is blitted
            self._seq = frame.seq
        return self._surface

    def _report_wrong_size(self, shape: tuple[int, ...]) -> None:
        if not self._wrong_size_seen:
            self._wrong_size_seen = True
            log.error(
                "camera %s: frames of shape %s, not %s; ignored",
                self.name,
                shape,
                (*self._surface.get_size()[::-1], 4),
            )
