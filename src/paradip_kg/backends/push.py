"""``paradip-kg push``: load the built graphs into a remote SPARQL 1.1 store.

Every named graph of the embedded store (ontology, vocab, data, inferred, shapes) replaces
the graph of the same IRI in the remote store (see :func:`paradip_kg.backends.loading.load_graphs`:
staged in chunks, then moved into place). Afterwards the triples per graph are counted on both sides;
a store that merges literals by value (Virtuoso stores ``"01"^^xsd:integer`` and
``"1"^^xsd:integer`` as one value) can hold fewer, which the result reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.backends.client import RemoteStore
from paradip_kg.backends.loading import load_graphs
from paradip_kg.namespaces import GRAPHS
from paradip_kg.store.head import open_store

Progress = Callable[[str], None]


@dataclass
class PushResult:
    """Triples per graph (short name where it has one) in the embedded and the remote store."""

    local: dict[str, int] = field(default_factory=dict)
    remote: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def mismatches(self) -> dict[str, tuple[int, int]]:
        """Graphs whose remote count differs from the local one: name → (local, remote)."""
        return {name: (n, self.remote.get(name, 0)) for name, n in self.local.items() if self.remote.get(name, 0) != n}

    @property
    def ok(self) -> bool:
        return not self.mismatches


def push(store_dir: Path, remote: RemoteStore, progress: Progress | None = None) -> PushResult:
    """Load each named graph of the built store at ``store_dir`` into ``remote``, replacing it.

    Returns the triple counts per graph on both sides; raises the RemoteStore's errors
    (RemoteStoreError, QuerySyntaxError, QueryTimeout) if the store refuses a request.
    """
    started = time.monotonic()
    store = open_store(store_dir)
    names = {str(v): k for k, v in GRAPHS.items()}
    result = PushResult()
    graphs = sorted((g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
                    key=lambda iri: (iri not in names, list(names).index(iri) if iri in names else 0, iri))
    for iri in graphs:
        triples = [quad.triple for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(iri))]
        load_graphs(remote, {iri: triples}, progress=progress)
        result.local[names.get(iri, iri)] = len(triples)
    counts = remote.count_by_graph(graphs)
    result.remote = {name: counts.get(name, 0) for name in result.local}
    result.seconds = time.monotonic() - started
    if progress:
        progress(f"push: {sum(result.local.values())} triples in {len(graphs)} graphs to {remote.endpoint} "
                 f"({result.seconds:.1f} s)")
    return result
