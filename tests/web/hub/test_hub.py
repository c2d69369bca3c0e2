"""FrameHub: demand, fps cap, newest-frame-only encoding, viewer slots, snapshots."""

import threading
import time

import numpy as np
import pytest
import simplejpeg
from support import wait_until
from support.mirror import FrameFeeder

from spirokiosk.web.hub import FrameHub, StreamSettings
from spirokiosk.web.hub.jpeg import AUTO_STREAM_BOX, StreamBox
from spirokiosk.web.hub.sprites import SpriteScaler


def solid(width, height, bgrx):
    frame = np.empty((height, width, 4), dtype=np.uint8)
    frame[...] = bgrx
    return frame


def thread_names():
    return {t.name for t in threading.enumerate()}


@pytest.fixture
def make_hub():
    """Makes hubs (not started) with StreamSettings(**settings); stops them afterwards."""
    made = []

    def make(**settings):
        h = FrameHub(StreamSettings(**settings))
        made.append(h)
        return h

    yield make
    for h in made:
        h.stop()


def test_no_thread_until_started_and_none_after_stop(make_hub):
    h = make_hub()
    assert "jpeg-encoder" not in thread_names()
    h.start()
    assert "jpeg-encoder" in thread_names()
    with pytest.raises(RuntimeError):
        h.start()
    h.stop()
    assert wait_until(lambda: "jpeg-encoder" not in thread_names())


def test_wants_frame_only_while_someone_watches(make_hub):
    h = make_hub()
    assert not h.wants_frame(100.0)
    slot = h.acquire_viewer()
    assert h.wants_frame(100.0)
    slot.release()
    assert not h.wants_frame(200.0)


def test_fps_cap_limits_frames_at_render_rate(make_hub):
    h = make_hub(fps=10)
    h.acquire_viewer()
    ticks = [1000.0 + i / 60 for i in range(120)]  # two seconds of a 60 Hz render loop
    granted = [t for t in ticks if h.wants_frame(t)]
    assert 19 <= len(granted) <= 21
    gaps = np.diff(granted)
    assert gaps.min() > 0.07  # never two frames a tick apart


def test_fps_cap_survives_a_clock_jump_backwards(make_hub):
    h = make_hub(fps=10)
    h.acquire_viewer()
    assert h.wants_frame(5000.0)
    assert h.wants_frame(10.0)  # the clock went back: the schedule restarts


def test_not_wanted_while_a_published_frame_waits_for_the_encoder(make_hub):
    h = make_hub()
    h.acquire_viewer()
    assert h.wants_frame(1.0)
    h.publish(solid(8, 8, (0, 0, 255, 0)), "BGRX", time.time())
    assert not h.wants_frame(10.0)


def test_publish_neither_encodes_nor_copies_in_the_caller(make_hub):
    h = make_hub()  # encoder not started
    h.acquire_viewer()
    pixels = solid(64, 48, (0, 0, 255, 0))
    h.publish(pixels, "BGRX", 123.0)
    assert h.stats().frames_encoded == 0
    assert h.latest() is None
    assert h._raw.pixels is pixels


def test_superseded_frame_is_dropped_not_queued(make_hub):
    h = make_hub()
    h.acquire_viewer()
    h.publish(solid(32, 32, (255, 0, 0, 0)), "BGRX", 1.0)  # blue, replaced before encoding
    h.publish(solid(32, 32, (0, 0, 255, 0)), "BGRX", 2.0)  # red
    h.start()
    frame = h.wait_frame(0, timeout=5)
    assert frame is not None and frame.timestamp == 2.0
    assert h.wait_frame(frame.seq, timeout=0.3).seq == frame.seq  # nothing else queued
    stats = h.stats()
    assert (stats.frames_published, stats.frames_encoded, stats.frames_dropped) == (2, 1, 1)
    rgb = simplejpeg.decode_jpeg(frame.jpeg)
    assert np.abs(rgb[16, 16].astype(int) - (255, 0, 0)).max() < 8


def test_no_encoding_without_viewers(make_hub):
    h = make_hub()
    h.start()
    h.publish(solid(32, 32, (0, 0, 255, 0)), "BGRX", 1.0)
    assert wait_until(lambda: h.stats().frames_dropped == 1)
    assert h.stats().frames_encoded == 0
    assert h.latest() is None


@pytest.mark.parametrize(
    ("colorspace", "pixel"),
    [
        ("BGRX", (0, 0, 255, 0)),
        ("RGBX", (255, 0, 0, 0)),
        ("RGB", (255, 0, 0)),
        ("BGR", (0, 0, 255)),
    ],
)
def test_colour_layouts_encode_to_the_same_red(make_hub, colorspace, pixel):
    h = make_hub()
    h.acquire_viewer()
    h.start()
    frame = np.empty((24, 40, len(pixel)), dtype=np.uint8)
    frame[...] = pixel
    h.publish(frame, colorspace, 1.0)
    encoded = h.wait_frame(0, timeout=5)
    rgb = simplejpeg.decode_jpeg(encoded.jpeg)
    assert rgb.shape == (24, 40, 3)
    assert np.abs(rgb[12, 20].astype(int) - (255, 0, 0)).max() < 8


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        (None, (320, 240)),
        (StreamBox(160, 160), (160, 120)),
        (StreamBox(1920, 1080), (320, 240)),
        (StreamBox(80, 60), (80, 60)),
        (StreamBox(60, 80, turns=True), (80, 60)),
    ],
)
def test_stream_size_fits_inside_and_keeps_aspect(make_hub, box, expected):
    h = make_hub(box=box)
    h.acquire_viewer()
    h.start()
    # A vertical red/blue split must survive scaling (BGRX channel order kept).
    pixels = solid(320, 240, (0, 0, 255, 0))
    pixels[:, 160:] = (255, 0, 0, 0)
    h.publish(pixels, "BGRX", 1.0)
    frame = h.wait_frame(0, timeout=5)
    assert (frame.width, frame.height) == expected
    rgb = simplejpeg.decode_jpeg(frame.jpeg)
    assert rgb.shape == (expected[1], expected[0], 3)
    left, right = rgb[expected[1] // 2, 2], rgb[expected[1] // 2, -3]
    assert left[0] > 200 and left[2] < 60
    assert right[2] > 200 and right[0] < 60


def test_a_stream_box_scales_down_keeping_the_aspect_ratio():
    assert StreamBox(1280, 1280).fit((1920, 1080)) == (1280, 720)
    assert StreamBox(1280, 720).fit((1080, 1920)) == (405, 720)
    assert StreamBox(1280, 720).fit((640, 480)) == (640, 480)


@pytest.mark.parametrize(
    ("screen", "streamed"),
    [
        ((1920, 1080), (960, 540)),  # halved: the largest whole step within 1280x720
        ((1080, 1920), (540, 960)),  # a portrait screen: the box turns with it
        ((2560, 1440), (1280, 720)),
        ((3840, 2160), (1280, 720)),
        ((1280, 720), (1280, 720)),
        ((800, 480), (800, 480)),
        ((1366, 768), (683, 384)),
        ((1365, 768), (683, 384)),  # an odd width: the last column averages what is there
    ],
)
def test_the_auto_box_divides_by_whole_steps_and_turns_with_the_screen(screen, streamed):
    assert AUTO_STREAM_BOX.fit(screen) == streamed


def test_auto_streams_average_each_square_of_screen_pixels(make_hub):
    h = make_hub(box=AUTO_STREAM_BOX)
    h.acquire_viewer()
    h.start()
    pixels = solid(1920, 1080, (0, 0, 0, 0))
    pixels[::2, :] = (255, 255, 255, 0)  # white and black rows: grey once averaged
    h.publish(pixels, "BGRX", 1.0)
    frame = h.wait_frame(0, timeout=5)
    assert (frame.width, frame.height) == (960, 540)
    grey = simplejpeg.decode_jpeg(frame.jpeg)[100:400, 100:800].astype(int)
    assert abs(grey.mean() - 128) < 4 and grey.std() < 4


def test_wait_frame_times_out_with_the_same_frame_for_resending(make_hub):
    h = make_hub()
    assert h.wait_frame(-1, timeout=0.05) is None  # nothing yet
    h.acquire_viewer()
    h.start()
    h.publish(solid(16, 16, (0, 0, 0, 0)), "BGRX", 7.0)
    first = h.wait_frame(-1, timeout=5)
    again = h.wait_frame(first.seq, timeout=0.1)
    assert again is first


def test_waiting_viewer_gets_the_next_frame(make_hub):
    h = make_hub()
    h.acquire_viewer()
    h.start()
    got = []
    waiter = threading.Thread(target=lambda: got.append(h.wait_frame(0, timeout=5)))
    waiter.start()
    h.publish(solid(16, 16, (0, 0, 0, 0)), "BGRX", 9.0)
    waiter.join(6)
    assert got and got[0].seq == 1 and got[0].timestamp == 9.0


def test_viewer_cap_and_idempotent_release(make_hub):
    h = make_hub(max_viewers=2)
    a, b = h.acquire_viewer(), h.acquire_viewer()
    assert a and b
    assert h.acquire_viewer() is None
    assert a.release() is True
    assert a.release() is False  # a second release frees nothing
    assert h.stats().viewers == 1
    with h.acquire_viewer() as c:
        assert c is not None
        assert h.stats().viewers == 2
    assert h.stats().viewers == 1
    h.set_capacity(1)  # a lower capacity (the server's stream workers) wins
    assert h.viewer_cap == 1 and h.stats().max_viewers == 1
    assert h.acquire_viewer() is None
    h.apply_settings(StreamSettings(max_viewers=5))
    assert h.viewer_cap == 1  # a reload cannot raise the cap past the capacity


def test_stale_frame_is_not_the_first_one_a_new_viewer_gets(make_hub):
    h = make_hub()
    h.start()
    slot = h.acquire_viewer()
    h.publish(solid(16, 16, (0, 0, 0, 0)), "BGRX", 1.0)
    old = h.wait_frame(0, timeout=5)
    slot.release()
    newcomer = h.acquire_viewer()
    assert newcomer.first_after == old.seq  # it waits for a fresh frame first
    second = h.acquire_viewer()
    assert second.first_after == -1  # encoding is live: the newest frame is fresh


def test_snapshot_asks_for_a_frame_when_nobody_streams(make_hub):
    h = make_hub()
    h.start()
    with FrameFeeder(h, size=(64, 48)) as feeder:
        frame = h.snapshot(timeout=5)
        assert frame is not None and simplejpeg.decode_jpeg(frame.jpeg).shape == (48, 64, 3)
        encoded, ticks = h.stats().frames_encoded, feeder.ticks
        wait_until(lambda: feeder.ticks >= ticks + 24)  # the render loop asked 24 times more
        # No encoding once the snapshot is served (one more at most: the frame asked for
        # just before the snapshot's wait ended).
        assert h.stats().frames_encoded <= encoded + 1


def test_snapshot_gives_up_without_frames(make_hub):
    h = make_hub()
    h.start()
    assert h.snapshot(timeout=0.1) is None
    assert not h.wants_frame(time.monotonic())  # the request no longer counts as demand


def test_measured_stream_fps():
    now = [0.0]
    h = FrameHub(StreamSettings(), clock=lambda: now[0])
    h.acquire_viewer()
    for i in range(20):
        now[0] = i * 0.05
        h._encode(_raw(), 80, None)
    assert h.stats().stream_fps == pytest.approx(20.0, abs=0.6)
    now[0] += 5
    assert h.stats().stream_fps == 0.0


def _raw():
    from spirokiosk.web.hub.frames import RawFrame

    return RawFrame(solid(8, 8, (0, 0, 0, 0)), "BGRX", 1.0)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((8, 8, 4), dtype=np.float32),
        np.zeros((8, 8, 3), dtype=np.uint8),
        np.zeros((8, 16, 4), dtype=np.uint8)[:, ::2],
    ],
)
def test_publish_rejects_wrong_pixels(make_hub, bad):
    with pytest.raises(ValueError):
        make_hub().publish(bad, "BGRX", 1.0)


def test_apply_settings_changes_quality_and_cap(make_hub):
    h = make_hub(quality=95)
    h.acquire_viewer()
    h.start()
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 255, (64, 64, 4), dtype=np.uint8)
    h.publish(pixels, "RGBX", 1.0)
    high = h.wait_frame(0, timeout=5)
    h.apply_settings(StreamSettings(quality=20, max_viewers=1))
    h.publish(pixels.copy(), "RGBX", 2.0)
    low = h.wait_frame(high.seq, timeout=5)
    assert len(low.jpeg) < len(high.jpeg) / 2
    assert h.acquire_viewer() is None  # one viewer already, cap now 1


class Lender:
    """Lends frames as the render loop's FrameBuffers do, and notes which came back."""

    def __init__(self):
        self.given_back = []
        self.lock = threading.Lock()

    def lend(self, name):
        def release():
            with self.lock:
                self.given_back.append(name)

        return release


def test_a_lent_frame_is_given_back_once_encoded_and_not_before(make_hub, monkeypatch):
    h = make_hub()
    h.acquire_viewer()
    lender = Lender()
    entered, go_on = threading.Event(), threading.Event()
    real_encode = h._encode

    def held_encode(raw, quality, box):
        entered.set()
        assert go_on.wait(5)
        real_encode(raw, quality, box)

    monkeypatch.setattr(h, "_encode", held_encode)
    h.start()
    h.publish(solid(16, 16, (0, 0, 255, 0)), "BGRX", 1.0, release=lender.lend("first"))
    assert entered.wait(5)
    assert lender.given_back == []  # still being encoded: not the render loop's yet
    go_on.set()
    assert wait_until(lambda: lender.given_back == ["first"])
    assert h.wait_frame(0, timeout=5).timestamp == 1.0


def test_a_lent_frame_replaced_before_encoding_is_given_back_at_once(make_hub):
    h = make_hub()  # encoder not started: frames stay pending
    h.acquire_viewer()
    lender = Lender()
    h.publish(solid(8, 8, (0, 0, 0, 0)), "BGRX", 1.0, release=lender.lend("old"))
    assert lender.given_back == []
    h.publish(solid(8, 8, (0, 0, 0, 0)), "BGRX", 2.0, release=lender.lend("new"))
    assert lender.given_back == ["old"]
    h.stop()  # never started: stopping gives the pending one back
    assert lender.given_back == ["old", "new"]
    h.publish(solid(8, 8, (0, 0, 0, 0)), "BGRX", 3.0, release=lender.lend("late"))
    assert lender.given_back == ["old", "new", "late"]  # a stopped hub keeps nothing


def test_a_lent_frame_nobody_wants_any_more_is_given_back_unencoded(make_hub):
    h = make_hub()
    slot = h.acquire_viewer()
    lender = Lender()
    h.publish(solid(8, 8, (0, 0, 0, 0)), "BGRX", 1.0, release=lender.lend("frame"))
    slot.release()  # the viewer left between publish and encode
    h.start()
    assert wait_until(lambda: lender.given_back == ["frame"])
    assert h.stats().frames_encoded == 0


def test_the_encoder_blends_a_fade_as_the_screen_shows_it(make_hub):
    h = make_hub()
    h.acquire_viewer()
    h.start()
    new = solid(32, 32, (0, 0, 255, 0))  # red (BGRX)
    old = solid(32, 32, (255, 0, 0, 0))  # blue
    h.publish(new, "BGRX", 1.0, over=(old, 64))  # the old picture a quarter opaque
    rgb = simplejpeg.decode_jpeg(h.wait_frame(0, timeout=5).jpeg)[16, 16].astype(int)
    assert np.abs(rgb - (191, 0, 64)).max() < 10
    h.publish(new, "BGRX", 2.0, over=(old, 255))  # fully opaque: only the old one
    rgb = simplejpeg.decode_jpeg(h.wait_frame(1, timeout=5).jpeg)[16, 16].astype(int)
    assert np.abs(rgb - (0, 0, 255)).max() < 10


def test_the_encoder_draws_sprites_at_the_stream_scale_under_the_fade(make_hub):
    h = make_hub(box=StreamBox(32, 32, whole_steps=True))  # 64x64 streams at 32x32
    h.acquire_viewer()
    h.start()
    frame = solid(64, 64, (0, 0, 255, 0))  # red (BGRX)
    lent = frame.copy()
    sprite = solid(16, 16, (0, 255, 0, 255))  # green, opaque (alpha in the X byte)
    sprite[:, :, 3][8:] = 0  # its lower half transparent
    h.publish(frame, "BGRX", 1.0, sprites=((sprite, 32, 0),))
    rgb = simplejpeg.decode_jpeg(h.wait_frame(0, timeout=5).jpeg).astype(int)
    assert rgb.shape == (32, 32, 3)
    assert np.abs(rgb[2, 20] - (0, 255, 0)).max() < 10  # the sprite, at half its place
    assert np.abs(rgb[6, 20] - (255, 0, 0)).max() < 10  # under its transparent half
    assert np.abs(rgb[2, 4] - (255, 0, 0)).max() < 10  # beside it
    assert np.array_equal(frame, lent)  # drawn on the encoder's copy, not the frame
    old = solid(64, 64, (255, 0, 0, 0))  # blue, fully opaque over it all
    h.publish(frame, "BGRX", 2.0, sprites=((sprite, 32, 0),), over=(old, 255))
    rgb = simplejpeg.decode_jpeg(h.wait_frame(1, timeout=5).jpeg).astype(int)
    assert np.abs(rgb[2, 20] - (0, 0, 255)).max() < 10


def test_a_scaled_sprite_averages_its_colour_weighted_by_alpha():
    """A thin light line on a transparent sprite, halved: the stream shows what halving
    the screen's picture shows (half as bright), not a line darkened by its transparent
    black neighbours too (a quarter)."""
    scaler = SpriteScaler()
    sprite = np.zeros((8, 8, 4), np.uint8)
    sprite[:, 2] = (255, 255, 255, 255)  # one column, white, opaque
    black = np.zeros((4, 4, 4), np.uint8)
    drawn = scaler.draw(black, "BGRX", ((sprite, 0, 0),), 0.5)
    assert np.abs(drawn[:, 1, :3].astype(int) - 128).max() <= 1
    assert not drawn[:, [0, 2, 3], :3].any()
    assert not black.any()  # a copy was drawn on


def test_sprites_need_a_four_byte_layout(make_hub):
    with pytest.raises(ValueError, match="sprites"):
        make_hub().publish(np.zeros((4, 4, 3), np.uint8), "RGB", 1.0, sprites=((None, 0, 0),))
