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
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node as RdflibNode

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
    # The predicates whose triples about a node can change what the shapes say about the nodes
    # pointing at it (:func:`reached_predicates`), and what the rules derive for them (:func:`chained`).
    reached: frozenset[ox.NamedNode]
    chained: frozenset[ox.NamedNode]


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
    """Every predicate the shapes can read: those in sh:path expressions, those that make a node
    a target (sh:targetSubjectsOf, sh:targetObjectsOf) and those named in SHACL-SPARQL queries
    (prefixed with the project's prefixes, or full IRIs)."""
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
    for target in (SH.targetSubjectsOf, SH.targetObjectsOf):  # what makes a node a target is read too
        found.update(str(p) for p in shapes.objects(None, target) if isinstance(p, URIRef))
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


def _nested_shapes(shapes: Graph) -> set[RdflibNode]:
    """The shapes that check value nodes (sh:node, sh:or, sh:and, sh:not, sh:xone, qualified
    value shapes) and the property shapes under them or under other property shapes."""
    found: set[RdflibNode] = set()
    todo: list[RdflibNode] = []
    for parameter in (SH.node, SH["not"], SH.qualifiedValueShape):
        todo += shapes.objects(None, parameter)
    for parameter in (SH["or"], SH["and"], SH.xone):
        for head in shapes.objects(None, parameter):
            todo += Collection(shapes, head)
    for owner, prop in shapes.subject_objects(SH.property):
        if (owner, SH.path, None) in shapes:  # a property shape's own sh:property reads its values
            todo.append(prop)
    while todo:
        node = todo.pop()
        if node not in found:
            found.add(node)
            todo += shapes.objects(node, SH.property)
    return found


def reached_predicates(shapes: Graph) -> frozenset[ox.NamedNode]:
    """The predicates the shapes read from a node other than their focus node: what the nested
    shapes read, every predicate of a path longer than one step, every IRI of a SHACL-SPARQL
    query, and the types (sh:class), the class hierarchy and owl:sameAs. A change to a node's
    triples with other predicates (pdo:twinnedWith, say: read only from the node itself) cannot
    change the results about the nodes that point at it."""
    nested = _nested_shapes(shapes)
    found = {str(RDF.type), str(RDFS.subClassOf), str(OWL.sameAs)}
    for query in shapes.objects(None, SH.select):
        found |= _read_past_this(str(query))
    for shape, path in shapes.subject_objects(SH.path):
        if isinstance(path, URIRef):
            if shape in nested:
                found.add(str(path))
        else:  # a sequence or a complex path: every predicate in it, the first included
            found |= {n.value for n in shape_predicates(_only_path(shapes, shape))}
    return frozenset(ox.NamedNode(iri) for iri in found)


_IRI = re.compile(r"<([^<>\s]+)>|(?<![\w<])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)")
_FROM_THIS = re.compile(r"\$this\s+$")


def _read_past_this(query: str) -> set[str]:
    """The IRIs of a SHACL-SPARQL query but those used only as the predicate of a one-step
    pattern on the focus node itself (``$this pdo:twinnedWith ?value``): those triples are the
    focus node's own, so they never make the query read past it."""
    found: set[str] = set()
    for match in _IRI.finditer(query):
        if match.group(1):
            iri = match.group(1)
        elif match.group(2) in PREFIXES:
            iri = PREFIXES[match.group(2)] + match.group(3)
        else:
            continue
        after = query[match.end():match.end() + 1]
        if not (_FROM_THIS.search(query[:match.start()]) and after.isspace()):
            found.add(iri)
    return found


def _only_path(shapes: Graph, shape: RdflibNode) -> Graph:
    """A graph holding ``shape``'s sh:path expression only (for :func:`shape_predicates`)."""
    out = Graph()
    todo = [shape]
    while todo:
        node = todo.pop()
        for p, o in shapes.predicate_objects(node):
            if node == shape and p != SH.path:
                continue
            if (node, p, o) not in out:
                out.add((node, p, o))
                if isinstance(o, BNode):
                    todo.append(o)
    return out


def chained(tbox: TBox) -> frozenset[ox.NamedNode]:
    """The predicates whose triples about a node change the entailments of the nodes pointing at
    it: the transitive properties (and their subproperties) and owl:sameAs (prp-trp, eq-rep).
    The other A-box rules derive a node's triples from its own triples and from those pointing
    at it (:mod:`paradip_kg.inference.incremental`)."""
    found = {str(OWL.sameAs)} | {str(p) for p in tbox.transitive}
    found |= {str(p) for p, supers in tbox.super_props.items() if supers & tbox.transitive}
    return frozenset(ox.NamedNode(iri) for iri in found)


def schema_of(store: ox.Store, key: str) -> Schema:
    """The schema in ``store``, read once for the build ``key`` (its content hash)."""
    if key not in _SCHEMAS:
        full = rdflib_graph(q for g in TBOX_GRAPHS for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        terms = tbox_terms(store)
        closure = Graph()
        for triple in full:
            closure.add(triple)
        inferred = ox.NamedNode(INFERRED_GRAPH)
        for term in terms:  # the owlrl closure of the T-box, as the build computed it (looked up by
            # subject: the inferred graph holds millions of triples about the data at scale)
            for quad in store.quads_for_pattern(term, None, None, inferred):
                closure.add(rdflib_triple(quad))
        shapes = rdflib_graph(store.quads_for_pattern(None, None, None, ox.NamedNode(SHAPES_GRAPH)))
        plan = compile_shapes(shapes)
        tbox = TBox.from_graph(closure)
        _SCHEMAS.clear()
        _SCHEMAS[key] = Schema(tbox, full, terms, shapes, shape_predicates(shapes), tbox_triples(store),
                               None if plan.unsupported else plan, reached_predicates(shapes), chained(tbox))
    return _SCHEMAS[key]
