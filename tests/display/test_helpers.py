"""display's shared helpers: did-you-mean, WxH sizes, pixel byte orders, rates."""

import numpy as np
import pytest

from spirokiosk.display.messages import did_you_mean, spoken_list, suggestion
from spirokiosk.display.pixels import LAYOUTS, check_layout, check_pixels, convert_layout
from spirokiosk.display.rates import RateMeter
from spirokiosk.display.sizes import Size, parse_size


def test_did_you_mean_wording():
    assert did_you_mean("magmaa", ["magma", "viridis"]) == " (did you mean 'magma'?)"
    assert did_you_mean("xyz", ["magma"]) == ""
    assert did_you_mean(42, ["magma"]) == ""  # not a name at all: no suggestion
    names = ["gears-96-52", "gears-96-30", "seed-magma-11"]
    assert did_you_mean("gears-96-5", names, n=3) == (
        " (did you mean 'gears-96-52' or 'gears-96-30'?)"  # the closest first
    )
    assert spoken_list(["a", "b"]) == "'a' or 'b'"
    assert suggestion([]) == ""


def test_sizes_parse_and_print():
    assert parse_size("1920x1080") == Size(1920, 1080)
    assert parse_size(" 640 X 480 ") == (640, 480)
    assert str(Size(800, 600)) == "800x600"
    assert Size(16, 4096).within(16, 4096) and not Size(15, 100).within(16, 4096)
    for bad in ("1920", "x1080", "19.2x10", "-5x5", "auto", "", None, 1920, "1" * 5000 + "x16"):
        with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
            parse_size(bad)


def test_layouts_are_checked_by_name_and_size():
    for layout in (*LAYOUTS, "RGB", "BGR"):
        assert check_layout(layout) == layout
    for bad in ("RGBA", "RRGB", "XXRG", "BGRXX", "", 4, "rgbx"):
        with pytest.raises(ValueError, match="layout"):
            check_layout(bad)
    with pytest.raises(ValueError, match="4 bytes"):
        check_layout("RGB", 4)


def test_pixel_arrays_are_checked():
    check_pixels(np.zeros((2, 3, 4), np.uint8), "BGRX")
    check_pixels(np.zeros((2, 3, 3), np.uint8), "RGB")
    bad = [
        (np.zeros((2, 3, 4), np.float32), "BGRX"),
        (np.zeros((2, 3, 3), np.uint8), "BGRX"),
        (np.zeros((2, 6, 4), np.uint8)[:, ::2], "BGRX"),
        ([[0, 0, 0, 0]], "BGRX"),
    ]
    for pixels, layout in bad:
        with pytest.raises(ValueError, match="pixels"):
            check_pixels(pixels, layout)


def test_convert_layout_reorders_bytes_and_fills_x():
    rgb = np.array([[[10, 20, 30]]], np.uint8)
    assert convert_layout(rgb, "RGB", "XBGR").tolist() == [[[255, 30, 20, 10]]]


def test_rate_meter_over_a_window():
    meter = RateMeter(window=1.0)
    assert meter.rate() == 0.0
    for i in range(31):
        meter.add(100.0 + i / 30)
    assert meter.rate() == pytest.approx(30.0)
    assert meter.rate(now=101.5) == pytest.approx(30.0)  # the last half second still counts
    assert meter.rate(now=103.0) == 0.0  # nothing within the window any more
    meter.add(200.0)
    meter.clear()
    assert meter.rate() == 0.0


def test_outside_values_are_shown_on_one_short_line():
    from spirokiosk.display.messages import escaped, shown

    assert escaped("web.port=1") == "web.port=1"
    assert escaped("evil\nINFO forged line") == "evil\\nINFO forged line"
    assert escaped("x" * 100, 20) == "x" * 17 + "..."
    assert shown("a\x00b") == "'a\\x00b'"
    assert shown(10**5000) == "an integer of about 5001 digits"
    assert "\n" not in shown(["\n"] * 50) and len(shown(["\n"] * 50)) == 60
