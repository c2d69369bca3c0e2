"""The sections about how the service runs: [schedule] (when the screen is on), [state]
(where the gallery is kept) and [logging]."""

from __future__ import annotations

from dataclasses import dataclass

from spirokiosk.daemon.config.keys import key
from spirokiosk.daemon.config.value_types import (
    Bool,
    Choice,
    Int,
    OnTimes,
    Text,
)


@dataclass(frozen=True)
class ScheduleSection:
    enabled: bool = key(
        Bool(), False, "switch the screen off (or to quiet) outside the on-times below"
    )
    on: tuple[str, ...] = key(
        OnTimes(),
        ("mon-fri 07:00-23:00", "sat,sun 08:00-24:00"),
        "when the screen is on, in local time: days (mon-fri, sat,sun, daily) and one or "
        'more ranges ("fri 22:00-02:00" runs past midnight)',
    )
    mode: str = key(
        Choice(("off", "quiet")),
        "off",
        "outside the on-times: off (black, the loop idles, the TV may sleep) or quiet (the "
        "last finished curve stays, nothing moves)",
    )
    cec: bool = key(
        Bool(), False, "with mode off, put the TV in standby over HDMI-CEC and wake it (cec-ctl)"
    )
    cec_device: str = key(Text(), "/dev/cec0", "the CEC device of the HDMI port the TV is on")


@dataclass(frozen=True)
class StateSection:
    dir: str = key(
        Text(),
        "auto",
        "where the gallery's database (gallery.sqlite) lives: auto is $STATE_DIRECTORY "
        "(/var/lib/spirokiosk under systemd), else $XDG_STATE_HOME/spirokiosk, else "
        "~/.local/state/spirokiosk",
        restart=True,
    )
    history_limit: int = key(
        Int(1, 1_000_000),
        1000,
        "curves the gallery's history keeps (the oldest go first); hearted ones stay",
        restart=True,
    )


@dataclass(frozen=True)
class LoggingSection:
    level: str = key(
        Choice(("debug", "info", "warning", "error")), "info", "level of spirokiosk's own messages"
    )
    verbose: bool = key(
        Bool(),
        False,
        "also log other libraries (cheroot, PIL, picamera2) at that level, not only warnings",
    )
