"""Writers (PNG, GIF, MP4), the atomic output file and the progress bar, on synthetic frames."""

import importlib
import io
import os
import stat
import threading

import numpy as np
import pytest
from PIL import Image

from spirokiosk.display.export.gif import GIF_HOLD_MS, GifWriter, gif_durations
from spirokiosk.display.export.mp4 import Mp4Writer
from spirokiosk.display.export.output import OutputError, atomic_output
from spirokiosk.display.export.png import PngWriter
from spirokiosk.display.export.progress import Progress
from spirokiosk.display.export.writer import to_image

W, H = 64, 48


def synthetic_frames(count: int) -> list[np.ndarray]:
    """BGRX frames: a vertical blue-to-yellow gradient with a red square moving right."""
    rows = np.linspace(0, 255, H)
    base = np.zeros((H, W, 4), np.uint8)
    base[:, :, 0] = (255 - rows)[:, None]  # B
    base[:, :, 1] = rows[:, None]  # G
    base[:, :, 2] = rows[:, None]  # R
    frames = []
    for i in range(count):
        frame = base.copy()
        x = 4 + i * (W - 16) // max(count - 1, 1)
        frame[16:28, x : x + 12, :3] = (30, 30, 220)
        frames.append(frame)
    return frames


def bgrx_to_rgb(frame: np.ndarray) -> np.ndarray:
    return frame[:, :, 2::-1].astype(int)


def test_to_image_reads_the_byte_order():
    frame = np.zeros((2, 3, 4), np.uint8)
    frame[0, 0] = (10, 20, 30, 0)  # B, G, R, X
    assert to_image(frame, "BGRX").getpixel((0, 0)) == (30, 20, 10)
    assert to_image(frame, "RGBX").getpixel((0, 0)) == (10, 20, 30)
    with pytest.raises(ValueError, match="layout"):
        to_image(frame, "RGB")


def test_png_is_the_last_frame_exactly(tmp_path):
    frames = synthetic_frames(3)
    writer = PngWriter(tmp_path / "a.png", (W, H), 30, "BGRX")
    for frame in frames:
        writer.add(frame)
    writer.finish()
    with Image.open(tmp_path / "a.png") as image:
        assert image.format == "PNG" and image.size == (W, H)
        assert np.array_equal(np.asarray(image.convert("RGB")), bgrx_to_rgb(frames[-1]))


def test_writer_rejects_a_frame_of_the_wrong_size(tmp_path):
    writer = PngWriter(tmp_path / "a.png", (W, H), 30, "BGRX")
    with pytest.raises(ValueError, match="expected"):
        writer.add(np.zeros((H, W + 1, 4), np.uint8))


@pytest.mark.parametrize("fps", [30, 25, 24, 50, 12])
def test_gif_durations_keep_the_frame_rate(fps):
    durations = gif_durations(3 * fps, fps)
    assert len(durations) == 3 * fps
    assert all(d % 10 == 0 and d >= 20 for d in durations)
    assert sum(durations) == 3000
    held = gif_durations(3 * fps, fps, 500)
    assert held[:-1] == durations[:-1] and held[-1] == durations[-1] + 500
    running = np.cumsum(durations)
    ideal = 1000 * np.arange(1, 3 * fps + 1) / fps
    assert np.all(np.abs(running - ideal) <= 10)


def test_gif_decodes_to_the_frames(tmp_path):
    frames = synthetic_frames(10)
    writer = GifWriter(tmp_path / "a.gif", (W, H), 25, "BGRX", palette_from=frames[-1])
    for frame in frames:
        writer.add(frame)
    writer.finish()
    durations = []
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.format == "GIF" and gif.size == (W, H)
        assert gif.n_frames == 10
        assert gif.info["loop"] == 0
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
            decoded = np.asarray(gif.convert("RGB")).astype(int)
            error = np.abs(decoded - bgrx_to_rgb(frames[i])).max(axis=2)
            # 255 colours for a 48-step gradient and one red: close everywhere.
            assert np.percentile(error, 99) <= 12, i
            square = decoded[22, 4 + i * (W - 16) // 9 + 6]
            assert square[0] > 180 and square[2] < 80, i  # the moving red square
    assert sum(durations) == 400 + GIF_HOLD_MS  # 10 frames at 25 fps, then the hold
    assert durations[-1] == 40 + GIF_HOLD_MS


def test_mp4_decodes_to_the_frames(tmp_path):
    av = importlib.import_module("av")
    frames = synthetic_frames(12)
    writer = Mp4Writer(tmp_path / "a.mp4", (W, H), 24, "BGRX")
    for frame in frames:
        writer.add(frame)
    writer.finish()
    with av.open(str(tmp_path / "a.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (W, H)
        assert stream.average_rate == 24
        decoded = [f.to_ndarray(format="rgb24").astype(int) for f in container.decode(stream)]
    assert len(decoded) == 12
    for original, frame in zip(frames, decoded, strict=True):
        error = np.abs(frame - bgrx_to_rgb(original))
        assert error.mean() < 4


def test_mp4_rejects_odd_sizes(tmp_path):
    importlib.import_module("av")
    with pytest.raises(ValueError, match="even"):
        Mp4Writer(tmp_path / "a.mp4", (W + 1, H), 24, "BGRX")


def test_mp4_failure_stops_the_encoder_and_leaves_nothing(tmp_path):
    importlib.import_module("av")
    threads_before = threading.active_count()
    with (
        pytest.raises(RuntimeError, match="drawing failed"),
        atomic_output(tmp_path / "a.mp4") as temp,
        Mp4Writer(temp, (W, H), 24, "BGRX") as writer,
    ):
        for frame in synthetic_frames(3):
            writer.add(frame)
        raise RuntimeError("drawing failed")
    assert list(tmp_path.iterdir()) == []
    assert threading.active_count() == threads_before


# -- atomic output ------------------------------------------------------------------


def test_atomic_output_replaces_only_on_success(tmp_path):
    out = tmp_path / "out.png"
    out.write_bytes(b"old")
    with atomic_output(out) as temp:
        assert temp.parent == tmp_path and temp.exists() and temp != out
        temp.write_bytes(b"new")
        assert out.read_bytes() == b"old"
    assert out.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_atomic_output_cleans_up_on_failure(tmp_path, error):
    out = tmp_path / "out.gif"
    out.write_bytes(b"old")
    with pytest.raises(error), atomic_output(out) as temp:
        temp.write_bytes(b"half")
        raise error()
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.gif"]


def test_atomic_output_file_has_the_usual_permissions(tmp_path):
    out = tmp_path / "out.png"
    with atomic_output(out) as temp:
        temp.write_bytes(b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_atomic_output_explains_a_missing_directory(tmp_path):
    with (
        pytest.raises(OutputError, match="does not exist"),
        atomic_output(tmp_path / "nope" / "out.png"),
    ):
        pytest.fail("must not get here")


def test_atomic_output_refuses_a_directory(tmp_path):
    with pytest.raises(OutputError, match="is a directory"), atomic_output(tmp_path):
        pytest.fail("must not get here")


# -- progress -----------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_off_a_terminal():
    stream = io.StringIO()
    with Progress(10, "rendering x", stream=stream) as progress:
        for _ in range(10):
            progress.advance()
    assert stream.getvalue() == ""


def test_progress_draws_and_clears_on_a_terminal():
    stream = FakeTerminal()
    with Progress(4, "rendering x", stream=stream) as progress:
        for _ in range(4):
            progress.advance()
        assert progress.line().endswith("4/4")
    text = stream.getvalue()
    assert "rendering x [" in text and "4/4" in text  # the last step is always drawn
    assert text.endswith("\r\x1b[K")  # the line is erased at the end


def test_progress_shows_the_time_left_once_the_rate_is_known():
    now = [100.0]
    progress = Progress(1000, "rendering x", stream=FakeTerminal(), clock=lambda: now[0])
    progress.advance(10)
    assert progress.line().endswith(" 10/1000")  # too early to tell
    now[0] += 2.0
    progress.advance(90)  # 100 frames in 2 s: 900 more take 18 s
    assert progress.line().endswith(" 100/1000, 0:18 left")
    now[0] += 7200.0
    progress.advance(1)
    assert progress.line().endswith(" 101/1000, 17:48:25 left")  # 7202 s / 101 x 899


def test_stale_temporary_files_are_removed(tmp_path):
    from spirokiosk.display.export.output import STALE_PART_SECONDS, remove_stale_parts

    out = tmp_path / "magma.mp4"
    mine = tmp_path / ".magma.mp4.0123abcd.part"  # a killed render of the same output
    old = tmp_path / ".other.gif.89abcdef.part"  # another output's, two days old
    fresh = tmp_path / ".other.gif.deadbeef.part"  # maybe a render under way: kept
    unrelated = tmp_path / ".notes.part"  # not a name we make: kept
    for path in (mine, old, fresh, unrelated):
        path.write_bytes(b"x")
    now = old.stat().st_mtime + STALE_PART_SECONDS + 10
    os.utime(fresh, (now - 60, now - 60))
    os.utime(unrelated, (now - 10 * STALE_PART_SECONDS,) * 2)
    assert sorted(remove_stale_parts(out, now)) == sorted([mine, old])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, unrelated.name])
