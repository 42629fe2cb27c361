"""What the documentation pages are made of, and how they read texts and labels from a graph.

    Ref, Token, Text     a link to a term; a piece of a sentence (words or a link); a text in the
                         reader's language with the same text in the other language beside it
    load_graph(store, …) the union of named graphs as an rdflib Graph
    Reader(graph, lang)  texts and labels of terms in one language (picked by :mod:`paradip_kg.i18n`)
    DataLabels           labels of things in the data, for the examples (:class:`paradip_kg.publish.labels.Labels`)
    RELATIONS            the alignment and match relations, in es and en
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.i18n import Pair
from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish.labels import KNOWN_LABELS, Labels, qname
from paradip_kg.rdf.terms import to_rdflib

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Ref:
    """A link to a term: its IRI, the label to show, and its short name."""

    iri: str
    label: str
    short: str


Token = str | Ref


@dataclass
class Text:
    """A text in the visitor's language, and the same text in the other language when it differs."""

    main: str = ""
    main_lang: str = ""
    other: str = ""
    other_lang: str = ""

    def __bool__(self) -> bool:
        return bool(self.main or self.other)


def load_graph(store: ox.Store, *keys: str) -> Graph:
    """The union of the named graphs ``keys`` as an rdflib Graph."""
    graph = Graph()
    for key in keys:
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[key]))):
            subject, obj = quad.subject, quad.object
            if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
                continue  # RDF 1.1 graphs: the build stores no quoted triples
            graph.add((to_rdflib(subject), to_rdflib(quad.predicate), to_rdflib(obj)))
    return graph


def anchor(iri: str) -> str:
    """The local name of an IRI: after ``#``, else after the last ``/``."""
    if "#" in iri:
        return iri.rsplit("#", 1)[1]
    return iri.rstrip("/").rsplit("/", 1)[-1]


class Reader:
    """Labels and texts from one rdflib graph, in one language."""

    def __init__(self, graph: Graph, lang: str, label_graph: Graph | None = None) -> None:
        self.g = graph
        self.labels_from = label_graph if label_graph is not None else graph
        self.lang = lang

    def texts(self, subject: Node, *predicates: URIRef, graph: Graph | None = None) -> Text:
        g = graph if graph is not None else self.g
        literals = [o for p in predicates for o in g.objects(subject, p) if isinstance(o, Literal)]
        if not literals:
            return Text()
        by_lang = i18n.by_language((i18n.base(lit.language), str(lit)) for lit in sorted(literals, key=str))
        main_lang = i18n.pick(sorted(by_lang), self.lang, lambda tag: tag) or ""
        main, other = by_lang[main_lang], i18n.other(self.lang)
        second = by_lang.get(other if main_lang != other else self.lang, "")
        second_lang = (other if main_lang != other else self.lang) if second and second != main else ""
        return Text(main, main_lang, second if second != main else "", second_lang)

    def label(self, term: Node) -> str:
        if isinstance(term, Literal):
            return str(term)
        if isinstance(term, BNode):
            return "[…]"
        text = self.texts(term, SKOS.prefLabel, RDFS.label, URIRef(SH + "name"), DCTERMS.title,
                          graph=self.labels_from)
        if not text.main and self.labels_from is not self.g:
            text = self.texts(term, SKOS.prefLabel, RDFS.label, URIRef(SH + "name"), DCTERMS.title)
        if text.main:
            return text.main
        known = KNOWN_LABELS.get(qname(str(term)))
        if known:
            return i18n.text(known, self.lang)
        return qname(str(term))

    def ref(self, term: Node) -> Ref:
        return Ref(str(term), self.label(term), qname(str(term)))

    def refs(self, terms: Iterable[Node]) -> list[Ref]:
        return sorted({self.ref(t) for t in terms if isinstance(t, URIRef)}, key=lambda r: r.label.lower())

    def items(self, node: Node) -> list[Node]:
        return list_items(self.g, node)


def list_items(g: Graph, node: Node) -> list[Node]:
    """The members of an RDF list, without the ``None`` a broken list ends in; empty when
    ``node`` is not a list. A malformed list documents as empty rather than failing the page."""
    try:
        return [item for item in Collection(g, node) if item is not None]
    except Exception:  # noqa: BLE001 - rdflib raises several kinds on cyclic or broken lists
        return []


RELATIONS: dict[URIRef, Pair] = {
    RDFS.subClassOf: ("subclase de", "subclass of"), OWL.equivalentClass: ("equivalente a", "equivalent to"),
    RDFS.subPropertyOf: ("subpropiedad de", "subproperty of"),
    OWL.equivalentProperty: ("equivalente a", "equivalent to"),
    SKOS.exactMatch: ("equivalente exacto", "exact match"), SKOS.closeMatch: ("equivalente cercano", "close match"),
    SKOS.broadMatch: ("más amplio", "broad match"), SKOS.narrowMatch: ("más específico", "narrow match"),
    SKOS.relatedMatch: ("relacionado", "related match"), RDFS.seeAlso: ("véase", "see also"),
}


class DataLabels:
    """Labels of things in the data (for examples), through :class:`paradip_kg.publish.labels.Labels`."""

    def __init__(self, store: ox.Store, lang: str) -> None:
        self.labels = Labels(store, lang)

    def link(self, iri: ox.NamedNode) -> Ref:
        return Ref(iri.value, self.labels.label(iri), qname(iri.value))

    def ref(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Token:
        """A link for an IRI, the label (or the value) for anything else."""
        if isinstance(term, ox.NamedNode):
            return self.link(term)
        return self.labels.label(term)
