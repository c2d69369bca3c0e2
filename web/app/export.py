"""Take a curve home: POST /api/export and the export's status, file and cancel.

    POST   /api/export                 {"curve": ..., "format": ..., ...}: 202 {id, status_url}
    GET    /api/export/<id>            {state, progress, position, url (when done), ...}
    GET    /api/export/<id>/file       the file, with its Content-Type and a file name
    DELETE /api/export/<id>            cancel: the render stops (its process is killed)

Asking for an export changes nothing on the kiosk but costs CPU, so it is a viewer's
action (`viewer_action`: JSON and the rate limit); cancelling too. The body's forms
and limits are in export_requests; the queue in export_jobs, a worker in export_process.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from spirokiosk.web.app.access import viewer_action
from spirokiosk.web.app.api import error_response, json_body
from spirokiosk.web.app.export_jobs import ExportJobs, QueueFullError
from spirokiosk.web.app.export_requests import export_from_request
from spirokiosk.web.app.gallery_access import curve_of_entry

log = logging.getLogger(__name__)

bp = Blueprint("export", __name__)

EXTENSION_KEY = "spirokiosk.exports"


def the_exports() -> ExportJobs:
    """The ExportJobs of the current app (`create_app` puts it there)."""
    return current_app.extensions[EXTENSION_KEY]


def _no_such(job_id: str) -> Response:
    keep = the_exports().settings.keep_seconds
    return error_response(
        404, [f"id: no export {job_id[:40]!r} here (finished ones are kept {keep:g} s)"]
    )


def _status_document(answer: dict) -> dict:
    job_id = answer["id"]
    answer["status_url"] = url_for("export.status", job_id=job_id)
    if answer["state"] == "done":
        answer["url"] = url_for("export.file", job_id=job_id)
    return answer


@bp.post("/api/export")
@viewer_action
def ask_for_export() -> Response:
    """Queue an export (202 with where to follow it), or 429 when the queue is full."""
    wanted = export_from_request(json_body(), from_gallery=curve_of_entry)
    try:
        job = the_exports().submit(wanted.spec, wanted.filename, wanted.content_type)
    except QueueFullError as exc:
        return error_response(429, [str(exc)], **{"Retry-After": str(exc.retry_after)})
    log.info(
        "export of %s as %s asked for by %s",
        wanted.curve.name,
        wanted.spec["format"],
        request.remote_addr or "?",
    )
    answer = the_exports().status(job.id) or {"id": job.id, "state": "queued"}
    response = jsonify(_status_document(answer))
    response.status_code = 202
    response.headers["Location"] = answer["status_url"]
    return response


@bp.get("/api/export/<job_id>")
def status(job_id: str) -> Response:
    answer = the_exports().status(job_id)
    if answer is None:
        return _no_such(job_id)
    return jsonify(_status_document(answer))


@bp.get("/api/export/<job_id>/file")
def file(job_id: str) -> Response:
    job = the_exports().file(job_id)
    if job is None:
        return _no_such(job_id)
    data = job.data
    if job.state != "done" or data is None:
        return error_response(409, [f"id: the export is {job.state}, there is no file"])
    return Response(
        data,
        mimetype=job.content_type,
        headers={"Content-Disposition": f'attachment; filename="{job.filename}"'},
    )


@bp.delete("/api/export/<job_id>")
@viewer_action
def cancel(job_id: str) -> Response:
    if json_body(allow_empty=True) not in (None, {}):
        return error_response(400, ["body: cancelling takes no fields; send {}"])
    answer = the_exports().cancel(job_id)
    if answer is None:
        return _no_such(job_id)
    return jsonify(_status_document(answer))
