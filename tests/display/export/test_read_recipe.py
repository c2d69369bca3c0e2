"""Reading a curve back out of a file (display/export/read_recipe.py): every format the
kiosk writes, plain curve files, and whatever else a browser may drop."""

import io
import json
import zlib

import pytest
from PIL import Image
from support.recipe_files import (
    gif_with_recipe,
    jpeg_with_recipe,
    mp4_with_recipe,
    png_with_recipe,
)

from spirokiosk.display.curves import PRESETS, CurveError, random_curve
from spirokiosk.display.export.read_recipe import MAX_FILE_BYTES, curve_from_file
from spirokiosk.display.export.recipe import RECIPE_KEY, RECIPE_NS, recipe_json
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


def test_an_mp4_without_pyav_says_how_to_get_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_av(name, *args, **kwargs):
        if name == "av":
            raise ImportError("No module named 'av'")
        return real_import(name, *args, **kwargs)

    data = mp4_with_recipe(CURVE)
    monkeypatch.setattr(builtins, "__import__", no_av)
    assert errors_of(data) == [
        "file: reading an MP4 needs PyAV on the kiosk: pip install 'spirokiosk[video]'"
    ]


def test_only_metadata_is_read_never_the_pixels():
    # The picture data wrecked, the metadata intact: the recipe still comes out.
    jpeg = jpeg_with_recipe(CURVE)
    scan = jpeg.index(b"\xff\xda") + 20
    wrecked = jpeg[:scan] + b"\x00" * (len(jpeg) - scan - 2) + jpeg[-2:]
    assert curve_from_file(wrecked) == CURVE
    mp4 = mp4_with_recipe(CURVE)
    start, end = mp4.index(b"mdat") + 4, mp4.index(b"moov") - 4
    assert curve_from_file(mp4[:start] + bytes(end - start) + mp4[end:]) == CURVE
