"""The embedded Oxigraph store on disk as a build writes it, and its build manifest.

A built store is a folder written by :mod:`paradip_kg.build` (:func:`write_store`), plus its
manifest beside it (:class:`Manifest`): triple counts per graph, the content hash of the inputs,
and the build time. Serving opens the folder read-only and parses nothing. Which folder readers
open once writes were accepted (the built store or the newest snapshot) is :mod:`paradip_kg.store.head`.

Each build is a new folder, ``<store>.builds/<time>``, with its manifest and search index beside
it (``<time>.manifest.json``, ``<time>.search.sqlite``); the store path itself (``var/store`` by
default) is a relative symbolic link to the newest one, replaced by an atomic rename once the build
is whole (:func:`publish_build`). A running server therefore sees the old build or the new one,
never a mix, and a read-only handle it holds on the old folder keeps reading that folder: RocksDB
opens its files by name, so a folder swapped in place under it read the new build's files by the
old one's names. The previous build is kept for the readers still on it; older ones are removed.
:func:`resolved` is the folder a store path names now; :func:`manifest_path` and the search index's
path follow it. A store folder that is not a link (an older layout, or a copy) is its own build.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
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


BUILDS_SUFFIX = ".builds"
KEPT_BUILDS = 2  # the published build and the one before it (readers may still be on it)


def builds_dir(store_dir: Path) -> Path:
    """Where the builds of the store at ``store_dir`` live, one folder each."""
    return store_dir.with_name(store_dir.name + BUILDS_SUFFIX)


def resolved(store_dir: Path) -> Path:
    """The build folder that ``store_dir`` names now: the link's target, or the folder itself."""
    return store_dir.resolve() if store_dir.is_symlink() else store_dir


def manifest_path(store_dir: Path) -> Path:
    """The manifest of the build that ``store_dir`` names now (beside that build's folder)."""
    folder = resolved(store_dir)
    return folder.with_name(folder.name + ".manifest.json")


def new_build_dir(store_dir: Path) -> Path:
    """A fresh folder name for the next build of ``store_dir`` (its time, to the microsecond, sorts)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return builds_dir(store_dir) / f"{stamp}-{os.getpid()}"


def _build_files(folder: Path) -> list[Path]:
    """A build folder and the files beside it that belong to it (manifest, search index, ...)."""
    return [folder, *folder.parent.glob(glob.escape(folder.name) + ".*")]


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def publish_build(store_dir: Path, folder: Path) -> None:
    """Point ``store_dir`` at the build ``folder`` (in :func:`builds_dir`) with one atomic rename, then
    remove the builds older than the one it replaced.

    A ``store_dir`` that is a real folder (a store built before builds had folders of their own)
    moves into the builds first, with its manifest and search index.
    """
    builds = builds_dir(store_dir)
    builds.mkdir(parents=True, exist_ok=True)
    if store_dir.exists() and not store_dir.is_symlink():
        legacy = builds / ("0-" + store_dir.name)  # sorts before every timed build
        _remove(_build_files(legacy))
        for path in _build_files(store_dir):
            own = path.name.endswith((".manifest.json", ".search.sqlite"))
            if path.name.startswith(store_dir.name + ".") and not own:
                continue  # the writes, the journal, VoID's cache: the store's, not the build's
            path.rename(builds / (legacy.name + path.name[len(store_dir.name):]))
    link = store_dir.with_name(f".{store_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.join(builds.name, folder.name), link)
    os.replace(link, store_dir)
    _fsync_dir(store_dir.parent)
    older = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.endswith(".new")
                    and p.name != folder.name), key=lambda p: p.name)
    for old in older[:max(len(older) - (KEPT_BUILDS - 1), 0)]:
        _remove(_build_files(old))


def remove_store(store_dir: Path) -> None:
    """Remove the store at ``store_dir``: its link (or folder), every build and the files beside them."""
    builds = builds_dir(store_dir)
    if store_dir.is_symlink():
        store_dir.unlink()
    _remove(_build_files(store_dir))
    if builds.exists():
        shutil.rmtree(builds, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def _one_triple_a_line(text: str) -> bool:
    """Whether every line of the N-Triples ``text`` ends its triple (`` .``), the last one too."""
    return text.endswith(" .\n") and text.count("\n") == text.count(" .\n")


def _as_nquads(text: str, graph: str) -> bytes:
    """N-Triples ``text``, one triple a line, as N-Quads of ``graph``. A line's end is the only
    `` .`` + newline of N-Triples: a literal's line breaks are written as escapes."""
    return text.replace(" .\n", f" <{graph}> .\n").encode()


class StoreWriter:
    """A fresh store written as a new build of ``store_dir`` in a thread, then finished (:meth:`finish`)
    or dropped (:meth:`abandon`): the build writes it while it validates (Oxigraph's loads release
    the GIL). A finished build is served once :func:`publish_build` points ``store_dir`` at :attr:`folder`.

    ``graphs`` maps keys of :data:`GRAPHS` to an rdflib Graph, distinct pyoxigraph triples, or the
    N-Triples text of distinct triples, one a line, as the build makes it. Text is bulk-loaded by
    Oxigraph without a Python object per triple (and leniently: the build wrote it from terms its
    parser had checked). A failed build leaves the previous store as it was.
    """

    def __init__(self, store_dir: Path, graphs: Mapping[str, GraphContent],
                 tick: Callable[[int], None] | None = None) -> None:
        builds_dir(store_dir).mkdir(parents=True, exist_ok=True)
        self.store_dir, self.tick = store_dir, tick
        self.folder = new_build_dir(store_dir)
        self.tmp = self.folder.with_name(self.folder.name + ".new")
        for stale in builds_dir(store_dir).glob("*.new"):  # a build that died half-way
            if not _pid_alive(stale.name.rsplit("-", 1)[-1].removesuffix(".new")):
                shutil.rmtree(stale, ignore_errors=True)
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
        # Oxigraph's bulk load has a cost per call: the texts go in one N-Quads load when each is one
        # triple a line (as the build writes them). bench/bench_store_writer.py: 1.12x at ~2.3M quads.
        lines = {key: text for key, text in graphs.items() if isinstance(text, str) and _one_triple_a_line(text)}
        if lines:
            self.store.bulk_load(b"".join(_as_nquads(text, str(GRAPHS[key])) for key, text in lines.items()),
                                 format=ox.RdfFormat.N_QUADS, lenient=True)
            self.counts.update({key: text.count("\n") for key, text in lines.items()})
            self._ticked()
        for key, content in graphs.items():
            if key in lines:
                continue
            name = str(GRAPHS[key])
            if isinstance(content, str):
                self.store.bulk_load(content, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name),
                                     lenient=True)
                self.counts[key] = content.count("\n")
            else:
                self.store.bulk_extend(_quads(content, name))
                self.counts[key] = len(content)
            self._ticked()
        self.seconds += time.perf_counter() - started

    def _ticked(self) -> None:
        if self.tick is not None:
            self.tick(sum(self.counts.values()))

    def _join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error

    def finish(self, more: Mapping[str, GraphContent] | None = None) -> dict[str, int]:
        """Wait for the load, add ``more`` graphs, and close the store as the build folder :attr:`folder`
        (not served until :func:`publish_build`); the triples per graph."""
        self._join()
        started = time.perf_counter()
        self._load(more or {})
        self.store.flush()
        self.store.optimize()
        del self.store
        self.tmp.rename(self.folder)
        self.seconds += time.perf_counter() - started
        return self.counts

    def abandon(self) -> None:
        """Drop the half-written store (after its load ends: a bulk load cannot be stopped)."""
        self._thread.join()
        del self.store
        shutil.rmtree(self.tmp, ignore_errors=True)


def _pid_alive(text: str) -> bool:
    try:
        os.kill(int(text), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def write_store(store_dir: Path, graphs: Mapping[str, GraphContent],
                tick: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write ``graphs`` (as :class:`StoreWriter` takes them) as a new build of ``store_dir`` and publish
    it at once (no manifest: the caller writes one to :func:`manifest_path` if it wants);
    ``tick(quads written)`` after each graph."""
    writer = StoreWriter(store_dir, graphs, tick)
    counts = writer.finish()
    publish_build(store_dir, writer.folder)
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
