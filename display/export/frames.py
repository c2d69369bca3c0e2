"""Offline frames of a curve: the animation the screen shows, and the finished picture.

The frames are handed out as `(h, w, 4)` uint8 views of one reused surface,
valid only during the callback (pygame keeps the surface locked while a view
exists, so the callback must copy, not keep, the pixels). Their byte order is
`surface_layout(surface)`, "BGRX" on little-endian machines.
"""

import logging
from collections.abc import Callable

import numpy as np
import pygame

from spirokiosk.display.curves import Curve
from spirokiosk.display.draw.surfaces import surface_array

log = logging.getLogger(__name__)

FrameCallback = Callable[[np.ndarray], None]

# The scene must not reach the end of its hold while we render: the last frame
# is at exactly draw_seconds, so any hold longer than rounding errors will do.
_HOLD_SECONDS = 1.0
_FADE_SECONDS = 1.0


def new_target(size: tuple[int, int]) -> pygame.Surface:
    """A 32-bit software surface to draw frames on (no display needed)."""
    return pygame.Surface(size, 0, 32)


def _hand_over(surface: pygame.Surface, on_frame: FrameCallback) -> None:
    pixels = surface_array(surface)
    try:
        on_frame(pixels)
    finally:
        del pixels  # unlock the surface before it is drawn on again


def render_still(curve: Curve, size: tuple[int, int], on_frame: FrameCallback) -> None:
    """The finished curve on its background, without the pen: one frame."""
    from spirokiosk.display.draw.drawing import CurveDrawing

    drawing = CurveDrawing(curve, size=size)
    drawing.advance_to(1.0)
    target = new_target(size)
    target.blit(drawing.canvas, (0, 0))
    _hand_over(target, on_frame)


def still_pixels(curve: Curve, size: tuple[int, int]) -> np.ndarray:
    """A copy of `render_still`'s frame, e.g. to build a GIF palette from."""
    captured = []
    render_still(curve, size, lambda pixels: captured.append(pixels.copy()))
    return captured[0]


def frame_step(frames: int, fps: int) -> tuple[float, float]:
    """(draw_seconds, seconds between frames) for `frames` frames spanning the drawing."""
    if frames < 2:
        raise ValueError(f"frames: an animation needs at least 2, not {frames}")
    draw_seconds = (frames - 1) / fps
    return draw_seconds, draw_seconds / (frames - 1)


def render_animation(
    curve: Curve,
    size: tuple[int, int],
    frames: int,
    fps: int,
    on_frame: FrameCallback,
) -> None:
    """`frames` frames spread over the whole drawing, the pen shown, as the screen has them.

    Frame 0 is the scene before any time has passed (the bare background);
    each later frame advances the scene by 1/fps; the last holds the whole curve.
    """
    from spirokiosk.display.draw.scene import Overlays, Scene, Timing

    draw_seconds, step = frame_step(frames, fps)
    scene = Scene(
        size=size,
        next_curve=lambda: curve,
        timing=Timing(
            draw_seconds=draw_seconds, hold_seconds=_HOLD_SECONDS, fade_seconds=_FADE_SECONDS
        ),
        overlays=Overlays(pen=True, wheels=False, caption=False),
    )
    target = new_target(size)
    for index in range(frames):
        if index:
            scene.update(step)
        scene.composer.draw(target)
        _hand_over(target, on_frame)
    log.debug("rendered %d frames of %s at %dx%d", frames, curve.name, *size)
