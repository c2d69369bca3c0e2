"""The body of POST /api/export turned into a worker's job, with the limits of each format.

    {"curve": <what POST /api/curve takes>, "format": "png"|"svg"|"gif"|"mp4",
     "size": W, "framing": "square"|"9:16", "frames": N, "fps": N,   (png, gif, mp4)
     "paper": "a4"|"a3"|"letter"[-landscape]|"WxH" (mm), "pens": N}   (svg)

`size` is the width in pixels; the framing gives the height (square: W x W; 9:16:
W x 16/9 W, the curve fitted to the width). Every problem is one 'field: message' in
a CurveError (400), the curve's own prefixed with "curve.".
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass

from spirokiosk.display.curves import Curve, CurveError
from spirokiosk.display.export.loop import FRAMINGS, MIN_LOOP_FRAMES, framed_size
from spirokiosk.display.export.svg import MAX_PENS, PAPERS, PlotterPage, paper_size
from spirokiosk.display.messages import did_you_mean, escaped, shown
from spirokiosk.web.app.curve_requests import curve_from_request


@dataclass(frozen=True)
class Limits:
    """What one raster format allows: sides (the longer and the shorter), frames, fps."""

    long_side: int
    short_side: int
    default_width: int
    frames: int = 1
    default_frames: int = 1
    fps: int = 60
    default_fps: int = 30


MIN_SIDE = 16
LIMITS = {
    "png": Limits(long_side=4096, short_side=4096, default_width=1080),
    "gif": Limits(720, 720, 480, frames=300, default_frames=120, fps=50, default_fps=25),
    "mp4": Limits(1920, 1080, 720, frames=1800, default_frames=300, fps=60, default_fps=30),
}
FORMATS = ("png", "svg", "gif", "mp4")
CONTENT_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "gif": "image/gif",
    "mp4": "video/mp4",
}
RASTER_KEYS = frozenset({"size", "framing", "frames", "fps"})
SVG_KEYS = frozenset({"paper", "pens"})
KNOWN_KEYS = frozenset({"curve", "format"}) | RASTER_KEYS | SVG_KEYS
DEFAULT_PENS = 4


@dataclass(frozen=True)
class ExportRequest:
    curve: Curve
    spec: dict  # the worker's job document
    filename: str
    content_type: str


def export_from_request(
    body: object, *, from_gallery: Callable[[object], Curve] | None = None
) -> ExportRequest:
    """The export `body` asks for, checked against the limits; or CurveError."""
    if not isinstance(body, dict):
        raise CurveError(['body: must be a JSON object such as {"curve": ..., "format": "png"}'])
    errors = [
        f"{escaped(key)}: unknown field{did_you_mean(str(key), KNOWN_KEYS)}"
        for key in sorted(set(body) - KNOWN_KEYS, key=str)
    ]
    kind = body.get("format")
    if kind == "mp4" and not mp4_available():
        errors.append(
            "format: mp4 needs PyAV, which this kiosk does not have (pip install "
            "'spirokiosk[video]' in its venv); png, gif and svg work"
        )
        kind = None
    elif kind not in FORMATS:
        what = "missing" if kind is None else f"unknown format {shown(kind)}"
        errors.append(f"format: {what}; expected one of {', '.join(FORMATS)}")
        kind = None
    curve = None
    if "curve" not in body:
        errors.append('curve: missing; send a curve as POST /api/curve takes it ({"preset": ...})')
    else:
        try:
            curve = curve_from_request(body["curve"], from_gallery=from_gallery)
        except CurveError as exc:
            errors.extend(f"curve.{error}" for error in exc.errors)
    spec: dict = {}
    suffix = ""
    if kind == "svg":
        misplaced = sorted(RASTER_KEYS & set(body))
        errors.extend(f"{key}: only for png, gif and mp4" for key in misplaced)
        spec = _svg_spec(body, errors)
    elif kind is not None:
        errors.extend(f"{key}: only for svg" for key in sorted(SVG_KEYS & set(body)))
        spec, suffix = _raster_spec(kind, body, errors)
    if errors:
        raise CurveError(errors)
    assert curve is not None and kind is not None
    spec.update(curve=curve.to_dict(), format=kind)
    return ExportRequest(curve, spec, f"{_slug(curve.name)}{suffix}.{kind}", CONTENT_TYPES[kind])


def mp4_available() -> bool:
    """Whether the worker can write MP4: PyAV (the `video` extra) is installed."""
    return importlib.util.find_spec("av") is not None


def _whole(
    body: dict, key: str, default: int, lo: int, hi: int, errors: list[str], why: str
) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(f"{key}: must be a whole number from {lo} to {hi}, not {shown(value)}")
        return default
    if not lo <= value <= hi:
        errors.append(f"{key}: must be from {lo} to {hi}{why}, not {value}")
        return default
    return value


def _raster_spec(kind: str, body: dict, errors: list[str]) -> tuple[dict, str]:
    limits = LIMITS[kind]
    framing = body.get("framing", "square")
    if framing not in FRAMINGS:
        errors.append(f"framing: expected one of {', '.join(FRAMINGS)}, not {shown(framing)}")
        framing = "square"
    # The widest the framing allows within the format's sides.
    widest = limits.short_side
    if framing == "9:16":
        widest = min(widest, limits.long_side * 9 // 16 + 1)
    while framed_size(framing, widest)[1] > limits.long_side:
        widest -= 1
    if kind == "mp4":
        widest -= widest % 2
    sides = (
        f"{kind} is at most {limits.long_side} px a side"
        if limits.long_side == limits.short_side
        else f"{kind} is at most {limits.long_side}x{limits.short_side}"
    )
    why = f" px for {framing} ({sides})"
    width = _whole(body, "size", min(limits.default_width, widest), MIN_SIDE, widest, errors, why)
    if kind == "mp4" and width % 2:
        errors.append(f"size: mp4 (H.264, 4:2:0) needs an even width, not {width}")
    spec: dict = {"size": list(framed_size(framing, width))}
    if kind == "png":
        errors.extend(f"{key}: only for gif and mp4" for key in ("frames", "fps") if key in body)
    else:
        spec["frames"] = _whole(
            body, "frames", limits.default_frames, MIN_LOOP_FRAMES, limits.frames, errors,
            f" for {kind}",
        )  # fmt: skip
        spec["fps"] = _whole(body, "fps", limits.default_fps, 1, limits.fps, errors, f" for {kind}")
    return spec, "-9x16" if framing == "9:16" else ""


def _svg_spec(body: dict, errors: list[str]) -> dict:
    paper = body.get("paper", "a4")
    size = PlotterPage().paper
    if not isinstance(paper, str):
        errors.append(f"paper: must be one of {', '.join(PAPERS)} or 'WxH' in mm")
    else:
        try:
            size = paper_size(paper)
            PlotterPage(paper=size)
        except ValueError as exc:
            errors.append(f"paper: {str(exc).removeprefix('paper: ')}")
    pens = _whole(body, "pens", DEFAULT_PENS, 1, MAX_PENS, errors, "")
    return {"paper": list(size), "pens": pens}


def _slug(name: str) -> str:
    """A file name's stem from a curve's name: ASCII letters, digits, '.', '_' and '-'."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60]
    return slug or "curve"
