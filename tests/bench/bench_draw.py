"""Benchmark: frame time of the live renderer (Scene.update + its composer's draw), headless.

Live: 1920x1080 at 60 fps, draw_seconds 30, hold 8, fade 2: seed-magma-11 is
drawn and held, then cross-fades into a random curve that is drawn in turn.
Prints median and 99th percentile wall time per frame and its ratio to the
budget in design.md (median 4 ms, p99 10 ms), for the default overlays (pen)
and for all overlays; and the same in thread CPU time, which a busy machine
does not inflate. Offline: 1024 frames of seed-magma-11 at 576x576, drawing only.

    .venv/bin/python tests/bench/bench_draw.py [--seed N] [--quick]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np
import pygame

from spirokiosk.display.curves import PRESETS, random_curve
from spirokiosk.display.draw.scene import Overlays, Scene, Timing

BUDGET_MEDIAN_MS = 4.0
BUDGET_P99_MS = 10.0
LIVE_SIZE = (1920, 1080)
FPS = 60


def live(overlays: Overlays, seed: int, timing: Timing) -> dict[str, list[float]]:
    curves = iter([PRESETS["seed-magma-11"], random_curve(seed), random_curve(seed + 1)])
    scene = Scene(LIVE_SIZE, lambda: next(curves), timing, overlays)
    target = pygame.Surface(LIVE_SIZE, 0, 32)
    frames = round((2 * timing.draw_seconds + timing.hold_seconds) * FPS)
    times: dict[str, list[tuple[float, float]]] = {}
    for _ in range(frames):
        start, start_cpu = time.perf_counter(), time.thread_time()
        scene.update(1.0 / FPS)
        scene.composer.draw(target)
        wall_ms = (time.perf_counter() - start) * 1e3
        cpu_ms = (time.thread_time() - start_cpu) * 1e3
        times.setdefault(scene.phase, []).append((wall_ms, cpu_ms))
    return times


def report(label: str, times: list[tuple[float, float]]) -> None:
    """Wall time against the budget; CPU time too, which other processes do not inflate."""
    wall = [w for w, _ in times]
    cpu = [c for _, c in times]
    median, p99 = statistics.median(wall), float(np.percentile(wall, 99))
    print(
        f"  {label:<8} frames={len(wall):5d}  median={median:5.2f} ms "
        f"(x{median / BUDGET_MEDIAN_MS:.2f})  p99={p99:5.2f} ms (x{p99 / BUDGET_P99_MS:.2f})  "
        f"max={max(wall):6.2f} ms  |  cpu median={statistics.median(cpu):5.2f} "
        f"p99={float(np.percentile(cpu, 99)):5.2f} ms"
    )


def offline(frames: int = 1024, size: tuple[int, int] = (576, 576)) -> float:
    duration = 30.0
    scene = Scene(size, lambda: PRESETS["seed-magma-11"], Timing(draw_seconds=duration))
    target = pygame.Surface(size, 0, 32)
    start = time.perf_counter()
    for i in range(frames):
        if i:
            scene.update(duration / (frames - 1))
        scene.composer.draw(target)
    assert scene.progress == 1.0
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7, help="seed of the random curve")
    parser.add_argument("--quick", action="store_true", help="10 s drawings instead of 30 s")
    args = parser.parse_args()
    draw_seconds = 10.0 if args.quick else 30.0
    timing = Timing(draw_seconds=draw_seconds, hold_seconds=8.0, fade_seconds=2.0)
    print(
        f"live {LIVE_SIZE[0]}x{LIVE_SIZE[1]} at {FPS} fps, {timing}; "
        f"budget: median {BUDGET_MEDIAN_MS} ms, p99 {BUDGET_P99_MS} ms"
    )
    for name, overlays in (
        ("pen", Overlays()),
        ("all", Overlays(pen=True, wheels=True, caption=True)),
    ):
        times = live(overlays, args.seed, timing)
        print(f"overlays={name}")
        report("all", [t for phase in times.values() for t in phase])
        for phase in ("drawing", "holding", "fading"):
            report(phase, times.get(phase, [(0.0, 0.0)]))
    seconds = offline()
    print(f"offline 576x576, 1024 frames of seed-magma-11 (drawing only): {seconds:.2f} s")


if __name__ == "__main__":
    main()
