"""The surfaces frames are composed on: kept from frame to frame (a frame redraws only what
changed), and lent to the web mirror without a copy.

The render loop draws each frame on the buffer it drew the last one on, unless that
buffer is lent to the mirror's encoder; then on another, which first gets what it
missed (each buffer collects the damage of the frames drawn elsewhere since it was last
drawn on). The mirror gives a buffer back once it has encoded it, from its own thread.
So a streamed frame costs the render thread no 8 MB copy, and the mirror reads pixels
nobody draws on meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pygame

from spirokiosk.display.draw.damage import area, merge

MAX_BUFFERS = 4  # one drawn on, one waiting for the encoder, one being encoded, a spare
STALE_FRACTION = 0.5  # a buffer that missed more than this much is redrawn whole


class FrameBuffers:
    """Buffers of one size; `take` one, compose on it, say `drawn`, maybe `lend` it."""

    def __init__(self, size: tuple[int, int], make: Callable[[tuple[int, int]], pygame.Surface]):
        self.size = (int(size[0]), int(size[1]))
        self._make = make
        self._bounds = pygame.Rect(0, 0, *self.size)
        self._lock = threading.Lock()  # `release` comes from the encoder's thread
        self._buffers: list[pygame.Surface] = []
        self._stale: dict[int, list[pygame.Rect] | None] = {}  # by id: missed areas, None: all
        self._lent: set[int] = set()
        self._current: pygame.Surface | None = None

    def take(self) -> tuple[pygame.Surface, list[pygame.Rect] | None]:
        """A buffer to draw the next frame on, and what it does not hold of the last frame
        (None: anything; a fresh buffer)."""
        with self._lock:
            current = self._current
            if current is not None and id(current) not in self._lent:
                return current, self._stale[id(current)]
            free = [b for b in self._buffers if id(b) not in self._lent]
            if not free:
                if len(self._buffers) >= MAX_BUFFERS:
                    raise RuntimeError(f"all {MAX_BUFFERS} frame buffers are lent")
                buffer = self._make(self.size)
                self._buffers.append(buffer)
                self._stale[id(buffer)] = None
                free = [buffer]
            buffer = free[-1]
            return buffer, self._stale[id(buffer)]

    def drawn(self, buffer: pygame.Surface, damage: list[pygame.Rect]) -> None:
        """`buffer` now holds the newest frame, which differs from the last by `damage`."""
        with self._lock:
            self._current = buffer
            self._stale[id(buffer)] = []
            limit = STALE_FRACTION * self.size[0] * self.size[1]
            for other in self._buffers:
                missed = self._stale[id(other)]
                if other is buffer or missed is None:
                    continue
                # `damage` comes merged: a buffer that missed one frame takes it as it is.
                if missed:
                    missed = merge([*missed, *damage], self._bounds)
                else:
                    missed = [rect.clip(self._bounds) for rect in damage]
                self._stale[id(other)] = None if area(missed) > limit else missed

    def lend(self, buffer: pygame.Surface) -> Callable[[], None]:
        """Keep `buffer` as it is until the returned callable is called (once, from any
        thread)."""
        with self._lock:
            self._lent.add(id(buffer))
        given_back = threading.Event()

        def release() -> None:
            if given_back.is_set():
                return
            given_back.set()
            with self._lock:
                self._lent.discard(id(buffer))

        return release

    @property
    def lent(self) -> int:
        with self._lock:
            return len(self._lent)
