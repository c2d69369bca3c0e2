"""The config's sections as the settings of the parts they configure: the web mirror,
the scene's timing and overlays, the camera; and the keys that no running part can take
(a reload leaves them for a restart). Used at start-up (service) and on reload (loop).
"""

from __future__ import annotations

from spirokiosk.daemon.config import Config
from spirokiosk.display.camera_link import CameraSettings
from spirokiosk.display.scene import Overlays, Timing
from spirokiosk.web.settings import WebSettings

# Keys a reload cannot apply to the running process.
RESTART_KEYS = frozenset(
    {
        "display.mode",
        "display.size",
        "display.fallback_headless",
        "web.enabled",
        "web.bind",
        "web.port",
        "web.write_timeout_seconds",
    }
)


def web_settings(config: Config) -> WebSettings:
    """The [web] section as the mirror's WebSettings."""
    web = config.web
    return WebSettings(
        enabled=web.enabled,
        bind=web.bind,
        port=web.port,
        max_viewers=web.max_viewers,
        stream_fps=web.stream_fps,
        stream_quality=web.stream_quality,
        stream_size=str(web.stream_size),
        write_timeout_seconds=web.write_timeout_seconds,
    )


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
    )
