"""Reading a file the admin names (the config, a curve file): a regular file of bounded
size, or one clear line saying why not (its TOML is parsed by display.toml_text).

A FIFO would block the reader forever and /dev/zero would be read until memory runs
out, so the file is opened without blocking, checked to be a regular file, and read
up to a limit.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 1 << 20  # 1 MiB: the largest config or curve file is a few kB


class FileError(Exception):
    """The file cannot be used; the message says why in a few words (no path)."""

    def __init__(self, message: str, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_small_file(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; else FileError."""
    try:
        fd = os.open(Path(path), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise FileError("no such file", missing=True) from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise FileError("the name is too long") from None
        raise FileError(f"cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise FileError(f"{_kind(mode)}, not a regular file")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise FileError(f"larger than {limit // 1024} KiB; is it the right file?")
    return data
