"""A curve back out of a file: a picture the kiosk made (its recipe, see `recipe`), or a
plain curve file (JSON as `Curve.to_dict()` writes it, TOML as `spirokiosk render
--curve F.toml` reads it).

    curve_from_file(data, filename=None) -> Curve, or CurveError naming the field

The format is told by its first bytes, never by the name (the name only names a TOML
curve that has none). Only metadata is read, never a picture or a video frame:
- PNG: the chunks are walked as the PNG spec lays them out (length, type, data, CRC),
  so a text chunk after the image data is found without decoding it;
- GIF and JPEG: Pillow's `open()` reads the comment extension (GIF, before the first
  frame) and the COM segment (JPEG, before the scan) into `info["comment"]`
  (PIL/GifImagePlugin.py `_seek`, PIL/JpegImagePlugin.py `COM`) without decoding;
- MP4: the boxes on the paths to the `comment` FFmpeg writes (an MP4's iTunes-style item,
  or a re-muxed .mov's user-data text) are walked (`mp4_recipe`), in Python, within
  fixed bounds: no demuxer sees the bytes, and PyAV is not needed;
- SVG: expat, with a document type refused outright: no entities, no external files
  (the file comes from a browser).
"""

from __future__ import annotations

import io
import logging
import struct
import zlib
from pathlib import PurePath
from xml.parsers import expat

from spirokiosk.display.curves import Curve, CurveError
from spirokiosk.display.curves.data import MAX_NAME_CHARS, parse_json
from spirokiosk.display.curves.toml_curves import (
    CurveTableError,
    TomlError,
    parse_toml,
    pick_curve_table,
)
from spirokiosk.display.export.mp4_recipe import mp4_recipe
from spirokiosk.display.export.recipe import (
    MAX_RECIPE_BYTES,
    RECIPE_KEY,
    RECIPE_NS,
    curve_from_recipe,
)
from spirokiosk.display.export.svg import SVG_NS
from spirokiosk.display.messages import escaped

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 32 * 1024 * 1024
KINDS = "a PNG, GIF, JPEG, MP4, SVG, JSON or TOML file"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")


def _a(kind: str) -> str:
    """'a PNG', 'an SVG', 'an MP4' (as the letters are said)."""
    return f"an {kind}" if kind[0] in "AEFHILMNORSX" else f"a {kind}"


def _no_recipe(kind: str) -> CurveError:
    return CurveError([f"file: {_a(kind)} without a spirokiosk recipe (not made by spirokiosk?)"])


def curve_from_file(data: bytes, filename: str | None = None) -> Curve:
    """The curve `data` carries (see the module doc); CurveError ("file: ..." for the file,
    "recipe: ..." or a curve field for what it holds) when there is none."""
    if len(data) > MAX_FILE_BYTES:
        raise CurveError([f"file: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"])
    if not data:
        raise CurveError([f"file: empty; expected {KINDS}"])
    if data.startswith(PNG_SIGNATURE):
        return curve_from_recipe(_png_recipe(data))
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return curve_from_recipe(_pillow_comment(data, "GIF"))
    if data.startswith(b"\xff\xd8\xff"):
        return curve_from_recipe(_pillow_comment(data, "JPEG"))
    if data[4:8] == b"ftyp":
        recipe = mp4_recipe(data)
        if recipe is None:
            raise _no_recipe("MP4")
        return curve_from_recipe(recipe)
    return _curve_from_text(data, filename)


# -- PNG ------------------------------------------------------------------------------


def _png_recipe(data: bytes) -> str:
    """The text of the first text chunk keyed RECIPE_KEY (tEXt, zTXt or iTXt)."""
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise CurveError(["file: a truncated PNG (it ends before its IEND chunk)"])
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 8 + length + 4
        if length > 2**31 - 1 or end > len(data):
            raise CurveError(["file: a truncated PNG (a chunk runs past the end)"])
        if kind == b"IEND":
            raise _no_recipe("PNG")
        if kind in _TEXT_CHUNKS:  # the others (the image data) are skipped, not even copied
            body = data[pos + 8 : pos + 8 + length]
            (crc,) = struct.unpack(">I", data[end - 4 : end])
            if zlib.crc32(kind + body) != crc:
                raise CurveError([f"file: a damaged PNG (its {kind.decode()} chunk)"])
            text = _png_text(kind, body)
            if text is not None:
                return text
        pos = end


def _png_text(kind: bytes, body: bytes) -> str | None:
    """The chunk's text when its keyword is RECIPE_KEY (layouts: PNG spec, 11.3.4)."""
    keyword, sep, rest = body.partition(b"\0")
    if not sep or keyword != RECIPE_KEY.encode():
        return None
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":  # compression method (0: zlib), then the compressed text
        return _inflate(rest[1:]).decode("latin-1")
    # iTXt: compression flag, method, language tag \0, translated keyword \0, UTF-8 text
    if len(rest) < 2:
        raise CurveError(["file: a damaged PNG (its recipe chunk)"])
    compressed, rest = rest[0], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    raw = _inflate(text) if compressed else text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CurveError(["recipe: not UTF-8 text"]) from None


def _inflate(data: bytes) -> bytes:
    """zlib data, at most MAX_RECIPE_BYTES + 1 of it (a recipe is small; a bomb stops)."""
    try:
        return zlib.decompressobj().decompress(data, MAX_RECIPE_BYTES + 1)
    except zlib.error:
        raise CurveError(["file: a damaged PNG (its compressed recipe)"]) from None


# -- GIF, JPEG ------------------------------------------------------------------------


def _pillow_comment(data: bytes, kind: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        # Pillow refuses a picture past twice MAX_IMAGE_PIXELS at open (its bomb check);
        # below that it may warn, harmlessly: nothing here decodes or allocates pixels.
        # (warnings.catch_warnings would turn the warning into a refusal, but it swaps
        # the process's filters, which is not safe with two uploads read at once.)
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            comment = image.info.get("comment")
    except Image.DecompressionBombError:
        raise CurveError([f"file: {_a(kind)} too large to open"]) from None
    except UnidentifiedImageError:  # its message names the BytesIO object: no help
        raise CurveError([f"file: not a readable {kind}"]) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CurveError([f"file: not a readable {kind} ({escaped(exc, 120)})"]) from None
    if not isinstance(comment, bytes) or not comment.startswith(RECIPE_KEY.encode() + b":"):
        raise _no_recipe(kind)
    return comment


# -- text: SVG, JSON, TOML --------------------------------------------------------------


def _curve_from_text(data: bytes, filename: str | None) -> Curve:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise CurveError([f"file: not {KINDS}"]) from None
    start = text.lstrip()[:1]
    if start == "<":
        return curve_from_recipe(_svg_recipe(text))
    if len(data) > MAX_RECIPE_BYTES:
        raise CurveError([f"file: a curve file larger than {MAX_RECIPE_BYTES // 1024} KiB"])
    if start == "{":
        return _curve_from_json(text)
    try:
        document = parse_toml(text)
    except TomlError as exc:
        if start == "[" and exc.syntax:  # not a TOML table: a JSON list, or neither
            return _curve_from_json(text)
        if exc.syntax and not (filename or "").lower().endswith(".toml"):
            raise CurveError([f"file: not {KINDS}"]) from None
        raise CurveError([f"file: not valid TOML ({exc})"]) from None
    return _curve_from_toml(document, filename)


class _DoctypeError(Exception):
    pass


class _RecipeFinder:
    """expat's handlers: the root element's name and the first recipe element's text."""

    RECIPE = f"{RECIPE_NS} recipe"

    def __init__(self) -> None:
        self.root: str | None = None
        self.recipe: str | None = None
        self._parts: list[str] | None = None  # while inside the recipe element
        self._size = 0

    def start(self, name: str, _attrs) -> None:
        self.root = self.root or name
        if name == self.RECIPE and self.recipe is None and self._parts is None:
            self._parts = []

    def end(self, name: str) -> None:
        if name == self.RECIPE and self._parts is not None:
            self.recipe, self._parts = "".join(self._parts), None

    def chars(self, data: str) -> None:
        if self._parts is not None:
            self._parts.append(data)
            self._size += len(data)
            if self._size > MAX_RECIPE_BYTES:
                raise CurveError([f"recipe: larger than {MAX_RECIPE_BYTES // 1024} KiB"])


def _refuse(*_args) -> None:
    raise _DoctypeError


def _svg_recipe(text: str) -> str:
    """The text of the SVG's <recipe xmlns=RECIPE_NS> element (in its <metadata>)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    finder = _RecipeFinder()
    parser.StartDoctypeDeclHandler = _refuse  # no DTD: no entities, nothing external
    parser.EntityDeclHandler = _refuse
    parser.StartElementHandler = finder.start
    parser.EndElementHandler = finder.end
    parser.CharacterDataHandler = finder.chars
    try:
        parser.Parse(text, True)  # a str: expat reads it as UTF-8 whatever it declares
    except _DoctypeError:
        raise CurveError(["file: an SVG with a document type (DOCTYPE) is not taken"]) from None
    except expat.ExpatError as exc:
        raise CurveError([f"file: not well-formed SVG/XML ({escaped(exc, 120)})"]) from None
    if finder.root != f"{SVG_NS} svg":
        raise CurveError([f"file: XML but not an SVG; expected {KINDS}"])
    if finder.recipe is None:
        raise _no_recipe("SVG")
    return finder.recipe


def _curve_from_json(text: str) -> Curve:
    document = parse_json(text, "file")
    if isinstance(document, dict) and isinstance(document.get("curve"), dict):
        document = document["curve"]  # an answer of the API's, a gallery entry
    if not isinstance(document, dict):
        raise CurveError(['file: JSON but not a curve (expected an object with "wheels")'])
    return Curve.from_dict(document)


def _curve_from_toml(document: dict, filename: str | None) -> Curve:
    try:
        name, data = pick_curve_table(document)
    except CurveTableError as exc:
        several = f"{len(exc.tables)} curves ({exc.listed(40)})"
        raise CurveError([f"file: the TOML holds {several}; drop a file with one"]) from None
    name = name or (PurePath(filename).stem[:MAX_NAME_CHARS] if filename else "")
    if name and name.isprintable():
        data = {"name": name, **data}  # the file's own name, when it has one, wins
    return Curve.from_dict(data)
