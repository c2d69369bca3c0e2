"""What the hub reports about itself: its counters, and the stream's frame rate as
measured from the times frames were encoded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

FPS_WINDOW_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class HubStats:
    """A snapshot of the hub's counters."""

    frames_published: int
    frames_encoded: int
    frames_dropped: int
    viewers: int
    max_viewers: int
    stream_fps: float  # new frames encoded per second, measured over the last FPS_WINDOW_SECONDS
    encode_seconds: float  # total time spent scaling and encoding

    def as_dict(self) -> dict:
        return asdict(self)


def recent_fps(times: Iterable[float], now: float) -> float:
    """Frames per second among `times` (clock readings, oldest first) in the last
    FPS_WINDOW_SECONDS before `now`; 0 with fewer than two."""
    recent = [t for t in times if now - t <= FPS_WINDOW_SECONDS]
    span = now - recent[0] if recent else 0.0
    return (len(recent) - 1) / span if len(recent) > 1 and span > 0 else 0.0
