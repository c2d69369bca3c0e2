"""The finished curve as a small SVG for the browser: in its colours, on its background.

    preview_svg(curve, size=(480, 480)) -> str           # the studio's live preview
    preview_svg(curve, (160, 160), pieces=16, background_stops=6, max_points=1500)
                                                        # a gallery thumbnail

The polyline is the screen's own (`display.draw.layout`: fitted to `size` pixels,
sampled so no segment is longer than 1.5 px there), so what the studio previews is
what the kiosk draws. To keep the document small, coordinates are whole tenths of a
pixel (the viewBox is ten times the size), repeated points are left out, and the
colour along the curve is `PIECES` polylines, each in the colour map's colour at its
middle. The background is the background map as a vertical gradient, top to bottom,
as the screen paints it.
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.display.curves.colours import colour_table, hex_colours
from spirokiosk.display.draw.layout import fit_curve, sample_curve
from spirokiosk.display.export.svg import SVG_NS

PREVIEW_SIZE = (480, 480)
PIECES = 48
BACKGROUND_STOPS = 16
SCREEN_HEIGHT = 1080  # line widths are in pixels of a 1080-line screen
_UNITS = 10  # SVG units per pixel


@functools.lru_cache(maxsize=64)
def _hex_colours(map_name: str, n: int) -> tuple[str, ...]:
    """n colours along the map as #rrggbb (cached: sampling a map costs ~2 ms)."""
    return tuple(hex_colours(colour_table(map_name, n)))


def preview_svg(
    curve: Curve,
    size: tuple[int, int] = PREVIEW_SIZE,
    *,
    pieces: int = PIECES,
    background_stops: int = BACKGROUND_STOPS,
    max_points: int | None = None,
) -> str:
    """The whole curve as an SVG document of `size` pixels (see the module's doc).
    `max_points`: a dense curve keeps at most this many points (longer segments, a
    smaller file: many thumbnails on one page)."""
    w, h = size
    points = sample_curve(curve, fit_curve(curve, size))
    if max_points is not None and len(points) > max_points:
        points = points[np.linspace(0, len(points) - 1, max_points).round().astype(int)]
    tenths = np.round(points * _UNITS).astype(np.int64)
    # Each point that repeats the one before (after rounding) is left out.
    keep = np.ones(len(tenths), dtype=bool)
    keep[1:] = np.any(tenths[1:] != tenths[:-1], axis=1)
    colours = _hex_colours(curve.colour_map, pieces)
    stops = _hex_colours(curve.background_map, background_stops)
    width = max(curve.line_width * h / SCREEN_HEIGHT, 0.75) * _UNITS
    out = [
        f'<svg xmlns="{SVG_NS}" width="{w}" height="{h}" viewBox="0 0 {w * _UNITS} {h * _UNITS}">',
        f"<title>{escape(curve.name or 'curve')}</title>",
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">',
        *(
            f'<stop offset="{i / (background_stops - 1):.3f}" stop-color="{c}"/>'
            for i, c in enumerate(stops)
        ),
        "</linearGradient></defs>",
        '<rect width="100%" height="100%" fill="url(#bg)"/>',
        f'<g fill="none" stroke-width="{width:.0f}" stroke-linecap="round" '
        'stroke-linejoin="round">',
    ]
    n = len(tenths)
    edges = [round(i * (n - 1) / pieces) for i in range(pieces + 1)]
    for i in range(pieces):
        start, end = edges[i], edges[i + 1]
        if end <= start:
            continue
        piece = tenths[start : end + 1][keep[start : end + 1] | (np.arange(end + 1 - start) == 0)]
        coords = " ".join(map(str, piece.ravel().tolist()))
        out.append(f'<polyline stroke="{colours[i]}" points="{coords}"/>')
    out.append("</g></svg>\n")
    return "\n".join(out)
