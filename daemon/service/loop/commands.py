"""The render loop's side of the command queue: what each web (or MQTT, or discovery)
command does to the scene, the playlist, the schedule and the address on screen, and a
config the reloader read (applied by `loop.reloaded`). Run on the render thread, between
frames; a command that fails is logged and the loop goes on."""

from __future__ import annotations

import logging

from spirokiosk.daemon.service.control import (
    Pause,
    PlayCurve,
    Reloaded,
    ReplacePlaylist,
    Resume,
    SetScreen,
    ShowAddress,
    Skip,
)
from spirokiosk.daemon.state.recorder import Origin

log = logging.getLogger(__name__)


def apply_commands(loop) -> None:
    """The queued commands, applied in order; a command that fails is logged."""
    for command in loop.control.take_commands():
        try:
            apply_command(loop, command)
        except Exception:  # a command must never stop the service
            log.exception("the web's %s could not be applied", type(command).__name__)
    loop.control.note_scene_queue(loop.scene.queued_count)


def apply_command(loop, command: object) -> None:
    if isinstance(command, PlayCurve):
        curve = command.curve
        if loop.recorder is not None:
            curve = loop.recorder.asked(curve, Origin(command.source, command.detail))
        loop.scene.queue_curve(curve)
        name = command.curve.name or "a curve"
        log.info("queued %s (asked over the web)", name, extra={"CURVE": name})
    elif isinstance(command, Skip):
        loop.paused = False
        loop.scene.skip()
        log.info("skipped to %s (asked over the web)", loop.scene.curve.name or "a curve")
    elif isinstance(command, Pause):
        loop.paused = True
        log.info("paused (asked over the web)")
    elif isinstance(command, Resume):
        loop.paused = False
        log.info("resumed (asked over the web)")
    elif isinstance(command, ReplacePlaylist):
        loop.playlist.update(command.names, loop.playlist.random_shapes)
        log.info("playlist for this run: %s (asked over the web)", ", ".join(command.names))
    elif isinstance(command, SetScreen) and loop.screen_time is not None:
        loop.screen_time.override(command.state)
    elif isinstance(command, ShowAddress) and command.url != loop.address:
        loop.address = command.url
        log.info("the mirror's address: %s", command.url)
        update_address(loop)
    elif isinstance(command, Reloaded):
        loop.reloaded(command)


def update_address(loop) -> None:
    """The address card on screen per display.show_address: `auto` until the page has
    been opened once, `always`, `never`."""
    policy = loop.config.display.show_address
    url = loop.address
    if policy == "never" or (policy == "auto" and loop.control.page_viewed):
        url = None
    if url != loop.scene.address:
        loop.scene.show_address(url)
