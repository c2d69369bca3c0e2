"""The JSON API: /api/status, /api/presets, POST /api/curve; and /healthz.

POST /api/curve never touches the scene: it builds and checks the curve in the web
thread, then hands it to the render loop's command queue (`control.play_curve`).
Every error under /api/ is JSON: {"error": "...", "errors": ["field: message", ...]}.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import ClientDisconnected, HTTPException

from spirokiosk.display.curves import CurveError
from spirokiosk.display.curves.data import parse_json
from spirokiosk.web.app.access import changes_kiosk, current_access
from spirokiosk.web.app.context import web_context
from spirokiosk.web.app.curve_requests import curve_from_request, preset_list
from spirokiosk.web.app.errors import RefusedError
from spirokiosk.web.app.gallery_access import curve_of_entry
from spirokiosk.web.app.rate_limit import client_key

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)

QUEUE_FULL_RETRY_AFTER = 30  # seconds, when the status does not tell the curve timing


def error_response(status: int, errors: list[str], **headers: str) -> Response:
    response = jsonify(error="; ".join(errors), errors=errors)
    response.status_code = status
    response.headers.update(headers)
    return response


@bp.app_errorhandler(HTTPException)
def _json_errors_under_api(exc: HTTPException):
    """404, 405, ... under /api/ answer in JSON like every other API error."""
    if not request.path.startswith("/api/") or exc.code is None:
        return exc
    return error_response(exc.code, [f"{request.path}: {exc.description}"])


@bp.app_errorhandler(CurveError)
def _bad_curve(exc: CurveError) -> Response:
    return error_response(400, exc.errors)


@bp.get("/api/status")
def status() -> Response:
    document = web_context().status()
    document["control"] = current_access().rules.control  # whether changes need a token
    return jsonify(document)


@bp.get("/api/presets")
def presets() -> Response:
    return jsonify(preset_list())


def byte_size(count: int) -> str:
    """A byte count as a refusal says it, in the largest unit it is a whole number of:
    "8 MiB", "64 KiB", "100000 bytes" (never rounded: the number shown is the limit)."""
    for unit, name in ((1024 * 1024, "MiB"), (1024, "KiB")):
        if count and count % unit == 0:
            return f"{count // unit} {name}"
    return f"{count} bytes"


def read_body(limit: int, field: str) -> bytes:
    """The whole request body, at most `limit` bytes, or RefusedError naming `field`:
    413 "larger than `byte_size(limit)`", 400 when less than its Content-Length came in
    time. A body whose Content-Length is over the limit is refused unread (cheroot then
    closes the connection, as it does after every 413: cheroot/server.py, send_headers)."""
    too_large = RefusedError(413, f"{field}: larger than {byte_size(limit)}")
    if (request.content_length or 0) > limit:
        raise too_large
    # One byte over the limit: a chunked body stops there without an error (werkzeug's
    # LimitedStream.readall with is_max, werkzeug/wsgi.py), so limit + 1 bytes read is how
    # an over-long chunked body shows. (A Content-Length over it was refused above:
    # get_input_stream's RequestEntityTooLarge cannot come.)
    request.max_content_length = limit + 1
    try:
        data = request.get_data(cache=False)
    except ClientDisconnected:  # less than Content-Length came before the read timeout
        raise RefusedError(
            400, f"{field}: shorter than its Content-Length (nothing more came in time)"
        ) from None
    if len(data) > limit:
        raise too_large
    return data


def json_body(*, allow_empty: bool = False) -> object:
    """The request's JSON document, or RefusedError (415, 413, 400) or CurveError (invalid
    JSON). `allow_empty`: an empty body is None (a command that needs no fields)."""
    if not request.is_json:
        got = request.headers.get("Content-Type") or "none"
        raise RefusedError(415, f"body: send JSON with Content-Type: application/json (got {got})")
    data = read_body(web_context().max_body_bytes, "body")
    if allow_empty and not data.strip():
        return None
    return parse_json(data, "body")


@bp.app_errorhandler(RefusedError)
def _refused(exc: RefusedError) -> Response:
    """A refusal raised by any route (the body, a gallery id, ...: errors.RefusedError)."""
    return error_response(exc.status, [str(exc)])


def _retry_after() -> int:
    """About one curve's time: the queue frees a place when a queued curve starts."""
    timing = web_context().control.status().get("timing") or {}
    try:
        seconds = float(timing["draw_seconds"]) + float(timing["hold_seconds"])
    except (KeyError, TypeError, ValueError):
        return QUEUE_FULL_RETRY_AFTER
    return max(1, math.ceil(seconds)) if math.isfinite(seconds) else QUEUE_FULL_RETRY_AFTER


@bp.post("/api/curve")
@changes_kiosk
def ask_for_curve() -> Response:
    """Queue a curve to draw next: a preset, a random curve or a whole curve (202)."""
    body = json_body()
    curve = curve_from_request(body, from_gallery=curve_of_entry)
    source, detail = "request", request.remote_addr or ""
    if isinstance(body, dict) and "gallery" in body:  # (curve_of_entry checked the id)
        source, detail = "gallery", str(body["gallery"])
    control = web_context().control
    client = client_key(request.remote_addr)
    if not control.play_curve(curve, source, detail, client=client):
        mine = control.waiting_for(client)
        if mine >= control.per_client:
            why = (
                f"queue: {mine} of your curves already wait, as many as one client may have; "
                "try again after one of them starts"
            )
        else:
            why = (
                "queue: the kiosk has too many curves waiting; try again after the next one starts"
            )
        return error_response(429, [why], **{"Retry-After": str(_retry_after())})
    log.info("curve %s asked for by %s", curve.name, request.remote_addr or "?")
    # Its place in the queue: 1 plays next (counted after it was queued).
    place = web_context().control.waiting()
    response = jsonify(queued=curve.name, place=place, curve=curve.to_dict())
    response.status_code = 202
    return response


@bp.get("/healthz")
def healthz() -> Response:
    if web_context().control.is_alive():
        return Response("ok\n", mimetype="text/plain")
    return Response("render loop stalled\n", status=503, mimetype="text/plain")
