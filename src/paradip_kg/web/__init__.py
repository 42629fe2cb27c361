"""The Flask application: one factory, shared state, one error handler, CORS.

``create_app(test_config)`` resolves the settings (:mod:`paradip_kg.settings`), registers
the blueprints named in :data:`BLUEPRINTS` and keeps the per-process state (the store,
opened lazily and read-only, and the query child processes) in
``app.extensions["paradip_kg"]``, reached with :func:`get_state`.

Every error leaves through :func:`handle_error`: a :class:`~paradip_kg.errors.ParadipError`
or a werkzeug ``HTTPException`` becomes ``{"error": title, "message": ..., "status": n}``
for API clients, or ``error.html`` for browsers (clients that rank HTML above JSON).
CORS headers go on every response, errors included (setting ``cors_origins``).

To add a blueprint, give its module a ``bp`` attribute and add ``"module:bp"`` to
:data:`BLUEPRINTS`.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Flask, Response, current_app, g, jsonify, render_template, request
from jinja2 import pass_context
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from paradip_kg import settings as settings_module
from paradip_kg.backends.base import make_backend  # backend switch (docs/remote-store.md)
from paradip_kg.errors import ParadipError, ReadOnlyBackend
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.sparql.runner import QueryRunner
from paradip_kg.store.disk import Head, Manifest, head_path, manifest_path, read_head
from paradip_kg.web import conneg
from paradip_kg.web.errors import body_for

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BLUEPRINTS: tuple[str, ...] = (
    "paradip_kg.web.sparql:bp",
    "paradip_kg.web.validate:bp",
    "paradip_kg.web.writes:bp",
    "paradip_kg.web.linked_data:bp",
    "paradip_kg.web.fragments:bp",
    "paradip_kg.publish.charts:bp",
)
EXTENSION = "paradip_kg"
LANGUAGES = ("es", "en")
LANG_COOKIE = "paradip_lang"  # the visitor's choice of language, set by ?lang= (see remember_language)
LANG_COOKIE_SECONDS = 365 * 24 * 3600
EXPOSED_HEADERS = "ETag, Content-Type, Content-Disposition, Link, X-Paradip-Truncated, X-Paradip-Result-Limit"
log = logging.getLogger(__name__)


class AppState:
    """What one worker process shares between requests: settings, store, query runners."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.settings = dict(values)
        self.store_dir = Path(self.settings["store"])
        self.union_default_graph = bool(self.settings.get("union_default_graph", False))
        self._store: tuple[Path, ox.Store] | None = None
        self._head: tuple[list[Any], Head] | None = None
        self._cache_version: str | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._pid = os.getpid()
        self._local = threading.local()
        self._runners: list[QueryRunner] = []
        self._lock = threading.Lock()
        # backend switch: None for the embedded store; else memory or remote (paradip_kg.backends.base)
        self.backend = make_backend(self.settings, self.default_graphs, self.union_default_graph)

    def _check_pid(self) -> None:
        # After a fork (gunicorn with preload), handles and children belong to the parent.
        if self._pid != os.getpid():
            self._pid, self._store, self._runners = os.getpid(), None, []
            self._local = threading.local()

    @property
    def default_graphs(self) -> tuple[str, ...]:
        """IRIs of the graphs whose union is the default graph (empty: union of all graphs)."""
        return () if self.union_default_graph else tuple(str(GRAPHS[k]) for k in DEFAULT_GRAPHS)

    def head(self) -> Head:
        """The newest published state (the build, or the last accepted write), re-read only when
        the manifest or HEAD file changes (one ``stat`` each per call)."""
        if self.backend is not None:  # backend switch
            return self.backend.head()
        key: list[Any] = []
        for path in (manifest_path(self.store_dir), head_path(self.store_dir)):
            try:
                st = path.stat()
                key.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                key.append(None)
        if self._head is not None and self._head[0] == key:
            return self._head[1]
        try:
            head = read_head(self.store_dir)
        except (FileNotFoundError, OSError) as exc:
            raise ServiceUnavailable(f"The knowledge graph is not available: {exc}") from None
        if key[0] is None:  # no manifest: the folder's files name it, so do not cache
            return head
        self._head = (key, head)
        return head

    def store(self) -> ox.Store:
        """The newest published state, opened read-only; reopened when a write or build moves it."""
        if self.backend is not None:  # backend switch: a Store-like object (paradip_kg.backends.base)
            return self.backend.store()  # type: ignore[no-any-return]
        self._check_pid()
        head = self.head()
        with self._lock:
            if self._store is None or self._store[0] != head.path:
                try:
                    self._store = (head.path, ox.Store.read_only(str(head.path)))
                except OSError as exc:
                    raise ServiceUnavailable(f"The knowledge graph is not available: {exc}") from None
            return self._store[1]

    def runner(self) -> QueryRunner:
        """This thread's query child process (started on first use)."""
        if self.backend is not None:  # backend switch: queries run in-process or at the remote store
            return self.backend.runner()  # type: ignore[return-value]
        self._check_pid()
        runner = getattr(self._local, "runner", None)
        if runner is None:
            if not self.store_dir.exists():
                raise ServiceUnavailable(f"The knowledge graph is not available: no store at {self.store_dir}; "
                                         "run `paradip-kg build` first")
            runner = QueryRunner(self.store_dir, self.default_graphs, self.union_default_graph)
            self._local.runner = runner
            with self._lock:
                self._runners.append(runner)
        return runner

    def manifest(self) -> Manifest | None:
        if self.backend is not None:  # backend switch
            return self.backend.manifest()
        return Manifest.read(manifest_path(self.store_dir))

    def version(self) -> str:
        """A short token that changes whenever the published state does (for ETags and caches)."""
        return self.head().tag[:16]

    def cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """``make()`` computed once per published state and process, under ``key``."""
        version = self.version()
        with self._lock:
            if self._cache_version != version:
                self._cache_version, self._cache = version, {}
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            if self._cache_version == version:
                self._cache[key] = value
        return value

    def close(self) -> None:
        """Stop the child processes of this process."""
        with self._lock:
            runners, self._runners = self._runners, []
        if self._pid == os.getpid():
            for runner in runners:
                runner.stop()
        self._local = threading.local()


def get_state() -> AppState:
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def get_settings() -> dict[str, Any]:
    return get_state().settings


def get_store() -> ox.Store:
    return get_state().store()


def refuse_writes_on_backend() -> None:
    """Backend switch: writes go to the embedded store only; the remote store is loaded with
    ``paradip-kg push``, the memory store is rebuilt from the files at start."""
    state = current_app.extensions[EXTENSION]
    if state.backend is None:
        return
    if request.path == "/update" or (request.path == "/graph-store" and request.method in ("PUT", "POST", "DELETE")):
        how = ("load the remote store with `paradip-kg push`" if state.backend.name == "remote"
               else "edit the project's files; the memory store is filled from them at start")
        raise ReadOnlyBackend(f"This server reads the {state.backend.name} backend and accepts no writes: {how} "
                              "(see docs/remote-store.md).")


def page_language() -> str:
    """``?lang=`` if it is es or en, else the visitor's earlier choice (the ``paradip_lang``
    cookie), else the best of Accept-Language, else Spanish."""
    g.paradip_language_negotiated = True  # the response varies on the cookie (remember_language)
    wanted = request.args.get("lang", "")
    if wanted in LANGUAGES:
        return wanted
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="es") or "es"


def remember_language(response: Response) -> Response:
    """Keep a ``?lang=`` choice in a cookie, so the language holds across pages."""
    wanted = request.args.get("lang", "")
    if wanted in LANGUAGES and request.cookies.get(LANG_COOKIE) != wanted:
        response.set_cookie(LANG_COOKIE, wanted, max_age=LANG_COOKIE_SECONDS, path=request.script_root or "/",
                            samesite="Lax", httponly=True, secure=request.is_secure)
    if g.get("paradip_language_negotiated"):
        response.vary.add("Cookie")
    return response


@pass_context
def tr(context: Any, es: str, en: str) -> str:
    """The Spanish or English text, after the page's ``lang``."""
    return en if context.get("lang") == "en" else es


def lang_url(code: str) -> str:
    """This page's URL in another language (``?lang=``), other parameters kept."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    return request.base_url + "?" + urlencode(args)


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
    if isinstance(exc, ParadipError) and (own_body := body_for(exc)) is not None:
        response = own_body(exc)
    elif conneg.prefers_html(request.accept_mimetypes):
        response = Response(render_template("error.html", error=body, lang=page_language()), status=status,
                            mimetype="text/html")
    else:
        response = jsonify(body)
        response.status_code = status
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept")
    return response


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
    origins = str(current_app.extensions[EXTENSION].settings.get("cors_origins", "")).strip()
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
    app = Flask(__name__, template_folder=str(PACKAGE_DIR / "templates"), static_folder=str(PACKAGE_DIR / "static"))
    app.config.update(PARADIP=values, MAX_CONTENT_LENGTH=int(values["max_request_bytes"]),
                      MAX_FORM_MEMORY_SIZE=int(values["max_request_bytes"]), JSON_SORT_KEYS=False)
    app.config.update(flask_keys)
    app.extensions[EXTENSION] = AppState(values)
    app.jinja_env.globals.update(languages=LANGUAGES, tr=tr, lang_url=lang_url)
    for target in BLUEPRINTS:
        module_name, _, attribute = target.partition(":")
        app.register_blueprint(getattr(importlib.import_module(module_name), attribute))
    app.register_error_handler(ParadipError, handle_error)
    app.register_error_handler(HTTPException, handle_error)
    app.before_request(refuse_writes_on_backend)  # backend switch
    app.after_request(add_cors)
    app.after_request(add_security_headers)
    app.after_request(remember_language)
    return app
