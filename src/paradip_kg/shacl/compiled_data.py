"""The data graph as the compiled engine reads it: whole predicates at a time from Oxigraph's indexes.

A :class:`DataGraph` is a pyoxigraph store and the graphs of it that form the data graph (the
default graph, or a list of named graphs read as their union, duplicates removed). It answers
what SHACL asks of the data in bulk and keeps each answer for the run: the values of a
predicate grouped by subject, the SHACL instances of a class (``rdf:type/rdfs:subClassOf*``, in
the data graph, SHACL 3.2), the subjects and objects of a predicate. :func:`well_formed` decides
whether a typed literal's lexical form is valid for its datatype, as pyshacl does (rdflib's
converters, with the strict Gregorian forms of :mod:`paradip_kg.shacl.engine`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Literal, URIRef

from paradip_kg.shacl.engine import check_gregorian_literals

Term = ox.NamedNode | ox.BlankNode | ox.Literal
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
XSD = "http://www.w3.org/2001/XMLSchema#"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
Graphs = Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]


class DataGraph:
    """The data graph of one validation run (see the module docstring)."""

    def __init__(self, store: ox.Store, graphs: Graphs | None = None) -> None:
        self.store = store
        self.graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = (
            list(graphs) if graphs else [ox.DefaultGraph()])
        self._values: dict[ox.NamedNode, dict[Term, list[Term]]] = {}
        self._instances: dict[ox.NamedNode, frozenset[Term]] = {}
        self._subclasses: dict[ox.NamedNode, frozenset[ox.NamedNode]] = {}

    def query_graphs(self) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None:
        """The ``default_graph`` a SPARQL query of this data graph runs with (None: the store's)."""
        return None if self.graphs == [ox.DefaultGraph()] else self.graphs

    def triples(self, s: ox.NamedNode | ox.BlankNode | None, p: ox.NamedNode | None,
                o: Term | None) -> Iterator[ox.Quad]:
        for graph in self.graphs:
            yield from self.store.quads_for_pattern(s, p, o, graph)

    def values(self, predicate: ox.NamedNode) -> dict[Term, list[Term]]:
        """Subject → its distinct objects for ``predicate``, over the whole data graph."""
        found = self._values.get(predicate)
        if found is None:
            found = {}
            seen: set[tuple[Term, Term]] | None = set() if len(self.graphs) > 1 else None
            for quad in self.triples(None, predicate, None):
                subject, value = quad.subject, quad.object
                if isinstance(subject, ox.Triple) or isinstance(value, ox.Triple):
                    continue  # an RDF 1.2 triple term: no shape of SHACL 1.0 reaches it
                if seen is not None:
                    if (subject, value) in seen:
                        continue
                    seen.add((subject, value))
                found.setdefault(subject, []).append(value)
            self._values[predicate] = found
        return found

    def subjects_of(self, predicate: ox.NamedNode) -> set[Term]:
        return set(self.values(predicate))

    def objects_of(self, predicate: ox.NamedNode) -> set[Term]:
        return {value for values in self.values(predicate).values() for value in values}

    def subclasses(self, cls: ox.NamedNode) -> frozenset[ox.NamedNode]:
        """``cls`` and every class below it by ``rdfs:subClassOf`` in the data graph."""
        found = self._subclasses.get(cls)
        if found is None:
            seen, todo = {cls}, [cls]
            while todo:
                current = todo.pop()
                for quad in self.triples(None, SUBCLASS_OF, current):
                    if isinstance(quad.subject, ox.NamedNode) and quad.subject not in seen:
                        seen.add(quad.subject)
                        todo.append(quad.subject)
            found = self._subclasses[cls] = frozenset(seen)
        return found

    def instances(self, cls: ox.NamedNode) -> frozenset[Term]:
        """The SHACL instances of ``cls``: typed with it or with one of its subclasses."""
        found = self._instances.get(cls)
        if found is None:
            members: set[Term] = set()
            for sub in self.subclasses(cls):
                members.update(q.subject for q in self.triples(None, RDF_TYPE, sub))  # type: ignore[misc]
            found = self._instances[cls] = frozenset(members)
        return found


@lru_cache(maxsize=65536)
def _lexical_ok(text: str, datatype: str) -> bool:
    check_gregorian_literals()
    return not Literal(text, datatype=URIRef(datatype)).ill_typed


def well_formed(value: ox.Literal) -> bool:
    """Whether the literal's lexical form is valid for its datatype (unknown datatypes: valid)."""
    if value.language:
        return True
    datatype = value.datatype.value
    if datatype == XSD + "string":
        return True
    return _lexical_ok(value.value, datatype)


def has_datatype(value: Term, datatype: str) -> bool:
    """SHACL 4.2.2: a literal of exactly ``datatype`` whose lexical form is valid for it."""
    if not isinstance(value, ox.Literal):
        return False
    if value.language:
        return datatype == LANG_STRING
    return value.datatype.value == datatype and well_formed(value)
