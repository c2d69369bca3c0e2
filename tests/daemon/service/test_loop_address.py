"""The render loop puts the mirror's address on screen per display.show_address: the URL
comes from the discovery thread as a command, a page view (a flag the web side sets)
ends `auto`, a reload changes the policy; the frame the mirror gets carries a QR code a
phone reads."""

import numpy as np
import pygame
import pytest
import zxingcpp
from support import FakeClock
from support.loop import build_loop

from spirokiosk.daemon.config import load_config
from spirokiosk.daemon.service.control import Reloaded
from spirokiosk.display.curves import PRESETS, SHAPES

URL = "http://10.0.0.7:8000/"


def config_with(*overrides):
    defaults = [
        "display.mode=headless",
        "display.size=640x480",
        'curves.playlist=["seed-magma-11", "gears-96-52"]',
        "curves.draw_seconds=20",
    ]
    return load_config(None, [*defaults, *overrides], PRESETS, SHAPES)


def make_loop(config):
    clock = FakeClock()
    return build_loop(config, clock=clock), clock


def ticks(loop, clock, seconds=0.5, step=1 / 30):
    for _ in range(round(seconds / step)):
        clock.now += step
        loop.tick()


def qr_on(frame: pygame.Surface) -> list[str]:
    pixels = np.ascontiguousarray(pygame.surfarray.array3d(frame).transpose(1, 0, 2))
    return [result.text for result in zxingcpp.read_barcodes(pixels)]


def test_auto_shows_the_address_until_the_page_is_opened():
    loop, clock = make_loop(config_with())
    loop.tick()
    assert qr_on(loop.frame) == []  # no address known yet
    assert loop.control.show_address(URL)  # as the discovery thread does
    ticks(loop, clock)
    assert qr_on(loop.frame) == [URL]
    assert loop.control.status()["address"] == {
        "url": URL,
        "on_screen": True,
        "announced_as": None,
    }
    loop.control.note_page_view()  # GET / did this
    ticks(loop, clock)
    assert qr_on(loop.frame) == []
    assert loop.control.status()["address"]["on_screen"] is False
    assert loop.scene.address is None


@pytest.mark.parametrize(("policy", "shown"), [("always", True), ("never", False)])
def test_always_and_never(policy, shown):
    loop, clock = make_loop(config_with(f"display.show_address={policy}"))
    loop.control.show_address(URL)
    loop.control.note_page_view()
    ticks(loop, clock)
    assert (qr_on(loop.frame) == [URL]) is shown


def test_a_reload_changes_the_policy_and_a_new_url_replaces_the_old():
    loop, clock = make_loop(config_with("display.show_address=never"))
    loop.control.show_address(URL)
    ticks(loop, clock)
    assert qr_on(loop.frame) == []
    loop.reloaded(Reloaded(config_with("display.show_address=always")))
    ticks(loop, clock)
    assert qr_on(loop.frame) == [URL]
    loop.control.show_address("http://10.0.0.8:8000/")  # the Wi-Fi got another address
    ticks(loop, clock)
    assert qr_on(loop.frame) == ["http://10.0.0.8:8000/"]
