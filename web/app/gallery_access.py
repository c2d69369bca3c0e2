"""The web's way to the gallery: the store the daemon passed to create_app (or none),
ids and queries checked, every refusal an errors.RefusedError with its status and a
'field: message' line (the app's handler in api.py turns it into the API's JSON error)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TypeVar

from spirokiosk.display.curves import Curve, CurveError
from spirokiosk.display.messages import escaped
from spirokiosk.web.app.context import Gallery, web_context
from spirokiosk.web.app.errors import RefusedError

log = logging.getLogger(__name__)

KINDS = ("history", "favourites")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
OFF = (
    "gallery: this kiosk runs without a gallery (its state directory or database could "
    "not be used; the kiosk's log says why)"
)
T = TypeVar("T")


def the_gallery() -> Gallery:
    gallery = web_context().gallery
    if gallery is None:
        raise RefusedError(503, OFF)
    return gallery


def calling(method: Callable[..., T], *args: object) -> T:
    """`method(*args)`, its failure (a full disk...) as a 503 naming the gallery."""
    try:
        return method(*args)
    except Exception as exc:
        log.warning("gallery request failed: %s", exc)
        raise RefusedError(503, f"gallery: {exc}") from exc


def whole_number(raw: object, field: str, low: int = 1, high: int = 2**63 - 1) -> int:
    """A whole number from a URL part, a query value or JSON (not a bool, not 1.5)."""
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19:
        value = int(raw)
    if value is None or not low <= value <= high:
        shown = f"'{escaped(raw)}'" if isinstance(raw, str) else escaped(repr(raw))
        raise RefusedError(400, f"{field}: must be a whole number from {low}, not {shown}")
    return value


def found(entry: dict | None, entry_id: int, field: str = "id") -> dict:
    if entry is None:
        raise RefusedError(404, f"{field}: no gallery entry {entry_id}")
    return entry


def list_query(args: Mapping[str, str]) -> tuple[str, int, int | None]:
    """(kind, limit, before) from ?kind=history|favourites&limit=N&before=ID."""
    kind = args.get("kind", "history")
    if kind not in KINDS:
        raise RefusedError(400, f"kind: must be history or favourites, not '{escaped(kind)}'")
    limit = whole_number(args.get("limit", str(DEFAULT_LIMIT)), "limit", 1, MAX_LIMIT)
    before = args.get("before")
    return kind, limit, whole_number(before, "before") if before is not None else None


def page_of(kind: str, limit: int, before: int | None) -> dict:
    """{kind, entries, more, before}: `before` is the id to ask the next page with."""
    rows = calling(the_gallery().entries, kind, limit + 1, before)
    entries = rows[:limit]
    more = len(rows) > limit
    return {
        "kind": kind,
        "entries": entries,
        "more": more,
        "before": entries[-1]["id"] if more else None,
    }


def curve_of_entry(raw_id: object) -> Curve:
    """The curve of gallery entry `raw_id` (POST /api/curve {"gallery": id})."""
    entry_id = whole_number(raw_id, "gallery")
    entry = found(calling(the_gallery().entry, entry_id), entry_id, "gallery")
    try:
        return Curve.from_dict(entry["curve"])
    except CurveError as exc:
        raise CurveError([f"gallery: entry {entry_id}: {e}" for e in exc.errors]) from None
