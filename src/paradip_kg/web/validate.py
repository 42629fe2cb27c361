"""The validation service: the form, POST /validate, and kept reports.

    GET  /validate                      the form: paste or upload data, choose shapes and inference
    POST /validate                      data as the body (its media type says the format) or as a
                                        multipart upload (``data``, optional ``shapes``); the report is
                                        negotiated: JSON summary, HTML, Turtle / JSON-LD
                                        (``sh:ValidationReport``) or CSV (``?output=`` overrides Accept).
                                        Browsers are sent (303) to the kept report's page.
    GET  /validate/reports/<token>      a kept report, in any language and format, for an hour

The request is read by :mod:`paradip_kg.web.submission`, the report answered by
:mod:`paradip_kg.web.validate_report`; /quality, the report of the published graph, is
:mod:`paradip_kg.web.quality`. Limits: the body is capped by ``max_request_bytes`` (413), a
validation runs in a child process stopped after ``validation_timeout`` seconds (503,
:mod:`paradip_kg.shacl.runner`), malformed RDF is a 400 that names the line and column, and
uploads never make the server fetch anything (see :mod:`paradip_kg.shacl.inputs`).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, url_for
from rdflib import Graph
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from paradip_kg import i18n
from paradip_kg.errors import InputError, ParadipError, RdfSyntaxError, ValidationTimeout
from paradip_kg.rdf.parse import add_quads, read_quads
from paradip_kg.rdf.terms import to_oxigraph
from paradip_kg.shacl.engine import engine_options
from paradip_kg.shacl.inputs import check_uploaded_shapes, data_notices, merged, mix_in, shapes_notices
from paradip_kg.shacl.jobs import Job
from paradip_kg.shacl.report import ReportView, build_view
from paradip_kg.shacl.results import FAIL_ON, Report, fail_on_of, read_results
from paradip_kg.shacl.runner import timed_out
from paradip_kg.web import conneg
from paradip_kg.web.published import project_graphs
from paradip_kg.web.state import get_state
from paradip_kg.web.submission import Deadline, read_submission
from paradip_kg.web.validate_report import (
    DOWNLOADS,
    FORM_TYPES,
    html_page,
    output_format,
    params,
    request_language,
    respond,
)

bp = Blueprint("validate", __name__)

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
GRAPH_NAMES = {"report": "urn:paradip:validation:report", "shapes": "urn:paradip:validation:shapes",
               "data": "urn:paradip:validation:data"}


# --- kept reports --------------------------------------------------------------------------------

def reports_dir() -> Path:
    folder = Path(get_state().settings["validation_reports_dir"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _quads(graph: Graph, name: ox.NamedNode) -> Iterator[ox.Quad]:
    for s, p, o in graph:
        subject, predicate = to_oxigraph(s), to_oxigraph(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise TypeError(f"not an RDF triple: {s!r} {p!r} {o!r}")
        yield ox.Quad(subject, predicate, to_oxigraph(o), name)


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
    quads: list[ox.Quad] = []
    for key, graph in (("report", report.graph), ("shapes", shapes), ("data", data)):
        quads += _quads(graph, ox.NamedNode(GRAPH_NAMES[key]))
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
    quads = read_quads(quads_path.read_bytes(), "nquads", str(quads_path))
    graphs = {key: Graph() for key in GRAPH_NAMES}
    for key, name in GRAPH_NAMES.items():
        add_quads((q for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == name),
                  graphs[key])
    report = Report(conforms=bool(meta["conforms"]), results=read_results(graphs["report"], graphs["shapes"]),
                    graph=graphs["report"])
    return report, graphs["shapes"], graphs["data"], meta


# --- the pages -----------------------------------------------------------------------------------

def _view(meta: dict[str, Any], report: Report, shapes: Graph, data: Graph, lang: str) -> ReportView:
    return build_view(report, shapes, data, lang=lang, options=meta["options"], notices=meta["notices"].get(lang, []))


@bp.get("/validate")
def form() -> str:
    settings = get_state().settings
    lang = request_language()
    return render_template("validate.html", lang=lang, settings=settings, error=None, values={},
                           max_kib=int(settings["max_request_bytes"]) // 1024)


@bp.post("/validate")
def validate_endpoint() -> BaseResponse | str | tuple[str, int]:
    settings = get_state().settings
    lang = request_language()
    fmt = output_format()
    limit = float(settings["validation_timeout"])
    deadline = Deadline(time.monotonic() + limit, limit)  # the whole request, from parsing to the report
    try:
        sub = read_submission(deadline)
        fail_on = _fail_on(sub.allow_warnings)
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
        deadline.check()
        try:
            report = get_state().validation_runner().run(job, deadline.at - time.monotonic())
        except ValidationTimeout:
            raise timed_out(limit) from None  # named by the whole limit, not what was left of it
        seconds = round(time.perf_counter() - started, 3)
    except ParadipError as exc:
        if fmt is conneg.HTML:
            return _form_with_error(exc, lang)
        raise
    options = engine_options(sub.inference, sub.allow_warnings,
                             f"uploaded: {sub.shapes_source}" if sub.shapes is not None else "project",
                             data=sub.source, base=sub.base, shapes_base=sub.shapes_base or None,
                             triples=len(sub.data), seconds=seconds,
                             context=sub.context and sub.shapes is None,
                             focus=[str(f) for f in sub.focus], shape_iris=[str(s) for s in sub.shape_iris],
                             fail_on=fail_on)
    followed = bool(settings["validation_follow_imports"])
    meta = {"options": options, "notices": {code: data_notices(sub.data, code) + (
        shapes_notices(shapes, code, followed) if sub.shapes is not None else []) for code in i18n.LANGUAGES}}
    if fmt is conneg.HTML:
        token = keep_report(report, shapes, data, meta)
        return redirect(url_for(".kept_report", token=token, lang=lang), 303)
    return respond(_view(meta, report, shapes, data, lang), fmt)


def _fail_on(allow_warnings: bool) -> str:
    """The ``fail_on`` parameter (violation, warning, info; as ``paradip-kg validate --fail-on``),
    else ``violation`` with ``allow_warnings``, else ``warning``."""
    wanted = params().get("fail_on") or None
    if wanted is not None and wanted not in FAIL_ON:
        raise InputError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {wanted!r}")
    return fail_on_of(wanted, allow_warnings)


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
    ttl = int(get_state().settings["validation_report_ttl"])
    expires = time.strftime("%H:%M UTC", time.gmtime(meta["created"] + ttl))
    return html_page("report.html", view, downloads=downloads, expires=expires, token=token)
