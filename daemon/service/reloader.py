"""Reloading the config off the render thread: the `reload` thread.

SIGHUP (`systemctl reload`) wakes it. It tells systemd RELOADING=1, reads the config
file and checks it (with the files the config names: mqtt.ca_file, the control token
file) and reads the system's time zone for the schedule; then it hands the outcome to
the render loop through the command queue (a `Reloaded` command), and the loop only
applies it (`RenderLoop.reloaded`) and says READY=1. So a slow disk, a large CA bundle or a
stuck mount never holds a frame. A config with errors is logged here, one error a line,
and the loop gets `Reloaded(None)`: the running config stays.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from spirokiosk.daemon.config import Config, ConfigError
from spirokiosk.daemon.schedule.timetable import system_zone
from spirokiosk.daemon.service.control import Control, Reloaded
from spirokiosk.daemon.service.notify import Notifier
from spirokiosk.daemon.service.parts import access_rules
from spirokiosk.daemon.service.signals import SignalFlags

log = logging.getLogger(__name__)

HAND_OVER_SECONDS = 0.5  # a full command queue is waited on this long, then a stop looked for


class ConfigReloader:
    """Reads the config again on each reload request, until a stop is requested.

    `load` reads and checks the config (ConfigError listing every problem); `web` says
    whether the web runs, whose access rules (the token file) are read with it.
    """

    def __init__(
        self,
        load: Callable[[], Config],
        control: Control,
        notifier: Notifier,
        signals: SignalFlags,
        *,
        web: bool,
    ) -> None:
        self.load = load
        self._control = control
        self._notifier = notifier
        self._signals = signals
        self._web = web
        self._thread = threading.Thread(target=self._run, name="reload", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> None:
        """End the thread (a stop request: the service is stopping when this is called);
        a read stuck on a dead disk is left to end alone after `timeout` seconds."""
        self._signals.request_stop()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while self._signals.wait_for_reload():
            try:
                outcome = self.read()
            except Exception:  # (read logs a config's own errors) the next reload may work
                log.exception("the reload could not be read; the running config stays")
                continue
            while not self._control.hand_over_reload(outcome, HAND_OVER_SECONDS):
                if self._signals.stop_requested:
                    return
            # One reload at a time: a SIGHUP that came meanwhile is read after this one's
            # READY=1, so systemd never hears two RELOADING=1 in a row.
            while not outcome.applied.wait(HAND_OVER_SECONDS):
                if self._signals.stop_requested:
                    return

    def read(self) -> Reloaded:
        """One reload's reading, on the calling thread: RELOADING=1, the config read and
        checked, with what applying it needs from files. Errors are logged here; the
        outcome then carries no config."""
        self._notifier.reloading()
        log.info("reloading the configuration")
        try:  # whatever fails, the service goes on with the config it has
            config = self.load()
            # The token file is read again: it may have changed under the same name.
            access = access_rules(config) if self._web else None
            zone = system_zone() if config.schedule.enabled else None
        except ConfigError as exc:
            log.error("config not reloaded, %d error(s); the running config stays", len(exc.errors))
            for line in exc.errors:
                log.error("%s", line)
            return Reloaded(None)
        except Exception:
            log.exception("config not reloaded: an unexpected error; the running config stays")
            return Reloaded(None)
        return Reloaded(config, access, zone)
