"""Pixel byte orders ("layouts") and checks of pixel arrays, for every part that hands
pixels on: the screen's surfaces, the camera, the file writers and the JPEG encoder.

A layout names the bytes of one pixel in memory, one letter each: R, G, B and X
(unused, or alpha that nobody reads). "BGRX" is the order of pygame's 32-bit surfaces
on little-endian machines and of the Pi camera's XRGB8888; "RGB" a plain 3-byte RGB
array. simplejpeg, Pillow's raw decoder and PyAV know the 4-byte ones by these names.
Pure numpy: no pygame here (see display.draw.surfaces for a surface's layout).
"""

from __future__ import annotations

import numpy as np

LAYOUTS = ("BGRX", "RGBX", "XRGB", "XBGR")  # the 4-byte orders of 32-bit surfaces
_LETTERS = frozenset("RGBX")


def check_layout(layout: object, channels: int | None = None) -> str:
    """`layout` when it names each byte of a pixel once with R, G, B (and X); else
    ValueError. With `channels`, also that it has that many bytes."""
    if (
        not isinstance(layout, str)
        or len(set(layout)) != len(layout)
        or set(layout) - _LETTERS
        or not set("RGB") <= set(layout)
        or (layout.count("X") > 1)
    ):
        raise ValueError(f"layout: {layout!r} is not a pixel byte order such as 'BGRX' or 'RGB'")
    if channels is not None and len(layout) != channels:
        raise ValueError(f"layout: {layout!r} does not describe {channels} bytes per pixel")
    return layout


def check_pixels(pixels: object, layout: str) -> None:
    """ValueError unless `pixels` is a C-contiguous (h, w, len(layout)) uint8 array."""
    check_layout(layout)
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8:
        raise ValueError("pixels: must be a numpy uint8 array")
    if pixels.ndim != 3 or pixels.shape[2] != len(layout):
        raise ValueError(f"pixels: must have shape (h, w, {len(layout)}) for {layout}")
    if not pixels.flags.c_contiguous:
        raise ValueError("pixels: must be C-contiguous")


def convert_layout(pixels: np.ndarray, source: str, target: str) -> np.ndarray:
    """`(h, w, len(source))` pixels reordered to `(h, w, 4)` in `target`; X bytes are 255.

    Returns `pixels` itself when nothing needs to change (no copy).
    """
    check_layout(source, pixels.shape[2])
    check_layout(target, 4)
    if source == target:
        return pixels
    h, w = pixels.shape[:2]
    out = np.empty((h, w, 4), np.uint8)
    for index, channel in enumerate(target):
        if channel == "X":
            out[:, :, index] = 255
        else:
            out[:, :, index] = pixels[:, :, source.index(channel)]
    return out
