"""Damage: the rectangles of a frame that changed, so that only they are drawn again,
uploaded to the screen and shown.

A frame's damage is a short list of pygame Rects (the new stroke segments, where the
overlays were and are); `merge` clips them to the picture and joins the ones that
overlap, so that no pixel is drawn or uploaded twice.
"""

from __future__ import annotations

from collections.abc import Iterable

import pygame


def merge(rects: Iterable[pygame.Rect], bounds: pygame.Rect) -> list[pygame.Rect]:
    """`rects` clipped to `bounds`, empty ones dropped, overlapping ones joined."""
    pending = [r.clip(bounds) for r in rects]
    pending = [r for r in pending if r.width > 0 and r.height > 0]
    merged: list[pygame.Rect] = []
    while pending:
        rect = pending.pop()
        joined = True
        while joined:  # a union may now overlap rects it did not before
            joined = False
            for other in merged[:]:
                if rect.colliderect(other):
                    merged.remove(other)
                    rect = rect.union(other)
                    joined = True
        merged.append(rect)
    return merged


def area(rects: Iterable[pygame.Rect]) -> int:
    """Pixels covered (the rects do not overlap once merged)."""
    return sum(r.width * r.height for r in rects)
