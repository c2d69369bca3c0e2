"""Sprites over a streamed frame: what the screen's GPU draws over the picture (the
wheels' outlines, see display.screen.presenter), drawn by the encoder on its own scaled
copy, so the mirror shows what the screen shows and the render thread pays nothing.

A sprite is plain data, `(pixels, x, y)`: an (h, w, 4) uint8 array in the frame's byte
order whose X byte holds the sprite's (straight) alpha, and its top-left on the frame.
The render loop hands the same array while a curve lasts, so each is scaled once.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

Sprite = tuple[np.ndarray, int, int]


class SpriteScaler:
    """Sprites scaled to the stream's size, kept while frames name them (encoder thread)."""

    def __init__(self) -> None:
        # id(pixels) -> (pixels, scaled size, colour, alpha mask): the array is kept so
        # that its id is not reused meanwhile.
        self._scaled: dict[int, tuple[np.ndarray, tuple[int, int], Image.Image, Image.Image]] = {}

    def draw(
        self,
        frame: np.ndarray,
        layout: str,
        sprites: tuple[Sprite, ...],
        factor: float,
        top: int = 0,
    ) -> np.ndarray:
        """A copy of `frame` (already scaled by `factor` from the published frame) with
        `sprites` (at the published frame's scale) blended over it, in order. `frame` may
        be a band of the scaled picture starting at its row `top`."""
        height, width = frame.shape[:2]
        picture = Image.frombuffer("RGBX", (width, height), frame, "raw", "RGBX", 0, 1).copy()
        alpha_byte = layout.index("X")
        kept = {}
        for pixels, x, y in sprites:
            colour, mask = self._scale(pixels, alpha_byte, factor, kept)
            picture.paste(colour, (round(x * factor), round(y * factor) - top), mask)
        self._scaled = kept
        return np.asarray(picture).reshape(height, width, 4)

    def _scale(
        self, pixels: np.ndarray, alpha_byte: int, factor: float, kept: dict
    ) -> tuple[Image.Image, Image.Image]:
        height, width = pixels.shape[:2]
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        known = self._scaled.get(id(pixels))
        if known is None or known[0] is not pixels or known[1] != size:
            known = (pixels, size, *_scaled_sprite(pixels, alpha_byte, size))
        kept[id(pixels)] = known
        return known[2], known[3]

    def rows(self, sprite: Sprite, factor: float) -> tuple[int, int]:
        """The scaled picture's rows [first, end) that `sprite` covers."""
        pixels, _, y = sprite
        height = max(1, round(pixels.shape[0] * factor))
        return round(y * factor), round(y * factor) + height


def _scaled_sprite(
    pixels: np.ndarray, alpha_byte: int, size: tuple[int, int]
) -> tuple[Image.Image, Image.Image]:
    """(colour, alpha) at `size`, averaged with the colours weighted by their alpha
    (premultiplied), so a thin line's edge does not darken towards transparent black."""
    alpha = pixels[..., alpha_byte].astype(np.float32) / 255.0
    weighted = pixels.astype(np.float32) * alpha[..., None]
    height, width = pixels.shape[:2]
    if size != (width, height):
        weighted = np.stack([_resized(weighted[..., c], size) for c in range(4)], axis=2)
        alpha = _resized(alpha, size)
    colour = np.where(alpha[..., None] > 0, weighted / np.maximum(alpha, 1e-6)[..., None], 0)
    colour = np.clip(np.rint(colour), 0, 255).astype(np.uint8)
    mask = np.clip(np.rint(alpha * 255.0), 0, 255).astype(np.uint8)
    return Image.frombytes("RGBX", size, colour.tobytes()), Image.fromarray(mask, "L")


def _resized(channel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """One float channel at `size`, averaged over the area each new pixel covers."""
    image = Image.fromarray(channel, "F").resize(size, Image.Resampling.BOX)
    return np.asarray(image)
