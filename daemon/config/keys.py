"""One config key: `key()` declares it as a section dataclass's field, its value type,
default, description and flags in the field's metadata; `KeySpec` is that declaration
read back, for loaders and documentation (schema.section_keys makes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spirokiosk.daemon.config.value_types import ValueType


def key(
    kind: ValueType, default: Any, doc: str, *, secret: bool = False, restart: bool = False
) -> Any:
    """Declare one config key: its value type, default and one-line description.

    `secret`: masked when the config is shown. `restart`: a reload cannot apply it to the
    running process (it is logged as needing `systemctl restart`).
    """
    metadata = {"kind": kind, "doc": doc, "secret": secret, "restart": restart}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class KeySpec:
    """One key of the schema, flattened for loaders and documentation."""

    section: str
    name: str
    default: Any
    kind: ValueType
    doc: str
    secret: bool
    restart: bool

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}"
