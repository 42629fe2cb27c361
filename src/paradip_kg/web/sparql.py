"""``/sparql``: the SPARQL 1.1 Protocol query operation, its Service Description and query page.

W3C SPARQL 1.1 Protocol, https://www.w3.org/TR/sparql11-protocol/#query-operation:

- GET ``?query=``, POST ``application/x-www-form-urlencoded`` and POST
  ``application/sparql-query`` (UTF-8 only); ``default-graph-uri`` / ``named-graph-uri``
  replace the query's FROM / FROM NAMED.
- 400 with the reason for: two ``query``, a missing or wrong media type, a charset other
  than UTF-8 or bytes that are not UTF-8, a syntax error (Oxigraph's message and position),
  an update, SERVICE (unless ``allow_service``). 413 for a body over ``max_request_bytes``
  or a query over ``max_query_length``. 503 when the query outlives ``query_timeout``.
- Results at most ``result_limit`` rows or triples; ``X-Paradip-Truncated`` says whether
  the result was cut. ETag from the store version and the request; 304 on If-None-Match.

GET without a query answers the SPARQL 1.1 Service Description
(https://www.w3.org/TR/sparql11-service-description/) as RDF, or the query page to a browser.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import NotFound

from paradip_kg import PACKAGE_DIR
from paradip_kg.errors import InputError, NotAcceptable, ParadipError, PayloadTooLarge, QuerySyntaxError
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS, PREFIXES
from paradip_kg.sparql.inspect import inspect_query
from paradip_kg.sparql.jobs import Job, Reply
from paradip_kg.sparql.results import serialize_rdf
from paradip_kg.web import conneg, http
from paradip_kg.web.language import page_language
from paradip_kg.web.state import AppState, get_state

bp = Blueprint("sparql", __name__)

QUERIES_DIR = PACKAGE_DIR / "queries"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
PROTOCOL_SPEC = "https://www.w3.org/TR/sparql11-protocol/#query-operation"
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SD_PREFIXES = {"sd": SD, "formats": conneg.FORMATS_NS, "void": "http://rdfs.org/ns/void#",
               "dcterms": "http://purl.org/dc/terms/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
               "pdg": str(GRAPHS["data"]).rsplit("/", 1)[0] + "/"}
STARTER_QUERY = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?agreement ?label WHERE {
  ?agreement a pdo:Agreement ;
             rdfs:label ?label .
  FILTER(LANG(?label) = "es")
}
LIMIT 25
"""


# --- Reading the request --------------------------------------------------------------------


@dataclass
class ProtocolRequest:
    """The protocol parameters of one request, whatever the method."""

    query: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)

    @property
    def dataset_given(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def _decode_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise InputError(f"The {where} is not UTF-8: percent-encode the UTF-8 bytes of the query "
                         f"(see {PROTOCOL_SPEC}).") from None


def _utf8_charset() -> None:
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in {"utf-8", "utf8"}:
        raise InputError(f"The request body is declared as charset={charset}; the SPARQL protocol "
                         "takes UTF-8 only. Send the query as UTF-8 (charset=utf-8, or no charset).")


def parse_protocol() -> ProtocolRequest:
    """Collect the parameters of a GET or POST; raise InputError for what the protocol forbids."""
    params = _decode_params(request.query_string, "query string")
    body_query: str | None = None
    if request.method == "POST":
        mimetype = request.mimetype
        if not mimetype:
            raise InputError(f"The POST has no Content-Type. Send {FORM} (query=...) or {DIRECT} "
                             "(the query as the body).")
        if mimetype == FORM:
            _utf8_charset()
            params += _decode_params(request.get_data(cache=False), "request body")
        elif mimetype == DIRECT:
            _utf8_charset()
            try:
                body_query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"The query is not valid UTF-8 (byte {exc.start}): the protocol takes "
                                 "UTF-8 only.") from None
        elif mimetype == UPDATE:
            raise InputError("This endpoint is read-only: SPARQL Update is not accepted.")
        else:
            raise InputError(f"Unsupported Content-Type {mimetype!r} for a query: send {FORM} or {DIRECT}.")
    if any(name in {"update", "using-graph-uri", "using-named-graph-uri"} for name, _ in params):
        raise InputError("This endpoint is read-only: SPARQL Update is not accepted.")
    proto = ProtocolRequest()
    queries = [value for name, value in params if name == "query"] + ([body_query] if body_query is not None else [])
    if len(queries) > 1:
        raise InputError(f"The request has {len(queries)} queries; send exactly one (one `query` parameter, "
                         "or the query as the body).")
    proto.query = queries[0] if queries else None
    for name, value in params:
        if name in ("default-graph-uri", "named-graph-uri"):
            try:
                ox.NamedNode(value)
            except ValueError:
                raise InputError(f"{name}={value!r} is not an absolute IRI.") from None
            (proto.default_graphs if name == "default-graph-uri" else proto.named_graphs).append(value)
        elif name in conneg.OVERRIDE_PARAMS:
            proto.overrides.append(value)
    limit = int(get_state().settings["max_query_length"])
    if proto.query is not None and len(proto.query) > limit:
        raise PayloadTooLarge(f"The query has {len(proto.query)} characters; this endpoint takes at most {limit}.")
    return proto


# --- The endpoint ---------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The query operation; without a query, the Service Description or the query page."""
    proto = parse_protocol()
    if proto.query is None:
        if request.method == "POST" or proto.dataset_given:
            raise InputError("No query: send one `query` parameter, or POST the query as "
                             f"{DIRECT}. GET /sparql without parameters describes this service.")
        return describe_service(proto)
    return answer(proto, proto.query)


def answer(proto: ProtocolRequest, query: str) -> Response:
    state = get_state()
    settings = state.settings
    accept = request.accept_mimetypes
    endpoint_url = request.base_url
    formats = {"results": conneg.choose(accept, proto.overrides, (*conneg.RESULT_FORMATS, conneg.HTML)),
               "rdf": conneg.choose(accept, proto.overrides, (*conneg.RDF_FORMATS, conneg.HTML))}
    try:
        shape = inspect_query(query)
    except QuerySyntaxError as exc:  # refused before it runs (nested too deep)
        if formats["results"] is not conneg.HTML:
            raise
        return render_page(query=query, error=exc, status=exc.status, lang=page_language(), proto=proto)
    html = (formats.get(shape.kind or "results") or formats["rdf"]) is conneg.HTML
    # Only a page depends on the language (asking for it marks the response as varying on it).
    lang = page_language() if html else "es"
    try:
        if shape.update:
            raise InputError("This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) "
                             "is not accepted.")
        if shape.uses_service and not settings["allow_service"]:
            raise InputError("SERVICE is turned off on this endpoint: queries do not reach other servers "
                             "(the operator can allow it with the allow_service setting).")
        if shape.kind is not None and formats[shape.kind] is None:
            raise not_acceptable(shape.kind)
        job = Job(query=query, formats={k: f.name for k, f in formats.items() if f is not None},
                  limit=int(settings["result_limit"]),
                  default_graphs=tuple(proto.default_graphs) if proto.dataset_given else None,
                  named_graphs=tuple(proto.named_graphs) if proto.dataset_given else None,
                  query_dataset=shape.has_dataset, base_iri=endpoint_url, label_lang=lang, prefixes=PREFIXES,
                  store_path=str(state.head().path))
        validator = http.validator(job.query, job.formats, job.limit, job.default_graphs, job.named_graphs,
                                   job.base_iri, lang if html else "")
        if validator.current():
            return http.headers(Response(status=304), validator,
                                vary=("Accept", "Accept-Language") if html else ("Accept",))
        try:
            reply = state.runner().run(job, float(settings["query_timeout"]))
        except NotAcceptable as exc:
            raise not_acceptable(exc.message) from None
    except ParadipError as exc:
        if not html:
            raise
        return render_page(query=query, error=exc, status=exc.status, lang=lang, proto=proto)
    if reply.format == "html":
        response = render_page(query=query, reply=reply, lang=lang, proto=proto, kind=reply.kind)
        response.vary.add("Accept-Language")
    else:
        response = Response(reply.body, content_type=conneg.BY_NAME[reply.format].content_type)
    http.headers(response, validator)
    response.headers["X-Paradip-Truncated"] = "true" if reply.truncated else "false"
    response.headers["X-Paradip-Result-Limit"] = str(settings["result_limit"])
    response.vary.add("Accept")
    return response


def not_acceptable(kind: str) -> NotAcceptable:
    table = conneg.RESULT_FORMATS if kind == "results" else conneg.RDF_FORMATS
    what = "SELECT and ASK results" if kind == "results" else "CONSTRUCT and DESCRIBE results"
    offered = ", ".join(f.media_type for f in (*table, conneg.HTML))
    sent = request.headers.get("Accept", "")
    return NotAcceptable(f"None of the media types you accept fits: {what} are available as {offered}. "
                         f"Your Accept header was {sent!r}.")


# --- Service Description --------------------------------------------------------------------


def describe_service(proto: ProtocolRequest) -> Response:
    state = get_state()
    fmt = conneg.choose(request.accept_mimetypes, proto.overrides, (*conneg.RDF_FORMATS, conneg.HTML))
    if fmt is None:
        raise NotAcceptable("The Service Description is RDF: ask for one of "
                            + ", ".join(f.media_type for f in (*conneg.RDF_FORMATS, conneg.HTML)) + ".")
    if fmt is conneg.HTML:
        response = render_page(query=STARTER_QUERY, lang=page_language(), proto=proto)
        response.vary.add("Accept-Language")
    else:
        validator = http.validator("sd", request.base_url, fmt.name, state.union_default_graph,
                                   *(state.settings[k] for k in ("allow_service", "query_timeout", "result_limit")))
        if validator.current():
            return http.headers(Response(status=304), validator)
        body = serialize_rdf(service_description(state, request.base_url), fmt.name, SD_PREFIXES)
        response = http.headers(Response(body, content_type=fmt.content_type), validator)
    response.vary.add("Accept")
    return response


def graph_counts(state: AppState) -> dict[str, int]:
    """Triples per graph IRI, from the build manifest (empty when there is none)."""
    manifest = state.manifest()
    counts: dict[str, int] = {}
    for key, value in (manifest.triples if manifest else {}).items():
        counts[str(GRAPHS[key]) if key in GRAPHS else key] = int(value)
    return counts


def named_graphs(state: AppState) -> list[str]:
    return sorted(g.value for g in state.store().named_graphs() if isinstance(g, ox.NamedNode))


def sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def service_description(state: AppState, endpoint_url: str) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint, as triples."""
    void_triples = ox.NamedNode("http://rdfs.org/ns/void#triples")
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    source = ox.NamedNode("http://purl.org/dc/terms/source")
    service, dataset, default_graph = ox.NamedNode(endpoint_url), ox.BlankNode("dataset"), ox.BlankNode("default")
    settings = state.settings
    triples = [ox.Triple(service, RDF_TYPE, sd("Service")), ox.Triple(service, sd("endpoint"), service),
               ox.Triple(service, sd("supportedLanguage"), sd("SPARQL10Query")),
               ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
               ox.Triple(service, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
               ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/title"),
                         ox.Literal("paradip-kg SPARQL endpoint", language="en")),
               ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/title"),
                         ox.Literal("Punto de acceso SPARQL de paradip-kg", language="es")),
               ox.Triple(service, comment, ox.Literal(
                   f"Queries only (updates go to /update when the operator enables writes). Queries are stopped after {settings['query_timeout']:g} s (HTTP 503); results "
                   f"are cut at {settings['result_limit']} rows or triples, and the header X-Paradip-Truncated "
                   "says when. Dataset IRIs never cause a fetch: a graph that is not in the store is empty.",
                   language="en")),
               ox.Triple(service, sd("defaultDataset"), dataset), ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
               ox.Triple(dataset, sd("defaultGraph"), default_graph),
               ox.Triple(default_graph, RDF_TYPE, sd("Graph"))]
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(f.sd_iri))
                for f in (*conneg.RESULT_FORMATS, *conneg.RDF_FORMATS)]
    if settings["allow_service"]:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    if settings.get("write_tokens") and state.backend.writable:  # writes on: /update takes SPARQL 1.1 Update
        update = ox.NamedNode(endpoint_url.rsplit("/sparql", 1)[0] + "/update")
        triples += [ox.Triple(update, RDF_TYPE, sd("Service")), ox.Triple(update, sd("endpoint"), update),
                    ox.Triple(update, sd("supportedLanguage"), sd("SPARQL11Update")),
                    ox.Triple(update, comment, ox.Literal(
                        "Needs a bearer token; each change is validated against the shapes before it is "
                        "committed (422 with the SHACL report otherwise).", language="en"))]
    counts, names = graph_counts(state), named_graphs(state)
    if state.union_default_graph:
        triples.append(ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")))
        triples.append(ox.Triple(default_graph, comment, ox.Literal(
            "The default graph is the union of every graph of the store.", language="en")))
        members = names
    else:
        members = [str(GRAPHS[k]) for k in DEFAULT_GRAPHS]
        triples.append(ox.Triple(default_graph, comment, ox.Literal(
            "The default graph is the union (RDF merge) of the named graphs ontology, vocab, data and inferred "
            "(dcterms:source); each is also reachable by name.", language="en")))
        triples.append(ox.Triple(default_graph, comment, ox.Literal(
            "El grafo por defecto es la unión de los grafos con nombre ontology, vocab, data e inferred "
            "(dcterms:source); cada uno se consulta también por su nombre.", language="es")))
        triples += [ox.Triple(default_graph, source, ox.NamedNode(g)) for g in members]
    if counts and all(g in counts for g in members):
        total = sum(counts[g] for g in members) + (counts.get("default", 0) if state.union_default_graph else 0)
        triples.append(ox.Triple(default_graph, void_triples, ox.Literal(str(total), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))))
    for index, name in enumerate(names):
        node, graph = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
                    ox.Triple(node, sd("name"), ox.NamedNode(name)), ox.Triple(node, sd("graph"), graph),
                    ox.Triple(graph, RDF_TYPE, sd("Graph"))]
        if name in counts:
            triples.append(ox.Triple(graph, void_triples, ox.Literal(
                str(counts[name]), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    return triples


# --- The query page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """A worked example query from ``queries/*.rq``."""

    slug: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    text: str

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("es") or self.slug


_HEADER_LINE = re.compile(r"^#\s*(title|description)@(\w+):\s*(.*?)\s*$")


@functools.lru_cache(maxsize=1)
def load_examples(folder: Path = QUERIES_DIR) -> tuple[Example, ...]:
    """The example queries, sorted by file name, with their es/en titles from the header comments."""
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        titles: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        for line in text.splitlines():
            match = _HEADER_LINE.match(line)
            if match:
                (titles if match.group(1) == "title" else descriptions)[match.group(2)] = match.group(3)
        examples.append(Example(path.stem, titles, descriptions, text))
    return tuple(examples)


def curie(iri: str) -> str | None:
    best = max(((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else None


def local_link(iri: str) -> str | None:
    """Where an IRI links: on this host for our IRIs (/id/x for .../paradip/id/x), else the IRI if it
    is http(s); None for other schemes (javascript:, data:, ... are shown as text, never linked)."""
    base = str(get_state().settings["base_iri"])
    if iri.startswith(base):
        return request.script_root + "/" + iri[len(base):]
    return iri if re.match(r"https?://", iri, re.IGNORECASE) else None


def display_cell(term: tuple[str, ...] | None, labels: dict[str, str]) -> dict[str, Any] | None:
    """A result term ready for the template (which escapes every value)."""
    if term is None:
        return None
    kind = term[0]
    if kind == "uri":
        iri = term[1]
        return {"kind": "uri", "text": labels.get(iri) or curie(iri) or iri, "href": local_link(iri), "title": iri}
    if kind == "literal":
        _, value, datatype, language = term
        shown = None if datatype in (XSD_STRING, RDF_LANG_STRING) else (curie(datatype) or datatype)
        return {"kind": "literal", "text": value, "lang": language, "datatype": shown}
    if kind == "bnode":
        return {"kind": "bnode", "text": "_:" + term[1]}
    return {"kind": "triple", "text": term[1]}


def download_links(query: str, proto: ProtocolRequest, kind: str | None) -> list[dict[str, str]]:
    kinds = [kind] if kind else ["results", "rdf"]
    tables = {"results": conneg.RESULT_FORMATS, "rdf": conneg.RDF_FORMATS}
    base: list[tuple[str, str]] = [("query", query)]
    base += [("default-graph-uri", g) for g in proto.default_graphs]
    base += [("named-graph-uri", g) for g in proto.named_graphs]
    return [{"label": f.label, "href": request.base_url + "?" + urlencode([*base, ("format", f.name)]),
             "media_type": f.media_type, "filename": f"results.{f.extension}"}
            for k in kinds for f in tables[k]]


def render_page(query: str, lang: str, proto: ProtocolRequest, reply: Reply | None = None,
                error: ParadipError | None = None, status: int = 200, kind: str | None = None) -> Response:
    state = get_state()
    table = reply.table if reply is not None else None
    rows: list[list[Any]] = []
    if table and "rows" in table:
        rows = [[display_cell(t, table["labels"]) for t in row] for row in table["rows"]]
    position = re.search(r"at (\d+):(\d+)", error.message) if isinstance(error, QuerySyntaxError) else None
    context = {
        "lang": lang, "query": query, "examples": load_examples(), "prefixes": PREFIXES,
        "endpoint": request.base_url, "error": error, "reply": reply, "table": table, "rows": rows,
        "kind": kind, "downloads": download_links(query, proto, kind) if reply is not None else [],
        "result_limit": state.settings["result_limit"], "query_timeout": state.settings["query_timeout"],
        "default_graphs": [] if state.union_default_graph else [str(GRAPHS[k]) for k in DEFAULT_GRAPHS],
        "error_line": int(position.group(1)) if position else None,
        "error_column": int(position.group(2)) if position else None,
        "query_lines": query.splitlines(),
        "run_url": lambda text: request.base_url + "?" + urlencode([("query", text)]),
    }
    return Response(render_template("sparql.html", **context), status=status, mimetype="text/html")


def iter_examples() -> Iterable[Example]:
    """The examples, for other blueprints and tests."""
    return iter(load_examples())


@bp.route("/sparql/examples/<slug>.rq")
def example_file(slug: str) -> Response:
    """One example query as a file (application/sparql-query)."""
    for example in load_examples():
        if example.slug == slug:
            return Response(example.text, content_type=DIRECT + "; charset=utf-8")
    raise NotFound(f"No example query named {slug!r}.")
