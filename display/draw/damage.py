"""Damage: the rectangles of a frame that changed, so that only they are drawn again,
uploaded to the screen and shown.

A frame's damage is a short list of pygame Rects (the new stroke segments, where the
overlays were and are); `merge` clips them to the picture and joins them where that
saves work.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

import pygame

# Join two rects when their union adds at most this fraction of the smaller one to the
# two: a rect inside another, side by side, or overlapping much; not two that cross.
JOIN_SLACK = 0.25


def merge(rects: Iterable[pygame.Rect], bounds: pygame.Rect) -> list[pygame.Rect]:
    """`rects` clipped to `bounds`, empty ones dropped, and joined where joining costs
    little: a rect inside another, or two whose union is hardly bigger than they are.

    Rects that merely touch a corner of each other stay apart (a wheel's outline in
    pieces would otherwise grow back into its whole, mostly empty, box); where they
    overlap, a few pixels are drawn and uploaded twice, which is harmless.
    """
    pending = []
    for rect in rects:
        rect = rect.clip(bounds)
        if rect.width > 0 and rect.height > 0:
            pending.append((rect.width * rect.height, rect))
    pending.sort(key=itemgetter(0), reverse=True)  # the biggest first (stable: ties keep order)
    merged: list[pygame.Rect] = []
    areas: list[int] = []  # merged[i]'s
    for size, rect in pending:
        for index in rect.collidelistall(merged):  # overlapping ones, found in C
            other, other_size = merged[index], areas[index]
            union = rect.union(other)
            small, big = (size, other_size) if size < other_size else (other_size, size)
            union_size = union.width * union.height
            if union_size <= big + small * (1.0 + JOIN_SLACK):
                merged[index], areas[index] = union, union_size
                break
        else:
            merged.append(rect)
            areas.append(size)
    return merged


def moved(before: list[pygame.Rect], after: list[pygame.Rect]) -> list[pygame.Rect]:
    """The areas of overlays that moved from `before[i]` to `after[i]`: each pair as one rect
    where they overlap (a pen or an arm moves a few pixels a frame), so `merge` has half as
    many to join. Lists of different lengths are given back whole."""
    if len(before) != len(after):
        return [*before, *after]
    found = []
    for old, new in zip(before, after, strict=True):
        if old.colliderect(new):
            found.append(old.union(new))
        else:
            found += (old, new)
    return found


def area(rects: Iterable[pygame.Rect]) -> int:
    """Pixels covered, counting twice what rects share (so at most a little more)."""
    return sum(r.width * r.height for r in rects)
