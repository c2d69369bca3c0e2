"""Opening the picture's output: the HDMI screen, a desktop window, or nothing at all.

    output = open_output("fullscreen", size=None, fallback_headless=True)
    frame = new_frame_surface(output.size)
    damage = scene.composer.compose(frame); output.present(frame, damage, scene.composer.fade)
    output.close()

- fullscreen: SDL's kmsdrm driver straight on the Pi's HDMI screen (no X, no
  Wayland), on the card `kmsdrm` chooses. The picture goes through an SDL
  renderer and one texture (see `presenter`), which is what gives vsync and
  scales a smaller picture to the screen on the GPU; the cursor is hidden.
- window: a plain desktop window for development, display.size or 1280x720.
- headless: an off-screen surface; SDL's video is never initialised. The web
  mirror still runs.

SDL reads its environment variables when the display is initialised, so they
are set by `open_output` (through `kmsdrm.prepare_environment`), never at import.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pygame
from pygame._sdl2 import video

from spirokiosk.display.screen import MODES, ROTATIONS
from spirokiosk.display.screen.kmsdrm import (
    DRM_DEVICES,
    DRM_SYSFS,
    ScreenUnavailableError,
    prepare_environment,
)
from spirokiosk.display.screen.presenter import Presenter, Sprites
from spirokiosk.display.sizes import turned

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 720)  # window and headless when display.size is auto
# display.size auto draws at the screen's size up to this (either way round); a 4K TV
# gets a 1920x1080 picture that the GPU scales up, instead of four times the pixels to
# draw and upload every frame. An explicit display.size is taken as it is.
AUTO_MAX = (1920, 1080)
WINDOW_TITLE = "spirokiosk"
DESKTOP_DRIVERS = ("x11", "wayland", "windows", "cocoa")  # SDL drivers with a desktop around


class DisplayError(RuntimeError):
    """The requested output could not be opened; the message is one line for the admin."""


@dataclass
class Output:
    """Where frames go: `present(frame, damage, fade)` shows them. Frames are composed on
    the caller's surfaces of `size` (plain 32-bit, as `new_frame_surface` makes them)."""

    mode: str  # what runs: fullscreen, window or headless
    requested: str  # what was asked for
    size: tuple[int, int]  # the picture's, upright (the panel's turned by `rotation`)
    vsync: bool = False  # present() waits for the screen's refresh
    driver: str | None = None  # SDL's video driver, None when headless
    fallback_reason: str | None = None  # why `mode` is not `requested`
    waiting_for_screen: bool = False  # headless because no screen was connected
    presenter: Presenter | None = None  # None when headless
    rotation: int = 0  # degrees clockwise the picture is turned on the panel

    @property
    def on_desktop(self) -> bool:
        """A window, or fullscreen over a desktop (not the kiosk's bare kmsdrm screen)."""
        return self.mode == "window" or self.driver in DESKTOP_DRIVERS

    @property
    def has_events(self) -> bool:
        """Whether SDL's event queue exists (not when headless)."""
        return self.driver is not None

    @property
    def uploaded(self) -> int:
        """Bytes uploaded to the screen so far."""
        return self.presenter.uploaded if self.presenter is not None else 0

    def present(
        self,
        frame: pygame.Surface,
        damage: list[pygame.Rect],
        fade: tuple[pygame.Surface, int] | None = None,
        sprites: Sprites = (),
    ) -> int:
        """Show `frame`, of which `damage` changed since the last one, with `sprites` over
        it; nothing when headless. Returns the bytes uploaded to the screen."""
        if self.presenter is None:
            return 0
        return self.presenter.present(frame, damage, fade, sprites)

    @property
    def draws_sprites(self) -> bool:
        """Whether `present` draws sprites (a screen's GPU), so frames can leave them out."""
        return self.presenter is not None

    def stage(self, canvas: pygame.Surface) -> int:
        """Load a slice of the next curve's canvas ahead (see Presenter.stage)."""
        return self.presenter.stage(canvas) if self.presenter is not None else 0

    def preload(self, sprites: tuple[pygame.Surface, ...]) -> int:
        """See Presenter.preload; nothing when headless."""
        return self.presenter.preload(sprites) if self.presenter is not None else 0

    def promote(self, canvas: pygame.Surface, fade: tuple[pygame.Surface, int] | None) -> bool:
        """A new curve starts on `canvas`: True when it was loaded ahead (see
        Presenter.promote), and only what differs from it is to be uploaded."""
        return self.presenter is not None and self.presenter.promote(canvas, fade)

    def describe(self) -> str:
        w, h = self.size
        text = f"{self.mode} {w}x{h}"
        if self.rotation:
            text += f" turned {self.rotation}°"
        if self.driver is not None:
            text += f" (SDL {self.driver}, {'vsync' if self.vsync else 'no vsync'})"
        return text

    def close(self) -> None:
        if self.presenter is not None:
            self.presenter.close()
            self.presenter = None
        if self.driver is not None:
            pygame.display.quit()
            self.driver = None


def new_frame_surface(size: tuple[int, int]) -> pygame.Surface:
    """A surface to compose frames on: 32-bit XRGB, the texture's own format."""
    return pygame.Surface(size, 0, 32)


# -- opening ----------------------------------------------------------------------


def _sdl_error(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _init_display() -> str:
    try:
        pygame.display.init()
    except pygame.error as exc:
        pygame.display.quit()
        hint = ""
        driver = os.environ.get("SDL_VIDEODRIVER")
        if not driver and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            hint = " (no DISPLAY or WAYLAND_DISPLAY: is there a desktop?)"
        raise DisplayError(f"no video device: {_sdl_error(exc)}{hint}") from exc
    return pygame.display.get_driver()


def _renderer(window: video.Window, vsync: bool) -> tuple[video.Renderer, bool]:
    """A renderer for `window`, with vsync when asked and possible."""
    if vsync:
        try:
            return video.Renderer(window, vsync=True), True
        except pygame.error as exc:
            log.info("display: no renderer with vsync (%s); trying without", _sdl_error(exc))
    return video.Renderer(window), False


def _open(
    mode: str, size: tuple[int, int], window_size: tuple[int, int], vsync: bool, rotation: int
) -> Output:
    """The window of `window_size` (the panel's) showing pictures of `size` (upright)."""
    driver = pygame.display.get_driver()
    try:
        if mode == "fullscreen":
            window = video.Window(WINDOW_TITLE, size=window_size, fullscreen_desktop=True)
        else:
            window = video.Window(WINDOW_TITLE, size=window_size)
        renderer, vsync = _renderer(window, vsync)
        presenter = Presenter(window, renderer, size, rotation)
    except pygame.error as exc:
        pygame.display.quit()
        raise DisplayError(f"cannot open {size[0]}x{size[1]}: {_sdl_error(exc)}") from exc
    return Output(
        mode, mode, size, vsync=vsync, driver=driver, presenter=presenter, rotation=rotation
    )


def _open_fullscreen(size: tuple[int, int] | None, rotation: int) -> Output:
    driver = _init_display()
    desktop = pygame.display.get_desktop_sizes()
    if not desktop or desktop[0][0] <= 0:
        pygame.display.quit()
        raise DisplayError(f"no screen to size the picture by (SDL {driver})")
    screen = (int(desktop[0][0]), int(desktop[0][1]))
    if size is None:
        size = auto_size(screen)
        if size != screen:
            log.info("display: a %dx%d screen; drawing at %dx%d, scaled up", *screen, *size)
    os.environ.setdefault("SDL_RENDER_SCALE_QUALITY", scale_quality(size, screen))
    output = _open("fullscreen", turned(size, rotation), screen, True, rotation)
    pygame.mouse.set_visible(False)
    return output


def _open_window(size: tuple[int, int] | None, rotation: int) -> Output:
    _init_display()
    size = size or DEFAULT_SIZE  # the window stands for the panel: turned like it
    return _open("window", turned(size, rotation), size, False, rotation)


def scale_quality(picture: tuple[int, int], screen: tuple[int, int]) -> str:
    """SDL's scaling filter: 'nearest' when the screen is a whole multiple of the picture
    (crisp, exact), 'linear' otherwise (no uneven pixels)."""
    whole = all(s % p == 0 for s, p in zip(screen, picture, strict=True))
    return "nearest" if whole else "linear"


def auto_size(screen: tuple[int, int]) -> tuple[int, int]:
    """The drawing size for a screen of `screen` pixels: the same, or scaled down to fit
    AUTO_MAX (landscape or portrait), keeping the shape."""
    w, h = int(screen[0]), int(screen[1])
    scale = min(1.0, max(AUTO_MAX) / max(w, h), min(AUTO_MAX) / min(w, h))
    return (w, h) if scale >= 1.0 else (round(w * scale), round(h * scale))


def open_headless(
    size: tuple[int, int] | None, requested: str = "headless", rotation: int = 0
) -> Output:
    """No screen at all (no SDL video); the web mirror still shows the frames (drawn as
    they would be for a panel of `size` turned by `rotation`)."""
    return Output("headless", requested, turned(size or DEFAULT_SIZE, rotation), rotation=rotation)


def open_output(
    mode: str,
    size: tuple[int, int] | None = None,
    *,
    fallback_headless: bool = True,
    rotation: int = 0,
    drm_root: Path = DRM_SYSFS,
    dev_root: Path = DRM_DEVICES,
) -> Output:
    """Open the output for display.mode `mode` at `size` (None: the screen's own, or
    DEFAULT_SIZE for a window or headless).

    `size` is the panel's, as it is mounted or not: with `rotation` (degrees clockwise,
    for a screen mounted in portrait or upside down) the picture is drawn at `size`
    turned (`Output.size`: 1080x1920 on a 1920x1080 panel at 90) and turned back onto
    the panel by the GPU.

    When a screen or window cannot be opened: headless with one warning saying why
    if `fallback_headless`, else DisplayError with one line. SDL's variables are set in
    os.environ (SDL reads the process environment), unless already set.
    """
    if mode not in MODES:
        raise ValueError(f"display.mode: must be one of {', '.join(MODES)}, not {mode!r}")
    if rotation not in ROTATIONS:
        raise ValueError(f"display.rotation: must be 0, 90, 180 or 270, not {rotation!r}")
    wanted = (int(size[0]), int(size[1])) if size is not None else None
    if mode == "headless":
        return open_headless(wanted, rotation=rotation)
    try:
        prepare_environment(mode, os.environ, drm_root, dev_root)
        if mode == "fullscreen":
            return _open_fullscreen(wanted, rotation)
        return _open_window(wanted, rotation)
    except (DisplayError, ScreenUnavailableError) as exc:
        reason = f"display: cannot open {mode}: {exc}"
        if not fallback_headless:
            raise DisplayError(reason + " (display.fallback_headless is false)") from exc
        waiting = isinstance(exc, ScreenUnavailableError) and exc.no_screen
        then = "; the screen is taken as soon as one is connected" if waiting else ""
        log.warning("%s; running headless (the web mirror still works)%s", reason, then)
        output = open_headless(wanted, requested=mode, rotation=rotation)
        output.fallback_reason = str(exc)
        output.waiting_for_screen = waiting
        return output
