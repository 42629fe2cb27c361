"""The Flask application factory: settings, state, blueprints, the error handler, CORS, security headers.

``create_app(test_config)`` resolves the settings (:mod:`paradip_kg.settings`), keeps the
per-process state in ``app.extensions["paradip_kg"]`` (:class:`~paradip_kg.web.state.AppState`),
registers the blueprints of :data:`BLUEPRINTS` and sends every error through the one handler
(:func:`paradip_kg.web.errors.handle_error`). CORS headers (setting ``cors_origins``) and the
security headers go on every response, errors included.

To add a page family, give its module a blueprint ``bp`` and add it to :data:`BLUEPRINTS`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException

from paradip_kg import PACKAGE_DIR
from paradip_kg import settings as settings_module
from paradip_kg.errors import ParadipError, PayloadTooLarge
from paradip_kg.i18n import LANGUAGES
from paradip_kg.rdf.formats import RDF_FORMATS
from paradip_kg.web.about import bp as about
from paradip_kg.web.agreement_pages import bp as agreement_pages
from paradip_kg.web.browse import bp as browse
from paradip_kg.web.context import bp as context
from paradip_kg.web.dataset import bp as dataset
from paradip_kg.web.docs_pages import bp as docs_pages
from paradip_kg.web.errors import handle_error
from paradip_kg.web.fragments import bp as fragments
from paradip_kg.web.home import bp as home
from paradip_kg.web.language import lang_url, remember_language, tr
from paradip_kg.web.quality import bp as quality
from paradip_kg.web.query_vocabulary import bp as query_vocabulary
from paradip_kg.web.reconciliation import bp as reconciliation
from paradip_kg.web.resources import bp as resources
from paradip_kg.web.search import bp as search
from paradip_kg.web.sparql import bp as sparql
from paradip_kg.web.state import EXTENSION, AppState, get_state
from paradip_kg.web.urls import bp as urls
from paradip_kg.web.validate import bp as validate
from paradip_kg.web.writes import bp as writes

# In this order: the catch-all routes of resources come after the fixed paths of the others.
BLUEPRINTS: tuple[Blueprint, ...] = (urls, sparql, validate, quality, writes, docs_pages, dataset, home, search,
                                     browse, about, context, agreement_pages,
                                     query_vocabulary, reconciliation, resources,
                                     fragments)
EXPOSED_HEADERS = "ETag, Content-Type, Content-Disposition, Link, X-Paradip-Truncated, X-Paradip-Result-Limit"


def refuse_writes_on_read_only_backend() -> None:
    """Writes go to a backend that takes them (the embedded store); the remote store is loaded
    with ``paradip-kg push``, the memory store is filled from the files at start."""
    if request.path == "/update" or (request.path == "/graph-store" and request.method in ("PUT", "POST", "DELETE")):
        get_state().check_writable()


def limit_request_body() -> None:
    """413 for a body over ``max_request_bytes``, however it is sent. With a Content-Length
    werkzeug refuses it before reading; a chunked body has none, and werkzeug's stream then
    stops silently at the limit, so the parser saw a truncated document (400). Read it here,
    one byte past the limit, and hand the views what was read."""
    limit = int(get_state().settings["max_request_bytes"])
    if request.content_length is not None:
        if request.content_length > limit:
            raise PayloadTooLarge(f"The request body has {request.content_length} bytes; at most {limit} are "
                                  "accepted (setting max_request_bytes).")
        return
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    raw = request.environ["wsgi.input"]
    data = raw.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The request body (chunked) is over {limit} bytes; at most {limit} are accepted "
                              "(setting max_request_bytes).")
    request.environ["wsgi.input"] = io.BytesIO(data)
    request.environ["CONTENT_LENGTH"] = str(len(data))
    request.__dict__.pop("stream", None)  # werkzeug's cached stream, if anything asked for it already


# Pages load only their own scripts (static/*.js; the one inline <script> is a JSON-LD data
# block, which a CSP does not execute). Inline style="" attributes and <style> blocks are used
# by the templates (report.html, validate.html, vocab.html, ld_macros.html), hence
# 'unsafe-inline' for styles only. No frames, plugins or foreign form targets.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response: Response) -> Response:
    """The security headers, on every response (errors too); a view's own values are kept."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def add_cors(response: Response) -> Response:
    """CORS on every response (errors too), and the answer to preflight requests."""
    origins = str(get_state().settings.get("cors_origins", "")).strip()
    if not origins:
        return response
    allowed = [o.strip() for o in origins.split(",") if o.strip()]
    origin = request.headers.get("Origin", "")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return response
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Accept-Language, Content-Type, If-None-Match")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    Args:
        test_config: lower-case keys are settings (:data:`paradip_kg.settings.SETTINGS`)
            overriding defaults and environment; upper-case keys go to ``app.config``
            as they are (``TESTING``, ...).
    """
    config = dict(test_config or {})
    flask_keys = {k: v for k, v in config.items() if k.isupper()}
    values = settings_module.load({k: v for k, v in config.items() if not k.isupper()})
    app = Flask("paradip_kg.web", template_folder=str(PACKAGE_DIR / "templates"),
                static_folder=str(PACKAGE_DIR / "static"))
    app.config.update(PARADIP=values, MAX_CONTENT_LENGTH=int(values["max_request_bytes"]),
                      MAX_FORM_MEMORY_SIZE=int(values["max_request_bytes"]), JSON_SORT_KEYS=False)
    app.config.update(flask_keys)
    app.extensions[EXTENSION] = AppState(values)
    app.jinja_env.globals.update(languages=LANGUAGES, tr=tr, lang_url=lang_url, rdf_formats=RDF_FORMATS)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_error_handler(ParadipError, handle_error)
    app.register_error_handler(HTTPException, handle_error)
    app.before_request(limit_request_body)
    app.before_request(refuse_writes_on_read_only_backend)
    app.after_request(add_cors)
    app.after_request(add_security_headers)
    app.after_request(remember_language)
    return app
