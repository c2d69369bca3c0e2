"""The output file appears only when complete: writers write to a temporary file next to
the destination that replaces it only when everything succeeded."""

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


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
    directory = path.parent
    temp = directory / f".{path.name}.{secrets.token_hex(4)}.part"
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
