"""Spirograph curves as sums of rotating wheels: the model, shapes, presets, random curves,
colour maps, curves in TOML documents. Pure numpy (and `cmap` for the colour maps), no pygame.

    from spirokiosk.display.curves import Curve, Wheel, random_curve, PRESETS

May import: display's helper modules (messages) only.
"""

from spirokiosk.display.curves.data import CurveError
from spirokiosk.display.curves.model import Curve, Wheel
from spirokiosk.display.curves.presets import PRESETS
from spirokiosk.display.curves.randomcurve import random_curve
from spirokiosk.display.curves.shapes import SHAPES

__all__ = ["PRESETS", "SHAPES", "Curve", "CurveError", "Wheel", "random_curve"]
