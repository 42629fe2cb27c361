"""GET /quality: the validation report of the published graph itself.

The report is computed once per store version, as the build validates the graph (the ontology,
vocabularies, data and inferred triples against the published shapes, warnings allowed), and
negotiated like any report (:mod:`paradip_kg.web.validate_report`); the page and the JSON
summary add counts per named shape and per asserted class of the focus nodes.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, url_for
from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.shacl.compiled import validate_graph
from paradip_kg.shacl.engine import engine_options
from paradip_kg.shacl.inputs import merged
from paradip_kg.shacl.jobs import Job, execute
from paradip_kg.shacl.messages import SEVERITIES, label_of, shape_names
from paradip_kg.shacl.render import summary
from paradip_kg.shacl.report import ReportView, build_view
from paradip_kg.shacl.results import Report
from paradip_kg.shacl.terms import named_shape, term_text
from paradip_kg.web import conneg
from paradip_kg.web.published import Published, published
from paradip_kg.web.state import get_state
from paradip_kg.web.validate_report import DOWNLOADS, html_page, output_format, request_language, respond

bp = Blueprint("quality", __name__)


def quality_report() -> tuple[Published, Report, Graph]:
    """The published graph's report, computed once per store version (as the build validates it)."""
    pub = published()
    with pub.quality_lock:
        if pub.quality is None:
            data = merged(*(pub.graph(name) for name in ("ontology", "vocab", "data", "inferred")))
            if get_state().settings.get("validation_engine", "compiled") == "compiled":
                # the build's engine (a fraction of a second where pyshacl takes about 2 s, the bundled graph);
                # pyshacl is its oracle (tests/test_shacl_compiled.py) and the setting's other value
                report = validate_graph(data, pub.graph("shapes"), allow_warnings=True)
            else:
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


def engine_name(setting: str) -> str:
    """The engine /quality ran, as its report says (the setting validation_engine)."""
    import pyshacl

    return "paradip-kg compiled SHACL" if setting == "compiled" else f"pySHACL {pyshacl.__version__}"


@bp.get("/quality")
def quality() -> Response | str:
    lang = request_language()
    fmt = output_format()
    pub, report, data = quality_report()
    manifest = get_state().manifest()
    options = {**engine_options("none", True, "published"), "store_version": pub.version,
               "engine": engine_name(get_state().settings.get("validation_engine", "compiled")),
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
