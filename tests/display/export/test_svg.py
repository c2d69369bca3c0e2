"""The plotter SVG (display/export/svg.py) and the studio's preview SVG (preview.py),
read back with xml.etree as a plotter's software or a browser would."""

import itertools
import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from spirokiosk.display.curves import PRESETS, Curve, random_curve
from spirokiosk.display.curves.colours import colour_table
from spirokiosk.display.draw.layout import fit_curve, sample_curve
from spirokiosk.display.export import svg
from spirokiosk.display.export.preview import PIECES, preview_svg
from spirokiosk.display.export.svg import (
    INKSCAPE_NS,
    PAPERS,
    RECIPE_NS,
    PlotterPage,
    paper_size,
    plotter_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
LABEL = f"{{{INKSCAPE_NS}}}label"
GROUPMODE = f"{{{INKSCAPE_NS}}}groupmode"
CURVE = PRESETS["seed-magma-11"]
RED, BLUE = [1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]


def polyline_points(element) -> np.ndarray:
    """x,y x,y ... or x y x y ...: both are SVG's points syntax."""
    return np.array(element.get("points").replace(",", " ").split(), dtype=float).reshape(-1, 2)


def without_repeats(points: np.ndarray) -> np.ndarray:
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    return points[keep]


def layers(root) -> list:
    return [g for g in root.iter(f"{SVG}g") if g.get(GROUPMODE) == "layer"]


def test_a4_in_millimetres_with_a_layer_per_pen():
    root = ET.fromstring(plotter_svg(CURVE, PlotterPage(pens=4)))
    assert (root.get("width"), root.get("height")) == ("210mm", "297mm")
    assert root.get("viewBox") == "0 0 210 297"
    found = layers(root)
    assert [g.get(LABEL) for g in found] == ["1-pen", "2-pen", "3-pen", "4-pen"]
    # One polyline per pen (magma's four quarters are four colours), stroke only.
    assert [len(g.findall(f"{SVG}polyline")) for g in found] == [1, 1, 1, 1]
    strokes = [g.get("stroke") for g in found]
    assert len(set(strokes)) == 4
    expected = colour_table(CURVE.colour_map, 9)[1::2]  # the quarters' middles: 1/8, 3/8...
    for stroke, rgb in zip(strokes, expected, strict=True):
        got = np.array([int(stroke[i : i + 2], 16) for i in (1, 3, 5)])
        assert np.abs(got - rgb.astype(int)).max() <= 1
    assert all(g.get("fill") == "none" for g in found)
    assert not root.findall(f".//{SVG}rect") and not root.findall(f".//{SVG}path")


def test_the_pens_follow_the_curve_without_pen_up_travel_and_stay_in_the_margins():
    page = PlotterPage(paper=PAPERS["a3"], margin_mm=20, pens=3)
    root = ET.fromstring(plotter_svg(CURVE, page))
    lines = [polyline_points(p) for p in root.iter(f"{SVG}polyline")]
    assert len(lines) == 3
    for before, after in itertools.pairwise(lines):
        assert np.array_equal(before[-1], after[0])  # the next pen starts where this stopped
    assert np.array_equal(lines[0][0], lines[-1][-1])  # a closed curve
    every = np.concatenate(lines)
    assert every[:, 0].min() >= 20 - 0.01 and every[:, 0].max() <= 297 - 20 + 0.01
    assert every[:, 1].min() >= 20 - 0.01 and every[:, 1].max() <= 420 - 20 + 0.01
    # As large as the margins allow, centred: one side touches them.
    span = every.max(axis=0) - every.min(axis=0)
    assert max(span[0] / 257, span[1] / 380) == pytest.approx(1, abs=0.01)
    # Fine enough for a pen: no straight piece longer than 0.25 mm.
    assert np.hypot(*np.diff(every, axis=0).T).max() < 0.25


def test_the_single_pen_variant_is_one_black_polyline():
    root = ET.fromstring(plotter_svg(CURVE, PlotterPage(pens=1)))
    (layer,) = layers(root)
    assert layer.get(LABEL) == "1-pen" and layer.get("stroke") == "#000000"
    assert len(layer.findall(f"{SVG}polyline")) == 1


def stretch_colours(pattern):
    """A stand-in for colour_map: stretch colours by where they lie on the map."""

    def colours(where):
        return np.array([pattern(w) for w in where])

    return lambda name: colours


def test_stretches_of_one_colour_share_a_pen_merged_and_ordered(monkeypatch):
    # A cyclic map whose ends are one colour (A B A over three stretches): the first and
    # last stretches go to one pen, and as the curve is closed they join into one line.
    monkeypatch.setattr(
        svg, "colour_map", stretch_colours(lambda w: RED if abs(w - 0.5) > 0.2 else BLUE)
    )
    page = PlotterPage(pens=3)
    pens = svg.plotter_pens(CURVE, page)
    assert [pen.colour for pen in pens] == ["#ff0000", "#0000ff"]
    assert [len(pen.lines) for pen in pens] == [1, 1]
    red, blue = pens[0].lines[0], pens[1].lines[0]
    assert np.array_equal(red[-1], blue[0])  # blue starts where red stopped
    points = sample_curve(CURVE, svg.plotter_fit(CURVE, page), svg.PLOT_SEGMENT_MM)
    assert len(red) + len(blue) - 1 == len(points)  # every point once, the joins shared

    # A B A B: two lines a pen that do not touch; each pen's nearest line next, either way.
    monkeypatch.setattr(
        svg, "colour_map", stretch_colours(lambda w: RED if w < 0.25 or 0.5 < w < 0.75 else BLUE)
    )
    pens = svg.plotter_pens(CURVE, PlotterPage(pens=4))
    assert [len(pen.lines) for pen in pens] == [2, 2]
    here = points[0]
    for pen in pens:
        left = list(pen.lines)
        while left:
            line = left.pop(0)
            gap = math.dist(here, line[0])
            others = [min(math.dist(here, o[0]), math.dist(here, o[-1])) for o in left]
            assert all(gap <= other + 1e-9 for other in others)
            here = line[-1]


def test_the_recipe_in_the_metadata_round_trips():
    curve = random_curve(11, shapes=("square", "circle"), exact_symmetry=False)
    root = ET.fromstring(plotter_svg(curve))
    recipe = root.find(f"{SVG}metadata/{{{RECIPE_NS}}}recipe")
    assert Curve.from_dict(json.loads(recipe.text)) == curve
    assert root.find(f"{SVG}title").text == curve.name


def test_a_name_with_markup_stays_text():
    curve = Curve(wheels=CURVE.wheels, name='<b>&"x"</b> ünï')
    root = ET.fromstring(plotter_svg(curve))
    assert root.find(f"{SVG}title").text == curve.name
    recipe = root.find(f"{SVG}metadata/{{{RECIPE_NS}}}recipe")
    assert Curve.from_dict(json.loads(recipe.text)).name == curve.name


def test_paper_names_and_custom_sizes():
    assert paper_size("A4") == (210.0, 297.0)
    assert paper_size("a3-landscape") == (420.0, 297.0)
    assert paper_size("letter") == (215.9, 279.4)
    assert paper_size("300x200") == (300.0, 200.0)
    assert paper_size("150.5 x 100mm") == (150.5, 100.0)
    for bad in ("b5", "x", "10x", "-5x100"):
        with pytest.raises(ValueError, match="WxH in mm"):
            paper_size(bad)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"paper": (10.0, 100.0)}, "paper"),
        ({"margin_mm": 150.0}, "margin"),
        ({"margin_mm": -1.0}, "margin"),
        ({"pens": 0}, "pens"),
        ({"pens": 13}, "pens"),
        ({"pen_width_mm": 0.0}, "pen width"),
    ],
)
def test_a_bad_page_names_its_field(options, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        PlotterPage(**options)


# -- the studio's preview -------------------------------------------------------------


def test_the_preview_is_the_screens_polyline_in_its_colours():
    size = (480, 480)
    root = ET.fromstring(preview_svg(CURVE, size))
    assert (root.get("width"), root.get("height")) == ("480", "480")
    assert root.get("viewBox") == "0 0 4800 4800"
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == PIECES
    colours = colour_table(CURVE.colour_map, PIECES)
    assert [p.get("stroke") for p in lines] == ["#{:02x}{:02x}{:02x}".format(*c) for c in colours]
    # The pieces join up, and their points are the screen's own (display.draw.layout) to
    # a twentieth of a pixel (the SVG keeps tenths).
    drawn = [polyline_points(p) / 10 for p in lines]
    for before, after in itertools.pairwise(drawn):
        assert np.array_equal(before[-1], after[0])
    screen = without_repeats(np.round(sample_curve(CURVE, fit_curve(CURVE, size)) * 10) / 10)
    every = without_repeats(np.concatenate([drawn[0], *(line[1:] for line in drawn[1:])]))
    assert np.array_equal(every, screen)
    stops = root.findall(f".//{SVG}stop")
    background = colour_table(CURVE.background_map, len(stops))
    assert stops[0].get("stop-color") == "#{:02x}{:02x}{:02x}".format(*background[0])
    assert stops[-1].get("stop-color") == "#{:02x}{:02x}{:02x}".format(*background[-1])


def test_the_preview_of_twelve_wheels_stays_small():
    curve = random_curve(3, wheels=12)
    text = preview_svg(curve)
    assert len(text) < 400_000
    root = ET.fromstring(text)
    width = float(root.find(f".//{SVG}g").get("stroke-width"))  # tenths of a pixel
    assert math.isclose(width, 10 * curve.line_width * 480 / 1080, abs_tol=1)
