"""Signals as flags: SIGTERM/SIGINT ask to stop, SIGHUP asks to reload the config.

The handlers only set flags. The render loop looks at the stop flag once per tick and
ends at a point where the scene is consistent; a reload wakes the reloader thread
(`wait_for_reload`), which reads the config and hands it to the loop. Handlers are
installed explicitly by `run()` (never on import) and put back as they were afterwards,
so tests and the `render` command keep Python's usual Ctrl-C behaviour.
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


class SignalFlags:
    """Stop and reload requests, set by signal handlers (or by code) and read by the loop.

    Usable as a context manager: `with SignalFlags() as flags:` installs and uninstalls.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._reload = threading.Event()
        self._wake = threading.Event()  # set after either flag: wait_for_reload looks again
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
        # Runs in the main thread between bytecodes: set a flag, nothing else.
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
