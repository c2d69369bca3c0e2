"""The gallery: what the kiosk drew, and the curves viewers hearted.

    GET    /gallery                       page: thumbnails, filter, heart, draw now, studio
    GET    /api/gallery?kind=history|favourites&limit=N&before=ID
    POST   /api/gallery/<id>/heart        one more heart (no body); the entry
    DELETE /api/gallery/<id>/favourite    no longer a favourite (a control action)

POST /api/curve {"gallery": id} (draw an entry now) is in api.py, with the other curve
requests. The store is whatever the daemon passed to create_app (context.Gallery).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, render_template, request

from spirokiosk.display.curves import Curve, CurveError
from spirokiosk.web.app.access import changes_kiosk, viewer_action
from spirokiosk.web.app.api import error_response, json_body
from spirokiosk.web.app.errors import RefusedError
from spirokiosk.web.app.gallery_access import (
    KINDS,
    calling,
    found,
    list_query,
    page_of,
    the_gallery,
    whole_number,
)
from spirokiosk.web.app.thumbnail import thumbnail_data_uri

log = logging.getLogger(__name__)

bp = Blueprint("gallery", __name__)

# Removing a favourite is a control action (web.control governs it: `changes_kiosk`); a
# heart is a viewer's (`viewer_action`: JSON and the rate limit, whatever web.control says).
PAGE_SIZE = 48


@bp.get("/api/gallery")
def list_entries() -> Response:
    return jsonify(page_of(*list_query(request.args)))


@bp.post("/api/gallery/<entry_id>/heart")
@viewer_action
def heart(entry_id: str) -> Response:
    number = whole_number(entry_id, "id")
    if json_body(allow_empty=True) not in (None, {}):
        return error_response(400, ["body: a heart takes no fields; send {}"])
    entry = found(calling(the_gallery().heart, number), number)
    log.info("gallery: entry %d hearted (%d)", number, entry["hearts"])
    return jsonify(entry)


@bp.delete("/api/gallery/<entry_id>/favourite")
@changes_kiosk
def remove_favourite(entry_id: str) -> Response:
    """A control action (web.control decides who may)."""
    number = whole_number(entry_id, "id")
    entry = found(calling(the_gallery().unfavourite, number), number)
    log.info("gallery: entry %d is no longer a favourite (by %s)", number, request.remote_addr)
    return jsonify(entry)


def _thumbnail(entry: dict) -> str | None:
    try:
        return thumbnail_data_uri(Curve.from_dict(entry["curve"]))
    except CurveError:
        return None


@bp.get("/gallery")
def gallery_page() -> tuple[str, int]:
    try:
        kind, _, before = list_query(request.args)
        listing = page_of(kind, PAGE_SIZE, before)
    except RefusedError as exc:
        kind = request.args.get("kind", "history")
        return render_template(
            "gallery.html", kinds=KINDS, kind=kind, error=str(exc), listing=None
        ), exc.status
    for entry in listing["entries"]:
        entry["thumbnail"] = _thumbnail(entry)
    return render_template("gallery.html", kinds=KINDS, kind=kind, error=None, listing=listing), 200
