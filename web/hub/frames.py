"""The frames the hub holds: the raw one waiting for the encoder, and the encoded one
that every viewer shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class RawFrame:
    """A rendered frame as published, before encoding.

    The hub owns `pixels`, or, with `release`, borrows them: nobody draws on them until
    the hub calls `release` (once encoded, or dropped). `over` is an old frame blended
    over it with an opacity 0..255 (a fade the screen does on its GPU), `over_key` says
    which (a fade's frames share one old frame: its scaled copy is kept); `sprites` are
    drawn on it before that. `changed` lists what differs from the frame published
    before it (a frame dropped unencoded hands its own on to the next).
    """

    pixels: np.ndarray
    layout: str  # byte order, see display.pixels
    timestamp: float
    release: Callable[[], None] | None = None
    over: tuple[np.ndarray, int] | None = None
    sprites: tuple = ()  # (pixels, x, y) each, drawn before `over`: see web.hub.sprites
    changed: tuple | None = None  # (x, y, w, h) rects changed since the last frame; None: all
    over_key: object = None  # the same (not None) as the frame before's: the same `over`


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One encoded frame, shared read-only by every viewer."""

    jpeg: bytes
    part: bytes  # the MJPEG part (headers, JPEG, next boundary), built once
    seq: int
    timestamp: float  # Unix time at which the frame was rendered
    width: int
    height: int
