"""POST /api/schedule/override: the screen on, off or quiet by hand, until the next
scheduled change (or back to the schedule at once with null). It changes the kiosk, so
it goes through the access gate (web.control, the rate limit). The render loop applies
it; /api/status's "schedule" shows the result a moment later."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from spirokiosk.display.messages import shown
from spirokiosk.web.app.access import changes_kiosk
from spirokiosk.web.app.api import error_response, json_body
from spirokiosk.web.app.context import web_context

log = logging.getLogger(__name__)

bp = Blueprint("schedule", __name__)

STATES = ("on", "off", "quiet")


@bp.post("/api/schedule/override")
@changes_kiosk
def override() -> Response:
    body = json_body()
    if not isinstance(body, dict):
        return error_response(400, ['body: must be a JSON object such as {"state": "off"}'])
    errors = [f"{shown(key)}: unknown field (send only state)" for key in body if key != "state"]
    if "state" not in body:
        errors.append('state: missing; one of "on", "off", "quiet", or null for the schedule')
    elif body["state"] is not None and body["state"] not in STATES:
        errors.append(f'state: must be "on", "off", "quiet" or null, not {shown(body["state"])}')
    if errors:
        return error_response(400, errors)
    state = body["state"]
    if not web_context().control.set_screen(state):
        return error_response(429, ["queue: the kiosk is busy; try again in a moment"])
    log.info("screen %s asked for by %s", state or "on schedule", request.remote_addr or "?")
    response = jsonify(requested=state)
    response.status_code = 202
    return response
