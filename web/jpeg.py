"""JPEG encoding of raw frames for the mirror: optional down-scaling, then simplejpeg.

Both steps run in the hub's encoder thread and release the GIL while they
work, so the render loop and the web threads keep running:

- scaling uses Pillow's `Image.resize` (its resampling runs with the GIL
  released) on a zero-copy `Image.frombuffer` view of the numpy array;
- encoding uses simplejpeg (libjpeg-turbo), which also releases the GIL.

Pillow has no BGRX mode, but a resize treats every channel alike, so any
4-byte layout is resized as 'RGBX' and handed back to simplejpeg under its
real colour space name. ('RGBA' would be wrong: Pillow premultiplies alpha
before resizing, which would darken whichever channel sits in the A slot.)
"""

from __future__ import annotations

import numpy as np
import simplejpeg
from PIL import Image

# simplejpeg colour space name -> bytes per pixel
CHANNELS = {
    "RGB": 3,
    "BGR": 3,
    "RGBX": 4,
    "BGRX": 4,
    "XBGR": 4,
    "XRGB": 4,
    "RGBA": 4,
    "BGRA": 4,
    "ABGR": 4,
    "ARGB": 4,
    "CMYK": 4,
    "GRAY": 1,
}
_PIL_MODE = {1: "L", 3: "RGB", 4: "RGBX"}


def check_pixels(pixels: np.ndarray, colorspace: str) -> None:
    """Raise ValueError unless `pixels` is a C-contiguous (H, W, C) uint8 array for `colorspace`."""
    channels = CHANNELS.get(colorspace)
    if channels is None:
        raise ValueError(f"unknown colour space {colorspace!r}; one of {sorted(CHANNELS)}")
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8:
        raise ValueError("pixels must be a numpy uint8 array")
    if pixels.ndim != 3 or pixels.shape[2] != channels:
        raise ValueError(f"pixels must have shape (H, W, {channels}) for {colorspace}")
    if not pixels.flags.c_contiguous:
        raise ValueError("pixels must be C-contiguous")


def fit_within(size: tuple[int, int], box: tuple[int, int] | None) -> tuple[int, int]:
    """The largest (w, h) with the aspect ratio of `size` that fits in `box`; never enlarged.

    With box None the size is kept.
    """
    width, height = size
    if box is None:
        return width, height
    scale = min(box[0] / width, box[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


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


def encode_jpeg(
    pixels: np.ndarray,
    colorspace: str,
    quality: int,
    box: tuple[int, int] | None = None,
) -> tuple[bytes, int, int]:
    """Scale `pixels` to fit `box` (if given) and encode; returns (jpeg, width, height)."""
    height, width = pixels.shape[:2]
    size = fit_within((width, height), box)
    scaled = scale_pixels(pixels, size)
    subsampling = "Gray" if colorspace == "GRAY" else "420"
    jpeg = simplejpeg.encode_jpeg(
        scaled, quality=quality, colorspace=colorspace, colorsubsampling=subsampling, fastdct=True
    )
    return jpeg, size[0], size[1]
