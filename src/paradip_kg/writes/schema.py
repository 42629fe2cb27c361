"""What writes cannot change, read from the store once per build: the T-box and the shapes.

The ontology and vocabularies are reserved graphs (:data:`paradip_kg.writes.graphs.RESERVED_GRAPHS`),
so the compiled T-box (:class:`paradip_kg.inference.incremental.TBox`), the shapes and what the
shapes read stay the same from one write to the next until the store is built again;
:func:`schema_of` keeps them for the build whose content hash it is given, with the shapes
compiled once for the compiled engine (:mod:`paradip_kg.shacl.compiled`): reading and
compiling them is most of what a small validation would cost if it were done per write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from paradip_kg.inference.incremental import TBox
from paradip_kg.namespaces import PREFIXES
from paradip_kg.shacl.compiled_shapes import Plan, compile_shapes
from paradip_kg.writes.context import OxTriple, TBoxTriples
from paradip_kg.writes.graphs import (
    INFERRED_GRAPH,
    SHAPES_GRAPH,
    TBOX_GRAPHS,
    Node,
    object_of,
    rdflib_graph,
    rdflib_triple,
    subject_of,
)

SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))


@dataclass(frozen=True)
class Schema:
    """The T-box and shapes of one build, as the inference and validation of writes read them."""

    tbox: TBox  # compiled for :func:`paradip_kg.inference.incremental.entail`
    full: Graph  # the ontology and vocabularies as asserted
    terms: set[Node]  # the subjects of the ontology and vocabularies (T-box terms, vocabulary concepts)
    shapes: Graph
    read: frozenset[ox.NamedNode]  # the predicates the shapes read past a focus node (:func:`shape_predicates`)
    tbox_triples: TBoxTriples  # what a validation context takes of the T-box, as Oxigraph triples
    plan: Plan | None  # the shapes compiled (:mod:`paradip_kg.shacl.compiled`); None: pyshacl runs them all


# One entry: the schema of the build under the writes (a new build replaces it).
_SCHEMAS: dict[str, Schema] = {}


def tbox_terms(store: ox.Store) -> set[Node]:
    """The subjects of the ontology and vocabulary graphs."""
    terms: set[Node] = set()
    for g in TBOX_GRAPHS:
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            if isinstance(quad.subject, (ox.NamedNode, ox.BlankNode)):
                terms.add(quad.subject)
    return terms


def shape_predicates(shapes: Graph) -> frozenset[ox.NamedNode]:
    """Every predicate the shapes can read past a focus node: those in sh:path expressions
    and those named in SHACL-SPARQL queries (prefixed with the project's prefixes, or full IRIs)."""
    found: set[str] = set()
    path_links = {SH.alternativePath, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath,
                  RDF.first, RDF.rest}
    todo = list(shapes.objects(None, SH.path))
    while todo:
        node = todo.pop()
        if isinstance(node, URIRef):
            found.add(str(node))
        for p, o in shapes.predicate_objects(node):
            if p in path_links:
                todo.append(o)
    for query in shapes.objects(None, SH.select):
        text = str(query)
        found.update(m.group(1) for m in re.finditer(r"<([^<>\s]+)>", text))
        for prefix, local in re.findall(r"(?<![\w<])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", text):
            if prefix in PREFIXES:
                found.add(PREFIXES[prefix] + local)
    return frozenset(ox.NamedNode(iri) for iri in found if iri.startswith(("http://", "https://", "urn:")))


def tbox_triples(store: ox.Store) -> TBoxTriples:
    """The subclass triples of the T-box graphs, and their triples by subject (Oxigraph terms)."""
    subclass: set[OxTriple] = set()
    about: dict[Node, list[OxTriple]] = {}
    for g in TBOX_GRAPHS:
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            triple = (subject_of(quad), quad.predicate, object_of(quad))
            about.setdefault(triple[0], []).append(triple)
            if quad.predicate == SUBCLASS_OF:
                subclass.add(triple)
    return TBoxTriples(frozenset(subclass), {node: tuple(found) for node, found in about.items()})


def schema_of(store: ox.Store, key: str) -> Schema:
    """The schema in ``store``, read once for the build ``key`` (its content hash)."""
    if key not in _SCHEMAS:
        full = rdflib_graph(q for g in TBOX_GRAPHS for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        terms = tbox_terms(store)
        closure = Graph()
        for triple in full:
            closure.add(triple)
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)):
            if quad.subject in terms:  # the owlrl closure of the T-box, as the build computed it
                closure.add(rdflib_triple(quad))
        shapes = rdflib_graph(store.quads_for_pattern(None, None, None, ox.NamedNode(SHAPES_GRAPH)))
        plan = compile_shapes(shapes)
        _SCHEMAS.clear()
        _SCHEMAS[key] = Schema(TBox.from_graph(closure), full, terms, shapes, shape_predicates(shapes),
                               tbox_triples(store), None if plan.unsupported else plan)
    return _SCHEMAS[key]
