"""Who may change the kiosk: the one gate every changing request goes through.

Watching (the page, the stream, the snapshot, /api/status, /api/presets, ...) stays
open. A route that changes the kiosk (queues a curve, skips, pauses, replaces the
playlist, deletes a favourite, overrides the schedule) is marked with one line:

    from spirokiosk.web.app.access import changes_kiosk

    @bp.post("/api/something")
    @changes_kiosk
    def something() -> Response: ...

(`changes_kiosk` goes under the route decorator, so Flask registers the gated view.)
A viewer's own action that watching includes (hearting a curve in the gallery) is
marked `viewer_action` instead: JSON and the rate limit only, whatever web.control says.
Before the view runs, the gate answers for it when
- `web.control` is `off`: 403, control is off;
- the body is not JSON: 415 naming the Content-Type header (a plain HTML form on another
  site can only send form or text bodies, and a page that sets application/json needs
  a CORS preflight, which this app never grants: no Access-Control-* headers at all);
- the client sent more than `web.rate_limit` changing requests a minute (token bucket
  per client, see `rate_limit`): 429 with Retry-After;
- `web.control` is `token` and the request has no `Authorization: Bearer` token (401
  with `WWW-Authenticate: Bearer`) or a wrong one (403); compared in constant time.
Errors are JSON like the rest of the API, with "control" saying the mode. A marked view
also takes a request body (the factory's 413 for bodies where none is taken knows it).

The rules come from the daemon (`AccessRules`); `Access.apply` swaps them on a reload.
The token is never logged and never shown (`AccessRules` leaves it out of its repr).
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Request, Response, current_app, jsonify, request

from spirokiosk.display.messages import escaped
from spirokiosk.web.app.rate_limit import RateLimiter, client_key, retry_after

log = logging.getLogger(__name__)

CONTROL_MODES = ("open", "token", "off")
DEFAULT_RATE_PER_MINUTE = 30
REALM = "spirokiosk"
GATED_MARK = "spirokiosk_changes_kiosk"
EXTENSION_KEY = "spirokiosk.access"


@dataclass(frozen=True)
class AccessRules:
    """`control`: open, token or off; `token` when control is token; `rate_per_minute`
    changing requests per client a minute (0: no limit)."""

    control: str = "open"
    token: str | None = field(default=None, repr=False)
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE

    def __post_init__(self) -> None:
        if self.control not in CONTROL_MODES:
            raise ValueError(f"control: must be one of {', '.join(CONTROL_MODES)}")
        if self.control == "token" and not self.token:
            raise ValueError("token: needed when control is token")
        if self.rate_per_minute < 0:
            raise ValueError("rate_per_minute: must be 0 (no limit) or more")


class Access:
    """The current rules and the clients' rate buckets; safe to share between threads."""

    def __init__(
        self, rules: AccessRules | None = None, *, clock: Callable[[], float] | None = None
    ) -> None:
        self._clock = clock
        self._rules = AccessRules()
        self._limiter: RateLimiter | None = None
        self.apply(rules or AccessRules())

    @property
    def rules(self) -> AccessRules:
        return self._rules

    def apply(self, rules: AccessRules) -> None:
        """Take new rules (a reload); the buckets start afresh when the rate changed."""
        limiter = self._limiter
        if limiter is None or limiter.per_minute != rules.rate_per_minute:
            limiter = None
            if rules.rate_per_minute > 0:
                extra = {"clock": self._clock} if self._clock is not None else {}
                limiter = RateLimiter(rules.rate_per_minute, **extra)
        self._limiter, self._rules = limiter, rules  # each a reference swap

    def refusal(self, req: Request, *, control: bool = True) -> Response | None:
        """The answer to a changing request the rules refuse, or None to let it through.
        `control=False`: a viewer's action (a heart), held only to JSON and the rate."""
        rules = self._rules
        if control and rules.control == "off":
            return _refuse(403, "control: changing the kiosk is off here (web.control = off)")
        if not req.is_json:
            got = escaped(req.headers.get("Content-Type") or "none")  # the client's words
            return _refuse(415, f"Content-Type: must be application/json for a change (got {got})")
        limiter = self._limiter
        if limiter is not None:
            wait, first = limiter.take_noting(client_key(req.remote_addr))
            if wait > 0:
                seconds = retry_after(wait)
                if first:  # once per flood, not once per request
                    log.warning(
                        "rate limit: %s sends more than %d changes a minute; refusing",
                        req.remote_addr or "?",
                        limiter.per_minute,
                    )
                return _refuse(
                    429,
                    f"rate: more than {limiter.per_minute} changes a minute from this client; "
                    f"try again in {seconds} s",
                    {"Retry-After": str(seconds)},
                )
        if control and rules.control == "token":
            return _check_token(req, rules.token or "")
        return None


def _bearer(req: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (req.headers.get("Authorization") or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def _check_token(req: Request, expected: str) -> Response | None:
    given = _bearer(req)
    if given is None:
        return _refuse(
            401,
            "Authorization: this kiosk needs its control token (Authorization: Bearer TOKEN)",
            {"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    # Both sides as bytes: compare_digest (hmac.py takes _hashlib's, else _operator's)
    # raises TypeError for a str with non-ASCII characters, which a header may carry.
    if hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        return None
    log.warning("control token refused from %s", req.remote_addr or "?")  # never the token
    return _refuse(403, "Authorization: wrong control token")


def _refuse(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(error=message, errors=[message], control=current_access().rules.control)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def current_access() -> Access:
    """The Access of the current Flask app (`create_app` puts it there)."""
    return current_app.extensions[EXTENSION_KEY]


def _gate(view: Callable[..., Any], *, control: bool) -> Callable[..., Any]:
    """`view` behind the gate (`Access.refusal`), marked for the factory's body rule."""

    @functools.wraps(view)
    def gated(*args: Any, **kwargs: Any) -> Any:
        refused = current_access().refusal(request, control=control)
        return refused if refused is not None else view(*args, **kwargs)

    setattr(gated, GATED_MARK, True)
    return gated


def changes_kiosk(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark `view` as changing the kiosk: the gate answers first (see the module doc)."""
    return _gate(view, control=True)


def viewer_action(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark `view` as a viewer's own action (a heart): open to every watcher whatever
    web.control says, but only as JSON (no cross-site form can send it) and within the
    per-client rate limit."""
    return _gate(view, control=False)


def is_changing(endpoint: str | None) -> bool:
    """Whether the app's view for `endpoint` is behind a gate (`changes_kiosk` or
    `viewer_action`): it takes a request body."""
    view = current_app.view_functions.get(endpoint or "")
    return bool(getattr(view, GATED_MARK, False))
