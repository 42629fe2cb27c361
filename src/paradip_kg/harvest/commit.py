"""Publishing a harvest: the graphs ``wikidata`` and ``reconciliation`` replaced in one accepted write.

The store's own write path does it (:func:`paradip_kg.writes.commit.commit`): under the write
lock, on the writer's copy, re-inferred and validated like any write, logged in the writes graph,
then published as a snapshot that a running server switches to at its next request. Both graphs
change in that one commit, so readers see the old harvest and its reconciliation, or the new ones,
never a mix; on any error nothing is published and the previous graphs stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish.reconciliation import Row, graph_triples, reconcile
from paradip_kg.publish.reconciliation_rows import save_rows
from paradip_kg.writes.commit import WriteResult, commit
from paradip_kg.writes.delta import Delta, apply, graph_quads
from paradip_kg.writes.graphs import HARVESTED_GRAPHS

WIKIDATA, RECONCILIATION = str(GRAPHS["wikidata"]), str(GRAPHS["reconciliation"])


def _replace(live: ox.Store, graph: str, triples: Iterable[ox.Triple]) -> Delta:
    name = ox.NamedNode(graph)
    new = {ox.Quad(t.subject, t.predicate, t.object, name) for t in triples}
    old = graph_quads(live, graph)
    if any(isinstance(q.subject, ox.BlankNode) for q in old):  # blank nodes never compare equal across loads
        delta = Delta(added=new, removed=old)
    else:
        delta = Delta(added=new - old, removed=old - new)
    apply(live, delta)
    return delta


class HarvestChange:
    """The change a harvest makes: its graph replaced, then the reconciliation recomputed from it."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.triples = list(triples)
        self.rows: list[Row] = []

    def __call__(self, live: ox.Store) -> Delta:
        harvested = _replace(live, WIKIDATA, self.triples)
        self.rows = reconcile(live)
        reconciled = _replace(live, RECONCILIATION, graph_triples(self.rows))
        return Delta(added=harvested.added | reconciled.added, removed=harvested.removed | reconciled.removed)


def publish_harvest(store_dir: Path, triples: Iterable[ox.Triple], timeout: float = 60.0) -> tuple[WriteResult, int]:
    """Commit the harvest to the built store at ``store_dir``; the write's result and the number of the
    reconciliation's rows, which are kept for the published state (``/reconciliation`` reads them)."""
    change = HarvestChange(triples)
    result = commit(store_dir, change, agent="paradip-kg harvest", operation="harvest wikidata", timeout=timeout,
                    also_writes=HARVESTED_GRAPHS)
    save_rows(store_dir, result.version, change.rows)
    return result, len(change.rows)
