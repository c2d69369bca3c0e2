"""The configuration schema: the sections in their order, and the Config holding them.

A key is a field of a frozen section dataclass whose metadata carries its value type
(value_types: which values it takes, its limits), a one-line description, and whether a
reload can apply it (declared with keys.key(); the sections live in `sections`, grouped
by what they configure). Loading, dumping, the shipped deploy/config.toml, the README
table and what a reload applies are all generated from these declarations, in the order
SECTIONS gives, so they cannot disagree. The names a key may take that belong to another
part (display modes, camera sources and modes) come from that part's light package,
never written out twice.

Every section class, `key` and `KeySpec` can be imported from here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from spirokiosk.daemon.config.keys import KeySpec, key
from spirokiosk.daemon.config.sections.camera import CameraSection
from spirokiosk.daemon.config.sections.display import CurvesSection, DisplaySection
from spirokiosk.daemon.config.sections.integrations import DiscoverySection, MqttSection
from spirokiosk.daemon.config.sections.service import (
    LoggingSection,
    ScheduleSection,
    StateSection,
)
from spirokiosk.daemon.config.sections.web import ExportSection, WebSection

BUILT_IN_DEFAULTS = "built-in defaults"


SECTIONS: Mapping[str, type] = MappingProxyType(
    {
        "display": DisplaySection,
        "curves": CurvesSection,
        "camera": CameraSection,
        "web": WebSection,
        "export": ExportSection,
        "mqtt": MqttSection,
        "schedule": ScheduleSection,
        "state": StateSection,
        "discovery": DiscoverySection,
        "logging": LoggingSection,
    }
)


@dataclass(frozen=True)
class Config:
    """The whole typed, immutable configuration. `path` is the file read, or None."""

    display: DisplaySection = field(default_factory=DisplaySection)
    curves: CurvesSection = field(default_factory=CurvesSection)
    camera: CameraSection = field(default_factory=CameraSection)
    web: WebSection = field(default_factory=WebSection)
    export: ExportSection = field(default_factory=ExportSection)
    mqtt: MqttSection = field(default_factory=MqttSection)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    state: StateSection = field(default_factory=StateSection)
    discovery: DiscoverySection = field(default_factory=DiscoverySection)
    logging: LoggingSection = field(default_factory=LoggingSection)
    path: Path | None = field(default=None, compare=False)

    @property
    def source(self) -> str:
        """Where the values came from: the file's path or 'built-in defaults'."""
        return str(self.path) if self.path is not None else BUILT_IN_DEFAULTS


def section_keys(section: str) -> list[KeySpec]:
    """The keys of one section, in declaration order."""
    return [
        KeySpec(section, f.name, f.default, **f.metadata)
        for f in dataclasses.fields(SECTIONS[section])
    ]


def all_keys() -> Iterator[KeySpec]:
    """Every key of the schema, section by section, in declaration order."""
    for section in SECTIONS:
        yield from section_keys(section)


def changed_keys(old: Config, new: Config) -> list[str]:
    """The dotted keys whose values differ, for logging what a reload changed."""
    return [
        spec.dotted
        for spec in all_keys()
        if getattr(getattr(old, spec.section), spec.name)
        != getattr(getattr(new, spec.section), spec.name)
    ]


def restart_keys() -> frozenset[str]:
    """The dotted keys a reload cannot apply (declared with restart=True)."""
    return frozenset(spec.dotted for spec in all_keys() if spec.restart)


__all__ = [
    "BUILT_IN_DEFAULTS",
    "SECTIONS",
    "CameraSection",
    "Config",
    "CurvesSection",
    "DiscoverySection",
    "DisplaySection",
    "ExportSection",
    "KeySpec",
    "LoggingSection",
    "MqttSection",
    "ScheduleSection",
    "StateSection",
    "WebSection",
    "all_keys",
    "changed_keys",
    "key",
    "restart_keys",
    "section_keys",
]
