"""The curves after the one on screen: those asked for with `ask` first, in order, then
the playlist's; the next one's drawing built early, on a thread (`Preparation`).

    upcoming = Upcoming(next_curve, new_drawing)
    upcoming.ask(curve)                  # a viewer's curve: before the playlist's
    upcoming.start(painter)              # build the next drawing meanwhile (a still hold)
    drawing = upcoming.adopt()           # the built one, once done (None meanwhile)
    drawing = upcoming.take()            # the next curve's drawing, now

A curve that cannot be drawn is logged and skipped: a curve must never stop the show.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from spirokiosk.display.curves import Curve
from spirokiosk.display.draw.drawing import CurveDrawing
from spirokiosk.display.draw.overlays import OverlayPainter
from spirokiosk.display.draw.preparing import Preparation
from spirokiosk.display.messages import shown

log = logging.getLogger(__name__)

MAX_SKIPPED = 8  # curves in a row that cannot be prepared before the show gives up


class PreparationError(Exception):
    """Building the drawing of the curve `name` failed (the cause is chained)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Upcoming:
    """The queue of asked-for curves, the playlist, and the next drawing built early.

    `next_curve()` is called once per playlist curve (from the preparing thread too);
    `new_drawing(curve)` builds a curve's drawing for the scene as it is then."""

    def __init__(
        self, next_curve: Callable[[], Curve], new_drawing: Callable[[Curve], CurveDrawing]
    ) -> None:
        self.next_curve = next_curve
        self._new_drawing = new_drawing
        self._queue: deque[Curve] = deque()
        self.prepared: CurveDrawing | None = None  # the next curve, built early
        self._prepared_asked = False  # ...asked for with `ask`, or the playlist's
        self._preparing: Preparation[CurveDrawing] | None = None  # being built meanwhile
        self._preparing_asked = False

    def ask(self, curve: Curve) -> None:
        """Play `curve` next, before the playlist (curves asked for queue in order)."""
        self._queue.append(curve)

    @property
    def asked_count(self) -> int:
        """Curves asked for that have not started yet (one built early among them)."""
        waiting = self._prepared_asked or (self._preparing is not None and self._preparing_asked)
        return len(self._queue) + (1 if waiting else 0)

    def asked(self) -> list[Curve]:
        """The curves asked for that have not started, in order (call `adopt(wait=True)`
        first: one being built is not among them)."""
        early = [self.prepared.curve] if self.prepared is not None and self._prepared_asked else []
        return early + list(self._queue)

    @property
    def idle(self) -> bool:
        """Nothing built early, nor being built."""
        return self.prepared is None and self._preparing is None

    def start(self, painter: OverlayPainter) -> None:
        """Build the next curve's drawing, and `painter`'s sprites for it, on a thread."""
        from_queue = bool(self._queue)
        asked = self._queue.popleft() if from_queue else None
        next_curve, new_drawing = self.next_curve, self._new_drawing

        def build() -> CurveDrawing:
            curve = asked if asked is not None else next_curve()
            try:
                drawing = new_drawing(curve)
                painter.prepare_ahead(drawing)
            except Exception as exc:
                raise PreparationError(curve.name or "a curve") from exc
            return drawing

        self._preparing, self._preparing_asked = Preparation(build), from_queue

    def adopt(self, wait: bool = False) -> CurveDrawing | None:
        """The drawing built meanwhile, kept as `prepared`, once it is done (or now,
        `wait`ing for it); None when there is none new (or it failed: logged, skipped)."""
        preparing = self._preparing
        if preparing is None or not (wait or preparing.done):
            return None
        self._preparing = None
        try:
            drawing = preparing.result()
        except PreparationError as exc:
            log.error("cannot prepare %s; skipped", shown(exc.name), exc_info=exc.__cause__)
            return None
        except Exception:  # the playlist itself failed
            log.exception("cannot prepare the next curve; skipped")
            return None
        self.prepared, self._prepared_asked = drawing, self._preparing_asked
        return drawing

    def take(self) -> CurveDrawing:
        """The next curve's drawing: the one built early, unless a curve was asked for
        after the playlist's was built (that one goes first, built now: a short pause;
        the built one waits for the next turn)."""
        if self.prepared is not None and (self._prepared_asked or not self._queue):
            drawing, self.prepared = self.prepared, None
            self._prepared_asked = False
            return drawing
        return self.build_next()

    def build_next(self) -> CurveDrawing:
        """The next curve's drawing built now (an asked-for curve first, else the
        playlist's), skipping curves that cannot be drawn."""
        for _ in range(MAX_SKIPPED):
            curve = self._queue.popleft() if self._queue else self.next_curve()
            try:
                return self._new_drawing(curve)
            except Exception:
                log.exception("cannot prepare %s; skipped", shown(curve.name or "a curve"))
        raise RuntimeError(f"{MAX_SKIPPED} curves in a row could not be prepared")
