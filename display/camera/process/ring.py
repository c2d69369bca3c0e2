"""Frame slots in shared memory: the child writes a frame into a slot it owns, the parent
reads it where it lies.

The memory is an anonymous memfd made by the parent, passed to each child by file
descriptor and mapped by both. Who may touch a slot is decided by messages alone (see
`protocol`): a slot is the child's until it says `frame`, then the parent's until it
says `free`. Sending and receiving a message are system calls, which order the memory
writes before them ahead of the reads after them on every CPU, ARM included: no lock
or atomic in the shared memory itself is needed.
"""

from __future__ import annotations

import mmap
import os

import numpy as np

SLOTS = 3  # one the parent shows, one the child fills, one the child filled next


class FrameRing:
    """`slots` frames of `shape` (h, w, 4) uint8 in one shared mapping."""

    def __init__(self, fd: int, shape: tuple[int, int, int], slots: int = SLOTS) -> None:
        self.fd = fd
        self.shape = tuple(int(v) for v in shape)
        self.slots = slots
        self.slot_bytes = int(np.prod(self.shape))
        self._map = mmap.mmap(fd, self.slot_bytes * slots)
        self._views = [
            np.frombuffer(self._map, np.uint8, self.slot_bytes, i * self.slot_bytes).reshape(
                self.shape
            )
            for i in range(slots)
        ]

    @classmethod
    def create(cls, shape: tuple[int, int, int], slots: int = SLOTS) -> FrameRing:
        """A new ring in a fresh memfd (the parent's side; not inherited by other children)."""
        fd = os.memfd_create("spirokiosk-camera", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, int(np.prod(shape)) * slots)
            return cls(fd, shape, slots)
        except BaseException:
            os.close(fd)
            raise

    def slot(self, index: int) -> np.ndarray:
        """The (h, w, 4) view of slot `index`."""
        return self._views[index]

    def close(self) -> None:
        """Unmap and close; views handed out before must be gone by now."""
        self._views = []
        try:
            self._map.close()
        finally:
            os.close(self.fd)
