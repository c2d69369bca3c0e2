"""`spirokiosk restore-console`: give a console its keyboard and text back.

The unit runs it as ExecStopPost, as root, after every stop: a kiosk that was killed
(the watchdog, SIGKILL, a crash) cannot turn tty1's keyboard back on itself. An admin
can run it too: `sudo spirokiosk restore-console`.
"""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from spirokiosk.daemon.service.console import restore_console

    problems = restore_console(args.tty)
    for problem in problems:
        print(f"spirokiosk restore-console: {problem}", file=sys.stderr)
    return 1 if problems else 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "restore-console",
        parents=[common],
        help="turn a console's keyboard and text mode back on (after the kiosk stops)",
        description=(
            "Keyboard on (Unicode), text mode, and a sane line discipline on the console "
            "TTY: what a killed kiosk leaves off. Needs root (CAP_SYS_TTY_CONFIG)."
        ),
    )
    parser.add_argument("--tty", default="/dev/tty1", help="the console (default /dev/tty1)")
    parser.set_defaults(func=run)
