"""Deterministic serializations of rdflib graphs."""

from __future__ import annotations

from rdflib import Graph

from paradip_kg.namespaces import PREFIXES
from paradip_kg.rdf.formats import NTRIPLES, TURTLE


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def turtle(graph: Graph) -> str:
    """Turtle with the project's prefixes (rdflib sorts subjects and predicates)."""
    out = Graph()
    for triple in graph:
        out.add(triple)
    return bind_prefixes(out).serialize(format=TURTLE.rdflib)


def ntriples_sorted(graph: Graph) -> str:
    """N-Triples, one line per triple, sorted: byte-identical for the same triples."""
    lines = sorted(graph.serialize(format=NTRIPLES.rdflib).splitlines())
    return "\n".join(line for line in lines if line) + "\n"
