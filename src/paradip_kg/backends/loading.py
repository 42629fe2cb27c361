"""Loading whole named graphs into a remote store (``paradip-kg push``), and the update text it sends.

:func:`load_graphs` replaces whole named graphs: it loads each graph into a staging graph in
chunks, then ``MOVE``\\ s it onto the target, so readers see the old graph until the new one is
complete, and a failed load leaves the old graph as it was. Chunks go as SPARQL Update, or as
N-Triples uploads to the Graph Store Protocol endpoint when the store has one (about 10× faster
on Virtuoso). Triples that share blank nodes go in one request (a blank-node label names a fresh
node in each request), as ``INSERT { ... } WHERE {}`` because Virtuoso 7 refuses blank nodes in
``INSERT DATA``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from paradip_kg.backends.client import RemoteStore, checked_iri
from paradip_kg.errors import ParadipError
from paradip_kg.rdf.terms import oxigraph_triple

STAGING_PREFIX = "urn:x-paradip:staging:"

GraphSource = Graph | bytes | str | Iterable[ox.Triple | ox.Quad]
Progress = Callable[[str], None]


@dataclass
class LoadReport:
    """What :func:`load_graphs` sent: triples and requests per graph IRI, and the time."""

    triples: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def load_graphs(remote: RemoteStore, graphs: Mapping[str, GraphSource],
                progress: Progress | None = None) -> LoadReport:
    """Replace each named graph of ``remote`` (IRI → rdflib Graph, N-Triples bytes/str, or
    pyoxigraph triples) with the given triples.

    Each graph is loaded into a staging graph in chunks of at most ``chunk_triples``
    triples (SPARQL Update) or ``upload_chunk_triples`` (Graph Store Protocol, when
    ``graph_store`` is set), then moved onto its IRI (SPARQL 1.1 ``MOVE``): until then readers see the old
    graph, and if a chunk fails the staging graph is dropped and the old graph stays.
    """
    report = LoadReport()
    for graph, source in graphs.items():
        started = time.monotonic()
        triples = _triples(source)
        staging = f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        requests = 0
        try:
            remote.update(f"DROP SILENT GRAPH <{staging}>")
            if remote.graph_store:
                for _, batch in triple_batches(triples, remote.upload_chunk_triples):
                    remote.post_graph(staging, ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b"")
                    requests += 1
            else:
                for text in insert_requests(triples, staging, remote.chunk_triples):
                    remote.update(text)
                    requests += 1
            remote.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{checked_iri(graph)}>")
        except BaseException:
            try:
                remote.update(f"DROP SILENT GRAPH <{staging}>")
            except ParadipError:
                pass
            raise
        report.triples[graph] = len(triples)
        report.requests[graph] = requests + 3
        report.seconds[graph] = time.monotonic() - started
        if progress:
            progress(f"push: {graph}: {len(triples)} triples in {requests} requests "
                     f"({report.seconds[graph]:.1f} s)")
    return report


def _triples(source: GraphSource) -> list[ox.Triple]:
    if isinstance(source, Graph):
        return [oxigraph_triple(s, p, o) for s, p, o in source]
    if isinstance(source, (bytes, str)):
        data = source.encode("utf-8") if isinstance(source, str) else source
        return [t if isinstance(t, ox.Triple) else t.triple for t in ox.parse(data, ox.RdfFormat.N_TRIPLES)]
    return [t.triple if isinstance(t, ox.Quad) else t for t in source]


def _term_text(term: Any) -> str:
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return str(term)  # N-Triples syntax, which SPARQL reads (xsd:string literals are written plain)
    raise ValueError(f"cannot send {term!r} to a SPARQL 1.1 store (RDF-star terms are not supported)")


def blank_node_groups(triples: Sequence[ox.Triple]) -> tuple[list[ox.Triple], list[list[ox.Triple]]]:
    """Split triples into those without blank nodes and groups connected by shared blank nodes."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    plain: list[ox.Triple] = []
    with_blanks: list[tuple[str, ox.Triple]] = []
    for triple in triples:
        blanks = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if not blanks:
            plain.append(triple)
            continue
        root = find(blanks[0])
        for other in blanks[1:]:
            other_root = find(other)
            if other_root != root:
                parent[other_root] = root
        with_blanks.append((blanks[0], triple))
    groups: dict[str, list[ox.Triple]] = {}
    for node, triple in with_blanks:
        groups.setdefault(find(node), []).append(triple)
    return plain, list(groups.values())


def triple_batches(triples: Sequence[ox.Triple], chunk: int) -> Iterator[tuple[bool, list[ox.Triple]]]:
    """Batches of about ``chunk`` triples, and whether each holds blank nodes.

    Triples without blank nodes come first; then the blank-node groups, packed whole, so a
    blank node never spans two batches (a label names a fresh node in each request).
    """
    plain, groups = blank_node_groups(triples)
    for start in range(0, len(plain), chunk):
        yield False, list(plain[start:start + chunk])
    batch: list[ox.Triple] = []
    for group in groups:
        if batch and len(batch) + len(group) > chunk:
            yield True, batch
            batch = []
        batch.extend(group)
    if batch:
        yield True, batch


def insert_requests(triples: Sequence[ox.Triple], graph: str, chunk: int) -> Iterator[str]:
    """SPARQL updates that add ``triples`` to ``graph``, each with about ``chunk`` triples.

    Triples without blank nodes go as ``INSERT DATA``; blank-node groups as
    ``INSERT { ... } WHERE {}`` (Virtuoso 7 refuses blank nodes in INSERT DATA), a group never
    split across requests.
    """
    target = checked_iri(graph)
    for blanks, batch in triple_batches(triples, chunk):
        body = "\n".join(f"{_term_text(t.subject)} {_term_text(t.predicate)} {_term_text(t.object)} ."
                         for t in batch)
        if blanks:
            yield f"INSERT {{ GRAPH <{target}> {{\n{body}\n}} }} WHERE {{}}"
        else:
            yield f"INSERT DATA {{ GRAPH <{target}> {{\n{body}\n}} }}"
