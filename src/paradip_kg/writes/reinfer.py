"""Bringing the inferred graph in line with a change: re-inference of what it can affect.

The entailments come from the compiled A-box rules (:mod:`paradip_kg.inference.incremental`)
run on the affected nodes' context (:mod:`paradip_kg.writes.context`), or on the whole asserted
graph when the change reaches too far. A contradiction (e.g. a member of two disjoint classes)
rejects the write: :class:`~paradip_kg.errors.Inconsistent`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from paradip_kg.errors import ChangeTooWide, Inconsistent
from paradip_kg.inference.incremental import entail
from paradip_kg.rdf.terms import oxigraph_quads
from paradip_kg.writes.affected import Affected, affected
from paradip_kg.writes.context import RdflibTriple, inference_context
from paradip_kg.writes.delta import Delta, apply
from paradip_kg.writes.graphs import INFERRED_GRAPH, AssertedGraphs, inferred_quads
from paradip_kg.writes.schema import schema_of


def _as_inferred(triples: Iterable[RdflibTriple]) -> set[ox.Quad]:
    """rdflib triples as quads of the inferred graph."""
    return set(oxigraph_quads(triples, INFERRED_GRAPH))


def reinfer(store: ox.Store, delta: Delta, tbox_key: str) -> tuple[Delta, Affected | None]:
    """Bring the inferred graph in line with ``delta`` (already applied); return the inferred delta
    and the affected nodes (None: the whole graph was re-inferred).

    The inferred triples about the affected nodes are replaced by their entailments in the
    context; those about an object of the change are replaced when all its referrers are in
    the context, and only added to when it is a hub (a change cannot remove what its other
    referrers support).
    """
    schema = schema_of(store, tbox_key)
    hit: Affected | None
    try:
        hit = affected(store, delta.quads(), schema.terms, schema.chained)
        data, complete = inference_context(store, hit, schema.terms, schema.chained)
    except ChangeTooWide:
        hit = None
    if hit is None:
        data = set(AssertedGraphs(store).all())
    entailed, errors = entail(schema.tbox, data)
    if errors:
        raise Inconsistent("the change makes the graph inconsistent with the ontology: " + "; ".join(errors[:5]),
                           None)
    # entail leaves out what its input states: an entailment the context asserts is not an inference
    fresh = _as_inferred(entailed)
    if hit is None:
        old = inferred_quads(store, None)
        inferred_delta = Delta(added=fresh - old, removed=old - fresh)
    else:
        replaced = hit.focus | complete
        new = {q for q in fresh if q.subject in replaced}
        old = inferred_quads(store, replaced)
        added_only = {q for q in fresh if q.subject in hit.objects - complete}
        inferred_delta = Delta(added=(new - old) | {q for q in added_only if q not in store}, removed=old - new)
    apply(store, inferred_delta)
    return inferred_delta, hit
