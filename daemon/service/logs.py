"""Where log records go: the systemd journal under systemd, stderr otherwise.

Under systemd with `StandardError=journal`, systemd sets JOURNAL_STREAM to the
device:inode of the stream it connected; when stderr is still that stream, records go
to the journal natively (systemd-python's JournalHandler) with structured fields, so
`journalctl -u spirokiosk -p warning` and `journalctl CURVE=seed-magma-11` work.
Anything else (a terminal, a pipe, a file) gets plain timestamped lines on stderr.

Callers may attach journal fields to a record with upper-case names, e.g.
`log.info("viewer joined", extra={"VIEWER": addr})`; JournalHandler sends every record
attribute as a field and journald keeps those whose names are upper-case.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

log = logging.getLogger(__name__)

SYSLOG_IDENTIFIER = "spirokiosk"
STDERR_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"
# The journal stamps time, priority and identifier itself.
JOURNAL_FORMAT = "[%(threadName)s] %(name)s: %(message)s"
# Libraries that are chatty at INFO/DEBUG; kept at WARNING unless logging.verbose.
# ("av" is PyAV's own loggers, "libav" the FFmpeg messages PyAV forwards.)
THIRD_PARTY_LOGGERS = (
    "waitress",
    "cheroot",
    "PIL",
    "picamera2",
    "av",
    "libav",
    "flask",
    "werkzeug",
)
# The name our root handler carries, so a second setup_logging() (on reload) finds and
# replaces it while leaving handlers others installed (pytest's, for one) alone.
HANDLER_NAME = "spirokiosk"


def wants_journal(environ: Mapping[str, str] | None = None, fd: int = 2) -> bool:
    """True when JOURNAL_STREAM names the very file `fd` (stderr) is open on.

    This is the check systemd.exec(5) recommends: a child that inherited JOURNAL_STREAM but
    whose stderr was redirected elsewhere must not log to the journal.
    """
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    try:
        expected = (int(device), int(inode))
        status = os.fstat(fd)
    except (ValueError, OSError):
        return False
    return (status.st_dev, status.st_ino) == expected


def make_handler(journal: bool) -> logging.Handler:
    """A JournalHandler when `journal` and systemd-python is there, else a stderr handler."""
    if journal:
        try:
            from systemd.journal import JournalHandler  # systemd-python; optional
        except ImportError:
            # stderr is the journal anyway: same lines, without a second timestamp.
            handler: logging.Handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(JOURNAL_FORMAT))
        else:
            handler = JournalHandler(SYSLOG_IDENTIFIER=SYSLOG_IDENTIFIER)
            handler.setFormatter(logging.Formatter(JOURNAL_FORMAT))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(STDERR_FORMAT))
    handler.set_name(HANDLER_NAME)
    return handler


def level_number(level: str) -> int:
    """'info' -> logging.INFO; a ValueError for a name logging does not know."""
    number = logging.getLevelNamesMapping().get(level.upper())
    if number is None:
        raise ValueError(f"unknown log level {level!r}")
    return number


def setup_logging(level: str, verbose: bool) -> None:
    """Configure the root logger: one handler (journal or stderr) at `level`.

    Safe to call again on reload: our previous handler is replaced, never duplicated.
    Unless `verbose`, the third-party loggers show only warnings and worse (or less, when
    `level` is stricter than that).
    """
    number = level_number(level)
    root = logging.getLogger()
    journal = wants_journal()
    handler = make_handler(journal)
    stale = [h for h in root.handlers if h.get_name() == HANDLER_NAME]
    root.addHandler(handler)  # before removing the old one: no record is lost meanwhile
    for old in stale:
        root.removeHandler(old)
        old.close()
    root.setLevel(number)
    libraries = logging.NOTSET if verbose else max(logging.WARNING, number)
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(libraries)
    log.debug(
        "logging to %s at %s%s",
        "the journal" if journal else "stderr",
        level,
        ", libraries too" if verbose else "",
    )
