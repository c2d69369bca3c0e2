"""Choosing the DRM card for SDL's kmsdrm driver, and SDL's environment for fullscreen.

A Pi has several DRM cards (/dev/dri/card*: the display controller and the 3D core,
whose numbers vary between boots); SDL takes the first that has connectors, so we
point it at the one whose HDMI connector is connected (SDL_KMSDRM_DEVICE_INDEX,
SDL >= 2.24). SDL reads its environment variables when the display is initialised,
so they are set here, by `prepare_environment`, never at import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from pathlib import Path

log = logging.getLogger(__name__)

DRM_SYSFS = Path("/sys/class/drm")
_CONNECTOR = re.compile(r"card(\d+)-(.+)")


def connected_connectors(drm_root: Path = DRM_SYSFS) -> list[tuple[int, str]]:
    """(card index, connector name) of every connected connector, HDMI ones first.

    Read from /sys/class/drm/card<N>-<connector>/status ('connected', 'disconnected'
    or 'unknown'). Empty when there is no such directory (not Linux, a container).
    """
    found = []
    for status_file in drm_root.glob("card*-*/status"):
        match = _CONNECTOR.fullmatch(status_file.parent.name)
        if not match:
            continue
        try:
            status = status_file.read_text().strip()
        except OSError:
            continue
        if status == "connected":
            found.append((int(match[1]), match[2]))
    found.sort(key=lambda item: (not item[1].startswith("HDMI"), item[0], item[1]))
    return found


def choose_kmsdrm_device(environ: MutableMapping[str, str], drm_root: Path = DRM_SYSFS) -> None:
    """Point SDL's kmsdrm at the card with a connected screen (HDMI preferred).

    An SDL_KMSDRM_DEVICE_INDEX already in the environment (the admin's choice, e.g. in
    the unit's Environment=) is kept.
    """
    chosen = environ.get("SDL_KMSDRM_DEVICE_INDEX")
    if chosen:
        log.info("kmsdrm: using card%s (SDL_KMSDRM_DEVICE_INDEX from the environment)", chosen)
        return
    connectors = connected_connectors(drm_root)
    if not connectors:
        log.warning("kmsdrm: no connected screen found in %s; letting SDL choose", drm_root)
        return
    card, connector = connectors[0]
    environ["SDL_KMSDRM_DEVICE_INDEX"] = str(card)
    log.info("kmsdrm: using card%d, %s is connected", card, connector)


def prepare_environment(
    mode: str, environ: MutableMapping[str, str], drm_root: Path = DRM_SYSFS
) -> None:
    """Set SDL's variables for `mode`, keeping any the admin set.

    Fullscreen without a desktop (no DISPLAY, no WAYLAND_DISPLAY) means kmsdrm; with a
    desktop, SDL's own choice (x11 or wayland) shows a fullscreen window there.
    """
    if mode != "fullscreen":
        return
    driver = environ.get("SDL_VIDEODRIVER")
    if not driver and not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        environ["SDL_VIDEODRIVER"] = driver = "kmsdrm"
    if driver == "kmsdrm":
        choose_kmsdrm_device(environ, drm_root)
