"""Signals as flags: SIGTERM/SIGINT ask to stop, SIGHUP asks to reload the config.

The handlers only set flags. The render loop looks at the stop flag once per tick and
ends at a point where the scene is consistent; a reload wakes the reloader thread
(`wait_for_reload`), which reads the config and hands it to the loop. Handlers are
installed explicitly by `run()` (never on import) and put back as they were afterwards,
so tests and the `render` command keep Python's usual Ctrl-C behaviour.

The flags are `_Flag`s, not `threading.Event`s: CPython runs a Python signal handler in
the main thread between two bytecodes of whatever it was running (Modules/signalmodule.c
`trip_signal` only marks the signal; Python/ceval.c runs the handler at the next check
of the eval breaker, in the main thread only), and also from inside a blocking lock
acquire that a signal interrupts (Modules/_threadmodule.c `acquire_timed` runs the
pending calls on EINTR). `Event.set()` holds `Condition(Lock())` (Lib/threading.py): a
SIGTERM landing while the main thread is inside `set()` of the same flag (the render loop's
`request_stop()` when the window is closed) would make the handler's `set()` wait for a
lock its own thread holds, for ever. A `_Flag`'s lock is re-entrant instead.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType, TracebackType
from typing import Any

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
RELOAD_SIGNALS = (signal.SIGHUP,)


class _Flag:
    """An Event-like flag whose set() a signal handler may run while the same thread is
    inside set() or clear() of the same flag: its condition's lock is an RLock, taken
    again by the thread that holds it, so the handler never waits for its own thread.
    Threads waiting for the flag are woken as by an Event. (Condition.notify re-entered
    from a handler is safe: Lib/threading.py tolerates a waiter already released, gh-92530.)
    A set() landing inside clear() of the same flag may be undone by that clear(): callers
    clear first and look at what they wait for afterwards (see wait_for_reload)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.RLock())
        self._set = False

    def set(self) -> None:
        with self._cond:
            self._set = True
            self._cond.notify_all()

    def clear(self) -> None:
        with self._cond:
            self._set = False

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float | None = None) -> bool:
        """Block until set or `timeout` passes; True if set."""
        with self._cond:
            return self._cond.wait_for(lambda: self._set, timeout)


class SignalFlags:
    """Stop and reload requests, set by signal handlers (or by code) and read by the loop.

    Usable as a context manager: `with SignalFlags() as flags:` installs and uninstalls.
    """

    def __init__(self) -> None:
        # Every flag a handler sets is a _Flag (see the module docstring).
        self._stop = _Flag()
        self._reload = _Flag()
        self._wake = _Flag()  # set after either flag: wait_for_reload looks again
        self._previous: dict[signal.Signals, Any] = {}
        self.stop_signal: signal.Signals | None = None  # what asked to stop, for the log

    def install(self) -> None:
        """Handle SIGTERM, SIGINT and SIGHUP; only from the main thread, only once."""
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("signal handlers can only be installed from the main thread")
        if self._previous:
            raise RuntimeError("signal handlers are already installed")
        for signum in (*STOP_SIGNALS, *RELOAD_SIGNALS):
            self._previous[signum] = signal.signal(signum, self._on_signal)
        log.debug("handling %s", ", ".join(signum.name for signum in self._previous))

    def uninstall(self) -> None:
        """Put back the handlers that were there before install(); a no-op if not installed."""
        while self._previous:
            signum, previous = self._previous.popitem()
            # None means the previous handler was not set from Python; default is closest.
            signal.signal(signum, signal.SIG_DFL if previous is None else previous)

    @property
    def installed(self) -> bool:
        return bool(self._previous)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        # Runs in the main thread between bytecodes, maybe inside one of our own set()s
        # or clear()s: set flags (re-entrant, see _Flag), nothing else.
        if signum in RELOAD_SIGNALS:
            self._reload.set()
        else:
            self.stop_signal = signal.Signals(signum)
            self._stop.set()
        self._wake.set()

    def request_stop(self) -> None:
        """Ask the loop to stop, as SIGTERM would (from any thread)."""
        self._stop.set()
        self._wake.set()

    def request_reload(self) -> None:
        """Ask for a config reload, as SIGHUP would (from any thread)."""
        self._reload.set()
        self._wake.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested or `timeout` passes; True when stopping."""
        return self._stop.wait(timeout)

    def wait_for_reload(self) -> bool:
        """Block until a reload or a stop is requested: True for a reload (taken, as
        take_reload() takes it), False once a stop is requested (then at once)."""
        while True:
            # Cleared before the looks: a flag set after them sets _wake again afterwards.
            self._wake.clear()
            if self._stop.is_set():
                return False
            if self.take_reload():
                return True
            self._wake.wait()

    def take_reload(self) -> bool:
        """True once per reload request (several SIGHUPs before a look count as one)."""
        if not self._reload.is_set():
            return False
        self._reload.clear()
        return True

    def __enter__(self) -> SignalFlags:
        self.install()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.uninstall()
