"""The render loop's camera: the configured source, and its newest frame as a surface.

    feed = CameraFeed.open("synthetic", (w, h), like=output.surface, timeout=5.0)
    feed.start()                  # the camera's process opens the camera
    picture = feed.picture(now)   # a surface at the output size, or None: show curves only
    feed.status(now)              # CameraStatus(source, state, last_error, fps)
    feed.stop()

`picture()` never waits: it copies the newest frame from the camera process's shared
memory into a surface of the screen's own pixel format (one memcpy, only when a new
frame came) and returns it, or None when there is no frame younger than the timeout.
Sources: `picamera2` (the Pi camera), `v4l2` (a USB webcam through pygame.camera) and
`synthetic` (a moving test pattern), each in a process of its own (see
display.camera.process).
"""

from __future__ import annotations

import pygame

from spirokiosk.display.camera import SOURCES
from spirokiosk.display.camera.process.supervisor import CameraProcess, ChildSpec
from spirokiosk.display.camera.source import BACKOFF_FIRST, BACKOFF_MAX, CameraStatus
from spirokiosk.display.draw.surfaces import surface_array, surface_layout


class CameraFeed:
    """A CameraProcess and the surface its frames are copied into, for the render thread."""

    def __init__(self, camera: CameraProcess, surface: pygame.Surface) -> None:
        self._camera = camera
        self._surface = surface
        self._seq = 0  # the frame in the surface
        self.changed = False  # whether the last picture() brought a new frame

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
        turn: int = 0,
    ) -> CameraFeed:
        """A feed (not started) from camera `source`, frames at `size` in the format of
        `like`, the camera's picture turned `turn` degrees clockwise (in its process)."""
        if source not in SOURCES:
            raise ValueError(f"camera.source: must be one of {', '.join(SOURCES)}, not {source!r}")
        size = (int(size[0]), int(size[1]))
        if like is not None and like.get_bytesize() == 4:
            surface = pygame.Surface(size, 0, like)
        else:
            surface = pygame.Surface(size, 0, 32)
        spec = ChildSpec(source, size, surface_layout(surface), device, turn % 360)
        return cls(CameraProcess(spec, timeout=timeout, backoff=backoff), surface)

    @property
    def name(self) -> str:
        return self._camera.name

    @property
    def camera(self) -> CameraProcess:
        return self._camera

    def start(self) -> None:
        self._camera.start()

    def stop(self, timeout: float = 2.0) -> bool:
        return self._camera.stop(timeout)

    def status(self, now: float | None = None) -> CameraStatus:
        return self._camera.status(now)

    def picture(self, now: float) -> pygame.Surface | None:
        """The newest frame as a surface, or None when there is none younger than the timeout."""
        newest = self._camera.newest()
        self.changed = False
        if newest is None or now - newest[1] > self._camera.timeout:
            return None
        if newest[0] != self._seq:
            view = surface_array(self._surface)
            try:
                copied = self._camera.copy_newest(view)
            finally:
                del view  # unlock the surface before it is blitted
            if copied is None:  # withdrawn meanwhile
                return None
            self._seq = copied[0]
            self.changed = True
        return self._surface
