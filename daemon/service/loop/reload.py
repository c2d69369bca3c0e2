"""A reload applied on the render thread: the config the reloader thread read and
checked (daemon/service/reloader.py, with the files it names) given to every part that
can take it while the picture goes on. Nothing here reads a file."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from spirokiosk.daemon.config import Config, changed_keys, restart_keys
from spirokiosk.daemon.service.control import Reloaded
from spirokiosk.daemon.service.logs import setup_logging
from spirokiosk.daemon.service.loop.commands import update_address
from spirokiosk.daemon.service.loop.status import status_document, status_line
from spirokiosk.daemon.service.parts import (
    camera_settings,
    discovery_settings,
    scene_overlays,
    scene_timing,
    stream_settings,
)

if TYPE_CHECKING:
    from spirokiosk.web.app.access import AccessRules

log = logging.getLogger(__name__)


def reloaded(loop, outcome: Reloaded) -> None:
    """Apply the config a reload read (none when it had errors, logged by the reader);
    put the running one back when a part fails. Then the status, then READY=1, whatever
    failed on the way: systemd is never left believing the service is reloading."""
    try:
        if outcome.config is not None:
            before = in_force(loop)
            try:  # whatever fails, the service goes on with the config it has
                apply_config(loop, outcome.config, outcome.access, outcome.zone)
            except Exception:
                log.exception("config not reloaded: an unexpected error; the running config stays")
                if loop.config is not before.config:
                    restore(loop, before)
        line = None
        try:  # The status shows the outcome before systemd (and whoever waits) hears READY.
            loop.control.publish_status(status_document(loop, loop._clock()))
            line = status_line(loop)
        except Exception:
            log.exception("the status after the reload could not be made")
        loop.notifier.ready(status=line)
    finally:
        outcome.applied.set()


def in_force(loop) -> Reloaded:
    """What the parts have now (with the token and zone in use), to put back."""
    access = loop.access.rules if loop.access is not None else None
    zone = loop.screen_time.zone if loop.screen_time is not None else None
    return Reloaded(loop.config, access, zone)


def restore(loop, old: Reloaded) -> None:
    """Give every part the running config again after a reload failed half-way."""
    try:
        apply_config(loop, old.config, old.access, old.zone)
    except Exception:
        log.exception("could not restore every part to the running config")
        loop.config = old.config


def apply_config(
    loop, new: Config, access: AccessRules | None = None, zone: dt.tzinfo | None = None
) -> None:
    """Give every part its share of `new` (the web its `access` rules when given, the
    schedule its on-times in `zone`); log what was applied and what needs a restart."""
    old, loop.config = loop.config, new
    changed = changed_keys(old, new)
    loop.reloads += 1
    if old.logging != new.logging:
        setup_logging(new.logging.level, new.logging.verbose)
    if old.curves != new.curves:
        # A playlist the web set for this run stays until the file's playlist changes.
        changed_list = old.curves.playlist != new.curves.playlist
        names = new.curves.playlist if changed_list else loop.playlist.names
        loop.playlist.update(names, new.curves.random_shapes)
        loop.scene.timing = scene_timing(new)
    if scene_overlays(old) != scene_overlays(new):
        loop.scene.set_overlays(scene_overlays(new))
    if loop.hub is not None and old.web != new.web:
        loop.hub.apply_settings(stream_settings(new))
    if loop.access is not None and access is not None:
        loop.access.apply(access)  # the token file may have changed under the same name
    if loop.camera is not None and old.camera != new.camera:
        loop.camera.apply(camera_settings(new))
    loop.control.per_client = new.web.queue_per_client
    if loop.screen_time is not None and old.schedule != new.schedule:
        loop.screen_time.apply(new, zone)
    if loop.discovery is not None and old.discovery != new.discovery:
        # The address stays the running server's: web.bind and web.port change only
        # with a restart, and an announced port nobody listens on would mislead.
        running = loop.discovery.settings
        wanted = discovery_settings(new)
        loop.discovery.apply(replace(wanted, bind=running.bind, port=running.port))
    update_address(loop)
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
