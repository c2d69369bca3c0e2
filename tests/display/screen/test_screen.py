"""Opening the output: the DRM card choice, SDL's environment, modes and the headless fallback.

pygame runs on SDL's dummy video driver here (tests/conftest.py); a driver that
does not exist stands for a screen that cannot be opened.
"""

import errno
import logging
import os

import pygame
import pytest

from spirokiosk.display.draw.surfaces import surface_layout
from spirokiosk.display.screen import kmsdrm
from spirokiosk.display.screen.kmsdrm import (
    ScreenUnavailableError,
    choose_kmsdrm_device,
    connected_connectors,
    master_held_elsewhere,
    prepare_environment,
)
from spirokiosk.display.screen.output import (
    DEFAULT_SIZE,
    DisplayError,
    Output,
    auto_size,
    new_frame_surface,
    open_output,
)
from spirokiosk.display.sizes import Size

SDL_VARIABLES = (
    "SDL_VIDEODRIVER",
    "SDL_KMSDRM_DEVICE_INDEX",
    "SDL_RENDER_DRIVER",
    "DISPLAY",
    "WAYLAND_DISPLAY",
)


def fake_drm(root, connectors):
    """/sys/class/drm as a tree: {'card1-HDMI-A-1': 'connected', ...}."""
    for name, status in connectors.items():
        (root / name).mkdir(parents=True)
        (root / name / "status").write_text(status + "\n")
    (root / "card0").mkdir(exist_ok=True)  # cards themselves have no status file
    (root / "renderD128").mkdir(exist_ok=True)
    return root


@pytest.fixture
def display_closed():
    """Whatever a test opens, the display is shut afterwards (the next test starts clean)."""
    yield
    pygame.display.quit()


@pytest.fixture
def sdl_env(monkeypatch):
    """SDL's variables as tests set them (restored afterwards)."""
    for name in SDL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- which card ---------------------------------------------------------------------


def test_connected_hdmi_card_comes_first(tmp_path):
    root = fake_drm(
        tmp_path,
        {
            "card0-HDMI-A-1": "disconnected",
            "card1-DSI-1": "connected",
            "card2-HDMI-A-2": "connected",
            "card2-HDMI-A-1": "disconnected",
            "card2-Composite-1": "unknown",
        },
    )
    assert connected_connectors(root) == [(2, "HDMI-A-2"), (1, "DSI-1")]


def test_no_drm_directory_means_no_connectors(tmp_path):
    assert connected_connectors(tmp_path / "absent") == []


def test_kmsdrm_is_pointed_at_the_connected_card(tmp_path, caplog):
    root = fake_drm(tmp_path, {"card0-HDMI-A-1": "disconnected", "card1-HDMI-A-1": "connected"})
    environ = {}
    with caplog.at_level(logging.INFO, "spirokiosk.display.screen.kmsdrm"):
        choose_kmsdrm_device(environ, root)
    assert environ == {"SDL_KMSDRM_DEVICE_INDEX": "1"}
    assert "card1, HDMI-A-1 is connected" in caplog.text


def test_the_admins_device_index_is_kept(tmp_path):
    root = fake_drm(tmp_path, {"card1-HDMI-A-1": "connected"})
    environ = {"SDL_KMSDRM_DEVICE_INDEX": "0"}
    choose_kmsdrm_device(environ, root)
    assert environ == {"SDL_KMSDRM_DEVICE_INDEX": "0"}


def test_no_connected_screen_is_a_screen_to_wait_for(tmp_path):
    root = fake_drm(tmp_path, {"card1-HDMI-A-1": "disconnected", "card1-HDMI-A-2": "unknown"})
    environ = {}
    with pytest.raises(ScreenUnavailableError, match="no screen is connected") as caught:
        choose_kmsdrm_device(environ, root, tmp_path)
    assert caught.value.no_screen
    assert environ == {}


def test_no_drm_at_all_leaves_the_choice_to_sdl(tmp_path, caplog):
    environ = {}
    choose_kmsdrm_device(environ, tmp_path / "no-sysfs", tmp_path)
    assert environ == {}
    assert "letting SDL choose" in caplog.text


def card_node(tmp_path, card=1):
    """A stand-in for /dev/dri/cardN: the ioctl that tests it is injected."""
    (tmp_path / f"card{card}").write_bytes(b"")
    return tmp_path


def refusing(errno_code):
    calls = []

    def ioctl(fd, request, arg):
        calls.append((request, arg))
        raise OSError(errno_code, os.strerror(errno_code))

    ioctl.calls = calls
    return ioctl


def test_a_desktop_holding_the_screen_is_found_before_sdl_is_asked(tmp_path):
    root = fake_drm(tmp_path / "sys", {"card1-HDMI-A-1": "connected"})
    ioctl = refusing(errno.EACCES)  # the kernel's answer to anyone but the DRM master
    with pytest.raises(
        ScreenUnavailableError, match=r"another program \(a desktop\?\) owns the screen on card1"
    ) as caught:
        choose_kmsdrm_device({}, root, card_node(tmp_path), ioctl)
    assert not caught.value.no_screen
    assert ioctl.calls == [(0x40046411, b"\0\0\0\0")]  # drmAuthMagic(fd, 0), as SDL's scan


def test_the_admins_card_is_tested_too(tmp_path):
    # SDL skips its own master test once SDL_KMSDRM_DEVICE_INDEX is set: we do not.
    with pytest.raises(ScreenUnavailableError, match="card1"):
        choose_kmsdrm_device(
            {"SDL_KMSDRM_DEVICE_INDEX": "1"}, tmp_path, card_node(tmp_path), refusing(errno.EACCES)
        )


def test_being_master_ourselves_is_fine(tmp_path):
    root = fake_drm(tmp_path / "sys", {"card1-HDMI-A-1": "connected"})
    environ = {}
    # EINVAL: we are master (nobody else was), magic 0 is simply not known
    choose_kmsdrm_device(environ, root, card_node(tmp_path), refusing(errno.EINVAL))
    assert environ == {"SDL_KMSDRM_DEVICE_INDEX": "1"}
    assert master_held_elsewhere(1, tmp_path, refusing(errno.EINVAL)) is False
    assert master_held_elsewhere(7, tmp_path, refusing(errno.EACCES)) is None  # no node


# -- SDL's environment ----------------------------------------------------------------


def test_fullscreen_without_a_desktop_uses_kmsdrm_and_gles2(tmp_path):
    root = fake_drm(tmp_path, {"card1-HDMI-A-1": "connected"})
    environ = {}
    prepare_environment("fullscreen", environ, root, tmp_path)
    assert environ == {
        "SDL_VIDEODRIVER": "kmsdrm",
        "SDL_KMSDRM_DEVICE_INDEX": "1",
        "SDL_RENDER_DRIVER": "opengles2",  # not desktop GL because libGL is installed
    }
    environ = {"SDL_RENDER_DRIVER": "software"}  # the admin's choice stays
    prepare_environment("fullscreen", environ, root, tmp_path)
    assert environ["SDL_RENDER_DRIVER"] == "software"


@pytest.mark.parametrize(
    ("mode", "environ"),
    [
        ("fullscreen", {"DISPLAY": ":0"}),  # a desktop: SDL picks x11 itself
        ("fullscreen", {"WAYLAND_DISPLAY": "wayland-0"}),
        ("fullscreen", {"SDL_VIDEODRIVER": "x11"}),  # the admin's choice
        ("window", {}),
        ("headless", {}),
    ],
)
def test_sdl_environment_is_left_alone(tmp_path, mode, environ):
    root = fake_drm(tmp_path, {"card1-HDMI-A-1": "connected"})
    before = dict(environ)
    prepare_environment(mode, environ, root)
    assert environ == before


# -- modes ------------------------------------------------------------------------------


def test_headless_never_initialises_sdl_video(display_closed):
    output = open_output("headless", None)
    assert not pygame.display.get_init()
    assert (output.mode, output.requested, output.driver) == ("headless", "headless", None)
    assert output.size == DEFAULT_SIZE
    assert not output.has_events
    frame = new_frame_surface(output.size)
    frame.fill((10, 20, 30))
    assert output.present(frame, [frame.get_rect()]) == 0  # nothing uploaded, no error
    assert surface_layout(frame) in ("BGRX", "XRGB", "RGBX", "XBGR")
    output.close()


def test_window_of_the_configured_size(display_closed):
    output = open_output("window", Size(320, 200))
    assert pygame.display.get_init()
    assert (output.mode, output.driver, output.size) == ("window", "dummy", (320, 200))
    assert output.presenter.window.title == "spirokiosk"
    assert tuple(output.presenter.window.size) == (320, 200)
    assert output.has_events and not output.vsync
    frame = new_frame_surface(output.size)
    assert output.present(frame, [pygame.Rect(10, 10, 20, 5)]) == 20 * 5 * 4
    output.close()
    assert not pygame.display.get_init()


def test_window_auto_size_is_1280x720(display_closed):
    output = open_output("window", None)
    assert output.size == (1280, 720)
    output.close()


def test_fullscreen_takes_the_screen_size_and_hides_the_cursor(tmp_path, display_closed):
    output = open_output("fullscreen", None, drm_root=tmp_path)
    assert output.mode == "fullscreen"
    assert output.size == pygame.display.get_desktop_sizes()[0]
    assert not pygame.mouse.get_visible()
    # Asked for; a renderer that cannot wait is paced by SDL itself (SDL_render.c,
    # simulate_vsync), and the render loop caps a rate that is still too high.
    assert output.vsync
    output.close()


def test_unavailable_display_falls_back_to_headless_with_one_warning(
    sdl_env, display_closed, caplog
):
    sdl_env.setenv("SDL_VIDEODRIVER", "no-such-driver")
    with caplog.at_level(logging.INFO, "spirokiosk.display.screen.output"):
        output = open_output("window", Size(200, 100), fallback_headless=True)
    assert (output.mode, output.requested, output.size) == ("headless", "window", (200, 100))
    assert "no-such-driver" in output.fallback_reason
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "cannot open window" in warnings[0].getMessage()
    assert "running headless" in warnings[0].getMessage()
    assert not pygame.display.get_init()


def test_unavailable_display_without_fallback_is_one_clear_error(sdl_env, display_closed, tmp_path):
    sdl_env.setenv("SDL_VIDEODRIVER", "no-such-driver")
    with pytest.raises(DisplayError) as failure:
        open_output("fullscreen", None, fallback_headless=False, drm_root=tmp_path)
    message = str(failure.value)
    assert "\n" not in message
    assert "cannot open fullscreen" in message
    assert "display.fallback_headless is false" in message
    assert not pygame.display.get_init()


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match=r"display\.mode"):
        open_output("hologram")


@pytest.mark.parametrize(
    ("mode", "driver", "desktop"),
    [
        ("window", "x11", True),
        ("fullscreen", "x11", True),  # fullscreen over a desktop: Esc and q still quit
        ("fullscreen", "wayland", True),
        ("fullscreen", "kmsdrm", False),  # the kiosk: a stray key must not stop it
        ("headless", None, False),
    ],
)
def test_quit_keys_are_for_desktops_only(mode, driver, desktop):
    output = Output(mode, mode, pygame.Surface((8, 8)), driver=driver)
    assert output.on_desktop is desktop


# -- a desktop, a 4K TV ---------------------------------------------------------------


@pytest.fixture
def kmsdrm_env(monkeypatch):
    for name in SDL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SDL_VIDEODRIVER", "kmsdrm")
    return monkeypatch


def test_a_desktop_holding_the_screen_means_headless_saying_why(tmp_path, kmsdrm_env, caplog):
    root = fake_drm(tmp_path / "sys", {"card1-HDMI-A-1": "connected"})
    kmsdrm_env.setattr(kmsdrm.fcntl, "ioctl", refusing(errno.EACCES))
    with caplog.at_level(logging.WARNING):
        output = open_output("fullscreen", None, drm_root=root, dev_root=card_node(tmp_path))
    assert output.mode == "headless" and not output.waiting_for_screen
    assert output.fallback_reason == "another program (a desktop?) owns the screen on card1"
    assert "owns the screen on card1; running headless" in caplog.text
    with pytest.raises(DisplayError, match="owns the screen on card1"):
        open_output("fullscreen", None, fallback_headless=False, drm_root=root, dev_root=tmp_path)


def test_no_screen_means_headless_waiting_for_one(tmp_path, kmsdrm_env, caplog):
    root = fake_drm(tmp_path / "sys", {"card1-HDMI-A-1": "disconnected"})
    with caplog.at_level(logging.WARNING):
        output = open_output("fullscreen", None, drm_root=root, dev_root=tmp_path)
    assert output.mode == "headless" and output.requested == "fullscreen"
    assert output.waiting_for_screen
    assert output.fallback_reason == "no screen is connected (or it is off)"
    assert "taken as soon as one is connected" in caplog.text
    with pytest.raises(DisplayError, match="no screen is connected"):
        open_output("fullscreen", None, fallback_headless=False, drm_root=root, dev_root=tmp_path)


@pytest.mark.parametrize(
    ("screen", "drawn"),
    [
        ((3840, 2160), (1920, 1080)),  # a 4K TV: a quarter of the pixels, the GPU scales
        ((2160, 3840), (1080, 1920)),  # the same TV standing up
        ((2560, 1440), (1920, 1080)),
        ((1920, 1080), (1920, 1080)),
        ((1280, 720), (1280, 720)),
        ((3440, 1440), (1920, 804)),
    ],
)
def test_auto_size_caps_the_drawing_at_1080p(screen, drawn):
    assert auto_size(screen) == drawn


def test_fullscreen_on_a_4k_screen_draws_1080p(sdl_env, display_closed):
    sdl_env.setenv("SDL_VIDEODRIVER", "dummy")
    sdl_env.setattr(pygame.display, "get_desktop_sizes", lambda: [(3840, 2160)])
    output = open_output("fullscreen", None)
    assert output.size == (1920, 1080)
    output.close()
    output = open_output("fullscreen", (800, 450))  # display.size = WxH: as given
    assert output.size == (800, 450)
