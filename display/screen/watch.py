"""Waiting for a screen: a kiosk that started headless because no screen was connected
(a TV switched on after boot, HDMI plugged in later) takes the screen when one appears.

SDL scans the connectors only when the display is initialised (SDL_kmsdrmvideo.c,
`KMSDRM_InitDisplays`; nothing in kmsdrm listens for hotplug), so the connectors'
status in sysfs is read here now and then (a cached value in the kernel: cheap), and
the screen is opened afresh once one reports `connected`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from spirokiosk.display.screen.kmsdrm import DRM_SYSFS, connected_connectors
from spirokiosk.display.screen.output import Output

log = logging.getLogger(__name__)

CHECK_EVERY = 2.0  # seconds between looks at the connectors


class ScreenWatch:
    """Call `check(now)` every tick: a newly opened screen's Output, or None."""

    def __init__(
        self,
        open_screen: Callable[[], Output],
        drm_root: Path = DRM_SYSFS,
        every: float = CHECK_EVERY,
    ) -> None:
        self._open_screen = open_screen
        self._drm_root = drm_root
        self._every = every
        self._next = float("-inf")
        self.gave_up = False

    def check(self, now: float) -> Output | None:
        if self.gave_up or now < self._next:
            return None
        self._next = now + self._every
        connected = connected_connectors(self._drm_root)
        if not connected:
            return None
        card, connector = connected[0]
        log.info("display: %s on card%d is connected now; opening the screen", connector, card)
        output = self._open_screen()
        if output.mode != "headless":
            return output
        output.close()
        if not output.waiting_for_screen:  # a screen, but it cannot be used (a desktop?)
            log.warning(
                "display: the screen cannot be used (%s); staying headless", output.fallback_reason
            )
            self.gave_up = True
        return None
