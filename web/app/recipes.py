"""POST /api/recipe: a file dropped on the studio, its curve back.

    POST /api/recipe[?name=FILENAME]   body: the file itself (any type but multipart)
    200 {"curve": Curve.to_dict()}     or 400 {"errors": ["file: ..."]}, 413, 503

The file is a picture or video the kiosk made (PNG, GIF, JPEG snapshot, MP4, SVG: the
recipe it carries) or a curve file (JSON, TOML); `display.export.read_recipe` reads
it, from its metadata only. Nothing on the kiosk changes, so nothing is gated; `name`
only names a TOML curve that has no name of its own.

The body may be up to `web.max_upload_bytes` (a GIF or an MP4 is megabytes): the only
route that reads more than `web.max_body_bytes`. The server gives such a body time by
its length (web/server/gate.py, `upload_seconds`); here at most UPLOADS_AT_ONCE are
read at once (each holds a worker thread and its bytes in memory); another gets 503.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from spirokiosk.display.curves import CurveError
from spirokiosk.display.export.read_recipe import MAX_FILE_BYTES, curve_from_file
from spirokiosk.display.messages import escaped
from spirokiosk.web.app import api
from spirokiosk.web.app.context import web_context
from spirokiosk.web.app.errors import RefusedError

log = logging.getLogger(__name__)

bp = Blueprint("recipes", __name__)

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
MAX_NAME_CHARS = 255
BUSY_RETRY_AFTER = 5


@bp.post("/api/recipe")
def read_recipe() -> Response:
    """The curve in the body's file (see the module doc)."""
    # Any type is read as the file's bytes (curl --data-binary sends a form's type), but
    # a multipart form wraps the file in its own framing: said plainly, not misread.
    if request.mimetype == "multipart/form-data":
        raise RefusedError(
            415, "file: send the file itself as the body (fetch with body: file), not a form"
        )
    name = request.args.get("name")
    if name is not None and len(name) > MAX_NAME_CHARS:
        raise CurveError([f"name: at most {MAX_NAME_CHARS} characters"])
    ctx = web_context()
    limit = min(ctx.max_upload_bytes, MAX_FILE_BYTES)
    if not ctx.uploads.acquire(blocking=False):
        return api.error_response(
            503,
            ["file: the kiosk is reading other files just now; try again in a moment"],
            **{"Retry-After": str(BUSY_RETRY_AFTER)},
        )
    try:
        data = api.read_body(limit, "file")
        try:
            curve = curve_from_file(data, name)
        except CurveError:
            raise
        except Exception as exc:  # a parser's surprise on a hostile file: still the file's
            log.info(
                "%s: file not read: %s: %s",
                request.remote_addr or "?",
                type(exc).__name__,
                escaped(exc, 200),
            )
            raise CurveError([f"file: could not be read ({type(exc).__name__})"]) from None
    finally:
        ctx.uploads.release()
    return jsonify(curve=curve.to_dict())
