"""The store's named graphs as writes see them: which may be written, which hold asserted data.

A write changes the data graph or a graph of its own; the graphs the build makes from the
project's files (ontology, vocabularies, shapes) and the ones the server keeps (inferences,
the writes log) are reserved, and the harvested ones are the harvest's (:func:`writable`).
Inference and validation read the asserted instance data (:class:`AssertedGraphs`: every
graph but the T-box, the shapes, the inferences and the log) and the inferred graph (:func:`inferred_quads`).

Oxigraph's terms may be RDF 1.2 triple terms; our graphs hold none (the build loads rdflib
graphs, and a write that brings one is refused, :func:`paradip_kg.writes.operations.refuse_triple_terms`),
so :func:`subject_of`, :func:`object_of` and :func:`rdflib_triple` narrow the types for rdflib.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.term import Node as RdflibNode

from paradip_kg.namespaces import GRAPH, GRAPHS
from paradip_kg.rdf.terms import to_rdflib

DATA_GRAPH = str(GRAPHS["data"])
WRITES_GRAPH = str(GRAPH["writes"])
INFERRED_GRAPH = str(GRAPHS["inferred"])
SHAPES_GRAPH = str(GRAPHS["shapes"])
TBOX_GRAPHS = (str(GRAPHS["ontology"]), str(GRAPHS["vocab"]))
RESERVED_GRAPHS = frozenset({*TBOX_GRAPHS, INFERRED_GRAPH, SHAPES_GRAPH, WRITES_GRAPH})
# The harvest's graphs (Wikidata's claims, the reconciliation derived from them): written only by
# `paradip-kg harvest` and `paradip-kg restore`, which pass them to :func:`writable`; a user's write
# into them would pass an edited claim off as Wikidata's.
HARVESTED_GRAPHS = frozenset({str(GRAPHS["wikidata"]), str(GRAPHS["reconciliation"])})
TYPE = ox.NamedNode(str(RDF.type))

Node = ox.NamedNode | ox.BlankNode  # a resource a write can change (no literal, no triple term)
Term = ox.NamedNode | ox.BlankNode | ox.Literal  # a term our graphs hold (no triple term)


def writable(graph: str, also: frozenset[str] = frozenset()) -> bool:
    """Whether writes may change ``graph``: the data graph and any graph that is neither reserved
    nor harvested, and the harvested graphs among ``also`` (the harvest's and restore's own)."""
    return graph not in RESERVED_GRAPHS and (graph not in HARVESTED_GRAPHS or graph in also)


def subject_of(quad: ox.Quad) -> Node:
    """The subject of a stored quad (never a triple term: our graphs hold none)."""
    subject = quad.subject
    if isinstance(subject, ox.Triple):
        raise TypeError(f"a triple term in subject position: {quad}")
    return subject


def object_of(quad: ox.Quad) -> Term:
    """The object of a stored quad (never a triple term: our graphs hold none)."""
    obj = quad.object
    if isinstance(obj, ox.Triple):
        raise TypeError(f"a triple term in object position: {quad}")
    return obj


def rdflib_triple(quad: ox.Quad) -> tuple[RdflibNode, RdflibNode, RdflibNode]:
    """The triple of a stored quad as rdflib terms."""
    return to_rdflib(subject_of(quad)), to_rdflib(quad.predicate), to_rdflib(object_of(quad))


def rdflib_graph(quads: Iterable[ox.Quad]) -> Graph:
    """The triples of ``quads`` as one rdflib graph (graph names dropped)."""
    graph = Graph()
    for quad in quads:
        graph.add(rdflib_triple(quad))
    return graph


class AssertedGraphs:
    """Reads the graphs that hold asserted instance data (all but the T-box, shapes, inferences and log)."""

    def __init__(self, store: ox.Store) -> None:
        skip = {*TBOX_GRAPHS, SHAPES_GRAPH, WRITES_GRAPH, INFERRED_GRAPH}
        self.store = store
        self.asserted = [g for g in store.named_graphs() if g.value not in skip]
        self.inferred = ox.NamedNode(INFERRED_GRAPH)

    def out(self, node: Node, predicate: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        for g in self.asserted:
            yield from self.store.quads_for_pattern(node, predicate, None, g)

    def into(self, node: Node, predicate: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        for g in self.asserted:
            yield from self.store.quads_for_pattern(None, predicate, node, g)

    def inferred_about(self, node: Node) -> Iterator[ox.Quad]:
        yield from self.store.quads_for_pattern(node, None, None, self.inferred)

    def stated_or_inferred(self, node: Node, predicate: ox.NamedNode) -> Iterator[ox.Quad]:
        """The triples of ``node`` with ``predicate``, asserted or inferred."""
        yield from self.out(node, predicate)
        yield from self.store.quads_for_pattern(node, predicate, None, self.inferred)

    def all(self) -> Graph:
        """Every asserted triple, as one rdflib graph (the whole graph's re-inference reads it)."""
        return rdflib_graph(q for g in self.asserted for q in self.store.quads_for_pattern(None, None, None, g))


def inferred_quads(store: ox.Store, subjects: Iterable[Node] | None) -> set[ox.Quad]:
    """The inferred graph's quads about ``subjects`` (None: all of them)."""
    g = ox.NamedNode(INFERRED_GRAPH)
    if subjects is None:
        return set(store.quads_for_pattern(None, None, None, g))
    found: set[ox.Quad] = set()
    for s in subjects:
        found.update(store.quads_for_pattern(s, None, None, g))
    return found
