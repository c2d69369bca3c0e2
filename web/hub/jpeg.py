"""JPEG encoding of raw frames for the mirror: optional down-scaling, then simplejpeg.

Both steps run in the hub's encoder thread and release the GIL while they
work, so the render loop and the web threads keep running:

- scaling uses Pillow's `Image.resize` (its resampling runs with the GIL
  released) on a zero-copy `Image.frombuffer` view of the numpy array;
- encoding uses simplejpeg (libjpeg-turbo), which also releases the GIL.

Pillow has no BGRX mode, but a resize treats every channel alike, so any
4-byte layout is resized as 'RGBX' and handed back to simplejpeg under its
real name. ('RGBA' would be wrong: Pillow premultiplies alpha
before resizing, which would darken whichever channel sits in the A slot.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import simplejpeg
from PIL import Image

from spirokiosk.web.hub.sprites import Sprite, SpriteScaler

_PIL_MODE = {3: "RGB", 4: "RGBX"}


@dataclass(frozen=True)
class StreamBox:
    """The box a streamed picture is scaled down to fit in; never enlarged.

    With `turns` the box is turned to the picture's orientation first, so a
    portrait screen gets a portrait stream of the same pixel count. With
    `whole_steps` the picture is divided by a whole number (1920x1080 by 2 to
    960x540 for a 1280x720 box): each streamed pixel is then the plain average of
    a square of screen pixels, which costs a Pi about a fifth of a resampling
    filter (Pillow's `Image.reduce`, libImaging/Reduce.c, against `resize`).
    """

    width: int
    height: int
    turns: bool = False
    whole_steps: bool = False

    def fit(self, size: tuple[int, int]) -> tuple[int, int]:
        """The (w, h) a picture of `size` is streamed at."""
        divisor = self.divisor(size)
        if divisor is not None:  # Image.reduce rounds up: a part-square at the edges
            return -(-size[0] // divisor), -(-size[1] // divisor)
        width, height = size
        box_w, box_h = self._box(size)
        scale = min(box_w / width, box_h / height, 1.0)
        return max(1, round(width * scale)), max(1, round(height * scale))

    def divisor(self, size: tuple[int, int]) -> int | None:
        """With `whole_steps`, the smallest whole number that fits `size` in the box."""
        if not self.whole_steps:
            return None
        box_w, box_h = self._box(size)
        return max(1, math.ceil(max(size[0] / box_w, size[1] / box_h)))

    def _box(self, size: tuple[int, int]) -> tuple[int, int]:
        width, height = size
        if self.turns and (height > width) != (self.height > self.width):
            return self.height, self.width
        return self.width, self.height


def streamed_size(
    box: StreamBox | None, size: tuple[int, int]
) -> tuple[tuple[int, int], int | None]:
    """The (w, h) a picture of `size` is streamed at within `box` (None: as it is), and
    how it gets there: a whole divisor (1 when unscaled), or None when resampled."""
    if box is None:
        return size, 1
    fitted = box.fit(size)
    return fitted, 1 if fitted == size else box.divisor(size)


# web.stream_size = "auto": at most 1280x720, turned for a portrait screen, by whole
# steps. A 1080p frame costs a Pi 4 core about 20 ms to encode; halved (960x540) a
# quarter of that plus about 13 ms to average down, at a quarter of the bandwidth.
AUTO_STREAM_BOX = StreamBox(1280, 720, turns=True, whole_steps=True)


def scale_pixels(
    pixels: np.ndarray, size: tuple[int, int], divisor: int | None = None
) -> np.ndarray:
    """`pixels` (H, W, C) at `size` = (w, h): averaged over divisor x divisor squares when
    `divisor` is given (then `size` must be what that gives), else resampled with an
    area-aware bilinear filter."""
    height, width, channels = pixels.shape
    if (width, height) == size:
        return pixels
    mode = _PIL_MODE[channels]
    source = Image.frombuffer(mode, (width, height), pixels, "raw", mode, 0, 1)
    if divisor is not None:
        scaled = source.reduce(divisor)
    else:
        scaled = source.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    if scaled.size != size:
        raise ValueError(f"scaled to {scaled.size[0]}x{scaled.size[1]}, not {size[0]}x{size[1]}")
    out = np.asarray(scaled)
    return out.reshape(size[1], size[0], channels)


def blend(under: np.ndarray, over: np.ndarray, alpha: int) -> np.ndarray:
    """`over` at opacity `alpha` (0..255) on `under` (same shape), as SDL's surface-alpha
    blit does it to within a step of rounding (Pillow's blend, which releases the GIL)."""
    if alpha >= 255:
        return over
    height, width, channels = under.shape
    mode = _PIL_MODE[channels]
    a, b = (Image.frombuffer(mode, (width, height), p, "raw", mode, 0, 1) for p in (under, over))
    return np.asarray(Image.blend(a, b, alpha / 255.0)).reshape(height, width, channels)


def encode_jpeg(
    pixels: np.ndarray,
    layout: str,
    quality: int,
    box: StreamBox | None = None,
    over: tuple[np.ndarray, int] | None = None,
    sprites: tuple[Sprite, ...] = (),
    scaler: SpriteScaler | None = None,
) -> tuple[bytes, int, int]:
    """Scale `pixels` (in byte order `layout`, see display.pixels: simplejpeg knows
    these names) to fit `box` (if given), draw `sprites` (4-byte layouts; with `scaler`,
    which keeps them scaled) and blend `over` (a frame, its opacity) on it, and encode;
    returns (jpeg, width, height)."""
    height, width = pixels.shape[:2]
    size, divisor = streamed_size(box, (width, height))
    scaled = scale_pixels(pixels, size, divisor)
    if sprites:
        scaled = (scaler or SpriteScaler()).draw(scaled, layout, sprites, size[0] / width)
    if over is not None and over[1] > 0:  # scaled first: half the pixels to blend, or less
        scaled = blend(scaled, scale_pixels(over[0], size, divisor), over[1])
    return compress(scaled, layout, quality), size[0], size[1]


def compress(pixels: np.ndarray, layout: str, quality: int) -> bytes:
    """The stream's JPEG settings, for whole pictures and bands alike (web.hub.splice
    joins bands only when their tables match a whole encode's)."""
    return simplejpeg.encode_jpeg(
        pixels, quality=quality, colorspace=layout, colorsubsampling="420", fastdct=True
    )
