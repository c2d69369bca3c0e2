"""Which writer makes which file: `open_writer(kind, ...)` for "png", "gif" or "mp4".

What a frame is for every writer: see `writer`. Writers write to a path that
`output.atomic_output` provides.
"""

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.display.export.gif import GIF_HOLD_MS, GifWriter
from spirokiosk.display.export.mp4 import Mp4Writer
from spirokiosk.display.export.png import PngWriter
from spirokiosk.display.export.writer import FrameWriter, Target

FORMATS = ("png", "gif", "mp4")


def open_writer(
    kind: str,
    path: Target,
    size: tuple[int, int],
    fps: int,
    layout: str,
    palette_from: np.ndarray | None = None,
    *,
    curve: Curve | None = None,
    gif_hold_ms: int = GIF_HOLD_MS,
) -> FrameWriter:
    """A writer for `kind` ('png', 'gif' or 'mp4'); GIF needs `palette_from`. With
    `curve`, the file carries its recipe (recipe.py)."""
    if kind == "png":
        return PngWriter(path, size, fps, layout, curve=curve)
    if kind == "gif":
        if palette_from is None:
            raise ValueError("gif: palette_from is required")
        return GifWriter(path, size, fps, layout, palette_from, curve=curve, hold_ms=gif_hold_ms)
    if kind == "mp4":
        return Mp4Writer(path, size, fps, layout, curve=curve)
    raise ValueError(f"unknown output format {kind!r}; expected one of {', '.join(FORMATS)}")
