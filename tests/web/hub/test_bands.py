"""The stream's JPEG by bands (web.hub.bands, web.hub.splice): spliced strips decode to
the pixels of one whole encode; only changed bands are encoded again; fades, sprites and
settings changes; a dropped frame's changes carried on. Real simplejpeg and Pillow."""

import io
import subprocess
import threading

import numpy as np
import pytest
import simplejpeg
from PIL import Image
from support import wait_until

from spirokiosk.web.app.snapshot_recipe import with_comment
from spirokiosk.web.hub import FrameHub, StreamSettings
from spirokiosk.web.hub.bands import BandEncoder
from spirokiosk.web.hub.jpeg import StreamBox, encode_jpeg
from spirokiosk.web.hub.splice import parse

SIZES = [(1920, 1080), (960, 540), (853, 480), (100, 37)]


def picture(width, height, layout="BGRX", seed=0):
    """Noise over gradients: every band's scan differs, every value occurs."""
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, 256, (height, width, len(layout)), dtype=np.uint8)
    frame[: height // 2] //= 4
    frame[: height // 2] += np.linspace(0, 180, width, dtype=np.uint8)[None, :, None]
    return frame


def whole(frame, layout, quality=80, box=None, over=None, sprites=()):
    """What the hub sent before bands: one encode of the whole (scaled) picture."""
    return encode_jpeg(frame, layout, quality, box, over, sprites)[0]


def assert_same_pixels(jpeg, reference):
    expected = simplejpeg.decode_jpeg(reference)
    assert np.array_equal(simplejpeg.decode_jpeg(jpeg), expected)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB")), expected)
    Image.open(io.BytesIO(jpeg)).verify()


def primed(frame, layout, **kwargs):
    """A BandEncoder whose band scans are built: a whole frame, then a one-pixel change."""
    encoder = BandEncoder()
    encoder.encode(frame, layout, 80, **kwargs)
    frame[0, 0] ^= 0xFF
    encoder.encode(frame, layout, 80, changed=[(0, 0, 1, 1)], **kwargs)
    return encoder


def markers(jpeg):
    """The marker bytes after 0xFF in the entropy data and segments (stuffing left out)."""
    found = set()
    at = jpeg.find(b"\xff")
    while at != -1:
        if jpeg[at + 1] not in (0x00, 0xFF):
            found.add(jpeg[at + 1])
        at = jpeg.find(b"\xff", at + 1)
    return found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("layout", ["BGRX", "RGBX", "RGB", "XRGB"])
def test_spliced_strips_decode_to_the_pixels_of_one_whole_encode(size, layout):
    frame = picture(*size, layout)
    encoder = primed(frame, layout)
    bands = -(-size[1] // 16)
    assert encoder.strip_encodes == bands  # the rebuild: every band, as a strip
    jpeg, width, height = encoder.encode(frame, layout, 80, changed=[(5, 3, 2, 2)])
    assert (width, height) == size
    assert encoder.strip_encodes == bands + 1
    assert_same_pixels(jpeg, whole(frame, layout))
    assert {0xDD, 0xD0} <= markers(jpeg)  # DRI and RST0 at least
    if bands > 9:
        assert set(range(0xD0, 0xD8)) <= markers(jpeg)  # RST0..RST7 cycle


@pytest.mark.parametrize("size", SIZES)
def test_changes_at_the_edges_and_in_the_short_last_band_encode_only_their_bands(size):
    width, height = size
    frame = picture(width, height, seed=1)
    encoder = primed(frame, "BGRX")
    changes = [
        ((0, 0, 3, 2), {0}),  # top left corner
        ((width - 2, height - 1, 2, 1), {(height - 1) // 16}),  # the last row: short band
        ((width // 2, 15, 4, 2), {0, 1}),  # across a band's border
        ((-10, height - 3, width + 20, 50), {(height - 3) // 16, (height - 1) // 16}),
    ]
    for rect, bands in changes:
        x, y, w, h = rect
        frame[max(0, y) : y + h, max(0, x) : x + w] = (
            255 - frame[max(0, y) : y + h, max(0, x) : x + w]
        )
        before = encoder.strip_encodes
        jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[rect])
        assert encoder.strip_encodes - before == len(bands)
        assert_same_pixels(jpeg, whole(frame, "BGRX"))


def test_nothing_changed_reuses_the_last_jpeg_without_encoding():
    frame = picture(320, 200)
    encoder = primed(frame, "BGRX")
    first, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(1, 1, 1, 1)])
    counts = (encoder.strip_encodes, encoder.whole_encodes)
    again, _, _ = encoder.encode(frame, "BGRX", 80, changed=[])
    assert again is first
    assert (encoder.strip_encodes, encoder.whole_encodes) == counts
    assert encoder.reused == 1


def test_most_bands_changed_is_one_whole_encode_and_the_bands_are_rebuilt_after():
    frame = picture(320, 240)  # 15 bands
    encoder = primed(frame, "BGRX")
    frame[:230] = 255 - frame[:230]  # all 15 bands
    strips, wholes = encoder.strip_encodes, encoder.whole_encodes
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(0, 0, 320, 230)])
    assert (encoder.strip_encodes, encoder.whole_encodes) == (strips, wholes + 1)
    assert_same_pixels(jpeg, whole(frame, "BGRX"))
    frame[100, 100] = 0
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(100, 100, 1, 1)])
    assert encoder.strip_encodes == strips + 15  # all of them again
    assert_same_pixels(jpeg, whole(frame, "BGRX"))
    frame[230, 10] = 0
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(10, 230, 1, 1)])
    assert encoder.strip_encodes == strips + 16
    assert_same_pixels(jpeg, whole(frame, "BGRX"))


@pytest.mark.parametrize("size", [(1920, 1080), (853, 481)])
def test_whole_step_scaling_scales_and_encodes_only_the_changed_bands(size):
    width, height = size
    box = StreamBox(width // 2 + 1, height // 2 + 1, whole_steps=True)  # divides by 2
    frame = picture(width, height, seed=2)
    encoder = primed(frame, "BGRX", box=box)
    out_height = -(-height // 2)
    for y in (0, 31, 32, height - 1):  # stream rows y // 2: bands at 0, 0, 1, the last
        frame[y, 7] ^= 0x55
        before = encoder.strip_encodes
        jpeg, w, h = encoder.encode(frame, "BGRX", 80, box=box, changed=[(7, y, 1, 1)])
        assert (w, h) == (-(-width // 2), out_height)
        assert encoder.strip_encodes - before == 1
        assert_same_pixels(jpeg, whole(frame, "BGRX", box=box))


def test_a_resized_stream_encodes_the_bands_the_filter_reaches():
    box = StreamBox(640, 360)  # 1920x1080 by 3: a bilinear resize, no whole divisor
    frame = picture(1920, 1080, seed=3)
    encoder = primed(frame, "BGRX", box=box)
    frame[600:602, 900:910] = 255
    before = encoder.strip_encodes
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, box=box, changed=[(900, 600, 10, 2)])
    assert 1 <= encoder.strip_encodes - before <= 2
    assert_same_pixels(jpeg, whole(frame, "BGRX", box=box))


def test_fades_sprites_moving_and_new_settings_encode_it_all_again():
    frame = picture(320, 240, seed=4)
    old = picture(320, 240, seed=5)
    encoder = primed(frame, "BGRX")
    wholes = encoder.whole_encodes
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, over=(old, 100), changed=[])
    assert encoder.whole_encodes == wholes + 1
    assert_same_pixels(jpeg, whole(frame, "BGRX", over=(old, 100)))
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[])  # the fade ended: all anew
    assert encoder.whole_encodes == wholes + 2
    assert_same_pixels(jpeg, whole(frame, "BGRX"))
    jpeg, _, _ = encoder.encode(frame, "BGRX", 60, changed=[])  # another quality
    assert encoder.whole_encodes == wholes + 3
    assert_same_pixels(jpeg, whole(frame, "BGRX", quality=60))
    jpeg, _, _ = encoder.encode(frame[:, :200].copy(), "BGRX", 60, changed=[])  # another size
    assert encoder.whole_encodes == wholes + 4
    assert_same_pixels(jpeg, whole(frame[:, :200].copy(), "BGRX", quality=60))


def test_a_moving_sprite_re_encodes_the_bands_it_left_and_entered():
    frame = picture(320, 240, seed=6)
    sprite = np.zeros((20, 20, 4), np.uint8)
    sprite[..., 1] = 255
    sprite[..., 3] = 200  # the X byte is the sprite's alpha
    encoder = primed(frame, "BGRX", sprites=((sprite, 50, 40),))
    # moved right: its bands 2, 3; down to rows 100..119: those and 6, 7; a row: 6, 7;
    # to the last band, 14: 6, 7 and 14
    for y, bands in ((40, 2), (100, 4), (101, 2), (230, 3)):
        before = encoder.strip_encodes
        sprites = ((sprite, 60, y),)
        jpeg, _, _ = encoder.encode(frame, "BGRX", 80, sprites=sprites, changed=[])
        assert encoder.strip_encodes - before == bands
        assert_same_pixels(jpeg, whole(frame, "BGRX", sprites=sprites))


class OddTables(BandEncoder):
    """Encodes the strips of rows from `odd_from` on at another quality: real strips
    whose quantisation tables differ from the header's (the TJ_OPTIMIZE environment
    variable would do that to the Huffman tables, but this build of simplejpeg's
    libjpeg-turbo ignores it)."""

    odd_from = None

    def _compress(self, strip, layout, quality):
        odd = self.odd_from is not None and self.strip_encodes > self.odd_from
        return super()._compress(strip, layout, quality - 1 if odd else quality)


def test_a_strip_whose_tables_differ_falls_back_to_whole_encodes(caplog):
    frame = picture(320, 240, seed=7)
    encoder = OddTables()
    encoder.encode(frame, "BGRX", 80)
    encoder.encode(frame, "BGRX", 80, changed=[(0, 0, 1, 1)])  # the scans, the header
    encoder.odd_from = encoder.strip_encodes
    frame[:16] = 0
    wholes = encoder.whole_encodes
    with caplog.at_level("DEBUG", logger="spirokiosk.web.hub.bands"):
        jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(0, 0, 320, 16)])
    assert encoder.whole_encodes == wholes + 1
    assert "tables differ" in caplog.text
    assert_same_pixels(jpeg, whole(frame, "BGRX"))


def test_a_jpeg_with_restart_markers_of_its_own_is_no_strip():
    frame = picture(64, 48)
    encoder = primed(frame, "BGRX")
    spliced, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="restart markers"):
        parse(spliced)
    high, low = (parse(simplejpeg.encode_jpeg(frame, q, "BGRX", "420")) for q in (80, 79))
    assert high.tables != low.tables


# -- through the hub ---------------------------------------------------------------------


@pytest.fixture
def hub():
    made = FrameHub(StreamSettings())
    made.acquire_viewer()
    yield made
    made.stop()


def encoded(hub, after):
    assert wait_until(lambda: hub.stats().frames_encoded > after)
    return hub.latest()


def hold_encoder(hub, monkeypatch, timestamp: float) -> tuple[threading.Event, threading.Event]:
    """The encoder stops at the frame stamped `timestamp` (`entered` is set) until `go_on`
    is set, so that the frames published meanwhile wait, and all but the newest drop."""
    entered, go_on = threading.Event(), threading.Event()
    real_encode = hub._encode

    def held_encode(raw, quality, box):
        if raw.timestamp == timestamp:
            entered.set()
            assert go_on.wait(5)
        real_encode(raw, quality, box)

    monkeypatch.setattr(hub, "_encode", held_encode)
    return entered, go_on


def test_a_dropped_frames_changes_go_on_with_the_next(hub, monkeypatch):
    frame = picture(640, 528, seed=8)  # 33 bands
    entered, go_on = hold_encoder(hub, monkeypatch, 3.0)  # until A and B are in
    hub.start()
    hub.publish(frame.copy(), "BGRX", 1.0)
    encoded(hub, 0)
    frame[0, 0] ^= 1
    hub.publish(frame.copy(), "BGRX", 2.0, changed=[(0, 0, 1, 1)])  # the scans rebuilt
    encoded(hub, 1)
    strips = hub.encoder.strip_encodes
    frame[0, 0] ^= 1
    hub.publish(frame.copy(), "BGRX", 3.0, changed=[(0, 0, 1, 1)])  # band 0
    assert entered.wait(5)
    frame[10:21] = 255 - frame[10:21]  # A: rows 10..20, bands 0 and 1
    hub.publish(frame.copy(), "BGRX", 4.0, changed=[(0, 10, 640, 11)])
    frame[500:511] = 255 - frame[500:511]  # B: rows 500..510, band 31; A is dropped
    hub.publish(frame.copy(), "BGRX", 5.0, changed=[(0, 500, 640, 11)])
    go_on.set()
    latest = encoded(hub, 3)
    assert latest.timestamp == 5.0
    assert hub.stats().frames_dropped == 1
    assert hub.encoder.strip_encodes - strips == 1 + 3
    assert hub.encoder.whole_encodes == 1  # the first frame only
    assert_same_pixels(latest.jpeg, whole(frame, "BGRX"))


def test_a_dropped_frame_that_changed_everything_makes_the_next_all_new(hub, monkeypatch):
    frame = picture(320, 240, seed=12)
    entered, go_on = hold_encoder(hub, monkeypatch, 3.0)
    hub.start()
    hub.publish(frame.copy(), "BGRX", 1.0)
    encoded(hub, 0)
    frame[0, 0] ^= 1
    hub.publish(frame.copy(), "BGRX", 2.0, changed=[(0, 0, 1, 1)])
    encoded(hub, 1)
    hub.publish(frame.copy(), "BGRX", 3.0, changed=[])
    assert entered.wait(5)
    frame[:] = 255 - frame  # A: everything (changed=None), dropped
    hub.publish(frame.copy(), "BGRX", 4.0)
    frame[100, 100] = 0  # B: a pixel
    hub.publish(frame.copy(), "BGRX", 5.0, changed=[(100, 100, 1, 1)])
    wholes = hub.encoder.whole_encodes
    go_on.set()
    latest = encoded(hub, 3)
    assert latest.timestamp == 5.0
    assert hub.encoder.whole_encodes == wholes + 1
    assert_same_pixels(latest.jpeg, whole(frame, "BGRX"))


def test_a_frame_published_without_changes_is_all_new(hub):
    frame = picture(320, 240, seed=9)
    hub.start()
    hub.publish(frame.copy(), "BGRX", 1.0)
    encoded(hub, 0)
    frame[5:9] = 0
    wholes = hub.encoder.whole_encodes
    hub.publish(frame.copy(), "BGRX", 2.0)  # changed=None: anything may differ
    latest = encoded(hub, 1)
    assert hub.encoder.whole_encodes == wholes + 1
    assert_same_pixels(latest.jpeg, whole(frame, "BGRX"))


def test_the_snapshots_recipe_comment_goes_into_a_spliced_jpeg_too():
    """/snapshot.jpg adds a COM segment after JFIF's APP0 (web.app.snapshot_recipe)."""
    frame = picture(200, 100, seed=10)
    encoder = primed(frame, "BGRX")
    frame[50, 50] = 0
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(50, 50, 1, 1)])
    assert encoder.whole_encodes == 1  # this one spliced from strips
    commented = with_comment(jpeg, b"spirokiosk-recipe:{}")
    with Image.open(io.BytesIO(commented)) as image:
        assert image.info["comment"] == b"spirokiosk-recipe:{}"
    assert_same_pixels(commented, whole(frame, "BGRX"))


def test_ffmpeg_decodes_a_spliced_jpeg_without_complaint(tmp_path):
    """Another decoder than libjpeg-turbo (FFmpeg's mjpeg) reads the restart markers."""
    frame = picture(853, 480, seed=11)
    encoder = primed(frame, "BGRX")
    frame[470:480, :30] = 0
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, changed=[(0, 470, 30, 10)])
    path = tmp_path / "spliced.jpg"
    path.write_bytes(jpeg)
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "mjpeg,853,480" and probe.stderr == ""
    reference = tmp_path / "whole.jpg"
    reference.write_bytes(whole(frame, "BGRX"))
    decoded = [
        subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(p), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
            capture_output=True,
            check=True,
        )
        for p in (path, reference)
    ]
    assert decoded[0].stderr == b""
    assert len(decoded[0].stdout) == 853 * 480 * 3
    assert decoded[0].stdout == decoded[1].stdout  # the same coefficients, the same pixels


def test_a_fades_old_frame_is_scaled_once_for_all_its_frames_and_again_for_the_next(
    monkeypatch,
):
    import spirokiosk.web.hub.bands as bands
    import spirokiosk.web.hub.jpeg as jpeg_module

    box = StreamBox(640, 360, whole_steps=True)  # 1280x720 halved
    frame, old, older = (picture(1280, 720, seed=s) for s in (7, 8, 9))
    scaled = []  # which old frame each scaling of one was (the frame's own are left out)
    real_scale = jpeg_module.scale_pixels

    def counting(pixels, size, divisor=None):
        scaled.extend(name for name, o in (("old", old), ("older", older)) if pixels is o)
        return real_scale(pixels, size, divisor)

    monkeypatch.setattr(bands, "scale_pixels", counting)
    monkeypatch.setattr(jpeg_module, "scale_pixels", counting)
    encoder = BandEncoder()
    for alpha in (240, 160, 80):  # one fade: its frames share the key, the old frame one scale
        jpeg, width, height = encoder.encode(frame, "BGRX", 80, box, over=(old, alpha), over_key=1)
        assert (width, height) == (640, 360)
        assert_same_pixels(jpeg, whole(frame, "BGRX", box=box, over=(old, alpha)))
    assert scaled.count("old") == 1 + 3  # (and once for each reference `whole` made)
    # The next fade (another old frame, another key): scaled anew, never the last one's.
    jpeg, _, _ = encoder.encode(frame, "BGRX", 80, box, over=(older, 200), over_key=2)
    assert_same_pixels(jpeg, whole(frame, "BGRX", box=box, over=(older, 200)))
    assert scaled.count("older") == 1 + 1
    # Without a key nothing is kept: each frame scales its own.
    for alpha in (100, 50):
        jpeg, _, _ = encoder.encode(frame, "BGRX", 80, box, over=(old, alpha))
        assert_same_pixels(jpeg, whole(frame, "BGRX", box=box, over=(old, alpha)))
    assert scaled.count("old") == 4 + 2 * 2
