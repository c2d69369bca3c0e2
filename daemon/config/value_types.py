"""The value types of config keys: parse a TOML value, write it back, describe it.

Each type's `parse` turns a raw TOML value into the typed value or raises BadValueError
(one message per problem); `to_toml` turns a typed value back into something tomli-w can
write; `describe` names the allowed values for the shipped config file and the README.
The sections that use these types are declared in `schema`.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from spirokiosk.display import messages
from spirokiosk.display.messages import did_you_mean
from spirokiosk.display.sizes import Size, parse_size


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


# Value types (see the module docstring). The `names` argument of `parse` maps a vocabulary
# ("curves", "shapes") to the names known at load time.


class _Plain:
    """Types whose typed value is already what TOML holds."""

    def to_toml(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Bool(_Plain):
    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> bool:
        if not isinstance(raw, bool):
            raise BadValueError(f"must be true or false, not {typed(raw)}")
        return raw

    def describe(self) -> str:
        return "true or false"


@dataclass(frozen=True)
class Int(_Plain):
    min: int
    max: int

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise BadValueError(f"must be an integer, not {typed(raw)}")
        if not self.min <= raw <= self.max:
            raise BadValueError(f"must be between {self.min} and {self.max}, not {shown(raw)}")
        return raw

    def describe(self) -> str:
        return f"integer {self.min} to {self.max}"


@dataclass(frozen=True)
class Float(_Plain):
    min: float
    max: float

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or math.isnan(raw):
            raise BadValueError(f"must be a number, not {typed(raw)}")
        if not self.min <= raw <= self.max:
            raise BadValueError(f"must be between {self.min:g} and {self.max:g}, not {raw:g}")
        return float(raw)

    def describe(self) -> str:
        return f"number {self.min:g} to {self.max:g}"


@dataclass(frozen=True)
class Choice(_Plain):
    options: tuple[str, ...]

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        allowed = ", ".join(self.options)
        if not isinstance(raw, str):
            raise BadValueError(f"must be one of {allowed}; not {typed(raw)}")
        if raw not in self.options:
            hint = did_you_mean(raw, self.options)
            raise BadValueError(f"must be one of {allowed}; not {shown(raw)}{hint}")
        return raw

    def describe(self) -> str:
        return "one of " + ", ".join(self.options)


@dataclass(frozen=True)
class IntChoice(_Plain):
    options: tuple[int, ...]

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> int:
        allowed = ", ".join(str(o) for o in self.options)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw not in self.options:
            raise BadValueError(f"must be one of {allowed}; not {typed(raw)}")
        return raw

    def describe(self) -> str:
        return "one of " + ", ".join(str(o) for o in self.options)


@dataclass(frozen=True)
class Text(_Plain):
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
class OptionalText(_Plain):
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


@dataclass(frozen=True)
class Topic(_Plain):
    """An MQTT topic name to publish under: no wildcards (+, #), no empty levels at the
    ends, at most 200 characters (MQTT allows 65535 bytes; a base that long is a typo)."""

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        if not isinstance(raw, str):
            raise BadValueError(f"must be a topic such as homeassistant, not {typed(raw)}")
        if not raw or len(raw) > 200 or not raw.isprintable():
            raise BadValueError(f"must be 1 to 200 printable characters, not {shown(raw)}")
        if "+" in raw or "#" in raw:
            raise BadValueError(f"must not hold the wildcards + or #, as {shown(raw)} does")
        if raw.startswith("/") or raw.endswith("/") or "//" in raw:
            raise BadValueError(f"must not have empty levels (a / at an end or //): {shown(raw)}")
        return raw

    def describe(self) -> str:
        return "MQTT topic (levels separated by /, no wildcards)"


@dataclass(frozen=True)
class ServiceName(_Plain):
    """A DNS-SD instance name: one DNS label (RFC 6763 §4.1.1), any printable text up to
    63 bytes of UTF-8; `{hostname}` is filled in when announced (and cut to fit then)."""

    field: str = "{hostname}"
    max_bytes: int = 63

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        text = Text().parse(raw, names)
        size = len(text.replace(self.field, "").encode("utf-8"))
        if size > self.max_bytes:
            raise BadValueError(
                f"must be at most {self.max_bytes} bytes of UTF-8 (one DNS label), not {size}"
            )
        return text

    def describe(self) -> str:
        return f"text up to {self.max_bytes} bytes; {self.field} is this machine's name"


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


@dataclass(frozen=True)
class Address(_Plain):
    """An IPv4 or IPv6 address, or a host name: checked as written, not looked up (the
    start binds it; a name the network does not know fails there)."""

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> str:
        if not isinstance(raw, str):
            raise BadValueError(f"must be an address such as 0.0.0.0, not {typed(raw)}")
        meant = "IPv6" if ":" in raw else "IPv4" if re.fullmatch(r"[0-9.]+", raw) else None
        if meant is not None:
            kind = ipaddress.IPv6Address if meant == "IPv6" else ipaddress.IPv4Address
            try:
                kind(raw)
            except ValueError as exc:
                raise BadValueError(f"not an {meant} address: {exc}") from None
            return raw
        labels = raw.removesuffix(".").split(".")
        if len(raw) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
            raise BadValueError(f"must be an IPv4 or IPv6 address or a host name, not {shown(raw)}")
        return raw

    def describe(self) -> str:
        return "IPv4 or IPv6 address, or host name"


@dataclass(frozen=True)
class SizeOr:
    """`WxH` or one of a few keywords (`auto`, `display`)."""

    keywords: tuple[str, ...]
    min: int = 16
    max: int = 8192

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> Size | str:
        spelled = ", ".join(self.keywords) + " or WxH such as 1920x1080"
        if not isinstance(raw, str):
            raise BadValueError(f"must be {spelled}; not {typed(raw)}")
        if raw in self.keywords:
            return raw
        try:
            size = parse_size(raw)
        except ValueError:
            hint = did_you_mean(raw, self.keywords)
            raise BadValueError(f"must be {spelled}; not {shown(raw)}{hint}") from None
        if not size.within(self.min, self.max):
            raise BadValueError(
                f"width and height must be between {self.min} and {self.max} pixels, not {size}"
            )
        return size

    def to_toml(self, value: Size | str) -> str:
        return str(value)

    def describe(self) -> str:
        return ", ".join(self.keywords) + " or WxH"


@dataclass(frozen=True)
class NameList:
    """A list of names from a vocabulary known only at load time (presets, shapes).

    With `empty_means_all`, an empty list stands for every known name followed by the
    `extra` names, and is expanded at load time so the effective config shows it.
    `also` names are allowed too but not part of "every" ("favourites" in the playlist).
    """

    vocabulary: str
    noun: str
    extra: tuple[str, ...] = ()
    min_items: int = 0
    empty_means_all: bool = False
    also: tuple[str, ...] = ()

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise BadValueError(f"must be an array of strings, not {typed(raw)}")
        if len(raw) < self.min_items:
            raise BadValueError(f"must name at least {self.min_items} {self.noun}")
        known = [*names[self.vocabulary], *self.extra]
        allowed = [*known, *self.also]
        problems = [
            f"unknown {self.noun} {shown(item)}{did_you_mean(item, allowed)}"
            for item in raw
            if item not in allowed
        ]
        if problems:
            raise BadValueError(*problems)
        if not raw and self.empty_means_all:
            return tuple(known)
        return tuple(raw)

    def to_toml(self, value: tuple[str, ...]) -> list[str]:
        return list(value)

    def describe(self) -> str:
        extra = "".join(f' or "{name}"' for name in (*self.extra, *self.also))
        return f"array of {self.noun} names{extra}"


@dataclass(frozen=True)
class OnTimes:
    """The screen schedule's on-times: an array of entries such as "mon-fri 07:00-23:00"
    (the grammar is daemon/schedule/ranges.py's)."""

    max_items: int = 100
    max_entry_chars: int = 500

    def parse(self, raw: Any, names: Mapping[str, Collection[str]]) -> tuple[str, ...]:
        from spirokiosk.daemon.schedule.ranges import RangeError, parse_entry

        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise BadValueError(
                f'must be an array such as ["mon-fri 07:00-23:00"], not {typed(raw)}'
            )
        if len(raw) > self.max_items:
            raise BadValueError(f"must have at most {self.max_items} entries, not {len(raw)}")
        problems = []
        for index, entry in enumerate(raw):
            if len(entry) > self.max_entry_chars:  # the whole entry is read, or none of it
                problems.append(
                    f"entry {index + 1}: longer than {self.max_entry_chars} characters; "
                    "split it into several entries"
                )
                continue
            try:
                parse_entry(entry)
            except RangeError as exc:
                problems.append(f"entry {index + 1} ({shown(entry)}): {exc}")
        if problems:
            raise BadValueError(*problems)
        return tuple(raw)

    def to_toml(self, value: tuple[str, ...]) -> list[str]:
        return list(value)

    def describe(self) -> str:
        return 'array of "DAYS HH:MM-HH:MM[,HH:MM-HH:MM...]" entries'


ValueType = (
    Bool
    | Int
    | Float
    | Choice
    | IntChoice
    | Text
    | OptionalText
    | ServiceName
    | Address
    | SizeOr
    | NameList
    | OnTimes
)
