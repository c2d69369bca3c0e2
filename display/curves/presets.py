"""Named curves: the five seed curves and classic toy-spirograph gear sets.

A toy spirograph rolls a wheel of r teeth inside (hypotrochoid) or outside
(epitrochoid) a ring of R teeth, with the pen d teeth from the wheel's centre.
Rescaling t by r / gcd(R, r) makes both frequencies integers:

    inside:  (R - r) e^{i r' t} + d e^{-i (R - r)' t}
    outside: (R + r) e^{i r' t} - d e^{i (R + r)' t}     (x' = x / gcd(R, r))

Sizes are divided by the largest reach so every preset spans about 1 unit.
"""

import math
import tomllib
from importlib import resources
from types import MappingProxyType

from spirokiosk.display.curves.model import Curve, Wheel


def gear_curve(ring: int, wheel: int, pen: float, *, outside: bool = False, **style) -> Curve:
    """The curve drawn by a toy spirograph gear set (tooth counts, pen in teeth)."""
    g = math.gcd(ring, wheel)
    if outside:
        arm, second_freq, pen_size = ring + wheel, (ring + wheel) // g, -pen
    else:
        arm, second_freq, pen_size = ring - wheel, -(ring - wheel) // g, pen
    norm = arm + pen
    wheels = (Wheel(wheel // g, arm / norm), Wheel(second_freq, pen_size / norm))
    where = "outside" if outside else "inside"
    description = f"toy spirograph: {wheel}-tooth wheel {where} a {ring}-tooth ring, pen at {pen}"
    return Curve(wheels=wheels, description=description, **style)


_GEAR_SETS = {
    "gears-96-52": dict(ring=96, wheel=52, pen=42, colour_map="plasma", background_map="gray"),
    "gears-105-63": dict(ring=105, wheel=63, pen=50, colour_map="viridis", background_map="bone"),
    "gears-96-30": dict(ring=96, wheel=30, pen=26, colour_map="cool", background_map="twilight"),
    "gears-105-84": dict(ring=105, wheel=84, pen=70, colour_map="spring", background_map="cividis"),
    "gears-144-84-outside": dict(
        ring=144, wheel=84, pen=60, outside=True, colour_map="inferno", background_map="bone"
    ),
    "gears-150-60-outside": dict(
        ring=150, wheel=60, pen=52, outside=True, colour_map="YlOrRd", background_map="viridis"
    ),
}


def _seed_curves() -> dict[str, Curve]:
    text = resources.files(__package__).joinpath("presets.toml").read_text(encoding="utf-8")
    tables = tomllib.loads(text)
    return {name: Curve.from_dict({**table, "name": name}) for name, table in tables.items()}


def _gear_curves() -> dict[str, Curve]:
    curves = {}
    for name, spec in _GEAR_SETS.items():
        spec = dict(spec)
        curves[name] = gear_curve(
            spec.pop("ring"),
            spec.pop("wheel"),
            spec.pop("pen"),
            outside=spec.pop("outside", False),
            name=name,
            line_width=3.0,
            **spec,
        )
    return curves


def load_presets() -> MappingProxyType:
    """All presets, seed curves first, as a read-only mapping name -> Curve."""
    return MappingProxyType({**_seed_curves(), **_gear_curves()})


PRESETS = load_presets()
