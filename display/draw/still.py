"""The picture while the screen sleeps: black, with one dim line saying until when.

Drawn once when the screen goes off and shown until it comes back (the stream's viewers
see it too), so its cost does not matter; it must only be legible on a phone's mirror.
"""

from __future__ import annotations

import pygame

TEXT_COLOUR = (110, 110, 110)  # dim: a dark room at night


def sleeping_picture(surface: pygame.Surface, text: str) -> None:
    """Fill `surface` black and write `text` small in its middle."""
    if not pygame.font.get_init():
        pygame.font.init()
    surface.fill((0, 0, 0))
    height = surface.get_height()
    font = pygame.font.Font(None, max(14, round(height / 30)))
    line = font.render(text, True, TEXT_COLOUR)
    surface.blit(line, line.get_rect(center=surface.get_rect().center))
