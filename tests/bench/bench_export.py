"""Benchmark: the web's exports against `spirokiosk render`, and the screen's frame rate
with and without a 1080p MP4 export running.

    .venv/bin/python tests/bench/bench_export.py [--seconds 10] [--skip-screen]

1. Each format as POST /api/export makes it (ExportJobs: a worker process at nice 10,
   the file in memory; submit to done) beside `spirokiosk render` of the same curve,
   size and frame count (its own process, the file on disk); the ratio export / render.
   GIF and MP4 exports are loops (draw, hold, fade), render's the drawing alone: the
   same number of frames either way.
2. A real kiosk, `spirokiosk run --display window` at 1920x1080 under Xvfb (no vsync:
   display.fps = 60 caps it), its render rate read from /api/status for --seconds
   without an export, then for --seconds while a 1080x1920 (9:16) MP4 export renders;
   the ratio. Budget (design.md): at least 55 fps with the export running (the mean
   of the one-second rates over a whole curve: drawn 8 s, held 2 s, then the next).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_pi import x_server

from spirokiosk.web.app.export_jobs import ExportJobs
from spirokiosk.web.app.export_requests import export_from_request

CURVE = "seed-magma-11"
BUDGET_FPS = 55.0
CASES = (  # (format, width, frames) as POST /api/export takes them
    ("png", 1080, None),
    ("svg", None, None),
    ("gif", 480, 120),
    ("mp4", 720, 300),
    ("mp4", 1080, 300),
)


def export_seconds(jobs: ExportJobs, body: dict) -> tuple[float, int]:
    wanted = export_from_request(body)
    started = time.perf_counter()
    job = jobs.submit(wanted.spec, wanted.filename, wanted.content_type)
    while True:
        status = jobs.status(job.id)
        if status["state"] not in ("queued", "running"):
            break
        time.sleep(0.02)
    if status["state"] != "done":
        raise SystemExit(f"export failed: {status}")
    return time.perf_counter() - started, status["bytes"]


def render_seconds(kind: str, width: int | None, frames: int | None, out: Path) -> float:
    command = [sys.executable, "-m", "spirokiosk.daemon.cli", "render", "--curve", CURVE]
    if width:
        command += ["--size", f"{width}x{width}"]
    if frames:
        command += ["--frames", str(frames)]
    command += ["--out", str(out / f"render.{kind}")]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def formats() -> None:
    print("exports (worker process, in memory) beside `spirokiosk render` (process, on disk):")
    jobs = ExportJobs()
    try:
        with tempfile.TemporaryDirectory() as out:
            for kind, width, frames in CASES:
                body: dict = {"curve": {"preset": CURVE}, "format": kind}
                if width:
                    body["size"] = width
                if frames:
                    body["frames"] = frames
                exported, size = export_seconds(jobs, body)
                rendered = render_seconds(kind, width, frames, Path(out))
                what = f"{kind} " + (f"{width}x{width}" if width else "a4")
                what += f", {frames} frames" if frames else ""
                print(
                    f"  {what:<22} export {exported:6.2f} s ({size / 1024:7.0f} KiB)  "
                    f"render {rendered:6.2f} s  ratio x{exported / rendered:.2f}"
                )
    finally:
        jobs.close()


# -- the screen's frame rate ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return json.load(response)


def call(port: int, method: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def start_kiosk(workdir: Path, port: int, display: str) -> subprocess.Popen:
    config = workdir / "config.toml"
    config.write_text("")
    settings = (
        "web.bind=127.0.0.1",
        f"web.port={port}",
        f"state.dir={workdir / 'state'}",
        "display.size=1920x1080",
        "display.fps=60",
        "display.show_address=never",
        "discovery.enabled=false",
        "curves.draw_seconds=8",
        "curves.hold_seconds=2",
    )
    command = [sys.executable, "-m", "spirokiosk.daemon.cli", "run", "--display", "window"]
    command += ["--config", str(config)]
    for setting in settings:
        command += ["--set", setting]
    env = {k: v for k, v in os.environ.items() if k != "SDL_VIDEODRIVER"}
    env["DISPLAY"] = display
    kiosk = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if get(port, "/api/status")["fps"]:
                return kiosk
        except OSError:
            pass
        time.sleep(0.2)
    kiosk.kill()
    raise SystemExit("the kiosk did not start")


def sample_fps(port: int, seconds: float, export_url: str | None = None) -> list[float]:
    """/api/status's fps twice a second (the loop's rate over its last second); polls the
    export too, as the page does (an export nobody asks about is cancelled)."""
    rates = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.5)
        rates.append(float(get(port, "/api/status")["fps"]))
        if export_url:
            state = get(port, export_url)["state"]
            if state != "running":
                raise SystemExit(f"the export is {state} before the measurement ended")
    return rates


def screen(seconds: float) -> None:
    print("screen at 1920x1080 (window under Xvfb, display.fps = 60):")
    xvfb, display = x_server((1920, 1080))
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        kiosk = start_kiosk(Path(workdir), port, display)
        try:
            time.sleep(1.0)  # the first curve prepared, the start-up's work done
            alone = sample_fps(port, seconds)
            body = {"curve": {"preset": CURVE}, "format": "mp4", "size": 1080}
            body |= {"framing": "9:16", "frames": 1800}
            answer = call(port, "POST", "/api/export", body)
            url = answer["status_url"]
            while get(port, url)["progress"] == 0:
                time.sleep(0.1)
            first = (time.monotonic(), get(port, url)["progress"])
            busy = sample_fps(port, seconds, url)
            last = (time.monotonic(), get(port, url)["progress"])
            call(port, "DELETE", url, {})
        finally:
            kiosk.send_signal(signal.SIGTERM)
            kiosk.wait(10)
            xvfb.terminate()
            xvfb.wait(5)
    export_fps = (last[1] - first[1]) * 1801 / (last[0] - first[0])
    mean_alone, mean_busy = statistics.mean(alone), statistics.mean(busy)
    print(f"  without an export: mean {mean_alone:5.1f} fps, lowest {min(alone):5.1f}")
    print(
        f"  with a 1080x1920 MP4 export: mean {mean_busy:5.1f} fps, lowest {min(busy):5.1f} "
        f"(the export at {export_fps:.0f} frames/s)"
    )
    verdict = "ok" if mean_busy >= BUDGET_FPS else "UNDER BUDGET"
    print(
        f"  ratio with/without x{mean_busy / mean_alone:.3f}; with the export {mean_busy:.1f} "
        f"fps against the {BUDGET_FPS:.0f} fps budget: {verdict} (the lowest one-second "
        "rates are the curve changes, with or without an export)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="each fps measurement (10: one curve)"
    )
    parser.add_argument("--skip-screen", action="store_true", help="only the formats")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs")
    formats()
    if not args.skip_screen:
        screen(args.seconds)


if __name__ == "__main__":
    main()
