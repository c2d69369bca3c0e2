"""The kiosk's terminal: keys quiet under systemd, untouched otherwise; restore-console."""

import os
import pty
import termios

import pytest

from spirokiosk.daemon.cli import main
from spirokiosk.daemon.service import console
from spirokiosk.daemon.service.console import QUIET_LFLAGS, quiet_terminal, restore_console


@pytest.fixture
def terminal():
    """A pseudo-terminal: (master fd, slave fd), both closed afterwards."""
    master, slave = pty.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def lflags(fd: int) -> int:
    return termios.tcgetattr(fd)[3]


def test_under_systemd_the_keys_are_quiet_and_come_back_after(terminal):
    _, slave = terminal
    before = termios.tcgetattr(slave)
    assert lflags(slave) & QUIET_LFLAGS == QUIET_LFLAGS
    with quiet_terminal(slave, {"INVOCATION_ID": "abc"}) as changed:
        assert changed
        assert lflags(slave) & QUIET_LFLAGS == 0  # no ISIG: Ctrl-C is just a byte
    assert termios.tcgetattr(slave) == before


def test_a_developers_terminal_is_left_alone(terminal):
    _, slave = terminal
    before = termios.tcgetattr(slave)
    with quiet_terminal(slave, {}) as changed:
        assert not changed
        assert termios.tcgetattr(slave) == before  # Ctrl-C stops it, as it always did


def test_without_a_terminal_nothing_happens(tmp_path):
    with (
        open(tmp_path / "f", "w") as handle,
        quiet_terminal(handle.fileno(), {"INVOCATION_ID": "x"}) as changed,
    ):
        assert not changed


def test_restore_console_turns_keyboard_text_mode_and_line_discipline_back_on(terminal):
    _, slave = terminal
    quiet = termios.tcgetattr(slave)
    quiet[3] &= ~QUIET_LFLAGS
    termios.tcsetattr(slave, termios.TCSANOW, quiet)
    calls = []
    problems = restore_console(
        os.ttyname(slave), ioctl=lambda fd, req, arg: calls.append((req, arg))
    )
    assert problems == []
    assert calls == [(console.KDSKBMODE, console.K_UNICODE), (console.KDSETMODE, console.KD_TEXT)]
    assert lflags(slave) & QUIET_LFLAGS == QUIET_LFLAGS


def test_restore_console_says_what_it_could_not_do(terminal, capsys):
    _, slave = terminal
    # A pseudo-terminal is no virtual console: the real KDSKBMODE is refused.
    assert main(["restore-console", "--tty", os.ttyname(slave)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("spirokiosk restore-console: ") for line in err)
    assert any("keyboard mode" in line for line in err)
    assert main(["restore-console", "--tty", "/nonexistent/tty9"]) == 1
    assert "cannot open" in capsys.readouterr().err
