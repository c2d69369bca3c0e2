"""Camera frames fitted to the screen's size (the byte order is converted with
display.pixels.convert_layout, in the camera's thread, so the render loop only copies)."""

from __future__ import annotations

import numpy as np


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
