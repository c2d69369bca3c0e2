"""Frames to files: PNG (one picture) and GIF (Pillow, in memory) here, MP4 (H.264
through PyAV) in `mp4`; `open_writer` makes any of them. What a frame is for every
writer: see `frame_writer`.

Writers write to a path that `atomic_output` provides: a temporary file next
to the destination that replaces it only when everything succeeded.
"""

import collections
import contextlib
import errno
import itertools
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from spirokiosk.daemon.frame_writer import LAYOUTS, FrameWriter
from spirokiosk.daemon.mp4 import Mp4Writer

log = logging.getLogger(__name__)

FORMATS = ("png", "gif", "mp4")

GIF_COLOURS = 255  # one palette entry stays free for the transparency of unchanged pixels


class OutputError(Exception):
    """The output cannot be written: missing directory, no permission, disk full..."""


# -- the output file ----------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary path next to `path`; move it onto `path` on success.

    The temporary file is created at once, so an unwritable destination fails
    before any work is done. On any exception (KeyboardInterrupt included) it
    is removed and an existing file at `path` is left as it was.
    """
    path = Path(path)
    if path.is_dir():
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


# -- pixels -------------------------------------------------------------------------


def to_image(pixels: np.ndarray, layout: str) -> Image.Image:
    """An RGB Pillow image of the pixels (a copy: the array may change afterwards)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout: expected one of {LAYOUTS}, not {layout!r}")
    h, w = pixels.shape[:2]
    return Image.frombytes("RGB", (w, h), np.ascontiguousarray(pixels), "raw", layout)


# -- writers ------------------------------------------------------------------------


class PngWriter(FrameWriter):
    """The last frame added, as a PNG."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, layout: str):
        super().__init__(path, size, fps, layout)
        self._last: Image.Image | None = None

    def add(self, pixels: np.ndarray) -> None:
        self._check(pixels)
        self._last = to_image(pixels, self.layout)
        self.frames_added += 1

    def finish(self) -> None:
        if self._last is None:
            raise ValueError("png: no frame was added")
        self._last.save(self.path, format="PNG")


class GifWriter(FrameWriter):
    """An endlessly looping GIF with one palette for every frame.

    The palette comes from a picture with every colour the animation will show
    (the finished curve), so no frame is short of colours and the background
    does not flicker between frames as it does with a palette per frame. No
    dithering: each frame then differs from the last only where the pen moved,
    which Pillow stores as a small rectangle with the unchanged pixels
    transparent. GIF delays are in hundredths of a second, so the frame rate is
    approximate above 25 fps.
    """

    def __init__(
        self, path: Path, size: tuple[int, int], fps: int, layout: str, palette_from: np.ndarray
    ):
        super().__init__(path, size, fps, layout)
        self._check(palette_from)
        source = to_image(palette_from, layout)
        self._palette = source.quantize(GIF_COLOURS, method=Image.Quantize.MEDIANCUT)
        self._frames: collections.deque[Image.Image] = collections.deque()

    def add(self, pixels: np.ndarray) -> None:
        self._check(pixels)
        image = to_image(pixels, self.layout)
        self._frames.append(image.quantize(palette=self._palette, dither=Image.Dither.NONE))
        self.frames_added += 1

    def finish(self) -> None:
        if not self._frames:
            raise ValueError("gif: no frame was added")
        first = self._frames.popleft()
        first.save(
            self.path,
            format="GIF",
            save_all=True,
            append_images=_drain(self._frames),  # frees each frame once Pillow has it
            duration=gif_durations(self.frames_added, self.fps, GIF_HOLD_MS),
            loop=0,
            optimize=True,
        )

    def abort(self) -> None:
        self._frames.clear()


GIF_HOLD_MS = 2000  # a looping GIF pauses on the finished curve, as the screen holds it


def gif_durations(frames: int, fps: int, hold_ms: int = 0) -> list[int]:
    """Frame delays in ms, multiples of 10 (GIF counts hundredths of a second), chosen
    so their running sum stays within 10 ms of frame / fps: 30 fps is 30, 30, 40, ...
    The last frame, the finished curve, stays `hold_ms` longer before the loop restarts."""
    ticks = [round(i * 100 / fps) for i in range(frames + 1)]
    durations = [10 * (b - a) for a, b in itertools.pairwise(ticks)]
    durations[-1] += hold_ms
    return durations


def _drain(frames: collections.deque) -> Iterator[Image.Image]:
    while frames:
        yield frames.popleft()


def open_writer(
    kind: str,
    path: Path,
    size: tuple[int, int],
    fps: int,
    layout: str,
    palette_from: np.ndarray | None = None,
) -> FrameWriter:
    """A writer for `kind` ('png', 'gif' or 'mp4'); GIF needs `palette_from`."""
    if kind == "png":
        return PngWriter(path, size, fps, layout)
    if kind == "gif":
        if palette_from is None:
            raise ValueError("gif: palette_from is required")
        return GifWriter(path, size, fps, layout, palette_from)
    if kind == "mp4":
        return Mp4Writer(path, size, fps, layout)
    raise ValueError(f"unknown output format {kind!r}; expected one of {', '.join(FORMATS)}")
