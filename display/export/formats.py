"""Which writer makes which file: `open_writer(kind, ...)` for "png", "gif" or "mp4".

What a frame is for every writer: see `writer`. Writers write to a path that
`output.atomic_output` provides.
"""

from pathlib import Path

import numpy as np

from spirokiosk.display.export.gif import GifWriter
from spirokiosk.display.export.mp4 import Mp4Writer
from spirokiosk.display.export.png import PngWriter
from spirokiosk.display.export.writer import FrameWriter

FORMATS = ("png", "gif", "mp4")


def open_writer(
    kind: str,
    path: Path,
    size: tuple[int, int],
    fps: int,
    layout: str,
    palette_from: np.ndarray | None = None,
) -> FrameWriter:
    """A writer for `kind` ('png', 'gif' or 'mp4'); GIF needs `palette_from`."""
    if kind == "png":
        return PngWriter(path, size, fps, layout)
    if kind == "gif":
        if palette_from is None:
            raise ValueError("gif: palette_from is required")
        return GifWriter(path, size, fps, layout, palette_from)
    if kind == "mp4":
        return Mp4Writer(path, size, fps, layout)
    raise ValueError(f"unknown output format {kind!r}; expected one of {', '.join(FORMATS)}")
