"""PNG: the last frame added, as one picture, with the curve's recipe in a text chunk."""

import numpy as np
from PIL import Image, PngImagePlugin

from spirokiosk.display.export.recipe import RECIPE_KEY, recipe_json
from spirokiosk.display.export.writer import FrameWriter, to_image


class PngWriter(FrameWriter):
    """The last frame added, as a PNG; the recipe is a tEXt chunk keyed RECIPE_KEY."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last: Image.Image | None = None

    def add(self, pixels: np.ndarray) -> None:
        self._check(pixels)
        self._last = to_image(pixels, self.layout)
        self.frames_added += 1

    def finish(self) -> None:
        if self._last is None:
            raise ValueError("png: no frame was added")
        info = None
        if self.curve is not None:
            info = PngImagePlugin.PngInfo()
            info.add_text(RECIPE_KEY, recipe_json(self.curve))  # ASCII JSON: a tEXt chunk
        self._last.save(self.path, format="PNG", pnginfo=info)
