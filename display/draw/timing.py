"""A curve's life in seconds: `draw_seconds` of drawing, `hold_seconds` of holding the
finished picture, the first `fade_seconds` of the next curve's drawing cross-fading from it.

Apart from `scene`: a plain value (the config's numbers, checked), and what follows from
the numbers alone (where the pen is, when the hold is still) said in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    def ended(self, elapsed: float) -> bool:
        """Whether a curve `elapsed` seconds after its first stroke is done (held)."""
        return elapsed > self.cycle_seconds + TIME_EPSILON

    def progress_at(self, elapsed: float) -> float:
        """The pen's progress 0..1, `elapsed` seconds after the curve's first stroke."""
        if elapsed >= self.draw_seconds - TIME_EPSILON:
            return 1.0
        return elapsed / self.draw_seconds

    def in_still_hold(self, elapsed: float) -> bool:
        """Halfway through a hold: nothing moves, a slow frame goes unseen."""
        return self.hold_seconds > 0 and elapsed >= self.draw_seconds + self.hold_seconds / 2
