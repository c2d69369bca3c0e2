"""A curve as a small SVG picture for the gallery, made on the server: its background
map as a vertical gradient, the whole curve coloured along its colour map, fitted as
the screen fits it (display.draw.layout).

(The studio's preview SVG is written separately in display/export; the two may be
merged later. This one is small on purpose: at most MAX_POINTS points.)
"""

from __future__ import annotations

import base64

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.display.curves.colours import colour_table
from spirokiosk.display.draw.layout import fit_curve

SIZE = 160  # px, square
MAX_POINTS = 1500  # a dense curve is drawn with longer segments, not a larger file
MIN_POINTS = 64
SEGMENT_PX = 2.0
COLOUR_PIECES = 16  # the curve is this many polylines, each one colour of the map
BACKGROUND_STOPS = 6


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


def thumbnail_data_uri(curve: Curve, size: int = SIZE) -> str:
    """thumbnail_svg as a data: URI for an <img> (each picture a document of its own, so
    the gradients' ids of many thumbnails on one page never clash)."""
    svg = thumbnail_svg(curve, size).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def thumbnail_svg(curve: Curve, size: int = SIZE) -> str:
    """The SVG document of `curve` in a `size` px square."""
    fit = fit_curve(curve, (size, size))
    n = min(max(curve.sample_count(fit.scale, SEGMENT_PX), MIN_POINTS), MAX_POINTS)
    z = curve.z(np.linspace(0.0, curve.period, n))
    z[-1] = z[0]
    points = np.round(fit.to_pixels(z), 1)
    colours = colour_table(curve.colour_map, COLOUR_PIECES)
    stops = colour_table(curve.background_map, BACKGROUND_STOPS)
    width = max(0.6, min(curve.line_width * size / 540.0, 3.0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" role="img">',
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">',
        *(
            f'<stop offset="{i / (BACKGROUND_STOPS - 1):.2f}" stop-color="{_hex(c)}"/>'
            for i, c in enumerate(stops)
        ),
        "</linearGradient></defs>",
        f'<rect width="{size}" height="{size}" fill="url(#bg)"/>',
        f'<g fill="none" stroke-width="{width:.2f}" stroke-linejoin="round" '
        'stroke-linecap="round">',
    ]
    bounds = np.linspace(0, n - 1, COLOUR_PIECES + 1).astype(int)
    for i in range(COLOUR_PIECES):
        piece = points[bounds[i] : bounds[i + 1] + 1]
        coords = " ".join(f"{x:g},{y:g}" for x, y in piece)
        parts.append(f'<polyline stroke="{_hex(colours[i])}" points="{coords}"/>')
    parts.append("</g></svg>")
    return "".join(parts)
