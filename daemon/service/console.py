"""The kiosk's terminal: quiet while it runs under systemd, usable again after it stops.

Under systemd the unit gives the kiosk tty1 as its controlling terminal
(`StandardInput=tty-force`), so that SDL can switch that console's keyboard off. But a
terminal in its usual mode turns Ctrl-C into SIGINT for its foreground process: one
keypress at the Pi would stop the kiosk for good (a clean exit is not restarted). So
under systemd (INVOCATION_ID set) with a terminal as stdin, `quiet_terminal` clears
ISIG, ICANON and ECHO for the run and puts the old settings back afterwards. In a
developer's terminal (no INVOCATION_ID) nothing changes: Ctrl-C stops it as usual.

`restore_console` undoes what a killed kiosk may leave on tty1 (SDL turns the console
keyboard off, K_OFF, and only turns it back on when it quits normally): keyboard in
Unicode mode, the console in text mode, the line discipline sane. It is what
`spirokiosk restore-console` does, run by the unit's ExecStopPost as root (changing a
console's keyboard mode needs CAP_SYS_TTY_CONFIG or to be its controlling process).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import termios
from collections.abc import Callable, Iterator, Mapping

log = logging.getLogger(__name__)

# linux/kd.h
KDSETMODE = 0x4B3A
KD_TEXT = 0x00
KDSKBMODE = 0x4B45
K_UNICODE = 0x03
QUIET_LFLAGS = termios.ISIG | termios.ICANON | termios.ECHO


def under_systemd(environ: Mapping[str, str] | None = None) -> bool:
    """Started by systemd as a service (it sets INVOCATION_ID for every unit it runs)."""
    return bool((os.environ if environ is None else environ).get("INVOCATION_ID"))


@contextlib.contextmanager
def quiet_terminal(fd: int = 0, environ: Mapping[str, str] | None = None) -> Iterator[bool]:
    """Under systemd with a terminal on `fd`: no signals from keys, no echo, no line
    editing, until the block ends. Yields whether it changed anything."""
    if not under_systemd(environ) or not os.isatty(fd):
        yield False
        return
    try:
        saved = termios.tcgetattr(fd)
    except termios.error as exc:
        log.warning("cannot read the terminal's settings (%s); keys may reach the kiosk", exc)
        yield False
        return
    quiet = list(saved)
    quiet[3] &= ~QUIET_LFLAGS
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    log.info("the terminal's keys are off for the kiosk (no Ctrl-C, no echo)")
    try:
        yield True
    finally:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSANOW, saved)


def restore_console(
    path: str = "/dev/tty1", ioctl: Callable[[int, int, int], object] = fcntl.ioctl
) -> list[str]:
    """Keyboard on (Unicode), text mode and a sane line discipline on the console `path`.
    Returns what could not be done, one line each (empty when all went well)."""
    problems = []
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError as exc:
        return [f"{path}: cannot open: {exc.strerror or exc}"]
    try:
        for name, request, value in (
            ("keyboard mode", KDSKBMODE, K_UNICODE),
            ("text mode", KDSETMODE, KD_TEXT),
        ):
            try:
                ioctl(fd, request, value)
            except OSError as exc:
                problems.append(f"{path}: cannot set the {name}: {exc.strerror or exc}")
        try:
            attrs = termios.tcgetattr(fd)
            attrs[0] |= termios.ICRNL
            attrs[1] |= termios.OPOST | termios.ONLCR
            attrs[3] |= QUIET_LFLAGS | termios.IEXTEN
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except termios.error as exc:
            problems.append(f"{path}: cannot reset the line settings: {exc}")
    finally:
        os.close(fd)
    return problems
