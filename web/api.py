"""/api/status and /healthz."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .context import web_context

bp = Blueprint("api", __name__)


@bp.get("/api/status")
def status() -> Response:
    return jsonify(web_context().status())


@bp.get("/healthz")
def healthz() -> Response:
    if web_context().control.is_alive():
        return Response("ok\n", mimetype="text/plain")
    return Response("render loop stalled\n", status=503, mimetype="text/plain")
