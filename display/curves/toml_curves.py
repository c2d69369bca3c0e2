"""Curves in TOML documents from outside (a file given to `spirokiosk render --curve`,
a file dropped on the studio): the text parsed, and the curve in it picked, by one rule
for both.

    parse_toml(data) -> dict, or TomlError saying why in a few words
    pick_curve_table(document, wanted="") -> (name, table), or CurveTableError

A document is one curve when it has `wheels` or `freqs` at its top (or no table at
all), else when it holds one table and nothing else; with several, one is picked by
name (FILE.toml:NAME on the command line).
"""

from __future__ import annotations

import tomllib
from typing import Any

from spirokiosk.display.messages import SHOWN_CHARS, escaped

LISTED_TABLES = 5  # a message names at most this many of a document's tables


class TomlError(ValueError):
    """A TOML document that cannot be read; the message says why in a few words.

    `syntax` is True when the text is not TOML at all (not UTF-8, or a syntax error),
    False when it is TOML past one of the parser's limits."""

    def __init__(self, message: str, syntax: bool) -> None:
        super().__init__(message)
        self.syntax = syntax


def parse_toml(data: str | bytes) -> dict[str, Any]:
    """A TOML document from text (bytes: UTF-8), or TomlError: not UTF-8, bad syntax, a
    number past Python's int-string limit, nesting deeper than the parser can follow."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise TomlError(f"not UTF-8 text (byte {exc.start}: {exc.reason})", True) from None
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(str(exc), True) from None
    except ValueError:  # int() past sys.get_int_max_str_digits()
        raise TomlError("a number with too many digits", False) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise TomlError("arrays or tables nested too deeply", False) from None


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
