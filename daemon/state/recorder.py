"""Recording each curve as it starts, without the render thread ever waiting for a disk.

Where a curve came from is noted when it is chosen: by the playlist (a preset, a random
curve, a favourite; on the scene's preparing thread) or by the render loop taking a
viewer's request off the command queue. A requested curve is queued as a copy of its
own (`asked`), so a preset asked for by a viewer is not taken for the playlist's.
When the render loop sees a new curve on screen it calls `started(curve)`, which only
puts it on a bounded queue; this module's thread writes it to the gallery. A slow or
full disk delays or drops history entries, never a frame.
"""

from __future__ import annotations

import copy
import logging
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass

from spirokiosk.daemon.state.store import GalleryError, GalleryStore
from spirokiosk.display.curves import Curve

log = logging.getLogger(__name__)

MAX_PENDING = 32  # curves waiting to be written; past it they are dropped (a stuck disk)
MAX_NOTED = 64  # origins noted for curves not started yet (prepared, then skipped)


@dataclass(frozen=True)
class Origin:
    """Where a curve came from: `source` (preset, random, request, gallery, favourites)
    and a detail (the preset's name, the seed, the gallery entry, the asker)."""

    source: str
    detail: str = ""


PLAYLIST = Origin("preset")


class CurveRecorder:
    """Notes origins (any thread), queues started curves (render thread), writes them
    (its own thread). `start()` the thread, `stop()` at the end."""

    def __init__(self, store: GalleryStore, *, max_pending: int = MAX_PENDING) -> None:
        self.store = store
        self._noted: OrderedDict[int, tuple[Curve, Origin]] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: queue.Queue[tuple[Curve, Origin] | None] = queue.Queue(max_pending)
        self._dropped = 0
        self._thread = threading.Thread(target=self._write, name="gallery-recorder", daemon=True)

    def note(self, curve: Curve, origin: Origin) -> None:
        """`curve` (this very object) came from `origin`."""
        with self._lock:
            self._noted[id(curve)] = (curve, origin)  # holding it keeps its id unique
            self._noted.move_to_end(id(curve))
            while len(self._noted) > MAX_NOTED:
                self._noted.popitem(last=False)

    def asked(self, curve: Curve, origin: Origin) -> Curve:
        """A copy of a requested curve to queue, noted as from `origin` (a shallow copy:
        cheap on the render thread)."""
        own = copy.copy(curve)
        self.note(own, origin)
        return own

    def started(self, curve: Curve) -> None:
        """`curve` is now on screen: queue it for writing (never waits)."""
        with self._lock:
            noted = self._noted.pop(id(curve), None)
        origin = noted[1] if noted is not None and noted[0] is curve else PLAYLIST
        try:
            self._pending.put_nowait((curve, origin))
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1:
                log.warning("gallery: the disk is too slow; curves are left out of history")

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Write what waits (within `timeout`), then end the thread."""
        try:
            self._pending.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)

    def _write(self) -> None:
        while True:
            item = self._pending.get()
            try:
                if item is None:
                    return
                curve, origin = item
                self._record(curve, origin)
            finally:
                self._pending.task_done()

    def _record(self, curve: Curve, origin: Origin) -> None:
        try:
            self.store.record(curve.to_dict(), curve.name, origin.source, origin.detail)
        except GalleryError:
            pass  # logged by the store (once for a full disk); the kiosk goes on
        except Exception:
            log.exception("gallery: cannot record %s", curve.name or "a curve")
