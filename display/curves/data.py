"""Plain data for curves: validation with errors that name the field.

Two forms are accepted. The full form, what `Curve.to_dict` writes:

    {"name": "...", "wheels": [{"freq": 3, "width": "1", "height": "0.5j",
     "shape": "circle"}, ...], "colour_map": "magma", "background_map": "bone",
     "line_width": 5}

and the compact form of the seed curves file: parallel lists `freqs`,
`widths`, optional `heights` (defaults to the widths) and one `shape` for all
wheels (or a list of shapes). The seed file's other keys are accepted there
so that its tables load as they are: `k_fold` and `congruency` are checked
against the frequencies; `points`, `published_frames` and
`published_save_seconds` are the original posts' figures and are not used
(sampling here is automatic).
"""

import cmath
import json
import math

from spirokiosk.display.curves.colours import UnknownColourMapError, colour_map
from spirokiosk.display.curves.shapes import SHAPES
from spirokiosk.display.messages import did_you_mean, escaped, shown

MAX_WHEELS = 32
MAX_FREQ = 1000
MAX_SIZE = 1e6
LINE_WIDTH_RANGE = (0.5, 64.0)
# A name is shown on the screen's caption, every viewer's page, the journal and systemd's
# STATUS line: printable characters only (no NUL, no newline, no lone surrogate), and
# short. A description is shown on the page and by `spirokiosk presets`.
MAX_NAME_CHARS = 80
MAX_DESCRIPTION_CHARS = 500

_STYLE_KEYS = ("name", "description", "colour_map", "background_map", "line_width")
_FULL_KEYS = {"wheels", *_STYLE_KEYS}
_SEED_FILE_FIGURES = ("points", "published_frames", "published_save_seconds")
_COMPACT_KEYS = {
    "freqs",
    "widths",
    "heights",
    "shape",
    "k_fold",
    "congruency",
    *_SEED_FILE_FIGURES,
    *_STYLE_KEYS,
}
_WHEEL_KEYS = {"freq", "width", "height", "shape"}


class CurveError(ValueError):
    """Invalid curve data. `errors` lists each problem as 'field: message'."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


def parse_json(text: str | bytes, field: str) -> object:
    """A JSON document from outside (a request's body, a file, a recipe); CurveError
    naming `field` when it is not JSON, nested too deeply included."""
    try:
        return json.loads(text)
    except RecursionError:
        raise CurveError([f"{field}: not valid JSON (nested too deeply)"]) from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise CurveError([f"{field}: not valid JSON ({exc})"]) from None


def format_complex(value: complex) -> str:
    """'1.0', '0.125j' or '0.5-0.25j': what Python's complex() reads back exactly."""
    if value.imag == 0:
        return repr(value.real)
    if value.real == 0:
        return f"{value.imag!r}j"
    sign = "+" if math.copysign(1.0, value.imag) > 0 else "-"
    return f"{value.real!r}{sign}{abs(value.imag)!r}j"


def _check_freq(value, where: str, errors: list[str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        errors.append(f"{where}: must be a non-zero integer, not {shown(value)}")
        return None
    if abs(value) > MAX_FREQ:
        errors.append(f"{where}: must be between -{MAX_FREQ} and {MAX_FREQ}, not {shown(value)}")
        return None
    return value


def _check_size(value, where: str, errors: list[str]) -> complex | None:
    if isinstance(value, bool) or not isinstance(value, int | float | complex | str):
        errors.append(f"{where}: must be a number or a complex string like '0.125j'")
        return None
    try:
        number = complex(value.replace(" ", "")) if isinstance(value, str) else complex(value)
    except OverflowError:  # an integer too large for a float
        errors.append(f"{where}: must be at most {MAX_SIZE:g} in size, not {shown(value)}")
        return None
    except ValueError:
        errors.append(f"{where}: {shown(value)} is not a number or a complex like '0.125j'")
        return None
    if not cmath.isfinite(number):
        errors.append(f"{where}: must be finite, not {shown(value)}")
        return None
    if abs(number) > MAX_SIZE:
        errors.append(f"{where}: must be at most {MAX_SIZE:g} in size")
        return None
    return number


def _check_shape(value, where: str, errors: list[str]) -> str | None:
    if not isinstance(value, str) or value not in SHAPES:
        hint = did_you_mean(value, SHAPES)
        errors.append(
            f"{where}: unknown shape {shown(value)}{hint}; expected one of {', '.join(SHAPES)}"
        )
        return None
    return value


def _wheels_from_compact(data: dict, errors: list[str]) -> list[dict]:
    freqs, widths = data.get("freqs"), data.get("widths")
    heights, shape = data.get("heights", widths), data.get("shape", "circle")
    for key, value in (("freqs", freqs), ("widths", widths), ("heights", heights)):
        if not isinstance(value, list):
            errors.append(f"{key}: must be a list")
            return []
    if not freqs:
        errors.append("freqs: must list at least one wheel's frequency")
        return []
    if not len(freqs) == len(widths) == len(heights):
        errors.append(
            f"widths: freqs, widths and heights must have the same length "
            f"({len(freqs)}, {len(widths)}, {len(heights)})"
        )
        return []
    shapes = shape if isinstance(shape, list) else [shape] * len(freqs)
    if len(shapes) != len(freqs):
        errors.append(f"shape: a list of shapes needs one per wheel ({len(freqs)})")
        return []
    return [
        {"freq": f, "width": w, "height": h, "shape": s}
        for f, w, h, s in zip(freqs, widths, heights, shapes, strict=True)
    ]


def _check_seed_file_keys(data: dict, wheels: list[dict], errors: list[str]) -> None:
    """k_fold/congruency must describe the frequencies; the published figures be numbers."""
    for key in _SEED_FILE_FIGURES:
        value = data.get(key)
        if key in data and (isinstance(value, bool) or not isinstance(value, int | float)):
            errors.append(f"{key}: must be a number, not {shown(value)}")
    if "k_fold" not in data and "congruency" not in data:
        return
    k, m = data.get("k_fold"), data.get("congruency", 1)
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        errors.append(f"k_fold: must be an integer of at least 2, not {shown(k)}")
        return
    if isinstance(m, bool) or not isinstance(m, int):
        errors.append(f"congruency: must be an integer, not {shown(m)}")
        return
    for i, wheel in enumerate(wheels):
        freq = wheel["freq"]
        if freq is not None and (freq - m) % k:
            errors.append(
                f"k_fold: wheels[{i}].freq = {freq} is not {shown(m)} mod {shown(k)}, so the "
                f"curve is not {shown(k)}-fold symmetric as k_fold and congruency say"
            )
            return


def _check_wheels(raw, errors: list[str]) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        errors.append("wheels: must be a non-empty list of wheels")
        return []
    if len(raw) > MAX_WHEELS:
        errors.append(f"wheels: too many wheels ({len(raw)}); at most {MAX_WHEELS}")
        return []
    wheels = []
    for i, item in enumerate(raw):
        where = f"wheels[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be a table with freq, width, height, shape")
            continue
        for key in sorted(set(item) - _WHEEL_KEYS):
            errors.append(
                f"{where}.{escaped(key)}: unknown field{did_you_mean(str(key), _WHEEL_KEYS)}"
            )
        if "freq" not in item or "width" not in item:
            errors.append(f"{where}: needs at least freq and width")
            continue
        wheel = {
            "freq": _check_freq(item["freq"], f"{where}.freq", errors),
            "width": _check_size(item["width"], f"{where}.width", errors),
            "height": _check_size(item.get("height", item["width"]), f"{where}.height", errors),
            "shape": _check_shape(item.get("shape", "circle"), f"{where}.shape", errors),
        }
        wheels.append(wheel)
    if not errors and all(w["width"] == 0 and w["height"] == 0 for w in wheels):
        errors.append("wheels: every width and height is zero; the curve has no size")
    return wheels


def _check_style(data: dict, errors: list[str]) -> dict:
    style = {}
    for key in ("colour_map", "background_map"):
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            errors.append(f"{key}: must be a colour map name such as 'magma'")
            continue
        try:
            colour_map(value)
        except UnknownColourMapError as exc:
            errors.append(f"{key}: {exc}")
            continue
        style[key] = value
    if "line_width" in data:
        value, (lo, hi) = data["line_width"], LINE_WIDTH_RANGE
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            errors.append(f"line_width: must be a number from {lo:g} to {hi:g}, not {shown(value)}")
        else:
            style["line_width"] = float(value)
    for key, limit in (("name", MAX_NAME_CHARS), ("description", MAX_DESCRIPTION_CHARS)):
        if key in data:
            text = _check_text(data[key], key, limit, errors)
            if text is not None:
                style[key] = text
    return style


def _check_text(value: object, key: str, limit: int, errors: list[str]) -> str | None:
    if not isinstance(value, str):
        errors.append(f"{key}: must be a string")
    elif len(value) > limit:
        errors.append(f"{key}: at most {limit} characters, not {len(value)}")
    elif not value.isprintable():
        bad = next(c for c in value if not c.isprintable())
        errors.append(
            f"{key}: printable characters only (on one line), not {shown(bad)} "
            f"at position {value.index(bad)}"
        )
    else:
        return value
    return None


def validate_curve_data(data: object) -> dict:
    """Check plain curve data; return Curve keyword arguments (wheels as dicts).

    Every problem is collected and raised together as one CurveError.
    """
    if not isinstance(data, dict):
        raise CurveError(["curve: must be a table (a JSON object or TOML table)"])
    errors: list[str] = []
    compact = "wheels" not in data and "freqs" in data
    allowed = _COMPACT_KEYS if compact else _FULL_KEYS
    for key in sorted(set(data) - allowed, key=str):
        errors.append(f"{escaped(key)}: unknown field{did_you_mean(str(key), allowed)}")
    wheels: list[dict] = []
    if not compact:
        wheels = _check_wheels(data.get("wheels"), errors)
    elif raw := _wheels_from_compact(data, errors):
        wheels = _check_wheels(raw, errors)
        _check_seed_file_keys(data, wheels, errors)
    style = _check_style(data, errors)
    if errors:
        raise CurveError(errors)
    return {"wheels": wheels, **style}
