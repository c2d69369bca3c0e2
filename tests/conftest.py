"""Shared test set-up: pygame runs headless, quietly."""

import os

# Before anything imports pygame: no window, no sound card, no greeting.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
