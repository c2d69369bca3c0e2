"""What the hub reports about itself: its counters and the stream's frame rate."""

from __future__ import annotations

from dataclasses import asdict, dataclass

FPS_WINDOW_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class HubStats:
    """The hub's counters at one moment."""

    frames_published: int
    frames_encoded: int
    frames_dropped: int
    viewers: int
    max_viewers: int
    stream_fps: float  # new frames encoded per second, measured over the last FPS_WINDOW_SECONDS
    encode_seconds: float  # total time spent scaling and encoding

    def as_dict(self) -> dict:
        return asdict(self)
