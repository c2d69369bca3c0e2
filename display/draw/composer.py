"""Turning the show's state into pixels: the frame a scene composes, where it changed
since the last one (its damage), and the old curve's frame fading out.

    composer = scene.composer     # made by the scene, asking it for its state each call
    damage = composer.compose(target, picture, picture_new=True, stale=None)
    composer.fade                 # the old frame and its opacity over that frame, or None
    composer.draw(target)         # the whole frame, for files

Apart from `scene` because it is another job: the scene says what is on screen and when
(the curve, the clock, the camera mode); the composer draws it, and keeps what it needs
to draw only what changed (the strokes painted since the last frame, where the overlays
were, whether everything must be drawn anew). Whoever wants pixels (the render loop, the
exports, the tests) asks the composer itself, and the composer asks the scene for its
state (`SceneState`) at each call: one way to a frame, not this API again on the scene.

With a camera mode the strokes are also kept on each drawing's InkLayer: "overlay" draws
the camera picture with that layer blended over it (the old curve's layer fading out over
the new one), "camera" the picture alone. Without a picture (no camera, or it failed) the
frame is the curves as always, over their background map.

With `rings_apart` (a screen that draws sprites on its GPU) the wheels' outlines are left
out of the frames `compose` makes (curves only): `sprites` lists them, for the screen and
the mirror to draw over the frame, as `draw` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame

from spirokiosk.display.draw.damage import merge, moved
from spirokiosk.display.draw.drawing import CurveDrawing
from spirokiosk.display.draw.ink import InkLayer
from spirokiosk.display.draw.overlays import OverlayPainter, Sprite


@dataclass(frozen=True)
class SceneState:
    """What a frame shows: the scene at one moment (made by the scene for each call)."""

    drawing: CurveDrawing  # the curve being drawn or held
    painter: OverlayPainter  # its overlays
    camera_mode: str | None
    rings_apart: bool  # the wheels' outlines left to whoever shows the frame
    moving: bool  # the pen moves or the old frame fades (not "holding")
    elapsed: float  # seconds since the curve's pen started
    fade_seconds: float


class Composer:
    """Draws a scene's frames onto kept buffers, only where they changed; holds the old
    curve's finished frame (and its ink) while it fades out."""

    def __init__(self, size: tuple[int, int], state: Callable[[], SceneState]) -> None:
        self.size = size
        self._state = state  # the scene as it is now, asked at each call
        self._old_frame: pygame.Surface | None = None  # previous finished frame, while fading
        self._old_ink: InkLayer | None = None  # its strokes alone, while fading over a camera
        # What `compose` must show anew: strokes painted since, overlays it drew last,
        # or everything (a new curve, other overlays or camera mode).
        self._stroke_damage: list[pygame.Rect] = []
        self._overlay_rects: list[pygame.Rect] = []  # of what moved
        self._still_rects: list[pygame.Rect] = []  # of what stays (the caption)
        self._full = True
        self._last_mode: str | None = None  # what the last compose showed: camera mode or None
        self._composed_drawing: CurveDrawing | None = None
        self.new_curve_shown = False  # the last compose was a curve's first frame
        self.base_damage: list[pygame.Rect] = []  # ...and where it differs from the canvas

    # -- what changed ----------------------------------------------------------

    def redraw(self) -> None:
        """Draw the whole next frame anew (a new curve, other overlays or camera mode)."""
        self._full = True

    def painted(self, rects: list[pygame.Rect]) -> None:
        """Strokes were painted on the current drawing's canvas there."""
        self._stroke_damage += rects

    # -- the fade ----------------------------------------------------------------

    @property
    def fading(self) -> bool:
        """Whether the old curve's frame is fading out."""
        return self._old_frame is not None

    def fade_from(self, old: CurveDrawing, painter: OverlayPainter, *, fade: bool) -> None:
        """`old`'s curve is over: its canvas, never drawn on again, becomes its finished
        frame (with the overlays that stay), to fade out with its strokes alone (its ink)
        if `fade`."""
        frame = old.canvas
        painter.draw(frame, old, moving=False)
        self._old_frame, self._old_ink = (frame, old.ink) if fade else (None, None)

    def end_fade(self) -> None:
        self._old_frame = None
        self._old_ink = None

    def drop_old_ink(self) -> None:
        """The fade under way finishes without the camera picture's version."""
        self._old_ink = None

    @property
    def fade(self) -> tuple[pygame.Surface, int] | None:
        """While a curve fades in over the old one (curves only): the old finished frame
        and its opacity 0..255 over the frame `compose` makes. The presenter blends it
        (on the GPU); `draw` blends it on the CPU."""
        return self._fade(self._state())

    def _fade(self, state: SceneState) -> tuple[pygame.Surface, int] | None:
        if self._old_frame is None or state.camera_mode is not None:
            return None
        alpha = round(255 * _old_frame_weight(state))
        return (self._old_frame, alpha) if alpha > 0 else None

    # -- frames --------------------------------------------------------------------

    @property
    def sprites(self) -> tuple[Sprite, ...]:
        """What to blit over the frame `compose` made last, in order: (sprite, top-left,
        a copy of its pixels (h, w, 4) with alpha in the frame's X byte, for the mirror).
        Empty unless the scene's `rings_apart`; the same objects while a curve lasts (see
        `OverlayPainter.sprites`)."""
        return self._sprites(self._state())

    def _sprites(self, state: SceneState) -> tuple[Sprite, ...]:
        return state.painter.sprites(state.drawing, moving=state.moving)

    def compose(
        self,
        target: pygame.Surface,
        picture: pygame.Surface | None = None,
        *,
        picture_new: bool = True,
        stale: list[pygame.Rect] | None = None,
    ) -> list[pygame.Rect]:
        """Draw the frame onto `target` where it changed; return the areas that differ
        from the previous frame (what to upload to the screen).

        `target` keeps its pixels from frame to frame; `stale` lists the areas of it
        that do not hold the previous frame (None: all of it; a buffer that was lent to
        the mirror meanwhile missed a frame or two). `picture` is the camera's frame in a
        camera mode, `picture_new` whether it changed since the previous frame. The fade
        into a new curve is not drawn here: see `fade`.
        """
        return self._compose(target, self._state(), picture, picture_new, stale)

    def _compose(
        self,
        target: pygame.Surface,
        state: SceneState,
        picture: pygame.Surface | None,
        picture_new: bool,
        stale: list[pygame.Rect] | None,
    ) -> list[pygame.Rect]:
        if target.get_size() != self.size:
            raise ValueError(f"target: size {target.get_size()} is not the scene's {self.size}")
        drawing, painter, moving = state.drawing, state.painter, state.moving
        bounds = target.get_rect()
        full = [bounds]
        mode = state.camera_mode if picture is not None else None
        painter.rings_apart = state.rings_apart and mode is None
        moves: list[pygame.Rect] = []
        still: list[pygame.Rect] = []
        if mode is None or mode == "overlay":
            moves, still = painter.rects(drawing, moving=moving)
        gone = [rect for rect in self._still_rects if rect not in still]  # (the address card)
        fading_ink = mode == "overlay" and self._old_frame is not None and self._old_ink is not None
        if mode != self._last_mode:  # the camera came or went
            self._full = True
        self._last_mode = mode
        if self._full or fading_ink or (mode is not None and picture_new):
            damage = full
        else:
            changed = [*self._stroke_damage, *moved(self._overlay_rects, moves), *gone]
            changed += [rect for rect in still if rect not in self._still_rects]
            damage = merge(changed, bounds)
        # Every moving overlay is drawn again over its restored area (they are translucent);
        # what stays only where something else made it restore its area.
        # (Every rect of `moves` is inside one of `damage`'s, which `merge` made from them.)
        areas = full if stale is None else merge([*stale, *damage], bounds) if stale else damage
        touched = [s for s in still if any(s.colliderect(area) for area in areas)]
        if touched:
            areas = merge([*areas, *touched], bounds)
        if mode == "camera":
            for rect in areas:
                target.blit(picture, rect.topleft, rect)
        elif mode == "overlay":
            self._compose_overlay(target, state, picture, areas, touched)
        else:
            canvas = drawing.canvas
            for rect in areas:
                target.blit(canvas, rect.topleft, rect)
            painter.draw(target, drawing, moving=moving, still=touched)
        # The first frame of a curve: what differs from its bare canvas (a screen that
        # loaded the canvas ahead shows only that).
        self.new_curve_shown = drawing is not self._composed_drawing
        if self.new_curve_shown:
            self.base_damage = merge([*self._stroke_damage, *moves, *still], bounds)
        self._composed_drawing = drawing
        self._stroke_damage = []
        self._overlay_rects = moves
        self._still_rects = still
        self._full = False
        return damage

    def _compose_overlay(
        self,
        target: pygame.Surface,
        state: SceneState,
        picture: pygame.Surface,
        areas: list[pygame.Rect],
        still: list[pygame.Rect],
    ) -> None:
        """The picture, the ink of the curve being drawn, its overlays, the old ink fading out."""
        drawing = state.drawing
        ink = drawing.ink
        old = self._old_ink if self._old_frame is not None else None
        weight = _old_frame_weight(state) if old is not None else 0.0
        for rect in areas:
            target.blit(picture, rect.topleft, rect)
            if weight < 1.0 and ink.bounds is not None and ink.bounds.colliderect(rect):
                target.blit(ink.surface, rect.topleft, rect)
        if weight < 1.0:
            state.painter.draw(target, drawing, moving=state.moving, still=still)
        if old is not None and weight > 0.0:
            old.fade_to(weight)
            old.draw(target)

    def draw(self, target: pygame.Surface, picture: pygame.Surface | None = None) -> None:
        """The whole frame onto `target` (the scene's size), sprites and fade included, all
        on the CPU: for files, and as the reference the screen's path is held to.
        `picture` is the camera's frame (the scene's size) in a camera mode, None for
        curves only."""
        state = self._state()
        self._compose(target, state, picture, True, None)
        for sprite, where, _ in self._sprites(state):
            target.blit(sprite, where)
        fade = self._fade(state)
        if fade is None:
            return
        old, alpha = fade
        if alpha >= 255:
            # Fully opaque: SDL's blit with surface alpha 255 is a slow path, and
            # the new frame would be hidden anyway.
            old.set_alpha(None)
            target.blit(old, (0, 0))
        else:
            old.set_alpha(alpha)
            target.blit(old, (0, 0))


def _old_frame_weight(state: SceneState) -> float:
    """1 -> 0 over the fade, eased (smoothstep) so it neither pops nor lingers."""
    x = min(max(state.elapsed / state.fade_seconds, 0.0), 1.0)
    return 1.0 - x * x * (3.0 - 2.0 * x)
