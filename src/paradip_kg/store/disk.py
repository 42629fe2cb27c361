"""The embedded Oxigraph store on disk as a build writes it, and its build manifest.

A built store is a folder (``var/store`` by default) written by :mod:`paradip_kg.build`
(:func:`write_store`), plus ``<store>.manifest.json`` beside it (:class:`Manifest`): triple
counts per graph, the content hash of the inputs, and the build time. Serving opens the
folder read-only and parses nothing. Which folder readers open once writes were accepted
(the built store or the newest snapshot) is :mod:`paradip_kg.store.head`.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.rdf.terms import oxigraph_quads


@dataclass
class Manifest:
    content_hash: str
    built_at: str
    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    conforms: bool = True
    results: dict[str, int] = field(default_factory=dict)
    version: str = ""
    inference: str = ""  # the engine that computed the inferred graph: "rules" or "owlrl" (settings)

    @property
    def total(self) -> int:
        return sum(self.triples.values())

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def manifest_path(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + ".manifest.json")


def graph_quads(graph: Iterable[tuple[Node, Node, Node]], name: str) -> Iterable[ox.Quad]:
    """The triples of ``graph`` as quads of the named graph ``name``."""
    return oxigraph_quads(graph, name)


GraphContent = Graph | Collection[ox.Triple] | str  # rdflib, distinct pyoxigraph triples, or N-Triples text


def _quads(content: Graph | Collection[ox.Triple], name: str) -> Iterator[ox.Quad]:
    if isinstance(content, Graph):
        yield from graph_quads(content, name)
        return
    g = ox.NamedNode(name)
    for t in content:
        yield ox.Quad(t.subject, t.predicate, t.object, g)


def write_store(store_dir: Path, graphs: Mapping[str, GraphContent],
                tick: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write ``graphs`` (key of :data:`GRAPHS` → an rdflib Graph, distinct pyoxigraph triples, or the
    N-Triples text of distinct triples, one a line, as the build makes it) into a fresh store at
    ``store_dir``; ``tick(quads written)`` after each graph.

    Text is bulk-loaded by Oxigraph without a Python object per triple (and leniently: the build
    wrote it from terms its parser had checked). The store is written to a sibling folder first and
    swapped in, so a failed build leaves the previous store as it was.
    """
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = store_dir.with_name(store_dir.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    store = ox.Store(str(tmp))
    counts: dict[str, int] = {}
    for key, content in graphs.items():
        name = str(GRAPHS[key])
        if isinstance(content, str):
            store.bulk_load(content, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name), lenient=True)
            counts[key] = content.count("\n")
        else:
            store.bulk_extend(_quads(content, name))
            counts[key] = len(content)
        if tick is not None:
            tick(sum(counts.values()))
    store.flush()
    store.optimize()
    del store
    old = store_dir.with_name(store_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if store_dir.exists():
        store_dir.rename(old)
    tmp.rename(store_dir)
    if old.exists():
        shutil.rmtree(old)
    return counts


def default_graph_names() -> list[ox.NamedNode]:
    """The graphs whose union is the default graph of the SPARQL endpoint."""
    return [ox.NamedNode(str(GRAPHS[k])) for k in DEFAULT_GRAPHS]


def count_by_graph(store: ox.Store) -> dict[str, int]:
    """Triples per named graph, by its short name where it has one."""
    names = {str(v): k for k, v in GRAPHS.items()}
    counts: dict[str, int] = {}
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)  # a SELECT query
    for row in rows:
        counts[names.get(row["g"].value, row["g"].value)] = int(row["n"].value)
    return counts
