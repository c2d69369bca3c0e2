"""The render loop: one plain pygame loop in the main thread, owning scene and screen.

Each tick: SDL events, signal flags (stop, reload), queued web commands, the
scene advanced by real elapsed time, drawn (over the camera's newest frame
when there is a camera and it delivers; never waiting for one), presented
(vsync or a frame-rate cap), the frame handed to the hub only when it wants
one, the watchdog pinged, and now and then a status document for the web and
a STATUS line for systemd.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pygame

from spirokiosk.daemon.config import Config, ConfigError, changed_keys, restart_keys
from spirokiosk.daemon.discovery.announcer import Announcer
from spirokiosk.daemon.service.control import (
    Control,
    Pause,
    PlayCurve,
    ReplacePlaylist,
    Resume,
    SetScreen,
    ShowAddress,
    Skip,
)
from spirokiosk.daemon.service.logs import setup_logging
from spirokiosk.daemon.service.notify import Notifier
from spirokiosk.daemon.service.parts import (
    access_rules,
    camera_settings,
    discovery_settings,
    scene_overlays,
    scene_timing,
    stream_settings,
)
from spirokiosk.daemon.service.playlist import Playlist
from spirokiosk.daemon.service.screen_time import ASLEEP_TICK, ScreenTime
from spirokiosk.daemon.service.signals import SignalFlags
from spirokiosk.daemon.state.recorder import CurveRecorder, Origin
from spirokiosk.display.camera.link import CAMERA_OFF, CameraLink
from spirokiosk.display.curves import Curve
from spirokiosk.display.draw.buffers import FrameBuffers
from spirokiosk.display.draw.scene import Scene
from spirokiosk.display.draw.still import sleeping_picture
from spirokiosk.display.draw.surfaces import surface_array, surface_layout
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
DOZE_STEP = 0.05  # while resting, a stop or a command is seen within this (seconds)
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
        load_config: Callable[[], Config],
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
        self.playlist = playlist
        self.config = config
        self._load_config = load_config
        self.control = control
        self.notifier = notifier
        self.signals = signals
        self.hub = hub
        self.camera = camera  # applied and started by its maker; switched on reload
        self.screen_watch = screen_watch  # while headless for want of a screen
        self.access = access  # the web's rules of who may change the kiosk; set on reload
        self.paused = False  # the pen stands still (a web command); time does not count
        self.screen_time = screen_time  # the schedule: on, off or quiet
        self._still: pygame.Surface | None = None  # shown while off or quiet
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
        if self.screen_time is not None and self._rest(now):
            self._last_tick = None  # after a rest the pen goes on where it was
            return
        dt = 0.0 if self._last_tick is None else min(max(now - self._last_tick, 0.0), MAX_DT)
        self._last_tick = now
        if self.output.has_events:
            self._handle_events()
        if self.signals.take_reload():
            self.reload()
        self._apply_commands()
        picture = self.camera.picture(now) if self.camera is not None else None
        picture_new = self.camera is not None and self.camera.picture_new
        frame, stale = self.buffers.take()
        try:
            self.scene.update(0.0 if self.paused else dt)
            damage = self.scene.compose(frame, picture, picture_new=picture_new, stale=stale)
        except Exception:
            self._curve_failed()
            damage = [frame.get_rect()]  # whatever got drawn: all of it, anew
        self.buffers.drawn(frame, damage)
        if self.recorder is not None and self.scene.curve is not self._started_curve:
            self._started_curve = self.scene.curve
            self.recorder.started(self._started_curve)  # queued only: no disk here
        self.frame = frame  # the newest frame (without the fade), for tests and benchmarks
        fade = self.scene.fade
        self.uploaded_last = 0
        upload = self._upload(damage, fade)
        self.uploaded_last += self.output.present(frame, upload, fade)
        self.frames += 1
        self._fps.add(now)
        if self.hub is not None and self.hub.wants_frame(now):
            self._publish_frame(frame, fade)
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

    def _rest(self, now: float) -> bool:
        """Off or quiet by the schedule: a still picture, drawn once, and a tick a second
        (events, commands, reloads, the watchdog and the status go on). True when this
        tick is done; False when the screen is on (after a rest: all drawn anew, the pen
        where it was)."""
        screen = self.screen_time
        state = screen.state()
        if state == "on":
            if self._still is not None:
                self._still = None
                self.buffers = FrameBuffers(self.output.size, new_frame_surface)
            return False
        if self.output.has_events:
            self._handle_events()
        if self.signals.take_reload():
            self.reload()
        self._apply_commands()
        if screen.changed or self._still is None:
            self._still = self._still_picture(state, now)
            self.uploaded_last = self.output.present(self._still, [self._still.get_rect()])
            self.frames += 1
        if self.hub is not None and self.hub.wants_frame(now):
            still = surface_array(self._still)  # never drawn on again: the hub may keep it
            self.hub.publish(still, self._layout, time.time())
        self._fps.add(now)
        self._after_frame(now)
        self._doze(ASLEEP_TICK)
        return True

    def _still_picture(self, state: str, now: float) -> pygame.Surface:
        still = new_frame_surface(self.output.size)
        if state == "off":
            until = self.screen_time.until()
            sleeping_picture(still, f"sleeping until {until}" if until else "screen off")
            return still
        self.scene.finish_drawing()  # quiet: the curve on screen, finished, stays
        picture = self.camera.picture(now) if self.camera is not None else None
        self.scene.compose(still, picture, picture_new=True, stale=None)
        return still

    def _doze(self, seconds: float) -> None:
        """Sleep up to `seconds`; wake early for a stop or a command."""
        slept = 0.0
        while slept < seconds and not self.signals.stop_requested and not self.control.pending():
            self._sleep(DOZE_STEP)
            slept += DOZE_STEP

    def _after_frame(self, now: float) -> None:
        """The heartbeat (/healthz), the watchdog, and now and then the status."""
        self.control.beat(now)
        self.notifier.watchdog_ping(now)
        if now >= self._next_status:
            self._next_status = now + STATUS_EVERY
            self._update_address()
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
        if output.size != old.size:
            self.scene = self.scene.resized(output.size)
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

    def _apply_commands(self) -> None:
        for command in self.control.take_commands():
            try:
                self._apply(command)
            except Exception:  # a command must never stop the service
                log.exception("the web's %s could not be applied", type(command).__name__)
        self.control.note_scene_queue(self.scene.queued_count)

    def _apply(self, command: object) -> None:
        if isinstance(command, PlayCurve):
            curve = command.curve
            if self.recorder is not None:
                curve = self.recorder.asked(curve, Origin(command.source, command.detail))
            self.scene.queue_curve(curve)
            name = command.curve.name or "a curve"
            log.info("queued %s (asked over the web)", name, extra={"CURVE": name})
        elif isinstance(command, Skip):
            self.paused = False
            self.scene.skip()
            log.info("skipped to %s (asked over the web)", self.scene.curve.name or "a curve")
        elif isinstance(command, Pause):
            self.paused = True
            log.info("paused (asked over the web)")
        elif isinstance(command, Resume):
            self.paused = False
            log.info("resumed (asked over the web)")
        elif isinstance(command, ReplacePlaylist):
            self.playlist.update(command.names, self.playlist.random_shapes)
            log.info("playlist for this run: %s (asked over the web)", ", ".join(command.names))
        elif isinstance(command, SetScreen) and self.screen_time is not None:
            self.screen_time.override(command.state)
        elif isinstance(command, ShowAddress) and command.url != self.address:
            self.address = command.url
            log.info("the mirror's address: %s", command.url)
            self._update_address()

    def _update_address(self) -> None:
        """The address card on screen per display.show_address: `auto` until the page has
        been opened once, `always`, `never`."""
        policy = self.config.display.show_address
        url = self.address
        if policy == "never" or (policy == "auto" and self.control.page_viewed):
            url = None
        if url != self.scene.address:
            self.scene.show_address(url)

    def _upload(self, damage: list[pygame.Rect], fade) -> list[pygame.Rect]:
        """What of this frame to upload to the screen: its damage; or, on a new curve's
        first frame whose canvas the screen loaded ahead, only what differs from it. While
        a finished curve is on hold, the next one's canvas is loaded a slice a frame."""
        scene = self.scene
        if scene.new_curve_shown and self.output.promote(scene.drawing.canvas, fade):
            return scene.base_damage
        upcoming = scene.next_canvas
        if upcoming is not None:
            self.uploaded_last += self.output.stage(upcoming)
        return damage

    def _publish_frame(self, frame: pygame.Surface, fade) -> None:
        """Lend the frame's buffer to the hub (no copy): the next frames are drawn on
        another until the encoder gives it back. A fade goes along for the encoder to
        blend, as the screen's GPU does."""
        release = self.buffers.lend(frame)
        over = (surface_array(fade[0]), fade[1]) if fade is not None else None
        try:
            self.hub.publish(
                surface_array(frame), self._layout, time.time(), release=release, over=over
            )
        except Exception:
            release()
            raise

    # -- status -------------------------------------------------------------

    def _curve_dict(self) -> dict:
        curve = self.scene.curve
        cached, data = self._curve_data
        if cached is not curve or data is None:
            data = curve.to_dict()
            self._curve_data = (curve, data)
        return data

    def status(self, now: float) -> dict:
        """The status document's loop part; a new dict each time (never changed later)."""
        output, scene, curves = self.output, self.scene, self.config.curves
        camera = self.camera
        return {
            "mode": output.mode,
            "requested_mode": output.requested,
            "fallback_reason": output.fallback_reason,
            "display": {
                "size": list(output.size),
                "driver": output.driver,
                "vsync": not self._capped,
                "fps_cap": self.config.display.fps if self._capped else None,
                "uploaded_bytes": output.uploaded,  # to the screen, all told
            },
            "fps": round(self._fps.rate(), 1),
            "frames_rendered": self.frames,
            "uptime_s": round(now - self._started, 1),
            "camera": camera.status(now) if camera is not None else dict(CAMERA_OFF),
            "picture": camera.shown if camera is not None else "curves",
            "curve": self._curve_dict(),
            "curve_summary": scene.curve.summary(),
            "phase": scene.phase,
            "progress": round(scene.progress, 4),
            "queued": scene.queued_count,
            "paused": self.paused,
            "playlist": list(self.playlist.names),
            "timing": {
                "draw_seconds": curves.draw_seconds,
                "hold_seconds": curves.hold_seconds,
                "fade_seconds": curves.fade_seconds,
            },
            "schedule": self._schedule_dict(),
            "config_source": self.config.source,
            "reloads": self.reloads,
            "address": {
                "url": self.address,
                "on_screen": scene.address_shown,
                "announced_as": self.discovery.announced_name if self.discovery else None,
            },
        }

    def _schedule_dict(self) -> dict:
        current = self.screen_time.current if self.screen_time is not None else None
        if current is None:
            return {"state": "on", "next_change": None, "override": False}
        return current.as_dict()

    def status_line(self) -> str:
        """systemd's STATUS=: mode, curve, fps, viewers."""
        name = self.scene.curve.name or "unnamed curve"
        mode = self.output.mode
        if self.output.fallback_reason:
            mode += f" ({self.output.fallback_reason})"
        text = f"{mode}, {name}{' (paused)' if self.paused else ''}, {self._fps.rate():.1f} fps"
        asleep = self.screen_time.current if self.screen_time is not None else None
        if asleep is not None and asleep.state != "on":
            until = self.screen_time.until()
            text += f", screen {asleep.state}" + (f" until {until}" if until else "")
        if self.hub is not None:
            text += f", {self.hub.stats().viewers} viewers"
        camera = self.camera.summary() if self.camera is not None else None
        if camera is not None:
            text += f", {camera}"
        return text

    # -- reload -------------------------------------------------------------

    def reload(self) -> None:
        """SIGHUP: read the config again; apply what can be applied, keep it all on errors."""
        self.notifier.reloading()
        log.info("reloading the configuration")
        old = self.config
        try:  # whatever fails, the service goes on with the config it has
            new = self._load_config()
            self.apply_config(new)
        except ConfigError as exc:
            log.error("config not reloaded, %d error(s); the running config stays", len(exc.errors))
            for line in exc.errors:
                log.error("%s", line)
        except Exception:
            log.exception("config not reloaded: an unexpected error; the running config stays")
            if self.config is not old:
                self._restore(old)
        # The status shows the outcome before systemd (and whoever waits on it) hears READY.
        self.control.publish_status(self.status(self._clock()))
        self.notifier.ready(status=self.status_line())

    def _restore(self, old: Config) -> None:
        """Give every part the running config again after a reload failed half-way."""
        try:
            self.apply_config(old)
        except Exception:
            log.exception("could not restore every part to the running config")
            self.config = old

    def apply_config(self, new: Config) -> None:
        # First, before anything changes: the token file is read again (ConfigError).
        rules = access_rules(new) if self.access is not None else None
        old, self.config = self.config, new
        changed = changed_keys(old, new)
        self.reloads += 1
        if old.logging != new.logging:
            setup_logging(new.logging.level, new.logging.verbose)
        if old.curves != new.curves:
            # A playlist the web set for this run stays until the file's playlist changes.
            changed_list = old.curves.playlist != new.curves.playlist
            names = new.curves.playlist if changed_list else self.playlist.names
            self.playlist.update(names, new.curves.random_shapes)
            self.scene.timing = scene_timing(new)
        if scene_overlays(old) != scene_overlays(new):
            self.scene.set_overlays(scene_overlays(new))
        if self.hub is not None and old.web != new.web:
            self.hub.apply_settings(stream_settings(new))
        if self.access is not None and rules is not None:
            self.access.apply(rules)  # the token file may have changed under the same name
        if self.camera is not None and old.camera != new.camera:
            self.camera.apply(camera_settings(new))
        self.control.per_client = new.web.queue_per_client
        if self.screen_time is not None and old.schedule != new.schedule:
            self.screen_time.apply(new)
        if self.discovery is not None and old.discovery != new.discovery:
            self.discovery.apply(discovery_settings(new))  # the thread re-announces
        self._update_address()
        restart = [key for key in changed if key in restart_keys()]
        live = [key for key in changed if key not in restart]
        if not changed:
            outcome = "no changes"
        else:
            outcome = ", ".join(live) + " applied" if live else "nothing applied live"
        log.info("config reloaded from %s: %s", new.source, outcome)
        if restart:
            log.warning(
                "%s changed: takes effect after a restart (systemctl restart spirokiosk)",
                ", ".join(restart),
            )
