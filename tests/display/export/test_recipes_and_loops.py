"""Every written file carries its curve's recipe (PNG, GIF, MP4; `spirokiosk render` too),
written to a path or to memory; and the web's animations loop seamlessly in both framings."""

import io
import itertools

import av
import numpy as np
import pytest
from PIL import Image

from spirokiosk.daemon.cli import main
from spirokiosk.display.curves import PRESETS, random_curve
from spirokiosk.display.draw.surfaces import surface_layout
from spirokiosk.display.export import frames
from spirokiosk.display.export.formats import open_writer
from spirokiosk.display.export.loop import framed_size, loop_parts, render_loop
from spirokiosk.display.export.recipe import RECIPE_KEY, curve_from_recipe, tagged_recipe

CURVE = PRESETS["seed-magma-11"]
SIZE = (48, 48)


def written(kind: str, curve, target, size=SIZE, count: int = 8) -> None:
    """`curve` as `kind` into `target` (a path or a BytesIO), as the render command does."""
    layout = surface_layout(frames.new_target(size))
    palette = frames.still_pixels(curve, size) if kind == "gif" else None
    with open_writer(kind, target, size, 25, layout, palette, curve=curve) as writer:
        if kind == "png":
            frames.render_still(curve, size, writer.add)
        else:
            frames.render_animation(curve, size, count, 25, writer.add)
        writer.finish()


def recipe_of(kind: str, data: bytes):
    """The curve the file's recipe holds, read the way each format keeps it."""
    if kind == "png":
        with Image.open(io.BytesIO(data)) as image:
            return curve_from_recipe(image.text[RECIPE_KEY])
    if kind == "gif":
        with Image.open(io.BytesIO(data)) as image:
            comment = image.info["comment"]
            assert comment.startswith(RECIPE_KEY.encode() + b":")
            return curve_from_recipe(comment)
    with av.open(io.BytesIO(data)) as container:
        comment = container.metadata["comment"]
        assert comment.startswith(RECIPE_KEY + ":")
        return curve_from_recipe(comment)


@pytest.mark.parametrize("kind", ["png", "gif", "mp4"])
def test_a_file_in_memory_carries_the_curve(kind):
    curve = random_curve(seed=7)
    buffer = io.BytesIO()
    written(kind, curve, buffer)
    assert recipe_of(kind, buffer.getvalue()) == curve


@pytest.mark.parametrize("kind", ["png", "gif", "mp4"])
def test_a_file_on_disk_carries_the_curve(kind, tmp_path):
    path = tmp_path / f"a.{kind}"
    written(kind, CURVE, path)
    assert recipe_of(kind, path.read_bytes()) == CURVE


def test_without_a_curve_there_is_no_recipe():
    buffer = io.BytesIO()
    with open_writer("png", buffer, SIZE, 25, "BGRX") as writer:
        frames.render_still(CURVE, SIZE, writer.add)
        writer.finish()
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        assert RECIPE_KEY not in image.text


@pytest.mark.parametrize("kind", ["png", "gif", "mp4"])
def test_the_render_command_writes_the_recipe(kind, tmp_path):
    out = tmp_path / f"r.{kind}"
    argv = ["render", "--curve", "seed-magma-11", "--size", "32x32", "--frames", "6"]
    assert main([*argv, "--out", str(out)]) == 0
    assert recipe_of(kind, out.read_bytes()) == CURVE


def test_a_long_recipe_is_one_gif_comment_in_255_byte_pieces():
    curve = random_curve(seed=11, wheels=(12, 13))
    assert len(tagged_recipe(curve)) > 255 * 2
    buffer = io.BytesIO()
    written("gif", curve, buffer)
    assert recipe_of("gif", buffer.getvalue()) == curve


# -- seamless loops ----------------------------------------------------------------------


def loop_frames(size, count):
    got = []
    render_loop(CURVE, size, count, 25, lambda pixels: got.append(pixels[..., :3].astype(int)))
    return got


def step(a, b) -> float:
    return float(np.abs(a - b).mean())


@pytest.mark.parametrize("framing", ["square", "9:16"])
def test_the_loop_draws_holds_and_fades_back_to_the_first_frame(framing):
    size = framed_size(framing, 40)
    got = loop_frames(size, 40)
    drawing, hold, fade = loop_parts(40)
    assert len(got) == 40 == drawing + hold + fade
    assert got[0].shape == (size[1], size[0], 3)
    neighbours = [step(a, b) for a, b in itertools.pairwise(got)]
    wrap = step(got[-1], got[0])
    finished = got[drawing - 1]
    assert step(finished, got[0]) > 4 * wrap  # the curve is really there, then really goes
    assert wrap <= max(neighbours) + 0.5  # the jump back is no bigger than a step forward
    # The fade is even: its steps are alike, and the last one back is one of them.
    fades = neighbours[drawing + hold - 1 :]
    assert max(fades) - min(fades) <= 0.5 and abs(wrap - np.mean(fades)) <= 0.5


def test_framings_sizes():
    assert framed_size("square", 720) == (720, 720)
    assert framed_size("9:16", 1080) == (1080, 1920)
    assert framed_size("9:16", 45)[1] % 2 == 0
    with pytest.raises(ValueError, match="framing"):
        framed_size("4:3", 100)
    with pytest.raises(ValueError, match="frames"):
        loop_parts(3)


@pytest.mark.parametrize("kind", ["png", "gif", "mp4"])
def test_a_written_file_dropped_back_opens_the_same_curve(kind):
    """The writers' files through the reader the studio's drop uses (read_recipe)."""
    from spirokiosk.display.export.read_recipe import curve_from_file

    curve = random_curve(seed=11)
    buffer = io.BytesIO()
    written(kind, curve, buffer)
    assert curve_from_file(buffer.getvalue(), f"drawn.{kind}") == curve


def test_the_plotter_svg_dropped_back_opens_the_same_curve():
    from spirokiosk.display.export.read_recipe import curve_from_file
    from spirokiosk.display.export.svg import plotter_svg

    curve = random_curve(seed=12)
    svg = plotter_svg(curve)
    data = svg.encode() if isinstance(svg, str) else svg
    assert curve_from_file(data, "drawn.svg") == curve
