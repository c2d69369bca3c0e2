"""Band encoding benchmark: what strips cost against one whole encode. Not collected by pytest.

    .venv/bin/python tests/bench/bench_bands.py [--repeats 20]

For a finished-curve picture at 1920x1080 and at 960x540 (the auto stream size) prints
the median ms of: one whole simplejpeg encode; every band as a strip, spliced (what a
rebuild of the band scans costs); a frame with a short stroke (a few bands); a frame
with a fade (everything: one whole encode through web.hub.bands, with the blend) against the old
single encode_jpeg; the frame after a fade is the rebuild (all bands as strips). WHOLE_ABOVE in
web.hub.bands is chosen from the first two. Then a fade frame of a 1920x1080 display
streamed at `auto` (960x540): the old frame scaled every frame, against scaled once a
fade (the render loop's `over_key`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import simplejpeg

from spirokiosk.web.hub import AUTO_STREAM_BOX
from spirokiosk.web.hub.bands import BandEncoder
from spirokiosk.web.hub.jpeg import encode_jpeg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stream import curve_frames


def median_ms(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def measure(size: tuple[int, int], repeats: int) -> None:
    frame, other = curve_frames(size, 2)
    layout = "RGBX"
    width, height = size
    bands = -(-height // 16)

    def whole() -> None:
        simplejpeg.encode_jpeg(frame, 80, layout, "420", True)

    def rebuild_ms(encoder: BandEncoder, over) -> float:
        """A whole encode (untimed: with `over`, a fade frame), then the next frame's
        rebuild of every band as a strip, spliced (timed)."""
        times = []
        for _ in range(repeats):
            encoder.encode(frame, layout, 80, over=over)
            frame[0, 0] ^= 1
            started = time.perf_counter()
            encoder.encode(frame, layout, 80, changed=[(0, 0, 1, 1)])
            times.append(time.perf_counter() - started)
        return 1000 * statistics.median(times)

    encoder = BandEncoder()
    encoder.encode(frame, layout, 80)
    encoder.encode(frame, layout, 80, changed=[(0, 0, 1, 1)])
    step = [0]

    def stroke() -> None:
        step[0] += 1
        y = (step[0] * 37) % (height - 8)
        frame[y : y + 4, 100:110] ^= 0x40
        encoder.encode(frame, layout, 80, changed=[(100, y, 10, 4)])

    stroke_ms = median_ms(stroke, repeats)
    old_single = median_ms(lambda: encode_jpeg(frame, layout, 80, over=(other, 128)), repeats)
    fade = median_ms(lambda: encoder.encode(frame, layout, 80, over=(other, 128)), repeats)
    whole_ms = median_ms(whole, repeats)
    strips_ms = rebuild_ms(BandEncoder(), (other, 128))
    print(f"{width}x{height} ({bands} bands), median of {repeats}:")
    print(f"  one whole encode            {whole_ms:7.2f} ms")
    print(f"  all bands as strips, spliced {strips_ms:6.2f} ms  ({strips_ms / whole_ms:.2f}x)")
    print(f"  a short stroke (1-2 bands)  {stroke_ms:7.2f} ms")
    print(f"  a fade frame: old encode_jpeg {old_single:.2f} ms, band encoder {fade:.2f} ms")
    print("  (the frame after a fade rebuilds the bands: the strips' line above)")


def measure_fade_at_auto(repeats: int) -> None:
    frame, old = curve_frames((1920, 1080), 2)
    encoder = BandEncoder()
    alpha = [255]

    def fade_frame(key) -> None:
        alpha[0] = alpha[0] - 1 or 254
        encoder.encode(frame, "RGBX", 80, AUTO_STREAM_BOX, over=(old, alpha[0]), over_key=key)

    each = median_ms(lambda: fade_frame(None), repeats)
    once = median_ms(lambda: fade_frame(1), repeats)
    print("a 1920x1080 fade frame streamed at auto (960x540), median of", repeats)
    print(f"  old frame scaled every frame {each:6.2f} ms, scaled once a fade {once:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    for size in ((1920, 1080), (960, 540)):
        measure(size, args.repeats)
    measure_fade_at_auto(args.repeats)


if __name__ == "__main__":
    main()
