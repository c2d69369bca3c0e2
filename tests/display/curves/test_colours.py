"""Colour maps' colours as `#rrggbb` (display/curves/colours.py: hex_colours)."""

import numpy as np

from spirokiosk.display.curves.colours import colour_table, hex_colours


def test_each_row_is_two_hex_digits_a_channel():
    table = np.array([[0, 0, 0], [255, 16, 1], [10, 171, 255]], dtype=np.uint8)
    assert hex_colours(table) == ["#000000", "#ff1001", "#0aabff"]
    assert hex_colours(table.astype(int).tolist()) == hex_colours(table)  # any integer rows


def test_a_maps_ends_as_matplotlib_gives_them():
    # magma runs from (0.001462, 0.000466, 0.013866) to (0.987053, 0.991438, 0.749504)
    assert hex_colours(colour_table("magma", 2)) == ["#000004", "#fcfdbf"]
