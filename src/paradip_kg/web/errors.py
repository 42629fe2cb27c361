"""How errors become HTTP answers: the one error handler, and the bodies some errors bring.

Every error leaves the app through :func:`handle_error`: a :class:`~paradip_kg.errors.ParadipError`
or a werkzeug ``HTTPException`` becomes ``{"error": title, "message": ..., "status": n}`` for
API clients, or ``error.html`` for browsers (clients that rank HTML above JSON). An error class
whose answer is a document of its own (a write's 422 carries its SHACL report, negotiated like
``/validate``) registers a body function with :func:`error_body`, and the handler calls it, then
adds the headers every error answer has.

The error page speaks the visitor's language, as the other pages do (``?lang=``, the cookie,
Accept-Language: :func:`~paradip_kg.web.language.page_language`): its title (:data:`TITLES`) and a
sentence on what the status means and what to do (:data:`EXPLANATIONS`); the message the code,
the parser or the engine gave is kept verbatim inside, as their own words. The JSON body of API
clients keeps the English ``error`` title, a stable key for programs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from paradip_kg import i18n
from paradip_kg.errors import ParadipError
from paradip_kg.web import conneg
from paradip_kg.web.language import page_language

# The answer to an error of a registered class; None: this one has no document of its own (the usual answer).
BodyFunction = Callable[[ParadipError], Response | None]
# A registry filled at import time by the modules that define the bodies, not a cache.
ERROR_BODIES: dict[type[ParadipError], BodyFunction] = {}
log = logging.getLogger(__name__)

# The Spanish of every error title (our classes' and werkzeug's); an unknown title stays as it is.
TITLES: dict[str, str] = {
    "Internal error": "Error interno", "Internal Server Error": "Error interno del servidor",
    "Bad request": "Petición incorrecta", "Bad Request": "Petición incorrecta",
    "Malformed RDF": "RDF mal formado", "Bad table row": "Fila de tabla incorrecta",
    "Malformed query": "Consulta mal formada", "Query not supported": "Consulta no admitida",
    "Unusable shapes": "Formas inutilizables", "Bad triple pattern": "Patrón de tripleta incorrecto",
    "Unauthorized": "No autorizado", "Forbidden": "Prohibido", "Not found": "No encontrado",
    "Not Found": "No encontrado", "No such graph": "No existe ese grafo", "Graph not writable": "Grafo no escribible",
    "Read-only store": "Almacén de solo lectura", "Method Not Allowed": "Método no permitido",
    "Not acceptable": "Formato no aceptable", "Not Acceptable": "Formato no aceptable",
    "Bulk delete not confirmed": "Borrado masivo sin confirmar", "Conflict": "Conflicto",
    "Payload too large": "Petición demasiado grande", "Request Entity Too Large": "Petición demasiado grande",
    "Unsupported Media Type": "Tipo de contenido no admitido",
    "Write rejected by the shapes": "Escritura rechazada por las formas",
    "Write rejected: inconsistent with the ontology": "Escritura rechazada: incoherente con la ontología",
    "Unprocessable Entity": "Entidad no procesable", "Too many requests": "Demasiadas peticiones",
    "Too Many Requests": "Demasiadas peticiones", "Remote store error": "Error del almacén remoto",
    "Harvest failed": "Falló la recolección", "Not available": "No disponible",
    "Service Unavailable": "Servicio no disponible", "Writer busy": "Escritor ocupado", "Busy": "Ocupado",
    "Query timed out": "La consulta superó el tiempo", "Validation timed out": "La validación superó el tiempo",
}
# What a status means to a visitor, and what they can do; by status, then by its hundred.
EXPLANATIONS: dict[int, i18n.Pair] = {
    400: ("La petición no se pudo usar tal como llegó. El detalle dice qué falló (y, para RDF o SPARQL, "
          "dónde).", "The request could not be used as it came. The detail says what failed (and, for RDF or "
          "SPARQL, where)."),
    401: ("Hace falta una credencial válida (un token de portador) para esto.",
          "This needs a valid credential (a bearer token)."),
    403: ("Esto no está permitido.", "This is not allowed."),
    404: ("No hay nada en esta dirección: el grafo no dice nada de ella, o el enlace está mal escrito.",
          "There is nothing at this address: the graph says nothing about it, or the link is mistyped."),
    405: ("Esta dirección no admite ese método.", "This address does not take that method."),
    406: ("No hay una representación en ninguno de los formatos que su cliente acepta.",
          "There is no representation in any of the formats your client accepts."),
    409: ("La petición choca con el estado actual; no se escribió nada.",
          "The request conflicts with the current state; nothing was written."),
    413: ("La petición es más grande de lo que este servidor acepta.",
          "The request is larger than this server accepts."),
    415: ("Este tipo de contenido no se admite aquí.", "This content type is not taken here."),
    422: ("El cambio se rechazó; no se escribió nada.", "The change was rejected; nothing was written."),
    429: ("Demasiadas peticiones en poco tiempo: espere un momento y vuelva a intentarlo.",
          "Too many requests in a short time: wait a moment and try again."),
    500: ("Algo falló en el servidor. No es culpa suya; el error quedó registrado.",
          "Something failed on the server. It is not your fault; the error was logged."),
    502: ("Un servicio del que depende este servidor falló o no respondió.",
          "A service this server depends on failed or did not answer."),
    503: ("El servidor no puede atender esto ahora (ocupado, límite de tiempo o almacén aún no construido): "
          "vuelva a intentarlo más tarde.", "The server cannot serve this now (busy, a time limit, or the store "
          "not built yet): try again later."),
}


def title_in(title: str, lang: str) -> str:
    """An error title in ``lang`` (the English one is the code's)."""
    return TITLES.get(title, title) if lang == "es" else title


def explanation_in(status: int, lang: str) -> str:
    """What ``status`` means to a visitor, in ``lang``."""
    pair = EXPLANATIONS.get(status) or EXPLANATIONS.get(status // 100 * 100) or EXPLANATIONS[500 if status >= 500
                                                                                             else 400]
    return i18n.text(pair, lang)


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
        lang = page_language()
        page = {**body, "title": title_in(title, lang), "explanation": explanation_in(status, lang)}
        response = Response(render_template("error.html", error=page, lang=lang), status=status,
                            mimetype="text/html")
    elif response is None:
        response = jsonify(body)
        response.status_code = status
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response
