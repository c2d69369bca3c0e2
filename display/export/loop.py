"""Animations that loop seamlessly, in the framings the web offers.

    render_loop(curve, size, frames, fps, on_frame)

The pen draws the curve (as the screen does: `frames.render_animation`), the finished
curve holds, then it fades back into the bare background the first frame shows. The
fade is even steps of 1 / (fade frames + 1), so the jump from the last frame back to
the first is one more such step: no larger than the steps between neighbours.

Framings: "square" (W x W) and "9:16" (portrait, W x 16/9 W, for phones and stories:
the curve is fitted to the width, as `display.draw.layout.fit_curve` fits it to the
shorter side).
"""

from __future__ import annotations

import itertools

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.display.export.frames import FrameCallback, render_animation

FRAMINGS = ("square", "9:16")
HOLD_SHARE = 0.10  # of the frames: the finished curve held
FADE_SHARE = 0.15  # of the frames: the fade back to the background
MIN_LOOP_FRAMES = 6  # two to draw, one to hold, at least one to fade, and room


def framed_size(framing: str, width: int) -> tuple[int, int]:
    """(width, height) of `framing` at `width` pixels wide; the height is even (H.264)."""
    if framing == "square":
        return width, width
    if framing == "9:16":
        return width, 2 * round(width * 16 / 9 / 2)
    raise ValueError(f"framing: expected one of {', '.join(FRAMINGS)}, not {framing!r}")


def loop_parts(frames: int) -> tuple[int, int, int]:
    """(drawing, holding, fading) frames of a loop of `frames`."""
    if frames < MIN_LOOP_FRAMES:
        raise ValueError(f"frames: a loop needs at least {MIN_LOOP_FRAMES}, not {frames}")
    fade = max(1, round(frames * FADE_SHARE))
    hold = max(1, round(frames * HOLD_SHARE))
    return frames - hold - fade, hold, fade


def render_loop(
    curve: Curve, size: tuple[int, int], frames: int, fps: int, on_frame: FrameCallback
) -> None:
    """`frames` frames of a seamless loop: draw, hold, fade to the first frame."""
    drawing, hold, fade = loop_parts(frames)
    numbers = itertools.count(1)
    ends: dict[str, np.ndarray] = {}  # copies of the drawing's first and last frames

    def keeping_ends(pixels: np.ndarray) -> None:
        number = next(numbers)
        if number in (1, drawing):
            ends["first" if number == 1 else "last"] = pixels.copy()
        on_frame(pixels)

    render_animation(curve, size, drawing, fps, keeping_ends)
    first, last = ends["first"], ends["last"]
    for _ in range(hold):
        on_frame(last)
    # last + (first - last) * i / (fade + 1), in whole numbers: i = fade + 1 is `first`.
    towards = first.astype(np.int32) - last.astype(np.int32)  # times i: past int16
    frame = np.empty_like(last)
    for i in range(1, fade + 1):
        step = towards * i
        step //= fade + 1
        step += last
        np.copyto(frame, step, casting="unsafe")
        on_frame(frame)
