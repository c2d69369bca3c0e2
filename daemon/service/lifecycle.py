"""`spirokiosk run`: start the parts in order, run the render loop, stop them in reverse.

    config -> logging -> signal handlers -> display -> gallery (its recorder thread)
    -> scene -> camera (its own thread) -> frame hub (encoder thread) -> web server
    (binds its port) -> discovery (its thread: mDNS, the address for the screen) ->
    MQTT (connects in the background) -> reloader (its thread: reads the config again on
    SIGHUP) -> first frame -> READY=1 -> loop
    ... -> STOPPING=1 -> reloader -> MQTT -> discovery -> web server -> hub -> camera ->
    gallery -> display -> signal handlers

Every part that started is registered on an ExitStack right after it started
(the gallery, the web and discovery by their starters in `starters`), so a failed
start stops exactly what was running, in reverse order. A start
that fails for a reason the admin can fix (bad config, busy port, no display
when one was demanded) says so in one line and exits with status 1; a clean
stop (SIGTERM, SIGINT, a closed window) exits with 0. A camera that cannot
be opened does not fail the start: it is retried in its thread while the
screen shows curves only.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import logging
import signal
import sys

from spirokiosk.daemon.config import (
    Config,
    ConfigError,
    describe_source,
    load_from_options,
    report_config_errors,
)
from spirokiosk.daemon.service.console import quiet_terminal, under_systemd
from spirokiosk.daemon.service.control import Control
from spirokiosk.daemon.service.logs import setup_logging
from spirokiosk.daemon.service.notify import Notifier
from spirokiosk.daemon.service.signals import SignalFlags
from spirokiosk.daemon.service.starters import (
    StartError,
    start_discovery,
    start_gallery,
    start_web,
)

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
# Every stop wait is bounded: see the README ("Under systemd"); starters has the others.
CAMERA_STOP_SECONDS = 0.3  # a camera stuck in its driver is left to end alone
RELOADER_STOP_SECONDS = 0.3  # a read stuck on a dead disk is left to end alone


def config_args(args: argparse.Namespace) -> argparse.Namespace:
    """args with `--display MODE` as the last --set, so it wins at start and on reload."""
    overrides = list(getattr(args, "overrides", None) or [])
    display = getattr(args, "display", None)
    if display:
        overrides.append(f"display.mode={display}")
    return argparse.Namespace(**{**vars(args), "overrides": overrides})


def read_config(args: argparse.Namespace) -> Config | None:
    """The config, or None after printing every error and that the kiosk will not start."""
    try:
        return load_from_options(args.config, args.overrides)
    except ConfigError as exc:
        report_config_errors(exc)
        count = len(exc.errors)
        print(
            f"spirokiosk: not starting: {count} config error{'s' if count != 1 else ''}",
            file=sys.stderr,
        )
        return None


def run(args: argparse.Namespace) -> int:
    """The `run` command: the live kiosk until stopped. Returns the exit status."""
    args = config_args(args)
    config = read_config(args)
    if config is None:
        return EXIT_FAILED
    setup_logging(config.logging.level, config.logging.verbose)
    log.info("config: %s", describe_source(args.config, config))
    notifier = Notifier()
    with contextlib.ExitStack() as stack:  # closing it stops what started, in reverse
        try:
            status = _run_parts(args, config, notifier, stack)
        except StartError as exc:
            log.error("%s", exc)
            status = EXIT_FAILED
        except Exception:
            log.exception("spirokiosk failed")
            status = EXIT_FAILED
    if status == EXIT_OK:
        log.info("stopped")
    return status


def _run_parts(
    args: argparse.Namespace, config: Config, notifier: Notifier, stack: contextlib.ExitStack
) -> int:
    # Heavy imports here, after the config is known to be good: a config error is fast.
    import pygame

    from spirokiosk.daemon.service.home_assistant import start_mqtt
    from spirokiosk.daemon.service.loop import RenderLoop
    from spirokiosk.daemon.service.parts import (
        camera_settings,
        display_size,
        scene_overlays,
        scene_timing,
    )
    from spirokiosk.daemon.service.playlist import Playlist
    from spirokiosk.daemon.service.reloader import ConfigReloader
    from spirokiosk.daemon.service.screen_time import ScreenTime
    from spirokiosk.display.camera.link import CameraLink
    from spirokiosk.display.draw.scene import Scene
    from spirokiosk.display.screen.output import DisplayError, new_frame_surface, open_output
    from spirokiosk.display.screen.watch import ScreenWatch

    stack.enter_context(quiet_terminal())  # under systemd, a key at the Pi is only a key
    signals = SignalFlags()
    signals.install()
    stack.callback(signals.uninstall)

    display = config.display
    stack.callback(pygame.quit)
    open_screen = functools.partial(
        open_output, display.mode, display_size(config), rotation=display.rotation
    )
    try:
        output = open_screen(fallback_headless=display.fallback_headless)
    except DisplayError as exc:
        raise StartError(str(exc)) from exc
    stack.callback(output.close)
    log.info("display: %s", output.describe())
    screen_watch = None
    if output.waiting_for_screen:  # a screen plugged in (or switched on) later is taken
        screen_watch = ScreenWatch(lambda: open_screen(fallback_headless=True))

    gallery, recorder = start_gallery(config, stack)
    playlist = Playlist(
        config.curves.playlist,
        config.curves.random_shapes,
        # (at most 5 ms for the lock: the playlist may be asked on the render thread)
        favourites=(lambda after: gallery.next_favourite(after, wait=0.005)) if gallery else None,
        note=recorder.note if recorder is not None else None,
    )
    overlays = scene_overlays(config)
    scene = Scene(output.size, playlist, timing=scene_timing(config), overlays=overlays)

    camera = CameraLink(scene, like=new_frame_surface((1, 1)))  # frames' pixel format
    stack.callback(camera.stop, CAMERA_STOP_SECONDS)
    camera.apply(camera_settings(config))

    control = Control(per_client=config.web.queue_per_client)
    hub = access = page_url = discovery = None
    if config.web.enabled:
        hub, access, page_url = start_web(config, control, gallery, stack)
        discovery = start_discovery(config, control, stack)
    else:
        log.info("web mirror disabled (web.enabled = false)")
    start_mqtt(config, control, hub, page_url, stack, gallery)

    screen_time = ScreenTime(config)
    stack.callback(screen_time.stop)
    loop = RenderLoop(
        output=output,
        scene=scene,
        playlist=playlist,
        config=config,
        control=control,
        notifier=notifier,
        signals=signals,
        hub=hub,
        camera=camera,
        screen_watch=screen_watch,
        access=access,
        screen_time=screen_time,
        recorder=recorder,
        discovery=discovery,
    )
    stack.callback(lambda: loop.output.close())  # the screen it has now
    reloader = ConfigReloader(
        lambda: load_from_options(args.config, args.overrides),
        control,
        notifier,
        signals,
        web=access is not None,
    )
    reloader.start()  # a SIGHUP that came before is taken now
    stack.callback(reloader.stop, RELOADER_STOP_SECONDS)
    loop.tick()  # the first frame is on screen before READY
    settle_the_heap()
    notifier.ready(status=loop.status_line())
    log.info("ready: %s", loop.status_line())
    try:
        loop.run()
    finally:
        notifier.stopping()
    if signals.stop_signal == signal.SIGINT and under_systemd():
        # The terminal's keys are off, so this came from something else (a stray
        # `kill -INT`): not a stop the admin asked for, so not a clean exit either, and
        # Restart=on-failure brings the kiosk back.
        log.warning("SIGINT under systemd is not a stop: exiting as failed, to be restarted")
        return EXIT_FAILED
    return EXIT_OK


def settle_the_heap() -> None:
    """Keep what start-up made (modules, the app, the scene) out of the garbage collector's
    way for good (gc.freeze). Otherwise, now and then, a full collection walks all of it
    while holding the GIL: 15 to 25 ms here that stall every thread, a tenth of a second
    on a Pi, once per curve or so (tests/bench/bench_pi.py saw it as a dropped frame)."""
    gc.collect()
    gc.freeze()
