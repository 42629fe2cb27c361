"""Who may write: bearer tokens (RFC 6750) from the ``write_tokens`` setting.

Every write needs ``Authorization: Bearer <token>`` with a token of the ``write_tokens`` setting
(``name=token,...``; ``name`` is the agent recorded in the writes log). No tokens configured: writes
are off, 403. No or malformed header: 401 with ``WWW-Authenticate: Bearer realm="paradip-kg"``; an
unknown token: 403 (``error="invalid_token"``). Tokens are compared as SHA-256 digests with
:func:`hmac.compare_digest`, against every configured token (no early exit), and never appear in a
log line, an error message or a response.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from flask import request
from werkzeug.exceptions import Forbidden

from paradip_kg.errors import AuthenticationFailed, InputError
from paradip_kg.web.state import get_state

log = logging.getLogger(__name__)

REALM = "paradip-kg"
AGENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,63}$")


def _digest(secret: bytes) -> bytes:
    return hashlib.sha256(secret).digest()


def parse_write_tokens(raw: str) -> tuple[tuple[str, bytes], ...]:
    """``name=token,...`` as (name, SHA-256 of the token) pairs; bad entries are skipped with a
    warning that names their position, never their text."""
    entries: list[tuple[str, bytes]] = []
    for number, part in enumerate(raw.split(","), 1):
        part = part.strip()
        if not part:
            continue
        name, separator, token = part.partition("=")
        name, token = name.strip(), token.strip()
        if not separator or not token or not AGENT_NAME.match(name):
            log.warning("write_tokens: entry %d is not name=token (name: letters, digits and ._@:+-); "
                        "it is ignored", number)
            continue
        if len(token) < 16:
            log.warning("write_tokens: the token of %s is shorter than 16 characters; use a long random one "
                        "(python -c 'import secrets; print(secrets.token_urlsafe(32))')", name)
        entries.append((name, _digest(token.encode("utf-8"))))
    return tuple(entries)


def write_tokens() -> tuple[tuple[str, bytes], ...]:
    """The configured tokens (parsed once per app, kept in its state)."""
    state = get_state()
    raw = str(state.settings.get("write_tokens") or "")
    tokens: tuple[tuple[str, bytes], ...] = state.cached(("web.auth", "write_tokens", raw),
                                                         lambda: parse_write_tokens(raw), per_version=False)
    return tokens


def writes_enabled() -> bool:
    return bool(write_tokens())


def authenticate() -> str:
    """The agent name of the request's bearer token; raise 403 (writes off, wrong token) or 401."""
    tokens = write_tokens()
    if not tokens:
        raise Forbidden("Writes are turned off on this server: the operator has not enabled them "
                        "(setting write_tokens, environment variable PARADIP_WRITE_TOKENS; see docs/writes.md).")
    if "access_token" in request.args:
        raise InputError("Send the write token in the Authorization header (Authorization: Bearer ...), "
                         "never in the URL: URLs end up in logs and browser histories. Consider that token leaked.")
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise AuthenticationFailed(401, "This endpoint writes to the knowledge graph and needs a write token: "
                                   "send Authorization: Bearer <token>.", f'Bearer realm="{REALM}"')
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials or " " in credentials:
        raise AuthenticationFailed(401, "Only bearer tokens are accepted: send Authorization: Bearer <token>.",
                                   f'Bearer realm="{REALM}", error="invalid_request"')
    given = _digest(credentials.encode("latin-1", "replace"))
    agent: str | None = None
    for name, digest in tokens:  # every token is compared, whichever matches
        if hmac.compare_digest(given, digest) and agent is None:
            agent = name
    if agent is None:
        raise AuthenticationFailed(403, "The write token is not valid.",
                                   f'Bearer realm="{REALM}", error="invalid_token"')
    return agent
