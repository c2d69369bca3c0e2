"""The show: curves drawn one after another, held, and cross-faded into the next.

    scene = Scene(size=(w, h), next_curve=playlist_function,
                  timing=Timing(draw_seconds=30.0, hold_seconds=8.0, fade_seconds=2.0),
                  overlays=Overlays(pen=True, wheels=False, caption=False))
    scene.update(dt)                 # elapsed seconds, not frames
    scene.composer.draw(target)      # the whole frame

    scene.set_camera_mode("overlay", opacity=0.85)   # or "camera", or None
    scene.composer.draw(target, picture)   # the camera picture under the curves (or alone)

Each curve's own clock starts when its pen starts. Its life is
`draw_seconds` of drawing then `hold_seconds` of holding; then the next curve
starts drawing while the finished frame of the old one fades out over its
first `fade_seconds` (phase "fading"; `curve` and `progress` are already the
new curve's).

The scene holds what is on screen and when; turning that into a frame's pixels, and
knowing where they changed, is its `Composer`'s. Whoever wants pixels (the render loop,
the exports) asks that `composer` (compose, draw, fade, sprites, what a curve's first
frame changed): it takes the scene's state from the scene at each call, so the scene has
nothing to pass on. Its camera part (the mode, the curves' opacity over the picture, the
ink layer that asks of each drawing) is a `CameraMode` value (`camera_mode`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pygame

from spirokiosk.display.curves import Curve
from spirokiosk.display.draw.address import ADDRESS_SECONDS, AddressCard
from spirokiosk.display.draw.camera_mode import DEFAULT_OPACITY, CameraMode
from spirokiosk.display.draw.composer import Composer, SceneState
from spirokiosk.display.draw.drawing import CurveDrawing
from spirokiosk.display.draw.overlays import OverlayPainter, Overlays
from spirokiosk.display.draw.timing import Timing
from spirokiosk.display.draw.upcoming import Upcoming

log = logging.getLogger(__name__)

__all__ = ["Overlays", "Scene", "Timing"]


class Scene:
    """Owns the current drawing, the clock, the queue and the cross-fade.

    `next_curve()` is called once per curve, for the playlist; curves passed to
    `queue_curve` go first. The next playlist curve is prepared halfway through
    the hold, while the picture is still, so the switch costs no visible frame.
    """

    def __init__(
        self,
        size: tuple[int, int],
        next_curve: Callable[[], Curve],
        timing: Timing | None = None,
        overlays: Overlays | None = None,
        camera_mode: str | None = None,
        opacity: float = DEFAULT_OPACITY,
        first_curve: Curve | None = None,
    ):
        self.size = (int(size[0]), int(size[1]))
        self.timing = timing or Timing()
        self.overlays = overlays or Overlays()
        self._painter = OverlayPainter(self.overlays)
        self._camera = CameraMode(camera_mode, opacity)
        self._upcoming = Upcoming(next_curve, self._new_drawing)  # the queue, the playlist
        if first_curve is not None:
            self._upcoming.ask(first_curve)
        self._drawing = self._upcoming.build_next()
        self._elapsed = 0.0  # seconds since the current curve's pen started
        # The frames, their damage, the old one fading: the scene's pixels, for all callers.
        self.composer = Composer(self.size, self._state)
        self._address = AddressCard(self.size)  # the mirror's URL, shown at each new curve
        self._rings_apart = False

    # -- state -------------------------------------------------------------

    @property
    def curve(self) -> Curve:
        return self._drawing.curve

    @property
    def drawing(self) -> CurveDrawing:
        return self._drawing

    @property
    def progress(self) -> float:
        """The current curve's pen progress, 0..1."""
        return self._drawing.progress

    @property
    def phase(self) -> str:
        """'fading' (new curve starting over the old one), 'drawing' or 'holding'."""
        if self.composer.fading:
            return "fading"
        return "holding" if self._drawing.progress >= 1.0 else "drawing"

    @property
    def camera_mode(self) -> str | None:
        """None (curves only), "overlay" or "camera"."""
        return self._camera.mode

    @property
    def opacity(self) -> float:
        """How opaque the curves are over the camera picture (overlay mode)."""
        return self._camera.opacity

    def set_camera_mode(self, mode: str | None, opacity: float | None = None) -> None:
        """Switch between curves only (None), "overlay" and "camera"; at once.

        Turning a camera mode on puts the strokes drawn so far on the current
        drawing's ink layer (about a tenth of a second for a whole curve at
        1920x1080); None drops the layers.
        """
        camera = self._camera.switched(mode, opacity)
        if camera == self._camera:
            return
        self._camera = camera
        prepared = self._upcoming.prepared
        for drawing in [self._drawing] + ([prepared] if prepared is not None else []):
            camera.dress(drawing)
        self.composer.drop_old_ink()
        self.composer.redraw()

    def resized(self, size: tuple[int, int]) -> Scene:
        """The same show at another size (a screen came or went): the curve on screen
        starts again there, then the queue, then the playlist, with the same timing,
        overlays and camera mode. (A playlist curve prepared early is not carried over.)"""
        self._adopt_prepared(wait=True)
        scene = Scene(
            size,
            self._upcoming.next_curve,
            self.timing,
            self.overlays,
            self._camera.mode,
            self._camera.opacity,
            first_curve=self.curve,
        )
        for curve in self._upcoming.asked():
            scene.queue_curve(curve)
        scene.show_address(self._address.url, self._address.seconds)
        scene.rings_apart = self._rings_apart
        return scene

    @property
    def rings_apart(self) -> bool:
        """Whether the composer's frames leave the wheels' outlines (its `sprites`) to
        whoever shows them."""
        return self._rings_apart

    @rings_apart.setter
    def rings_apart(self, apart: bool) -> None:
        if bool(apart) != self._rings_apart:
            self._rings_apart = bool(apart)
            self.composer.redraw()

    @property
    def address(self) -> str | None:
        return self._address.url

    @property
    def address_shown(self) -> bool:
        """Whether the address card is on the frames the composer makes now."""
        return self._painter.card is not None

    def show_address(self, url: str | None, seconds: float = ADDRESS_SECONDS) -> None:
        """Show `url` and its QR code for `seconds` at the start of each curve (from the
        current one on, if it started less than that ago); None: no more. The card is
        built here, once per URL."""
        new = url != self._address.url
        if self._address.show(url, seconds):  # rare: maybe a card of the same size and
            self.composer.redraw()  # place, other pixels
        if new and url is not None and self._address.card is None:
            log.info("the address card does not fit a %dx%d screen: not shown", *self.size)
        self._painter.card = self._address.at(self._elapsed)

    def set_overlays(self, overlays: Overlays) -> None:
        """Show other overlays from the next frame on (a config reload)."""
        self.overlays = overlays
        self._painter = OverlayPainter(overlays)
        self._painter.card = self._address.at(self._elapsed)
        self.composer.redraw()

    def queue_curve(self, curve: Curve) -> None:
        """Play `curve` next, before the playlist (curves queue in order)."""
        self._upcoming.ask(curve)

    @property
    def queued_count(self) -> int:
        """Curves asked for with `queue_curve` that have not started yet."""
        return self._upcoming.asked_count

    # -- time ----------------------------------------------------------------

    def update(self, dt: float) -> None:
        """Advance by `dt` seconds: move the pen, hold, switch curves, fade.

        A stall longer than one whole curve counts as one curve's time, so a
        long pause never skips through (and pays for) several curves at once.
        """
        timing = self.timing
        dt = min(max(float(dt), 0.0), timing.cycle_seconds)
        self._elapsed += dt
        if timing.ended(self._elapsed):
            self._switch_curve(self._elapsed - timing.cycle_seconds)
        if self.composer.fading and self._elapsed >= timing.fade_seconds:
            self.composer.end_fade()
        self.composer.painted(self._drawing.advance_to(timing.progress_at(self._elapsed)))
        self._painter.card = self._address.at(self._elapsed)
        self._adopt_prepared()
        if self._upcoming.idle and timing.in_still_hold(self._elapsed):
            self._upcoming.start(self._painter)  # the next drawing, on a thread

    def finish_drawing(self) -> None:
        """Jump to the moment the current curve is whole and any fade over (the start of
        its hold): the screen schedule's quiet keeps a finished curve on screen."""
        whole = max(self.timing.draw_seconds, self.timing.fade_seconds)
        if self._elapsed < whole:
            self.update(whole - self._elapsed)

    def _adopt_prepared(self, wait: bool = False) -> None:
        """Take the drawing built meanwhile once it is done (or now, `wait`ing for it)."""
        drawing = self._upcoming.adopt(wait)
        if drawing is not None:
            self._camera.dress(drawing)  # the camera mode may have changed meanwhile

    def _new_drawing(self, curve: Curve) -> CurveDrawing:
        return CurveDrawing(curve, self.size, ink_opacity=self._camera.ink_opacity)

    def skip(self) -> None:
        """Start the next curve now (a queued one first, else the playlist's), the picture
        on screen fading out as at the end of a hold (the rest of its curve is not drawn:
        that could be most of a dense curve's segments in one frame)."""
        self._switch_curve(0.0, finish=False)

    def abandon_curve(self) -> None:
        """Drawing the current curve failed: drop it and start the next one at once (no
        fade: the old picture may be what failed)."""
        self._adopt_prepared(wait=True)
        self.composer.end_fade()
        self._drawing = self._upcoming.take()
        self._elapsed = 0.0
        self.composer.redraw()

    def _switch_curve(self, carry: float, finish: bool = True) -> None:
        self._adopt_prepared(wait=True)  # a hold too short for it: wait here
        old = self._drawing
        if finish:
            old.advance_to(1.0)
        new = self._upcoming.take()
        self.composer.fade_from(old, self._painter, fade=self.timing.fade_seconds > 0)
        self._drawing = new
        self._elapsed = carry
        self.composer.redraw()
        name = new.curve.name or "a curve"
        log.debug("now drawing %s", name, extra={"CURVE": name})

    # -- the next curve, ahead; the state the composer draws --------------------

    @property
    def next_underway(self) -> bool:
        """Whether the next curve's drawing is built, or being built (from halfway through
        a hold until the switch)."""
        return not self._upcoming.idle

    @property
    def next_canvas(self) -> pygame.Surface | None:
        """The next curve's bare canvas once it is prepared (curves only): the screen may
        load it ahead, a slice a frame, so the switch costs no whole upload."""
        prepared = self._upcoming.prepared
        if prepared is None or self._camera.on:
            return None
        return prepared.canvas

    @property
    def next_sprites(self) -> tuple[pygame.Surface, ...]:
        """The next curve's sprites once it is prepared (with `rings_apart`, curves only):
        the screen may make their textures ahead, as it loads the canvas."""
        prepared = self._upcoming.prepared
        if prepared is None or self._camera.on or not self._rings_apart:
            return ()
        return self._painter.sprites_ahead(prepared)

    def _state(self) -> SceneState:
        """What the composer draws now (it asks at each call)."""
        return SceneState(
            drawing=self._drawing,
            painter=self._painter,
            camera_mode=self._camera.mode,
            rings_apart=self._rings_apart,
            moving=self.phase != "holding",
            elapsed=self._elapsed,
            fade_seconds=self.timing.fade_seconds,
        )
