"""Showing frames on a window or the HDMI screen: one GPU texture of the picture, of which
only what changed is uploaded each frame; the fade into a new curve is blended on the GPU.

Why not pygame.display.set_mode(SCALED) and flip(): with a renderer, pygame's flip
uploads the whole surface every frame (display.c, `pg_flip_internal`:
`SDL_UpdateTexture(pg_texture, NULL, ...)`) and `display.update(rects)` ignores its
rects and flips (`pg_update`), in pygame 2.1.2 as in 2.6.1: 8 MB a frame at 1080p,
whatever changed. `pygame._sdl2.video` (present in both) gives the texture itself:
`Texture.update(surface, area)` calls SDL_UpdateTexture with that rectangle, reading
from the surface's top-left, hence the subsurface (video.pyx, `Texture.update`).
Nothing here calls pygame.display.set_mode: pygame's own renderer would own the window.

Objects are released texture, renderer, window, in that order, before SDL's video
quits (a renderer freed after its window has crashed pygame: pygame/pygame#4210).
"""

from __future__ import annotations

import logging

import pygame
from pygame._sdl2 import video

log = logging.getLogger(__name__)

BLENDMODE_BLEND = 1  # SDL_BLENDMODE_BLEND


class Presenter:
    """A window (or the screen, fullscreen) with a renderer and the picture's texture."""

    def __init__(self, window: video.Window, renderer: video.Renderer, size: tuple[int, int]):
        self.window = window
        self.renderer = renderer
        self.size = (int(size[0]), int(size[1]))
        if tuple(window.size) != self.size:
            renderer.logical_size = self.size  # the GPU scales to the screen
        blank = pygame.Surface(self.size, 0, 32)
        # Same pixel format as the frames (XRGB8888): no conversion on upload, and the
        # X byte is ignored (a texture made from a plain surface does not blend).
        self._texture = video.Texture.from_surface(renderer, blank)
        self._fade: video.Texture | None = None
        self._fade_source: pygame.Surface | None = None
        self.uploaded = 0  # bytes sent to the texture, all told

    def present(
        self,
        frame: pygame.Surface,
        damage: list[pygame.Rect],
        fade: tuple[pygame.Surface, int] | None = None,
    ) -> int:
        """Upload `damage` from `frame`, blend `fade` (old frame, alpha) over it, show it
        (waits for the screen's refresh when the renderer has vsync). Returns the bytes
        uploaded."""
        uploaded = self.render(frame, damage, fade)
        self.renderer.present()
        return uploaded

    def render(
        self,
        frame: pygame.Surface,
        damage: list[pygame.Rect],
        fade: tuple[pygame.Surface, int] | None = None,
    ) -> int:
        """`present` but for the last step: the picture is drawn, not shown yet."""
        uploaded = 0
        for rect in damage:  # already clipped to the picture by the scene
            self._texture.update(frame.subsurface(rect), rect)
            uploaded += rect.width * rect.height * 4
        if fade is not None:
            uploaded += self._load_fade(fade[0])
        renderer = self.renderer
        renderer.draw_color = (0, 0, 0, 255)
        renderer.clear()  # the back buffer is undefined after a present
        self._texture.draw()
        if fade is not None:
            self._fade.alpha = fade[1]
            self._fade.draw()
        self.uploaded += uploaded
        return uploaded

    def _load_fade(self, old: pygame.Surface) -> int:
        """The old frame, uploaded once per fade (it does not change while it fades)."""
        if old is self._fade_source:
            return 0
        if self._fade is None:
            self._fade = video.Texture.from_surface(self.renderer, old)
            self._fade.blend_mode = BLENDMODE_BLEND
        else:
            self._fade.update(old)
        self._fade_source = old
        return old.get_width() * old.get_height() * 4

    def read_back(self) -> pygame.Surface:
        """What the renderer holds now, after `render` and before it is shown (for tests;
        with no logical size: pygame's to_surface misjudges a scaled viewport)."""
        surface = pygame.Surface(self.window.size, 0, 32)
        self.renderer.to_surface(surface)
        return surface

    def close(self) -> None:
        self._fade = self._fade_source = None
        self._texture = None
        self.renderer = None
        self.window.destroy()
