"""The mirror's address on screen: a light card with a QR code of the URL and the URL in
text under it, for a phone's camera or a person to type.

The QR code is segno's (`make_qr`; `matrix_iter` gives its modules with the quiet zone,
dark as 1: segno/__init__.py, the same in 1.4.1 and 1.6): one pixel per module, then
scaled up by a whole number with no smoothing, so every module is a crisp square of a
few pixels. The card is built once per URL and screen size (about 3 ms here, most of it
segno choosing the mask, pure Python: at start and when the address changes); showing it
is one blit, only where the frame changed under it. `AddressCard` keeps the URL, its
card, and when it shows (at the start of each curve).
"""

from __future__ import annotations

import numpy as np
import pygame
import segno

ADDRESS_SECONDS = 8.0  # the address card shows this long at the start of each curve
QUIET_ZONE = 4  # modules of light border around the code (what ISO/IEC 18004 asks for)
ERROR_LEVEL = "m"  # recovers 15 %: a glare or a stroke of the pen over a corner
DARK = (12, 12, 16)
LIGHT = (250, 250, 250)
MIN_MODULE_PX = 2
MODULE_FRACTION = 1 / 160  # of the screen's height: 7 px per module at 1080 lines


def qr_surface(text: str, module_px: int) -> pygame.Surface:
    """`text` as a QR code, dark on light, quiet zone included, `module_px` per module."""
    code = segno.make_qr(text, error=ERROR_LEVEL)
    modules = np.array(list(code.matrix_iter(scale=1, border=QUIET_ZONE)), dtype=bool)
    rgb = np.where(modules.T[:, :, None], np.array(DARK), np.array(LIGHT)).astype(np.uint8)
    small = pygame.surfarray.make_surface(rgb)  # (width, height, 3): x first, as pygame's
    return pygame.transform.scale(
        small, (small.get_width() * module_px, small.get_height() * module_px)
    )


def address_card(url: str, screen_height: int) -> pygame.Surface | None:
    """The QR code of `url` with `url` under it on a light card sized for the screen;
    None when even the smallest card would not fit on it."""
    if not pygame.font.get_init():
        pygame.font.init()
    module_px = max(MIN_MODULE_PX, round(screen_height * MODULE_FRACTION))
    code = qr_surface(url, module_px)
    font = pygame.font.Font(None, max(12, round(screen_height / 36)))
    text = font.render(url, True, DARK, LIGHT)
    pad = code.get_width() // 16
    width = max(code.get_width(), text.get_width() + 2 * pad)
    height = code.get_height() + text.get_height() + pad
    if height > screen_height * 0.9:
        return None
    card = pygame.Surface((width, height), 0, 32)
    card.fill(LIGHT)
    card.blit(code, ((width - code.get_width()) // 2, 0))
    card.blit(text, ((width - text.get_width()) // 2, code.get_height()))
    return card


class AddressCard:
    """The mirror's URL (None: none), its card for a screen of `size` (None: none, or it
    does not fit) and how long it shows at the start of each curve."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.url: str | None = None
        self.card: pygame.Surface | None = None
        self.seconds = ADDRESS_SECONDS

    def show(self, url: str | None, seconds: float) -> bool:
        """Show `url` for `seconds` from now on, its card built here once per URL; whether
        that replaced one card with another."""
        self.seconds = seconds
        if url == self.url:
            return False
        self.url = url
        replaced = self.card is not None and url is not None
        self.card = address_card(url, self.size[1]) if url is not None else None
        return replaced

    def at(self, elapsed: float) -> pygame.Surface | None:
        """The card to show `elapsed` seconds after a curve's first stroke, if any."""
        return self.card if elapsed < self.seconds else None
