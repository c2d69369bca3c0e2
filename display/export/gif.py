"""GIF: the animation, built in memory with one palette for every frame (Pillow); the
curve's recipe is the GIF's comment extension (`tagged_recipe`)."""

import collections
import itertools
from collections.abc import Iterator

import numpy as np
from PIL import Image

from spirokiosk.display.curves import Curve
from spirokiosk.display.export.recipe import tagged_recipe
from spirokiosk.display.export.writer import FrameWriter, Target, to_image

GIF_COLOURS = 255  # one palette entry stays free for the transparency of unchanged pixels
GIF_HOLD_MS = 2000  # a looping GIF pauses on the finished curve, as the screen holds it


class GifWriter(FrameWriter):
    """An endlessly looping GIF with one palette for every frame.

    The palette comes from a picture with every colour the animation will show
    (the finished curve), so no frame is short of colours and the background
    does not flicker between frames as it does with a palette per frame. No
    dithering: each frame then differs from the last only where the pen moved,
    which Pillow stores as a small rectangle with the unchanged pixels
    transparent. GIF delays are in hundredths of a second, so the frame rate is
    approximate above 25 fps. `hold_ms`: how much longer the last frame stays (0 for an
    animation that holds and loops by itself, as the web's exports do).
    """

    def __init__(
        self,
        path: Target,
        size: tuple[int, int],
        fps: int,
        layout: str,
        palette_from: np.ndarray,
        *,
        curve: Curve | None = None,
        hold_ms: int = GIF_HOLD_MS,
    ):
        super().__init__(path, size, fps, layout, curve=curve)
        self.hold_ms = hold_ms
        self._check(palette_from)
        source = to_image(palette_from, layout)
        self._palette = source.quantize(GIF_COLOURS, method=Image.Quantize.MEDIANCUT)
        self._frames: collections.deque[Image.Image] = collections.deque()

    def add(self, pixels: np.ndarray) -> None:
        self._check(pixels)
        image = to_image(pixels, self.layout)
        self._frames.append(image.quantize(palette=self._palette, dither=Image.Dither.NONE))
        self.frames_added += 1

    def finish(self) -> None:
        if not self._frames:
            raise ValueError("gif: no frame was added")
        first = self._frames.popleft()
        extra = {} if self.curve is None else {"comment": tagged_recipe(self.curve)}
        first.save(
            self.path,
            format="GIF",
            save_all=True,
            append_images=_drain(self._frames),  # frees each frame once Pillow has it
            duration=gif_durations(self.frames_added, self.fps, self.hold_ms),
            loop=0,
            optimize=True,
            **extra,  # GifImagePlugin._get_global_header writes it as a comment extension
        )

    def abort(self) -> None:
        self._frames.clear()


def gif_durations(frames: int, fps: int, hold_ms: int = 0) -> list[int]:
    """Frame delays in ms, multiples of 10 (GIF counts hundredths of a second), chosen
    so their running sum stays within 10 ms of frame / fps: 30 fps is 30, 30, 40, ...
    The last frame, the finished curve, stays `hold_ms` longer before the loop restarts."""
    ticks = [round(i * 100 / fps) for i in range(frames + 1)]
    durations = [10 * (b - a) for a, b in itertools.pairwise(ticks)]
    durations[-1] += hold_ms
    return durations


def _drain(frames: collections.deque) -> Iterator[Image.Image]:
    while frames:
        yield frames.popleft()
