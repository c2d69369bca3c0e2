"""What the render loop hands the web mirror's hub, and when: the frame buffer lent,
never copied; the rectangles that changed since the hub's last frame, so that only
those bands are encoded again; a fade's old frame with one key for the whole fade, so
that it is scaled once; the still picture while the screen rests, encoded once.

Render thread only, as the loop that owns it.
"""

from __future__ import annotations

import time

import pygame

from spirokiosk.display.draw.buffers import FrameBuffers
from spirokiosk.display.draw.surfaces import surface_array
from spirokiosk.web.hub import FrameHub

STREAM_DAMAGE_RECTS = 256  # more changed rectangles kept for the stream: all changed


class MirrorFeed:
    """The loop's side of the hub (`hub`), for frames in byte order `layout`."""

    def __init__(self, hub: FrameHub, layout: str) -> None:
        self.hub = hub
        self._layout = layout
        # What changed since the last frame handed to the hub, (x, y, w, h) each; None:
        # everything (the first frame, a new output, a reload, a still).
        self._damage: list[tuple[int, int, int, int]] | None = None
        # The fade's old frame last handed to the hub and its number: the hub's key for
        # it (a number, not id(): a later old frame may reuse a freed one's address).
        self._fade_old: pygame.Surface | None = None
        self._fades = 0
        self._still: pygame.Surface | None = None  # the still the hub has, as it is

    def all_new(self) -> None:
        """The next frame is all new to the stream (a new output, a reload, a rest)."""
        self._damage = None

    def drew(self, damage: list[pygame.Rect], fade) -> None:
        """A frame was drawn: add its damage to what the hub has not been told yet (the
        loop ticks faster than the stream's fps: the hub gets the union since its last
        frame); no fade, and the last fade's old frame may go, watched or not."""
        if fade is None:
            self._fade_old = None
        if self._damage is None:
            return
        if len(self._damage) + len(damage) > STREAM_DAMAGE_RECTS:
            self._damage = None  # many small pieces: no use sorting them out
            return
        self._damage.extend((r.x, r.y, r.width, r.height) for r in damage)

    def lend(self, frame: pygame.Surface, buffers: FrameBuffers, fade, sprites=()) -> None:
        """Lend the frame's buffer to the hub (no copy): the next frames are drawn on
        another of `buffers` until the encoder gives it back. A fade and the sprites go
        along for the encoder to draw, as the screen's GPU does."""
        release = buffers.lend(frame)
        over = (surface_array(fade[0]), fade[1]) if fade is not None else None
        if fade is not None and fade[0] is not self._fade_old:
            self._fade_old, self._fades = fade[0], self._fades + 1
        drawn_over = tuple((pixels, x, y) for _, (x, y), pixels in sprites)
        changed, self._damage = self._damage, []
        self._still = None
        try:
            self.hub.publish(
                surface_array(frame),
                self._layout,
                time.time(),
                release=release,
                over=over,
                sprites=drawn_over,
                changed=changed,
                over_key=self._fades if fade is not None else None,
            )
        except Exception:
            self._damage = None
            release()
            raise

    def rest(self, still: pygame.Surface) -> None:
        """Hand over `still`, a picture never drawn on again (the hub may keep it): the
        same still as last time is the same JPEG, encoded again never."""
        changed = [] if still is self._still else None
        self.hub.publish(surface_array(still), self._layout, time.time(), changed=changed)
        self._still = still
