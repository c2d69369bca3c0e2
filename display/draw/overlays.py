"""What is drawn over a curve's canvas on each frame: pen, wheels, caption, address.

Overlays go on the frame, never on the persistent canvas. Everything that
depends only on the curve (wheel outlines, the caption panel) is built once
per drawing; per frame only a few small blits and lines remain. `rects` says
beforehand where a frame's overlays will land, so the scene can restore those
areas from the canvas first (overlays are translucent: drawn twice on the same
pixels, they would darken them) and show only what changed.

The wheels' outlines go over everything else. They may be left out of the frame
(`rings_apart`): `sprites` then says which outline sprite goes where, and whoever shows
the frame draws them over it (the screen's GPU, the mirror's encoder), to the same
picture: they are most of the pixels that would change each frame.
"""

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pygame
import pygame.gfxdraw

from spirokiosk.display.draw.drawing import CurveDrawing
from spirokiosk.display.draw.wheels import Sprite, WheelChain

__all__ = ["OverlayPainter", "Overlays", "Sprite", "glow_sprite"]

CAPTION_ALPHA = 150  # opacity of the dark panel behind the caption


@dataclass(frozen=True)
class Overlays:
    """Which overlays to draw on every frame."""

    pen: bool = True  # a bright dot with a glow at the pen tip
    wheels: bool = False  # the epicycles: arms from the centre, each wheel's outline
    caption: bool = False  # curve name and summary in the bottom-left corner


def glow_sprite(radius: int) -> pygame.Surface:
    """A white disc of soft light, alpha falling off like a Gaussian."""
    size = 2 * radius + 1
    yy, xx = np.mgrid[0:size, 0:size] - radius
    falloff = np.exp(-((np.hypot(xx, yy) / (0.5 * radius)) ** 2))
    sprite = pygame.Surface((size, size), pygame.SRCALPHA, 32)
    sprite.fill((255, 255, 255, 0))
    alpha = pygame.surfarray.pixels_alpha(sprite)
    alpha[:] = np.round(200.0 * falloff).astype(np.uint8)
    del alpha
    return sprite


def _caption_panel(drawing: CurveDrawing) -> pygame.Surface:
    """Name and one-line summary in white on a rounded, translucent dark panel."""
    if not pygame.font.get_init():
        pygame.font.init()
    height = drawing.size[1]
    size = max(12, round(height / 42))
    title_font = pygame.font.Font(None, round(size * 1.25))
    body_font = pygame.font.Font(None, size)
    curve = drawing.curve
    lines = [
        title_font.render(curve.name or "spirograph", True, (255, 255, 255)),
        body_font.render(curve.summary(), True, (225, 225, 225)),
    ]
    pad = max(4, size // 2)
    width = max(line.get_width() for line in lines) + 2 * pad
    panel_h = sum(line.get_height() for line in lines) + 2 * pad
    panel = pygame.Surface((width, panel_h), pygame.SRCALPHA, 32)
    pygame.draw.rect(panel, (0, 0, 0, CAPTION_ALPHA), panel.get_rect(), border_radius=pad)
    y = pad
    for line in lines:
        panel.blit(line, (pad, y))
        y += line.get_height()
    return panel


class OverlayPainter:
    """Draws the enabled overlays for a drawing onto a frame."""

    def __init__(self, overlays: Overlays):
        self.overlays = overlays
        self._drawing: CurveDrawing | None = None
        self._glow: pygame.Surface | None = None
        self._chain: WheelChain | None = None
        self._caption: pygame.Surface | None = None
        self._ahead: tuple[CurveDrawing, tuple] | None = None  # built by prepare_ahead
        # The mirror's address card (display.address), set by the scene while it shows;
        # bottom-left, above the caption if there is one.
        self.card: pygame.Surface | None = None
        self.rings_apart = False  # the wheels' outlines not drawn: see `sprites`

    def prepare_ahead(self, drawing: CurveDrawing) -> None:
        """Build `drawing`'s sprites and caption now (on the thread that prepares the next
        curve), so its first frame does not."""
        self._ahead = (drawing, self._build(drawing))

    def _build(self, drawing: CurveDrawing) -> tuple:
        width = drawing.curve.line_width
        glow = glow_sprite(max(6, round(2.5 * width))) if self.overlays.pen else None
        chain = WheelChain(drawing) if self.overlays.wheels else None
        caption = _caption_panel(drawing) if self.overlays.caption else None
        return glow, chain, caption

    def _prepare(self, drawing: CurveDrawing) -> None:
        if drawing is self._drawing:
            return
        ahead, self._ahead = self._ahead, None
        built = ahead[1] if ahead is not None and ahead[0] is drawing else self._build(drawing)
        self._drawing = drawing
        self._glow, self._chain, self._caption = built

    def _chain_now(self, drawing: CurveDrawing) -> WheelChain | None:
        self._prepare(drawing)
        return self._chain

    def sprites_ahead(self, drawing: CurveDrawing) -> tuple[pygame.Surface, ...]:
        """With `rings_apart`: the outline sprites of `drawing` as `prepare_ahead` built
        them (empty if it did not), for the screen to make their textures early."""
        ahead = self._ahead
        if not self.rings_apart or ahead is None or ahead[0] is not drawing or ahead[1][1] is None:
            return ()
        return ahead[1][1].surfaces

    def sprites(self, drawing: CurveDrawing, *, moving: bool) -> tuple[Sprite, ...]:
        """With `rings_apart`: the wheels' outline sprites and where their top-left goes,
        to blit over the frame `draw` made (empty otherwise, or while not `moving`)."""
        chain = self._chain_now(drawing)
        if not (self.rings_apart and moving and chain is not None):
            return ()
        return chain.sprites(drawing.pen_parameter)

    def rects(self, drawing: CurveDrawing, *, moving: bool) -> tuple[list, list]:
        """Where `draw(..., drawing, moving=moving)` will paint (unclipped): the rects of
        what moves (pen, wheels) and of what stays as it is while `drawing` lasts (the
        caption: drawn again over its own restored pixels, it shows nothing new)."""
        chain = self._chain_now(drawing)
        moves = []
        if moving and chain is not None:
            moves += chain.rects(drawing.pen_parameter, rings_apart=self.rings_apart)
        if moving and self._glow is not None:
            moves.append(self._pen_rect(drawing))
        still = [self._caption_rect(drawing)] if self._caption is not None else []
        if self.card is not None:
            still.append(self._card_rect(drawing))
        return moves, still

    def draw(
        self,
        target: pygame.Surface,
        drawing: CurveDrawing,
        *,
        moving: bool,
        still: bool | Collection[pygame.Rect] = True,
    ) -> None:
        """Overlays for `drawing`; pen and wheels only while the pen is `moving`, what stays
        (caption, address card) only when `still` is true or lists its rect (its pixels
        were restored: the caption is translucent)."""
        chain = self._chain_now(drawing)
        if moving and chain is not None:
            chain.draw_arms(target, drawing.pen_parameter)
        if moving and self._glow is not None:
            self._draw_pen(target, drawing)
        if self._caption is not None:
            rect = self._caption_rect(drawing)
            if still is True or (still is not False and rect in still):
                target.blit(self._caption, rect.topleft)
        if self.card is not None:
            rect = self._card_rect(drawing)
            if still is True or (still is not False and rect in still):
                target.blit(self.card, rect.topleft)
        if moving and chain is not None and not self.rings_apart:  # over all the rest,
            chain.draw_rings(target, drawing.pen_parameter)  # as when drawn apart

    def _card_rect(self, drawing: CurveDrawing) -> pygame.Rect:
        margin = max(6, drawing.size[1] // 60)
        w, h = self.card.get_size()
        bottom = drawing.size[1] - margin
        if self._caption is not None:
            bottom = self._caption_rect(drawing).top - margin
        return pygame.Rect(margin, bottom - h, w, h)

    def _caption_rect(self, drawing: CurveDrawing) -> pygame.Rect:
        margin = max(6, drawing.size[1] // 60)
        w, h = self._caption.get_size()
        return pygame.Rect(margin, drawing.size[1] - margin - h, w, h)

    def _pen_rect(self, drawing: CurveDrawing) -> pygame.Rect:
        """The glow's square; the core's circles lie inside it."""
        x, y = drawing.pen_position()
        side = self._glow.get_width()
        radius = side // 2
        return pygame.Rect(round(x) - radius, round(y) - radius, side, side)

    def _draw_pen(self, target: pygame.Surface, drawing: CurveDrawing) -> None:
        x, y = drawing.pen_position()
        glow = self._glow.copy()
        glow.fill((*drawing.pen_colour(), 255), special_flags=pygame.BLEND_RGBA_MULT)
        target.blit(glow, self._pen_rect(drawing).topleft)
        core = max(2, round(drawing.curve.line_width * 0.45))
        cx, cy = round(x), round(y)
        pygame.gfxdraw.aacircle(target, cx, cy, core + 1, (0, 0, 0, 110))
        pygame.gfxdraw.filled_circle(target, cx, cy, core, (255, 255, 255))
        pygame.gfxdraw.aacircle(target, cx, cy, core, (255, 255, 255))
