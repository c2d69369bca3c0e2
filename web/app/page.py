"""/: the page people open: the live picture and what is being drawn."""

from __future__ import annotations

from flask import Blueprint, render_template

from spirokiosk.web.app.context import web_context

bp = Blueprint("page", __name__)


@bp.get("/")
def index() -> str:
    context = web_context()
    context.control.note_page_view()
    return render_template("index.html", status=context.status())
