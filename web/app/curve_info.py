"""What the page and /api/status say about a curve beyond its to_dict(): symmetry and
readable wheel sizes (a complex size as length and starting angle)."""

from __future__ import annotations

import cmath
import math

from spirokiosk.display.curves import Curve


def _size(text: str) -> dict:
    value = complex(text)
    return {
        "text": text,
        "re": value.real,
        "im": value.imag,
        "length": round(abs(value), 4),
        "angle_deg": round(math.degrees(cmath.phase(value)), 1) if value else 0.0,
    }


def symmetry_text(curve: Curve) -> str:
    """The symmetry in the words of `curve.summary()`: the page shows both, spelled alike."""
    symmetry = curve.symmetry
    if symmetry is None:
        return "no rotational symmetry"
    text = f"{symmetry[0]}-fold symmetry (m={symmetry[1]})"
    return text if curve.exactly_symmetric else f"approximate {text}"


def describe_curve(data: dict | None) -> dict | None:
    """Symmetry, summary and per-wheel sizes of a curve given as `Curve.to_dict()` data.

    Returns None for no curve, and {'error': ...} for data that is not a valid curve
    (the page then shows the raw parameters only).
    """
    if not data:
        return None
    try:
        curve = Curve.from_dict(data)
    except ValueError as exc:
        return {"error": str(exc)}
    symmetry = curve.symmetry
    return {
        "summary": curve.summary(),
        "symmetry": list(symmetry) if symmetry else None,
        "symmetry_text": symmetry_text(curve),
        "exactly_symmetric": curve.exactly_symmetric,
        "wheels": [
            {
                "freq": wheel["freq"],
                "shape": wheel["shape"],
                "width": _size(wheel["width"]),
                "height": _size(wheel["height"]),
            }
            for wheel in curve.to_dict()["wheels"]
        ],
    }
