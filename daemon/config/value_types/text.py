"""Free text on one line: required (`Text`) or where empty means "not set" (`OptionalText`,
which can keep a secret out of its messages)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from spirokiosk.daemon.config.value_types.base import (
    BadValueError,
    Plain,
    shown,
    toml_type_name,
    typed,
)


@dataclass(frozen=True)
class Text(Plain):
    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        if not isinstance(raw, str):
            raise BadValueError(f"must be a string, not {typed(raw)}")
        if not raw.strip():
            raise BadValueError("must not be empty")
        if not raw.isprintable():
            raise BadValueError(f"must be printable text on one line, not {shown(raw)}")
        return raw

    def describe(self) -> str:
        return "string"


@dataclass(frozen=True)
class OptionalText(Plain):
    """A string on one line, empty meaning "not set". `secret`: messages never show it."""

    secret: bool = False

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        if not isinstance(raw, str):
            got = toml_type_name(raw) if self.secret else typed(raw)
            raise BadValueError(f"must be a string, not {got}")
        if not raw.isprintable():
            got = "" if self.secret else f", not {shown(raw)}"
            raise BadValueError(f"must be printable text on one line{got}")
        return raw

    def describe(self) -> str:
        return 'string; "" for none'
