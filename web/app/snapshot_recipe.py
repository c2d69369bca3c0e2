"""The recipe in /snapshot.jpg: a JPEG comment (COM) segment with `RECIPE_KEY:JSON` of the
curve on screen (display/export/recipe.py), spliced into the hub's JPEG without
re-encoding it. Only the snapshot gets it; the stream's parts stay as they are.

The segment goes after the JFIF APP0 segment when there is one (JFIF wants APP0 first;
simplejpeg, through libjpeg-turbo, writes one), else right after SOI. A COM segment
is FF FE, a two-byte big-endian length that counts itself, then the bytes (ITU T.81,
B.2.4.5), so a recipe may be 65 533 bytes at most: a larger one is left out.
"""

from __future__ import annotations

import json
import logging

from spirokiosk.display.export.recipe import RECIPE_KEY

log = logging.getLogger(__name__)

SOI = b"\xff\xd8"
APP0 = b"\xff\xe0"
COM = b"\xff\xfe"
MAX_SEGMENT_DATA = 0xFFFF - 2


def snapshot_comment(curve: dict | None) -> bytes | None:
    """`RECIPE_KEY:JSON` for the status's curve (a `Curve.to_dict()`), in recipe_json's
    compact ASCII form; None when there is no curve or it does not fit a segment."""
    if not isinstance(curve, dict):
        return None
    text = f"{RECIPE_KEY}:{json.dumps(curve, ensure_ascii=True, separators=(',', ':'))}"
    data = text.encode("ascii")
    if len(data) > MAX_SEGMENT_DATA:
        log.warning("the curve's recipe is %d bytes: too large for a JPEG comment", len(data))
        return None
    return data


def with_comment(jpeg: bytes, comment: bytes | None) -> bytes:
    """`jpeg` with a COM segment holding `comment` (as it is without one, or when it is
    not a JPEG as expected)."""
    if comment is None or not jpeg.startswith(SOI):
        return jpeg
    at = len(SOI)
    if jpeg[at : at + 2] == APP0 and len(jpeg) >= at + 4:
        at += 2 + int.from_bytes(jpeg[at + 2 : at + 4], "big")
    segment = COM + (len(comment) + 2).to_bytes(2, "big") + comment
    return b"".join((jpeg[:at], segment, jpeg[at:]))
