"""Spirograph curves as sums of rotating wheels: pure numpy, no pygame.

from spirokiosk.display.curves import Curve, Wheel, random_curve, PRESETS
"""

from .data import CurveError
from .model import Curve, Wheel
from .presets import PRESETS
from .randomcurve import random_curve
from .shapes import SHAPES

__all__ = ["PRESETS", "SHAPES", "Curve", "CurveError", "Wheel", "random_curve"]
