"""The render loop: one plain pygame loop in the main thread, owning scene and screen.

Each tick: SDL events, the stop flag, queued commands (the web's, and a config the
reloader thread read again), the scene advanced by real elapsed time, drawn (over the
camera's newest frame when there is a camera and it delivers; never waiting for one),
presented (vsync or a frame-rate cap), the frame handed to the hub only when it wants
one, the watchdog pinged, and now and then a status document for the web and a STATUS
line for systemd. While the screen sleeps by the schedule a tick is a rest instead
(`rest`): a still picture, a tick a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pygame

from spirokiosk.daemon.config import Config
from spirokiosk.daemon.discovery.announcer import Announcer
from spirokiosk.daemon.service.control import Control, Reloaded
from spirokiosk.daemon.service.loop.commands import apply_commands, update_address
from spirokiosk.daemon.service.loop.mirror_feed import MirrorFeed
from spirokiosk.daemon.service.loop.reload import reloaded
from spirokiosk.daemon.service.loop.rest import rest
from spirokiosk.daemon.service.loop.status import status_document, status_line
from spirokiosk.daemon.service.notify import Notifier
from spirokiosk.daemon.service.playlist import Playlist
from spirokiosk.daemon.service.screen_time import ScreenTime
from spirokiosk.daemon.service.signals import SignalFlags
from spirokiosk.daemon.state.recorder import CurveRecorder
from spirokiosk.display.camera.link import CameraLink
from spirokiosk.display.curves import Curve
from spirokiosk.display.draw.buffers import FrameBuffers
from spirokiosk.display.draw.scene import Scene
from spirokiosk.display.draw.surfaces import surface_layout
from spirokiosk.display.messages import shown
from spirokiosk.display.rates import RateMeter
from spirokiosk.display.screen.output import Output, new_frame_surface
from spirokiosk.display.screen.watch import ScreenWatch
from spirokiosk.web.hub import FrameHub

if TYPE_CHECKING:  # importing the web app would load Flask, even with web.enabled off
    from spirokiosk.web.app.access import Access

log = logging.getLogger(__name__)

MAX_DT = 0.25  # after a stall the animation resumes where it was, it does not jump
STATUS_EVERY = 0.25  # seconds between status documents for the web
SYSTEMD_STATUS_EVERY = 5.0  # seconds between STATUS= lines
FPS_WINDOW = 1.0  # seconds over which the render fps is measured
VSYNC_CHECK_FRAMES = 120  # after this many frames, see whether vsync really waits
NO_VSYNC_FPS = 250.0  # faster than any screen refreshes: vsync is not working
FAILURES_LOGGED_IN_FULL = 5  # curves that fail to draw get a traceback; later ones a line
QUIT_KEYS = (pygame.K_ESCAPE, pygame.K_q)  # stop the program, on a desktop only


class RenderLoop:
    """Ticks until a stop is requested. `tick()` is one frame; `run()` loops it."""

    def __init__(
        self,
        *,
        output: Output,
        scene: Scene,
        playlist: Playlist,
        config: Config,
        control: Control,
        notifier: Notifier,
        signals: SignalFlags,
        hub: FrameHub | None = None,
        camera: CameraLink | None = None,
        screen_watch: ScreenWatch | None = None,
        access: Access | None = None,
        screen_time: ScreenTime | None = None,
        recorder: CurveRecorder | None = None,
        discovery: Announcer | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.output = output
        self.scene = scene
        # A screen draws the wheels' outlines on its GPU: the frames leave them out.
        scene.rings_apart = output.draws_sprites
        self.playlist = playlist
        self.config = config
        self.control = control
        self.notifier = notifier
        self.signals = signals
        self.hub = hub
        self.camera = camera  # applied and started by its maker; switched on reload
        self.screen_watch = screen_watch  # while headless for want of a screen
        self.access = access  # the web's rules of who may change the kiosk; set on reload
        self.paused = False  # the pen stands still (a web command); time does not count
        self.screen_time = screen_time  # the schedule: on, off or quiet
        self._still: pygame.Surface | None = None  # shown while off or quiet (`rest`)
        self._still_curve = None  # the curve the quiet still shows
        self.recorder = recorder  # the gallery's history, written on its own thread
        self._started_curve: Curve | None = None  # the curve last told to the recorder
        self.discovery = discovery  # started by its maker; given new settings on reload
        self.address: str | None = None  # the mirror's URL, as the discovery thread said
        self._clock = clock
        self._sleep = sleep
        self.buffers = FrameBuffers(output.size, new_frame_surface)
        self._layout = surface_layout(new_frame_surface((1, 1)))
        self._frame_clock = pygame.time.Clock()
        self._capped = not output.vsync  # without vsync, display.fps caps the rate
        self._fps = RateMeter(FPS_WINDOW)
        self._started = clock()
        self._last_tick: float | None = None
        self._next_status = self._started
        self._next_systemd_status = self._started + SYSTEMD_STATUS_EVERY
        self._curve_data: tuple[Curve | None, dict | None] = (None, None)
        self.frames = 0
        self.reloads = 0
        self._curve_failures = 0
        self._output_frames = 0  # frames on this output (a new screen is checked again)
        self.uploaded_last = 0  # bytes the last frame uploaded to the screen
        self.frame: pygame.Surface | None = None
        self.mirror = MirrorFeed(hub, self._layout) if hub is not None else None

    # -- the loop -----------------------------------------------------------

    def run(self) -> None:
        """Tick until SIGTERM/SIGINT (or a closed window) asks to stop."""
        try:
            while not self.signals.stop_requested:
                self.tick()
        finally:
            self.control.stopped()
        why = self.signals.stop_signal.name if self.signals.stop_signal else "request"
        log.info("stopping (%s) after %d frames", why, self.frames)

    def tick(self) -> None:
        now = self._clock()
        if self.screen_time is not None and rest(self, now):
            self._last_tick = None  # after a rest the pen goes on where it was
            return
        dt = 0.0 if self._last_tick is None else min(max(now - self._last_tick, 0.0), MAX_DT)
        self._last_tick = now
        self._take_input()
        picture = self.camera.picture(now) if self.camera is not None else None
        picture_new = self.camera is not None and self.camera.picture_new
        frame, stale = self.buffers.take()
        composer = self.scene.composer  # the scene's pixels
        try:
            self.scene.update(0.0 if self.paused else dt)
            damage = composer.compose(frame, picture, picture_new=picture_new, stale=stale)
        except Exception:
            self._curve_failed()
            damage = [frame.get_rect()]  # whatever got drawn: all of it, anew
        self.buffers.drawn(frame, damage)
        if self.recorder is not None and self.scene.curve is not self._started_curve:
            self._started_curve = self.scene.curve
            self.recorder.started(self._started_curve)  # queued only: no disk here
        self.frame = frame  # the newest frame (without the fade), for tests and benchmarks
        fade = composer.fade
        if self.mirror is not None:
            self.mirror.drew(damage, fade)
        sprites = composer.sprites
        self.uploaded_last = 0
        upload = self._upload(damage, fade)
        self.uploaded_last += self.output.present(frame, upload, fade, sprites)
        self.frames += 1
        self._fps.add(now)
        if self.mirror is not None and self.hub.wants_frame(now):
            self.mirror.lend(frame, self.buffers, fade, sprites)
        self._after_frame(now)
        self._output_frames += 1
        if self._output_frames == VSYNC_CHECK_FRAMES:
            self._check_vsync()
        if self.screen_watch is not None and self.output.waiting_for_screen:
            screen = self.screen_watch.check(now)
            if screen is not None:
                self.replace_output(screen)
        if self._capped:
            self._frame_clock.tick(self.config.display.fps)

    def _after_frame(self, now: float) -> None:
        """The heartbeat (/healthz), the watchdog, and now and then the status."""
        self.control.beat(now)
        self.notifier.watchdog_ping(now)
        if now >= self._next_status:
            self._next_status = now + STATUS_EVERY
            update_address(self)
            self.control.publish_status(self.status(now))
        if now >= self._next_systemd_status:
            self._next_systemd_status = now + SYSTEMD_STATUS_EVERY
            self.notifier.status(self.status_line())

    def replace_output(self, output: Output) -> None:
        """Draw on `output` from now on (a screen came): the scene follows its size, the
        camera its size and pixel format; the web mirror and its viewers go on."""
        old, self.output = self.output, output
        self._capped = not output.vsync
        self._output_frames = 0
        self.buffers = FrameBuffers(output.size, new_frame_surface)  # all drawn anew
        if self.mirror is not None:
            self.mirror.all_new()
        if output.size != old.size:
            self.scene = self.scene.resized(output.size)
        self.scene.rings_apart = output.draws_sprites
        if self.camera is not None:
            self.camera.retarget(self.scene, new_frame_surface((1, 1)))
        old.close()
        log.info("display: %s", output.describe())
        self.notifier.status(self.status_line())

    def _curve_failed(self) -> None:
        """Drawing the current curve raised: log it, drop that curve, go on with the next.
        A curve (from the web, a file, the playlist) must never stop the service."""
        name = shown(self.scene.curve.name or "unnamed curve")
        self._curve_failures += 1
        if self._curve_failures <= FAILURES_LOGGED_IN_FULL:
            log.exception("drawing %s failed; it is dropped and the next curve starts", name)
        else:
            log.error("drawing %s failed too (%d so far)", name, self._curve_failures)
        try:
            self.scene.abandon_curve()
        except Exception:
            log.exception("the next curve could not start either; trying again next frame")

    def _check_vsync(self) -> None:
        """A driver that claims vsync but does not wait would spin a core: cap it."""
        if not self._capped and self._fps.rate() > NO_VSYNC_FPS:
            log.warning(
                "display: %.0f fps despite vsync; capping at display.fps = %d",
                self._fps.rate(),
                self.config.display.fps,
            )
            self._capped = True

    def _handle_events(self) -> None:
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                log.info("the window was closed")
                self.signals.request_stop()
            elif (
                event.type == pygame.KEYDOWN
                and event.key in QUIT_KEYS
                and self.output.on_desktop  # a stray key must not end the kiosk
            ):
                log.info("%s pressed", pygame.key.name(event.key))
                self.signals.request_stop()

    def _take_input(self) -> None:
        """What came since the last tick: window and keyboard events, the queued
        commands (a reloaded config among them)."""
        if self.output.has_events:
            self._handle_events()
        apply_commands(self)

    def _upload(self, damage: list[pygame.Rect], fade) -> list[pygame.Rect]:
        """What of this frame to upload to the screen: its damage; or, on a new curve's
        first frame whose canvas the screen loaded ahead, only what differs from it. While
        a finished curve is on hold, the next one's canvas is loaded a slice a frame, and
        its sprites' textures made, one a frame."""
        scene = self.scene
        composer = scene.composer
        if composer.new_curve_shown and self.output.promote(scene.drawing.canvas, fade):
            return composer.base_damage
        upcoming = scene.next_canvas
        if upcoming is not None:
            self.uploaded_last += self.output.stage(upcoming)
            self.uploaded_last += self.output.preload(scene.next_sprites)
        return damage

    # -- what it tells the others, and reloading (status, reload) -------------

    def status(self, now: float) -> dict:
        """The status document's loop part; a new dict each time (never changed later)."""
        return status_document(self, now)

    def status_line(self) -> str:
        """systemd's STATUS=: mode, curve, fps, viewers."""
        return status_line(self)

    def reloaded(self, outcome: Reloaded) -> None:
        """A reload, read off this thread: apply what can be applied, keep it all on
        errors; then the status and READY=1."""
        if self.mirror is not None:
            self.mirror.all_new()
        reloaded(self, outcome)
