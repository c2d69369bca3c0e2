"""TOML text from outside (the admin's config, a curve file, a file dropped on the
studio) parsed with one clear line when it cannot be: tomllib's own errors, and the
two it lets through as other exceptions.

    parse_toml(data) -> dict, or TomlError (`kind`: "encoding", "syntax" or "limit")
"""

from __future__ import annotations

import tomllib
from typing import Any


class TomlError(ValueError):
    """A TOML document that cannot be read; the message says why in a few words.

    `kind` is "encoding" (not UTF-8), "syntax" (not TOML) or "limit" (TOML past one of
    the parser's limits); `syntax` is True for the first two: the text is not TOML at all.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def syntax(self) -> bool:
        return self.kind != "limit"


def parse_toml(data: str | bytes) -> dict[str, Any]:
    """A TOML document from text (bytes: UTF-8), or TomlError: not UTF-8, bad syntax, a
    number past Python's int-string limit, nesting deeper than the parser can follow."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise TomlError(f"not UTF-8 text (byte {exc.start}: {exc.reason})", "encoding") from None
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(str(exc), "syntax") from None
    except ValueError:  # int() past sys.get_int_max_str_digits()
        raise TomlError("a number with too many digits", "limit") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise TomlError("arrays or tables nested too deeply", "limit") from None
