"""The frames the hub holds: the raw one waiting for the encoder, and the encoded one
that every viewer shares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class RawFrame:
    """A rendered frame as published, before encoding; the hub owns `pixels`."""

    pixels: np.ndarray
    layout: str  # byte order, see display.pixels
    timestamp: float


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One encoded frame, shared read-only by every viewer."""

    jpeg: bytes
    part: bytes  # the MJPEG part (headers, JPEG, next boundary), built once
    seq: int
    timestamp: float  # Unix time at which the frame was rendered
    width: int
    height: int
