"""Offline render benchmark: `spirokiosk render` against the matplotlib baseline.

Renders seed-magma-11, 1024 frames at 576x576, to H.264 mp4 with our command,
then runs ../shared/bench/seed_baseline.py (modes segments and gradient) on the
same work, one job at a time, and prints each time and the ratios against the
budgets in design.md (at least 40x faster than segments, 10x than gradient).

Times are wall-clock times of whole processes (start-up and imports included on
both sides); the median of --repeat runs of ours is used for the ratios.

    .venv/bin/python tests/bench/bench_render.py              # everything (~4 min)
    .venv/bin/python tests/bench/bench_render.py --no-baseline # our side only
    .venv/bin/python tests/bench/bench_render.py --no-baseline --profile

The baseline needs matplotlib in this interpreter and an ffmpeg binary on PATH:
    .venv/bin/pip install matplotlib      and      sudo apt-get install ffmpeg
"""

import argparse
import cProfile
import importlib.util
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO.parent / "shared" / "bench" / "seed_baseline.py"
CURVE = "seed-magma-11"
FRAMES = 1024
SIZE = (576, 576)
FPS = 30
BUDGETS = {"segments": 40.0, "gradient": 10.0}


def our_command(out: Path) -> list[str]:
    script = shutil.which("spirokiosk", path=os.path.dirname(sys.executable))
    command = [script] if script else [sys.executable, "-m", "spirokiosk.daemon.cli"]
    size = f"{SIZE[0]}x{SIZE[1]}"
    return [*command, "render", "--curve", CURVE, "--frames", str(FRAMES), "--size", size,
            "--fps", str(FPS), "--out", str(out)]  # fmt: skip


def timed(command: list[str]) -> tuple[float, str]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return seconds, done.stdout.strip()


def check_mp4(path: Path) -> str:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = stream.frames
        found = (frames, stream.width, stream.height, stream.average_rate)
    if found != (FRAMES, *SIZE, FPS):
        sys.exit(f"{path}: expected {FRAMES} frames {SIZE} at {FPS} fps, found {found}")
    return f"{frames} frames {stream.width}x{stream.height} {stream.average_rate} fps"


def baseline_problems() -> list[str]:
    problems = []
    if not BASELINE.is_file():
        problems.append(f"baseline script not found: {BASELINE}")
    if importlib.util.find_spec("matplotlib") is None:
        problems.append(f"matplotlib is missing: {sys.executable} -m pip install matplotlib")
    if shutil.which("ffmpeg") is None:
        problems.append("ffmpeg is missing: sudo apt-get install ffmpeg")
    return problems


def run_baseline(mode: str, workdir: Path) -> tuple[float, str]:
    out = workdir / f"baseline-{mode}.mp4"
    command = [sys.executable, str(BASELINE), "--curve", CURVE, "--frames", str(FRAMES),
               "--mode", mode, "--out", str(out)]  # fmt: skip
    seconds, stdout = timed(command)
    return seconds, stdout.splitlines()[-1] if stdout else ""


def profile_ours(workdir: Path, top: int) -> None:
    """Where our time goes: drawing alone, then the whole render under cProfile.

    cProfile sees the main thread only; the encoder thread's CPU time is measured
    separately (time.thread_time around each encode call).
    """
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    from spirokiosk.display.curves import PRESETS
    from spirokiosk.display.export import frames as render
    from spirokiosk.display.export import mp4

    curve = PRESETS[CURVE]
    started = time.perf_counter()
    render.render_animation(curve, SIZE, FRAMES, FPS, lambda pixels: None)
    print(f"drawing only (scene update + draw, no copy, no encode): "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip

    encoder_cpu = []
    original = mp4.Mp4Writer._encode

    def measured(self, frame):
        begun = time.thread_time()
        try:
            original(self, frame)
        finally:
            encoder_cpu.append(time.thread_time() - begun)

    mp4.Mp4Writer._encode = measured
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    writer = mp4.Mp4Writer(workdir / "profiled.mp4", SIZE, FPS, "BGRX")
    render.render_animation(curve, SIZE, FRAMES, FPS, writer.add)
    writer.finish()
    profiler.disable()
    wall = time.perf_counter() - started
    mp4.Mp4Writer._encode = original
    print(f"whole render in-process: {wall:.2f} s; encoder thread CPU {sum(encoder_cpu):.2f} s "
          "(RGB->YUV + x264 calls; x264's own threads not counted)")  # fmt: skip
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-baseline", action="store_true", help="time our side only")
    parser.add_argument("--modes", default="segments,gradient", help="baseline modes to run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (median used)")
    parser.add_argument("--profile", action="store_true", help="also profile our side")
    parser.add_argument("--top", type=int, default=20, help="profile rows to print")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not args.no_baseline and (problems := baseline_problems()):
        print("cannot run the baseline:", *problems, sep="\n  ", file=sys.stderr)
        print("(or run with --no-baseline for our side only)", file=sys.stderr)
        return 2

    print(f"work: {CURVE}, {FRAMES} frames, {SIZE[0]}x{SIZE[1]}, {FPS} fps, H.264 mp4; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        workdir = Path(tmp)
        ours = []
        for i in range(max(args.repeat, 1)):
            seconds, stdout = timed(our_command(workdir / "ours.mp4"))
            reported = re.search(r"([\d.]+) s\)$", stdout)
            ours.append(seconds)
            print(f"ours run {i + 1}: {seconds:.2f} s wall "
                  f"(render itself {reported.group(1) if reported else '?'} s)")  # fmt: skip
        print(f"ours output: {check_mp4(workdir / 'ours.mp4')}, "
              f"{(workdir / 'ours.mp4').stat().st_size / 1e3:.0f} kB")  # fmt: skip
        our_time = statistics.median(ours)
        print(f"ours: median {our_time:.2f} s, best {min(ours):.2f} s over {len(ours)} runs")

        failed = False
        if not args.no_baseline:
            for mode in modes:
                seconds, line = run_baseline(mode, workdir)
                ratio = seconds / our_time
                budget = BUDGETS.get(mode)
                verdict = ""
                if budget is not None:
                    ok = ratio >= budget
                    failed |= not ok
                    verdict = f"  budget >= {budget:.0f}x: {'OK' if ok else 'MISSED'}"
                print(f"baseline {mode}: {seconds:.2f} s wall ({line}); "
                      f"ours is {ratio:.1f}x faster{verdict}")  # fmt: skip
        if args.profile:
            profile_ours(workdir, args.top)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
