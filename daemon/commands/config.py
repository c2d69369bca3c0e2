"""`spirokiosk check-config` and `spirokiosk config`: the config checked, or shown."""

from __future__ import annotations

import argparse
import sys

from spirokiosk.daemon.config import (
    Config,
    ConfigError,
    describe_source,
    dump_config,
    load_from_options,
    report_config_errors,
)


def load_or_report(args: argparse.Namespace) -> Config | None:
    """The config the options name, or None after reporting every error."""
    try:
        return load_from_options(args.config, args.overrides)
    except ConfigError as exc:
        report_config_errors(exc)
        return None


def run_check_config(args: argparse.Namespace) -> int:
    config = load_or_report(args)
    if config is None:
        return 1
    print(f"config OK ({describe_source(args.config, config)})")
    return 0


def run_config(args: argparse.Namespace) -> int:
    config = load_or_report(args)
    if config is None:
        return 1
    sys.stdout.write(dump_config(config))
    return 0


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    check = subparsers.add_parser(
        "check-config",
        parents=[common],
        help="check the config: 'config OK', or every error as 'section.key: message'",
        description="Check the configuration file and --set overrides. Exit status 0 and "
        "'config OK (source)', or 1 and every error, one per line, on stderr.",
    )
    check.set_defaults(func=run_check_config)
    show = subparsers.add_parser(
        "config",
        parents=[common],
        help="print the effective config as TOML (defaults < file < --set)",
        description="Print the effective configuration as TOML, secrets masked.",
    )
    show.set_defaults(func=run_config)
