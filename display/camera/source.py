"""What a camera source is, for every part of display.camera: the device interface a
camera library is wrapped in, the status the kiosk shows, and its errors.

A device opens one camera once and reads frames in the screen's byte order; it
knows nothing of processes, threads or retries (display.camera.process runs it).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np

STATE_OK = "ok"
STATE_DEGRADED = "degraded"
STATE_OFF = "off"
BACKOFF_FIRST = 1.0  # seconds before the first retry
BACKOFF_MAX = 60.0  # the back-off doubles up to this


class CameraError(RuntimeError):
    """A camera failure whose message is meant for the admin as it is."""


class CameraDevice(Protocol):
    """One attempt at a camera: opened once, read many times, closed once."""

    def open(self) -> None:
        """Open and start the camera; raise when it cannot be used."""

    def read(self, timeout: float, cancel: threading.Event) -> np.ndarray | None:
        """The next frame as `(h, w, 4)` uint8 pixels, or None once `cancel` is set.

        Raises TimeoutError when no frame comes within `timeout` seconds, any
        other exception when the camera fails.
        """

    def close(self) -> None:
        """Stop and release the camera (also after a failed open or read)."""


@dataclass(frozen=True)
class CameraStatus:
    """What /api/status shows as `camera`."""

    source: str
    state: str  # ok, degraded or off
    last_error: str | None = None
    fps: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def describe_error(exc: BaseException) -> str:
    """One line for the log and the status page."""
    if isinstance(exc, (TimeoutError, CameraError)):
        return " ".join(str(exc).split()) or type(exc).__name__
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
