"""The Raspberry Pi camera through picamera2 (libcamera), as a CameraDevice.

The main stream is configured at the output size in XRGB8888, so the Pi's
ISP does the scaling and the pixels arrive as [B, G, R, 255] per pixel: the
byte order of pygame's 32-bit surfaces on the Pi, so no conversion at all.
Each frame is taken with capture_request(), copied out once by make_array()
and the request released at once, so the camera never runs out of buffers.

picamera2 comes from apt (python3-picamera2), not from PyPI: the venv must
be created with --system-site-packages. It is imported when the camera is
opened, never at module import, so everything else runs without it.

Failure modes, as picamera2 shows them (picamera2/picamera2.py, v0.3.36):
- Picamera2() raises RuntimeError when the camera is busy (another program such as
  rpicam-hello holds it: libcamera logs "Device or resource busy"), and IndexError
  (0.3.36) or RuntimeError (0.3.37 on) when there is none; either way the pipe it
  made first (`notifyme_r/w`) is never closed. So the camera list is looked at
  before (`wait_until_present`), what a failed open holds is released here
  (`_release_half_open`), and each attempt runs in a process of its own anyway
  (display.camera.process), which takes whatever else leaked with it.
- The camera list comes from libcamera's CameraManager, made once per process and
  kept (`Picamera2._cm.cms`): a camera plugged in later may not show up in it, so
  after `PRESENT_WAIT_SECONDS` the attempt ends and the next process looks afresh.
- A capture that gets no frame raises TimeoutError from wait(job, timeout), and the
  job stays queued: `stop()` then queues behind it in the camera's event loop
  (`dispatch_functions`) and never returns. `cancel_all_and_flush()` (upstream
  commit ddd2ca3, since v0.3.20) drops the queued jobs first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

import numpy as np

from spirokiosk.display.camera.frames import fit_frame
from spirokiosk.display.camera.source import CameraError
from spirokiosk.display.pixels import convert_layout

log = logging.getLogger(__name__)

CAMERA_FORMAT = "XRGB8888"
FORMAT_LAYOUT = "BGRX"  # picamera2's XRGB8888 arrays: [B, G, R, 255]
POLL_SECONDS = 0.1  # a wait for a frame is cut into slices this long, to notice a stop
PRESENT_POLL_SECONDS = 2.0  # how often the camera list is looked at while there is none
PRESENT_WAIT_SECONDS = 300.0  # then the attempt ends: the next one has a fresh list


def _import_picamera2():
    try:
        from picamera2 import Picamera2
    except ImportError as exc:
        raise CameraError(
            "picamera2 is not installed (apt install python3-picamera2; the venv needs "
            "--system-site-packages)"
        ) from exc
    return Picamera2


def _release_half_open(picamera2_class, camera) -> None:
    """What a Picamera2 whose __init__ failed still holds (picamera2.py, 0.3.36 to 0.3.38:
    `notifyme_r/w` are made before the camera is looked up, and close() returns at once
    while `is_open` is false; 0.3.36 registers the camera with its CameraManager, whose
    listener thread then runs on, before opening it)."""
    if getattr(camera, "is_open", False):
        return
    reader = getattr(camera, "notifymeread", None)
    if reader is not None:
        with contextlib.suppress(OSError):
            reader.close()
    writer = getattr(camera, "notifyme_w", None)
    if isinstance(writer, int):
        with contextlib.suppress(OSError):
            os.close(writer)
    manager = getattr(picamera2_class, "_cm", None)
    index = getattr(camera, "camera_idx", None)
    cameras = getattr(manager, "cameras", None)
    if isinstance(cameras, dict) and cameras.get(index) is camera:
        with contextlib.suppress(Exception):
            manager.cleanup(index)


class Picamera2Device:
    """A CameraDevice for camera `camera_num` at `size`, frames in byte order `layout`."""

    def __init__(self, size: tuple[int, int], layout: str = "BGRX", camera_num: int = 0) -> None:
        self.size = (int(size[0]), int(size[1]))
        self.layout = layout
        self.camera_num = camera_num
        self._camera = None
        self._job = None  # a capture_request job still under way

    def wait_until_present(self, stop: threading.Event, beat: Callable[[str | None], None]) -> None:
        """Return once libcamera lists camera `camera_num` (or `stop` is set), saying
        `beat` every few seconds meanwhile; raise CameraError after PRESENT_WAIT_SECONDS."""
        picamera2_class = _import_picamera2()
        waited = 0.0
        while not stop.is_set():
            found = len(picamera2_class.global_camera_info())
            if found > self.camera_num:
                return
            if waited >= PRESENT_WAIT_SECONDS:
                raise CameraError(f"no Pi camera {self.camera_num} found (is the cable in?)")
            beat(
                f"no Pi camera {self.camera_num} found (is the cable in?); waiting for one"
                if found == 0
                else f"only {found} Pi camera(s) found; waiting for camera {self.camera_num}"
            )
            stop.wait(PRESENT_POLL_SECONDS)
            waited += PRESENT_POLL_SECONDS

    def open(self) -> None:
        picamera2_class = _import_picamera2()
        # Made in two steps to keep hold of a camera whose __init__ fails: it leaves the
        # pipe it made first open (and 0.3.36 leaves itself registered); see below.
        camera = picamera2_class.__new__(picamera2_class)
        try:
            camera.__init__(self.camera_num)
        except (RuntimeError, OSError, IndexError) as exc:
            _release_half_open(picamera2_class, camera)
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise CameraError(
                f"cannot open the Pi camera {self.camera_num}: {detail} (missing, or busy with "
                "another program such as rpicam-hello?)"
            ) from exc
        self._camera = camera
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
        camera, job = self._camera, self._job
        self._camera = self._job = None
        if camera is None:
            return
        cancel = getattr(camera, "cancel_all_and_flush", None)
        if job is not None and cancel is not None:  # else stop() would queue behind it
            cancel()
        try:
            camera.stop()
        finally:
            camera.close()
