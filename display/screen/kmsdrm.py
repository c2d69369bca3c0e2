"""Choosing the DRM card for SDL's kmsdrm driver, and SDL's environment for fullscreen.

A Pi has several DRM cards (/dev/dri/card*: the display controller and the 3D core,
whose numbers vary between boots). SDL 2.26 (Bookworm) scans them and takes the last one
with KMS resources, whatever is connected (SDL_kmsdrmvideo.c, `get_driindex`: its loop
does not stop at the first match until 2.32), so we point it at the card whose HDMI
connector is connected (SDL_KMSDRM_DEVICE_INDEX, SDL >= 2.24).

Setting that index also makes SDL skip its test of whether another program (a desktop's
compositor) is DRM master on the card (`get_driindex` returns the index at once). With a
desktop holding the screen, SDL then opens the window anyway and every page flip fails
silently (SDL_kmsdrmopengles.c, `KMSDRM_GLES_SwapWindow`: "Could not set videomode on
CRTC", and it returns 0): the kiosk would say fullscreen while nothing shows. So we run
SDL's test ourselves first, `drmAuthMagic(fd, 0)`: the kernel refuses it with EACCES to
anyone but the current master (drm_ioctl.c, DRM_MASTER on DRM_IOCTL_AUTH_MAGIC).

SDL reads its environment variables when the display is initialised, so they are set
here, by `prepare_environment`, never at import.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import struct
from collections.abc import Callable, MutableMapping
from pathlib import Path

log = logging.getLogger(__name__)

DRM_SYSFS = Path("/sys/class/drm")
DRM_DEVICES = Path("/dev/dri")
# _IOW('d', 0x11, struct drm_auth { unsigned int magic; }): libdrm's drm.h
DRM_IOCTL_AUTH_MAGIC = 0x40046411
# SDL tries desktop OpenGL before GLES2 (SDL_render.c, render_drivers[]); on a Pi that
# depends on whether libGL happens to be installed. The Pi's GPU speaks GLES.
RENDER_DRIVER = "opengles2"
_CONNECTOR = re.compile(r"card(\d+)-(.+)")

Ioctl = Callable[[int, int, bytes], object]


class ScreenUnavailableError(RuntimeError):
    """No screen can be used; the message is one line for the admin.

    `no_screen` is true when no connector reports a screen: one may be plugged in (or
    switched on) later, so it is worth watching for.
    """

    def __init__(self, message: str, *, no_screen: bool = False) -> None:
        super().__init__(message)
        self.no_screen = no_screen


def connector_states(drm_root: Path = DRM_SYSFS) -> dict[tuple[int, str], str]:
    """{(card index, connector name): status} from /sys/class/drm/card<N>-<name>/status
    ('connected', 'disconnected' or 'unknown'); empty where there is no DRM (a container)."""
    states = {}
    for status_file in drm_root.glob("card*-*/status"):
        match = _CONNECTOR.fullmatch(status_file.parent.name)
        if not match:
            continue
        try:
            states[(int(match[1]), match[2])] = status_file.read_text().strip()
        except OSError:
            continue
    return states


def connected_connectors(drm_root: Path = DRM_SYSFS) -> list[tuple[int, str]]:
    """(card index, connector name) of every connected connector, HDMI ones first."""
    found = [key for key, status in connector_states(drm_root).items() if status == "connected"]
    found.sort(key=lambda item: (not item[1].startswith("HDMI"), item[0], item[1]))
    return found


def master_held_elsewhere(
    card: int, dev_root: Path = DRM_DEVICES, ioctl: Ioctl | None = None
) -> bool | None:
    """Whether another program is DRM master on card `card`; None when it cannot tell.

    Opening the card while nobody is master makes us master until we close it again.
    """
    path = dev_root / f"card{card}"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as exc:
        log.info("kmsdrm: cannot open %s to test for another master: %s", path, exc.strerror)
        return None
    try:
        (ioctl or fcntl.ioctl)(fd, DRM_IOCTL_AUTH_MAGIC, struct.pack("I", 0))
    except OSError as exc:
        return exc.errno == errno.EACCES  # EINVAL: we are master, magic 0 is not known
    finally:
        os.close(fd)
    return False


def choose_kmsdrm_device(
    environ: MutableMapping[str, str],
    drm_root: Path = DRM_SYSFS,
    dev_root: Path = DRM_DEVICES,
    ioctl: Ioctl | None = None,
) -> None:
    """Point SDL's kmsdrm at the card with a connected screen (HDMI preferred), once no
    other program holds it; else ScreenUnavailableError.

    An SDL_KMSDRM_DEVICE_INDEX already in the environment (the admin's choice, e.g. in
    the unit's Environment=) is kept, and tested like our own choice.
    """
    chosen = environ.get("SDL_KMSDRM_DEVICE_INDEX")
    if chosen:
        card = int(chosen) if chosen.isdigit() else None
        log.info("kmsdrm: using card%s (SDL_KMSDRM_DEVICE_INDEX from the environment)", chosen)
    else:
        states = connector_states(drm_root)
        connectors = connected_connectors(drm_root)
        if states and not connectors:
            raise ScreenUnavailableError("no screen is connected (or it is off)", no_screen=True)
        if not connectors:
            log.warning("kmsdrm: no connectors in %s; letting SDL choose", drm_root)
            return
        card, connector = connectors[0]
        environ["SDL_KMSDRM_DEVICE_INDEX"] = str(card)
        log.info("kmsdrm: using card%d, %s is connected", card, connector)
    if card is not None and master_held_elsewhere(card, dev_root, ioctl):
        raise ScreenUnavailableError(f"another program (a desktop?) owns the screen on card{card}")


def prepare_environment(
    mode: str,
    environ: MutableMapping[str, str],
    drm_root: Path = DRM_SYSFS,
    dev_root: Path = DRM_DEVICES,
    ioctl: Ioctl | None = None,
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
        environ.setdefault("SDL_RENDER_DRIVER", RENDER_DRIVER)
        choose_kmsdrm_device(environ, drm_root, dev_root, ioctl)
