"""What the studio asks the server for besides the preview: colour-map swatches, a
curve's symmetry in words (exact, or approximate and why), gear sets as curves.

All of it comes from display.curves, so the page holds no curve maths of its own.
"""

from __future__ import annotations

import functools
import math

from spirokiosk.display.curves import Curve, CurveError
from spirokiosk.display.curves.colours import colour_table, hex_colours
from spirokiosk.display.curves.data import MAX_FREQ
from spirokiosk.display.curves.presets import gear_curve
from spirokiosk.display.messages import shown

# The swatches the studio offers (any other name the colour maps know is accepted too):
# those the presets and random curves use, and a few more of matplotlib's.
SWATCH_MAPS = (
    "magma", "inferno", "plasma", "viridis", "cividis", "turbo", "twilight", "rainbow",
    "gnuplot", "bone", "gray", "copper", "hot", "cool", "spring", "ocean",
    "YlGnBu", "YlOrRd", "BuGn", "Spectral", "coolwarm",
)  # fmt: skip
SWATCH_STOPS = 12
MAX_TEETH = MAX_FREQ  # a gear's frequencies are its tooth counts over their gcd
MAX_REASONS = 3


@functools.cache
def colour_map_swatches() -> tuple[dict, ...]:
    """Each swatch map: its name, SWATCH_STOPS colours and a CSS gradient of them."""
    swatches = []
    for name in SWATCH_MAPS:
        stops = hex_colours(colour_table(name, SWATCH_STOPS))
        gradient = ", ".join(
            f"{colour} {100 * i / (SWATCH_STOPS - 1):.0f}%" for i, colour in enumerate(stops)
        )
        css = f"linear-gradient(90deg, {gradient})"
        swatches.append({"name": name, "stops": stops, "css": css})
    return tuple(swatches)


def symmetry_report(curve: Curve) -> dict:
    """{"state": "exact"|"approximate"|"none", "k", "m", "text"}: the curve's symmetry,
    and for an approximate one the wheels that break it (shape or width != height)."""
    symmetry = curve.symmetry
    if symmetry is None:
        text = "no rotational symmetry: the frequencies are not all m mod any k >= 2"
        return {"state": "none", "k": None, "m": None, "text": text}
    k, m = symmetry
    steps = f"every frequency is {m} mod {k}"
    if curve.freq_gcd > 1:
        steps += f" after dividing by their common factor {curve.freq_gcd}"
    if curve.exactly_symmetric:
        return {"state": "exact", "k": k, "m": m, "text": f"exactly {k}-fold symmetric ({steps})"}
    reasons = []
    for number, wheel in enumerate(curve.wheels, start=1):
        if wheel.shape != "circle":
            reasons.append(f"wheel {number} is a {wheel.shape}")
        elif wheel.width != wheel.height:
            reasons.append(f"wheel {number} has width != height")
    more = len(reasons) - MAX_REASONS
    why = ", ".join(reasons[:MAX_REASONS]) + (f" and {more} more" if more > 0 else "")
    text = f"approximately {k}-fold symmetric ({steps}), not exactly: {why}"
    return {"state": "approximate", "k": k, "m": m, "text": text}


def _teeth(query, key: str, low: int, errors: list[str]) -> int | None:
    text = query.get(key)
    if text is None:
        errors.append(f"{key}: missing; a whole number from {low} to {MAX_TEETH}")
        return None
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= MAX_TEETH:
        errors.append(f"{key}: must be a whole number from {low} to {MAX_TEETH}, not {shown(text)}")
        return None
    return value


def gears_from_query(query) -> Curve:
    """The two-wheel curve of a toy spirograph from ?ring=R&wheel=r&pen=d&outside=0|1
    (tooth counts; the pen d teeth from the wheel's centre), or CurveError naming fields.

    The maths is the gear presets' own (`display.curves.presets.gear_curve`).
    """
    errors: list[str] = []
    ring = _teeth(query, "ring", 2, errors)
    wheel = _teeth(query, "wheel", 1, errors)
    pen = _teeth(query, "pen", 0, errors)
    outside = query.get("outside", "0")
    if outside not in ("0", "1", "false", "true"):
        errors.append(f"outside: must be 0 or 1 (true or false), not {shown(outside)}")
    if errors:
        raise CurveError(errors)
    outside = outside in ("1", "true")
    if not outside and wheel >= ring:
        raise CurveError([f"wheel: inside a ring of {ring} teeth, a wheel needs fewer teeth"])
    g = math.gcd(ring, wheel)
    fastest = (ring + wheel if outside else ring - wheel) // g
    if fastest > MAX_FREQ:
        raise CurveError(
            [f"ring: {ring} and {wheel} teeth make a wheel turn {fastest} times, over {MAX_FREQ}"]
        )
    style = {k: query[k] for k in ("colour_map", "background_map") if k in query}
    curve = gear_curve(ring, wheel, pen, outside=outside)
    data = {**curve.to_dict(), **style, "name": f"gears {ring}/{wheel}/{pen}"}
    if "line_width" in query:
        try:
            data["line_width"] = float(query["line_width"])
        except ValueError:
            raise CurveError([f"line_width: not a number: {shown(query['line_width'])}"]) from None
    return Curve.from_dict(data)  # frequencies within limits, a real figure, style names known
