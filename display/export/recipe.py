"""The recipe every exported picture carries: the curve's `to_dict()` as compact JSON, so
that the file alone can open the curve again (the studio, `spirokiosk render --curve`).

Where it goes, by format (one key everywhere: `RECIPE_KEY`):
- PNG: a text chunk (tEXt/iTXt) with keyword `RECIPE_KEY` and the JSON as its text;
- SVG: `<metadata><recipe xmlns="RECIPE_NS">JSON</recipe></metadata>` (svg.py);
- GIF: the comment extension, `RECIPE_KEY + ":" + JSON`;
- MP4: the container's `comment` metadata, `RECIPE_KEY + ":" + JSON` (kept, in
  QuickTime's own layout, when the file is re-muxed to .mov: mp4_recipe.py);
- JPEG (/snapshot.jpg): a COM segment, `RECIPE_KEY + ":" + JSON`.
Reading one back goes through `Curve.from_dict`, so a tampered recipe is a CurveError
naming the field, like any other curve from outside.
"""

from __future__ import annotations

import json

from spirokiosk.display.curves import Curve, CurveError
from spirokiosk.display.curves.data import parse_json

RECIPE_KEY = "spirokiosk-curve"
RECIPE_NS = "urn:x-spirokiosk:curve"  # the namespace of SVG's <metadata> recipe element
MAX_RECIPE_BYTES = 64 * 1024  # as a curve request's body: larger is not a curve of ours


def recipe_json(curve: Curve) -> str:
    """The curve as the JSON every format carries (ASCII: safe in any text chunk)."""
    return json.dumps(curve.to_dict(), ensure_ascii=True, separators=(",", ":"))


def tagged_recipe(curve: Curve) -> str:
    """`RECIPE_KEY:JSON`, for the formats that have one free comment (GIF, MP4, JPEG)."""
    return f"{RECIPE_KEY}:{recipe_json(curve)}"


def curve_from_recipe(text: str | bytes) -> Curve:
    """The curve in a recipe (bare JSON or `RECIPE_KEY:JSON`); CurveError saying why not."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise CurveError(["recipe: not UTF-8 text"]) from None
    if len(text) > MAX_RECIPE_BYTES:
        raise CurveError([f"recipe: larger than {MAX_RECIPE_BYTES // 1024} KiB"])
    text = text.strip()
    text = text.removeprefix(f"{RECIPE_KEY}:")
    return Curve.from_dict(parse_json(text, "recipe"))
