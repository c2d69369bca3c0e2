"""A synthetic camera: moving colour bars with a clock, for demos and tests.

The picture is precomputed once, as a strip one pattern period wider than
the frame (colour bars of pure colours over a hue band and a grey ramp), so a
frame is one slice copy at a scrolling offset plus a small seven-segment
clock (local time, tenths of a second) painted from precomputed glyph masks.
Cheap at 1920x1080: no per-pixel Python, no fonts (SDL_ttf is left to the
render thread).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from spirokiosk.display.pixels import convert_layout

DEFAULT_FPS = 30.0
BARS = (  # the classic order: white, yellow, cyan, green, magenta, red, blue, black
    (255, 255, 255),
    (255, 255, 0),
    (0, 255, 255),
    (0, 255, 0),
    (255, 0, 255),
    (255, 0, 0),
    (0, 0, 255),
    (0, 0, 0),
)
SCROLL_SECONDS = 8.0  # one whole pattern period scrolls by in this time
# Seven segments a..g: top, top right, bottom right, bottom, bottom left, top left, middle.
DIGIT_SEGMENTS = {
    "0": "abcdef",
    "1": "bc",
    "2": "abdeg",
    "3": "abcdg",
    "4": "bcfg",
    "5": "acdfg",
    "6": "acdefg",
    "7": "abc",
    "8": "abcdefg",
    "9": "abcdfg",
}


def hue_colours(n: int) -> np.ndarray:
    """`n` fully saturated colours round the hue circle, (n, 3) uint8."""
    hue = np.arange(n) * (6.0 / n)
    # Distance to each primary's hue, on the circle, as in HSV with s = v = 1.
    rgb = np.stack([np.abs((hue - centre + 3.0) % 6.0 - 3.0) for centre in (0.0, 2.0, 4.0)], 1)
    return np.round(255.0 * np.clip(2.0 - rgb, 0.0, 1.0)).astype(np.uint8)


def pattern_strip(size: tuple[int, int]) -> tuple[np.ndarray, int]:
    """The precomputed picture (h, w + period, 3) RGB, and its period in pixels."""
    w, h = size
    bar = max(2, round(w / len(BARS)))
    period = bar * len(BARS)
    width = w + period
    x = np.arange(width) % period
    strip = np.empty((h, width, 3), np.uint8)
    bars_end, hues_end = round(h * 0.6), round(h * 0.78)
    strip[:bars_end] = np.array(BARS, np.uint8)[x // bar][None]
    strip[bars_end:hues_end] = hue_colours(period)[x][None]
    strip[hues_end:] = np.round(x * (255.0 / max(period - 1, 1))).astype(np.uint8)[None, :, None]
    return strip, period


def _segment_boxes(height: int, width: int, thick: int) -> dict[str, tuple[slice, slice]]:
    mid = (height - thick) // 2
    return {
        "a": (slice(0, thick), slice(0, width)),
        "b": (slice(0, mid + thick), slice(width - thick, width)),
        "c": (slice(mid, height), slice(width - thick, width)),
        "d": (slice(height - thick, height), slice(0, width)),
        "e": (slice(mid, height), slice(0, thick)),
        "f": (slice(0, mid + thick), slice(0, thick)),
        "g": (slice(mid, mid + thick), slice(0, width)),
    }


def clock_glyphs(height: int) -> dict[str, np.ndarray]:
    """Boolean masks (height, width) for the digits, ':' and '.'."""
    width = max(3, height // 2)
    thick = max(1, height // 9)
    boxes = _segment_boxes(height, width, thick)
    glyphs = {}
    for char, segments in DIGIT_SEGMENTS.items():
        mask = np.zeros((height, width), bool)
        for segment in segments:
            mask[boxes[segment]] = True
        glyphs[char] = mask
    dot_w = max(thick, 2)
    colon = np.zeros((height, dot_w), bool)
    colon[height // 4 : height // 4 + thick] = True
    colon[3 * height // 4 - thick : 3 * height // 4] = True
    dot = np.zeros((height, dot_w), bool)
    dot[height - thick :] = True
    glyphs[":"], glyphs["."] = colon, dot
    return glyphs


class SyntheticDevice:
    """A CameraDevice drawing the pattern at `fps`, in the byte order `layout`."""

    def __init__(
        self,
        size: tuple[int, int],
        layout: str = "BGRX",
        *,
        fps: float = DEFAULT_FPS,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.size = (int(size[0]), int(size[1]))
        self.layout = layout
        self.fps = float(fps)
        self._clock = clock
        self._wall_clock = wall_clock
        self._strip: np.ndarray | None = None
        self._period = 1
        self._glyphs: dict[str, np.ndarray] = {}
        self._white = np.array([255] * 4, np.uint8)
        self._next: float | None = None

    def open(self) -> None:
        strip, self._period = pattern_strip(self.size)
        self._strip = convert_layout(strip, "RGB", self.layout)
        self._glyphs = clock_glyphs(max(8, self.size[1] // 10))
        self._next = None

    def read(self, timeout: float, cancel: threading.Event) -> np.ndarray | None:
        """The next frame, on time for `fps` (`timeout` does not matter: it always comes)."""
        now = self._clock()
        if self._next is None:
            self._next = now
        if self._next > now and cancel.wait(self._next - now):
            return None
        if cancel.is_set():
            return None
        now = self._clock()
        step = 1.0 / self.fps
        self._next = max(self._next + step, now - step)  # no burst after a stall
        return self.render(now, self._wall_clock())

    def close(self) -> None:
        self._strip = None

    def render(self, now: float, wall: float) -> np.ndarray:
        """The frame at monotonic time `now` with the clock showing `wall` (Unix time)."""
        if self._strip is None:
            raise RuntimeError("the synthetic camera is not open")
        w, h = self.size
        offset = int(now * self._period / SCROLL_SECONDS) % self._period
        frame = np.empty((h, w, 4), np.uint8)
        frame[:] = self._strip[:, offset : offset + w]
        self._draw_clock(frame, wall)
        return frame

    def _draw_clock(self, frame: np.ndarray, wall: float) -> None:
        local = time.localtime(wall)
        text = time.strftime("%H:%M:%S", local) + f".{int(wall * 10) % 10}"
        glyphs = [self._glyphs[char] for char in text]
        gap = max(1, glyphs[0].shape[0] // 6)
        height = glyphs[0].shape[0]
        width = sum(g.shape[1] for g in glyphs) + gap * (len(glyphs) - 1)
        h, w = frame.shape[:2]
        pad = gap * 2
        x0 = max(0, (w - width) // 2 - pad)
        y0 = max(0, h - height - 4 * pad)
        box = frame[y0 : y0 + height + 2 * pad, x0 : x0 + width + 2 * pad]
        box[:] = 0
        box[..., [i for i, c in enumerate(self.layout) if c == "X"]] = 255
        x = pad
        for glyph in glyphs:
            gh, gw = glyph.shape
            region = box[pad : pad + gh, x : x + gw]
            region[glyph[: region.shape[0], : region.shape[1]]] = self._white
            x += gw + gap
