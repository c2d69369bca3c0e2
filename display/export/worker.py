"""One export, rendered in a child process: `python -m spirokiosk.display.export.worker`.

The web starts one per export (web/app/export_process.py) and writes the job on its stdin
as one JSON document:

    {"curve": Curve.to_dict(), "format": "png"|"svg"|"gif"|"mp4", "size": [W, H],
     "frames": N, "fps": N, "paper": [W, H] (mm, svg), "pens": N (svg)}

It lowers its own priority (nice 10 and SCHED_IDLE) so the screen keeps its frame rate,
renders in memory with the same code as `spirokiosk render` (frames, the writers, svg;
GIF and MP4 as a seamless loop, `loop.render_loop`) and answers on stdout, in bytes:

    progress 0.125\n            now and then, 0 to 1
    file 12345\n<12345 bytes>   the finished file, once, at the end
    error <one line>\n          instead of the file, when it cannot be made (exit 1)

Nothing is written to disk. Killing it (the export was cancelled or abandoned) stops
the render at once; it has no children of its own.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from typing import BinaryIO

WORKER_NICE = 10
PROGRESS_EVERY_S = 0.1


class Reporter:
    """Writes progress lines to `out`, at most every PROGRESS_EVERY_S."""

    def __init__(self, out: BinaryIO, total: int):
        self.out = out
        self.total = max(total, 1)
        self.done = 0
        self._last = 0.0

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY_S:
            self._last = now
            self.out.write(f"progress {min(self.done / self.total, 1.0):.4f}\n".encode())
            self.out.flush()


def render_job(job: dict, reporter: Reporter) -> bytes:
    """The file's bytes for `job` (see the module's doc)."""
    from spirokiosk.display.curves import Curve

    curve = Curve.from_dict(job["curve"])
    kind = job["format"]
    if kind == "svg":
        from spirokiosk.display.export.svg import PlotterPage, plotter_svg

        page = PlotterPage(paper=tuple(job["paper"]), pens=int(job["pens"]))
        return plotter_svg(curve, page).encode("utf-8")

    from spirokiosk.display.draw.surfaces import surface_layout
    from spirokiosk.display.export import frames
    from spirokiosk.display.export.formats import open_writer
    from spirokiosk.display.export.loop import render_loop

    size = (int(job["size"][0]), int(job["size"][1]))
    fps = int(job.get("fps", 30))
    buffer = io.BytesIO()
    layout = surface_layout(frames.new_target(size))
    palette = frames.still_pixels(curve, size) if kind == "gif" else None
    with open_writer(kind, buffer, size, fps, layout, palette, curve=curve, gif_hold_ms=0) as w:
        if kind == "png":
            frames.render_still(curve, size, w.add)
        else:
            reporter.total = int(job["frames"]) + 1  # the last step: writing the file

            def on_frame(pixels) -> None:
                w.add(pixels)
                reporter.advance()

            render_loop(curve, size, int(job["frames"]), fps, on_frame)
        w.finish()
    return buffer.getvalue()


def lower_priority() -> None:
    """Nice WORKER_NICE, and SCHED_IDLE where Linux has it: the worker then runs only on
    CPU time nothing else wants, so the render loop never waits for it. Set before any
    thread starts (x264's, the MP4 encoder's), which inherit both (sched(7))."""
    with contextlib.suppress(OSError):  # already as low as it may go
        os.nice(WORKER_NICE)
    if hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def main() -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # pygame surfaces, never a window
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    out = sys.stdout.buffer
    lower_priority()
    try:
        job = json.loads(sys.stdin.buffer.read())
        data = render_job(job, Reporter(out, 1))
    except Exception as exc:  # every failure is one line for the web to show
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        out.write(f"error {message[:500]}\n".encode())
        out.flush()
        return 1
    out.write(f"file {len(data)}\n".encode())
    out.write(data)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
