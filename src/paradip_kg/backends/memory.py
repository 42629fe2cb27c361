"""An in-memory ``pyoxigraph.Store`` as a :class:`~paradip_kg.backends.base.Backend` (setting ``backend = memory``).

For tests and demos: the store is filled once, on first use, and kept in this process's memory.
Queries of ``/sparql`` run in-process (:class:`~paradip_kg.backends.base.InProcessRunner`): there
is **no hard query timeout**. Read-only: the content comes from the files.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.backends.base import Backend
from paradip_kg.errors import BuildFailed
from paradip_kg.namespaces import GRAPHS
from paradip_kg.rdf.parse import guess_format, read_file, read_quads
from paradip_kg.store.disk import Manifest, graph_quads
from paradip_kg.store.head import Head

COUNT_BY_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class MemoryBackend(Backend):
    """A ``pyoxigraph.Store()`` in memory, filled by ``loader`` once, on first use.

    Build it with :meth:`from_project` (the build pipeline with the build's engines: parse,
    import, inference, validation; the graphs of :data:`paradip_kg.namespaces.GRAPHS`), :meth:`from_files` (RDF
    files; quad formats keep their graphs, triples go to the default graph) or :meth:`from_store`.
    ``basis`` names the content (with the triple counts, it makes the version tag).
    """

    name = "memory"
    how_to_change = "edit the project's files; the memory store is filled from them at start"

    def __init__(self, loader: Callable[[], ox.Store], basis: str, default_graphs: Sequence[str] = (),
                 union: bool = False) -> None:
        super().__init__(default_graphs, union)
        self._loader = loader
        self._basis = basis
        self._store: ox.Store | None = None
        self._head: Head | None = None
        self._counts: dict[str, int] = {}

    @classmethod
    def from_project(cls, project_dir: Path, **kwargs: Any) -> MemoryBackend:
        # The build is imported here, not at the top: the app loads this module whatever its
        # backend, and only this backend runs the pipeline (rules or owlrl, the SHACL engine) in a web worker.
        from paradip_kg.build import content_hash

        project_dir = Path(project_dir)
        return cls(lambda: _build_in_memory(project_dir), "project|" + content_hash(project_dir), **kwargs)

    @classmethod
    def from_files(cls, files: Sequence[Path], **kwargs: Any) -> MemoryBackend:
        paths = [Path(f) for f in files]
        digest = hashlib.sha256()
        for path in paths:
            digest.update(str(path.resolve()).encode() + b"\0" + read_file(path) + b"\0")

        def load() -> ox.Store:
            store = ox.Store()
            for path in paths:
                store.bulk_extend(read_quads(read_file(path), guess_format(path), str(path),
                                             base_iri=path.resolve().as_uri()))
            return store

        return cls(load, "files|" + digest.hexdigest(), **kwargs)

    @classmethod
    def from_store(cls, store: ox.Store, **kwargs: Any) -> MemoryBackend:
        return cls(lambda: store, f"store|{id(store)}|{time.time()}", **kwargs)

    def store(self) -> ox.Store:
        with self._lock:
            if self._store is None:
                store = self._loader()
                counts: dict[str, int] = {}
                names = {str(v): k for k, v in GRAPHS.items()}
                rows = store.query(COUNT_BY_GRAPH)
                assert isinstance(rows, ox.QuerySolutions)
                for row in rows:
                    counts[names.get(row["g"].value, row["g"].value)] = int(row["n"].value)
                loaded = datetime.now(UTC).replace(microsecond=0)
                tag = hashlib.sha256(f"{self._basis}|{sorted(counts.items())}".encode()).hexdigest()
                self._store, self._counts = store, counts
                self._head = Head(Path(":memory:"), tag, loaded)
            return self._store

    def head(self) -> Head:
        self.store()
        assert self._head is not None
        return self._head

    def manifest(self) -> Manifest:
        head = self.head()
        return Manifest(content_hash=head.tag, built_at=head.modified.isoformat(), triples=dict(self._counts))


def _build_in_memory(project_dir: Path, inference: str | None = None) -> ox.Store:
    """The stages of :func:`paradip_kg.build.build`, with its engines and in its order, into a store
    in memory: parse, infer (setting ``inference_engine``: the compiled rules over the data, owlrl
    on the T-box; or owlrl over everything), validate (setting ``validation_engine``), and the
    graphs the build stores (the shapes and the kept harvest too)."""
    from paradip_kg import settings as settings_mod
    from paradip_kg.build import asserted_texts, infer_stage, read_inputs, validate_stage
    from paradip_kg.harvest.files import read_harvest
    from paradip_kg.progress import Progress
    from paradip_kg.publish.reconciliation import graph_triples, reconciled_for_build

    engine = inference or settings_mod.load()["inference_engine"]
    inputs = read_inputs(project_dir)
    closure = infer_stage(inputs, engine, Progress().stage("infer"))
    if closure.errors:
        raise BuildFailed("the ontology and data are inconsistent:\n" + "\n".join(closure.errors))
    texts = asserted_texts(inputs, closure)
    report, validated = validate_stage(inputs, closure, texts, allow_warnings=True)
    if report.counts()["Violation"]:
        raise BuildFailed("the knowledge graph does not conform to the shapes", report)
    store = ox.Store()
    for key, text in texts.items():  # N-Triples the build wrote from terms its parser checked
        store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPHS[key])), lenient=True)
    store.bulk_extend(graph_quads(inputs.graph("shapes"), str(GRAPHS["shapes"])))
    harvested = read_harvest(project_dir)
    extra = {"reconciliation": graph_triples(reconciled_for_build(texts, harvested, validated))}
    validated = None  # the validation's copy of the graph: freed before the harvest and the rows are added
    if harvested:
        store.bulk_load(harvested, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPHS["wikidata"])),
                        lenient=True)
    graph = ox.NamedNode(str(GRAPHS["reconciliation"]))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in extra["reconciliation"])
    return store
