"""A viewer's "draw this next": the JSON body of POST /api/curve turned into a checked Curve.

A request is exactly one of four forms:

    {"preset": "gears-96-52"}                         a named preset
    {"random": true, "seed": 123, "shapes": [...]}    a random curve (seed, shapes optional)
    {"wheels": [...], "colour_map": ..., ...}         a whole curve, as Curve.to_dict() writes
    {"gallery": 12}                                   a curve the gallery keeps, by its id

Every problem is raised as one CurveError listing each as 'field: message', like
`Curve.from_dict` does, so the API answers every bad request the same way.

Density limit. The kiosk draws a curve as a polyline whose segments are at most
1.5 px long at the fitted scale; a web curve may need at most MAX_LIVE_POINTS of
them when fitted to 1920x1080 (the largest screen the kiosk targets), counted with
`Curve.sample_count` (an upper bound: the renderer then trims it to what the curve
really needs). 200 000 points is
- about the densest curve the kiosk plays by itself: presets and random circle
  curves stay under 100 000, random curves of mixed shapes reach about 200 000
  (an unseeded random request that lands above it simply draws again);
- at most 167 new segments a frame at the default 20 s per curve and 60 fps, so
  the incremental drawing stays cheap per frame;
- half the renderer's own cap (400 000), past which it would draw coarser segments;
- 300 000 px of line: at the default 4 px width that is more ink than the whole
  fitted area holds, so a denser curve would only paint a solid blot anyway.
Preparing a drawing costs about 0.2 s per 100 000 points on a desktop (more on a Pi),
and a queued curve is prepared in the render loop when it starts, so the bound also
keeps that one-off pause short.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable

from spirokiosk.display.curves import PRESETS, SHAPES, Curve, CurveError, random_curve
from spirokiosk.display.curves.model import MAX_POINTS
from spirokiosk.display.draw.layout import MAX_SEGMENT_PX, fit_curve
from spirokiosk.display.messages import did_you_mean, escaped, shown

MAX_BODY_BYTES = 64 * 1024
LIVE_SIZE = (1920, 1080)
MAX_LIVE_POINTS = 200_000
SEED_LIMIT = 2**32
RANDOM_TRIES = 5  # unseeded random requests draw again when a curve is too dense
UNNAMED = "custom curve"

PRESET_KEYS = frozenset({"preset"})
GALLERY_KEYS = frozenset({"gallery"})
RANDOM_KEYS = frozenset({"random", "seed", "shapes"})
# What Curve.from_dict reads (the full form and the compact form of the seed curves).
CURVE_KEYS = frozenset(
    {"wheels", "freqs", "widths", "heights", "shape", "name", "description"}
    | {"colour_map", "background_map", "line_width"}
)
FORMS = (
    ("preset", PRESET_KEYS),
    ("random", RANDOM_KEYS),
    ("curve", CURVE_KEYS),
    ("gallery", GALLERY_KEYS),
)
HOW_TO_ASK = (
    'send one of {"preset": NAME}, {"random": true, "seed": N}, {"gallery": ID} '
    'or a curve with "wheels"'
)


def _unknown_keys(body: dict, allowed: frozenset[str]) -> list[str]:
    known = PRESET_KEYS | RANDOM_KEYS | CURVE_KEYS | GALLERY_KEYS
    return [
        f"{escaped(key)}: unknown field{did_you_mean(str(key), allowed)}"
        for key in sorted(set(body) - known, key=str)
    ]


def curve_from_request(
    body: object,
    *,
    new_seed: Callable[[], int] | None = None,
    from_gallery: Callable[[object], Curve] | None = None,
) -> Curve:
    """The curve a request body asks for, checked for drawing live; or CurveError.

    `new_seed` gives the seed of an unseeded random request (default: 32 random bits);
    `from_gallery` the curve of a gallery id (it raises its own refusals).
    """
    if not isinstance(body, dict):
        raise CurveError([f"body: must be a JSON object; {HOW_TO_ASK}"])
    forms = [(form, sorted(body.keys() & keys)) for form, keys in FORMS if body.keys() & keys]
    if len(forms) > 1:
        parts = " with ".join(
            f"a {form} request ({', '.join(repr(k) for k in keys)})" for form, keys in forms
        )
        raise CurveError([f"body: mixes {parts}; {HOW_TO_ASK}"])
    if not forms:
        raise CurveError(
            [f"body: nothing asked for; {HOW_TO_ASK}", *_unknown_keys(body, frozenset())]
        )
    form = forms[0][0]
    if form == "preset":
        return _preset(body)
    if form == "random":
        return _random(body, new_seed or (lambda: secrets.randbits(32)))
    if form == "gallery":
        errors = _unknown_keys(body, GALLERY_KEYS)
        if errors:
            raise CurveError(errors)
        if from_gallery is None:
            raise CurveError(["gallery: this kiosk keeps no gallery"])
        return from_gallery(body["gallery"])
    return _whole_curve(body)


def _preset(body: dict) -> Curve:
    errors = _unknown_keys(body, PRESET_KEYS)
    name = body["preset"]
    if not isinstance(name, str):
        errors.append(f"preset: must be a preset name such as {next(iter(PRESETS))!r}")
    elif name not in PRESETS:
        hint = did_you_mean(name, PRESETS, n=3) or "; see GET /api/presets"
        errors.append(f"preset: unknown preset {shown(name)}{hint}")
    if errors:
        raise CurveError(errors)
    return PRESETS[name]


def _random(body: dict, new_seed: Callable[[], int]) -> Curve:
    errors = _unknown_keys(body, RANDOM_KEYS)
    if body.get("random") is not True:
        errors.append('random: must be true (a random request is {"random": true, ...})')
    seed = body.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT
    ):
        errors.append(f"seed: must be a whole number from 0 to {SEED_LIMIT - 1}, not {shown(seed)}")
    shapes = _check_shapes(body.get("shapes", ["circle"]), errors)
    if errors:
        raise CurveError(errors)
    exact = set(shapes) == {"circle"}
    for _ in range(1 if seed is not None else RANDOM_TRIES):
        curve = random_curve(
            seed if seed is not None else new_seed(), shapes=shapes, exact_symmetry=exact
        )
        problem = density_problem(curve)
        if problem is None:
            return curve
    where = f"seed: {curve.name} is" if seed is not None else "shapes: these shapes give curves"
    raise CurveError([f"{where} {problem}; try another seed or fewer shapes"])


def _check_shapes(value: object, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        errors.append(f"shapes: must be a non-empty list of shapes from {', '.join(SHAPES)}")
        return ()
    shapes = []
    for i, shape in enumerate(value):
        if isinstance(shape, str) and shape in SHAPES:
            if shape not in shapes:
                shapes.append(shape)
            continue
        hint = did_you_mean(shape, SHAPES)
        errors.append(f"shapes[{i}]: unknown shape {shown(shape)}{hint}; expected one of {SHAPES}")
    return tuple(shapes)


def _whole_curve(body: dict) -> Curve:
    curve = Curve.from_dict(body)  # CurveError names every bad field (the name's limits too)
    errors = []
    problem = density_problem(curve)
    if problem is not None:
        errors.append(f"wheels: {problem}; use fewer, slower or smaller fast wheels")
    if errors:
        raise CurveError(errors)
    return curve if curve.name.strip() else dataclasses.replace(curve, name=UNNAMED)


def live_points(curve: Curve) -> int:
    """Points the renderer samples at most for `curve` fitted to LIVE_SIZE (capped at 400 000)."""
    return curve.sample_count(fit_curve(curve, LIVE_SIZE).scale, MAX_SEGMENT_PX)


def density_problem(curve: Curve) -> str | None:
    """Why `curve` is too dense to draw live, or None when it is fine (see the module doc)."""
    points = live_points(curve)
    if points <= MAX_LIVE_POINTS:
        return None
    needs = f"over {MAX_POINTS:,}" if points >= MAX_POINTS else f"{points:,}"
    return (
        f"too dense to draw live: needs {needs} points at {LIVE_SIZE[0]}x{LIVE_SIZE[1]}, "
        f"at most {MAX_LIVE_POINTS:,}"
    )


def preset_list() -> list[dict]:
    """Every preset as {name, summary, description}, in the presets' order."""
    return [
        {"name": name, "summary": curve.summary(), "description": curve.description}
        for name, curve in PRESETS.items()
    ]
