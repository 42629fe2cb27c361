"""The documentation of the SKOS vocabularies: every concept scheme, and each one's concepts.

    vocab_index(store, lang)          every concept scheme (without its concepts), by title
    vocab_doc(store, scheme, lang)    one scheme: its concepts in hierarchy order, matches, usage in the data

A concept scheme's page (``/page/vocab/…``) is its ``vocab_doc``; the concepts are ordered by
``skos:broader``, siblings by notation when they have numeric ones (SDG 1…17), else by label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish.docs.reader import RELATIONS, DataLabels, Reader, Ref, Text, anchor, load_graph
from paradip_kg.publish.labels import qname


@dataclass
class ConceptDoc:
    iri: str
    anchor: str
    label: Text
    alt_labels: list[str]
    definition: Text
    scope_note: Text
    notation: str
    broader: list[Ref]
    narrower: list[Ref]
    matches: list[tuple[str, Ref]]
    use_count: int
    uses: list[Ref]
    depth: int = 0


@dataclass
class SchemeDoc:
    iri: str
    title: Text
    description: Text
    license: str
    sources: list[Ref]
    concepts: list[ConceptDoc]
    concept_count: int = 0


def _schemes(g: Graph) -> list[URIRef]:
    return sorted((s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)), key=str)


def vocab_index(store: ox.Store, lang: str) -> list[SchemeDoc]:
    """Every concept scheme of the vocabulary graph (without its concepts), by title."""
    g = load_graph(store, "vocab")
    reader = Reader(g, lang)
    out = []
    for scheme in _schemes(g):
        members = set(g.subjects(SKOS.inScheme, scheme)) | set(g.subjects(SKOS.topConceptOf, scheme))
        out.append(SchemeDoc(str(scheme), reader.texts(scheme, DCTERMS.title, RDFS.label, SKOS.prefLabel),
                             reader.texts(scheme, DCTERMS.description, RDFS.comment, SKOS.definition),
                             str(g.value(scheme, DCTERMS.license) or ""), [], [], len(members)))
    return sorted(out, key=lambda s: s.title.main.lower())


def vocab_doc(store: ox.Store, scheme_iri: str, lang: str) -> SchemeDoc | None:
    """One concept scheme with its concepts in hierarchy order, or None if there is no such scheme."""
    g = load_graph(store, "vocab")
    scheme = URIRef(scheme_iri)
    if (scheme, RDF.type, SKOS.ConceptScheme) not in g:
        return None
    reader = Reader(g, lang)
    data_labels = DataLabels(store, lang)
    members = {m for m in set(g.subjects(SKOS.inScheme, scheme)) | set(g.subjects(SKOS.topConceptOf, scheme))
               if isinstance(m, URIRef)}
    data = ox.NamedNode(str(GRAPHS["data"]))

    def concept(term: URIRef, depth: int) -> ConceptDoc:
        uses: list[Ref] = []
        count = 0
        for quad in store.quads_for_pattern(None, None, ox.NamedNode(str(term)), data):
            count += 1
            if len(uses) < 5 and not isinstance(quad.subject, ox.Triple):  # RDF 1.1: no quoted triples
                ref = data_labels.ref(quad.subject)
                if isinstance(ref, Ref) and ref not in uses:
                    uses.append(ref)
        matches = [(i18n.text(words, lang), reader.ref(o)) for rel, words in RELATIONS.items()
                   if rel not in (RDFS.subClassOf, RDFS.subPropertyOf) for o in g.objects(term, rel)
                   if isinstance(o, URIRef)]
        label = reader.texts(term, SKOS.prefLabel, RDFS.label)
        return ConceptDoc(
            iri=str(term), anchor=anchor(str(term)), label=label if label else Text(qname(str(term))),
            alt_labels=sorted(str(o) for o in g.objects(term, SKOS.altLabel)
                              if isinstance(o, Literal) and (o.language or lang) == lang),
            definition=reader.texts(term, SKOS.definition), scope_note=reader.texts(term, SKOS.scopeNote),
            notation=", ".join(sorted(str(n) for n in g.objects(term, SKOS.notation))),
            broader=reader.refs([*g.objects(term, SKOS.broader), *g.subjects(SKOS.narrower, term)]),
            narrower=reader.refs([*g.objects(term, SKOS.narrower), *g.subjects(SKOS.broader, term)]),
            matches=matches, use_count=count, uses=uses, depth=depth)

    def broader(term: URIRef) -> set[Node]:
        return ({*g.objects(term, SKOS.broader), *g.subjects(SKOS.narrower, term)}) & members

    ordered: list[ConceptDoc] = []
    placed: set[URIRef] = set()

    def walk(term: URIRef, depth: int) -> None:
        if term in placed:
            return
        placed.add(term)
        ordered.append(concept(term, depth))
        children = [m for m in members if term in broader(m)]
        for child in sorted(children, key=lambda m: reader.label(m).lower()):
            walk(child, depth + 1)

    roots = [m for m in members if not broader(m)]
    for root in sorted(roots, key=_concept_order(g, reader)):
        walk(root, 0)
    for rest in sorted(members - placed, key=str):  # cycles in broader: still listed, once
        walk(rest, 0)
    return SchemeDoc(str(scheme), reader.texts(scheme, DCTERMS.title, RDFS.label, SKOS.prefLabel),
                     reader.texts(scheme, DCTERMS.description, RDFS.comment, SKOS.definition),
                     str(g.value(scheme, DCTERMS.license) or ""),
                     [data_labels.link(ox.NamedNode(str(s))) for s in g.objects(scheme, DCTERMS.source)
                      if isinstance(s, URIRef)],
                     ordered, len(members))


def _concept_order(g: Graph, reader: Reader) -> Callable[[Node], tuple[int, list[int], str]]:
    """Order concepts by notation when they have a numeric one (SDG 1…17), else by label."""
    def key(term: Node) -> tuple[int, list[int], str]:
        notation = str(g.value(term, SKOS.notation) or "")
        local = anchor(str(term))
        numeric = [int(p) if p.isdigit() else 0 for p in (notation or local).split(".")] if \
            (notation or local).replace(".", "").isdigit() else []
        return (0 if numeric else 1, numeric, reader.label(term).lower())
    return key
