"""What every value type shares: the error a bad value raises, the helpers its messages
use to show the value given, and `Plain`, the base of the types whose typed value is
already what TOML holds."""

from __future__ import annotations

import json
from typing import Any

from spirokiosk.display import messages


class BadValueError(ValueError):
    """A value does not fit its type; one message per problem found."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def toml_type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for error messages."""
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
    return names.get(type(value), "table" if isinstance(value, dict) else "date/time")


def shown(value: object) -> str:
    """A parsed TOML value written back compactly for an error message (cut when long)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 200:
        return messages.shown(value)
    text = json.dumps(value, default=str)
    return text if len(text) <= messages.SHOWN_CHARS else text[: messages.SHOWN_CHARS - 3] + "..."


def typed(value: object) -> str:
    """'string "abc"', 'integer 3': a value with its TOML type, for error messages."""
    return f"{toml_type_name(value)} {shown(value)}"


class Plain:
    """Types whose typed value is already what TOML holds."""

    def to_toml(self, value: Any) -> Any:
        return value
