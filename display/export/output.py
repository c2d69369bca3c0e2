"""The output file appears only when complete: writers write to a temporary file next to
the destination (`.NAME.XXXXXXXX.part`) that replaces it only when everything succeeded.

A render killed outright (SIGKILL, a power cut) cannot remove its temporary file;
`remove_stale_parts` clears what such renders left: the same output's, and any older
than a day in that directory.
"""

import contextlib
import errno
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

STALE_PART_SECONDS = 24 * 3600
_PART = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.part")


def part_path(path: Path) -> Path:
    """A fresh temporary name next to `path`."""
    return path.parent / f".{path.name}.{secrets.token_hex(4)}.part"


def remove_stale_parts(path: str | os.PathLike, now: float | None = None) -> list[Path]:
    """Remove the temporary files killed renders left next to `path`: those of `path`
    itself, and any older than a day. Returns what was removed."""
    path = Path(path)
    now = time.time() if now is None else now
    removed = []
    try:
        candidates = list(path.parent.glob(".*.part"))
    except OSError:
        return removed
    for candidate in candidates:
        match = _PART.fullmatch(candidate.name)
        if match is None:
            continue
        try:
            old = now - candidate.lstat().st_mtime > STALE_PART_SECONDS
            if (match["name"] == path.name or old) and candidate.is_file():
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue  # not ours to remove, or gone already
    return removed


class OutputError(Exception):
    """The output cannot be written: missing directory, no permission, disk full..."""


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary path next to `path`; move it onto `path` on success.

    The temporary file is created at once, so an unwritable destination fails
    before any work is done. On any exception (KeyboardInterrupt included) it
    is removed and an existing file at `path` is left as it was.
    """
    path = Path(path)
    try:
        is_dir = path.is_dir()
    except OSError as exc:  # a name too long, for one
        raise OutputError(_describe_os_error(exc, path)) from None
    if is_dir:
        raise OutputError(f"{path}: is a directory")
    temp = part_path(path)
    try:
        # 0o666 & ~umask, like any new file: not mkstemp's 0o600.
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise OutputError(_describe_os_error(exc, path)) from None
    try:
        yield temp
        os.replace(temp, path)
    except OSError as exc:
        _remove_quietly(temp)
        raise OutputError(_describe_os_error(exc, path)) from None
    except BaseException:
        _remove_quietly(temp)
        raise


def _describe_os_error(exc: OSError, path: Path) -> str:
    directory = path.parent
    if exc.errno == errno.ENOENT and not directory.is_dir():
        return f"{path}: directory {str(directory)!r} does not exist"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{path}: permission denied (cannot write in {str(directory)!r})"
    if exc.errno == errno.EISDIR:
        return f"{path}: is a directory"
    return f"{path}: {exc.strerror or exc}"


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
