"""How errors become HTTP answers: the one error handler, and the bodies some errors bring.

Every error leaves the app through :func:`handle_error`: a :class:`~paradip_kg.errors.ParadipError`
or a werkzeug ``HTTPException`` becomes ``{"error": title, "message": ..., "status": n}`` for
API clients, or ``error.html`` for browsers (clients that rank HTML above JSON). An error class
whose answer is a document of its own (a write's 422 carries its SHACL report, negotiated like
``/validate``) registers a body function with :func:`error_body`, and the handler calls it, then
adds the headers every error answer has.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from paradip_kg.errors import ParadipError
from paradip_kg.web import conneg
from paradip_kg.web.language import page_language

# The answer to an error of a registered class; None: this one has no document of its own (the usual answer).
BodyFunction = Callable[[ParadipError], Response | None]
# A registry filled at import time by the modules that define the bodies, not a cache.
ERROR_BODIES: dict[type[ParadipError], BodyFunction] = {}
log = logging.getLogger(__name__)


def error_body(kind: type[ParadipError]) -> Callable[[BodyFunction], BodyFunction]:
    """Register the function that writes the answer to errors of ``kind`` (and its subclasses)."""
    def register(function: BodyFunction) -> BodyFunction:
        ERROR_BODIES[kind] = function
        return function
    return register


def body_for(error: ParadipError) -> BodyFunction | None:
    """The registered body function nearest to the error's class, if any."""
    for kind in type(error).__mro__:
        if kind in ERROR_BODIES:
            return ERROR_BODIES[kind]
    return None


def handle_error(exc: Exception) -> Response:
    """One shape for every error: JSON for API clients, an HTML page for browsers."""
    if isinstance(exc, ParadipError):
        status, title, message, headers = exc.status, exc.title, exc.message, dict(exc.headers)
    elif isinstance(exc, HTTPException):
        status, title, message = exc.code or 500, exc.name, exc.description or exc.name
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    else:  # pragma: no cover - Flask hands unhandled errors over as InternalServerError
        status, title, message, headers = 500, "Internal error", "An unexpected error happened.", {}
    if status >= 500:
        log.warning("%s %s -> %s %s: %s", request.method, request.path, status, title, message)
    body = {"error": title, "message": message, "status": status}
    response: Response | None = None
    if isinstance(exc, ParadipError) and (own_body := body_for(exc)) is not None:
        response = own_body(exc)  # None: no document of its own this time, the usual answer
    if response is None and conneg.prefers_html(request.accept_mimetypes):
        response = Response(render_template("error.html", error=body, lang=page_language()), status=status,
                            mimetype="text/html")
    elif response is None:
        response = jsonify(body)
        response.status_code = status
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response
