"""The [camera] section: where the picture comes from, how the curves are laid over it,
when a silent camera counts as failed, how it is mounted."""

from __future__ import annotations

from dataclasses import dataclass

from spirokiosk.daemon.config.keys import key
from spirokiosk.daemon.config.value_types import (
    Choice,
    Float,
    IntChoice,
    Text,
)
from spirokiosk.display.camera import SOURCES as CAMERA_SOURCES
from spirokiosk.display.draw import CAMERA_MODES
from spirokiosk.display.screen import ROTATIONS


@dataclass(frozen=True)
class CameraSection:
    source: str = key(
        Choice(("none", *CAMERA_SOURCES)),
        "none",
        "none, picamera2 (the Pi camera), v4l2 (a USB webcam) or synthetic (a test pattern)",
    )
    mode: str = key(
        Choice(CAMERA_MODES),
        "overlay",
        "overlay: the curves drawn over the camera picture; camera: the picture alone",
    )
    device: str = key(Text(), "/dev/video0", "the webcam's device, used when source is v4l2")
    overlay_opacity: float = key(
        Float(0, 1), 0.85, "opacity of the curves over the camera picture (overlay mode)"
    )
    timeout_seconds: float = key(
        Float(0.1, 60),
        5.0,
        "a camera silent this long counts as failed: curves only, retried with back-off",
    )
    rotation: int = key(
        IntChoice(ROTATIONS),
        0,
        "0: the camera is mounted with the screen (turned with it, if it is); else the "
        "degrees its picture is turned clockwise on top of that, for a camera mounted "
        "differently (display.rotation for an upright camera beside a turned screen)",
    )
