"""A change as quads added and removed, and applying it to the writer's copy.

Every step of a write speaks in deltas: the asserted change an operation makes
(:mod:`paradip_kg.writes.operations`), the inferred change it entails
(:mod:`paradip_kg.writes.reinfer`), and what the provenance record counts
(:mod:`paradip_kg.writes.provenance`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass
class Delta:
    added: set[ox.Quad] = field(default_factory=set)
    removed: set[ox.Quad] = field(default_factory=set)
    created: set[str] = field(default_factory=set)  # empty named graphs created (Graph Store PUT)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.created)

    def quads(self) -> set[ox.Quad]:
        """Every quad the change touches, added or removed."""
        return self.added | self.removed

    def graphs(self) -> list[str]:
        """The named graphs the change touches, sorted."""
        return sorted({q.graph_name.value for q in self.quads() if isinstance(q.graph_name, ox.NamedNode)}
                      | self.created)


def apply(store: ox.Store, delta: Delta) -> None:
    """Make ``delta`` true of ``store``: remove its removed quads, add its added ones."""
    for quad in delta.removed:
        store.remove(quad)
    if delta.added:
        store.extend(delta.added)


def graph_quads(store: ox.Store, graph: str) -> set[ox.Quad]:
    """The quads of one named graph."""
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def all_quads(store: ox.Store) -> set[ox.Quad]:
    """Every quad of the store, in every graph."""
    return set(store.quads_for_pattern(None, None, None, None))
