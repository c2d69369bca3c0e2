"""PNG: the last frame added, as one picture."""

from pathlib import Path

import numpy as np
from PIL import Image

from spirokiosk.display.export.writer import FrameWriter, to_image


class PngWriter(FrameWriter):
    """The last frame added, as a PNG."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, layout: str):
        super().__init__(path, size, fps, layout)
        self._last: Image.Image | None = None

    def add(self, pixels: np.ndarray) -> None:
        self._check(pixels)
        self._last = to_image(pixels, self.layout)
        self.frames_added += 1

    def finish(self) -> None:
        if self._last is None:
            raise ValueError("png: no frame was added")
        self._last.save(self.path, format="PNG")
