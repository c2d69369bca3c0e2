"""Frames per second, measured over the last few seconds of event times.

Used for the render loop's fps, the stream's and the camera's. Not thread-safe: a
meter shared between threads is read and fed under its owner's lock.
"""

from __future__ import annotations

from collections import deque


class RateMeter:
    """Events per second among those of the last `window` seconds."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._times: deque[float] = deque()

    def add(self, now: float) -> None:
        """An event at `now` (a monotonic clock reading)."""
        self._times.append(now)
        self._forget(now)

    def rate(self, now: float | None = None) -> float:
        """Events per second over the window ending at `now` (default: the last event);
        0 with fewer than two events in it."""
        if now is not None:
            self._forget(now)
        times = self._times
        if len(times) < 2 or times[-1] <= times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def clear(self) -> None:
        self._times.clear()

    def _forget(self, now: float) -> None:
        while self._times and now - self._times[0] > self.window:
            self._times.popleft()
