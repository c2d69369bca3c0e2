"""`spirokiosk render`: a curve to a PNG (finished picture), GIF or MP4 (its animation),
or an SVG for pen plotters.

    spirokiosk render --curve NAME|FILE.toml[:TABLE]|random [--seed N]
                      [--size WxH] [--frames N] [--fps N] --out F.png|F.gif|F.mp4
    spirokiosk render --curve ... [--paper a4|a3|letter[-landscape]|WxH] [--margin MM]
                      [--pens N] [--pen-width MM] --out F.svg

Every mistake the user can fix (unknown curve, bad curve file, bad size, bad
output path...) is one line, `spirokiosk render: error: ...`, and exit status 2.
The output appears only when complete: a half-written file is never left behind.
The options are checked in `render_request`; here the file is rendered.
"""

import argparse
import contextlib
import signal
import sys
import time
from pathlib import Path

from spirokiosk.daemon.commands.curve_spec import UsageError, load_curve
from spirokiosk.daemon.commands.render_request import (
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    DEFAULT_SIZE,
    MAX_WORK_PIXELS,
    RenderRequest,
    gigapixels,
    parse_request,
)

PROG = "spirokiosk render"
EXIT_USAGE = 2


def register(subparsers, common) -> None:
    parser = subparsers.add_parser(
        "render",
        parents=[common],
        help="render a curve to a PNG, GIF, MP4 or plotter SVG file",
        description=(
            "Render a curve: PNG is the finished picture, GIF and MP4 the animation the "
            "screen shows, N frames spread over the whole drawing; SVG the finished curve "
            "for a pen plotter (size in mm, one Inkscape layer per pen)."
        ),
        epilog=(
            "CURVE is a preset name (see 'spirokiosk presets'), 'random', or a TOML file: "
            "FILE.toml holding one curve (at the top level or as its only table), or "
            "FILE.toml:TABLE for one table of a file that holds several."
        ),
    )
    parser.add_argument(
        "--curve", required=True, metavar="CURVE", help="NAME, FILE.toml[:TABLE] or random"
    )
    parser.add_argument("--seed", metavar="N", help="seed for --curve random (printed if omitted)")
    parser.add_argument(
        "--size", default=DEFAULT_SIZE, metavar="WxH", help=f"pixels (default {DEFAULT_SIZE})"
    )
    parser.add_argument(
        "--frames",
        default=str(DEFAULT_FRAMES),
        metavar="N",
        help=f"frames of animation for GIF and MP4 (default {DEFAULT_FRAMES})",
    )
    parser.add_argument(
        "--fps", default=str(DEFAULT_FPS), metavar="N", help=f"frame rate (default {DEFAULT_FPS})"
    )
    parser.add_argument(
        "--out", required=True, metavar="FILE", help="output: .png, .gif, .mp4 or .svg"
    )
    plotter = parser.add_argument_group("SVG for pen plotters (--out F.svg)")
    plotter.add_argument(
        "--paper",
        metavar="PAPER",
        help="a4, a3, letter (add -landscape), or WxH in mm (default a4)",
    )
    plotter.add_argument("--margin", metavar="MM", help="margin in mm (default 15)")
    plotter.add_argument(
        "--pens", metavar="N", help="pens, one layer each; 1: one black pen (default 4)"
    )
    plotter.add_argument("--pen-width", metavar="MM", help="pen line width in mm (default 0.4)")
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"render even past {MAX_WORK_PIXELS // 10**9} gigapixels of frames (a long render)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        with _sigterm_as_exit():
            return render(parse_request(args))
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


# -- rendering ----------------------------------------------------------------------


def render(request: RenderRequest) -> int:
    from spirokiosk.display.export.output import OutputError, atomic_output, remove_stale_parts
    from spirokiosk.display.export.writer import MissingLibraryError

    curve, seed = load_curve(request.curve, request.seed)
    if seed is not None:
        print(f"random curve, seed {seed} (again: --curve random --seed {seed})")
    for stale in remove_stale_parts(request.out):
        print(f"removed {stale} (left by a render that was killed)", file=sys.stderr)
    if request.kind not in ("png", "svg"):
        print(f"rendering {request.frames} frames at {request.size}: {gigapixels(request.work)}")
    started = time.perf_counter()
    try:
        with atomic_output(request.out) as temp:
            write_file(curve, request, temp)
    except OutputError as exc:
        raise UsageError(f"--out {exc}") from None
    except MissingLibraryError as exc:
        raise UsageError(str(exc)) from None
    seconds = time.perf_counter() - started
    w, h = request.size
    what = f"{w}x{h}"
    if request.kind == "svg":
        page = request.page
        pens = "1 pen" if page.pens == 1 else f"up to {page.pens} pens"
        what = f"{page.paper[0]:g}x{page.paper[1]:g} mm, {pens}"
    elif request.kind != "png":
        what = f"{request.frames} frames, {what}, {request.fps} fps"
    print(f"wrote {request.out} ({what}, {seconds:.1f} s)")
    return 0


def write_file(curve, request: RenderRequest, path: Path) -> None:
    """Render `curve` into `path` as the request says: still or animation, with progress."""
    from spirokiosk.display.draw.surfaces import surface_layout
    from spirokiosk.display.export import frames
    from spirokiosk.display.export.formats import open_writer
    from spirokiosk.display.export.progress import Progress

    size, kind = request.size, request.kind
    if kind == "svg":
        from spirokiosk.display.export.svg import plotter_svg

        path.write_text(plotter_svg(curve, request.page), encoding="utf-8")
        return
    layout = surface_layout(frames.new_target(size))
    palette = frames.still_pixels(curve, size) if kind == "gif" else None
    with open_writer(kind, path, size, request.fps, layout, palette, curve=curve) as writer:
        if kind == "png":
            frames.render_still(curve, size, writer.add)
        else:
            with Progress(request.frames, f"rendering {request.out.name}") as progress:

                def on_frame(pixels) -> None:
                    writer.add(pixels)
                    progress.advance()

                frames.render_animation(curve, size, request.frames, request.fps, on_frame)
        writer.finish()


@contextlib.contextmanager
def _sigterm_as_exit():
    """SIGTERM unwinds like Ctrl-C, so the temporary output file is removed."""

    def _raise(signum, frame):
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
