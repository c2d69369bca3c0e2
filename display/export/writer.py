"""The base every file writer shares (`png`, `gif`, `mp4`), and pixels as a Pillow image.

Every writer takes frames as `(h, w, 4)` uint8 arrays whose bytes are in the
memory order named by `layout` (one of display.pixels.LAYOUTS: "BGRX" for pygame's
usual 32-bit surfaces; X is ignored). `add` copies what it needs before it returns,
so the caller may hand over a view of a surface that it draws on again right after.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from spirokiosk.display.curves import Curve
from spirokiosk.display.pixels import check_layout

Target = Path | str | BinaryIO  # a file's path, or a binary file object (an io.BytesIO)


class MissingLibraryError(Exception):
    """A format needs a library that is not installed."""


class FrameWriter:
    """Base: `add` each frame, then `finish`; `abort` (or leaving a `with` block on an
    exception) drops everything and releases the file.

    `path` is a file's path or a binary file object (the web's exports are written to
    memory); `curve`, when given, is the curve whose recipe (recipe.py) the file carries.
    """

    def __init__(
        self,
        path: Target,
        size: tuple[int, int],
        fps: int,
        layout: str,
        *,
        curve: Curve | None = None,
    ):
        self.path = path if hasattr(path, "write") else Path(path)
        self.curve = curve
        self.size = (int(size[0]), int(size[1]))
        self.fps = int(fps)
        self.layout = check_layout(layout, 4)
        self.frames_added = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()

    def add(self, pixels: np.ndarray) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        """Stop without finishing; the (temporary) file is the caller's to remove."""

    def _check(self, pixels: np.ndarray) -> None:
        w, h = self.size
        if pixels.shape != (h, w, 4) or pixels.dtype != np.uint8:
            raise ValueError(f"frame: expected ({h}, {w}, 4) uint8, not {pixels.shape}")


def to_image(pixels: np.ndarray, layout: str) -> Image.Image:
    """An RGB Pillow image of 4-byte pixels in `layout` (a copy: the array may change)."""
    h, w = pixels.shape[:2]
    return Image.frombytes(
        "RGB", (w, h), np.ascontiguousarray(pixels), "raw", check_layout(layout, 4)
    )
