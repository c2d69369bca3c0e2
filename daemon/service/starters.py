"""Starting the parts that run beside the render loop, each on threads of its own: the
gallery with its recorder, the frame hub with its encoder and the web server, discovery.
Each part is registered on `run()`'s ExitStack right after it started (stopped in
reverse, each stop bounded); a start the admin can fix fails with a StartError, whose
message is the one line the admin sees.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from spirokiosk.daemon.config import Config, ConfigError
from spirokiosk.daemon.service.control import Control

if TYPE_CHECKING:
    from spirokiosk.daemon.discovery.announcer import Announcer
    from spirokiosk.daemon.state.recorder import CurveRecorder
    from spirokiosk.daemon.state.store import GalleryStore
    from spirokiosk.web.app.access import Access
    from spirokiosk.web.hub import FrameHub

log = logging.getLogger(__name__)

HUB_STOP_SECONDS = 0.5
WEB_STOP_SECONDS = 1.0  # every stop wait is bounded: see the README ("Under systemd")
GALLERY_STOP_SECONDS = 0.5  # curves still waiting to be written, then the file closes
DISCOVERY_STOP_SECONDS = 0.6  # the goodbyes take 0.25 s; a stuck zeroconf is left alone


class StartError(RuntimeError):
    """A part could not start; the message is the one line the admin sees."""


def start_gallery(
    config: Config, stack: contextlib.ExitStack
) -> tuple[GalleryStore | None, CurveRecorder | None]:
    """The gallery and the thread recording curves into it; (None, None) when the
    state directory or the database cannot be used (warned about: the kiosk goes on)."""
    from spirokiosk.daemon.state.opening import open_gallery, state_directory
    from spirokiosk.daemon.state.recorder import CurveRecorder

    directory = state_directory(config.state.dir)
    gallery = open_gallery(directory, config.state.history_limit)
    if gallery is None:
        return None, None
    stack.callback(gallery.close, GALLERY_STOP_SECONDS)
    log.info("gallery: %s", gallery.path)
    recorder = CurveRecorder(gallery)
    recorder.start()
    stack.callback(recorder.stop, GALLERY_STOP_SECONDS)
    return gallery, recorder


def start_web(
    config: Config, control: Control, gallery: GalleryStore | None, stack: contextlib.ExitStack
) -> tuple[FrameHub, Access, str]:
    """The hub with its encoder thread, and the web server serving (port bound); the
    web's access rules, for the loop to renew on reload; the server's URL."""
    from spirokiosk.daemon.service.parts import access_rules, export_settings, stream_settings
    from spirokiosk.web.app import create_app
    from spirokiosk.web.app.access import Access
    from spirokiosk.web.app.export_jobs import ExportJobs
    from spirokiosk.web.hub import FrameHub
    from spirokiosk.web.server import RequestLimits, WebServer, WebServerError

    web = config.web
    try:
        access = Access(access_rules(config))  # the token file is read again now
    except ConfigError as exc:
        raise StartError("; ".join(exc.errors)) from exc
    hub = FrameHub(stream_settings(config))
    hub.start()
    stack.callback(hub.stop, HUB_STOP_SECONDS)
    exports = ExportJobs(export_settings(config))  # its workers start with the first export
    stack.callback(exports.close)  # after the server stops: every export's worker is killed
    try:
        limits = RequestLimits(
            header_bytes=web.max_header_bytes,
            request_seconds=web.request_timeout_seconds,
            body_bytes=web.max_body_bytes,
            upload_bytes=web.max_upload_bytes,
            per_address=web.max_connections_per_address,
        )
        server = WebServer(
            create_app(
                hub,
                control,
                max_body_bytes=web.max_body_bytes,
                max_upload_bytes=web.max_upload_bytes,
                access=access,
                gallery=gallery,
                exports=exports,
            ),
            bind=web.bind,
            port=web.port,
            max_viewers=web.max_viewers,
            spare_workers=web.spare_workers,
            write_timeout_seconds=web.write_timeout_seconds,
            limits=limits,
        )
    except WebServerError as exc:
        raise StartError(str(exc)) from exc
    stack.callback(server.stop, WEB_STOP_SECONDS)
    server.start()
    return hub, access, server.url


def start_discovery(config: Config, control: Control, stack: contextlib.ExitStack) -> Announcer:
    """The `discovery` thread: announces the mirror over mDNS (discovery.enabled) and hands
    its URL to the render loop for the screen (display.show_address). It never fails the
    start: multicast DNS that cannot work is a warning in its thread."""
    from spirokiosk.daemon.discovery.announcer import Announcer
    from spirokiosk.daemon.service.parts import discovery_settings

    announcer = Announcer(discovery_settings(config), on_url=control.show_address)
    announcer.start()
    stack.callback(announcer.stop, DISCOVERY_STOP_SECONDS)
    return announcer
