"""What `--curve` names: a preset, `random`, or a TOML file (FILE.toml, FILE.toml:TABLE),
turned into a curve; or a UsageError whose message is one line for the user."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from spirokiosk.daemon.config.files import FileError, read_small_file
from spirokiosk.display.messages import did_you_mean, escaped

if TYPE_CHECKING:
    from spirokiosk.display.curves.toml_curves import CurveTableError

PATH_CHARS = 400  # a path in a message is shown whole unless absurdly long


class UsageError(Exception):
    """Something the user can fix; the message is one line."""


def load_curve(spec: str, seed: int | None):
    """NAME (a preset), FILE.toml, FILE.toml:TABLE or 'random'; returns (curve, seed used)."""
    from spirokiosk.display.curves import PRESETS, random_curve

    if spec == "random":
        seed = secrets.randbelow(2**31) if seed is None else seed
        return random_curve(seed=seed), seed
    if ".toml" in spec or "/" in spec:
        return curve_from_file(spec), None
    if spec in PRESETS:
        return PRESETS[spec], None
    hint = did_you_mean(spec, PRESETS)
    raise UsageError(
        f"--curve {_arg(spec)}: no such preset{hint}; see 'spirokiosk presets', "
        "or give FILE.toml or random"
    )


def curve_from_file(spec: str):
    """A curve from a TOML file: the whole file, its only table, or FILE.toml:TABLE."""
    from spirokiosk.display.curves import Curve, CurveError
    from spirokiosk.display.curves.toml_curves import (
        CurveTableError,
        TomlError,
        parse_toml,
        pick_curve_table,
    )

    path_text, table = _split_table(spec)
    path = Path(path_text)
    try:
        document = parse_toml(read_small_file(path))
    except FileError as exc:
        if exc.missing:
            raise UsageError(f"--curve {_arg(spec)}: no such file {path_text!r}") from None
        raise UsageError(f"--curve {_arg(spec)}: {path_text!r}: {exc}") from None
    except TomlError as exc:
        raise UsageError(f"--curve {_arg(spec)}: not valid TOML: {exc}") from None
    try:
        name, data = pick_curve_table(document, table)
    except CurveTableError as exc:
        raise UsageError(f"--curve {_arg(spec)}: {_table_problem(exc, path)}") from None
    try:
        return Curve.from_dict({"name": name or path.stem, **data})
    except CurveError as exc:
        raise UsageError(f"--curve {_arg(spec)}: {exc}") from None


def _arg(text: object) -> str:
    """An argument or path in a message: whole, on one line."""
    return escaped(text, PATH_CHARS)


def _split_table(spec: str) -> tuple[str, str]:
    """'curves.toml:gold' -> ('curves.toml', 'gold'); 'curve.toml' -> ('curve.toml', '')."""
    head, colon, table = spec.rpartition(":")
    if colon and head.endswith(".toml"):
        return head, table
    return spec, ""


def _table_problem(exc: CurveTableError, path: Path) -> str:
    """What the CurveTableError `exc` means for the file at `path`, in words."""
    if exc.wanted:
        hint = did_you_mean(exc.wanted, exc.tables)
        return f"no table [{escaped(exc.wanted)}] in {str(path)!r}{hint}"
    several = f"{len(exc.tables)} curves ({exc.listed()})"
    return f"the file holds {several}; pick one with {_arg(path)}:NAME"
