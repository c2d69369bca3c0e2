"""The Flask app factory of the web mirror (as in Flask's tutorial: blueprints, one
extension object for what the handlers share)."""

from __future__ import annotations

from flask import Flask, Response, request

from spirokiosk.web.app import api, control_api, export, page, recipes, schedule, stream, studio
from spirokiosk.web.app import gallery as gallery_routes
from spirokiosk.web.app.access import EXTENSION_KEY as ACCESS_KEY
from spirokiosk.web.app.access import Access, is_changing
from spirokiosk.web.app.context import EXTENSION_KEY, Control, Gallery, WebContext
from spirokiosk.web.app.curve_requests import MAX_BODY_BYTES
from spirokiosk.web.app.export_jobs import ExportJobs
from spirokiosk.web.app.recipes import MAX_UPLOAD_BYTES
from spirokiosk.web.hub.frame_hub import FrameHub

NO_STORE_HEADERS = {
    "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0",
    "Pragma": "no-cache",
    "X-Accel-Buffering": "no",
}


# The endpoints that read a request body.
BODY_TAKEN_BY = frozenset({"api.ask_for_curve", "studio.preview", "recipes.read_recipe"})


def _no_body_where_none_is_taken() -> Response | None:
    """413 for a body sent to an address that reads none: nothing would read it, and
    cheroot would read it all to keep the connection."""
    if request.endpoint in BODY_TAKEN_BY or is_changing(request.endpoint):
        return None
    if (request.content_length or 0) > 0 or "Transfer-Encoding" in request.headers:
        return api.error_response(413, [f"body: {request.path} takes none"])
    return None


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
    max_body_bytes: int = MAX_BODY_BYTES,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    access: Access | None = None,
    gallery: Gallery | None = None,
    exports: ExportJobs | None = None,
) -> Flask:
    """The mirror's WSGI app: `/`, `/stream.mjpg`, `/snapshot.jpg`, `/api/status`, `/healthz`,
    and the blueprints' routes (the studio, the gallery, exports, control: see the package).

    `hub` is the running FrameHub; `control` gives `status() -> dict` (the immutable
    status document the render loop published) and `is_alive() -> bool`. `access` holds
    who may change the kiosk (default: open to all, rate-limited); `gallery`, the kiosk's
    history and favourites (None: the gallery's pages say it is off); `exports`, the
    export queue (None: one with the default settings; its owner closes it). Serve it with
    `spirokiosk.web.server.WebServer`, never with Flask's development server.
    """
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.json.sort_keys = False
    app.extensions[EXTENSION_KEY] = WebContext(
        hub=hub,
        control=control,
        gallery=gallery,
        resend_interval=resend_interval,
        snapshot_timeout=snapshot_timeout,
        max_body_bytes=max_body_bytes,
        max_upload_bytes=max_upload_bytes,
    )
    app.extensions[ACCESS_KEY] = access or Access()
    app.extensions[export.EXTENSION_KEY] = exports or ExportJobs()
    app.register_blueprint(page.bp)
    app.register_blueprint(stream.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(control_api.bp)
    app.register_blueprint(schedule.bp)
    app.register_blueprint(gallery_routes.bp)
    app.register_blueprint(studio.bp)
    app.register_blueprint(recipes.bp)
    app.register_blueprint(export.bp)
    app.before_request(_no_body_where_none_is_taken)
    app.after_request(_no_store)
    return app
