"""Reading a curve back out of a file (display/export/read_recipe.py): every format the
kiosk writes, plain curve files, and whatever else a browser may drop."""

import functools
import io
import json
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from support.recipe_files import (
    check_damaged_file,
    gif_with_recipe,
    jpeg_with_recipe,
    mp4_with_recipe,
    png_with_recipe,
)

from spirokiosk.display.curves import PRESETS, CurveError, random_curve
from spirokiosk.display.export.mp4_recipe import MAX_MP4_BOXES
from spirokiosk.display.export.read_recipe import MAX_FILE_BYTES, curve_from_file
from spirokiosk.display.export.recipe import (
    MAX_RECIPE_BYTES,
    RECIPE_KEY,
    RECIPE_NS,
    recipe_json,
)
from spirokiosk.display.export.svg import PlotterPage, plotter_svg

CURVE = PRESETS["seed-magma-11"]
OTHER = random_curve(seed=7, shapes=("circle", "square"), exact_symmetry=False)


def errors_of(data: bytes, filename: str | None = None) -> list[str]:
    with pytest.raises(CurveError) as caught:
        curve_from_file(data, filename)
    return caught.value.errors


@pytest.mark.parametrize("curve", [CURVE, OTHER], ids=["preset", "random-mixed"])
@pytest.mark.parametrize(
    "make",
    [
        png_with_recipe,
        lambda c: png_with_recipe(c, itxt=True),
        gif_with_recipe,
        jpeg_with_recipe,
        mp4_with_recipe,
        lambda c: plotter_svg(c, PlotterPage(pens=3)).encode(),
    ],
    ids=["png", "png-itxt", "gif", "jpeg", "mp4", "svg"],
)
def test_each_format_opens_the_same_curve(make, curve):
    assert curve_from_file(make(curve)) == curve


def test_a_png_text_chunk_after_the_image_data_is_found_without_decoding():
    plain = png_with_recipe(None)
    iend = plain.rindex(b"IEND") - 4
    body = RECIPE_KEY.encode() + b"\0" + recipe_json(CURVE).encode()
    chunk = len(body).to_bytes(4, "big") + b"tEXt" + body
    chunk += zlib.crc32(b"tEXt" + body).to_bytes(4, "big")
    moved = plain[:iend] + chunk + plain[iend:]
    assert Image.open(io.BytesIO(moved)).info.get(RECIPE_KEY) is None  # Pillow: only on load
    assert curve_from_file(moved) == CURVE


def test_plain_curve_json_and_an_api_answer():
    assert curve_from_file(json.dumps(CURVE.to_dict()).encode()) == CURVE
    answer = json.dumps({"queued": CURVE.name, "curve": CURVE.to_dict()}).encode()
    assert curve_from_file(answer, "status.json") == CURVE


def test_toml_as_spirokiosk_render_reads_it():
    whole = b'colour_map = "viridis"\n[[wheels]]\nfreq = 1\nwidth = "1"\n'
    whole += b'[[wheels]]\nfreq = -6\nwidth = "0.4j"\nshape = "square"\n'
    curve = curve_from_file(whole, "my-flower.toml")
    assert curve.name == "my-flower"
    assert [w.freq for w in curve.wheels] == [1, -6]
    assert curve.wheels[1].shape == "square" and curve.colour_map == "viridis"
    # one table, in the seed curves' compact form: the table names it
    table = b'[gold]\nshape = "circle"\nfreqs = [1, 7, -17]\nwidths = ["1", "0.5", "0.33j"]\n'
    named = curve_from_file(table, "whatever.toml")
    assert named.name == "gold" and [w.freq for w in named.wheels] == [1, 7, -17]
    assert curve_from_file(b'name = "own"\n' + whole, "file.toml").name == "own"


def test_a_toml_with_several_curves_says_which():
    two = b'[a]\nfreqs = [1, 5]\nwidths = ["1", "0.5"]\n[b]\nfreqs = [1, 4]\nwidths = ["1", "1"]\n'
    assert errors_of(two, "two.toml") == [
        "file: the TOML holds 2 curves (a, b); drop a file with one"
    ]


DEEP = 3000  # nesting past the interpreter's recursion limit (1000)


@pytest.mark.parametrize("filename", ["deep.toml", "notes.txt", None])
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"freqs = " + b"[" * DEEP + b"]" * DEEP, "file: not valid TOML (arrays or tables nested"),
        (b"a = " + b"{b=" * DEEP + b"1" + b"}" * DEEP, "file: not valid TOML (arrays or tables"),
        (b"[a]\nfreqs = " + b"[" * DEEP + b"]" * DEEP, "file: not valid TOML (arrays or tables"),
        (b"freqs = [1, " + b"9" * 5000 + b"]", "file: not valid TOML (a number with too many"),
        (b"[" * DEEP + b"]" * DEEP, "file: not valid JSON (nested too deeply)"),
    ],
    ids=["arrays", "inline-tables", "in-a-table", "digits", "json-list"],
)
def test_toml_past_the_parser_limits_names_the_problem(data, filename, expected):
    # TOML in any name: the parser got deep into it (a syntax error would fail at once)
    assert errors_of(data, filename)[0].startswith(expected)


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", None, "file: empty; expected a PNG, GIF, JPEG, MP4, SVG, JSON or TOML file"),
        (bytes(range(256)) * 8, None, "file: not a PNG, GIF, JPEG, MP4, SVG, JSON or TOML file"),
        (b"hello = = world", "notes.txt", "file: not a PNG, GIF, JPEG, MP4, SVG, JSON or TOML"),
        (b"hello = = world", "curve.toml", "file: not valid TOML"),
        (b'{"wheels": [', None, "file: not valid JSON"),
        (b"[1, 2]", None, 'file: JSON but not a curve (expected an object with "wheels")'),
        (b'{"wheels": [{"freq": 0, "width": "1"}]}', None, "wheels[0].freq: "),
        (b'{"colour": "red"}', None, "colour: unknown field"),
        (b"<html><body>hi</body></html>", None, "file: XML but not an SVG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g>", None, "file: not well-formed SVG/XML"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><metadata/></svg>",
            None,
            "file: an SVG without a spirokiosk recipe",
        ),
    ],
)
def test_bad_text_files_name_the_field(data, filename, expected):
    errors = errors_of(data, filename)
    assert errors[0].startswith(expected), errors


def test_a_truncated_or_damaged_png():
    whole = png_with_recipe(CURVE)
    assert errors_of(whole[:20]) == ["file: a truncated PNG (a chunk runs past the end)"]
    assert errors_of(whole[:8]) == ["file: a truncated PNG (it ends before its IEND chunk)"]
    at = whole.index(RECIPE_KEY.encode()) + 30
    damaged = whole[:at] + bytes([whole[at] ^ 1]) + whole[at + 1 :]
    assert errors_of(damaged) == ["file: a damaged PNG (its tEXt chunk)"]


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (png_with_recipe, "a PNG"),
        (gif_with_recipe, "a GIF"),
        (jpeg_with_recipe, "a JPEG"),
        (mp4_with_recipe, "an MP4"),
    ],
)
def test_a_picture_without_a_recipe(make, kind):
    assert errors_of(make(None)) == [
        f"file: {kind} without a spirokiosk recipe (not made by spirokiosk?)"
    ]


@pytest.mark.parametrize(
    ("make", "kind"),
    [(gif_with_recipe, "GIF"), (jpeg_with_recipe, "JPEG"), (mp4_with_recipe, "MP4")],
)
def test_a_truncated_picture_is_not_readable(make, kind):
    whole = make(CURVE)
    cut = whole[:40] if kind != "MP4" else whole[:12]
    assert errors_of(cut)[0].startswith(f"file: not a readable {kind}")


def test_a_recipe_that_is_not_a_curve_names_the_field():
    bad = json.dumps({"wheels": [{"freq": 1, "width": "wide"}]})
    cut = io.BytesIO()
    Image.new("RGB", (8, 8)).save(cut, "GIF", comment=f"{RECIPE_KEY}:" + '{"wheels": [')
    assert errors_of(cut.getvalue())[0].startswith("recipe: not valid JSON")
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg'><metadata><recipe xmlns='{RECIPE_NS}'>"
        f"{bad}</recipe></metadata></svg>"
    )
    assert errors_of(svg.encode())[0].startswith("wheels[0].width: ")


def test_an_svg_with_entities_is_refused_before_any_expansion():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<svg xmlns='http://www.w3.org/2000/svg'><metadata><recipe xmlns='{RECIPE_NS}'>&b;"
        "</recipe></metadata></svg>"
    )
    external = (
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<svg xmlns='http://www.w3.org/2000/svg'>&x;</svg>"
    )
    for text in (laughs, external):
        assert errors_of(text.encode()) == [
            "file: an SVG with a document type (DOCTYPE) is not taken"
        ]


def test_an_over_size_file_is_refused_unread():
    assert errors_of(b"\x89PNG" + bytes(MAX_FILE_BYTES)) == ["file: larger than 32 MiB"]
    big_json = b'{"wheels": [], "description": "' + b"x" * 70_000 + b'"}'
    assert errors_of(big_json) == ["file: a curve file larger than 64 KiB"]


def test_a_zip_bomb_in_a_png_text_chunk_stops_at_the_recipe_limit():
    body = RECIPE_KEY.encode() + b"\0\0" + zlib.compress(b" " * 50_000_000)
    chunk = len(body).to_bytes(4, "big") + b"zTXt" + body
    chunk += zlib.crc32(b"zTXt" + body).to_bytes(4, "big")
    plain = png_with_recipe(None)
    bomb = plain[:33] + chunk + plain[33:]
    assert errors_of(bomb) == ["recipe: larger than 64 KiB"]


def test_a_huge_declared_picture_is_not_decoded():
    # A GIF header claiming 60000x60000 pixels: Pillow's bomb check refuses it at open.
    header = b"GIF89a" + (60000).to_bytes(2, "little") * 2 + b"\x00\x00\x00"
    image = b"\x2c" + bytes(4) + (60000).to_bytes(2, "little") * 2 + b"\x00\x02\x02\x4c\x01\x00\x3b"
    assert errors_of(header + image) == ["file: a GIF too large to open"]


def test_an_mp4_recipe_is_read_without_pyav(monkeypatch):
    data = mp4_with_recipe(CURVE)
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` raises ImportError
    with pytest.raises(ImportError):
        import av  # noqa: F401
    assert curve_from_file(data) == CURVE


def test_reading_an_mp4_recipe_imports_no_ffmpeg(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(mp4_with_recipe(CURVE))
    code = (
        "import sys; from pathlib import Path;"
        "from spirokiosk.display.export.read_recipe import curve_from_file;"
        f"curve = curve_from_file(Path({str(tmp_path / 'clip.mp4')!r}).read_bytes());"
        "loaded = sorted(m for m in sys.modules if m == 'av' or m.startswith('av.'));"
        "print(curve.name, loaded)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == [CURVE.name, "[]"]


def test_the_writers_faststart_mp4_opens(tmp_path):
    # Written to a file, Mp4Writer asks for +faststart: the moov box comes before mdat.
    from spirokiosk.display.export.mp4 import Mp4Writer

    writer = Mp4Writer(tmp_path / "a.mp4", (32, 16), 10, "BGRX", curve=OTHER)
    for i in range(4):
        writer.add(np.full((16, 32, 4), i * 40, np.uint8))
    writer.finish()
    data = (tmp_path / "a.mp4").read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")
    assert curve_from_file(data) == OTHER


# -- hostile MP4s: boxes made by hand (ISO/IEC 14496-12, 4.2) ---------------------------


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


FTYP = box(b"ftyp", b"isom\0\0\2\0isomiso2mp41")


def comment_mp4(text: bytes, *, meta_flags: bool = True, top=b"") -> bytes:
    """An MP4's moov as FFmpeg's mp4 muxer lays out its `comment` (no tracks)."""
    data_box = box(b"data", b"\0\0\0\1" + b"\0\0\0\0" + text)
    tool = box(b"\xa9too", box(b"data", b"\0\0\0\1\0\0\0\0Lavf62"))
    ilst = box(b"ilst", tool + box(b"\xa9cmt", data_box))
    hdlr = box(b"hdlr", bytes(8) + b"mdirappl" + bytes(9))
    meta = box(b"meta", (bytes(4) if meta_flags else b"") + hdlr + ilst)
    return FTYP + top + box(b"moov", box(b"mvhd", bytes(100)) + box(b"udta", meta))


RECIPE = f"{RECIPE_KEY}:{recipe_json(CURVE)}".encode()


def test_hand_made_boxes_read_as_ffmpegs():
    assert curve_from_file(comment_mp4(RECIPE)) == CURVE
    assert curve_from_file(comment_mp4(RECIPE, meta_flags=False)) == CURVE  # QuickTime's meta
    big_mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 1000) + bytes(1000)  # a 64-bit size
    assert curve_from_file(comment_mp4(RECIPE, top=big_mdat)) == CURVE
    last = comment_mp4(RECIPE)  # size 0: the last box runs to the end of the file
    moov = last.index(b"moov") - 4
    assert curve_from_file(last[:moov] + bytes(4) + last[moov + 4 :]) == CURVE
    assert errors_of(comment_mp4(b"hello")) == [
        "file: an MP4 without a spirokiosk recipe (not made by spirokiosk?)"
    ]


def resized(data: bytes, kind: bytes, header: bytes) -> bytes:
    """`data` with the header of its first `kind` box replaced by `header`."""
    at = data.index(kind) - 4
    return data[:at] + header + data[at + 8 :]


def unreadable(reason: str) -> list[str]:
    return [f"file: not a readable MP4 ({reason})"]


GOOD = comment_mp4(RECIPE)
MOOV = len(GOOD) - GOOD.index(b"moov") + 4


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            resized(GOOD, b"moov", struct.pack(">I4s", MOOV + 1, b"moov")),
            unreadable("the 'moov' box runs past the end of the file"),
        ),
        (
            resized(GOOD, b"moov", struct.pack(">I4s", 2**32 - 1, b"moov")),
            unreadable("the 'moov' box runs past the end of the file"),
        ),
        (
            resized(GOOD, b"\xa9cmt", struct.pack(">I4s", 10**6, b"\xa9cmt")),
            unreadable("the '\xa9cmt' box runs past the end of the box holding it"),
        ),
        (  # a 64-bit size under its own 16-byte header
            resized(GOOD, b"moov", struct.pack(">I4sQ", 1, b"moov", 8)),
            unreadable("the 'moov' box has a size of 8 bytes, less than its header"),
        ),
        (
            resized(GOOD, b"moov", struct.pack(">I4sQ", 1, b"moov", 2**64 - 1)),
            unreadable("the 'moov' box runs past the end of the file"),
        ),
        (  # the file ends inside a 64-bit size
            FTYP + struct.pack(">I4s", 1, b"moov") + b"\0\0",
            unreadable("a box header runs past the end of the file"),
        ),
        (  # size 0 ("to the end of the file") inside another box
            resized(GOOD, b"udta", struct.pack(">I4s", 0, b"udta")),
            unreadable("the 'udta' box has a size of 0 bytes, less than its header"),
        ),
        (  # a size of 4 would have a naive walker read the same box for ever
            resized(GOOD, b"mvhd", struct.pack(">I4s", 4, b"mvhd")),
            unreadable("the 'mvhd' box has a size of 4 bytes, less than its header"),
        ),
        (
            FTYP + box(b"\0\x01\x02\x03", b""),
            unreadable("no moov box: the file ends before its index"),
        ),
        (
            FTYP + box(b"mdat", bytes(100))[:50],
            unreadable("the 'mdat' box runs past the end of the file"),
        ),
    ],
    ids=[
        "past-the-file",
        "size-2**32-1",
        "past-its-container",
        "64-bit-under-16",
        "64-bit-2**64-1",
        "64-bit-cut",
        "size-0-inside",
        "size-4",
        "no-moov",
        "cut-in-a-box",
    ],
)
def test_broken_boxes_are_named_never_an_exception(data, expected):
    assert errors_of(data) == expected


def test_an_unprintable_box_type_is_shown_in_hex():
    data = resized(GOOD, b"mvhd", struct.pack(">I4s", 4, b"\xff\x00\n\x1b"))
    assert errors_of(data) == unreadable(
        "the 0xff000a1b box has a size of 4 bytes, less than its header"
    )


FLAT = MAX_FILE_BYTES - 16 * 1024  # just under the upload limit, in 8-byte boxes


def test_millions_of_boxes_stop_at_the_box_limit():
    free = struct.pack(">I4s", 8, b"free")
    many = FTYP + free * (FLAT // 8) + GOOD[len(FTYP) :]
    assert errors_of(many) == unreadable(f"more than {MAX_MP4_BOXES} boxes before the recipe")
    ilst = box(b"ilst", free * (5 * MAX_MP4_BOXES))
    in_ilst = FTYP + box(b"moov", box(b"udta", box(b"meta", bytes(4) + ilst)))
    assert errors_of(in_ilst) == unreadable(f"more than {MAX_MP4_BOXES} boxes before the recipe")


@pytest.mark.parametrize("kind", [b"moov", b"udta"])
def test_boxes_nested_millions_deep_are_not_followed(kind):
    # moov in moov in moov ... (mutagen recursed into them until a RecursionError)
    levels = FLAT // 8
    headers = np.empty((levels, 2), ">u4")  # each box's header, the rest inside it
    headers[:, 0] = 8 * np.arange(levels, 0, -1)
    headers[:, 1] = int.from_bytes(kind, "big")
    nested = headers.tobytes()
    data = FTYP + box(b"moov", box(b"udta", nested)) if kind == b"udta" else FTYP + nested
    assert errors_of(data) == ["file: an MP4 without a spirokiosk recipe (not made by spirokiosk?)"]


def test_a_huge_data_box_is_refused():
    huge = comment_mp4(RECIPE + b" " * (20 * 1024 * 1024))
    assert errors_of(huge) == ["recipe: larger than 64 KiB"]
    just_over = comment_mp4(RECIPE + b" " * (MAX_RECIPE_BYTES - len(RECIPE) + 1))
    assert errors_of(just_over) == ["recipe: larger than 64 KiB"]
    not_ours = comment_mp4(b"x" * (20 * 1024 * 1024))
    assert errors_of(not_ours)[0].startswith("file: an MP4 without a spirokiosk recipe")


@functools.cache
def real_mp4() -> tuple[bytes, int]:
    """An MP4 of PyAV's with the recipe, and where its moov box starts."""
    data = mp4_with_recipe(CURVE, frames=2)
    return data, data.index(b"moov") - 4


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_mp4s_give_a_curve_or_a_curve_error(draw):
    """Bytes of a real MP4's moov overwritten at random, the file perhaps cut short: the
    answer is a curve or a CurveError, never another exception (so never a 500)."""
    whole, moov = real_mp4()
    check_damaged_file(draw, whole, moov)


def test_only_metadata_is_read_never_the_pixels():
    # The picture data wrecked, the metadata intact: the recipe still comes out.
    jpeg = jpeg_with_recipe(CURVE)
    scan = jpeg.index(b"\xff\xda") + 20
    wrecked = jpeg[:scan] + b"\x00" * (len(jpeg) - scan - 2) + jpeg[-2:]
    assert curve_from_file(wrecked) == CURVE
    mp4 = mp4_with_recipe(CURVE)
    start, end = mp4.index(b"mdat") + 4, mp4.index(b"moov") - 4
    assert curve_from_file(mp4[:start] + bytes(end - start) + mp4[end:]) == CURVE
