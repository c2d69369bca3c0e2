"""Names on the network: an MQTT topic, a DNS-SD service name, an address or host name.
Each is checked as written; nothing is looked up."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from spirokiosk.daemon.config.value_types.base import BadValueError, Plain, shown, typed
from spirokiosk.daemon.config.value_types.text import Text


@dataclass(frozen=True)
class Topic(Plain):
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
class ServiceName(Plain):
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
class Address(Plain):
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
