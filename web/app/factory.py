"""The Flask app factory of the web mirror (as in Flask's tutorial: blueprints, one
extension object for what the handlers share)."""

from __future__ import annotations

from flask import Flask, Response, request

from spirokiosk.web.app import api, page, stream
from spirokiosk.web.app.context import EXTENSION_KEY, Control, WebContext
from spirokiosk.web.hub.frame_hub import FrameHub

NO_STORE_HEADERS = {
    "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0",
    "Pragma": "no-cache",
    "X-Accel-Buffering": "no",
}


def _no_store(response: Response) -> Response:
    """Every live response is no-store (browsers once showed stale animations)."""
    if request.endpoint != "static":
        response.headers.update(NO_STORE_HEADERS)
    return response


def create_app(
    hub: FrameHub,
    control: Control,
    *,
    resend_interval: float = 1.0,
    snapshot_timeout: float = 2.0,
) -> Flask:
    """The mirror's WSGI app: `/`, `/stream.mjpg`, `/snapshot.jpg`, `/api/status`, `/healthz`.

    `hub` is the running FrameHub; `control` gives `status() -> dict` (the immutable
    status document the render loop published) and `is_alive() -> bool`. Serve it with
    `spirokiosk.web.server.WebServer`, never with Flask's development server.
    """
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.json.sort_keys = False
    app.extensions[EXTENSION_KEY] = WebContext(
        hub=hub,
        control=control,
        resend_interval=resend_interval,
        snapshot_timeout=snapshot_timeout,
    )
    app.register_blueprint(page.bp)
    app.register_blueprint(stream.bp)
    app.register_blueprint(api.bp)
    app.after_request(_no_store)
    return app
