"""Telling systemd how the service is doing (sd_notify), through systemd-python.

Everything here is a no-op when the process is not started by systemd with
`Type=notify` (NOTIFY_SOCKET unset), or when systemd-python is not installed, so the
daemon calls it unconditionally. A failed send is logged, never raised: the service must
not die because the notification socket went away.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

Sender = Callable[[str], bool]


def watchdog_interval_from_env(environ: Mapping[str, str], pid: int) -> float | None:
    """The watchdog timeout in seconds, or None, as sd_watchdog_enabled(3) decides it.

    WATCHDOG_USEC must be a positive integer; when WATCHDOG_PID is set the watchdog is
    meant for that process only (a child that inherited the variables must not ping).
    systemd-python has no binding for sd_watchdog_enabled, hence this small reading.
    """
    usec_text = environ.get("WATCHDOG_USEC", "")
    if not usec_text:
        return None
    try:
        usec = int(usec_text)
    except ValueError:
        log.warning("ignoring WATCHDOG_USEC=%r: not an integer", usec_text)
        return None
    if usec <= 0:
        return None
    pid_text = environ.get("WATCHDOG_PID", "")
    if pid_text:
        try:
            watched = int(pid_text)
        except ValueError:
            log.warning("ignoring the watchdog: WATCHDOG_PID=%r is not a pid", pid_text)
            return None
        if watched != pid:
            log.debug("the watchdog is for pid %d, not this process (%d)", watched, pid)
            return None
    return usec / 1_000_000


def _single_line(text: str) -> str:
    """A STATUS= value on one printable line: a newline would start a new assignment, a
    NUL would make systemd-python refuse the whole message, a lone surrogate cannot be
    encoded at all."""
    lines = "".join(c if c.isprintable() else "\n" for c in text).splitlines()
    return " ".join(line for line in lines if line)


class Notifier:
    """sd_notify messages for one service process: READY, STATUS, WATCHDOG and the rest.

    `watchdog_ping(now)` is meant to be called on every tick of the render loop; it sends
    WATCHDOG=1 at most once per half of WATCHDOG_USEC and otherwise costs one float
    comparison.
    """

    def __init__(self) -> None:
        self._send: Sender | None = None
        self._failed_before = False
        if os.environ.get("NOTIFY_SOCKET"):
            try:
                from systemd import daemon  # systemd-python; optional
            except ImportError:
                log.debug("NOTIFY_SOCKET is set but systemd-python is missing: not notifying")
            else:
                self._send = daemon.notify
        interval = None
        if self._send is not None:
            interval = watchdog_interval_from_env(os.environ, os.getpid())
        self._watchdog_interval = interval
        self._ping_every = interval / 2 if interval is not None else math.inf
        # -inf: the first ping goes at once; +inf: never.
        self._next_ping = -math.inf if interval is not None else math.inf

    @property
    def enabled(self) -> bool:
        """Whether messages go anywhere (NOTIFY_SOCKET set and systemd-python present)."""
        return self._send is not None

    @property
    def watchdog_interval(self) -> float | None:
        """WATCHDOG_USEC in seconds, or None when there is no watchdog for this process."""
        return self._watchdog_interval

    def ready(self, status: str | None = None) -> None:
        """READY=1: start-up (or a reload) is complete; optionally with a STATUS=."""
        self._notify("READY=1", status)

    def status(self, text: str) -> None:
        """STATUS=text: the one-line summary `systemctl status` shows."""
        self._notify(None, text)

    def reloading(self, status: str | None = None) -> None:
        """RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC now, in microseconds).

        systemd >= 253 needs MONOTONIC_USEC for Type=notify-reload and accepts it for
        Type=notify. Send ready() when the reload is done.
        """
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        self._notify(f"RELOADING=1\nMONOTONIC_USEC={usec}", status)

    def stopping(self, status: str | None = None) -> None:
        """STOPPING=1: shutdown has begun."""
        self._notify("STOPPING=1", status)

    def watchdog_ping(self, now: float | None = None) -> None:
        """WATCHDOG=1 when half the watchdog interval has passed since the last ping.

        `now` is a time.monotonic() reading (the render loop's tick time); None reads the
        clock. A no-op when there is no watchdog.
        """
        if now is None:
            now = time.monotonic()
        if now < self._next_ping:
            return
        self._next_ping = now + self._ping_every
        self._notify("WATCHDOG=1", None)

    def _notify(self, assignments: str | None, status: str | None) -> None:
        if self._send is None:
            return
        lines = [assignments] if assignments else []
        if status is not None:
            lines.append("STATUS=" + _single_line(status))
        message = "\n".join(lines)
        try:
            self._send(message)
        except OSError as exc:
            # Warn once (the socket is gone or full); later failures only at debug.
            level = logging.DEBUG if self._failed_before else logging.WARNING
            log.log(level, "cannot notify systemd (%s): %s", message.splitlines()[0], exc)
            self._failed_before = True
