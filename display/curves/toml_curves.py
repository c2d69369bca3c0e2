"""Curves in TOML documents from outside (a file given to `spirokiosk render --curve`,
a file dropped on the studio): the text parsed, and the curve in it picked, by one rule
for both.

    parse_toml(data) -> dict, or TomlError saying why in a few words (display.toml_text)
    pick_curve_table(document, wanted="") -> (name, table), or CurveTableError

A document is one curve when it has `wheels` or `freqs` at its top (or no table at
all), else when it holds one table and nothing else; with several, one is picked by
name (FILE.toml:NAME on the command line).
"""

from __future__ import annotations

from typing import Any

from spirokiosk.display.messages import SHOWN_CHARS, escaped
from spirokiosk.display.toml_text import TomlError, parse_toml

__all__ = ["CurveTableError", "TomlError", "parse_toml", "pick_curve_table"]

LISTED_TABLES = 5  # a message names at most this many of a document's tables


class CurveTableError(ValueError):
    """No one curve to take from the document: the table `wanted` is not there, or
    (`wanted` empty) it holds several curves and none was asked for. `tables` names
    the document's tables."""

    def __init__(self, wanted: str, tables: list[str]) -> None:
        self.wanted = wanted
        self.tables = tables
        problem = f"no table [{escaped(wanted)}]" if wanted else f"{len(tables)} curves"
        super().__init__(f"{problem} ({self.listed()})")

    def listed(self, chars: int = SHOWN_CHARS) -> str:
        """'a, b, c, d, e, ...': the first tables' names, each cut to `chars`."""
        names = ", ".join(escaped(name, chars) for name in self.tables[:LISTED_TABLES])
        return names + (", ..." if len(self.tables) > LISTED_TABLES else "")


def pick_curve_table(document: dict[str, Any], wanted: str = "") -> tuple[str, dict[str, Any]]:
    """The curve in `document` and its table's name: the table `wanted` when given, else
    by the rule in the module doc ('' for the name when the whole document is the curve:
    its file names it). CurveTableError when there is no one curve to take."""
    tables = {key: value for key, value in document.items() if isinstance(value, dict)}
    if wanted:
        if wanted not in tables:
            raise CurveTableError(wanted, list(tables))
        return wanted, tables[wanted]
    if "wheels" in document or "freqs" in document or not tables:
        return "", document
    if len(tables) == 1 and len(document) == 1:
        return next(iter(tables.items()))
    raise CurveTableError("", list(tables))
