"""`spirokiosk check-config` and `spirokiosk config`.

`load_from_args` is also what `run` (at start and on SIGHUP) uses to read the config
the same way these commands do.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from spirokiosk.daemon.config import (
    Config,
    ConfigError,
    dump_config,
    load_config,
    resolve_config_path,
)


def curve_vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The preset and shape names the playlist and random_shapes may use."""
    from spirokiosk.display.curves import PRESETS, SHAPES  # numpy, only when needed

    return tuple(PRESETS), tuple(SHAPES)


def load_from_args(
    args: argparse.Namespace, vocabulary: tuple[Iterable[str], Iterable[str]] | None = None
) -> Config:
    """The config named by --config / $SPIROKIOSK_CONFIG / the default path, with --set.

    Raises ConfigError listing every problem. The default path may be absent (built-in
    defaults, `config.path` is None); a path given explicitly must exist.
    """
    path, explicit = resolve_config_path(args.config)
    presets, shapes = vocabulary if vocabulary is not None else curve_vocabulary()
    return load_config(
        path, args.overrides or [], presets, known_shapes=shapes, missing_ok=not explicit
    )


def describe_source(args: argparse.Namespace, config: Config) -> str:
    """'/etc/spirokiosk/config.toml', or 'built-in defaults: no /etc/...' when absent."""
    if config.path is not None:
        return config.source
    path, _ = resolve_config_path(args.config)
    return f"{config.source}: no {path}"


def report_config_errors(error: ConfigError) -> None:
    """Every error on stderr, one per line, as `section.key: message`."""
    for line in error.errors:
        print(line, file=sys.stderr)


def load_or_report(args: argparse.Namespace) -> Config | None:
    """The config, or None after reporting every error."""
    try:
        return load_from_args(args)
    except ConfigError as exc:
        report_config_errors(exc)
        return None


def run_check_config(args: argparse.Namespace) -> int:
    config = load_or_report(args)
    if config is None:
        return 1
    print(f"config OK ({describe_source(args, config)})")
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
