"""``/sparql``: the SPARQL 1.1 Protocol query operation, from the request to the answer's bytes.

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

One query: :func:`parse_protocol` reads the request; :func:`answer` negotiates one
:class:`~paradip_kg.rdf.formats.Format` per result kind (:mod:`paradip_kg.web.conneg`), reads the
query's shape (:func:`paradip_kg.sparql.inspect.inspect_query`), refuses what the endpoint does
not run, and sends a :class:`~paradip_kg.sparql.jobs.Job` carrying those formats to the
backend's runner (the query child process, :mod:`paradip_kg.sparql.runner`), which runs and
writes it (:mod:`paradip_kg.sparql.execute`, :mod:`paradip_kg.sparql.results`). The bytes come
back in the chosen format; a browser's table goes to the query page
(:mod:`paradip_kg.web.sparql_page`). GET without a query answers the Service Description
(:mod:`paradip_kg.web.service_description`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound

from paradip_kg.errors import InputError, NotAcceptable, ParadipError, PayloadTooLarge
from paradip_kg.namespaces import PREFIXES
from paradip_kg.rdf.formats import RDF_FORMATS, Format
from paradip_kg.sparql.inspect import inspect_query
from paradip_kg.sparql.jobs import Job, Reply
from paradip_kg.web import conneg, http
from paradip_kg.web.language import page_language
from paradip_kg.web.service_description import describe_service
from paradip_kg.web.sparql_page import examples, render_page
from paradip_kg.web.state import get_state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
PROTOCOL_SPEC = "https://www.w3.org/TR/sparql11-protocol/#query-operation"
# What each kind of result can be: SELECT/ASK results, CONSTRUCT/DESCRIBE graphs; HTML for people.
KINDS: dict[str, tuple[Format, ...]] = {"results": (*conneg.RESULT_FORMATS, conneg.HTML),
                                        "rdf": (*RDF_FORMATS, conneg.HTML)}
WHAT = {"results": "SELECT and ASK results", "rdf": "CONSTRUCT and DESCRIBE results"}


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

    @property
    def dataset(self) -> list[tuple[str, str]]:
        """The dataset as protocol parameters (kept in the page's download links)."""
        return [*(("default-graph-uri", g) for g in self.default_graphs),
                *(("named-graph-uri", g) for g in self.named_graphs)]


def decode_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    """Form-encoded parameters, strictly UTF-8 (InputError otherwise); also read by :mod:`paradip_kg.web.writes`."""
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
    params = decode_params(request.query_string, "query string")
    body_query: str | None = None
    if request.method == "POST":
        mimetype = request.mimetype
        if not mimetype:
            raise InputError(f"The POST has no Content-Type. Send {FORM} (query=...) or {DIRECT} "
                             "(the query as the body).")
        if mimetype == FORM:
            _utf8_charset()
            params += decode_params(request.get_data(cache=False), "request body")
        elif mimetype == DIRECT:
            _utf8_charset()
            try:
                body_query = request.get_data(cache=False).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"The query is not valid UTF-8 (byte {exc.start}): the protocol takes "
                                 "UTF-8 only.") from None
        elif mimetype == UPDATE:
            raise InputError(updates_elsewhere())
        else:
            raise InputError(f"Unsupported Content-Type {mimetype!r} for a query: send {FORM} or {DIRECT}.")
    if any(name in {"update", "using-graph-uri", "using-named-graph-uri"} for name, _ in params):
        raise InputError(updates_elsewhere())
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
        return describe_service(proto.overrides)
    return answer(proto, proto.query)


def answer(proto: ProtocolRequest, query: str) -> Response:
    """Run ``query`` and answer in the negotiated format; errors as the query page to a browser."""
    state = get_state()
    settings = state.settings
    formats = {kind: conneg.choose(request.accept_mimetypes, proto.overrides, offered)
               for kind, offered in KINDS.items()}
    html = formats["results"] is conneg.HTML  # until the query's form is known
    try:
        shape = inspect_query(query)  # QuerySyntaxError: nested too deep to run
        html = (formats.get(shape.kind or "results") or formats["rdf"]) is conneg.HTML
        if shape.update:
            raise InputError(updates_elsewhere())
        if shape.uses_service and not settings["allow_service"]:
            raise InputError("SERVICE is turned off on this endpoint: queries do not reach other servers "
                             "(the operator can allow it with the allow_service setting).")
        if shape.kind is not None and formats[shape.kind] is None:
            raise not_acceptable(shape.kind)
        # Only a page depends on the language (asking for it marks the response as varying on it).
        lang = page_language() if html else "es"
        job = Job(query=query, formats={k: f for k, f in formats.items() if f is not None},
                  limit=int(settings["result_limit"]),
                  default_graphs=tuple(proto.default_graphs) if proto.dataset_given else None,
                  named_graphs=tuple(proto.named_graphs) if proto.dataset_given else None,
                  query_dataset=shape.has_dataset, base_iri=request.base_url, label_lang=lang, prefixes=PREFIXES,
                  store_path=str(state.head().path))
        validator = http.validator(job.query, {k: f.name for k, f in job.formats.items()}, job.limit,
                                   job.default_graphs, job.named_graphs, job.base_iri, lang if html else "")
        if validator.current():
            return http.headers(Response(status=304), validator,
                                vary=("Accept", "Accept-Language") if html else ("Accept",))
        reply = run_within_budget(job, float(settings["query_timeout"]))
    except ParadipError as exc:
        if isinstance(exc, NotAcceptable) and exc.message in KINDS:  # the runner's: the lexer did not know the form
            exc = not_acceptable(exc.message)
        if not html:
            raise exc from None
        return render_page(query, page_language(), proto.dataset, error=exc)
    fmt = job.formats[reply.kind]
    if fmt is conneg.HTML:
        response = render_page(query, lang, proto.dataset, reply=reply)
    else:
        response = Response(reply.body, content_type=fmt.content_type)
    http.headers(response, validator)
    response.headers["X-Paradip-Truncated"] = "true" if reply.truncated else "false"
    response.headers["X-Paradip-Result-Limit"] = str(settings["result_limit"])
    return response


def run_within_budget(job: Job, timeout: float) -> Reply:
    """Run ``job`` on the query lane, charged to the client's budget (429 in the visitor's
    language once it is spent: :mod:`paradip_kg.web.budget`; a full lane answers 503 with
    Retry-After at once: :mod:`paradip_kg.sparql.pool`)."""
    state = get_state()
    client = request.remote_addr or ""
    state.budget.check(client, page_language)
    started = time.monotonic()
    try:
        return state.runner().run(job, timeout)
    finally:
        state.budget.charge(client, time.monotonic() - started)


def updates_elsewhere() -> str:
    """Why an update sent here is refused, and where updates go (SPARQL 1.1 Protocol §2.2)."""
    writes = bool(get_state().settings.get("write_tokens")) and get_state().backend.writable
    where = (f"send updates to {request.host_url}update with a write token (docs/writes.md)" if writes else
             "this server takes no writes (the operator turns them on with the write_tokens setting: docs/writes.md)")
    return ("/sparql is read-only: it answers queries, and SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) "
            f"is not accepted here; {where}.")


def not_acceptable(kind: str) -> NotAcceptable:
    offered = ", ".join(f.media_type for f in KINDS[kind])
    sent = request.headers.get("Accept", "")
    return NotAcceptable(f"None of the media types you accept fits: {WHAT[kind]} are available as {offered}. "
                         f"Your Accept header was {sent!r}.")


@bp.route("/sparql/examples/<slug>.rq")
def example_file(slug: str) -> Response:
    """One example query as a file (application/sparql-query)."""
    for example in examples():
        if example.slug == slug:
            return Response(example.text, content_type=DIRECT + "; charset=utf-8")
    raise NotFound(f"No example query named {slug!r}.")
