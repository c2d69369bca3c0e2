"""The Raspberry Pi camera through picamera2 (libcamera), as a CameraDevice.

The main stream is configured at the output size in XRGB8888, so the Pi's
ISP does the scaling and the pixels arrive as [B, G, R, 255] per pixel: the
byte order of pygame's 32-bit surfaces on the Pi, so no conversion at all.
Each frame is taken with capture_request(), copied out once by make_array()
and the request released at once, so the camera never runs out of buffers.

picamera2 comes from apt (python3-picamera2), not from PyPI: the venv must
be created with --system-site-packages. It is imported when the camera is
opened, never at module import, so everything else runs without it.

Failure modes, as picamera2 shows them: Picamera2() raises RuntimeError when
the camera is missing or busy (another program such as rpicam-hello holds
it: libcamera logs "Device or resource busy"); a capture that gets no frame
raises TimeoutError from wait(job, timeout).
"""

from __future__ import annotations

import logging
import threading
import time

import numpy as np

from spirokiosk.display.camera.frames import fit_frame
from spirokiosk.display.camera.source import CameraError
from spirokiosk.display.pixels import convert_layout

log = logging.getLogger(__name__)

CAMERA_FORMAT = "XRGB8888"
FORMAT_LAYOUT = "BGRX"  # picamera2's XRGB8888 arrays: [B, G, R, 255]
POLL_SECONDS = 0.1  # a wait for a frame is cut into slices this long, to notice a stop


class Picamera2Device:
    """A CameraDevice for camera `camera_num` at `size`, frames in byte order `layout`."""

    def __init__(self, size: tuple[int, int], layout: str = "BGRX", camera_num: int = 0) -> None:
        self.size = (int(size[0]), int(size[1]))
        self.layout = layout
        self.camera_num = camera_num
        self._camera = None
        self._job = None  # a capture_request job still under way

    def open(self) -> None:
        try:
            from picamera2 import Picamera2
        except ImportError as exc:
            raise CameraError(
                "picamera2 is not installed (apt install python3-picamera2; the venv needs "
                "--system-site-packages)"
            ) from exc
        try:
            self._camera = Picamera2(self.camera_num)
        except (RuntimeError, OSError, IndexError) as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise CameraError(
                f"cannot open the Pi camera {self.camera_num}: {detail} (missing, or busy with "
                "another program such as rpicam-hello?)"
            ) from exc
        camera = self._camera
        config = camera.create_video_configuration(
            main={"size": self.size, "format": CAMERA_FORMAT}
        )
        camera.configure(config)
        camera.start()
        log.debug("picamera2: camera %d started at %dx%d", self.camera_num, *self.size)

    def read(self, timeout: float, cancel: threading.Event) -> np.ndarray | None:
        if self._camera is None:
            raise CameraError("the Pi camera is not open")
        deadline = time.monotonic() + timeout
        if self._job is None:
            self._job = self._camera.capture_request(wait=False)
        while True:
            if cancel.is_set():
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no frame from the Pi camera for {timeout:g} s")
            try:
                request = self._camera.wait(self._job, timeout=min(POLL_SECONDS, left))
            except TimeoutError:
                continue
            break
        self._job = None
        try:
            pixels = request.make_array("main")
        finally:
            request.release()
        pixels = convert_layout(pixels, FORMAT_LAYOUT, self.layout)
        return fit_frame(pixels, self.size)

    def close(self) -> None:
        camera, self._camera, self._job = self._camera, None, None
        if camera is None:
            return
        try:
            camera.stop()
        finally:
            camera.close()
