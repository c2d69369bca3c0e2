"""The mirror's address on screen: a QR code a phone can read (decoded here from the
picture with zxing-cpp: raw, as PNG, as the stream's JPEG), shown a few seconds at each
new curve, and composed where it changed like every other overlay."""

import dataclasses
import io
import logging

import numpy as np
import pygame
import pytest
import simplejpeg
import zxingcpp
from PIL import Image

from spirokiosk.display.curves import PRESETS
from spirokiosk.display.draw.address import QUIET_ZONE, address_card, qr_surface
from spirokiosk.display.draw.damage import merge
from spirokiosk.display.draw.scene import ADDRESS_SECONDS, Overlays, Scene, Timing

URL = "http://192.168.1.23:8000/"
CURVES = [
    dataclasses.replace(PRESETS["gears-96-30"], name="first"),
    dataclasses.replace(PRESETS["seed-rhombus-8"], name="second"),
]


def playlist():
    index = [0]

    def next_curve():
        curve = CURVES[index[0] % len(CURVES)]
        index[0] += 1
        return curve

    return next_curve


def rgb(surface: pygame.Surface) -> np.ndarray:
    """(height, width, 3), as image libraries take it."""
    return np.ascontiguousarray(pygame.surfarray.array3d(surface).transpose(1, 0, 2))


def decoded(picture) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(picture)]


def frame(scene: Scene) -> pygame.Surface:
    target = pygame.Surface(scene.size, 0, 32)
    scene.composer.draw(target)
    return target


def test_the_qr_code_holds_the_url_in_crisp_modules():
    code = qr_surface(URL, 5)
    assert decoded(rgb(code)) == [URL]
    pixels = rgb(code)
    assert set(np.unique(pixels.reshape(-1, 3), axis=0).sum(axis=1)) == {3 * 250, 12 + 12 + 16}
    corner = pixels[: QUIET_ZONE * 5, : QUIET_ZONE * 5]
    assert (corner == 250).all()  # the quiet zone is light


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720), (640, 480)])
def test_a_phone_reads_the_url_off_the_screen(tmp_path, size):
    scene = Scene(size, playlist(), Timing(draw_seconds=20.0), Overlays(caption=True))
    scene.show_address(URL)
    scene.update(3.0)  # the pen well under way
    shown = frame(scene)
    assert decoded(rgb(shown)) == [URL]
    # The mirror's pictures: a PNG snapshot, and the stream's JPEG at its default quality.
    png = tmp_path / "screen.png"
    pygame.image.save(shown, str(png))
    assert decoded(Image.open(png)) == [URL]
    jpeg = simplejpeg.encode_jpeg(rgb(shown), quality=80, colorspace="RGB")
    assert decoded(Image.open(io.BytesIO(jpeg))) == [URL]


def test_modules_are_a_few_pixels_and_the_card_sits_bottom_left():
    scene = Scene((1920, 1080), playlist(), overlays=Overlays(pen=False))
    scene.show_address(URL)
    card = address_card(URL, 1080)
    assert 200 <= card.get_height() <= 400  # a phone a few steps away reads it
    shown = rgb(frame(scene))
    rows = np.flatnonzero((shown == 250).all(axis=2).any(axis=1))
    assert 1080 - 60 < rows.max() < 1080  # near the bottom edge, above the margin
    result = zxingcpp.read_barcodes(shown)[0]
    assert result.position.top_left.x < 300 and result.position.bottom_left.y > 1080 - 400


def test_shown_a_few_seconds_at_each_new_curve():
    timing = Timing(draw_seconds=2.0, hold_seconds=1.0, fade_seconds=0.0)
    scene = Scene((640, 480), playlist(), timing, Overlays())
    scene.show_address(URL, seconds=1.0)
    seen = []
    for step in range(int(6.0 / 0.25)):  # two curves
        scene.update(0.0 if step == 0 else 0.25)
        seen.append((scene.curve.name, scene.address_shown, decoded(rgb(frame(scene))) == [URL]))
    assert [shown for _, shown, _ in seen] == [read for _, _, read in seen]
    first = [shown for name, shown, _ in seen if name == "first"]
    second = [shown for name, shown, _ in seen if name == "second"]
    # 0, 0.25, 0.5, 0.75 s into the first curve; 0.25 to 0.75 s into the second (the step
    # that switched carried 0.25 s over); then not until the next curve.
    assert first[:4] == [True] * 4 and len(first) > 8 and not any(first[4:])
    assert second[:3] == [True] * 3 and len(second) > 8 and not any(second[3:])


def test_none_takes_it_away_at_once_and_only_its_area_is_drawn_again():
    scene = Scene((640, 480), playlist(), Timing(draw_seconds=20.0), Overlays(pen=False))
    target = pygame.Surface(scene.size, 0, 32)
    scene.show_address(URL)
    scene.update(0.0)
    scene.composer.compose(target)
    assert decoded(rgb(target)) == [URL]
    card = pygame.Rect((0, 0), address_card(URL, 480).get_size())
    scene.show_address(None)
    scene.update(0.0)
    damage = scene.composer.compose(target, stale=[])
    assert decoded(rgb(target)) == []
    assert len(damage) == 1 and damage[0].size == card.size
    assert np.array_equal(rgb(target), rgb(scene.drawing.canvas))  # the canvas again
    scene.update(0.0)
    assert scene.composer.compose(target, stale=[]) == []


@pytest.mark.parametrize("buffers", [1, 2])
def test_compose_with_the_card_equals_the_whole_frame_drawn(buffers):
    """The card comes and goes, above the caption, through a fade; on kept buffers."""
    timing = Timing(draw_seconds=1.0, hold_seconds=0.4, fade_seconds=0.3)
    composing, reference = (
        Scene((320, 240), playlist(), timing, Overlays(pen=True, wheels=True, caption=True))
        for _ in range(2)
    )
    for scene in (composing, reference):
        scene.show_address(URL, seconds=0.5)
    targets = [pygame.Surface((320, 240), 0, 32) for _ in range(buffers)]
    stale = [None] * buffers
    expected = pygame.Surface((320, 240), 0, 32)
    states = set()
    for step in range(130):  # 1.4 s a curve at 1/60: the second one's card comes and goes
        dt = 0.0 if step == 0 else 1 / 60
        composing.update(dt)
        reference.update(dt)
        index = step % buffers
        damage = composing.composer.compose(targets[index], stale=stale[index])
        stale[index] = []
        for other in range(buffers):
            if other != index and stale[other] is not None:
                stale[other] = merge([*stale[other], *damage], targets[index].get_rect())
        reference.composer.draw(expected)
        shown = targets[index].copy()
        if composing.composer.fade is not None:
            old, alpha = composing.composer.fade
            old.set_alpha(None if alpha >= 255 else alpha)
            shown.blit(old, (0, 0))
        assert np.array_equal(rgb(shown), rgb(expected)), (step, composing.phase)
        states.add((composing.curve.name, composing.address_shown))
    assert states == {("first", True), ("first", False), ("second", True), ("second", False)}


def test_a_screen_too_small_for_the_card_goes_without(caplog):
    scene = Scene((64, 48), playlist())
    with caplog.at_level(logging.INFO, logger="spirokiosk.display.draw.scene"):
        scene.show_address(URL)
    assert not scene.address_shown
    assert "does not fit a 64x48 screen" in caplog.text


def test_a_resized_scene_keeps_the_address():
    scene = Scene((640, 480), playlist())
    scene.show_address(URL)
    bigger = scene.resized((1280, 720))
    assert bigger.address == URL and bigger.address_shown
    assert ADDRESS_SECONDS >= 5  # long enough to take a phone out
