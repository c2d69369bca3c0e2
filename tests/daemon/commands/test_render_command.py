"""`spirokiosk render` and `spirokiosk presets`, driven through the CLI.

Renders are small (96x96, 12 frames) so the whole file runs in a few seconds.
"""

import importlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from spirokiosk.daemon.cli import main
from spirokiosk.daemon.commands import curve_spec, render_request
from spirokiosk.display.curves import PRESETS
from spirokiosk.display.draw.drawing import background_surface
from spirokiosk.display.export.frames import render_animation
from spirokiosk.display.export.gif import GIF_HOLD_MS

SIZE = 96
FRAMES = 12
CURVE = "seed-magma-11"
PREFIX = "spirokiosk render: error: "


def render(tmp_path, name: str, *extra: str, curve: str = CURVE) -> list[str]:
    return [
        "render", "--curve", curve, "--size", f"{SIZE}x{SIZE}", "--frames", str(FRAMES),
        "--out", str(tmp_path / name), *extra,
    ]  # fmt: skip


def background_rgb(curve_name: str = CURVE) -> np.ndarray:
    surface = background_surface(PRESETS[curve_name].background_map, (SIZE, SIZE))
    return np.asarray(Image.frombytes("RGB", (SIZE, SIZE), surface.get_buffer().raw, "raw", "BGRX"))


def close_mask(a: np.ndarray, b: np.ndarray, tolerance: int) -> np.ndarray:
    """Pixels whose channels all differ by at most `tolerance`."""
    return np.abs(a.astype(int) - b.astype(int)).max(axis=2) <= tolerance


def close_fraction(a: np.ndarray, b: np.ndarray, tolerance: int) -> float:
    return float(close_mask(a, b, tolerance).mean())


def gif_frames(path) -> tuple[list[np.ndarray], list[int]]:
    frames, durations = [], []
    with Image.open(path) as gif:
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
            durations.append(gif.info["duration"])
    return frames, durations


@pytest.fixture(scope="module")
def finished_png(tmp_path_factory) -> np.ndarray:
    """The finished curve (no pen), rendered once for the module."""
    path = tmp_path_factory.mktemp("png") / "finished.png"
    assert main(render(path.parent, path.name)) == 0
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (SIZE, SIZE)
        return np.asarray(image.convert("RGB"))


# -- outputs ------------------------------------------------------------------------


def test_png_is_the_whole_curve_anti_aliased(finished_png, tmp_path, capsys):
    assert main(render(tmp_path, "a.png")) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [f"wrote {tmp_path / 'a.png'} ({SIZE}x{SIZE}, {out[0].split(', ')[-1]}"]
    background = background_rgb()
    drawn = 1.0 - close_fraction(finished_png, background, 2)
    assert 0.05 < drawn < 0.8  # a curve, not an empty or a filled picture
    # Anti-aliasing: stroke edges blend into the background, so many pixels lie
    # strictly between the background and the nearest fully covered stroke colour.
    distance = np.abs(finished_png.astype(int) - background.astype(int)).max(axis=2)
    edges = ((distance > 8) & (distance < 0.6 * distance.max())).mean()
    assert edges > 0.02
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_gif_is_the_animation(finished_png, tmp_path, capsys):
    assert main(render(tmp_path, "a.gif", "--fps", "25")) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "rendering 12 frames at 96x96: 0.00 gigapixels"  # said up front
    assert out[1].startswith(f"wrote {tmp_path / 'a.gif'} (12 frames, 96x96, 25")
    frames, durations = gif_frames(tmp_path / "a.gif")
    assert len(frames) == FRAMES and frames[0].shape == (SIZE, SIZE, 3)
    assert durations[:-1] == [40] * (FRAMES - 1)
    assert durations[-1] == 40 + GIF_HOLD_MS  # a pause on the finished curve before the loop
    check_animation(frames, finished_png, tolerance=16)


def test_mp4_is_the_animation(finished_png, tmp_path, capsys):
    av = importlib.import_module("av")
    assert main(render(tmp_path, "a.mp4", "--fps", "24")) == 0
    assert "wrote" in capsys.readouterr().out
    with av.open(str(tmp_path / "a.mp4")) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (SIZE, SIZE)
        assert stream.average_rate == 24
        assert stream.codec_context.name == "h264"
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == FRAMES
    check_animation(frames, finished_png, tolerance=24)


def check_animation(frames: list[np.ndarray], finished: np.ndarray, tolerance: int) -> None:
    """First frame: bare background (a pen dot aside); then the curve grows; last: all of it."""
    background = background_rgb()
    assert close_fraction(frames[0], background, tolerance) > 0.97
    drawn = [1.0 - close_fraction(f, background, tolerance) for f in frames]
    assert drawn[FRAMES // 2] > drawn[0] + 0.02
    assert drawn[-1] > drawn[FRAMES // 2] + 0.02
    # The last frame covers every pixel the finished picture covers. (Their colours
    # may differ a little where the curve crosses itself: drawn in 11 steps there,
    # in one for the PNG.)
    in_picture = ~close_mask(finished, background, tolerance)
    in_last = ~close_mask(frames[-1], background, tolerance)
    assert in_last[in_picture].mean() > 0.98
    assert abs(in_last.mean() - in_picture.mean()) < 0.02


def test_random_prints_its_seed_and_the_seed_repeats(tmp_path, capsys):
    assert main(render(tmp_path, "a.png", curve="random")) == 0
    first = capsys.readouterr().out
    seed = first.split("seed ")[1].split()[0]
    assert f"--curve random --seed {seed}" in first
    assert main(render(tmp_path, "b.png", "--seed", seed, curve="random")) == 0
    a, b = (np.asarray(Image.open(tmp_path / n).convert("RGB")) for n in ("a.png", "b.png"))
    assert np.array_equal(a, b)


CURVE_TOML = """
freqs = [1, -4]
widths = ["1", "0.4j"]
colour_map = "viridis"
"""


def test_curve_files_whole_single_table_and_named_table(tmp_path):
    (tmp_path / "top.toml").write_text(CURVE_TOML)
    (tmp_path / "one.toml").write_text("[flower]\n" + CURVE_TOML)
    (tmp_path / "two.toml").write_text("[a]\n" + CURVE_TOML + "\n[b]\n" + CURVE_TOML)
    for spec in ("top.toml", "one.toml", "two.toml:b"):
        curve = curve_spec.load_curve(str(tmp_path / spec), None)[0]
        assert [w.freq for w in curve.wheels] == [1, -4]
    assert curve_spec.load_curve(str(tmp_path / "one.toml"), None)[0].name == "flower"
    assert main(render(tmp_path, "a.png", curve=str(tmp_path / "two.toml:a"))) == 0


def test_failure_midway_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    out = tmp_path / "a.mp4"
    out.write_bytes(b"previous render")

    def interrupted(curve, size, frames, fps, on_frame):
        render_animation(curve, size, 3, fps, on_frame)
        raise KeyboardInterrupt

    monkeypatch.setattr("spirokiosk.display.export.frames.render_animation", interrupted)
    assert main(render(tmp_path, "a.mp4")) == 130
    assert out.read_bytes() == b"previous render"
    assert [p.name for p in tmp_path.iterdir()] == ["a.mp4"]


# -- bad input ----------------------------------------------------------------------


def write(tmp_path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


BAD_INPUTS = {
    "unknown preset": (
        lambda d: ["--curve", "seed-magma11"],
        "no such preset (did you mean 'seed-magma-11'?)",
    ),
    "missing file": (lambda d: ["--curve", str(d / "nope.toml")], "no such file"),
    "a directory": (lambda d: ["--curve", str(d / "dir.toml")], "a directory, not a regular"),
    "a named pipe": (lambda d: ["--curve", fifo(d / "pipe.toml")], "a named pipe, not a regular"),
    "an endless device": (lambda d: ["--curve", "/dev/zero"], "a character device, not a"),
    "too large a file": (
        lambda d: ["--curve", write(d, "big.toml", "#" * (2 << 20))],
        "larger than 1024 KiB",
    ),
    "a number too long to read": (
        lambda d: ["--curve", write(d, "n.toml", "freqs = [1, " + "9" * 5000 + "]\n")],
        "a number with too many digits",
    ),
    "a width too large for a float": (
        lambda d: [
            "--curve",
            write(d, "w.toml", "freqs = [1, 2]\nwidths = [1, 1" + "0" * 400 + "]\n"),
        ],
        "wheels[1].width: must be at most",
    ),
    "nested too deeply": (
        lambda d: ["--curve", write(d, "deep.toml", "freqs = " + "[" * 3000 + "]" * 3000 + "\n")],
        "nested too deeply",
    ),
    "inline tables nested too deeply": (
        lambda d: ["--curve", write(d, "deep.toml", "a = " + "{b=" * 3000 + "1" + "}" * 3000)],
        "deep.toml: not valid TOML: arrays or tables nested too deeply",
    ),
    "nested too deeply in a table": (
        lambda d: [
            "--curve",
            write(d, "deep.toml", "[a]\nfreqs = " + "[" * 3000 + "]" * 3000 + "\n") + ":a",
        ],
        "deep.toml:a: not valid TOML: arrays or tables nested too deeply",
    ),
    "a size of 5000 digits": (lambda d: ["--size", "9" * 5000 + "x16"], "expected WIDTHxHEIGHT"),
    "frames of 5000 digits": (lambda d: ["--frames", "9" * 5000], "must be from 2 to 100000"),
    "a sign too many": (lambda d: ["--fps", "+-5"], "expected a whole number"),
    "an output name too long": (lambda d: ["--out", str(d / ("x" * 300 + ".png"))], "too long"),
    "bad toml": (
        lambda d: ["--curve", write(d, "bad.toml", "freqs = [1, 2\nwidths = 3\n")],
        "not valid TOML",
    ),
    "invalid curve": (
        lambda d: ["--curve", write(d, "zero.toml", 'freqs = [0, 3]\nwidths = ["1", "0.5"]\n')],
        "wheels[0].freq: must be a non-zero integer",
    ),
    "several curves": (
        lambda d: ["--curve", write(d, "two.toml", "[a]\n" + CURVE_TOML + "[b]\n" + CURVE_TOML)],
        "two.toml:NAME",
    ),
    "unknown table": (
        lambda d: ["--curve", write(d, "one.toml", "[a]\n" + CURVE_TOML) + ":c"],
        "no table [c]",
    ),
    "zero size": (lambda d: ["--size", "0x5"], "--size 0x5: width and height"),
    "garbage size": (lambda d: ["--size", "abc"], "--size abc: expected WIDTHxHEIGHT"),
    "huge size": (lambda d: ["--size", "10000x10000"], "from 16 to 4096"),
    "odd mp4 size": (lambda d: ["--size", "95x96", "--out", str(d / "a.mp4")], "even"),
    "one frame": (lambda d: ["--frames", "1"], "--frames 1: must be from 2"),
    "frames not a number": (lambda d: ["--frames", "ten"], "--frames ten: expected a whole"),
    "zero fps": (lambda d: ["--fps", "0"], "--fps 0: must be from 1"),
    "fps not a number": (lambda d: ["--fps", "2.5"], "--fps 2.5: expected a whole"),
    "gif too fast": (lambda d: ["--fps", "60", "--out", str(d / "a.gif")], "--fps 50 or less"),
    "unknown extension": (lambda d: ["--out", str(d / "a.webm")], "unknown output type"),
    "no extension": (lambda d: ["--out", str(d / "movie")], "unknown output type"),
    "missing directory": (
        lambda d: ["--out", str(d / "nope" / "a.png")],
        "directory",
    ),
    "output is a directory": (lambda d: ["--out", str(d / "dir.toml.png")], "is a directory"),
    "seed without random": (lambda d: ["--seed", "3"], "only --curve random"),
    "pens for a png": (lambda d: ["--pens", "3"], "--pens: only for an SVG"),
    "paper for a gif": (lambda d: ["--paper", "a4", "--out", str(d / "a.gif")], "--paper: only"),
    "unknown paper": (
        lambda d: ["--paper", "b5", "--out", str(d / "a.svg")],
        "--paper b5: expected a4, a3, letter",
    ),
    "paper too small": (
        lambda d: ["--paper", "10x10", "--out", str(d / "a.svg")],
        "--paper: each side from 20 to 2000 mm",
    ),
    "too many pens": (
        lambda d: ["--pens", "13", "--out", str(d / "a.svg")],
        "--pens 13: must be from 1 to 12",
    ),
    "margin too wide": (
        lambda d: ["--margin", "120", "--out", str(d / "a.svg")],
        "--margin: from 0 to under 100 mm",
    ),
    "margin not a number": (
        lambda d: ["--margin", "wide", "--out", str(d / "a.svg")],
        "--margin wide: expected millimetres",
    ),
    "pen width of nan": (
        lambda d: ["--pen-width", "nan", "--out", str(d / "a.svg")],
        "--pen-width nan: expected millimetres",
    ),
}


def fifo(path):
    os.mkfifo(path)  # nobody writes to it: a plain open() would wait forever
    return str(path)


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(case, tmp_path, capsys):
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "dir.toml.png").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    options, expected = BAD_INPUTS[case]
    argv = ["render", "--curve", CURVE, "--size", "96x96", "--frames", "4"]
    argv += ["--out", str(tmp_path / "a.png")]
    argv += options(tmp_path)  # later options win
    after_setup = sorted(p.name for p in tmp_path.iterdir())
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(PREFIX) and expected in lines[0], lines[0]
    assert captured.out == ""
    # No output, no temporary file: the directory holds what the test put there.
    assert sorted(p.name for p in tmp_path.iterdir()) == after_setup
    assert set(before) <= set(after_setup)


def test_unwritable_directory_is_one_line_and_exit_2(tmp_path, capsys):
    if os.geteuid() == 0:
        out = "/sys/spirokiosk-test.png"  # even root cannot create files in sysfs
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        out = str(locked / "a.png")
    assert main([*render(tmp_path, "x.png")[:-2], "--out", out]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(PREFIX + f"--out {out}: "), lines
    assert not os.path.exists(out)
    assert [p.name for p in tmp_path.iterdir() if p.name != "locked"] == []


# -- presets ------------------------------------------------------------------------


def test_presets_lists_every_preset_in_aligned_columns(capsys):
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(PRESETS)
    summary_columns = set()
    for line, curve in zip(lines, PRESETS.values(), strict=True):
        assert curve.summary() in line and curve.description in line
        summary_columns.add(line.index(curve.summary()))
    assert len(summary_columns) == 1  # the summaries start in one column


# -- the installed command ----------------------------------------------------------


def test_command_line_in_a_subprocess(tmp_path):
    script = shutil.which("spirokiosk", path=os.path.dirname(sys.executable))
    command = [script] if script else [sys.executable, "-m", "spirokiosk.daemon.cli"]
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy"}
    done = subprocess.run(
        [*command, *render(tmp_path, "a.gif")], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not a terminal: no progress bar
    assert done.stdout.splitlines()[1].startswith(f"wrote {tmp_path / 'a.gif'} (12 frames")
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == FRAMES
    bad = subprocess.run(
        [*command, *render(tmp_path, "b.gif", curve="nope")], capture_output=True, text=True,
        env=env,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith(PREFIX) and bad.stderr.count("\n") == 1


def test_a_render_past_the_work_limit_needs_force(tmp_path, capsys):
    argv = ["render", "--curve", CURVE, "--size", "4096x4096", "--frames", "100000"]
    assert main([*argv, "--out", str(tmp_path / "huge.mp4")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(PREFIX + "--frames 100000 at 4096x4096: 1678 gigapixels")
    assert "without --force" in error and "minutes" in error
    assert list(tmp_path.iterdir()) == []


def test_force_lets_a_large_render_through(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(render_request, "MAX_WORK_PIXELS", 1000)  # a tiny limit
    argv = render(tmp_path, "a.gif")
    assert main(argv) == 2
    assert "without --force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    assert (tmp_path / "a.gif").exists()


def test_a_render_removes_what_a_killed_render_left(tmp_path, capsys):
    stale = tmp_path / ".a.png.0123abcd.part"  # as a render killed with SIGKILL leaves it
    stale.write_bytes(b"half a picture")
    assert main(render(tmp_path, "a.png")) == 0
    assert not stale.exists()
    assert f"removed {stale} (left by a render that was killed)" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_svg_for_a_pen_plotter(tmp_path, capsys):
    import json
    import xml.etree.ElementTree as ET

    from spirokiosk.display.curves import Curve
    from spirokiosk.display.export.svg import INKSCAPE_NS, RECIPE_NS

    out = tmp_path / "plot.svg"
    argv = ["render", "--curve", CURVE, "--out", str(out), "--paper", "a3-landscape"]
    assert main([*argv, "--margin", "20", "--pens", "3", "--pen-width", "0.3"]) == 0
    assert f"wrote {out} (420x297 mm, up to 3 pens" in capsys.readouterr().out
    root = ET.parse(out).getroot()
    assert (root.get("width"), root.get("height")) == ("420mm", "297mm")
    layers = root.findall("{http://www.w3.org/2000/svg}g")
    assert [g.get(f"{{{INKSCAPE_NS}}}label") for g in layers] == ["1-pen", "2-pen", "3-pen"]
    assert {g.get("stroke-width") for g in layers} == {"0.3"}
    recipe = root.find(f"{{http://www.w3.org/2000/svg}}metadata/{{{RECIPE_NS}}}recipe")
    assert Curve.from_dict(json.loads(recipe.text)) == PRESETS[CURVE]
    # The default: A4 portrait, four pens; --pens 1 is the plain single-pen variant.
    assert main(["render", "--curve", "random", "--seed", "4", "--out", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert root.get("width") == "210mm" and len(root.findall("{http://www.w3.org/2000/svg}g")) == 4
    assert main(["render", "--curve", CURVE, "--out", str(out), "--pens", "1"]) == 0
    (layer,) = ET.parse(out).getroot().findall("{http://www.w3.org/2000/svg}g")
    assert layer.get("stroke") == "#000000" and len(layer) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["plot.svg"]  # no temporary file left
