"""The wheels drawn as they turn (the epicycles): arms from the centre through each
wheel's joint to the pen, and each wheel's outline at its joint.

Everything is drawn opaque and blended at WHEEL_ALPHA as a whole (black is the colour
key): translucent lines drawn one by one would double up where they meet. A wheel's
outline never changes shape, only place, so each is rendered once per curve into a
sprite; only the arms are drawn every frame. Their damage is the boxes of pieces of at
most ARM_PIECE_PX, not whole boxes, which are mostly empty for a long diagonal arm or a
big ring.
"""

import itertools
import math

import numpy as np
import pygame
import pygame.gfxdraw

from spirokiosk.display.curves.model import WheelSteps
from spirokiosk.display.draw.drawing import CurveDrawing
from spirokiosk.display.draw.surfaces import surface_array

WHEEL_ALPHA = 150  # opacity of the wheels-and-arms layer (0..255)
WHEEL_OUTLINE_POINTS = 96
WHEEL_LIGHT = (235, 235, 240)
WHEEL_DARK = (12, 12, 20)  # not (0, 0, 0): that is the layer's transparent colour
# An arm's or a ring's damage: the boxes of pieces this long, this much wider on each
# side than the lines (the dark edge, the joints' dots).
ARM_PIECE_PX = 128
ARM_MARGIN_PX = 4

# What is drawn over a frame apart from it: (sprite, its top-left, a copy of its pixels).
Sprite = tuple[pygame.Surface, tuple[int, int], np.ndarray]


class WheelChain:
    """The epicycles of one drawing: each wheel's outline at its joint (a sprite each,
    made once), arms between joints (drawn every frame on a layer the size of their box).
    """

    def __init__(self, drawing: CurveDrawing):
        self._drawing = drawing
        self._origin = np.array(drawing.fit.point_to_pixels(0j))
        self._scale = drawing.fit.scale
        # (wheel, sprite, its pixels, centre, pieces): pieces are the rects, relative to the sprite,
        # that hold its outline: a big ring's bounding box is mostly empty inside.
        self._sprites: list[tuple[int, pygame.Surface, np.ndarray, int, list[pygame.Rect]]] = []
        for index, wheel in enumerate(drawing.curve.wheels):
            size = wheel.size * self._scale
            if size >= 3.0:  # smaller does not read as a wheel
                self._sprites.append((index, *_outline_sprite(wheel, self._scale)))
        self._layer: pygame.Surface | None = None  # the arms, opaque; black where none
        side = ARM_PIECE_PX + 2 * ARM_MARGIN_PX + 4  # an arm piece's box at most
        self._black = pygame.Surface((side, side), 0, 32)
        self._steps = WheelSteps(drawing.curve.wheels)
        self._offsets = np.zeros((len(drawing.curve.wheels) + 1, 2))
        # The last t's joints and arm pieces (a frame asks for them two or three times).
        self._joints: tuple[float, np.ndarray, list[pygame.Rect]] | None = None

    def joints(self, t: float) -> np.ndarray:
        """(n + 1, 2) pixel positions: the centre, each wheel's joint, the pen. Not to be
        changed."""
        return self._at(t)[1]

    def _at(self, t: float) -> tuple[float, np.ndarray, list[pygame.Rect]]:
        if self._joints is None or self._joints[0] != t:
            steps = self._steps.at(t)
            self._offsets[1:, 0] = steps.real
            self._offsets[1:, 1] = -steps.imag
            joints = self._origin + np.cumsum(self._offsets * self._scale, axis=0)
            self._joints = (t, joints, _arm_pieces(joints))
        return self._joints

    def rects(self, t: float, *, rings_apart: bool) -> list[pygame.Rect]:
        """Where `draw_arms` and `draw_rings` paint at `t`: around each arm's pieces, and
        around each outline's, unless `rings_apart` (the outlines left to whoever shows
        the frame: see `sprites`)."""
        _, joints, pieces = self._at(t)
        found = list(pieces)
        if rings_apart:
            return found
        for index, _, _, centre, pieces in self._sprites:
            x, y = joints[index]
            found += [piece.move(round(x) - centre, round(y) - centre) for piece in pieces]
        return found

    @property
    def surfaces(self) -> tuple[pygame.Surface, ...]:
        """Each outline's sprite, made once with the chain."""
        return tuple(sprite for _, sprite, *_ in self._sprites)

    def sprites(self, t: float) -> tuple[Sprite, ...]:
        """Each outline's sprite, the top-left it is blitted at and a copy of its pixels
        (the same objects while the drawing lasts: made once)."""
        joints = self.joints(t).tolist()
        return tuple(
            (sprite, (round(joints[i][0]) - centre, round(joints[i][1]) - centre), pixels)
            for i, sprite, pixels, centre, _ in self._sprites
        )

    def draw_arms(self, target: pygame.Surface, t: float) -> None:
        _, joints, pieces = self._at(t)
        self._draw_arms(target, joints, pieces)

    def draw_rings(self, target: pygame.Surface, t: float) -> None:
        for sprite, where, _ in self.sprites(t):
            target.blit(sprite, where)

    def _draw_arms(
        self, target: pygame.Surface, joints: np.ndarray, pieces: list[pygame.Rect]
    ) -> None:
        """The chain dark-edged, so it reads on light and dark backgrounds.

        Drawn opaque on a layer the size of the chain's box, then blended from the layer
        piece by piece (`_arm_pieces`, which hold every pixel drawn), each piece made black
        again once blended: pixels two pieces share are blended once, and the layer is
        all black for the next frame without filling its whole box, which cost more than
        the drawing (SDL's fill here is several times slower than a copy)."""
        box = _box(joints)
        lo = np.array(box.topleft, dtype=float)
        layer_w, layer_h = self._layer.get_size() if self._layer is not None else (0, 0)
        if layer_w < box.width or layer_h < box.height:
            size = (max(box.width, layer_w), max(box.height, layer_h))
            self._layer = pygame.Surface(size, 0, 32)  # all black
            self._layer.set_colorkey((0, 0, 0))
            self._layer.set_alpha(WHEEL_ALPHA)
        layer = self._layer
        draw_arm_chain(layer, joints - lo)
        black = self._black
        for piece in pieces:
            area = piece.move(-box.x, -box.y)
            target.blit(layer, piece.topleft, area)
            if area.width <= black.get_width() and area.height <= black.get_height():
                layer.blit(black, area.topleft, (0, 0, area.width, area.height))  # faster than fill
            else:
                layer.fill((0, 0, 0), area)


def _box(points: np.ndarray, margin: int = ARM_MARGIN_PX) -> pygame.Rect:
    """The pixel box around `points` (n, 2), `margin` wider on each side (plain Python:
    for a few dozen points, a quarter of what numpy's reductions cost)."""
    xs, ys = zip(*points.tolist(), strict=True)
    left, top = math.floor(min(xs)) - margin, math.floor(min(ys)) - margin
    right, bottom = math.ceil(max(xs)) + margin, math.ceil(max(ys)) + margin
    return pygame.Rect(left, top, right - left, bottom - top)


def _arm_pieces(joints: np.ndarray, margin: int = ARM_MARGIN_PX) -> list[pygame.Rect]:
    """The boxes of each arm's pieces, ARM_PIECE_PX long at most (a long arm's whole box
    is mostly empty), `margin` wider on each side. Plain Python: for a dozen arms, a
    third of what the same in numpy costs."""
    floor, ceil = math.floor, math.ceil
    found = []
    points = joints.tolist()
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        dx, dy = bx - ax, by - ay
        steps = max(1, ceil(math.hypot(dx, dy) / ARM_PIECE_PX))
        x0, y0 = ax, ay
        for step in range(1, steps + 1):
            x1, y1 = ax + dx * (step / steps), ay + dy * (step / steps)
            left, top = floor(min(x0, x1)) - margin, floor(min(y0, y1)) - margin
            right, bottom = ceil(max(x0, x1)) + margin, ceil(max(y0, y1)) + margin
            found.append(pygame.Rect(left, top, right - left, bottom - top))
            x0, y0 = x1, y1
    return found


def _outline_sprite(
    wheel, scale: float
) -> tuple[pygame.Surface, np.ndarray, int, list[pygame.Rect]]:
    """A wheel's outline, light, anti-aliased, dark-edged, at WHEEL_ALPHA.

    Returns (sprite, a copy of its pixels (h, w, 4), alpha in the byte surface_layout
    calls X, centre pixel, the rects holding the outline). The dark edge keeps the
    light line
    visible on light backgrounds. The opacity is in the sprite's own alpha
    channel, run-length encoded: a colour-keyed sprite with a surface alpha and
    RLE blits two different ways in turn (pygame and SDL encode and decode it
    between blits), so the same frame would not come out the same twice.
    """
    size = wheel.size * scale
    count = int(np.clip(2.0 * math.pi * size / 8.0, 24, WHEEL_OUTLINE_POINTS))  # ~8 px edges
    theta = np.linspace(0.0, 2.0 * math.pi, count, endpoint=False)
    z = wheel.position(theta / wheel.freq) * scale  # the whole outline, once round
    centre = math.ceil(size) + 2
    sprite = pygame.Surface((2 * centre + 1, 2 * centre + 1), 0, 32)
    sprite.fill((0, 0, 0))
    points = np.column_stack([centre + 0.5 + z.real, centre + 0.5 - z.imag])
    # pygame truncates the wide line's coordinates: +0.5 centres it on the fine one.
    pygame.draw.lines(sprite, WHEEL_DARK, True, (points + 0.5).tolist(), 3)
    pygame.draw.aalines(sprite, WHEEL_LIGHT, True, points.tolist())
    translucent = pygame.Surface(sprite.get_size(), pygame.SRCALPHA, 32)
    translucent.blit(sprite, (0, 0))
    alpha = pygame.surfarray.pixels_alpha(translucent)
    rgb = pygame.surfarray.pixels3d(sprite)
    try:
        alpha[:] = np.where(rgb.any(axis=2), WHEEL_ALPHA, 0)  # black stays transparent
    finally:
        del alpha, rgb
    pixels = np.array(surface_array(translucent))  # a copy: a view would keep it locked
    translucent.set_alpha(255, pygame.RLEACCEL)
    whole = translucent.get_rect()
    count = math.ceil(2.0 * math.pi * size / ARM_PIECE_PX)  # arcs of that length
    if count < 4:
        return translucent, pixels, centre, [whole]
    closed = np.vstack([points, points[:1]])
    pieces = [
        _box(closed[piece[0] : piece[-1] + 2]).clip(whole)
        for piece in np.array_split(np.arange(len(points)), count)
    ]
    return translucent, pixels, centre, pieces


def draw_arm_chain(layer: pygame.Surface, joints: np.ndarray) -> None:
    """The arms from joint to joint (positions in `layer`), a dark edge under a light
    line, a dot at each joint but the pen's."""
    chain = joints.tolist()
    pygame.draw.lines(layer, WHEEL_DARK, False, (joints + 0.5).tolist(), 3)
    pygame.draw.aalines(layer, WHEEL_LIGHT, False, chain)
    for x, y in chain[:-1]:
        pygame.gfxdraw.aacircle(layer, round(x), round(y), 2, WHEEL_LIGHT)
        pygame.gfxdraw.filled_circle(layer, round(x), round(y), 2, WHEEL_LIGHT)
