"""The show: curves drawn one after another, held, and cross-faded into the next.

    scene = Scene(size=(w, h), next_curve=playlist_function,
                  timing=Timing(draw_seconds=30.0, hold_seconds=8.0, fade_seconds=2.0),
                  overlays=Overlays(pen=True, wheels=False, caption=False))
    scene.update(dt)        # elapsed seconds, not frames
    scene.draw(target)      # the whole frame

Each curve's own clock starts when its pen starts. Its life is
`draw_seconds` of drawing then `hold_seconds` of holding; then the next curve
starts drawing while the finished frame of the old one fades out over its
first `fade_seconds` (phase "fading"; `curve` and `progress` are already the
new curve's).
"""

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import pygame

from .curves import Curve
from .drawing import CurveDrawing
from .overlays import OverlayPainter, Overlays

log = logging.getLogger(__name__)

__all__ = ["Overlays", "Scene", "Timing"]

# Float sums of many small steps land a hair off the exact total: within this
# many seconds of the end the drawing counts as complete.
TIME_EPSILON = 1e-9


@dataclass(frozen=True)
class Timing:
    """Seconds per curve: pen time, pause on the finished picture, cross-fade."""

    draw_seconds: float = 30.0
    hold_seconds: float = 8.0
    fade_seconds: float = 2.0

    def __post_init__(self) -> None:
        if not self.draw_seconds > 0:
            raise ValueError(f"draw_seconds: must be positive, not {self.draw_seconds!r}")
        for name in ("hold_seconds", "fade_seconds"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name}: must be zero or more, not {getattr(self, name)!r}")

    @property
    def cycle_seconds(self) -> float:
        """From one curve's first stroke to the next curve's."""
        return self.draw_seconds + self.hold_seconds


class Scene:
    """Owns the current drawing, the clock, the queue and the cross-fade.

    `next_curve()` is called once per curve, for the playlist; curves passed to
    `queue_curve` go first. The next playlist curve is prepared halfway through
    the hold, while the picture is still, so the switch costs no visible frame.
    """

    def __init__(
        self,
        size: tuple[int, int],
        next_curve: Callable[[], Curve],
        timing: Timing | None = None,
        overlays: Overlays | None = None,
    ):
        self.size = (int(size[0]), int(size[1]))
        self.timing = timing or Timing()
        self.overlays = overlays or Overlays()
        self._next_curve = next_curve
        self._queue: deque[Curve] = deque()
        self._painter = OverlayPainter(self.overlays)
        self._drawing = CurveDrawing(next_curve(), self.size)
        self._prepared: CurveDrawing | None = None  # the next playlist curve, built early
        self._elapsed = 0.0  # seconds since the current curve's pen started
        self._old_frame: pygame.Surface | None = None  # previous finished frame, while fading

    # -- state -------------------------------------------------------------

    @property
    def curve(self) -> Curve:
        return self._drawing.curve

    @property
    def drawing(self) -> CurveDrawing:
        return self._drawing

    @property
    def progress(self) -> float:
        """The current curve's pen progress, 0..1."""
        return self._drawing.progress

    @property
    def phase(self) -> str:
        """'fading' (new curve starting over the old one), 'drawing' or 'holding'."""
        if self._old_frame is not None:
            return "fading"
        return "holding" if self._drawing.progress >= 1.0 else "drawing"

    def queue_curve(self, curve: Curve) -> None:
        """Play `curve` next, before the playlist (curves queue in order)."""
        self._queue.append(curve)

    # -- time ----------------------------------------------------------------

    def update(self, dt: float) -> None:
        """Advance by `dt` seconds: move the pen, hold, switch curves, fade.

        A stall longer than one whole curve counts as one curve's time, so a
        long pause never skips through (and pays for) several curves at once.
        """
        timing = self.timing
        dt = min(max(float(dt), 0.0), timing.cycle_seconds)
        self._elapsed += dt
        if self._elapsed > timing.cycle_seconds + TIME_EPSILON:
            self._switch_curve(self._elapsed - timing.cycle_seconds)
        if self._old_frame is not None and self._elapsed >= timing.fade_seconds:
            self._old_frame = None
        self._drawing.advance_to(self._progress_at(self._elapsed))
        if self._prepared is None and not self._queue and self._in_still_hold():
            self._prepared = CurveDrawing(self._next_curve(), self.size)

    def _in_still_hold(self) -> bool:
        """Halfway through a hold: nothing moves, a slow frame goes unseen."""
        timing = self.timing
        return timing.hold_seconds > 0 and (
            self._elapsed >= timing.draw_seconds + timing.hold_seconds / 2
        )

    def _progress_at(self, elapsed: float) -> float:
        if elapsed >= self.timing.draw_seconds - TIME_EPSILON:
            return 1.0
        return elapsed / self.timing.draw_seconds

    def _switch_curve(self, carry: float) -> None:
        old = self._drawing
        old.advance_to(1.0)
        if self._queue:
            new = CurveDrawing(self._queue.popleft(), self.size)
        elif self._prepared is not None:
            new, self._prepared = self._prepared, None
        else:
            new = CurveDrawing(self._next_curve(), self.size)
        # The old canvas is never drawn on again: it becomes the old frame.
        frame = old.canvas
        self._painter.draw(frame, old, moving=False)
        self._old_frame = frame if self.timing.fade_seconds > 0 else None
        self._drawing = new
        self._elapsed = carry
        log.info("now drawing %s", new.curve.name or "a curve")

    # -- picture -------------------------------------------------------------

    def draw(self, target: pygame.Surface) -> None:
        """Compose the whole frame onto `target` (the scene's size)."""
        if target.get_size() != self.size:
            raise ValueError(f"target: size {target.get_size()} is not the scene's {self.size}")
        alpha = round(255 * self._old_frame_weight()) if self._old_frame is not None else 0
        if alpha >= 255:
            # Fully opaque: SDL's blit with surface alpha 255 is a slow path, and
            # the new canvas would be hidden anyway.
            self._old_frame.set_alpha(None)
            target.blit(self._old_frame, (0, 0))
            return
        target.blit(self._drawing.canvas, (0, 0))
        self._painter.draw(target, self._drawing, moving=self.phase != "holding")
        if alpha > 0:
            self._old_frame.set_alpha(alpha)
            target.blit(self._old_frame, (0, 0))

    def _old_frame_weight(self) -> float:
        """1 -> 0 over the fade, eased (smoothstep) so it neither pops nor lingers."""
        x = min(max(self._elapsed / self.timing.fade_seconds, 0.0), 1.0)
        return 1.0 - x * x * (3.0 - 2.0 * x)
