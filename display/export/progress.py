"""A one-line progress bar for terminals; silent when the stream is not a TTY.

Pipes, log files and CI get nothing (no carriage returns in captured output);
a person at a terminal sees `rendering out.mp4 [#######.......] 512/1024, 0:42 left`.
"""

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 28
MIN_INTERVAL_S = 0.1  # redraw at most this often: a redraw costs a write syscall
ETA_AFTER_S = 1.0  # the time left is shown once the rate is known this long


class Progress:
    """Counts steps towards `total`; shows them on `stream` when it is a terminal.

    Use as a context manager so the bar's line is cleared however the work ends.
    """

    def __init__(
        self,
        total: int,
        label: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _is_terminal(self.stream)
        self._clock = clock
        self._started = clock()
        self.done = 0
        self._last_draw = float("-inf")
        self._drawn = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def advance(self, steps: int = 1) -> None:
        self.done = min(self.done + steps, self.total)
        if not self.enabled:
            return
        now = self._clock()
        if now - self._last_draw >= MIN_INTERVAL_S or self.done == self.total:
            self._last_draw = now
            self._draw()

    def close(self) -> None:
        """Erase the bar, leaving the cursor at the start of a clean line."""
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def line(self) -> str:
        """The bar's text for the current count."""
        filled = BAR_WIDTH * self.done // self.total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total}{self._time_left()}"

    def _time_left(self) -> str:
        elapsed = self._clock() - self._started
        if self.done == 0 or self.done == self.total or elapsed < ETA_AFTER_S:
            return ""
        left = round(elapsed / self.done * (self.total - self.done))
        hours, rest = divmod(left, 3600)
        clock = (
            f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
            if hours
            else f"{rest // 60}:{rest % 60:02d}"
        )
        return f", {clock} left"

    def _draw(self) -> None:
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()
        self._drawn = True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
