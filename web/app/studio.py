"""The curve studio: the page (/studio) and what it asks the server for.

    GET  /studio                    the page (template studio.html, static studio.js)
    POST /api/preview               a curve in (as POST /api/curve takes it), its SVG out
    GET  /api/colour-maps           the swatches: names, colours, CSS gradients
    GET  /api/gears?ring=&wheel=&pen=&outside=   a toy spirograph's curve
    GET  /api/random?seed=&shapes=  a random curve as the kiosk makes it, with its seed

None of these changes anything: they build curves in the request's thread and
answer. The preview is drawn by `display.export.preview` from the screen's own
sampling, and says the curve's symmetry in `X-Symmetry` (exact|approximate|none k m)
and `X-Symmetry-Text` (in words, with what breaks an approximate one).
"""

from __future__ import annotations

import logging
import secrets
import time

from flask import Blueprint, Response, jsonify, render_template, request

from spirokiosk.display.curves import SHAPES, CurveError
from spirokiosk.display.curves.data import MAX_FREQ, MAX_WHEELS
from spirokiosk.display.export.preview import preview_svg
from spirokiosk.web.app import api
from spirokiosk.web.app.context import web_context
from spirokiosk.web.app.curve_requests import SEED_LIMIT, curve_from_request
from spirokiosk.web.app.gallery_access import curve_of_entry
from spirokiosk.web.app.studio_data import colour_map_swatches, gears_from_query, symmetry_report

log = logging.getLogger(__name__)

bp = Blueprint("studio", __name__)


# A bad body's CurveError (400) and refusals (415, 413) are answered by the api
# blueprint's app-wide handlers, as for /api/curve.


@bp.get("/studio")
def page() -> str:
    return render_template(
        "studio.html",
        max_wheels=MAX_WHEELS,
        max_freq=MAX_FREQ,
        shapes=SHAPES,
        max_upload_bytes=web_context().max_upload_bytes,  # files dropped on it (recipes.py)
    )


@bp.post("/api/preview")
def preview() -> Response:
    """The finished curve as image/svg+xml; the body as POST /api/curve's (same checks)."""
    slots = web_context().previews
    if not slots.acquire(blocking=False):
        return api.error_response(
            503,
            ["preview: other previews are being drawn; try again in a moment"],
            **{"Retry-After": "1"},
        )
    try:
        started = time.perf_counter()
        # The same body and limits as /api/curve, a gallery entry included.
        curve = curve_from_request(api.json_body(), from_gallery=curve_of_entry)
        svg = preview_svg(curve)
        report = symmetry_report(curve)
        seconds = time.perf_counter() - started
    finally:
        slots.release()
    response = Response(svg, mimetype="image/svg+xml")
    k_m = f" {report['k']} {report['m']}" if report["k"] else ""
    response.headers["X-Symmetry"] = report["state"] + k_m
    response.headers["X-Symmetry-Text"] = report["text"]
    response.headers["X-Curve-Name"] = curve.name.encode("ascii", "replace").decode()
    response.headers["Server-Timing"] = f"preview;dur={seconds * 1000:.1f}"
    return response


@bp.get("/api/colour-maps")
def colour_maps() -> Response:
    return jsonify(list(colour_map_swatches()))


@bp.get("/api/gears")
def gears() -> Response:
    """A gear set's curve as Curve.to_dict(), and its symmetry."""
    curve = gears_from_query(request.args)
    return jsonify(curve=curve.to_dict(), symmetry=symmetry_report(curve))


@bp.get("/api/random")
def random() -> Response:
    """A random curve by the kiosk's rules (POST /api/curve's {"random": true}), its seed
    said so it can be made again; `shapes` a comma-separated list (default circle)."""
    body: dict = {"random": True}
    if "seed" in request.args:
        text = request.args["seed"]
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(SEED_LIMIT)):
            raise CurveError([f"seed: must be a whole number from 0 to {SEED_LIMIT - 1}"])
        body["seed"] = int(text)
    if "shapes" in request.args:
        body["shapes"] = request.args["shapes"].split(",")
    seeds: list[int] = []

    def new_seed() -> int:
        seeds.append(secrets.randbits(32))
        return seeds[-1]

    curve = curve_from_request(body, new_seed=new_seed)
    seed = body.get("seed", seeds[-1] if seeds else None)
    return jsonify(seed=seed, curve=curve.to_dict(), symmetry=symmetry_report(curve))
