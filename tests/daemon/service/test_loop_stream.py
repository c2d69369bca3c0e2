"""The real render loop streaming to the real hub, band by band: every JPEG the hub makes
decodes to the pixels of one whole encode of the frame the loop drew (the mirror shows
exactly what the screen shows), while most frames encode only a few bands."""

import contextlib
import gc
import weakref

import numpy as np
import pytest
import simplejpeg
from support import FakeClock, wait_until
from support.loop import build_loop

from spirokiosk.daemon.config import load_config
from spirokiosk.daemon.service.parts import stream_settings
from spirokiosk.display.curves import PRESETS, SHAPES
from spirokiosk.display.draw.overlays import Overlays
from spirokiosk.display.draw.surfaces import surface_array
from spirokiosk.display.screen.output import open_output
from spirokiosk.web.hub.frame_hub import FrameHub
from spirokiosk.web.hub.jpeg import encode_jpeg


def config(size, stream_size, fade):
    return load_config(
        None,
        [
            "display.mode=headless",
            f"display.size={size}",
            "display.fps=240",
            'curves.playlist=["seed-magma-11", "gears-96-52"]',
            "curves.draw_seconds=1",
            "curves.hold_seconds=0.2",
            f"curves.fade_seconds={fade}",
            f"web.stream_size={stream_size}",
        ],
        PRESETS,
        SHAPES,
    )


@pytest.mark.parametrize(
    ("size", "stream_size", "mode", "fade"),
    [
        ("320x240", "display", "headless", 0),  # bands of the frame itself
        ("1600x900", "auto", "headless", 0.3),  # halved by whole steps; a fade
        ("320x240", "200x150", "headless", 0),  # resampled: the filter's reach
        ("320x240", "display", "window", 0),  # the wheels as sprites, drawn by the encoder
    ],
)
def test_every_streamed_jpeg_is_the_frame_the_loop_drew(size, stream_size, mode, fade):
    settings = config(size, stream_size, fade)
    hub = FrameHub(stream_settings(settings))
    hub.start()
    width, height = (int(v) for v in size.split("x"))
    output = open_output(mode, (width, height))
    clock = FakeClock()
    try:
        loop = build_loop(
            settings, clock=clock, output=output, hub=hub, overlays=Overlays(wheels=True)
        )
        slot = hub.acquire_viewer()
        checked = 0
        # Two ticks a stream frame (the loop ticks faster than the stream's fps), through a
        # whole curve, its hold and (with a fade) into the next one.
        for tick in range(100):
            encoded, published = hub.stats().frames_encoded, hub.stats().frames_published
            clock.now += 1 / 60
            loop.tick()
            if hub.stats().frames_published == published:
                continue
            assert wait_until(lambda e=encoded: hub.stats().frames_encoded > e)
            # Encoded and given back, not drawn on since: the frame the hub encoded.
            fade_now = loop.scene.composer.fade
            over = (surface_array(fade_now[0]), fade_now[1]) if fade_now else None
            sprites = tuple((p, x, y) for _, (x, y), p in loop.scene.composer.sprites)
            reference = encode_jpeg(
                surface_array(loop.frame),
                loop._layout,
                hub.settings.quality,
                hub.settings.box,
                over,
                sprites,
            )[0]
            assert np.array_equal(
                simplejpeg.decode_jpeg(hub.latest().jpeg), simplejpeg.decode_jpeg(reference)
            ), f"tick {tick}"
            checked += 1
        slot.release()
        encoder = hub.encoder
        assert checked > 30
        bands = -(-hub.latest().height // 16)
        # Most frames were a few strips, not whole pictures: fewer strips than a whole
        # set a frame, and only a handful of whole encodes (first frame, curve changes).
        assert encoder.strip_encodes < bands * (checked - encoder.whole_encodes - encoder.reused)
        assert encoder.whole_encodes < checked / 3
    finally:
        hub.stop()
        output.close()


@contextlib.contextmanager
def fading_loop(hub):
    """A 320x240 headless loop with 0.3 s fades streaming to `hub` (started, stopped
    at the end), on a FakeClock: yields (loop, tick)."""
    settings = config("320x240", "auto", 0.3)
    hub.apply_settings(stream_settings(settings))
    hub.start()
    output = open_output("headless", (320, 240))
    clock = FakeClock()
    try:
        loop = build_loop(settings, clock=clock, output=output, hub=hub)

        def tick():
            clock.now += 1 / 60
            loop.tick()

        yield loop, tick
    finally:
        hub.stop()
        output.close()


def test_each_fade_gives_the_hub_one_key_for_its_old_frame_and_the_next_fade_another():
    hub = FrameHub()
    told = []  # (over_key, the old frame's surface) for each frame handed over
    real_publish = hub.publish

    def publish(pixels, layout, timestamp, **kwargs):
        fade_now = loop.scene.composer.fade
        told.append((kwargs.get("over_key"), fade_now[0] if fade_now else None))
        real_publish(pixels, layout, timestamp, **kwargs)

    hub.publish = publish
    with fading_loop(hub) as (loop, tick):
        slot = hub.acquire_viewer()
        for _ in range(200):  # two curves drawn, held and faded (1.5 s each)
            tick()
        slot.release()
    keys = {}  # old frame -> the keys it was handed with
    for key, old in told:
        assert (key is None) == (old is None)
        if old is not None:
            keys.setdefault(id(old), set()).add(key)
    assert len(keys) == 2, "two fades"
    assert all(len(k) == 1 for k in keys.values()), "one key a fade"
    assert len(set().union(*keys.values())) == 2, "each fade its own key"


def test_a_fades_old_frame_is_let_go_when_the_fade_ends_though_nobody_watches_then():
    hub = FrameHub()
    with fading_loop(hub) as (loop, tick):
        slot = hub.acquire_viewer()
        while loop.scene.composer.fade is None:  # watched into the fade: the hub is told of it
            tick()
        old = weakref.ref(loop.scene.composer.fade[0])
        for _ in range(3):
            tick()
        slot.release()  # the viewer leaves before the fade ends
        while loop.scene.composer.fade is not None:
            tick()
        tick()
        gc.collect()
        assert old() is None
