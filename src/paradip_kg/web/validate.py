"""The validation service: POST /validate, the form page, kept reports, and /quality.

    GET  /validate                      the form: paste or upload data, choose shapes and inference
    POST /validate                      data as the body (its media type says the format) or as a
                                        multipart upload (``data``, optional ``shapes``); the report is
                                        negotiated: JSON summary, HTML, Turtle / JSON-LD
                                        (``sh:ValidationReport``) or CSV (``?output=`` overrides Accept).
                                        Browsers are sent (303) to the kept report's page.
    GET  /validate/reports/<token>      a kept report, in any language and format, for an hour
    GET  /quality                       the report of the published graph itself, with counts per
                                        severity, shape and class; computed once per store version

Limits: the body is capped by ``max_request_bytes`` (413), a validation runs in a child process
stopped after ``validation_timeout`` seconds (503), malformed RDF is a 400 that names the line and
column, and uploads never make the server fetch anything (see :mod:`paradip_kg.shacl.inputs`).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, url_for
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node
from werkzeug.exceptions import NotAcceptable, NotFound, ServiceUnavailable, UnsupportedMediaType

from paradip_kg import i18n
from paradip_kg.errors import InputError, ParadipError, RdfSyntaxError
from paradip_kg.i18n import LANGUAGES
from paradip_kg.namespaces import GRAPHS
from paradip_kg.rdf.parse import FORMATS_BY_MEDIA_TYPE, FORMATS_BY_SUFFIX, guess_format, read_quads, to_rdflib
from paradip_kg.shacl.engine import engine_options
from paradip_kg.shacl.inputs import (
    check_uploaded_shapes,
    data_notices,
    load_shapes,
    load_upload,
    merged,
    mix_in,
    project_folder,
)
from paradip_kg.shacl.jobs import INFERENCE, Job, execute
from paradip_kg.shacl.messages import SEVERITIES, label_of, shape_names
from paradip_kg.shacl.render import render, summary
from paradip_kg.shacl.report import ReportView, build_view
from paradip_kg.shacl.results import Report, read_results
from paradip_kg.shacl.runner import run_in_child
from paradip_kg.shacl.terms import named_shape, term_text
from paradip_kg.store.disk import to_oxigraph
from paradip_kg.web import conneg
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

bp = Blueprint("validate", __name__)

# The report's representations. Order matters on a tie (``*/*``): scripts get the JSON summary.
REPORT_FORMATS: tuple[conneg.Format, ...] = (
    # Our JSON summary, documented in docs/validation.md
    conneg.Format("json", "application/json", "JSON", "json", "docs/validation.md", short_names=("json", "summary")),
    conneg.HTML,
    # The SHACL validation report graph, https://www.w3.org/TR/shacl/#validation-report
    conneg.Format("turtle", "text/turtle", "Turtle", "ttl", "https://www.w3.org/TR/turtle/",
                  aliases=("application/x-turtle",), short_names=("turtle", "ttl")),
    conneg.Format("jsonld", "application/ld+json", "JSON-LD", "jsonld", "https://www.w3.org/TR/json-ld11/",
                  short_names=("jsonld", "json-ld")),
    # RFC 4180, one row per result
    conneg.Format("csv", "text/csv", "CSV", "csv", "https://www.rfc-editor.org/rfc/rfc4180", short_names=("csv",)),
)
DOWNLOADS = ("turtle", "jsonld", "json", "csv")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
GRAPH_NAMES = {"report": "urn:paradip:validation:report", "shapes": "urn:paradip:validation:shapes",
               "data": "urn:paradip:validation:data"}


@dataclass
class Submission:
    """What a client sent: the data, maybe shapes, and the options."""

    data: Graph
    source: str
    shapes: Graph | None = None
    shapes_source: str = ""
    inference: str = "none"
    allow_warnings: bool = False
    context: bool = True
    focus: list[URIRef] = field(default_factory=list)
    shape_iris: list[URIRef] = field(default_factory=list)


# --- reading the request -----------------------------------------------------------------------

def params() -> Any:
    """Query parameters, and the form fields of a form post (a raw body is left unread)."""
    return request.values if request.mimetype in FORM_TYPES else request.args


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _iris(values: list[str], what: str) -> list[URIRef]:
    out = []
    for value in values:
        for part in value.split():
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", part):
                raise InputError(f"{what} {part!r} is not an absolute IRI")
            out.append(URIRef(part))
    return out


def _upload_format(explicit: str | None, filename: str, media_type: str | None, source: str) -> str:
    if explicit:
        return guess_format(source, explicit)
    if filename and Path(filename).suffix.lower() in FORMATS_BY_SUFFIX:
        return guess_format(filename)
    if media_type and media_type in FORMATS_BY_MEDIA_TYPE and media_type not in ("application/octet-stream",):
        return FORMATS_BY_MEDIA_TYPE[media_type]
    return "turtle"


def read_submission() -> Submission:
    """The data, shapes and options of this request.

    Raises:
        InputError: no data, malformed RDF (line and column), bad options.
        UnsupportedMediaType: a request body whose media type is not an RDF format.
    """
    if request.mimetype in FORM_TYPES:
        values, files = request.form, request.files
        upload = files.get("data")
        if upload is not None and upload.filename:
            body, source = upload.read(), upload.filename
            fmt = _upload_format(values.get("data_format"), upload.filename, upload.mimetype, source)
        else:
            text = values.get("data") or values.get("data_text") or ""
            body, source = text.encode("utf-8"), "pasted data"
            fmt = _upload_format(values.get("data_format"), "", None, source)
        shapes_upload = files.get("shapes")
        shapes_text = values.get("shapes_text", "")
        if shapes_upload is not None and shapes_upload.filename:
            shapes_body, shapes_source = shapes_upload.read(), shapes_upload.filename
            shapes_fmt = _upload_format(values.get("shapes_format"), shapes_upload.filename, shapes_upload.mimetype,
                                        shapes_source)
        elif shapes_text.strip():
            shapes_body, shapes_source = shapes_text.encode("utf-8"), "pasted shapes"
            shapes_fmt = _upload_format(values.get("shapes_format"), "", None, shapes_source)
        else:
            shapes_body, shapes_source, shapes_fmt = b"", "", ""
    else:
        values = request.args
        media_type = request.mimetype
        fmt_name = values.get("data_format")
        if fmt_name:
            fmt = guess_format("request body", fmt_name)
        elif media_type in FORMATS_BY_MEDIA_TYPE:
            fmt = FORMATS_BY_MEDIA_TYPE[media_type]
        else:
            raise UnsupportedMediaType(
                f"send the data with an RDF media type ({', '.join(sorted(FORMATS_BY_MEDIA_TYPE))}), "
                f"or as a multipart/form-data upload; got {media_type or 'no Content-Type'}")
        body, source = request.get_data(cache=False), "request body"
        shapes_body, shapes_source, shapes_fmt = b"", "", ""
    if not body.strip():
        raise InputError("no data to validate: paste RDF, choose a file, or send it as the request body")
    inference = values.get("inference", "none") or "none"
    if inference not in INFERENCE:
        raise InputError(f"inference must be one of {', '.join(INFERENCE)}, not {inference!r}")
    sub = Submission(data=load_upload(body, fmt, source), source=source, inference=inference,
                     allow_warnings=_flag(values.get("allow_warnings")),
                     context=values.get("context", "1").strip().lower() not in {"0", "false", "no", "off"},
                     focus=_iris(values.getlist("focus"), "focus node"),
                     shape_iris=_iris(values.getlist("shape"), "shape"))
    if shapes_body.strip():
        sub.shapes, sub.shapes_source = load_upload(shapes_body, shapes_fmt, shapes_source), shapes_source
    return sub


def request_language() -> str:
    """``lang`` of the form or query if it is ours, else Accept-Language, else Spanish."""
    wanted = params().get("lang", "")
    return wanted if wanted in LANGUAGES else page_language()


def output_format() -> conneg.Format:
    """The report format: ``output`` if it names one, else the Accept header (406 if none fits)."""
    chosen = conneg.choose(request.accept_mimetypes, params().getlist("output"), REPORT_FORMATS)
    if chosen is None:
        raise NotAcceptable("the report is available as " + ", ".join(f.media_type for f in REPORT_FORMATS))
    return chosen


# --- the published graph -----------------------------------------------------------------------

class Published:
    """The graphs of one version of the built store, read into rdflib graphs when first asked for."""

    def __init__(self, store: ox.Store, version: str) -> None:
        self.store, self.version = store, version
        self._graphs: dict[str, Graph] = {}
        self._lock = threading.Lock()
        self.quality: tuple[Report, Graph] | None = None
        self.quality_lock = threading.Lock()

    def graph(self, name: str) -> Graph:
        """The named graph ``name`` of :data:`~paradip_kg.namespaces.GRAPHS` (shared: do not change it)."""
        with self._lock:
            if name not in self._graphs:
                graph = Graph()
                for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[name]))):
                    graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
                self._graphs[name] = graph
            return self._graphs[name]


_published: dict[str, Published] = {}
_published_lock = threading.Lock()


def published() -> Published:
    """The built store's graphs, for its current version (ServiceUnavailable without a store)."""
    state = get_state()
    key = f"{state.store_dir}|{state.version()}"
    with _published_lock:
        if key not in _published:
            _published.clear()  # an older version of the store is not served any more
            _published[key] = Published(state.store(), key)
        return _published[key]


def project_graphs() -> tuple[Graph, Graph, Graph]:
    """The published shapes, vocabularies and ontology (the project folders without a built store)."""
    try:
        pub: Published | None = published()
    except ServiceUnavailable:
        pub = None
    if pub is not None and len(pub.graph("shapes")):
        return pub.graph("shapes"), pub.graph("vocab"), pub.graph("ontology")
    project_dir = Path(get_state().settings["project_dir"])
    return load_shapes([], project_dir), project_folder(project_dir / "vocab"), project_folder(project_dir / "ontology")


# --- kept reports --------------------------------------------------------------------------------

def reports_dir() -> Path:
    folder = Path(get_state().settings["validation_reports_dir"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def keep_report(report: Report, shapes: Graph, data: Graph, meta: dict[str, Any]) -> str:
    """Write the report, shapes and data to the reports folder; return the report's token.

    The three graphs go into one N-Quads file, so blank nodes they share (a blank source shape,
    a blank focus node) keep their identity when the report is read back.
    """
    folder = reports_dir()
    ttl = int(get_state().settings["validation_report_ttl"])
    now = time.time()
    for old in folder.glob("*"):
        try:
            if old.is_file() and now - old.stat().st_mtime > ttl:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(18)
    quads = []
    for key, graph in (("report", report.graph), ("shapes", shapes), ("data", data)):
        name = ox.NamedNode(GRAPH_NAMES[key])
        quads += [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name) for s, p, o in graph]  # type: ignore[arg-type]
    (folder / f"{token}.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    (folder / f"{token}.json").write_text(json.dumps({**meta, "conforms": report.conforms, "created": now}),
                                          encoding="utf-8")
    return token


def load_report(token: str) -> tuple[Report, Graph, Graph, dict[str, Any]]:
    """A kept report (NotFound when it expired or never existed)."""
    folder = Path(get_state().settings["validation_reports_dir"])
    ttl = int(get_state().settings["validation_report_ttl"])
    meta_path, quads_path = folder / f"{token}.json", folder / f"{token}.nq"
    if not TOKEN.match(token) or not meta_path.is_file() or not quads_path.is_file() \
            or time.time() - meta_path.stat().st_mtime > ttl:
        raise NotFound(f"no such validation report: reports are kept for {ttl // 60} minutes; validate the data again")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    graphs = {key: Graph() for key in GRAPH_NAMES}
    by_name = {v: k for k, v in GRAPH_NAMES.items()}
    for q in read_quads(quads_path.read_bytes(), "nquads", str(quads_path)):
        graphs[by_name[q.graph_name.value]].add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    report = Report(conforms=bool(meta["conforms"]), results=read_results(graphs["report"], graphs["shapes"]),
                    graph=graphs["report"])
    return report, graphs["shapes"], graphs["data"], meta


# --- responses -----------------------------------------------------------------------------------

def respond(view: ReportView, fmt: conneg.Format, download_name: str = "validation-report") -> Response:
    """The report in a machine format."""
    response = Response(render(view, fmt.name), content_type=fmt.content_type)
    if params().get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}.{fmt.extension}"'
    response.headers["X-Paradip-Conforms"] = "true" if view.conforms else "false"
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return response


def local_link(term: Node | None) -> str | None:
    """Where a focus node's page is: our IRIs on this host, other http(s) IRIs as they are."""
    if not isinstance(term, URIRef):
        return None
    iri = str(term)
    base = str(get_state().settings["base_iri"])
    if iri.startswith(base) and len(iri) > len(base):
        return request.script_root + "/" + iri[len(base):]
    return iri if iri.startswith(("http://", "https://")) else None


def html_page(template: str, view: ReportView, **context: Any) -> str:
    """A report page: the detailed rows capped at ``validation_html_rows`` (filtered by ``severity``)."""
    limit = int(get_state().settings["validation_html_rows"])
    severity = request.args.get("severity", "")
    if severity not in SEVERITIES:
        severity = ""
    groups, shown = [], 0
    for group in view.groups:
        rows = [r for r in group.results if not severity or r.severity == severity]
        if not rows:
            continue
        if shown >= limit:
            break
        rows = rows[: limit - shown]
        shown += len(rows)
        groups.append((group, rows))
    listed = sum(1 for r in view.results if not severity or r.severity == severity)
    rules = [rule for rule in view.rules if not severity or rule.severity == severity]
    return render_template(template, view=view, lang=view.lang, t=view.words, groups=groups, rules=rules,
                           shown=shown, listed=listed, truncated=shown < listed, limit=limit, severity=severity,
                           link=local_link, **context)


def _view(meta: dict[str, Any], report: Report, shapes: Graph, data: Graph, lang: str) -> ReportView:
    return build_view(report, shapes, data, lang=lang, options=meta["options"], notices=meta["notices"].get(lang, []))


@bp.get("/validate")
def form() -> str:
    settings = get_state().settings
    lang = request_language()
    return render_template("validate.html", lang=lang, settings=settings, error=None, values={},
                           max_kib=int(settings["max_request_bytes"]) // 1024)


@bp.post("/validate")
def validate_endpoint() -> Response | str | tuple[str, int]:
    settings = get_state().settings
    lang = request_language()
    fmt = output_format()
    try:
        sub = read_submission()
        if sub.shapes is not None:
            check_uploaded_shapes(sub.shapes, bool(settings["validation_follow_imports"]),
                                  bool(settings["allow_service"]))
            shapes, context = sub.shapes, Graph()
            if sub.inference != "none":
                context = project_graphs()[2]
        else:
            shapes, vocab, ontology = project_graphs()
            context = merged(ontology, vocab) if sub.context else \
                (ontology if sub.inference != "none" else Graph())
        data = mix_in(sub.data, context)
        job = Job(data=data, shapes=shapes, inference=sub.inference, focus=sub.focus or None,
                  shape_iris=sub.shape_iris or None, allow_warnings=sub.allow_warnings, meta=sub.shapes is not None,
                  follow_imports=bool(settings["validation_follow_imports"]))
        started = time.perf_counter()
        report = run_in_child(job, float(settings["validation_timeout"]))
        seconds = round(time.perf_counter() - started, 3)
    except ParadipError as exc:
        if fmt is conneg.HTML:
            return _form_with_error(exc, lang)
        raise
    options = engine_options(sub.inference, sub.allow_warnings,
                             f"uploaded: {sub.shapes_source}" if sub.shapes is not None else "project",
                             data=sub.source, triples=len(sub.data), seconds=seconds,
                             context=sub.context and sub.shapes is None,
                             focus=[str(f) for f in sub.focus], shape_iris=[str(s) for s in sub.shape_iris])
    meta = {"options": options, "notices": {code: data_notices(sub.data, code) for code in LANGUAGES}}
    if fmt is conneg.HTML:
        token = keep_report(report, shapes, data, meta)
        return redirect(url_for(".kept_report", token=token, lang=lang), 303)  # type: ignore[return-value]
    return respond(_view(meta, report, shapes, data, lang), fmt)


def _form_with_error(exc: ParadipError, lang: str) -> tuple[str, int]:
    """The form again, with the error (and the offending line of pasted data) and the same status."""
    settings = get_state().settings
    values = {k: request.form.get(k, "") for k in ("data_text", "shapes_text", "inference", "data_format")} \
        if request.mimetype in FORM_TYPES else {}
    context_line = None
    if isinstance(exc, RdfSyntaxError) and exc.line and exc.source == "pasted data":
        lines = values.get("data_text", "").splitlines()
        if 0 < exc.line <= len(lines):
            context_line = (lines[exc.line - 1], exc.column or 1)
    error = {"status": exc.status, "title": exc.title, "message": exc.message, "context": context_line}
    page = render_template("validate.html", lang=lang, settings=settings, error=error, values=values,
                           max_kib=int(settings["max_request_bytes"]) // 1024)
    return page, exc.status


@bp.get("/validate/reports/<token>")
def kept_report(token: str) -> Response | str:
    report, shapes, data, meta = load_report(token)
    lang = request_language()
    fmt = output_format()
    view = _view(meta, report, shapes, data, lang)
    if fmt is not conneg.HTML:
        return respond(view, fmt)
    downloads = [(f, url_for(".kept_report", token=token, output=f, lang=lang, download=1)) for f in DOWNLOADS]
    expires = time.strftime("%H:%M UTC", time.gmtime(meta["created"] + int(get_state().settings["validation_report_ttl"])))
    return html_page("report.html", view, downloads=downloads, expires=expires, token=token)


# --- /quality ------------------------------------------------------------------------------------

def quality_report() -> tuple[Published, Report, Graph]:
    """The published graph's report, computed once per store version (as the build validates it)."""
    pub = published()
    with pub.quality_lock:
        if pub.quality is None:
            data = merged(*(pub.graph(name) for name in ("ontology", "vocab", "data", "inferred")))
            report = execute(Job(data=data, shapes=pub.graph("shapes"), allow_warnings=True, meta=False))
            pub.quality = (report, data)
    report, data = pub.quality
    return pub, report, data


def counts_by_class(view: ReportView, data: Graph, ontology: Graph, lang: str) -> list[dict[str, Any]]:
    """Results per asserted class of their focus nodes, worst first."""
    table: dict[Node, dict[str, Any]] = {}
    for r in view.results:
        for cls in data.objects(r.focus, RDF.type):
            row = table.setdefault(cls, {"class": term_text(cls, view.nsm), "iri": str(cls),
                                         "label": label_of(cls, ontology, lang), "nodes": set(),
                                         **{s: 0 for s in SEVERITIES}})
            row[r.severity] += 1
            row["nodes"].add(r.focus)
    rows = [{**row, "nodes": len(row["nodes"])} for row in table.values()]
    return sorted(rows, key=lambda x: tuple(-x[s] for s in SEVERITIES) + (x["class"],))


def counts_by_shape(view: ReportView, shapes: Graph, lang: str) -> list[dict[str, Any]]:
    """Results per named shape (property shapes count under their node shape), worst first."""
    table: dict[str, dict[str, Any]] = {}
    for r in view.results:
        shape = named_shape(r.shape, shapes)
        key = term_text(shape, view.nsm) if shape is not None else ""
        row = table.setdefault(key, {"shape": key, "iri": str(shape or ""),
                                     "name": i18n.pick_text(shape_names(shapes, shape), lang),
                                     **{s: 0 for s in SEVERITIES}})
        row[r.severity] += 1
    return sorted(table.values(), key=lambda x: tuple(-x[s] for s in SEVERITIES) + (x["shape"],))


@bp.get("/quality")
def quality() -> Response | str:
    lang = request_language()
    fmt = output_format()
    pub, report, data = quality_report()
    manifest = get_state().manifest()
    options = {**engine_options("none", True, "published"), "store_version": pub.version.rsplit("|", 1)[-1],
               "built_at": manifest.built_at if manifest else None}
    view = build_view(report, pub.graph("shapes"), data, lang=lang, options=options)
    by_class = counts_by_class(view, pub.graph("data"), pub.graph("ontology"), lang)
    by_shape = counts_by_shape(view, pub.graph("shapes"), lang)
    if fmt.name == "json":
        body = {**summary(view), "by_class": by_class, "by_shape": by_shape}
        response = Response(json.dumps(body, indent=2, ensure_ascii=False) + "\n", content_type=fmt.content_type)
        response.vary.add("Accept")
        return response
    if fmt is not conneg.HTML:
        return respond(view, fmt, "quality-report")
    downloads = [(f, url_for(".quality", output=f, lang=lang, download=1)) for f in DOWNLOADS]
    return html_page("quality.html", view, downloads=downloads, by_class=by_class, by_shape=by_shape,
                     manifest=manifest)
