"""The config's sections as the arguments of the parts they configure: the stream, the
scene's timing and overlays, the camera, the screen, discovery. Used at start-up (`lifecycle`) and
on reload (`loop`); the values are the schema's, already checked, passed on as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spirokiosk.daemon.config import Config
from spirokiosk.daemon.config.control_token import read_control_token
from spirokiosk.daemon.discovery.announcer import DiscoverySettings
from spirokiosk.display.camera.link import CameraSettings
from spirokiosk.display.draw.scene import Overlays, Timing
from spirokiosk.display.sizes import Size
from spirokiosk.web.hub import AUTO_STREAM_BOX, StreamBox, StreamSettings

if TYPE_CHECKING:
    from spirokiosk.web.app.access import AccessRules
    from spirokiosk.web.app.export_jobs import ExportSettings


def display_size(config: Config) -> Size | None:
    """display.size: a Size, or None for auto (the screen's own)."""
    size = config.display.size
    return size if isinstance(size, Size) else None


def stream_settings(config: Config) -> StreamSettings:
    """The stream's keys of the [web] section as the hub's settings."""
    web = config.web
    return StreamSettings(
        max_viewers=web.max_viewers,
        fps=web.stream_fps,
        quality=web.stream_quality,
        box=stream_box(web.stream_size),
    )


def stream_box(stream_size: Size | str) -> StreamBox | None:
    """web.stream_size as the box the stream fits in; "display" is none."""
    if isinstance(stream_size, Size):
        return StreamBox(stream_size.width, stream_size.height)
    return AUTO_STREAM_BOX if stream_size == "auto" else None


def scene_overlays(config: Config) -> Overlays:
    display = config.display
    return Overlays(pen=display.show_pen, wheels=display.show_wheels, caption=display.show_caption)


def scene_timing(config: Config) -> Timing:
    curves = config.curves
    return Timing(curves.draw_seconds, curves.hold_seconds, curves.fade_seconds)


def camera_settings(config: Config) -> CameraSettings:
    """The [camera] section as the CameraLink's settings."""
    camera = config.camera
    return CameraSettings(
        source=camera.source,
        mode=camera.mode,
        device=camera.device,
        opacity=camera.overlay_opacity,
        timeout=camera.timeout_seconds,
        # Mounted with the screen, the camera's picture stands as the panel's does: in
        # the upright drawing that is turned back by the screen's rotation.
        turn=(camera.rotation - config.display.rotation) % 360,
    )


def access_rules(config: Config) -> AccessRules:
    """web.control, its token (read from web.control_token_file now, when named) and
    web.rate_limit as the web app's access rules. Raises ConfigError when the token file
    cannot be read (it may have changed since the config was checked)."""
    from spirokiosk.web.app.access import AccessRules  # Flask: only when the web runs

    web = config.web
    token = read_control_token(web) if web.control == "token" else None
    return AccessRules(control=web.control, token=token, rate_per_minute=web.rate_limit)


def discovery_settings(config: Config) -> DiscoverySettings:
    """The [discovery] section with the web server's address and port, for the announcer."""
    return DiscoverySettings(
        announce=config.discovery.enabled,
        name=config.discovery.name,
        bind=config.web.bind,
        port=config.web.port,
    )


def export_settings(config: Config) -> ExportSettings:
    """The [export] section as the web's export queue settings."""
    from spirokiosk.web.app.export_jobs import ExportSettings  # only when the web runs

    export = config.export
    return ExportSettings(
        workers=export.workers,
        queue=export.queue,
        keep_bytes=export.keep_bytes,
        keep_seconds=export.keep_seconds,
        abandon_seconds=export.abandon_seconds,
        max_seconds=export.max_seconds,
    )
