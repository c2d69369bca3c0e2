"""The recipe in an MP4 this kiosk wrote (or a .mov re-muxed from one), read in Python
within fixed bounds: no demuxer sees the bytes (they come from a browser), and PyAV is
not needed.

    mp4_recipe(data) -> the recipe's bytes, None when there is none, or CurveError
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from spirokiosk.display.curves import CurveError
from spirokiosk.display.export.recipe import MAX_RECIPE_BYTES, RECIPE_KEY

# FFmpeg's mp4 muxer (what PyAV writes through, display/export/mp4.py) puts the `comment`
# in iTunes-style metadata: libavformat/movenc.c, mov_write_udta_tag -> (any mode but
# MODE_MOV and 3GP) mov_write_meta_tag -> mov_write_ilst_tag, "\251cmt" written by
# mov_write_string_tag in the long style of mov_write_string_data_tag: a `data` box of
# type 1 (UTF-8) and locale 0 before the text. So: moov / udta / meta (a full box: 4
# bytes of version and flags first) / ilst / \251cmt / data. A dump of the tests' files
# (libavformat 62, PyAV 18's wheels) shows the same.
#
# The same file re-muxed to .mov (`ffmpeg -i a.mp4 -c copy a.mov`: the demuxer hands the
# comment on as metadata, the muxer writes it anew) carries it as QuickTime's plain user
# data instead: mov_write_udta_tag in MODE_MOV -> mov_write_string_metadata("\251cmt",
# "comment", long_style 0) -> the short style of mov_write_string_data_tag: a 16-bit
# text size, a 16-bit language code ("und" when none is given), then the text, no
# terminator. So: moov / udta / \251cmt. FFmpeg reads it back in libavformat/mov.c,
# mov_read_udta_string (outside ilst: str_size = avio_rb16, langcode = avio_rb16, then
# the text); it takes the text as Mac Roman for a Mac language code (langcode < 0x400),
# else UTF-8: our recipe is ASCII (recipe.recipe_json), the same either way. Dumps of
# FFmpeg 5.1's (libavformat 59) and PyAV 18's re-mux show \251swr, \251des and \251cmt
# in moov/udta, each so, language 0x55c4 ("und").
#
# Hand-written, not mutagen (pure Python, and it reads this): mutagen's mp4/_atom.py
# builds an object for every box of every container it knows, recursing with no depth
# limit, before anything is looked up. A 32 MiB upload of 8-byte boxes cost it 7 s and
# 1 GB of memory (mutagen 1.48, x86-64), and nested moov boxes end in a RecursionError.
# This walk reads one level at a time, only down the paths above (never deeper than six
# boxes), gives up after MAX_MP4_BOXES headers, and copies nothing but the recipe.

_ITUNES_PATH = (b"ilst", b"\xa9cmt", b"data")  # below moov/udta/meta
_COMMENT = b"\xa9cmt"  # QuickTime's user-data text, in moov/udta itself
MAX_MP4_BOXES = 10_000  # headers read in all; an MP4 of ours has 13 up to its recipe


def _unreadable(reason: str) -> CurveError:
    return CurveError([f"file: not a readable MP4 ({reason})"])


def mp4_recipe(data: bytes) -> bytes | None:
    """The `\251cmt` text of the MP4 (or .mov) in `data` when it is a recipe, None when it
    has none; CurveError ("file: not a readable MP4 (...)") when its boxes are broken.
    In moov/udta, the first meta (the iTunes-style item) and the first \251cmt (QuickTime's
    text) are looked in, in the order they come."""
    boxes = _Boxes(data)
    moov = boxes.first(0, len(data), b"moov", top=True)
    if moov is None:
        raise _unreadable("no moov box: the file ends before its index")
    udta = boxes.first(*moov, b"udta")
    if udta is None:
        return None
    looked: set[bytes] = set()
    for kind, start, end in boxes.inside(*udta):
        if kind in looked or kind not in (b"meta", _COMMENT):
            continue
        looked.add(kind)
        if kind == b"meta":
            recipe = _itunes_comment(boxes, start, end)
        else:
            recipe = _quicktime_comment(data, start, end)
        if recipe is not None:
            return recipe
    return None


def _itunes_comment(boxes: _Boxes, start: int, end: int) -> bytes | None:
    """The recipe in a meta box's ilst/\251cmt/data, or None."""
    if end - start >= 4 and boxes.data[start : start + 4] == bytes(4):
        start += 4  # version and flags (QuickTime's meta has none: a child's size there)
    for wanted in _ITUNES_PATH:
        found = boxes.first(start, end, wanted)
        if found is None:
            return None
        start, end = found
    # after the data box's version (1 byte), type (3: 1 is UTF-8), locale (4)
    return _tagged(boxes.data, start + 8, end)


def _quicktime_comment(data: bytes, start: int, end: int) -> bytes | None:
    """The recipe in a user-data \251cmt's first text (size, language, text), or None."""
    if end - start < 4:
        raise _unreadable(
            f"the {_shown(_COMMENT)} box holds {end - start} bytes, too few for its text's "
            "size and language"
        )
    (size,) = struct.unpack_from(">H", data, start)  # the language (2 bytes) is not needed
    text = start + 4
    if size > end - text:
        raise _unreadable(f"the {_shown(_COMMENT)} box's text of {size} bytes runs past its end")
    return _tagged(data, text, text + size)


def _tagged(data: bytes, start: int, end: int) -> bytes | None:
    """data[start:end] when it is `RECIPE_KEY:...`, None when it is another text;
    CurveError when it is a recipe past MAX_RECIPE_BYTES (a 16-bit QuickTime text size
    never is: 65,535 bytes at most)."""
    prefix = RECIPE_KEY.encode() + b":"
    if end - start < len(prefix) or data[start : start + len(prefix)] != prefix:
        return None
    if end - start > MAX_RECIPE_BYTES:
        raise CurveError([f"recipe: larger than {MAX_RECIPE_BYTES // 1024} KiB"])
    return data[start:end]


class _Boxes:
    """The boxes of one file, walked a level at a time; MAX_MP4_BOXES headers in all."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.headers = 0

    def inside(
        self, start: int, end: int, *, top: bool = False
    ) -> Iterator[tuple[bytes, int, int]]:
        """(type, body start, end) of each box from `start` to `end`, in order."""
        pos = start
        while pos < end:
            self.headers += 1
            if self.headers > MAX_MP4_BOXES:
                raise _unreadable(f"more than {MAX_MP4_BOXES} boxes before the recipe")
            kind, body, pos = _box(self.data, pos, end, top=top)
            yield kind, body, pos

    def first(
        self, start: int, end: int, kind: bytes, *, top: bool = False
    ) -> tuple[int, int] | None:
        """(body start, end) of the first `kind` box from `start` to `end`, or None."""
        for found, body, stop in self.inside(start, end, top=top):
            if found == kind:
                return body, stop
        return None


def _shown(kind: bytes) -> str:
    """A box type as an error says it: "'moov'", or in hex when not printable."""
    name = kind.decode("latin-1")
    return repr(name) if name.isprintable() else f"0x{kind.hex()}"


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
    if size < header:
        raise _unreadable(
            f"the {_shown(kind)} box has a size of {size} bytes, less than its header"
        )
    if size > end - pos:
        raise _unreadable(f"the {_shown(kind)} box runs past the end of {where}")
    return kind, pos + header, pos + size
