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
import threading
import time
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


class StoreWriter:
    """A fresh store written beside ``store_dir`` in a thread, then swapped in (:meth:`finish`) or dropped
    (:meth:`abandon`): the build writes it while it validates (Oxigraph's loads release the GIL).

    ``graphs`` maps keys of :data:`GRAPHS` to an rdflib Graph, distinct pyoxigraph triples, or the
    N-Triples text of distinct triples, one a line, as the build makes it. Text is bulk-loaded by
    Oxigraph without a Python object per triple (and leniently: the build wrote it from terms its
    parser had checked). A failed build leaves the previous store as it was.
    """

    def __init__(self, store_dir: Path, graphs: Mapping[str, GraphContent],
                 tick: Callable[[int], None] | None = None) -> None:
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        self.store_dir, self.tick = store_dir, tick
        self.tmp = store_dir.with_name(store_dir.name + ".new")
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.store = ox.Store(str(self.tmp))
        self.counts: dict[str, int] = {}
        self.seconds = 0.0  # spent loading, in the thread and in finish
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load_all, args=(graphs,), name="store-writer", daemon=True)
        self._thread.start()

    def _load_all(self, graphs: Mapping[str, GraphContent]) -> None:
        try:
            self._load(graphs)
        except BaseException as exc:  # handed to the caller by finish
            self._error = exc

    def _load(self, graphs: Mapping[str, GraphContent]) -> None:
        started = time.perf_counter()
        for key, content in graphs.items():
            name = str(GRAPHS[key])
            if isinstance(content, str):
                self.store.bulk_load(content, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name),
                                     lenient=True)
                self.counts[key] = content.count("\n")
            else:
                self.store.bulk_extend(_quads(content, name))
                self.counts[key] = len(content)
            if self.tick is not None:
                self.tick(sum(self.counts.values()))
        self.seconds += time.perf_counter() - started

    def _join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error

    def finish(self, more: Mapping[str, GraphContent] | None = None) -> dict[str, int]:
        """Wait for the load, add ``more`` graphs, and swap the store in; the triples per graph."""
        self._join()
        started = time.perf_counter()
        self._load(more or {})
        self.store.flush()
        self.store.optimize()
        del self.store
        old = self.store_dir.with_name(self.store_dir.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if self.store_dir.exists():
            self.store_dir.rename(old)
        self.tmp.rename(self.store_dir)
        if old.exists():
            shutil.rmtree(old)
        self.seconds += time.perf_counter() - started
        return self.counts

    def abandon(self) -> None:
        """Drop the half-written store (after its load ends: a bulk load cannot be stopped)."""
        self._thread.join()
        del self.store
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_store(store_dir: Path, graphs: Mapping[str, GraphContent],
                tick: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write ``graphs`` (as :class:`StoreWriter` takes them) into a fresh store at ``store_dir``;
    ``tick(quads written)`` after each graph."""
    return StoreWriter(store_dir, graphs, tick).finish()


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
