"""A stream client's place under the hub's viewer cap."""

from __future__ import annotations

import threading
from collections.abc import Callable


class ViewerSlot:
    """A stream client's place under the viewer cap; `release()` may be called repeatedly.

    `on_release` gives the place back (the hub's count); it runs once, on the first
    release.
    """

    def __init__(self, on_release: Callable[[], None], first_after: int) -> None:
        self._on_release = on_release
        self._lock = threading.Lock()
        self._released = False
        # The first frame sent must be newer than this sequence number: a frame
        # encoded while nobody watched may be minutes old.
        self.first_after = first_after

    @property
    def released(self) -> bool:
        return self._released

    def release(self) -> bool:
        """Give the slot back; true if this call released it (false if it already was)."""
        with self._lock:
            if self._released:
                return False
            self._released = True
        self._on_release()
        return True

    def __enter__(self) -> ViewerSlot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
