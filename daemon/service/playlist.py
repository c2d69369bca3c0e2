"""The curves the kiosk plays: config's curves.playlist, in order, round and round.

A Playlist is the Scene's `next_curve` callable. Entries are preset names and
"random" (a new random curve each time, built from curves.random_shapes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from spirokiosk.display.curves import PRESETS, Curve, random_curve

log = logging.getLogger(__name__)

RANDOM = "random"


def make_random_curve(shapes: Sequence[str]) -> Curve:
    """A new random curve of these wheel shapes; exactly symmetric when all are circles."""
    shapes = tuple(shapes)
    return random_curve(shapes=shapes, exact_symmetry=shapes == ("circle",))


class Playlist:
    """Cycles through `names`; call it for the next curve."""

    def __init__(
        self,
        names: Sequence[str],
        random_shapes: Sequence[str] = ("circle",),
        *,
        presets: Mapping[str, Curve] = PRESETS,
        make_random: Callable[[Sequence[str]], Curve] = make_random_curve,
    ) -> None:
        self._presets = presets
        self._make_random = make_random
        self._names: tuple[str, ...] = ()
        self._shapes: tuple[str, ...] = ()
        self._position = 0
        self._lock = threading.Lock()  # called by the scene's preparing thread, updated on reload
        self.update(names, random_shapes)

    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    @property
    def random_shapes(self) -> tuple[str, ...]:
        return self._shapes

    def update(self, names: Sequence[str], random_shapes: Sequence[str]) -> None:
        """Take a new playlist (on reload): a changed list starts again from its top."""
        names, shapes = tuple(names), tuple(random_shapes)
        if not names:
            raise ValueError("curves.playlist: must name at least one curve")
        unknown = [name for name in names if name != RANDOM and name not in self._presets]
        if unknown:
            raise ValueError(f"curves.playlist: unknown presets {', '.join(unknown)}")
        if not shapes:
            raise ValueError("curves.random_shapes: must name at least one shape")
        with self._lock:
            if names != self._names:
                self._position = 0
            self._names, self._shapes = names, shapes

    def __call__(self) -> Curve:
        with self._lock:
            name = self._names[self._position % len(self._names)]
            self._position = (self._position + 1) % len(self._names)
            shapes = self._shapes
        curve = self._make_random(shapes) if name == RANDOM else self._presets[name]
        # CURVE: a journal field, so `journalctl -u spirokiosk CURVE=NAME` finds its lines.
        log.debug(
            "playlist: next curve %s (%s)",
            curve.name,
            curve.summary(),
            extra={"CURVE": curve.name or "unnamed"},
        )
        return curve
