"""The camera as the render loop sees it: which source runs, and what the scene shows.

    link = CameraLink(scene, like=output.surface)
    link.apply(CameraSettings("synthetic", mode="overlay"))   # start, switch, or stop
    scene.composer.draw(target, link.picture(now))   # the newest frame, or None: curves only
    link.status(now)                        # {source, state, last_error, fps}
    link.stop()

`apply` replaces the camera thread when the source, device or timeout
change (the old thread is given a moment to end, never waited for long) and
sets the scene's camera mode and opacity at once. `picture` never waits:
without a fresh frame the scene shows the curves as if there were no camera.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pygame

from spirokiosk.display.camera import SOURCES
from spirokiosk.display.camera.feed import CameraFeed
from spirokiosk.display.draw import CAMERA_MODES
from spirokiosk.display.draw.scene import Scene

log = logging.getLogger(__name__)

SWITCH_STOP_SECONDS = 0.25  # how long a switch waits for the old camera thread, at most
CAMERA_OFF = {"source": "none", "state": "off", "last_error": None, "fps": 0.0}


@dataclass(frozen=True)
class CameraSettings:
    """The [camera] part of the configuration."""

    source: str = "none"  # none, picamera2, v4l2 or synthetic
    mode: str = "overlay"  # overlay or camera
    device: str = "/dev/video0"
    opacity: float = 0.85
    timeout: float = 5.0
    turn: int = 0  # degrees clockwise the picture is turned to stand upright on screen

    def __post_init__(self) -> None:
        if self.source != "none" and self.source not in SOURCES:
            raise ValueError(f"source: must be none or one of {', '.join(SOURCES)}")
        if self.mode not in CAMERA_MODES:
            raise ValueError(f"mode: must be one of {', '.join(CAMERA_MODES)}")


class CameraLink:
    """Owns the camera feed for a scene; used from the render thread only."""

    def __init__(self, scene: Scene, like: pygame.Surface) -> None:
        self._scene = scene
        self._like = like
        self._settings = CameraSettings()
        self.feed: CameraFeed | None = None
        self.shown = "curves"  # what the last picture() gave the screen: curves, overlay, camera
        self.picture_new = False  # whether the last picture() was a frame not shown before

    @property
    def settings(self) -> CameraSettings:
        return self._settings

    def apply(self, settings: CameraSettings) -> None:
        """Run the camera `settings` ask for, from now on."""
        old, self._settings = self._settings, settings
        replace = self.feed is None or (old.source, old.device, old.timeout, old.turn) != (
            settings.source,
            settings.device,
            settings.timeout,
            settings.turn,
        )
        if replace:
            self._replace_feed(settings)
        mode = None if settings.source == "none" else settings.mode
        self._scene.set_camera_mode(mode, settings.opacity)
        # What the screen shows from the next frame on (a new camera has no frame yet).
        shown = "curves" if replace or mode is None or self.shown == "curves" else mode
        if shown != self.shown:
            self._log_change(shown, None)
            self.shown = shown

    def retarget(self, scene: Scene, like: pygame.Surface) -> None:
        """Serve another scene and screen surface (the screen changed): the camera is
        started again at the new size, in the same mode."""
        self._scene, self._like = scene, like
        if self.feed is not None:
            self._replace_feed(self._settings)
        mode = None if self._settings.source == "none" else self._settings.mode
        scene.set_camera_mode(mode, self._settings.opacity)

    def _replace_feed(self, settings: CameraSettings) -> None:
        if self.feed is not None:
            feed, self.feed = self.feed, None
            feed.stop(SWITCH_STOP_SECONDS)
            log.info("camera %s stopped", feed.name)
        if settings.source == "none":
            return
        self.feed = CameraFeed.open(
            settings.source,
            self._scene.size,
            like=self._like,
            device=settings.device,
            timeout=settings.timeout,
            turn=settings.turn,
        )
        self.feed.start()
        log.info("camera %s started, %s mode", settings.source, settings.mode)

    def picture(self, now: float) -> pygame.Surface | None:
        """The newest camera frame when the scene shows one; None: curves only."""
        picture = None
        self.picture_new = False
        if self.feed is not None and self._scene.camera_mode is not None:
            picture = self.feed.picture(now)
            self.picture_new = self.feed.changed
        shown = "curves" if picture is None else self._scene.camera_mode
        if shown != self.shown:
            self._log_change(shown, now)
            self.shown = shown
        return picture

    def _log_change(self, shown: str, now: float | None) -> None:
        if shown != "curves":
            log.info("showing %s", "the camera picture alone" if shown == "camera" else "overlay")
        elif self.feed is not None:
            status = self.feed.status(now)
            why = status.last_error if status.state != "ok" else None
            log.info("camera %s: no picture (%s); curves only", status.source, why or "no frame")

    def status(self, now: float | None = None) -> dict:
        """/api/status's camera: source, state (ok, degraded, off), last_error, fps."""
        return dict(CAMERA_OFF) if self.feed is None else self.feed.status(now).as_dict()

    def summary(self) -> str | None:
        """For systemd's STATUS line: 'camera synthetic ok', None without a camera."""
        if self.feed is None:
            return None
        status = self.feed.status()
        text = f"camera {status.source} {status.state}"
        if status.state != "ok" and status.last_error:
            text += f" ({status.last_error})"
        return text

    def stop(self, timeout: float = 1.0) -> None:
        """Stop the camera thread (at shutdown)."""
        if self.feed is not None:
            feed, self.feed = self.feed, None
            feed.stop(timeout)
