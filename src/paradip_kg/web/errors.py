"""How errors become HTTP answers: the bodies that some errors bring of their own.

Every error leaves the app through one handler (``handle_error``). Most get the one shape
``{"error": title, "message": ..., "status": n}`` (or the HTML error page); an error class
whose answer is a document of its own (a write's 422 carries its SHACL report, negotiated
like ``/validate``) registers a body function with :func:`error_body`, and the handler calls
it, then adds the headers every error answer has.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response

from paradip_kg.errors import ParadipError

BodyFunction = Callable[[ParadipError], Response]
ERROR_BODIES: dict[type[ParadipError], BodyFunction] = {}


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
