"""A stream client's place under the hub's viewer cap."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .hub import FrameHub


class ViewerSlot:
    """A stream client's place under the viewer cap; `release()` may be called repeatedly."""

    def __init__(self, hub: FrameHub, first_after: int) -> None:
        self._hub = hub
        self._released = False
        # The first frame sent must be newer than this sequence number: a frame
        # encoded while nobody watched may be minutes old.
        self.first_after = first_after

    @property
    def released(self) -> bool:
        return self._released

    def release(self) -> bool:
        """Give the slot back; true if this call released it (false if it already was)."""
        return self._hub._release_viewer(self)

    def __enter__(self) -> ViewerSlot:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
