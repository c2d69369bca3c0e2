"""Reading a 32-bit pygame surface's memory: its byte order and a no-copy view."""

import sys

import numpy as np
import pygame


def surface_layout(surface: pygame.Surface) -> str:
    """The memory order of a 32-bit surface's bytes, e.g. "BGRX" (see display.pixels)."""
    if surface.get_bytesize() != 4:
        raise ValueError(f"expected a 32-bit surface, not {surface.get_bitsize()}-bit")
    order = ["X"] * 4
    for letter, mask, shift in zip("RGB", surface.get_masks(), surface.get_shifts(), strict=False):
        if mask:
            byte = shift // 8
            order[byte if sys.byteorder == "little" else 3 - byte] = letter
    return "".join(order)


def surface_array(surface: pygame.Surface) -> np.ndarray:
    """A `(h, w, 4)` view of a 32-bit surface's memory; the surface stays locked while it lives."""
    w, h = surface.get_size()
    rows = np.frombuffer(surface.get_view("0"), np.uint8).reshape(h, surface.get_pitch())
    return rows[:, : w * 4].reshape(h, w, 4)
