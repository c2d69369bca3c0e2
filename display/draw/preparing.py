"""Preparing the next curve's drawing on a thread of its own.

A drawing costs tens of milliseconds to build (the curve sampled finely enough for the
screen, its colour table, the background gradient): on the render thread that is a
frame or two lost at every curve, five times longer on a Pi. It is built while the
finished curve is on hold, on a short-lived thread (numpy releases the GIL for most of
the work); the scene takes it when it is done, or waits for it at the switch if the
hold was too short.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Preparation(Generic[T]):
    """`build()` run on a daemon thread named 'curve-prep'; `result()` gives what it
    returned, or raises what it raised."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._done = threading.Event()
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(build,), name="curve-prep", daemon=True
        )
        self._thread.start()

    def _run(self, build: Callable[[], T]) -> None:
        try:
            self._result = build()
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> T:
        """Waits for the build to finish."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._result
