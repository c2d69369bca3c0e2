"""MP4 files: H.264 through PyAV, encoded on a thread of its own while drawing goes on.

PyAV is optional (the `video` extra): it is imported only when an MP4 writer is made.
"""

import collections
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction

import numpy as np

from spirokiosk.display.curves import Curve
from spirokiosk.display.export.recipe import tagged_recipe
from spirokiosk.display.export.writer import FrameWriter, MissingLibraryError, Target

# H.264 settings: libx264 `ultrafast` keeps the encoder at ~2 ms a frame at 576x576
# (the render budget is ~4 s for 1024 frames, drawing included). At CRF 16 it adds
# little loss to what 4:2:0 itself costs (seed-magma-11: PSNR 37.4 dB against 38.4
# for a bare RGB -> yuv420p -> RGB round trip), and the files stay small (~0.9 MB for
# 1024 frames) because most of each frame does not change from the last.
MP4_PRESET = "ultrafast"
MP4_CRF = 16
MP4_MAX_QUEUED = 8  # frames handed to the encoder thread but not yet encoded...
MP4_QUEUE_BYTES = 64 << 20  # ...and at most this much memory for them (large sizes)


class Mp4Writer(FrameWriter):
    """H.264 (libx264, yuv420p, BT.709 tagged) in MP4, encoded on a separate thread.

    `add` only copies the pixels into a frame (~0.1 ms); the conversion to YUV
    and the encoding run on one worker thread (PyAV releases the GIL there), so
    they overlap with drawing the next frames. At most MP4_MAX_QUEUED frames
    wait (fewer for large frames); an encoder error surfaces in the next `add`.
    """

    def __init__(
        self,
        path: Target,
        size: tuple[int, int],
        fps: int,
        layout: str,
        *,
        curve: Curve | None = None,
    ):
        super().__init__(path, size, fps, layout, curve=curve)
        w, h = self.size
        if w % 2 or h % 2:
            raise ValueError(f"mp4: width and height must be even, not {w}x{h}")
        av = _import_av()
        from av.video.reformatter import VideoReformatter

        self._time_base = Fraction(1, self.fps)
        if hasattr(self.path, "write"):
            # In memory: no +faststart, whose second pass reopens the output by its name.
            self._container = av.open(self.path, "w", format="mp4")
        else:
            self._container = av.open(
                str(self.path), "w", format="mp4", options={"movflags": "+faststart"}
            )
        if self.curve is not None:
            # Written with the header (ffmpeg's movenc: the udta/ilst "\251cmt" atom).
            self._container.metadata["comment"] = tagged_recipe(self.curve)
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


def _av_format(layout: str) -> str:
    """PyAV's name for a 4-byte layout; the X byte is read as alpha and then ignored."""
    return layout.lower().replace("x", "a")
