"""SVG for pen plotters: the whole curve as stroke-only polylines on a page sized in mm.

    plotter_svg(curve, PlotterPage(paper=paper_size("a4"), pens=4)) -> str

The curve is sampled by the screen's own code (`display.draw.layout.sample_curve`)
with a Fit whose unit is the millimetre, so the SVG's user unit is 1 mm
(`viewBox="0 0 W H"`, `width="Wmm"`). The colour map is quantised into `pens` pens:
pen i draws the i-th stretch of the curve (in curve time) in the colour map's colour
at the middle of that stretch, so the pens follow the curve and each starts where
the last stopped: no pen-up travel at all, only the pen changes. Stretches that
quantise to the same colour (a flat map, or a cyclic one such as twilight whose ends
meet) share a pen: touching ones are merged into one polyline, the others ordered
nearest first. Each pen is an Inkscape layer named `1-pen`, `2-pen`, ... (what
AxiDraw's and other plotter tools' layer modes read). With one pen the curve is
a single black polyline. The curve's recipe (`Curve.to_dict()` as JSON) is in
`<metadata>`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.display.curves.colours import colour_map, hex_colours
from spirokiosk.display.draw.layout import Fit, fit_within, sample_curve
from spirokiosk.display.export.recipe import RECIPE_NS, recipe_json

SVG_NS = "http://www.w3.org/2000/svg"
INKSCAPE_NS = "http://www.inkscape.org/namespaces/inkscape"
PAPERS = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "letter": (215.9, 279.4)}
PAPER_SIDE_MM = (20.0, 2000.0)
MAX_PENS = 12
PLOT_SEGMENT_MM = 0.2  # longest straight piece; finer than a plotter's pen line
_CUSTOM = re.compile(r"\s*(\d{1,4}(?:\.\d+)?)\s*[xX]\s*(\d{1,4}(?:\.\d+)?)\s*(?:mm)?\s*")


@dataclass(frozen=True)
class PlotterPage:
    """The page and the pens: paper (width, height) in mm, margin in mm, pen count
    (1: one black pen), pen line width in mm."""

    paper: tuple[float, float] = PAPERS["a4"]
    margin_mm: float = 15.0
    pens: int = 4
    pen_width_mm: float = 0.4

    def __post_init__(self) -> None:
        w, h = self.paper
        lo, hi = PAPER_SIDE_MM
        if not (lo <= w <= hi and lo <= h <= hi):
            raise ValueError(f"paper: each side from {lo:g} to {hi:g} mm, not {w:g}x{h:g}")
        if not 0 <= self.margin_mm < min(w, h) / 2 - 5:
            raise ValueError(
                f"margin: from 0 to under {min(w, h) / 2 - 5:g} mm on {w:g}x{h:g} mm paper, "
                f"not {self.margin_mm:g}"
            )
        if not 1 <= self.pens <= MAX_PENS:
            raise ValueError(f"pens: from 1 to {MAX_PENS}, not {self.pens}")
        if not 0.05 <= self.pen_width_mm <= 5:
            raise ValueError(f"pen width: from 0.05 to 5 mm, not {self.pen_width_mm:g}")


def paper_size(text: str) -> tuple[float, float]:
    """'a4', 'A3', 'letter' (each with '-landscape' for landscape) or 'WxH' in mm."""
    name = text.strip().lower()
    landscape = name.endswith("-landscape")
    name = name.removesuffix("-landscape")
    if name in PAPERS:
        w, h = PAPERS[name]
        return (h, w) if landscape else (w, h)
    match = _CUSTOM.fullmatch(text)
    if match is None:
        names = ", ".join(PAPERS)
        raise ValueError(f"expected {names} (with -landscape) or WxH in mm, not {text!r}")
    return float(match[1]), float(match[2])


@dataclass(frozen=True)
class Pen:
    """One pen: its colour and its polylines (each an (n, 2) array in mm), in plot order."""

    colour: str
    lines: tuple[np.ndarray, ...]


def plotter_fit(curve: Curve, page: PlotterPage) -> Fit:
    """The curve centred on the page, as large as the margins allow (mm per unit): the
    screen's fit with the page's margin (PlotterPage leaves over 10 mm of room)."""
    return fit_within(curve, page.paper, page.margin_mm)


def plotter_pens(curve: Curve, page: PlotterPage) -> list[Pen]:
    """The curve in mm split into pens, each pen's polylines merged and ordered."""
    points = sample_curve(curve, plotter_fit(curve, page), PLOT_SEGMENT_MM)
    if page.pens == 1:
        return [Pen("#000000", (points,))]
    segments = len(points) - 1
    # Segment j lies at curve time (j + 0.5) / segments; stretch b holds the segments
    # from b/pens to (b+1)/pens of the way round.
    edges = [round(b * segments / page.pens) for b in range(page.pens + 1)]
    middles = (np.arange(page.pens) + 0.5) / page.pens
    rgba = np.asarray(colour_map(curve.colour_map)(middles))
    colours = hex_colours(np.round(rgba[:, :3] * 255).astype(int))
    runs: dict[str, list[np.ndarray]] = {}
    for b, colour in enumerate(colours):
        if edges[b + 1] > edges[b]:
            runs.setdefault(colour, []).append(points[edges[b] : edges[b + 1] + 1])
    pens = []
    position = points[0]
    for colour, lines in runs.items():
        ordered = _order(_merge(lines), position)
        position = ordered[-1][-1]
        pens.append(Pen(colour, tuple(ordered)))
    return pens


def _merge(lines: list[np.ndarray]) -> list[np.ndarray]:
    """Join a line onto one that ends where it starts (the curve's end meets its start)."""
    merged = list(lines)
    joined = True
    while joined:
        joined = False
        for i, a in enumerate(merged):
            for j, b in enumerate(merged):
                if i != j and np.array_equal(a[-1], b[0]):
                    merged[i] = np.concatenate([a, b[1:]])
                    del merged[j]
                    joined = True
                    break
            if joined:
                break
    return merged


def _order(lines: list[np.ndarray], start: np.ndarray) -> list[np.ndarray]:
    """Nearest line next (either way round), from `start`: short pen-up moves."""
    left, ordered, here = list(lines), [], start
    while left:
        ends = [(math.dist(here, line[0]), i, False) for i, line in enumerate(left)]
        ends += [(math.dist(here, line[-1]), i, True) for i, line in enumerate(left)]
        _, i, flip = min(ends)
        line = left.pop(i)
        line = line[::-1] if flip else line
        ordered.append(line)
        here = line[-1]
    return ordered


def _points_text(line: np.ndarray) -> str:
    """'x,y x,y ...' to 0.01 mm, repeated points (after rounding) left out."""
    hundredths = np.round(line * 100).astype(np.int64)
    keep = np.ones(len(hundredths), dtype=bool)
    keep[1:] = np.any(hundredths[1:] != hundredths[:-1], axis=1)
    return " ".join(f"{x / 100:g},{y / 100:g}" for x, y in hundredths[keep].tolist())


def plotter_svg(curve: Curve, page: PlotterPage | None = None) -> str:
    """The SVG document (text) of `curve` for a pen plotter; see the module's doc."""
    page = page or PlotterPage()
    w, h = page.paper
    recipe = recipe_json(curve)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="{SVG_NS}" xmlns:inkscape="{INKSCAPE_NS}" version="1.1" '
        f'width="{w:g}mm" height="{h:g}mm" viewBox="0 0 {w:g} {h:g}">\n',
        f"<title>{escape(curve.name or 'spirograph curve')}</title>\n",
        f'<metadata><recipe xmlns="{RECIPE_NS}">{escape(recipe)}</recipe></metadata>\n',
    ]
    for number, pen in enumerate(plotter_pens(curve, page), start=1):
        out.append(
            f'<g inkscape:groupmode="layer" inkscape:label="{number}-pen" id="pen{number}" '
            f'fill="none" stroke={quoteattr(pen.colour)} stroke-width="{page.pen_width_mm:g}" '
            'stroke-linecap="round" stroke-linejoin="round">\n'
        )
        out.extend(f'<polyline points="{_points_text(line)}"/>\n' for line in pen.lines)
        out.append("</g>\n")
    out.append("</svg>\n")
    return "".join(out)
