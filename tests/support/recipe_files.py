"""Files that carry a curve's recipe as display/export/recipe.py lays it out, made with
Pillow and PyAV directly (the writers' own embedding is tested with the writers)."""

from __future__ import annotations

import io
import zlib

import numpy as np
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from spirokiosk.display.curves import Curve, CurveError
from spirokiosk.display.export.read_recipe import curve_from_file
from spirokiosk.display.export.recipe import RECIPE_KEY, recipe_json, tagged_recipe

SIZE = (64, 48)


def picture() -> Image.Image:
    return Image.new("RGB", SIZE, (20, 30, 90))


def png_with_recipe(curve: Curve | None, *, itxt: bool = False) -> bytes:
    """A PNG with the recipe in a tEXt chunk (or a compressed iTXt one); None: no recipe."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "a paint program")
    if curve is not None:
        if itxt:
            info.add_itxt(RECIPE_KEY, recipe_json(curve), zip=True)
        else:
            info.add_text(RECIPE_KEY, recipe_json(curve))
    out = io.BytesIO()
    picture().save(out, "PNG", pnginfo=info)
    return out.getvalue()


def gif_with_recipe(curve: Curve | None) -> bytes:
    """A two-frame GIF with the recipe as its comment extension."""
    out = io.BytesIO()
    frames = [picture(), Image.new("RGB", SIZE, (200, 30, 90))]
    extra = {"comment": tagged_recipe(curve)} if curve is not None else {}
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, **extra)
    return out.getvalue()


def jpeg_with_recipe(curve: Curve | None) -> bytes:
    out = io.BytesIO()
    extra = {"comment": tagged_recipe(curve)} if curve is not None else {}
    picture().save(out, "JPEG", **extra)
    return out.getvalue()


def mp4_with_recipe(curve: Curve | None, frames: int = 12) -> bytes:
    """An MP4 (H.264, as display/export/mp4.py writes) with the recipe as the container's
    `comment` metadata; the moov box, and so the comment, comes after the frames."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        if curve is not None:
            container.metadata["comment"] = tagged_recipe(curve)
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            pixels = np.full((SIZE[1], SIZE[0], 3), i * 20 % 256, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def padded_png(png: bytes, size: int) -> bytes:
    """`png` with a private ancillary chunk of `size` zero bytes before IEND: a big file,
    still a valid PNG (a reader skips chunks it does not know)."""
    body = bytes(size)
    chunk = size.to_bytes(4, "big") + b"prVt" + body + zlib.crc32(b"prVt" + body).to_bytes(4, "big")
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + chunk + png[iend:]


def remuxed_mov(mp4: bytes) -> bytes:
    """`mp4` re-muxed to QuickTime .mov as `ffmpeg -i a.mp4 -c copy a.mov` does it: the
    packets copied, the global metadata (so the comment) handed on, FFmpeg's mov muxer
    writing it (in moov/udta as plain user data, not in an ilst)."""
    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(mp4)) as source, av.open(out, "w", format="mov") as target:
        target.metadata.update(source.metadata)  # as ffmpeg's default -map_metadata
        video = source.streams.video[0]
        stream = target.add_stream_from_template(video)
        for packet in source.demux(video):
            if packet.dts is None:  # the demuxer's empty packet at the end
                continue
            packet.stream = stream
            target.mux(packet)
    return out.getvalue()


def check_damaged_file(draw, whole: bytes, start: int) -> None:
    """Overwrite up to 8 bytes of `whole` past `start` at random (hypothesis' `draw`),
    perhaps cut it short there: reading it gives a curve or a CurveError naming its field,
    never another exception (so never a 500)."""
    data = bytearray(whole)
    for _ in range(draw.draw(st.integers(1, 8))):
        data[draw.draw(st.integers(start, len(data) - 1))] = draw.draw(st.integers(0, 255))
    if draw.draw(st.booleans()):
        del data[draw.draw(st.integers(start, len(data))) :]
    try:
        assert isinstance(curve_from_file(bytes(data)), Curve)
    except CurveError as exc:
        assert exc.errors and all(": " in e for e in exc.errors)  # "field: message"
