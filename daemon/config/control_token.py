"""web.control's token: given inline (web.control_token) or in a file
(web.control_token_file), checked when the config is loaded and read again by the
service at start and on every reload. Messages name the key, never the token."""

from __future__ import annotations

import re
from typing import Protocol

from spirokiosk.daemon.config.errors import ConfigError
from spirokiosk.daemon.config.files import FileError, read_small_file
from spirokiosk.display.messages import escaped

# RFC 6750's b64token (what an `Authorization: Bearer` header may carry), 16 or more long.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9\-._~+/]{16,1024}=*")
TOKEN_RULE = "16 to 1024 of the characters A-Z a-z 0-9 - . _ ~ + / (e.g. `openssl rand -hex 16`)"
MAX_TOKEN_FILE_BYTES = 4096


class WebControl(Protocol):
    control: str
    control_token: str
    control_token_file: str


def control_problems(web: WebControl) -> list[str]:
    """Every problem with web.control and its token, each as 'web.key: message'."""
    given = [key for key in ("control_token", "control_token_file") if getattr(web, key)]
    if len(given) == 2:
        return ["web.control_token_file: set either web.control_token or this file, not both"]
    if web.control != "token":
        return []
    if not given:
        return [
            'web.control_token: needed when web.control = "token" (or name a file holding it '
            "in web.control_token_file)"
        ]
    try:
        read_control_token(web)
    except ConfigError as exc:
        return list(exc.errors)
    return []


def read_control_token(web: WebControl) -> str:
    """The token: web.control_token, or the first line of web.control_token_file (read
    now). ConfigError naming the key when it is missing, unreadable or malformed."""
    if web.control_token_file:
        path = web.control_token_file
        try:
            data = read_small_file(path, MAX_TOKEN_FILE_BYTES)
        except FileError as exc:
            raise ConfigError([f"web.control_token_file: {escaped(path, 200)}: {exc}"]) from None
        lines = data.decode("utf-8", "replace").strip().splitlines()
        token = lines[0].strip() if lines else ""
        key = f"web.control_token_file: {escaped(path, 200)}"
    else:
        token, key = web.control_token, "web.control_token"
    if not token:
        raise ConfigError([f"{key}: empty; it must hold the token"])
    if not TOKEN_PATTERN.fullmatch(token):
        raise ConfigError([f"{key}: the token must be {TOKEN_RULE}"])
    return token
