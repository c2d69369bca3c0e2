"""`spirokiosk render`'s options checked into a RenderRequest: the output type, size,
frames, frame rate and seed, an SVG's page, and the limits that keep a render sane (a
GIF held in memory, the work past which --force is needed). Each mistake is a
UsageError naming the option, which `render` prints as one line.
"""

import argparse
import math
import re
from dataclasses import dataclass
from pathlib import Path

from spirokiosk.daemon.commands.curve_spec import UsageError
from spirokiosk.display import sizes
from spirokiosk.display.messages import cut
from spirokiosk.display.sizes import Size

DEFAULT_SIZE = "576x576"
DEFAULT_FRAMES = 256
DEFAULT_FPS = 30
SIDE_RANGE = (16, 4096)  # pixels per side
FRAMES_RANGE = (2, 100_000)
FPS_RANGE = (1, 120)
GIF_MAX_FPS = 50  # browsers play GIF delays under 20 ms as 100 ms
GIF_MAX_PIXELS = 1 << 29  # frames x width x height kept in memory (1 byte each) for a GIF
# frames x width x height past which a render needs --force: 4 gigapixels is about a
# minute on a desktop (the seed curve's 1024 frames at 576x576, 0.34 gigapixels, take
# 3.4 s) and ten on a Pi 4; --frames 100000 at 4096x4096 would be 1678 of them.
MAX_WORK_PIXELS = 4_000_000_000
DESKTOP_PIXELS_PER_SECOND = 100e6  # for the estimate in the refusal


@dataclass(frozen=True)
class RenderRequest:
    curve: str
    seed: int | None
    size: Size
    frames: int
    fps: int
    out: Path
    kind: str  # "png", "gif", "mp4" or "svg"
    page: object = None  # the PlotterPage of an SVG

    @property
    def work(self) -> int:
        """Pixels to draw and encode: frames x width x height (one frame for a PNG)."""
        if self.kind == "svg":
            return 0
        frames = 1 if self.kind == "png" else self.frames
        return frames * self.size.width * self.size.height


def parse_request(args: argparse.Namespace) -> RenderRequest:
    """Check every option; raise UsageError naming the first bad one."""
    out = Path(args.out)
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("png", "gif", "mp4", "svg"):
        raise UsageError(f"--out {args.out}: unknown output type; use .png, .gif, .mp4 or .svg")
    page = parse_page(args, kind)
    size = parse_size(args.size)
    frames = _parse_int("--frames", args.frames, FRAMES_RANGE)
    fps = _parse_int("--fps", args.fps, FPS_RANGE)
    seed = None if args.seed is None else _parse_int("--seed", args.seed, (0, 2**63 - 1))
    if seed is not None and args.curve != "random":
        raise UsageError("--seed: only --curve random takes a seed")
    if kind == "mp4" and (size[0] % 2 or size[1] % 2):
        raise UsageError(f"--size {args.size}: mp4 (H.264, 4:2:0) needs an even width and height")
    if kind == "gif":
        if fps > GIF_MAX_FPS:
            raise UsageError(
                f"--fps {fps}: GIF players slow frames faster than {GIF_MAX_FPS} fps to 10 fps; "
                f"use --fps {GIF_MAX_FPS} or less, or .mp4"
            )
        if frames * size[0] * size[1] > GIF_MAX_PIXELS:
            raise UsageError(
                f"--frames {frames} at {size[0]}x{size[1]}: too much for a GIF built in memory; "
                "use fewer frames, a smaller size, or .mp4"
            )
    request = RenderRequest(args.curve, seed, size, frames, fps, out, kind, page)
    if request.work > MAX_WORK_PIXELS and not getattr(args, "force", False):
        minutes = request.work / DESKTOP_PIXELS_PER_SECOND / 60
        raise UsageError(
            f"--frames {frames} at {size}: {gigapixels(request.work)} to draw and encode, "
            f"over the {gigapixels(MAX_WORK_PIXELS)} rendered without --force (about "
            f"{minutes:.0f} minutes on a desktop, five times that on a Pi)"
        )
    return request


PAGE_OPTIONS = (("--paper", "paper"), ("--margin", "margin"), ("--pens", "pens"))
PAGE_OPTIONS += (("--pen-width", "pen_width"),)


def parse_page(args: argparse.Namespace, kind: str):
    """The PlotterPage of an SVG render from --paper, --margin, --pens, --pen-width."""
    given = [option for option, name in PAGE_OPTIONS if getattr(args, name, None) is not None]
    if kind != "svg":
        if given:
            raise UsageError(f"{given[0]}: only for an SVG (--out F.svg)")
        return None
    from spirokiosk.display.export.svg import MAX_PENS, PlotterPage, paper_size

    options = {}
    if args.paper is not None:
        try:
            options["paper"] = paper_size(args.paper)
        except ValueError as exc:
            raise UsageError(f"--paper {cut(args.paper)}: {exc}") from None
    if args.pens is not None:
        options["pens"] = _parse_int("--pens", args.pens, (1, MAX_PENS))
    if args.margin is not None:
        options["margin_mm"] = _parse_mm("--margin", args.margin)
    if args.pen_width is not None:
        options["pen_width_mm"] = _parse_mm("--pen-width", args.pen_width)
    try:
        return PlotterPage(**options)
    except ValueError as exc:  # "paper: ...", "margin: ...", "pen width: ..."
        field, _, message = str(exc).partition(": ")
        raise UsageError(f"--{field.replace(' ', '-')}: {message}") from None


def _parse_mm(option: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option} {cut(text)}: expected millimetres, such as 15") from None
    if not math.isfinite(value):
        raise UsageError(f"{option} {cut(text)}: expected millimetres, such as 15")
    return value


def gigapixels(pixels: int) -> str:
    return f"{pixels / 1e9:.2f} gigapixels" if pixels < 10e9 else f"{pixels / 1e9:.0f} gigapixels"


def parse_size(text: str) -> Size:
    """'576x576' -> Size(576, 576); each side within SIDE_RANGE."""
    lo, hi = SIDE_RANGE
    try:
        size = sizes.parse_size(text)
    except ValueError:
        raise UsageError(
            f"--size {cut(text)}: expected WIDTHxHEIGHT in pixels, such as 576x576"
        ) from None
    if not size.within(lo, hi):
        raise UsageError(f"--size {text}: width and height must each be from {lo} to {hi}")
    return size


def _parse_int(option: str, text: str, bounds: tuple[int, int]) -> int:
    lo, hi = bounds
    match = re.fullmatch(r"\s*[+-]?0*(\d+)\s*", text)
    if match is None:
        raise UsageError(f"{option} {cut(text)}: expected a whole number")
    if len(match[1]) > len(str(hi)):  # no int() of thousands of digits
        raise UsageError(f"{option} {cut(text)}: must be from {lo} to {hi}")
    value = int(text)
    if not lo <= value <= hi:
        raise UsageError(f"{option} {text}: must be from {lo} to {hi}")
    return value
