"""Finding and opening the gallery: a bad database never stops the kiosk.

- state.dir "auto": $STATE_DIRECTORY (systemd's StateDirectory=, /var/lib/spirokiosk),
  else $XDG_STATE_HOME/spirokiosk, else ~/.local/state/spirokiosk (a development run).
- A corrupt or unreadable file (not a database, quick_check fails) is renamed to
  `gallery.sqlite.corrupt-<UTC time>` (with its -wal and -shm) with a warning, and a
  fresh gallery starts.
- A directory that cannot be made or written, or a file of a newer schema: a warning,
  and the kiosk runs without a gallery (None); the file, if any, is left as it is.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path

from spirokiosk.daemon.state.store import GalleryStore, SchemaError

log = logging.getLogger(__name__)

FILENAME = "gallery.sqlite"
AUTO = "auto"
APP = "spirokiosk"
SIDE_FILES = ("-wal", "-shm")


def state_directory(setting: str, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the gallery lives for state.dir = `setting` ("auto" or a path)."""
    if setting != AUTO:
        return Path(setting).expanduser()
    systemd = environ.get("STATE_DIRECTORY", "")
    if systemd:
        # systemd sets one absolute path per StateDirectory= entry, colon-separated.
        return Path(systemd.split(":")[0])
    xdg = environ.get("XDG_STATE_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative one
        return Path(xdg) / APP
    return Path(environ.get("HOME") or Path.home()) / ".local" / "state" / APP


def set_aside(path: Path, stamp: str | None = None) -> Path:
    """Rename a bad database (and its WAL and shared-memory files); the new name."""
    stamp = stamp or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.rename(aside)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(aside.with_name(aside.name + suffix))
    return aside


def open_gallery(directory: Path, history_limit: int) -> GalleryStore | None:
    """The gallery in `directory`, made if need be; None (and a warning) when it cannot be."""
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        log.warning("gallery off: cannot make state directory %s: %s", directory, exc.strerror)
        return None
    path = directory / FILENAME
    for attempt in range(2):
        try:
            return GalleryStore(path, history_limit)
        except SchemaError as exc:
            log.warning("gallery off: %s (left as it is)", exc)
            return None
        except sqlite3.OperationalError as exc:  # cannot open, read-only, I/O, disk full
            log.warning("gallery off: cannot open %s: %s", path, exc)
            return None
        except sqlite3.DatabaseError as exc:  # not a database, corrupt
            if attempt:
                break
            try:
                aside = set_aside(path)
            except OSError as err:
                log.warning(
                    "gallery off: %s is unreadable (%s) and cannot be moved: %s",
                    path,
                    exc,
                    err.strerror,
                )
                return None
            log.warning(
                "gallery: %s was unreadable (%s); moved aside to %s, starting a fresh one",
                path,
                exc,
                aside.name,
            )
    log.warning("gallery off: a fresh database at %s is unreadable too", path)
    return None
