"""A curve as a small picture for the gallery: the studio's preview SVG (display.export.
preview, the screen's own sampling and fit) at thumbnail size, with fewer colour pieces
and points, as a data: URI (each picture a document of its own, so the gradients' ids
of many thumbnails on one page never clash)."""

from __future__ import annotations

import base64

from spirokiosk.display.curves import Curve
from spirokiosk.display.export.preview import preview_svg

SIZE = 160  # px, square
MAX_POINTS = 1500  # a dense curve is drawn with longer segments, not a larger file
COLOUR_PIECES = 16  # the curve is this many polylines, each one colour of the map
BACKGROUND_STOPS = 6


def thumbnail_data_uri(curve: Curve, size: int = SIZE) -> str:
    """`curve` in a `size` px square as a data: URI for an <img>."""
    svg = preview_svg(
        curve,
        (size, size),
        pieces=COLOUR_PIECES,
        background_stops=BACKGROUND_STOPS,
        max_points=MAX_POINTS,
    ).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
