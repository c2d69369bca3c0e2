"""Showing frames on a window or the HDMI screen: a GPU texture of the picture, of which
only what changed is uploaded each frame; the fade into a new curve is blended on the GPU.

Why not pygame.display.set_mode(SCALED) and flip(): with a renderer, pygame's flip
uploads the whole surface every frame (display.c, `pg_flip_internal`:
`SDL_UpdateTexture(pg_texture, NULL, ...)`) and `display.update(rects)` ignores its
rects and flips (`pg_update`), in pygame 2.1.2 as in 2.6.1: 8 MB a frame at 1080p,
whatever changed. `pygame._sdl2.video` (present in both) gives the texture itself:
`Texture.update(surface, area)` calls SDL_UpdateTexture with that rectangle, reading
from the surface's top-left, hence the subsurface (video.pyx, `Texture.update`).
Nothing here calls pygame.display.set_mode: pygame's own renderer would own the window.

Three textures take turns: the picture; the next curve's bare canvas, loaded ahead a
slice a frame while the finished curve is on hold (`stage`); and the old curve's last
frame while the new one fades in over it (when a staged canvas becomes the picture,
the texture that showed the old curve becomes the fade's: `promote`). So a new curve
costs no whole-picture upload in one frame. They are made from a plain 32-bit surface,
the frames' own format (XRGB8888): no conversion on upload (pygame 2.1.2 converts
nothing: pygame#2974), and the X byte is not read as alpha.

A screen mounted in portrait or upside down (`rotation`, degrees clockwise): the picture
is drawn upright at its own size, and turned once, by the GPU, as its texture is drawn
(SDL_RenderCopyEx through `Texture.draw(srcrect, dstrect, angle)`, which pygame 2.1.2
already has: video.pyx, `Texture.draw`). The rectangle is the picture's, centred on the
panel: turned about its centre by 90 or 270 degrees it covers the panel exactly.

Sprites (the wheels' outlines, `Composer.sprites`) are drawn over the picture, before the
fade: a texture each, made once from its surface (`Texture.from_surface`, i.e.
SDL_CreateTextureFromSurface: video.pyx) and kept while the frames name that surface,
so a frame sends the GPU only where each goes; the next curve's are made ahead, one a
frame during the hold (`preload`), as its canvas is loaded. They turn with the picture,
about its centre: `Texture.draw`'s `origin` is relative to the sprite's own rectangle,
and whole pixels in 2.1.2 (an SDL_Point), so a picture of odd width or height would put
them half a pixel off when turned.

Objects are released texture, renderer, window, in that order, before SDL's video
quits (a renderer freed after its window has crashed pygame: pygame/pygame#4210).
"""

from __future__ import annotations

import logging

import pygame
from pygame._sdl2 import video

from spirokiosk.display.screen import ROTATIONS
from spirokiosk.display.sizes import turned

log = logging.getLogger(__name__)

BLENDMODE_NONE = 0  # SDL_BLENDMODE_NONE
BLENDMODE_BLEND = 1  # SDL_BLENDMODE_BLEND
STAGE_ROWS = 64  # rows of the next canvas loaded ahead per frame (1920 wide: 480 kB)

Fade = tuple[pygame.Surface, int]  # the old frame, its opacity 0..255
Sprites = tuple[tuple, ...]  # (sprite surface, (x, y) top-left, ...) each, in order


class Presenter:
    """A window (or the screen, fullscreen) with a renderer and the picture's textures."""

    def __init__(
        self,
        window: video.Window,
        renderer: video.Renderer,
        size: tuple[int, int],
        rotation: int = 0,
    ):
        if rotation not in ROTATIONS:
            raise ValueError(f"rotation: must be one of 0, 90, 180, 270, not {rotation!r}")
        self.window = window
        self.renderer = renderer
        self.size = (int(size[0]), int(size[1]))  # the picture's, upright
        self.rotation = rotation
        panel = turned(self.size, rotation)  # the picture as the panel holds it
        if tuple(window.size) != panel:
            renderer.logical_size = panel  # the GPU scales to the screen
        self._where = pygame.Rect((0, 0), self.size)
        self._where.center = (panel[0] // 2, panel[1] // 2)
        blank = pygame.Surface(self.size, 0, 32)
        self._texture = video.Texture.from_surface(renderer, blank)
        self._staging = video.Texture.from_surface(renderer, blank)
        self._fade = video.Texture.from_surface(renderer, blank)
        self._fade.blend_mode = BLENDMODE_BLEND
        self._fade_source: pygame.Surface | None = None  # what the fade texture holds
        self._staged_for: pygame.Surface | None = None  # what the staging texture gets
        self._staged_rows = 0
        self._sprites: dict[int, tuple[pygame.Surface, video.Texture]] = {}  # by id(surface)
        self._sprites_ahead: dict[int, tuple[pygame.Surface, video.Texture]] = {}  # `preload`
        self.uploaded = 0  # bytes sent to the textures, all told

    def present(
        self,
        frame: pygame.Surface,
        damage: list[pygame.Rect],
        fade: Fade | None,
        sprites: Sprites = (),
    ) -> int:
        """Upload `damage` from `frame`, draw `sprites` and blend `fade` over it, show it
        (waits for the screen's refresh when the renderer has vsync). Returns the bytes
        uploaded."""
        uploaded = self.render(frame, damage, fade, sprites)
        self.renderer.present()
        return uploaded

    def render(
        self,
        frame: pygame.Surface,
        damage: list[pygame.Rect],
        fade: Fade | None,
        sprites: Sprites = (),
    ) -> int:
        """`present` but for the last step: the picture is drawn, not shown yet."""
        uploaded = 0
        for rect in damage:  # already clipped to the picture by the scene
            self._texture.update(frame.subsurface(rect), rect)
            uploaded += rect.width * rect.height * 4
        if fade is not None and fade[0] is not self._fade_source:
            self._fade.update(fade[0])  # the old frame: it does not change while it fades
            self._fade_source = fade[0]
            uploaded += fade[0].get_width() * fade[0].get_height() * 4
        renderer = self.renderer
        renderer.draw_color = (0, 0, 0, 255)
        renderer.clear()  # the back buffer is undefined after a present
        self._texture.draw(None, self._where, self.rotation)
        if sprites or self._sprites:
            uploaded += self._draw_sprites(sprites)
        if fade is not None:
            self._fade.alpha = fade[1]
            self._fade.draw(None, self._where, self.rotation)
        self.uploaded += uploaded
        return uploaded

    def _draw_sprites(self, sprites: Sprites) -> int:
        """Each sprite over the picture, from its texture (made now if new; those of
        sprites no longer named are dropped). Returns the bytes uploaded making them."""
        uploaded, kept = 0, {}
        where = self._where
        for sprite, (x, y), *_ in sprites:
            known = self._sprites.get(id(sprite)) or self._sprites_ahead.pop(id(sprite), None)
            if known is None or known[0] is not sprite:
                known = (sprite, self._sprite_texture(sprite))
                uploaded += sprite.get_width() * sprite.get_height() * 4
            kept[id(sprite)] = known
            texture = known[1]
            rect = (where.x + x, where.y + y, texture.width, texture.height)
            if self.rotation:
                texture.draw(None, rect, self.rotation, (where.w // 2 - x, where.h // 2 - y))
            else:
                texture.draw(None, rect)
        self._sprites = kept
        return uploaded

    def _sprite_texture(self, sprite: pygame.Surface) -> video.Texture:
        texture = video.Texture.from_surface(self.renderer, sprite)
        texture.blend_mode = BLENDMODE_BLEND  # the sprite's own alpha over the picture
        return texture

    def preload(self, sprites: tuple[pygame.Surface, ...]) -> int:
        """Make the texture of one more of the next curve's `sprites` ahead of its first
        frame (those made for other sprites are dropped). Returns the bytes uploaded."""
        ahead = {
            key: self._sprites_ahead[key] for key in map(id, sprites) if key in self._sprites_ahead
        }
        self._sprites_ahead = ahead
        for sprite in sprites:
            if id(sprite) not in ahead and id(sprite) not in self._sprites:
                ahead[id(sprite)] = (sprite, self._sprite_texture(sprite))
                uploaded = sprite.get_width() * sprite.get_height() * 4
                self.uploaded += uploaded
                return uploaded
        return 0

    def stage(self, canvas: pygame.Surface, rows: int = STAGE_ROWS) -> int:
        """Load `rows` more rows of the next curve's bare `canvas` ahead of its first
        frame. Returns the bytes uploaded."""
        if canvas is not self._staged_for:
            self._staged_for, self._staged_rows = canvas, 0
        width, height = canvas.get_size()
        if self._staged_rows >= height:
            return 0
        rect = pygame.Rect(0, self._staged_rows, width, min(rows, height - self._staged_rows))
        self._staging.update(canvas.subsurface(rect), rect)
        self._staged_rows += rect.height
        uploaded = rect.width * rect.height * 4
        self.uploaded += uploaded
        return uploaded

    def promote(self, canvas: pygame.Surface, fade: Fade | None) -> bool:
        """A new curve starts on `canvas`. When it was loaded whole ahead, it becomes the
        picture's texture, and the texture that showed the old curve becomes the fade's
        (the last frame shown is the old curve's finished frame, `fade`'s surface).
        False: it was not loaded; the frame's whole damage is uploaded as usual."""
        if canvas is not self._staged_for or self._staged_rows < canvas.get_height():
            return False
        shown, self._texture = self._texture, self._staging
        self._texture.blend_mode = BLENDMODE_NONE
        shown.blend_mode = BLENDMODE_BLEND
        self._staging, self._fade = self._fade, shown
        self._fade_source = fade[0] if fade is not None else None
        self._staged_for = None
        return True

    def read_back(self) -> pygame.Surface:
        """What the renderer holds now, after `render` and before it is shown (for tests;
        with no logical size: pygame's to_surface misjudges a scaled viewport)."""
        surface = pygame.Surface(self.window.size, 0, 32)
        self.renderer.to_surface(surface)
        return surface

    def close(self) -> None:
        self._fade = self._fade_source = self._staging = self._staged_for = None
        self._sprites = self._sprites_ahead = {}
        self._texture = None
        self.renderer = None
        self.window.destroy()
