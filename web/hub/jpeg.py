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

from dataclasses import dataclass

import numpy as np
import simplejpeg
from PIL import Image

_PIL_MODE = {3: "RGB", 4: "RGBX"}


@dataclass(frozen=True)
class StreamBox:
    """The box a streamed picture is scaled down to fit in; never enlarged.

    With `turns` the box is turned to the picture's orientation first, so a
    portrait screen gets a portrait stream of the same pixel count.
    """

    width: int
    height: int
    turns: bool = False

    def fit(self, size: tuple[int, int]) -> tuple[int, int]:
        """The largest (w, h) with the aspect ratio of `size` that fits in the box."""
        width, height = size
        box_w, box_h = self.width, self.height
        if self.turns and (height > width) != (box_h > box_w):
            box_w, box_h = box_h, box_w
        scale = min(box_w / width, box_h / height, 1.0)
        return max(1, round(width * scale)), max(1, round(height * scale))


# web.stream_size = "auto". A Pi 4 core encodes a 1080p frame in about 30 ms, too
# slow for 30 fps; 720p takes less than half of that and a third of the bandwidth.
AUTO_STREAM_BOX = StreamBox(1280, 720, turns=True)


def scale_pixels(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`pixels` (H, W, C) resampled to `size` = (w, h) with an area-aware bilinear filter."""
    height, width, channels = pixels.shape
    if (width, height) == size:
        return pixels
    mode = _PIL_MODE[channels]
    source = Image.frombuffer(mode, (width, height), pixels, "raw", mode, 0, 1)
    scaled = source.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
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
) -> tuple[bytes, int, int]:
    """Scale `pixels` (in byte order `layout`, see display.pixels: simplejpeg knows
    these names) to fit `box` (if given), blend `over` (a frame, its opacity) on it,
    and encode; returns (jpeg, width, height)."""
    height, width = pixels.shape[:2]
    size = (width, height) if box is None else box.fit((width, height))
    scaled = scale_pixels(pixels, size)
    if over is not None and over[1] > 0:  # scaled first: half the pixels to blend, or less
        scaled = blend(scaled, scale_pixels(over[0], size), over[1])
    jpeg = simplejpeg.encode_jpeg(
        scaled, quality=quality, colorspace=layout, colorsubsampling="420", fastdct=True
    )
    return jpeg, size[0], size[1]
