"""The control API: skip to the next curve, pause and resume the pen, replace the playlist
for this run. Every route changes the kiosk, so each goes through the access gate
(`access.changes_kiosk`); the commands go to the render loop's queue, never to the scene.

    POST /api/control/skip                       {} (or an empty body; JSON all the same)
    POST /api/control/pause                      {}
    POST /api/control/resume                     {}
    PUT|POST /api/control/playlist               {"playlist": ["gears-96-52", "random"]}

(Every changing request is sent as JSON, `Content-Type: application/json`: the gate
refuses anything else with 415, so that no other site's form can send one.)

Each answers 202 with what was asked ({"skipped": true}, {"paused": true}, ...);
bad input is a 400 naming the field, a full command queue a 503 with Retry-After.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request

from spirokiosk.display.curves import PRESETS, CurveError
from spirokiosk.display.messages import did_you_mean, escaped, shown
from spirokiosk.web.app.access import changes_kiosk
from spirokiosk.web.app.api import error_response, json_body
from spirokiosk.web.app.context import web_context

log = logging.getLogger(__name__)

bp = Blueprint("control_api", __name__)

RANDOM = "random"
FAVOURITES = "favourites"  # the gallery's hearted curves, in turn (as curves.playlist)
MAX_PLAYLIST = 200  # names in one playlist; more is a mistake, not a show
BUSY_RETRY_AFTER = 1  # seconds: the loop drains its queue every frame


def _fields(allowed: frozenset[str]) -> dict:
    """The body as a JSON object (empty: {}); or RefusedError / CurveError naming why."""
    body = json_body(allow_empty=not allowed)
    if body is None and not allowed:  # no body (or null) for a command without fields
        return {}
    if not isinstance(body, dict):
        raise CurveError(["body: must be a JSON object"])
    unknown = sorted(set(body) - allowed, key=str)
    if unknown:
        raise CurveError(
            [
                f"{escaped(key)}: unknown field"
                + (did_you_mean(str(key), allowed) or ("; send {}" if not allowed else ""))
                for key in unknown
            ]
        )
    return body


def _queued(done: bool, what: str, **answer: object) -> Response:
    if not done:
        return error_response(
            503,
            ["queue: the kiosk has too many commands waiting; try again in a second"],
            **{"Retry-After": str(BUSY_RETRY_AFTER)},
        )
    log.info("%s asked for by %s", what, request.remote_addr or "?")
    response = jsonify(answer)
    response.status_code = 202
    return response


def _command(send: Callable[[], bool], what: str, **answer: object) -> Response:
    _fields(frozenset())  # a refused body or an unknown field: api's error handlers answer
    return _queued(send(), what, **answer)


@bp.post("/api/control/skip")
@changes_kiosk
def skip() -> Response:
    """Start the next curve now (a curve asked for first, else the playlist's)."""
    return _command(lambda: web_context().control.skip(), "skip", skipped=True)


@bp.post("/api/control/pause")
@changes_kiosk
def pause() -> Response:
    """Stop the pen where it is until resumed."""
    return _command(lambda: web_context().control.pause(), "pause", paused=True)


@bp.post("/api/control/resume")
@changes_kiosk
def resume() -> Response:
    """Let the pen go on from where it stopped."""
    return _command(lambda: web_context().control.resume(), "resume", paused=False)


def playlist_names(value: object) -> tuple[str, ...]:
    """A requested playlist checked like curves.playlist: preset names, "random" and
    "favourites"."""
    known = [*PRESETS, RANDOM, FAVOURITES]
    if not isinstance(value, list) or not value:
        raise CurveError(
            ['playlist: must be a non-empty list of preset names, "random" and "favourites"']
        )
    if len(value) > MAX_PLAYLIST:
        raise CurveError([f"playlist: at most {MAX_PLAYLIST} names, not {len(value)}"])
    errors = []
    for i, name in enumerate(value):
        if not isinstance(name, str):
            errors.append(f'playlist[{i}]: must be a preset name or "random", not {shown(name)}')
        elif name not in known:
            hint = did_you_mean(name, known, n=3) or "; see GET /api/presets"
            errors.append(f"playlist[{i}]: unknown preset {shown(name)}{hint}")
    if errors:
        raise CurveError(errors)
    return tuple(value)


@bp.route("/api/control/playlist", methods=["PUT", "POST"])
@changes_kiosk
def replace_playlist() -> Response:
    """Play these curves, in order and round, from the next one on (for this run)."""
    body = _fields(frozenset({"playlist"}))  # errors: answered by api's handlers
    if "playlist" not in body:
        raise CurveError(['playlist: missing; send {"playlist": ["NAME", ..., "random"]}'])
    names = playlist_names(body["playlist"])
    control = web_context().control
    return _queued(control.replace_playlist(names), "a new playlist", playlist=list(names))
