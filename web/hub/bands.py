"""The stream's JPEG encoded band by band, re-encoding only the bands that changed.

The encoder thread's `BandEncoder` keeps, for the stream's current size and settings,
each band's entropy-coded scan (one MCU row, 16 px, see web.hub.splice). A frame comes
with what changed since the last one (rectangles in the frame's pixels, or None for
everything); those rows are mapped to the stream's rows, then to bands; only those
bands are scaled (for whole-step scaling, from their own source rows), get the sprites
drawn and are encoded, and the JPEG is spliced from the kept scans and the new ones.
A frame that changed nothing reuses the last JPEG.

A frame where (nearly) all bands change (a fade, new settings, a new curve's first
frame) is one whole encode instead (see WHOLE_ABOVE for the measured cut). The band
scans are then stale, and rebuilt, all bands as strips, on the next frame that changes
few bands.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable

import numpy as np

from spirokiosk.web.hub.jpeg import (
    StreamBox,
    compress,
    encode_jpeg,
    scale_pixels,
    streamed_size,
)
from spirokiosk.web.hub.splice import MCU_ROWS, ParsedJpeg, parse, splice
from spirokiosk.web.hub.sprites import Sprite, SpriteScaler

log = logging.getLogger(__name__)

Rect = tuple[int, int, int, int]  # x, y, w, h in the published frame's pixels

# Above this share of bands changed, one whole encode instead of strips. Measured here
# (x86-64, simplejpeg 1.9.0's libjpeg-turbo; tests/bench/bench_bands.py, median of 20): all
# 68 strips of a 1920x1080 curve picture, spliced, cost 1.03x one whole encode (3.95 ms
# against 3.85), all 34 of a 960x540 one 1.07x (1.01 against 0.95). A whole encode saves
# those few per cent on its frame but leaves the scans stale, so the next frame that
# changes little pays a full set of strips again: it only pays when nearly every band
# changes (and the frames after it are likely to change everything too).
WHOLE_ABOVE = 0.9
# A bilinear resize (a box that is not a whole divisor) reads a source row into the
# output rows within its filter's support: one output row each side when shrinking
# (Pillow libImaging/Resample.c, support = filter support x scale), plus a row for
# rounding and one for reducing_gap's first step.
RESIZE_MARGIN_ROWS = 3


class BandEncoder:
    """Frames in, JPEGs out, paying for the bands that changed (encoder thread only).

    Counts what it did: `strip_encodes` (bands encoded on their own), `whole_encodes`
    and `reused` (frames whose JPEG was the last one again)."""

    def __init__(self) -> None:
        self.strip_encodes = 0
        self.whole_encodes = 0
        self.reused = 0
        self._sprites = SpriteScaler()
        self._key: tuple | None = None
        self._header: ParsedJpeg | None = None  # tables and SOS shared by all bands
        self._scans: list[bytes | None] | None = None  # None: rebuild them all
        self._last: tuple[bytes, int, int] | None = None
        self._had_fade = False
        self._sprite_marks: tuple = ()
        self._sprite_bands: set[int] = set()
        self._mismatch_logged = False
        # A fade's old frame at the stream's size, and its (over_key, shape, size, divisor): the
        # same for the whole fade, so scaled once (at `auto`, a Pillow reduce of 8 MB,
        # 3 ms here, is most of a fade frame's encode).
        self._over_scaled: np.ndarray | None = None
        self._over_mark: tuple | None = None

    def forget(self) -> None:
        """Take the next frame as all new (a frame's changes were lost; the last viewer
        left): the fade's scaled old frame goes too."""
        self._key = None
        self._over_scaled = self._over_mark = None

    def encode(
        self,
        pixels: np.ndarray,
        layout: str,
        quality: int,
        box: StreamBox | None = None,
        over: tuple[np.ndarray, int] | None = None,
        sprites: tuple[Sprite, ...] = (),
        changed: Iterable[Rect] | None = None,
        over_key: object = None,
    ) -> tuple[bytes, int, int]:
        """As web.hub.jpeg.encode_jpeg, with `changed`: what differs from the frame given
        last (None: anything may), and `over_key`: the same (not None) as the last frame's
        when `over` holds the same pixels (its scaled copy is used again)."""
        height, width = pixels.shape[:2]
        size, divisor = streamed_size(box, (width, height))
        key = (pixels.shape, layout, quality, size, divisor)
        fade = over is not None and over[1] > 0
        everything = changed is None or fade or self._had_fade or key != self._key
        if key != self._key:
            self._key, self._scans, self._last = key, None, None
            self._sprite_marks, self._sprite_bands = (), set()
        self._had_fade = fade
        count = -(-size[1] // MCU_ROWS)
        factor = size[0] / width
        dirty = self._sprite_damage(sprites, factor, count)
        if not everything:
            dirty |= _bands(changed, (width, height), size, divisor)
        if not everything and not dirty and self._last is not None:
            self.reused += 1
            return self._last
        if self._scans is None and not everything and len(dirty) <= WHOLE_ABOVE * count:
            dirty = set(range(count))  # the scans are stale: rebuild them all, as strips
        elif everything or self._scans is None or len(dirty) > WHOLE_ABOVE * count:
            over = self._scaled_over(over, over_key, size, divisor)
            return self._whole(pixels, layout, quality, box, over, sprites)
        jpeg = self._strips(pixels, layout, quality, size, divisor, sprites, sorted(dirty))
        if jpeg is None:
            return self._whole(pixels, layout, quality, box, over, sprites)
        self._last = (jpeg, size[0], size[1])
        return self._last

    def _scaled_over(
        self,
        over: tuple[np.ndarray, int] | None,
        key: object,
        size: tuple[int, int],
        divisor: int | None,
    ) -> tuple[np.ndarray, int] | None:
        """`over` with its pixels at `size` (encode_jpeg then leaves them as they are): kept
        while frames come with the same `key`. Only a scaled copy is kept, never a view of
        the frame lent (at the display's size the pixels are used as they come)."""
        if over is None or over[1] <= 0 or key is None:
            self._over_scaled = self._over_mark = None  # (the fade is over)
            return over
        pixels, alpha = over
        if (pixels.shape[1], pixels.shape[0]) == size:
            return over
        mark = (key, pixels.shape, size, divisor)
        if mark != self._over_mark or self._over_scaled is None:
            self._over_scaled = scale_pixels(pixels, size, divisor)
            self._over_mark = mark
        return self._over_scaled, alpha

    def _sprite_damage(self, sprites: tuple[Sprite, ...], factor: float, count: int) -> set[int]:
        """The bands the sprites left and the bands they are on now, when they moved."""
        marks = tuple((id(p), p.shape, x, y) for p, x, y in sprites)
        if marks == self._sprite_marks:
            return set()
        bands = set()
        for sprite in sprites:
            first, end = self._sprites.rows(sprite, factor)
            bands.update(range(max(0, first // MCU_ROWS), min(count, -(-end // MCU_ROWS))))
        left, self._sprite_bands, self._sprite_marks = self._sprite_bands, bands, marks
        return left | bands

    def _whole(self, pixels, layout, quality, box, over, sprites) -> tuple[bytes, int, int]:
        self.whole_encodes += 1
        self._scans = None
        self._last = encode_jpeg(pixels, layout, quality, box, over, sprites, self._sprites)
        return self._last

    def _strips(
        self,
        pixels: np.ndarray,
        layout: str,
        quality: int,
        size: tuple[int, int],
        divisor: int | None,
        sprites: tuple[Sprite, ...],
        dirty: list[int],
    ) -> bytes | None:
        """Encode the `dirty` bands and splice; None when a strip's tables differ."""
        count = -(-size[1] // MCU_ROWS)
        scans = self._scans
        if scans is None:  # a rebuild: every band, and the tables from the first
            scans, self._header = [None] * count, None
        whole = None if divisor is not None else scale_pixels(pixels, size)
        factor = size[0] / pixels.shape[1]
        for first, end in _runs(dirty):
            top, bottom = first * MCU_ROWS, min(end * MCU_ROWS, size[1])
            if whole is not None:  # resampled: the whole picture was scaled
                rows = whole[top:bottom]
            else:
                source = pixels[top * divisor : min(bottom * divisor, pixels.shape[0])]
                rows = scale_pixels(source, (size[0], bottom - top), divisor)
            if sprites:
                rows = self._sprites.draw(rows, layout, sprites, factor, top)
            for band in range(first, end):
                strip = rows[(band - first) * MCU_ROWS : (band - first + 1) * MCU_ROWS]
                parsed = self._strip(strip, layout, quality)
                if parsed is None:
                    return None
                scans[band] = parsed.scan
        self._scans = scans
        return splice(self._header, size[1], math.ceil(size[0] / MCU_ROWS), scans)

    def _strip(self, strip: np.ndarray, layout: str, quality: int) -> ParsedJpeg | None:
        self.strip_encodes += 1
        jpeg = self._compress(np.ascontiguousarray(strip), layout, quality)
        try:
            parsed = parse(jpeg)
        except ValueError as error:
            return self._mismatch(str(error))
        if self._header is None:  # the first strip of a rebuild sets the tables
            self._header = parsed
        elif parsed.tables != self._header.tables:
            return self._mismatch("a strip's tables differ from the header's")
        return parsed

    def _compress(self, strip: np.ndarray, layout: str, quality: int) -> bytes:
        """One strip as a JPEG of its own, with the settings of a whole encode."""
        return compress(strip, layout, quality)

    def _mismatch(self, why: str) -> None:
        if not self._mismatch_logged:
            self._mismatch_logged = True
            log.debug("band encoding falls back to whole encodes: %s", why)
        self._scans = None
        return None


def _bands(
    changed: Iterable[Rect], frame: tuple[int, int], size: tuple[int, int], divisor: int | None
) -> set[int]:
    """The bands of the stream picture (`size`) that `changed` (in `frame`'s pixels) touch."""
    height = frame[1]
    out_height = size[1]
    bands: set[int] = set()
    for _, y, _, h in changed:
        y0, y1 = max(0, y), min(height, y + h)
        if y1 <= y0:
            continue
        if divisor is not None:
            first, end = y0 // divisor, -(-y1 // divisor)
        else:
            scale = out_height / height
            first = math.floor(y0 * scale) - RESIZE_MARGIN_ROWS
            end = math.ceil(y1 * scale) + RESIZE_MARGIN_ROWS
        first, end = max(0, first), min(out_height, end)
        bands.update(range(first // MCU_ROWS, -(-end // MCU_ROWS)))
    return bands


def _runs(bands: list[int]) -> list[tuple[int, int]]:
    """Sorted band numbers as [first, end) runs of neighbours."""
    runs: list[tuple[int, int]] = []
    for band in bands:
        if runs and runs[-1][1] == band:
            runs[-1] = (runs[-1][0], band + 1)
        else:
            runs.append((band, band + 1))
    return runs
