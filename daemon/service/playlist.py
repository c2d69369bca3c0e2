"""The curves the kiosk plays: config's curves.playlist, in order, round and round.

A Playlist is the Scene's `next_curve` callable. Entries are preset names,
"random" (a new random curve each time, built from curves.random_shapes) and
"favourites" (the gallery's next hearted curve, in turn; skipped while there is none,
or when the kiosk runs without a gallery). Each curve given is noted with where it came
from (`note`), for the gallery's history.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence

from spirokiosk.daemon.state.recorder import Origin
from spirokiosk.display.curves import PRESETS, Curve, CurveError, random_curve

log = logging.getLogger(__name__)

RANDOM = "random"
FAVOURITES = "favourites"
NextFavourite = Callable[[int], "dict | None"]  # GalleryStore.next_favourite


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
        favourites: NextFavourite | None = None,
        note: Callable[[Curve, Origin], None] | None = None,
    ) -> None:
        self._presets = presets
        self._make_random = make_random
        self._favourites = favourites
        self._note = note
        self._last_favourite = 0  # the id of the favourite played last
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
        unknown = [
            name for name in names if name not in (RANDOM, FAVOURITES) and name not in self._presets
        ]
        if unknown:
            raise ValueError(f"curves.playlist: unknown presets {', '.join(unknown)}")
        if not shapes:
            raise ValueError("curves.random_shapes: must name at least one shape")
        with self._lock:
            if names != self._names:
                self._position = 0
            self._names, self._shapes = names, shapes

    def __call__(self) -> Curve:
        for _ in range(len(self._names) + 1):
            with self._lock:
                name = self._names[self._position % len(self._names)]
                self._position = (self._position + 1) % len(self._names)
                shapes = self._shapes
            picked = self._pick(name, shapes)
            if picked is not None:
                break
        else:  # only "favourites", and there are none: something to draw all the same
            picked = self._make_random(shapes), Origin(RANDOM)
        curve, origin = picked
        if self._note is not None:
            self._note(curve, origin)
        # CURVE: a journal field, so `journalctl -u spirokiosk CURVE=NAME` finds its lines.
        log.debug(
            "playlist: next curve %s (%s)",
            curve.name,
            curve.summary(),
            extra={"CURVE": curve.name or "unnamed"},
        )
        return curve

    def _pick(self, name: str, shapes: tuple[str, ...]) -> tuple[Curve, Origin] | None:
        if name == RANDOM:
            return self._make_random(shapes), Origin(RANDOM)
        if name != FAVOURITES:
            return self._presets[name], Origin("preset", name)
        if self._favourites is None:
            return None
        try:
            entry = self._favourites(self._last_favourite)
        except Exception as exc:  # the gallery failed (logged there): skip the entry
            log.debug("playlist: no favourite (%s)", exc)
            return None
        if entry is None:
            return None
        self._last_favourite = entry["id"]
        try:
            curve = Curve.from_dict(entry["curve"])
        except CurveError as exc:
            log.warning("playlist: favourite %d cannot be drawn: %s", entry["id"], exc)
            return None
        return curve, Origin(FAVOURITES, str(entry["id"]))
