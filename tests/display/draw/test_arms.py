"""The wheels' arms are drawn opaque on a layer and blended piece by piece (only where
they are, not over their mostly empty box). That must land exactly as one blend of the
whole layer would: pixels two pieces share blended once, nothing outside the pieces
touched, and nothing of one frame's arms left over for the next.

The expected picture is worked out here on its own: the chain's joints from the wheels,
the same lines on a fresh layer, blended whole.
"""

import numpy as np
import pygame
import pygame.gfxdraw
import pytest

from spirokiosk.display.curves import PRESETS, random_curve
from spirokiosk.display.draw.drawing import CurveDrawing
from spirokiosk.display.draw.overlays import OverlayPainter, Overlays
from spirokiosk.display.draw.wheels import WHEEL_ALPHA, draw_arm_chain

SIZE = (640, 360)
CURVES = {
    "preset": PRESETS["seed-magma-11"],
    "many wheels": random_curve(seed=2),  # twelve
    "squares and astroids": random_curve(
        seed=8, shapes=("square", "tetracuspid"), exact_symmetry=False
    ),
}


def joints_at(drawing: CurveDrawing, t: float) -> np.ndarray:
    """The centre, each wheel's joint and the pen, in pixels (y down)."""
    steps = [complex(wheel.position(np.array(t))) for wheel in drawing.curve.wheels]
    offsets = np.array([[0.0, 0.0]] + [[z.real, -z.imag] for z in steps])
    return np.array(drawing.fit.point_to_pixels(0j)) + np.cumsum(offsets * drawing.fit.scale, 0)


def arms_blended_whole(target: pygame.Surface, joints: np.ndarray) -> None:
    lo = np.floor(joints.min(axis=0)) - 4
    hi = np.ceil(joints.max(axis=0)) + 4
    layer = pygame.Surface((int(hi[0] - lo[0]), int(hi[1] - lo[1])), 0, 32)
    layer.set_colorkey((0, 0, 0))
    layer.set_alpha(WHEEL_ALPHA)
    draw_arm_chain(layer, joints - lo)
    target.blit(layer, (int(lo[0]), int(lo[1])))


def noise(seed: int) -> pygame.Surface:
    surface = pygame.Surface(SIZE, 0, 32)
    rng = np.random.default_rng(seed)
    pygame.surfarray.pixels3d(surface)[:] = rng.integers(0, 256, (*SIZE, 3), dtype=np.uint8)
    return surface


@pytest.mark.parametrize("name", CURVES)
def test_arms_blended_in_pieces_are_the_arms_blended_whole(name):
    drawing = CurveDrawing(CURVES[name], SIZE)
    painter = OverlayPainter(Overlays(pen=False, wheels=True, caption=False))
    painter.rings_apart = True  # the arms alone
    for step in range(12):  # frame after frame with the same painter: nothing may linger
        drawing.advance_to((step + 1) / 13)
        t = drawing.pen_parameter
        moves, _ = painter.rects(drawing, moving=True)
        drawn, expected = noise(step), noise(step)
        painter.draw(drawn, drawing, moving=True)
        arms_blended_whole(expected, joints_at(drawing, t))
        got = pygame.surfarray.array3d(drawn)
        want = pygame.surfarray.array3d(expected)
        assert np.array_equal(got, want), f"{name}: frame {step} differs from one whole blend"
        # And only inside the rects `rects` announced (what the screen restores, uploads).
        outside = np.ones(SIZE, bool)
        for rect in moves:
            clipped = rect.clip(drawn.get_rect())
            outside[clipped.left : clipped.right, clipped.top : clipped.bottom] = False
        untouched = pygame.surfarray.array3d(noise(step))
        assert np.array_equal(got[outside], untouched[outside])
        assert not np.array_equal(got, untouched)  # the arms are there
