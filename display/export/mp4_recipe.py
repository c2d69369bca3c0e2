"""The recipe in an MP4 this kiosk wrote, read in Python within fixed bounds: no demuxer
sees the bytes (they come from a browser), and PyAV is not needed.

    mp4_recipe(data) -> the recipe's bytes, None when there is none, or CurveError
"""

from __future__ import annotations

import struct

from spirokiosk.display.curves import CurveError
from spirokiosk.display.export.recipe import MAX_RECIPE_BYTES, RECIPE_KEY

# FFmpeg's mp4 muxer (what PyAV writes through, display/export/mp4.py) puts the `comment`
# in iTunes-style metadata: libavformat/movenc.c, mov_write_udta_tag -> (any mode but
# MODE_MOV and 3GP) mov_write_meta_tag -> mov_write_ilst_tag, "\251cmt" written by
# mov_write_string_tag in the long style of mov_write_string_data_tag: a `data` box of
# type 1 (UTF-8) and locale 0 before the text. A plain udta "\251cmt" is written for .mov
# only. So: moov / udta / meta (a full box: 4 bytes of version and flags first) / ilst /
# \251cmt / data. A dump of the tests' files (libavformat 62, PyAV 18's wheels) shows the same.
#
# Hand-written, not mutagen (pure Python, and it reads this): mutagen's mp4/_atom.py
# builds an object for every box of every container it knows, recursing with no depth
# limit, before anything is looked up. A 32 MiB upload of 8-byte boxes cost it 7 s and
# 1 GB of memory (mutagen 1.48, x86-64), and nested moov boxes end in a RecursionError.
# This walk reads one level at a time, only down the path above (never deeper than six
# boxes), gives up after MAX_MP4_BOXES headers, and copies nothing but the recipe.

_MP4_PATH = (b"moov", b"udta", b"meta", b"ilst", b"\xa9cmt", b"data")
MAX_MP4_BOXES = 10_000  # headers read in all; an MP4 of ours has 13 up to its recipe


def _unreadable(reason: str) -> CurveError:
    return CurveError([f"file: not a readable MP4 ({reason})"])


def mp4_recipe(data: bytes) -> bytes | None:
    """The `\251cmt` text of the MP4 in `data` when it is a recipe, None when it has
    none; CurveError ("file: not a readable MP4 (...)") when its boxes are broken."""
    start, end, headers = 0, len(data), 0
    for depth, wanted in enumerate(_MP4_PATH):
        pos, found = start, None
        while found is None and pos < end:
            headers += 1
            if headers > MAX_MP4_BOXES:
                raise _unreadable(f"more than {MAX_MP4_BOXES} boxes before the recipe")
            kind, body, pos = _box(data, pos, end, top=depth == 0)
            if kind == wanted:
                found = body
        if found is None:
            if depth == 0:
                raise _unreadable("no moov box: the file ends before its index")
            return None
        start, end = found, pos
        if wanted == b"meta" and end - start >= 4 and data[start : start + 4] == bytes(4):
            start += 4  # version and flags (QuickTime's meta has none: a child's size there)
    text = start + 8  # after the data box's version (1 byte), type (3: 1 is UTF-8), locale (4)
    prefix = RECIPE_KEY.encode() + b":"
    if end - text < len(prefix) or data[text : text + len(prefix)] != prefix:
        return None
    if end - text > MAX_RECIPE_BYTES:
        raise CurveError([f"recipe: larger than {MAX_RECIPE_BYTES // 1024} KiB"])
    return data[text:end]


def _box(data: bytes, pos: int, end: int, *, top: bool) -> tuple[bytes, int, int]:
    """(type, where its body starts, where it ends) of the box at `pos`, which must end
    by `end` (its container's end). Sizes as ISO/IEC 14496-12, 4.2: 1 means a 64-bit size
    follows the type, 0 "to the end of the file" (the last box at the top level only)."""
    where = "the file" if top else "the box holding it"
    if end - pos < 8:
        raise _unreadable(f"a box header runs past the end of {where}")
    size, kind = struct.unpack_from(">I4s", data, pos)
    header = 8
    if size == 1:
        if end - pos < 16:
            raise _unreadable(f"a box header runs past the end of {where}")
        (size,) = struct.unpack_from(">Q", data, pos + 8)
        header = 16
    elif size == 0 and top:
        size = end - pos
    name = kind.decode("latin-1")
    name = repr(name) if name.isprintable() else f"0x{kind.hex()}"
    if size < header:
        raise _unreadable(f"the {name} box has a size of {size} bytes, less than its header")
    if size > end - pos:
        raise _unreadable(f"the {name} box runs past the end of {where}")
    return kind, pos + header, pos + size
