"""Fitting a curve into a size (display/draw/layout.py): the screen's fit and the plotter
page's (display/export/svg.py) share one box probe, `fit_within`, and give the values
they gave when each had its own (recorded from that code, to 1e-12)."""

import dataclasses

import pytest

from spirokiosk.display.curves import PRESETS, Curve
from spirokiosk.display.curves.model import Wheel
from spirokiosk.display.draw.layout import fit_curve
from spirokiosk.display.export.svg import PlotterPage, paper_size, plotter_fit

CURVES = {
    "seed-magma-11": PRESETS["seed-magma-11"],
    "gears-144-84-outside": PRESETS["gears-144-84-outside"],
    "seed-ellipse-6": PRESETS["seed-ellipse-6"],
    # So thick that on 10x10 pixels the margins leave no room: the fit's floor of one pixel.
    "thick": dataclasses.replace(PRESETS["gears-96-30"], line_width=20.0),
    # A straight line (2 cos t): no height, which must not divide by zero.
    "line": Curve(wheels=(Wheel(1, 1), Wheel(-1, 1)), name="line"),
}
# The bounding box's centre, in curve units, whatever the size.
CENTRES = {
    "seed-magma-11": complex(-7.285328649730971e-05, -8.838597190119479e-05),
    "gears-144-84-outside": complex(6.672390695516839e-06, 1.6653345369377348e-16),
    "seed-ellipse-6": complex(0.2585131930365867, -0.03355513869280513),
    "thick": complex(7.67046009814143e-06, 0.0),
    "line": complex(2.942807920680579e-07, 0.0),
}
PAGES = {
    "a4": PlotterPage(),
    "a3-landscape, no margin": PlotterPage(paper=paper_size("a3-landscape"), margin_mm=0.0),
    "letter, 30 mm": PlotterPage(paper=paper_size("letter"), margin_mm=30.0, pens=1),
    "100x40, 2.5 mm": PlotterPage(paper=(100.0, 40.0), margin_mm=2.5),
}


def close(value: float) -> object:
    return pytest.approx(value, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("name", "size", "scale"),
    [
        ("seed-magma-11", (1920, 1080), 151.23830567817674),
        ("seed-magma-11", (720, 1280), 98.32809488603215),
        ("gears-144-84-outside", (64, 48), 19.237188423311373),
        ("seed-ellipse-6", (1920, 1080), 270.03410735181706),
        ("seed-ellipse-6", (10, 10), 0.19507947990578495),
        ("thick", (10, 10), 0.5000019176285847),
        ("thick", (720, 1280), 313.0024008724265),
        ("line", (1920, 1080), 451.5000664338986),
    ],
)
def test_the_screen_fit_is_the_one_recorded(name, size, scale):
    fit = fit_curve(CURVES[name], size)
    assert fit.scale == close(scale)
    assert fit.centre_px == (size[0] / 2, size[1] / 2)
    assert (fit.centre.real, fit.centre.imag) == (
        close(CENTRES[name].real),
        close(CENTRES[name].imag),
    )


@pytest.mark.parametrize(
    ("name", "page", "scale", "centre_mm"),
    [
        ("seed-magma-11", "a4", 27.6116335093382, (105.0, 148.5)),
        ("gears-144-84-outside", "a3-landscape, no margin", 149.566622034646, (210.0, 148.5)),
        ("seed-ellipse-6", "100x40, 2.5 mm", 9.80414290177759, (50.0, 20.0)),
        ("thick", "letter, 30 mm", 77.95059791695095, (107.95, 139.7)),
        ("line", "a4", 45.000006621318796, (105.0, 148.5)),
    ],
)
def test_the_plotter_fit_is_the_one_recorded(name, page, scale, centre_mm):
    fit = plotter_fit(CURVES[name], PAGES[page])
    assert fit.scale == close(scale)
    assert fit.centre_px == centre_mm
    assert (fit.centre.real, fit.centre.imag) == (
        close(CENTRES[name].real),
        close(CENTRES[name].imag),
    )
