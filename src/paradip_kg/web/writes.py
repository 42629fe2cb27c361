"""Writes over HTTP: SPARQL 1.1 Update at ``/update`` and the Graph Store Protocol at ``/graph-store``.

    POST   /update                        SPARQL 1.1 Update (https://www.w3.org/TR/sparql11-protocol/#update-operation):
                                          ``application/sparql-update`` as the body, or a form with one ``update=``
    GET    /graph-store?graph=IRI         the graph, negotiated: Turtle, N-Triples, JSON-LD, RDF/XML (public)
    GET    /graph-store?default           the default graph of the protocol: our data graph
    PUT    /graph-store?graph=IRI         replace the graph by the body (201 when it is new, else 200)
    POST   /graph-store?graph=IRI         add the body's triples to the graph (201 when it is new, else 200)
    DELETE /graph-store?graph=IRI         drop the graph (200; 404 when there is none)

SPARQL 1.1 Graph Store HTTP Protocol: https://www.w3.org/TR/sparql11-http-rdf-update/.

Every write needs ``Authorization: Bearer <token>`` (:mod:`paradip_kg.web.auth`). The transaction
itself (validation against the project's shapes, inference, the snapshot that the readers then see,
the provenance record) is :mod:`paradip_kg.writes.commit`. This module reads the protocol and shapes
the answers: the write's summary as JSON, or, when the write would break the shapes (422), the SHACL
report, negotiated like the one of ``/validate`` (:func:`rejected`, the body the one error handler
gives :class:`~paradip_kg.errors.WriteRejected`). Nothing is written on any error.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from rdflib import Graph
from werkzeug.exceptions import Forbidden, NotFound, UnsupportedMediaType

from paradip_kg.errors import (
    BulkDeleteRefused,
    InputError,
    NotAcceptable,
    ParadipError,
    PayloadTooLarge,
    WriteRejected,
)
from paradip_kg.publish.dumps import prefixes_for
from paradip_kg.rdf.formats import JSONLD, NTRIPLES, RDFXML, TURTLE, Format
from paradip_kg.rdf.parse import add_quads, read_quads
from paradip_kg.shacl.engine import engine_options
from paradip_kg.shacl.render import render, summary
from paradip_kg.shacl.report import build_view
from paradip_kg.sparql.inspect import check_nesting
from paradip_kg.web import conneg, http
from paradip_kg.web.auth import authenticate
from paradip_kg.web.errors import error_body
from paradip_kg.web.language import page_language
from paradip_kg.web.published import project_graphs, published
from paradip_kg.web.sparql import decode_params
from paradip_kg.web.state import get_state
from paradip_kg.web.validate_report import REPORT_FORMATS, html_page
from paradip_kg.writes import commit as core
from paradip_kg.writes.graphs import DATA_GRAPH, writable
from paradip_kg.writes.operations import DropGraph, GraphStoreChange, check_update, guarded, update_change

bp = Blueprint("writes", __name__)
log = logging.getLogger(__name__)

UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
UPDATE_SPEC = "https://www.w3.org/TR/sparql11-protocol/#update-operation"
GSP_SPEC = "https://www.w3.org/TR/sparql11-http-rdf-update/"
# What GET /graph-store answers with. Order matters on a tie (``*/*``): Turtle.
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)
# What PUT and POST /graph-store read: media type → format. One graph per request.
BODY_FORMATS: dict[str, Format] = {t: f for f in GRAPH_FORMATS for t in f.media_types}
DATASET_TYPES = ("application/trig", "application/n-quads", "text/n3")
WRITE_ALLOWED = {"writes.update": "POST, OPTIONS", "writes.graph_store": "GET, HEAD, PUT, POST, DELETE, OPTIONS"}
WRITE_EXPOSED = "WWW-Authenticate, Location, Retry-After, X-Paradip-Conforms"
CONFIRM_PARAM = "confirm-bulk-delete"  # ?confirm-bulk-delete=yes: this write may empty much of the data graph
CONFIRM_HEADER = "X-Confirm-Bulk-Delete"


# --- Calling the core --------------------------------------------------------------------------


def run_write(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Response, Any]:
    """Run one write of the core: its summary as JSON, and the result.

    Its errors go to the one error handler: a write the shapes reject (WriteRejected) answers
    with its report (:func:`rejected`), a busy writer (WriteBusy) with 503 and Retry-After."""
    state = get_state()
    try:
        result = function(state.store_dir, *args, **kwargs, timeout=float(state.settings["write_timeout"]))
    finally:
        # pyshacl leaves reference cycles that hold the frames of the write, and with them the
        # writer's read-write store: until the cyclic collector runs, the store stays open and
        # the next write cannot open it ("lock hold by current process").
        gc.collect()
    body = result.to_json()
    log.info("write by %s: %s %s, %s added, %s removed", kwargs.get("agent"), request.method, request.path,
             body.get("added"), body.get("removed"))
    response = Response(json.dumps(body, indent=2, ensure_ascii=False) + "\n", content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response, result


# --- Bulk removal of the data graph ----------------------------------------------------------------


def bulk_share() -> float:
    """The share of the data graph this request may remove: all of it when the request says so
    (``?confirm-bulk-delete=yes`` or ``X-Confirm-Bulk-Delete: yes``), else setting ``bulk_delete_share``."""
    said = [request.args.get(CONFIRM_PARAM), request.headers.get(CONFIRM_HEADER)]
    if any(v is not None and v.strip().lower() in {"yes", "true", "1"} for v in said):
        return 1.0
    return float(get_state().settings["bulk_delete_share"])


@error_body(BulkDeleteRefused)
def bulk_refused(exc: ParadipError) -> Response | None:
    """409, in the reader's language, with what the write would have removed and how to confirm it."""
    if not isinstance(exc, BulkDeleteRefused):
        return None
    lang = page_language()
    message = {
        "es": f"La escritura quitaría {exc.removed} de las {exc.total} tripletas del grafo de datos, más que la "
              f"parte permitida sin confirmar (bulk_delete_share={exc.share:g}); no se escribió nada. Si es lo que "
              f"quiere, envíela de nuevo con {CONFIRM_PARAM}=yes (parámetro de la URL, o la cabecera "
              f"{CONFIRM_HEADER}: yes); `paradip-kg restore` puede devolver las tripletas después.",
        "en": f"The write would remove {exc.removed} of the {exc.total} triples of the data graph, more than the "
              f"share allowed unconfirmed (bulk_delete_share={exc.share:g}); nothing was written. If that is what "
              f"you mean, send it again with {CONFIRM_PARAM}=yes (URL parameter, or the header {CONFIRM_HEADER}: "
              "yes); `paradip-kg restore` can bring the triples back afterwards.",
    }[lang]
    body = {"error": exc.title, "message": message, "status": exc.status, "removed": exc.removed,
            "total": exc.total, "bulk_delete_share": exc.share, "confirm": f"{CONFIRM_PARAM}=yes"}
    if conneg.prefers_html(request.accept_mimetypes):
        response = Response(render_template("error.html", error=body, lang=lang), status=exc.status,
                            mimetype="text/html")
    else:
        response = Response(json.dumps(body, indent=2, ensure_ascii=False) + "\n", status=exc.status,
                            content_type="application/json")
    response.vary.add("Accept-Language")
    return response


# --- The SHACL report of a rejected write ------------------------------------------------------


@error_body(WriteRejected)
def rejected(exc: ParadipError) -> Response | None:
    """422: the report of the shapes the write would break, negotiated (JSON summary for scripts,
    the report page for browsers, ``sh:ValidationReport`` as Turtle or JSON-LD, CSV). A write
    inconsistent with the ontology has no SHACL report: it gets the usual error answer (None)."""
    if not isinstance(exc, WriteRejected) or exc.report is None:
        return None
    lang = page_language()
    fmt = conneg.choose(request.accept_mimetypes, request.args.getlist("output"), REPORT_FORMATS) \
        or REPORT_FORMATS[0]
    notice = {"es": "No se escribió nada: la escritura dejaría el grafo sin cumplir sus formas.",
              "en": "Nothing was written: the write would make the graph break its shapes."}[lang]
    options = engine_options("owlrl", True, "project", operation=request.path.lstrip("/"))
    view = build_view(exc.report, project_graphs()[0], published().graph("data"), lang=lang, options=options,
                      notices=[notice])
    if fmt is conneg.HTML:
        page = html_page("report.html", view, downloads=[], expires=None, token=None)
        response = Response(page, status=422, mimetype="text/html")
        response.vary.add("Accept-Language")
    elif fmt.name == "json":
        body = {"error": "Unprocessable content", "message": exc.message, "status": 422, **summary(view)}
        response = Response(json.dumps(body, indent=2, ensure_ascii=False) + "\n", status=422,
                            content_type="application/json")
    else:
        response = Response(render(view, fmt.name), status=422, content_type=fmt.content_type)
    response.headers["X-Paradip-Conforms"] = "false"
    return response  # the handler adds Cache-Control: no-store and Vary: Accept


# --- /update -------------------------------------------------------------------------------------


def _utf8_only(what: str) -> None:
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in {"utf-8", "utf8"}:
        raise InputError(f"The request body is declared as charset={charset}; {what} is read as UTF-8 only. "
                         "Send UTF-8 (charset=utf-8, or no charset).")


def read_update() -> str:
    """The update text of a POST, by the protocol's rules; InputError (400), 413 or 415 otherwise."""
    params = decode_params(request.query_string, "query string")
    names = {name for name, _ in params}
    if names & {"using-graph-uri", "using-named-graph-uri"}:
        raise InputError("using-graph-uri and using-named-graph-uri are not supported here: write USING, "
                         "USING NAMED or WITH in the update itself.")
    if "update" in names:
        raise InputError(f"The update goes in the request body (application/sparql-update, or a form with "
                         f"update=), not in the URL (see {UPDATE_SPEC}).")
    if "query" in names:
        raise InputError("Queries go to /sparql; /update takes SPARQL Update only.")
    mimetype = request.mimetype
    if mimetype == UPDATE:
        _utf8_only("the update")
        try:
            updates = [request.get_data(cache=False).decode("utf-8")]
        except UnicodeDecodeError as exc:
            raise InputError(f"The update is not valid UTF-8 (byte {exc.start}): the protocol takes UTF-8 only.") \
                from None
    elif mimetype == FORM:
        _utf8_only("the form")
        form = decode_params(request.get_data(cache=False), "request body")
        names = {name for name, _ in form}
        if names & {"using-graph-uri", "using-named-graph-uri"}:
            raise InputError("using-graph-uri and using-named-graph-uri are not supported here: write USING, "
                             "USING NAMED or WITH in the update itself.")
        if "query" in names:
            raise InputError("Queries go to /sparql; /update takes SPARQL Update only.")
        updates = [value for name, value in form if name == "update"]
    elif not mimetype:
        raise InputError(f"The POST has no Content-Type. Send {UPDATE} (the update as the body) or {FORM} "
                         "(update=...).")
    else:
        raise UnsupportedMediaType(f"Unsupported Content-Type {mimetype!r} for an update: send {UPDATE} or {FORM}.")
    if len(updates) != 1:
        raise InputError(f"The request has {len(updates)} updates; send exactly one (one `update` field, or the "
                         "update as the body).")
    text = updates[0]
    limit = int(get_state().settings["max_query_length"])
    if len(text) > limit:
        raise PayloadTooLarge(f"The update has {len(text)} characters; this endpoint takes at most {limit}. "
                              "Send larger data to /graph-store (PUT or POST), which takes up to "
                              f"{int(get_state().settings['max_request_bytes'])} bytes.")
    if not text.strip():
        raise InputError("The update is empty.")
    check_nesting(text)
    return text


@bp.route("/update", methods=["POST"])
def update() -> Response:
    """The SPARQL 1.1 Protocol update operation."""
    agent = authenticate()
    text = read_update()
    settings = get_state().settings
    blanked = check_update(text, bool(settings["allow_load"]), bool(settings["allow_service"]))
    change = guarded(update_change(text, str(settings["base_iri"]), blanked), bulk_share())
    response, _ = run_write(core.commit, change, agent=agent, operation="SPARQL Update")
    return response


# --- /graph-store --------------------------------------------------------------------------------


def target_graph() -> str:
    """The graph a request names: ``?graph=IRI`` or ``?default`` (our data graph), exactly one."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if len(graphs) + int(default) != 1:
        raise InputError("Name exactly one graph: ?graph=<absolute IRI>, or ?default for the data graph "
                         f"({DATA_GRAPH}); see {GSP_SPEC}.")
    if default:
        if request.args["default"]:
            raise InputError("?default takes no value; name another graph with ?graph=<IRI>.")
        return DATA_GRAPH
    try:
        return ox.NamedNode(graphs[0]).value
    except ValueError:
        raise InputError(f"graph={graphs[0]!r} is not an absolute IRI.") from None


def read_graph() -> Response:
    """GET and HEAD: the graph from the published store, negotiated; ETag and 304."""
    graph = target_graph()
    overrides = [v for name in conneg.OVERRIDE_PARAMS for v in request.args.getlist(name)]
    fmt = conneg.choose(request.accept_mimetypes, overrides, GRAPH_FORMATS)
    if fmt is None:
        raise NotAcceptable("A graph is available as " + ", ".join(f.media_type for f in GRAPH_FORMATS)
                            + f"; your Accept header was {request.headers.get('Accept', '')!r}.")
    validator = http.validator("graph-store", graph, fmt.name)
    if validator.current():
        response = Response(status=304)
    else:
        store = get_state().store()
        node = ox.NamedNode(graph)
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, node)]
        if not triples and not store.contains_named_graph(node):
            raise NotFound(f"There is no graph <{graph}> in the store.")
        body = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes_for(triples)) or b""
        response = Response(body, content_type=fmt.content_type)
    return http.headers(response, validator)


def read_body(graph: str) -> Graph:
    """The request body as one graph: parsed strictly by its media type (415, or 400 naming line and column)."""
    mimetype = request.mimetype
    if mimetype in DATASET_TYPES:
        raise UnsupportedMediaType(f"{mimetype} is not accepted: a graph store request carries one graph. Send "
                                   + ", ".join(sorted({"text/turtle", "application/n-triples", "application/ld+json",
                                                       "application/rdf+xml"})) + ".")
    if mimetype not in BODY_FORMATS:
        raise UnsupportedMediaType(f"Unsupported Content-Type {mimetype or 'none'!r}: send the graph as text/turtle, "
                                   "application/n-triples, application/ld+json or application/rdf+xml.")
    if BODY_FORMATS[mimetype] is not RDFXML:
        _utf8_only("RDF")
    quads = read_quads(request.get_data(cache=False), BODY_FORMATS[mimetype], "request body", base_iri=graph)
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise InputError("The JSON-LD document has named graphs: a graph store request carries one graph "
                         "(the one named by ?graph= or ?default).")
    data = Graph()
    add_quads(quads, data)
    return data


def _forbid_reserved(graph: str) -> None:
    if not writable(graph):
        raise Forbidden(f"The graph <{graph}> is reserved: it is built from the project's files (ontology, "
                        "vocabularies, shapes), by the server (inferences, the writes log) or by `paradip-kg "
                        "harvest` (Wikidata's claims and their reconciliation) and cannot be written over HTTP.")


def _graph_store_write(store_dir: Path, change: GraphStoreChange, *, agent: str, share: float,
                       timeout: float) -> core.WriteResult:
    """Graph Store PUT or POST, guarded against bulk removal; ``created`` tells whether the graph is new."""
    result = core.commit(store_dir, guarded(change, share), agent=agent,
                         operation="Graph Store PUT" if change.replace else "Graph Store POST", timeout=timeout)
    result.created = change.created
    return result


@bp.route("/graph-store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    """The SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification."""
    if request.method in ("GET", "HEAD"):
        return read_graph()
    agent = authenticate()
    graph = target_graph()
    _forbid_reserved(graph)
    if request.method == "DELETE":
        return run_write(core.commit, guarded(DropGraph(graph), bulk_share()), agent=agent,
                         operation="Graph Store DELETE")[0]
    data = read_body(graph)
    response, result = run_write(_graph_store_write, GraphStoreChange(graph, data, replace=request.method == "PUT"),
                                 agent=agent, share=bulk_share())
    if result is not None and getattr(result, "created", False):
        response.status_code = 201
        query = "default" if "default" in request.args else urlencode({"graph": graph})
        response.headers["Location"] = f"{request.base_url}?{query}"
    return response


# --- CORS for the write endpoints ----------------------------------------------------------------


@bp.after_app_request
def write_cors(response: Response) -> Response:
    """Runs after the app's CORS hook: the write endpoints' methods, and Authorization in preflights.

    Cross-origin writes are safe to allow: the token is a header a script must set itself,
    never a cookie a browser would attach on its own."""
    allowed = WRITE_ALLOWED.get(request.endpoint or "")
    if allowed is None or "Access-Control-Allow-Origin" not in response.headers:
        return response
    exposed = response.headers.get("Access-Control-Expose-Headers", "")
    response.headers["Access-Control-Expose-Headers"] = ", ".join(x for x in (exposed, WRITE_EXPOSED) if x)
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = allowed
        if "Access-Control-Request-Headers" not in request.headers:
            response.headers["Access-Control-Allow-Headers"] = ("Accept, Accept-Language, Authorization, "
                                                                "Content-Type, If-None-Match")
    return response
