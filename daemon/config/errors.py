"""The config's error: every problem found, each one line as 'section.key: message'."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO


class ConfigError(Exception):
    """The configuration is invalid; `errors` lists every problem, one line each."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def report_config_errors(error: ConfigError, stream: TextIO | None = None) -> None:
    """Every error on stderr (or `stream`), one per line, as `section.key: message`."""
    for line in error.errors:
        print(line, file=stream or sys.stderr)
