"""The value types of config keys: parse a TOML value, write it back, describe it.

Each type's `parse` turns a raw TOML value into the typed value or raises BadValueError
(one message per problem); `to_toml` turns a typed value back into something tomli-w can
write; `describe` names the allowed values for the shipped config file and the README.
A type's `parse` also gets `names`, mapping a vocabulary ("curves", "shapes") to the names
known at load time. The sections that use these types are declared in `sections`.

By kind of value: `base` (BadValueError and the helpers messages use), `scalars`
(booleans, numbers, choices), `text`, `network` (addresses, topics, service names),
`sizes` (WxH) and `lists` (names, on-times). Every type is importable from here, and
`ValueType` names them all.

May import: display's light helpers (messages, sizes) and the on-times' grammar
(daemon/schedule/ranges.py, only when parsing); nothing else of the project.
"""

from __future__ import annotations

from spirokiosk.daemon.config.value_types.base import (
    BadValueError,
    shown,
    toml_type_name,
    typed,
)
from spirokiosk.daemon.config.value_types.lists import NameList, OnTimes
from spirokiosk.daemon.config.value_types.network import Address, ServiceName, Topic
from spirokiosk.daemon.config.value_types.scalars import Bool, Choice, Float, Int, IntChoice
from spirokiosk.daemon.config.value_types.sizes import SizeOr
from spirokiosk.daemon.config.value_types.text import OptionalText, Text

ValueType = (
    Bool
    | Int
    | Float
    | Choice
    | IntChoice
    | Text
    | OptionalText
    | Topic
    | ServiceName
    | Address
    | SizeOr
    | NameList
    | OnTimes
)

__all__ = [
    "Address",
    "BadValueError",
    "Bool",
    "Choice",
    "Float",
    "Int",
    "IntChoice",
    "NameList",
    "OnTimes",
    "OptionalText",
    "ServiceName",
    "SizeOr",
    "Text",
    "Topic",
    "ValueType",
    "shown",
    "toml_type_name",
    "typed",
]
