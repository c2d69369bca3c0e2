"""`spirokiosk run`: the live kiosk (see spirokiosk.daemon.service.lifecycle)."""

from __future__ import annotations

import argparse

from spirokiosk.display.screen import MODES as DISPLAY_MODES


def run(args: argparse.Namespace) -> int:
    from spirokiosk.daemon.service.lifecycle import run as run_service

    return run_service(args)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "run",
        parents=[common],
        help="draw curves live on the screen and serve the web mirror (the service)",
        description=(
            "Run the kiosk: curves drawn live on the HDMI screen (fullscreen), in a window, "
            "or headless, mirrored over HTTP. Stops on SIGTERM or SIGINT, reloads the "
            "config on SIGHUP; talks to systemd when started as a Type=notify service."
        ),
    )
    parser.add_argument(
        "--display",
        choices=DISPLAY_MODES,
        default=None,
        help="override display.mode for this run",
    )
    parser.set_defaults(func=run)
