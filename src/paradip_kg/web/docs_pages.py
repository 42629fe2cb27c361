"""Whole-graph documents: the ontology, the shapes, the vocabularies and each named graph.

    /ontology[.ext]       hash namespace: HTML documentation or the ontology graph, by Accept
    /shapes[.ext]         the same for the SHACL shapes
    /vocab[.ext]          every vocabulary (HTML) or the vocabulary graph
    /graph/{name}[.ext]   a named graph, as a document

The HTML is the documentation generated from the graph (:mod:`paradip_kg.publish.docs`), made
once per published state and language; the RDF of the ontology and the shapes is their graph
with what the reasoner inferred about their terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template

from paradip_kg.errors import NotDescribed
from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish import describe, dumps
from paradip_kg.publish.docs.ontology import OntologyDoc, ontology_doc
from paradip_kg.publish.docs.shapes import shapes_doc
from paradip_kg.publish.docs.vocab import vocab_index
from paradip_kg.web import http, urls
from paradip_kg.web.conneg import HTML
from paradip_kg.web.dataset import void_stats
from paradip_kg.web.documents import BY_EXTENSION, PAGE_FORMATS, choose, not_found, rdf
from paradip_kg.web.language import page_language
from paradip_kg.web.paths import split_extension
from paradip_kg.web.state import get_state

bp = Blueprint("docs_pages", __name__)
SCHEMA = "https://schema.org/"


def _cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    return get_state().cached(("docs_pages", *key), make)


def _graph_quads(key: str) -> Callable[[], Iterable[ox.Quad]]:
    name = ox.NamedNode(str(GRAPHS[key]))
    return lambda: get_state().store().quads_for_pattern(None, None, None, name)


def _namespace_quads(key: str, namespace: str) -> Callable[[], Iterable[ox.Quad]]:
    return lambda: describe.namespace_document(get_state().store(), key, namespace)


def _graph_document(path: str, key: str, ext: str | None, html: Callable[[str], str],
                    quads: Callable[[], Iterable[ox.Quad]] | None = None) -> Response:
    """The document at ``path``: ``html(lang)`` for people, else the quads (graph ``key``'s by default)."""
    if ext is not None and ext not in BY_EXTENSION:
        raise NotDescribed(f"{path}.{ext} is not a document of this site.")
    fmt = choose(PAGE_FORMATS, ext)
    alternates = urls.alternates(path, PAGE_FORMATS)
    location = next(u for u, f in alternates if f is fmt)
    if fmt is HTML:
        lang = page_language()
        return http.serve((path, "html", lang), lambda: (html(lang), HTML.content_type), location=location,
                          alternates=alternates, vary=("Accept", "Accept-Language"))
    return http.serve((path, fmt.name), rdf(quads or _graph_quads(key), fmt), location=location,
                      alternates=alternates)


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None) -> Response:
    def html(lang: str) -> str:
        doc = _cached(("ontology-doc", lang), lambda: ontology_doc(get_state().store(), lang))
        return render_template("ontology.html", lang=lang, doc=doc,
                               alternates=urls.alternates("/ontology", PAGE_FORMATS), jsonld=_ontology_jsonld(doc))
    return _graph_document("/ontology", "ontology", ext, html,
                           quads=_namespace_quads("ontology", urls.base() + "ontology#"))


def _ontology_jsonld(doc: OntologyDoc) -> dict[str, Any]:
    return {"@context": {"@vocab": SCHEMA}, "@type": "DefinedTermSet", "@id": doc.iri, "name": doc.title.main,
            "description": doc.description.main, "license": doc.license or None, "version": doc.version,
            "hasDefinedTerm": [{"@type": "DefinedTerm", "@id": t.iri, "name": t.label.main,
                                "description": t.definition.main, "termCode": t.short} for t in doc.terms]}


@bp.get("/shapes")
@bp.get("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    def html(lang: str) -> str:
        doc = _cached(("shapes-doc", lang), lambda: shapes_doc(get_state().store(), lang))
        return render_template("shapes.html", lang=lang, doc=doc, alternates=urls.alternates("/shapes", PAGE_FORMATS),
                               jsonld={"@context": {"@vocab": SCHEMA}, "@type": "CreativeWork", "@id": doc.iri,
                                       "name": doc.title.main, "description": doc.comment.main})
    return _graph_document("/shapes", "shapes", ext, html,
                           quads=_namespace_quads("shapes", urls.base() + "shapes#"))


@bp.get("/vocab")
@bp.get("/vocab.<ext>")
def vocabularies(ext: str | None = None) -> Response:
    def html(lang: str) -> str:
        schemes = _cached(("vocab-index", lang), lambda: vocab_index(get_state().store(), lang))
        return render_template("vocab.html", lang=lang, scheme=None, schemes=schemes,
                               alternates=urls.alternates("/vocab", PAGE_FORMATS), jsonld=None)
    return _graph_document("/vocab", "vocab", ext, html)


@bp.get("/graph/<name>")
def graph(name: str) -> Response:
    key, ext = split_extension(name)
    if key not in GRAPHS:
        fmt = choose(PAGE_FORMATS, ext)
        return not_found(f"<{urls.base()}graph/{key}>", fmt)

    def html(lang: str) -> str:
        return render_template("dataset.html", lang=lang, mode="graph", key=key, graph_iri=str(GRAPHS[key]),
                               stats=void_stats(), files=[f for f in dumps.dump_files() if f.graph == key],
                               alternates=urls.alternates(f"/graph/{key}", PAGE_FORMATS), jsonld=None)
    return _graph_document(f"/graph/{key}", key, ext, html)
