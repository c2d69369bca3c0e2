"""The refusal the app's error handler answers for (api.py registers it): raised anywhere
in a request, it becomes the API's JSON error, {"error": ..., "errors": [message]}.

A leaf: it imports nothing of the project, so every module of the app may raise it (api
imports gallery_access, which raises it too).
"""

from __future__ import annotations


class RefusedError(Exception):
    """A request refused with `status` and one 'field: message' line: a body the route
    does not take (415, 413, 400), a gallery id or query that is wrong (400), no such
    entry (404), no gallery or a gallery that failed (503)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
