"""The `spirokiosk` command line: one subcommand per module of `commands`.

Each command module has `register(subparsers, common)`, which adds its
parser (with `common`, the options every command takes, as a parent) and sets
`func` to its `run(args) -> int`.
"""

import argparse
import importlib
import os
import sys

from spirokiosk.daemon.config import DEFAULT_PATH, ENV_VAR

COMMAND_MODULES = (
    "spirokiosk.daemon.commands.run",
    "spirokiosk.daemon.commands.render",
    "spirokiosk.daemon.commands.presets",
    "spirokiosk.daemon.commands.config",
    "spirokiosk.daemon.commands.console",
)


def common_options() -> argparse.ArgumentParser:
    """--config and --set, taken by every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=None,
        help=f"config file (default: ${ENV_VAR} or {DEFAULT_PATH})",
    )
    common.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one config key; repeatable",
    )
    return common


def build_parser(modules=COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spirokiosk",
        description="Spirograph animations on a screen, mirrored to browsers as MJPEG.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = common_options()
    for name in modules:
        importlib.import_module(name).register(subparsers, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    # pygame greets on import unless told not to; set before any command imports it.
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
