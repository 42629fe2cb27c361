"""What the store says about one IRI: for its HTML page and for its RDF documents.

    describe(store, iri)        → Description: stated and inferred facts grouped by property,
                                  inverse links ("referenced by"), sources, labels; capped
    document(store, iri, page)  → DocumentPage: the triples of its RDF document, paged

Labels in the visitor's language are :mod:`paradip_kg.publish.labels`' job.

Stated facts are those of ``graph/ontology``, ``graph/vocab`` and ``graph/data``; inferred
ones are those of ``graph/inferred`` that no stated graph also holds. The shapes graph is
described by its own document (``/shapes``), never mixed into resource pages.

A hub node (a country every agreement points at, a scheme with thousands of concepts) must
not exhaust memory or time: pages show at most ``value_cap`` values per property and
``inverse_cap`` referrers per property, with the full counts; documents are cut into pages
of ``page_size`` triples, read lazily from the store's indexes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS, PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _ns(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(PREFIXES[prefix] + local)


RDF_TYPE = _ns("rdf", "type")
OWL_SAME_AS = _ns("owl", "sameAs")
SKOS_IN_SCHEME = _ns("skos", "inScheme")
SKOS_TOP_CONCEPT_OF = _ns("skos", "topConceptOf")
SKOS_CONCEPT_SCHEME = _ns("skos", "ConceptScheme")
STATED_GRAPHS = tuple(ox.NamedNode(str(GRAPHS[k])) for k in ("ontology", "vocab", "data"))
INFERRED_GRAPH = ox.NamedNode(str(GRAPHS["inferred"]))
DEFAULT_GRAPHS = (*STATED_GRAPHS, INFERRED_GRAPH)

LABEL_PREDICATES = tuple(_ns(p, n) for p, n in (("skos", "prefLabel"), ("rdfs", "label"), ("schema", "name"),
                                                 ("dcterms", "title"), ("foaf", "name")))
DESCRIPTION_PREDICATES = tuple(_ns(p, n) for p, n in (("skos", "definition"), ("dcterms", "description"),
                                                       ("schema", "description"), ("rdfs", "comment")))
SOURCE_PREDICATES = tuple(_ns(p, n) for p, n in (("prov", "wasDerivedFrom"), ("prov", "hadPrimarySource"),
                                                  ("dcterms", "source")))
# Entailments that hold of everything and say nothing: kept in documents (they are in the
# store), left off pages.
TRIVIAL_TYPES = {_ns("owl", "Thing"), _ns("rdfs", "Resource"), _ns("owl", "NamedIndividual")}

# --- Pages: a description grouped by property ---------------------------------------------

@dataclass
class Value:
    term: Term
    inferred: bool = False


@dataclass
class Group:
    """The values of one property (or the referrers through one property), capped."""

    predicate: ox.NamedNode
    values: list[Value] = field(default_factory=list)
    total: int = 0

    @property
    def capped(self) -> bool:
        return self.total > len(self.values)


@dataclass
class Description:
    iri: ox.NamedNode
    stated: list[Group]
    inferred: list[Group]
    inverse: list[Group]
    blank: dict[str, list[Group]]  # blank node id → its stated facts (nested on the page)
    types: list[Value]
    sources: list[ox.NamedNode]

    @property
    def stated_count(self) -> int:
        return sum(g.total for g in self.stated)

    @property
    def inferred_count(self) -> int:
        return sum(g.total for g in self.inferred)


def _is_trivial(subject: ox.NamedNode, predicate: ox.NamedNode, obj: Term) -> bool:
    """Entailments a page leaves off: x sameAs x, x a owl:Thing, and x a [anonymous class]."""
    return ((predicate == OWL_SAME_AS and obj == subject) or (predicate == RDF_TYPE and obj in TRIVIAL_TYPES)
            or isinstance(obj, ox.BlankNode))


def exists(store: ox.Store, iri: ox.NamedNode) -> bool:
    """Whether any graph we describe things from mentions ``iri`` as subject or object."""
    for graph in DEFAULT_GRAPHS:
        if next(store.quads_for_pattern(iri, None, None, graph), None) is not None:
            return True
        if next(store.quads_for_pattern(None, None, iri, graph), None) is not None:
            return True
    return False


def _outgoing(store: ox.Store, subject: ox.NamedNode | ox.BlankNode) -> tuple[dict, dict]:
    """(stated, inferred): predicate → list of objects, each deduplicated and sorted."""
    stated: dict[ox.NamedNode, list[Term]] = {}
    inferred: dict[ox.NamedNode, list[Term]] = {}
    for graph in STATED_GRAPHS:
        for q in store.quads_for_pattern(subject, None, None, graph):
            obj = q.object
            if isinstance(obj, ox.Triple):  # RDF 1.1 graphs: the build stores no quoted triples
                continue
            values = stated.setdefault(q.predicate, [])
            if obj not in values:
                values.append(obj)
    for q in store.quads_for_pattern(subject, None, None, INFERRED_GRAPH):
        obj = q.object
        if isinstance(obj, ox.Triple) or obj in stated.get(q.predicate, ()):
            continue
        if isinstance(subject, ox.NamedNode) and _is_trivial(subject, q.predicate, obj):
            continue
        values = inferred.setdefault(q.predicate, [])
        if obj not in values:
            values.append(obj)
    return stated, inferred


def _predicate_order(predicate: ox.NamedNode) -> tuple[int, str]:
    if predicate == RDF_TYPE:
        return (0, "")
    if predicate in LABEL_PREDICATES or predicate in DESCRIPTION_PREDICATES:
        return (1, predicate.value)
    if predicate in SOURCE_PREDICATES:
        return (3, predicate.value)
    return (2, predicate.value)


def _groups(values: dict[ox.NamedNode, list[Term]], inferred: bool, cap: int) -> list[Group]:
    groups = []
    for predicate in sorted(values, key=_predicate_order):
        terms = sorted(values[predicate], key=str)
        groups.append(Group(predicate, [Value(t, inferred) for t in terms[:cap]], len(terms)))
    return groups


def describe(store: ox.Store, iri: str, value_cap: int = 200, inverse_cap: int = 25) -> Description | None:
    """What the store says about ``iri``, or None when it says nothing."""
    node = ox.NamedNode(iri)
    if not exists(store, node):
        return None
    stated, inferred = _outgoing(store, node)
    types = [Value(t) for t in sorted(stated.get(RDF_TYPE, []), key=str)]
    types += [Value(t, True) for t in sorted(inferred.get(RDF_TYPE, []), key=str)]
    sources: list[ox.NamedNode] = []
    for predicate in SOURCE_PREDICATES:
        for term in stated.get(predicate, []):
            if isinstance(term, ox.NamedNode) and term not in sources:
                sources.append(term)

    blank: dict[str, list[Group]] = {}
    pending = [t for values in stated.values() for t in values if isinstance(t, ox.BlankNode)]
    while pending and len(blank) < value_cap:  # nested blank nodes, once each, bounded
        bnode = pending.pop(0)
        if bnode.value in blank:
            continue
        inner, _ = _outgoing(store, bnode)
        blank[bnode.value] = _groups(inner, False, value_cap)
        pending += [t for values in inner.values() for t in values if isinstance(t, ox.BlankNode)]

    return Description(iri=node, stated=_groups(stated, False, value_cap), inferred=_groups(inferred, True, value_cap),
                       inverse=_inverse(store, node, inverse_cap), blank=blank, types=types, sources=sources)


_GRAPH_VALUES = " ".join(f"<{g.value}>" for g in DEFAULT_GRAPHS)
_INVERSE_COUNTS = f"""
SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES ?g {{ {_GRAPH_VALUES} }}
  GRAPH ?g {{ ?s ?p NODE }}
  FILTER(?s != NODE)
}} GROUP BY ?p
"""


def _inverse(store: ox.Store, node: ox.NamedNode, cap: int) -> list[Group]:
    """Referrers grouped by property: the count (from the store's engine) and the first ``cap``.

    Stated referrers come before inferred ones; a hub node with a million referrers costs one
    aggregate query and ``cap`` index reads per property, not a million Python objects.
    """
    groups: list[Group] = []
    counts = store.query(_INVERSE_COUNTS.replace("NODE", str(node)))  # a NamedNode is a valid IRI: no injection
    assert isinstance(counts, ox.QuerySolutions)  # a SELECT query
    for row in counts:
        predicate, total = row["p"], row["n"]
        if not isinstance(predicate, ox.NamedNode) or not isinstance(total, ox.Literal):
            continue  # not reached: a predicate is an IRI, a count a literal
        group = Group(predicate, total=int(total.value))
        seen: set[Term] = set()
        for graph in DEFAULT_GRAPHS:
            for q in store.quads_for_pattern(None, predicate, node, graph):
                if len(group.values) >= cap:
                    break
                referrer = q.subject
                if referrer == node or isinstance(referrer, ox.Triple) or referrer in seen:
                    continue
                seen.add(referrer)
                group.values.append(Value(referrer, graph == INFERRED_GRAPH))
        groups.append(group)
    return sorted(groups, key=lambda g: _predicate_order(g.predicate))


# --- Documents: the quads of /data/… , paged ---------------------------------------------

@dataclass
class DocumentPage:
    quads: list[ox.Quad]  # each triple with the graph that holds it: stated and inferred told apart
    page: int
    has_next: bool

    @property
    def triples(self) -> list[ox.Triple]:
        """The triples, without the repeats of a triple held by two graphs."""
        return list(dict.fromkeys(q.triple for q in self.quads))


def _quads_of(store: ox.Store, subject: ox.NamedNode | ox.BlankNode) -> list[ox.Quad]:
    """The quads of ``subject``, except inferred ones that lead to a blank node: that node (an
    anonymous class of the ontology, say) belongs to another document, and a copy of it here
    would read as a different node. Those entailments stay in graph/inferred and the dumps."""
    return sorted((q for g in DEFAULT_GRAPHS for q in store.quads_for_pattern(subject, None, None, g)
                   if not (g == INFERRED_GRAPH and isinstance(q.object, ox.BlankNode))),
                  key=lambda q: (str(q.predicate), str(q.object), str(q.graph_name)))


def _closure(store: ox.Store, bnode: ox.BlankNode, seen: set[str]) -> list[ox.Quad]:
    """The quads of a blank node and of the blank nodes it leads to (its concise bounded description)."""
    out: list[ox.Quad] = []
    todo = [bnode]
    while todo:
        current = todo.pop()
        if current.value in seen:
            continue
        seen.add(current.value)
        for quad in _quads_of(store, current):
            out.append(quad)
            if isinstance(quad.object, ox.BlankNode):
                todo.append(quad.object)
    return out


def _subject_units(store: ox.Store, subject: ox.NamedNode, seen: set[str]) -> Iterator[list[ox.Quad]]:
    for quad in _quads_of(store, subject):
        unit = [quad]
        if isinstance(quad.object, ox.BlankNode):
            unit += _closure(store, quad.object, seen)
        yield unit


def _members(store: ox.Store, scheme: ox.NamedNode) -> list[ox.NamedNode]:
    """The concepts of a SKOS concept scheme (skos:inScheme or skos:topConceptOf it)."""
    members = {q.subject for p in (SKOS_IN_SCHEME, SKOS_TOP_CONCEPT_OF) for g in DEFAULT_GRAPHS
               for q in store.quads_for_pattern(None, p, scheme, g) if isinstance(q.subject, ox.NamedNode)}
    return sorted(members, key=str)


def is_scheme(store: ox.Store, iri: ox.NamedNode) -> bool:
    return any(True for g in DEFAULT_GRAPHS for _ in store.quads_for_pattern(iri, RDF_TYPE, SKOS_CONCEPT_SCHEME, g))


def _units(store: ox.Store, node: ox.NamedNode) -> Iterator[list[ox.Quad]]:
    """The document of ``node`` as units that stay on one page (a quad and its blank nodes).

    Its own quads (with the blank nodes they lead to), then, for a concept scheme, those of
    each of its concepts, then the quads that point at it from named subjects. Referrers
    through a blank node are left to that blank node's owner: a blank node in two documents
    would read as two different nodes.
    """
    seen: set[str] = set()
    yield from _subject_units(store, node, seen)
    members = _members(store, node) if is_scheme(store, node) else []
    for member in members:
        yield from _subject_units(store, member, seen)
    inside = set(members)
    for graph in DEFAULT_GRAPHS:
        for q in store.quads_for_pattern(None, None, node, graph):
            if isinstance(q.subject, ox.NamedNode) and q.subject != node and q.subject not in inside:
                yield [q]


def document(store: ox.Store, iri: str, page: int = 1, page_size: int = 10000) -> DocumentPage:
    """Page ``page`` (from 1) of the RDF document of ``iri``: at most ``page_size`` quads, unless
    a single quad's blank nodes alone are more. Pages are read lazily from the store's indexes."""
    page = max(page, 1)
    current: list[ox.Quad] = []
    number = 1
    for unit in _units(store, ox.NamedNode(iri)):
        if current and len(current) + len(unit) > page_size:
            if number == page:
                return DocumentPage(current, page, True)
            number, current = number + 1, []
        current.extend(unit)
    return DocumentPage(current if number == page else [], page, False)


def namespace_document(store: ox.Store, key: str, namespace: str) -> Iterator[ox.Quad]:
    """The document of a hash namespace (the ontology, the shapes): the quads of graph ``key``,
    then what the reasoner inferred about its terms (named subjects in ``namespace``; not the
    entailments that lead to blank nodes, which stay in graph/inferred and the dumps)."""
    yield from store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[key])))
    for quad in store.quads_for_pattern(None, None, None, INFERRED_GRAPH):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(namespace) \
                and not isinstance(quad.object, ox.BlankNode):
            yield quad
