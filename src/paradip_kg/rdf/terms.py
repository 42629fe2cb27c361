"""RDF terms across the two libraries: a pyoxigraph term as the equal rdflib term, and back.

Oxigraph parses, stores and queries; rdflib holds the graphs that owlrl and pyshacl read. Every
crossing between the two goes through these two functions, so equality (plain literals are
``xsd:string`` in Oxigraph, untyped in rdflib) is decided in one place.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """An Oxigraph term as the equal rdflib term (``xsd:string`` literals become plain ones).

    Raises:
        ValueError: an RDF 1.2 triple term, which rdflib cannot hold.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        raise ValueError(f"the triple term {term} cannot be read here (RDF 1.2 triple terms are not supported)")
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equal Oxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store {term!r}")


def oxigraph_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    """An rdflib triple as the equal Oxigraph triple.

    Raises:
        TypeError: the subject is a literal, or the predicate is not an IRI (not RDF).
    """
    subject, predicate = to_oxigraph(s), to_oxigraph(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {s!r} {p!r} {o!r}")
    return ox.Triple(subject, predicate, to_oxigraph(o))


def oxigraph_quads(triples: Iterable[tuple[Node, Node, Node]], graph: str) -> Iterable[ox.Quad]:
    """rdflib triples as Oxigraph quads of the named graph ``graph``."""
    g = ox.NamedNode(graph)
    for s, p, o in triples:
        triple = oxigraph_triple(s, p, o)
        yield ox.Quad(triple.subject, triple.predicate, triple.object, g)
