"""Camera frames as the screen wants them: 32-bit pixels in the surface's byte order, at its size.

A layout names the bytes of one pixel in memory, e.g. "BGRX" (X: unused or
alpha), the order of pygame's 32-bit surfaces on little-endian machines and
of the Pi camera's XRGB8888. Sources convert their frames to the layout of
the surface they will be copied into, in their own thread, so the render
loop only copies memory.
"""

from __future__ import annotations

import numpy as np

LAYOUT_CHANNELS = frozenset("RGBX")


def _check_layout(layout: str, channels: int) -> None:
    if len(layout) != channels or set(layout) - LAYOUT_CHANNELS or len(set(layout)) != channels:
        raise ValueError(f"layout: {layout!r} does not describe {channels} channels")
    if not set("RGB") <= set(layout):
        raise ValueError(f"layout: {layout!r} lacks one of R, G, B")


def convert_layout(pixels: np.ndarray, source: str, target: str) -> np.ndarray:
    """`(h, w, len(source))` pixels reordered to `(h, w, 4)` in `target`; X bytes are 255.

    Returns `pixels` itself when nothing needs to change (no copy).
    """
    _check_layout(source, pixels.shape[2])
    _check_layout(target, 4)
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


def fit_frame(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Centre `(h, w, c)` pixels on a `size` (w, h) frame: crop what is larger, pad with black.

    For a camera that delivers a slightly different size than asked (an ISP
    that aligns widths); returns `pixels` itself when the size is right.
    """
    w, h = size
    have_h, have_w = pixels.shape[:2]
    if (have_w, have_h) == (w, h):
        return pixels
    out = np.zeros((h, w, pixels.shape[2]), np.uint8)
    cw, ch = min(w, have_w), min(h, have_h)
    sx, sy = (have_w - cw) // 2, (have_h - ch) // 2
    dx, dy = (w - cw) // 2, (h - ch) // 2
    out[dy : dy + ch, dx : dx + cw] = pixels[sy : sy + ch, sx : sx + cw]
    return out
