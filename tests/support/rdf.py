"""RDF in the tests: a response read back as a graph, a store read as one, graphs compared, and
the answers of two stores put in a form both agree on.

Graphs are compared with :func:`rdflib.compare.isomorphic` (blank nodes matched, not named);
:func:`graph_diff` says what differs, for an assertion's message.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff as rdflib_graph_diff
from rdflib.compare import to_isomorphic
from rdflib.term import Node

from paradip_kg.namespaces import GRAPHS

# Media type → rdflib's parser name, for the media types the app serves.
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
                  "application/n-triples": "nt", "application/trig": "trig", "application/n-quads": "nquads"}
QUAD_FORMATS = ("trig", "nquads")

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + n for n in ("integer decimal int long short byte nonNegativeInteger positiveInteger "
                             "negativeInteger nonPositiveInteger unsignedInt unsignedLong unsignedShort "
                             "unsignedByte").split()}
FLOATING = {XSD + "double", XSD + "float"}


# --- Graphs --------------------------------------------------------------------------------------


def parse(body: bytes, media_type: str) -> Graph:
    """A response body read as one graph: the triples of every graph of a quad format merged."""
    fmt = RDFLIB_FORMATS[media_type]
    if fmt in QUAD_FORMATS:
        dataset = Dataset()
        dataset.parse(data=body, format=fmt)
        return triples_of(dataset)
    return Graph().parse(data=body, format=fmt)


def triples_of(parsed: Graph | Dataset) -> Graph:
    """The triples of a graph, or of every graph of a dataset, as one graph."""
    if not isinstance(parsed, Dataset):
        return parsed
    out = Graph()
    for s, p, o, _ in parsed.quads((None, None, None, None)):
        out.add((s, p, o))
    return out


def store_graph(store_dir: Path, keys: tuple[str, ...] = tuple(GRAPHS)) -> Graph:
    """The union of the store's graphs ``keys``, as one rdflib Graph (the reference to compare with)."""
    from paradip_kg.publish.docs.reader import load_graph
    from paradip_kg.store.head import open_store

    return load_graph(open_store(store_dir), *keys)


def graph_diff(expected: Graph, actual: Graph, shown: int = 10) -> str:
    """What differs between two graphs, blank nodes matched: the first ``shown`` triples each way."""
    _, missing, extra = rdflib_graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"{len(missing)} triples missing, {len(extra)} unexpected"]
    lines += [f"- {s.n3()} {p.n3()} {o.n3()}" for s, p, o in sorted(missing)[:shown]]
    lines += [f"+ {s.n3()} {p.n3()} {o.n3()}" for s, p, o in sorted(extra)[:shown]]
    return "\n".join(lines)


# --- Two stores' answers, in a form both agree on ------------------------------------------------

Answer = Any  # bool (ASK) or a Counter of canonical rows / triples


def canon_literal(value: str, datatype: str | None, language: str | None) -> tuple[Any, ...]:
    """A literal in a form both stores agree on.

    Virtuoso stores numbers by value: ``"66"^^xsd:decimal`` comes back as ``"66"^^xsd:integer``,
    ``"1.50"`` as ``"1.5"``, ``true`` as ``"1"`` in JSON. Plain and ``xsd:string`` are one.
    """
    if language:
        return ("lang", value, language.lower())
    if datatype in (None, XSD + "string"):
        return ("str", value)
    if datatype in NUMERIC:
        number = Decimal(value).normalize()
        return ("num", format(number, "f") if number == number.to_integral() else str(number))
    if datatype in FLOATING:
        return ("float", float(value))
    if datatype == XSD + "boolean":
        return ("bool", value in ("true", "1"))
    return ("typed", value, datatype)


def canon(term: Any) -> tuple[Any, ...] | None:
    """An Oxigraph or rdflib term, normalised; blank nodes all alike (their labels differ)."""
    if term is None:
        return None
    if isinstance(term, (ox.NamedNode, URIRef)):
        return ("iri", str(term.value if isinstance(term, ox.NamedNode) else term))
    if isinstance(term, (ox.BlankNode, BNode)):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        return canon_literal(term.value, term.datatype.value, term.language)
    if isinstance(term, Literal):
        return canon_literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise TypeError(term)


def canon_triples(triples: Iterable[Any]) -> collections.Counter[tuple[Any, ...]]:
    """Oxigraph triples as a Counter of canonical (subject, predicate, object)."""
    return collections.Counter((canon(t.subject), canon(t.predicate), canon(t.object)) for t in triples)


def as_set(answer: Answer) -> Any:
    """An answer without its repeated rows (ASK answers stay booleans)."""
    return answer if isinstance(answer, bool) else set(answer)


def canonical_graph(triples: Iterable[Any]) -> Graph:
    """An rdflib Graph of pyoxigraph triples with literals normalised, for isomorphism tests."""
    graph = Graph()
    bnodes: dict[str, BNode] = {}

    def term(t: Any) -> Node:
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return bnodes.setdefault(t.value, BNode())
        return Literal(repr(canon(t)))

    for t in triples:
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    return graph
