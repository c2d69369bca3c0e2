"""Frames to files: PNG (one picture), GIF (Pillow, in memory), MP4 (H.264 through PyAV).

Every writer takes frames as `(h, w, 4)` uint8 arrays whose bytes are in the
memory order named by `layout` ("BGRX" for pygame's usual 32-bit surfaces; X is
ignored). `add` copies what it needs before it returns, so the caller may hand
over a view of a surface that it draws on again right after.

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
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

FORMATS = ("png", "gif", "mp4")
LAYOUTS = ("BGRX", "RGBX", "XRGB", "XBGR")

# H.264 settings: libx264 `ultrafast` keeps the encoder at ~2 ms a frame at 576x576
# (the render budget is ~4 s for 1024 frames, drawing included). At CRF 16 it adds
# little loss to what 4:2:0 itself costs (seed-magma-11: PSNR 37.4 dB against 38.4
# for a bare RGB -> yuv420p -> RGB round trip), and the files stay small (~0.9 MB for
# 1024 frames) because most of each frame does not change from the last.
MP4_PRESET = "ultrafast"
MP4_CRF = 16
MP4_MAX_QUEUED = 8  # frames handed to the encoder thread but not yet encoded...
MP4_QUEUE_BYTES = 64 << 20  # ...and at most this much memory for them (large sizes)

GIF_COLOURS = 255  # one palette entry stays free for the transparency of unchanged pixels


class OutputError(Exception):
    """The output cannot be written: missing directory, no permission, disk full..."""


class MissingLibraryError(Exception):
    """A format needs a library that is not installed."""


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


def _av_format(layout: str) -> str:
    """PyAV's name for a 4-byte layout; the X byte is read as alpha and then ignored."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout: expected one of {LAYOUTS}, not {layout!r}")
    return layout.lower().replace("x", "a")


# -- writers ------------------------------------------------------------------------


class FrameWriter:
    """Base: `add` each frame, then `finish`; `abort` (or leaving a `with` block on an
    exception) drops everything and releases the file."""

    def __init__(self, path: Path, size: tuple[int, int], fps: int, layout: str):
        self.path = Path(path)
        self.size = (int(size[0]), int(size[1]))
        self.fps = int(fps)
        self.layout = layout
        self.frames_added = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()

    def add(self, pixels: np.ndarray) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        """Stop without finishing; the (temporary) file is the caller's to remove."""

    def _check(self, pixels: np.ndarray) -> None:
        w, h = self.size
        if pixels.shape != (h, w, 4) or pixels.dtype != np.uint8:
            raise ValueError(f"frame: expected ({h}, {w}, 4) uint8, not {pixels.shape}")


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
            duration=gif_durations(self.frames_added, self.fps),
            loop=0,
            optimize=True,
        )

    def abort(self) -> None:
        self._frames.clear()


def gif_durations(frames: int, fps: int) -> list[int]:
    """Frame delays in ms, multiples of 10 (GIF counts hundredths of a second), chosen
    so their running sum stays within 10 ms of frame / fps: 30 fps is 30, 30, 40, ..."""
    ticks = [round(i * 100 / fps) for i in range(frames + 1)]
    return [10 * (b - a) for a, b in itertools.pairwise(ticks)]


def _drain(frames: collections.deque) -> Iterator[Image.Image]:
    while frames:
        yield frames.popleft()


class Mp4Writer(FrameWriter):
    """H.264 (libx264, yuv420p, BT.709 tagged) in MP4, encoded on a separate thread.

    `add` only copies the pixels into a frame (~0.1 ms); the conversion to YUV
    and the encoding run on one worker thread (PyAV releases the GIL there), so
    they overlap with drawing the next frames. At most MP4_MAX_QUEUED frames
    wait (fewer for large frames); an encoder error surfaces in the next `add`.
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: int, layout: str):
        super().__init__(path, size, fps, layout)
        w, h = self.size
        if w % 2 or h % 2:
            raise ValueError(f"mp4: width and height must be even, not {w}x{h}")
        av = _import_av()
        from av.video.reformatter import VideoReformatter

        self._time_base = Fraction(1, self.fps)
        self._container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
        try:
            self._stream = self._add_stream()
        except BaseException:
            self._container.close()
            raise
        # Frames are reused round-robin: fresh 1.3 MB buffers cost ~0.4 ms each in
        # page faults. A slot comes round again only after max_queued + 1 more
        # frames, and `add` never leaves more than max_queued encodes outstanding,
        # so the frame's last encode has finished by then.
        self._max_queued = max(2, min(MP4_MAX_QUEUED, MP4_QUEUE_BYTES // (w * h * 4)))
        self._frames = [
            av.VideoFrame(w, h, _av_format(layout)) for _ in range(self._max_queued + 2)
        ]
        self._reformatter = VideoReformatter()  # keeps one swscale context for all frames
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mp4-encoder")
        self._pending: collections.deque[Future] = collections.deque()

    def _add_stream(self):
        from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc

        stream = self._container.add_stream("libx264", rate=self.fps)
        stream.width, stream.height = self.size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": MP4_PRESET, "crf": str(MP4_CRF)}
        context = stream.codec_context
        context.time_base = self._time_base
        context.thread_type = "FRAME"  # x264 frame threads: throughput over latency
        context.thread_count = 0  # x264 chooses (1.5 x CPUs)
        # Say which YUV this is; players otherwise guess from the frame size.
        context.colorspace = Colorspace.ITU709
        context.color_range = ColorRange.MPEG
        context.color_primaries = ColorPrimaries.BT709
        context.color_trc = ColorTrc.BT709
        self._yuv_args = {
            "format": "yuv420p",
            "dst_colorspace": Colorspace.ITU709,
            "dst_color_range": ColorRange.MPEG,
            "threads": 1,
        }
        return stream

    def add(self, pixels: np.ndarray) -> None:
        self._check(pixels)
        w, h = self.size
        frame = self._frames[self.frames_added % len(self._frames)]
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(h, plane.line_size)
        rows[:, : w * 4] = pixels.reshape(h, w * 4)
        frame.pts = self.frames_added
        frame.time_base = self._time_base
        self.frames_added += 1
        self._pending.append(self._worker.submit(self._encode, frame))
        while self._pending and (len(self._pending) > self._max_queued or self._pending[0].done()):
            self._pending.popleft().result()  # re-raises an encoder error here

    def _encode(self, frame) -> None:
        """On the encoder thread: RGB to YUV, encode, write the packets; None flushes."""
        yuv = None if frame is None else self._reformatter.reformat(frame, **self._yuv_args)
        for packet in self._stream.encode(yuv):
            self._container.mux(packet)

    def finish(self) -> None:
        self._pending.append(self._worker.submit(self._encode, None))
        while self._pending:
            self._pending.popleft().result()
        self._worker.shutdown()
        self._container.close()

    def abort(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()
        with contextlib.suppress(Exception):
            self._container.close()


def _import_av():
    try:
        import av
    except ImportError:
        raise MissingLibraryError(
            "mp4 needs PyAV: pip install 'spirokiosk[video]' (or pip install av)"
        ) from None
    return av


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
