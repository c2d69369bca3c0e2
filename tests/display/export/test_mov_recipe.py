"""A recipe in a .mov: an MP4 of the kiosk's re-muxed to QuickTime (`ffmpeg -c copy`)
keeps its comment only as user-data text, moov/udta/\251cmt (16-bit size, 16-bit
language, the text), which display/export/mp4_recipe.py reads as well as the MP4's
iTunes-style item, within the same bounds."""

import functools
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.recipe_files import check_damaged_file, mp4_with_recipe, remuxed_mov

from spirokiosk.display.curves import PRESETS, CurveError
from spirokiosk.display.export.mp4_recipe import MAX_MP4_BOXES
from spirokiosk.display.export.read_recipe import curve_from_file
from spirokiosk.display.export.recipe import MAX_RECIPE_BYTES, tagged_recipe

CURVE = PRESETS["seed-magma-11"]
OTHER = PRESETS["gears-96-52"]
RECIPE = tagged_recipe(CURVE).encode()
UND = 0x55C4  # "und" packed as ISO 639-2/T letters, what FFmpeg writes when none is given
NO_RECIPE = ["file: an MP4 without a spirokiosk recipe (not made by spirokiosk?)"]


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(CurveError) as caught:
        curve_from_file(data)
    return caught.value.errors


def unreadable(reason: str) -> list[str]:
    return [f"file: not a readable MP4 ({reason})"]


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def text_item(kind: bytes, text: bytes, *, size: int | None = None, lang: int = UND) -> bytes:
    """A user-data text item: its text's size (`size` to lie), its language, the text."""
    return box(kind, struct.pack(">HH", len(text) if size is None else size, lang) + text)


def itunes_meta(text: bytes) -> bytes:
    """moov/udta/meta as FFmpeg's mp4 muxer writes it, with `text` as the comment."""
    data = box(b"data", b"\0\0\0\1" + b"\0\0\0\0" + text)
    hdlr = box(b"hdlr", bytes(8) + b"mdirappl" + bytes(9))
    return box(b"meta", bytes(4) + hdlr + box(b"ilst", box(b"\xa9cmt", data)))


def comment_mov(comment: bytes, *, before: bytes = b"", after: bytes = b"") -> bytes:
    """A .mov's boxes as FFmpeg's mov muxer lays out its comment (no tracks): `comment`
    is the whole \251cmt item, `before` and `after` other items of the udta."""
    udta = text_item(b"\xa9swr", b"Lavf62.12.102") + text_item(b"\xa9des", RECIPE)
    udta += before + comment + after
    moov = box(b"moov", box(b"mvhd", bytes(100)) + box(b"udta", udta))
    return box(b"ftyp", b"qt  \0\0\2\0qt  ") + box(b"wide", b"") + moov


@functools.cache
def real_mov() -> bytes:
    """A .mov re-muxed by FFmpeg (PyAV's libavformat) from an MP4 with the recipe."""
    return remuxed_mov(mp4_with_recipe(CURVE, frames=3))


def test_a_real_remux_keeps_the_recipe_only_as_user_data():
    mov = real_mov()
    assert mov[4:12] == b"ftypqt  " and b"ilst" not in mov and b"meta" not in mov
    at = mov.index(b"\xa9cmt") + 4  # the item as the hand-made ones below lay it out
    assert struct.unpack_from(">HH", mov, at) == (len(RECIPE), UND)
    assert mov[at + 4 : at + 4 + len(RECIPE)] == RECIPE
    assert curve_from_file(mov) == CURVE


def test_hand_made_user_data_reads_as_ffmpegs():
    assert curve_from_file(comment_mov(text_item(b"\xa9cmt", RECIPE))) == CURVE
    # A Mac language code (mov.c reads the text as Mac Roman then): ASCII all the same.
    assert curve_from_file(comment_mov(text_item(b"\xa9cmt", RECIPE, lang=0))) == CURVE
    # More texts after the first (other languages): the first is the one read, as FFmpeg.
    two = box(b"\xa9cmt", struct.pack(">HH", len(RECIPE), UND) + RECIPE + b"\0\3\0\0abc")
    assert curve_from_file(comment_mov(two)) == CURVE
    # An iTunes-style meta without the recipe before it: the \251cmt text still counts.
    other_meta = comment_mov(text_item(b"\xa9cmt", RECIPE), before=itunes_meta(b"hello"))
    assert curve_from_file(other_meta) == CURVE
    # Both, as a file tagged again might be: the first in the udta wins.
    first = tagged_recipe(OTHER).encode()
    both = comment_mov(text_item(b"\xa9cmt", RECIPE), before=itunes_meta(first))
    assert curve_from_file(both) == OTHER
    assert errors_of(comment_mov(text_item(b"\xa9cmt", b"hello"))) == NO_RECIPE
    assert errors_of(comment_mov(b"")) == NO_RECIPE


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (
            text_item(b"\xa9cmt", RECIPE, size=len(RECIPE) + 1),
            unreadable(f"the '\xa9cmt' box's text of {len(RECIPE) + 1} bytes runs past its end"),
        ),
        (
            text_item(b"\xa9cmt", RECIPE, size=0xFFFF),
            unreadable("the '\xa9cmt' box's text of 65535 bytes runs past its end"),
        ),
        (
            box(b"\xa9cmt", b"\0\5"),
            unreadable("the '\xa9cmt' box holds 2 bytes, too few for its text's size and language"),
        ),
        (
            box(b"\xa9cmt", b""),
            unreadable("the '\xa9cmt' box holds 0 bytes, too few for its text's size and language"),
        ),
        (  # the item's own box runs past the udta holding it
            struct.pack(">I4s", 10**6, b"\xa9cmt") + struct.pack(">HH", len(RECIPE), UND),
            unreadable("the '\xa9cmt' box runs past the end of the box holding it"),
        ),
        (text_item(b"\xa9cmt", RECIPE, size=0), NO_RECIPE),  # an empty text: not ours
    ],
    ids=["size-one-over", "size-65535", "two-bytes", "empty", "box-past-udta", "size-0"],
)
def test_broken_user_data_is_named_never_an_exception(comment, expected):
    assert errors_of(comment_mov(comment)) == expected


def test_a_size_short_of_the_text_cuts_the_recipe_as_ffmpeg_would():
    cut = comment_mov(text_item(b"\xa9cmt", RECIPE, size=len(RECIPE) - 1))
    (error,) = errors_of(cut)
    assert error.startswith("recipe: "), error  # the JSON ends early: the recipe's fault


def test_the_largest_text_a_16_bit_size_allows_is_within_the_recipe_cap():
    assert MAX_RECIPE_BYTES >= 0xFFFF  # so this form needs no cap of its own
    padded = RECIPE + b" " * (0xFFFF - len(RECIPE))
    assert curve_from_file(comment_mov(text_item(b"\xa9cmt", padded))) == CURVE


def test_items_without_end_before_the_comment_stop_at_the_box_limit():
    free = struct.pack(">I4s", 8, b"free")
    many = comment_mov(text_item(b"\xa9cmt", RECIPE), before=free * MAX_MP4_BOXES)
    assert errors_of(many) == unreadable(f"more than {MAX_MP4_BOXES} boxes before the recipe")
    few = comment_mov(text_item(b"\xa9cmt", RECIPE), before=free * (MAX_MP4_BOXES - 20))
    assert curve_from_file(few) == CURVE


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_movs_give_a_curve_or_a_curve_error(draw):
    """Bytes of a real .mov's moov overwritten at random, the file perhaps cut short: a
    curve or a CurveError, never another exception (so never a 500)."""
    whole = real_mov()
    check_damaged_file(draw, whole, whole.index(b"moov") - 4)
