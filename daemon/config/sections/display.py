"""The [display] section (the screen: mode, size, rotation, what is drawn besides the
curve) and [curves] (what is played: the playlist, the timing, random curves)."""

from __future__ import annotations

from dataclasses import dataclass

from spirokiosk.daemon.config.keys import key
from spirokiosk.daemon.config.value_types import (
    Bool,
    Choice,
    Float,
    Int,
    IntChoice,
    NameList,
    SizeOr,
)
from spirokiosk.display.screen import MODES as DISPLAY_MODES
from spirokiosk.display.screen import ROTATIONS
from spirokiosk.display.sizes import Size


@dataclass(frozen=True)
class DisplaySection:
    mode: str = key(
        Choice(DISPLAY_MODES),
        "fullscreen",
        "fullscreen on the HDMI screen, a desktop window, or headless (no screen; the web "
        "mirror still runs)",
        restart=True,
    )
    size: Size | str = key(  # noqa: RUF009 (key() is this schema's dataclasses.field)
        SizeOr(("auto",)),
        "auto",
        "drawing size: auto (the screen's resolution) or WxH",
        restart=True,
    )
    rotation: int = key(
        IntChoice(ROTATIONS),
        0,
        "degrees the picture is turned clockwise on the screen: 90 or 270 for a screen "
        "mounted in portrait, 180 upside down (display.size stays the screen's own)",
        restart=True,
    )
    fps: int = key(Int(1, 240), 60, "frame rate cap, used when the display gives no vsync")
    fallback_headless: bool = key(
        Bool(),
        True,
        "when no display can be opened, run headless (and say so) instead of failing",
        restart=True,
    )
    show_pen: bool = key(Bool(), True, "draw a dot at the pen's tip while a curve is drawn")
    show_wheels: bool = key(Bool(), False, "draw the turning wheels and arms (the epicycles)")
    show_caption: bool = key(Bool(), False, "show a caption with the curve's name and parameters")
    show_address: str = key(
        Choice(("auto", "always", "never")),
        "auto",
        "the mirror's address and its QR code in the bottom-left corner for a few seconds at "
        "each new curve: auto (until the web page has been opened once), always or never",
    )


@dataclass(frozen=True)
class CurvesSection:
    playlist: tuple[str, ...] = key(
        NameList("curves", "preset", extra=("random",), empty_means_all=True, also=("favourites",)),
        (),
        'preset names (see `spirokiosk presets`), "random" (a new random curve) and '
        '"favourites" (the next hearted curve of the gallery, in turn), played in order and '
        'repeated; [] means every preset, then "random"',
    )
    draw_seconds: float = key(Float(0.5, 3600), 20.0, "seconds the pen takes to draw one curve")
    hold_seconds: float = key(Float(0, 3600), 8.0, "seconds a finished curve stays on screen")
    fade_seconds: float = key(Float(0, 60), 2.0, "seconds of cross-fade into the next curve")
    random_shapes: tuple[str, ...] = key(
        NameList("shapes", "shape", min_items=1),
        ("circle",),
        "wheel shapes random curves are built from",
    )
