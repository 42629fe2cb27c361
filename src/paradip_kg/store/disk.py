"""The embedded Oxigraph store on disk, its build manifest, and the head readers open.

A built store is a folder (``var/store`` by default) written by :mod:`paradip_kg.build`,
plus ``<store>.manifest.json`` beside it: triple counts per graph, the content hash of the
inputs, and the build time. Serving opens the folder read-only and parses nothing.

Accepted writes (:mod:`paradip_kg.writes.commit`) never touch that folder, nor any folder a reader
has open: Oxigraph's read-only mode is undefined while another process writes. The writer
keeps its own read-write copy in ``<store>.writes/live`` and publishes each commit as a
snapshot (``<store>.writes/snapshots/NNNNNNNN``, hard links to RocksDB's immutable files),
then points ``<store>.writes/HEAD`` at it with an atomic rename. :func:`read_head` tells a
reader which folder holds the newest published state and names that state's version.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS


@dataclass
class Manifest:
    content_hash: str
    built_at: str
    triples: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    conforms: bool = True
    results: dict[str, int] = field(default_factory=dict)
    version: str = ""

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


def graph_quads(graph: Iterable[tuple[Node, Node, Node]], name: str) -> Iterable[ox.Quad]:
    g = ox.NamedNode(name)
    for s, p, o in graph:
        yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), g)  # type: ignore[arg-type]


def write_store(store_dir: Path, graphs: dict[str, Graph]) -> dict[str, int]:
    """Write ``graphs`` (key of :data:`GRAPHS` → rdflib Graph) into a fresh store at ``store_dir``.

    The store is written to a sibling folder first and swapped in, so a failed build
    leaves the previous store as it was.
    """
    import shutil

    store_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = store_dir.with_name(store_dir.name + ".new")
    if tmp.exists():
        shutil.rmtree(tmp)
    store = ox.Store(str(tmp))
    counts: dict[str, int] = {}
    for key, graph in graphs.items():
        store.bulk_extend(graph_quads(graph, str(GRAPHS[key])))
        counts[key] = len(graph)
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


def open_store(store_dir: Path) -> ox.Store:
    """Open the newest published state of a store read-only (any number of processes may do so
    at once): the built folder, or the snapshot of the last accepted write (:func:`read_head`)."""
    return ox.Store.read_only(str(read_head(store_dir).path))


def default_graph_names() -> list[ox.NamedNode]:
    """The graphs whose union is the default graph of the SPARQL endpoint."""
    return [ox.NamedNode(str(GRAPHS[k])) for k in DEFAULT_GRAPHS]


def count_by_graph(store: ox.Store) -> dict[str, int]:
    """Triples per named graph, by its short name where it has one."""
    names = {str(v): k for k, v in GRAPHS.items()}
    counts: dict[str, int] = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        counts[names.get(row["g"].value, row["g"].value)] = int(row["n"].value)
    return counts


# --- The head: which folder holds the newest published state -----------------------------

WRITES_SUFFIX = ".writes"


def writes_dir(store_dir: Path) -> Path:
    """Where accepted writes live: the writer's copy, the snapshots and HEAD."""
    return store_dir.with_name(store_dir.name + WRITES_SUFFIX)


def head_path(store_dir: Path) -> Path:
    return writes_dir(store_dir) / "HEAD"


@dataclass(frozen=True)
class Head:
    """The newest published state of a store.

    Attributes:
        path: the folder to open read-only (the built store, or the newest snapshot).
        tag: names the content: equal tags mean equal content.
        modified: when that content was built or last written.
        sequence: number of accepted writes since the build (0: the built store itself).
    """

    path: Path
    tag: str
    modified: datetime
    sequence: int = 0


def _built_head(store_dir: Path) -> Head:
    manifest = Manifest.read(manifest_path(store_dir))
    if manifest is not None:
        built = datetime.fromisoformat(manifest.built_at)
        if built.tzinfo is None:
            built = built.replace(tzinfo=UTC)
        return Head(store_dir, manifest.content_hash, built.replace(microsecond=0))
    # A store written without a manifest (by a test, or by hand) is named by the names,
    # sizes and times of its files, which change whenever it is rewritten.
    files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in store_dir.iterdir())
    newest = max([store_dir.stat().st_mtime_ns] + [f[2] for f in files])
    modified = datetime.fromtimestamp(newest // 1_000_000_000, tz=UTC)
    return Head(store_dir, hashlib.sha256(repr(files).encode()).hexdigest(), modified)


def read_head(store_dir: Path) -> Head:
    """The state a reader should open now; FileNotFoundError if nothing was built."""
    if not store_dir.exists():
        raise FileNotFoundError(f"no store at {store_dir}; run `paradip-kg build` first")
    built = _built_head(store_dir)
    try:
        record = json.loads(head_path(store_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return built
    if record.get("base") != built.tag:  # HEAD of an older build: the build discarded it
        return built
    snapshot = writes_dir(store_dir) / "snapshots" / str(record["snapshot"])
    if not snapshot.is_dir():
        return built
    modified = datetime.fromisoformat(record["modified"])
    tag = hashlib.sha256(f"{built.tag}|{record['sequence']}|{record['snapshot']}".encode()).hexdigest()
    return Head(snapshot, tag, modified, int(record["sequence"]))


def write_head(store_dir: Path, snapshot: str, sequence: int, base: str, modified: datetime) -> None:
    """Point HEAD at ``snapshot``, durably: write a temporary file, fsync it, rename, fsync the folder."""
    folder = writes_dir(store_dir)
    tmp = folder / "HEAD.tmp"
    data = json.dumps({"snapshot": snapshot, "sequence": sequence, "base": base,
                       "modified": modified.isoformat(timespec="seconds")}, sort_keys=True)
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(data + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / "HEAD")
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_head(store_dir: Path) -> tuple[ox.Store, Head]:
    """Open the newest published state read-only, with its head."""
    head = read_head(store_dir)
    return ox.Store.read_only(str(head.path)), head
