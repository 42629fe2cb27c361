"""The record of an accepted write in the writes graph (PROV-O and the ontology's terms).

Each accepted write is a ``prov:Activity`` and a ``pdo:GraphChange``: who (the token's agent
name), when (started and ended), what (the operation, the graphs changed, how many triples
were added and removed, asserted and inferred) and, up to :data:`MAX_LOGGED_QUADS`, the
changed quads themselves as N-Quads. Readers query it over ``/sparql`` (docs/writes.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import pyoxigraph as ox

from paradip_kg.namespaces import ID, PDO
from paradip_kg.writes.delta import Delta
from paradip_kg.writes.graphs import TYPE, WRITES_GRAPH

PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
MAX_LOGGED_QUADS = 2_000  # the provenance record holds the changed quads up to this many


def _nquads(quads: Iterable[ox.Quad]) -> str:
    return "".join(sorted(f"{q}\n" for q in quads))


def _literal(value: object, datatype: str | None = None) -> ox.Literal:
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD_NS + datatype))
    return ox.Literal(str(value))


def provenance(activity: str, agent: str, operation: str, started: datetime, ended: datetime,
               delta: Delta, inferred: Delta) -> list[ox.Quad]:
    """The record of one accepted write, in the writes graph (PROV-O)."""
    g = ox.NamedNode(WRITES_GRAPH)
    act = ox.NamedNode(activity)
    who = ox.NamedNode(str(ID) + "agent/" + re.sub(r"[^A-Za-z0-9._-]", "-", agent or "anonymous"))
    quads = [
        ox.Quad(act, TYPE, ox.NamedNode(PROV + "Activity"), g),
        ox.Quad(act, TYPE, ox.NamedNode(str(PDO.GraphChange)), g),
        ox.Quad(act, ox.NamedNode(PROV + "wasAssociatedWith"), who, g),
        ox.Quad(who, TYPE, ox.NamedNode(PROV + "Agent"), g),
        ox.Quad(who, ox.NamedNode(RDFS_LABEL), _literal(agent or "anonymous"), g),
        ox.Quad(act, ox.NamedNode(PROV + "startedAtTime"), _literal(started.isoformat(), "dateTime"), g),
        ox.Quad(act, ox.NamedNode(PROV + "endedAtTime"), _literal(ended.isoformat(), "dateTime"), g),
        ox.Quad(act, ox.NamedNode(DCT + "description"), _literal(operation), g),
        ox.Quad(act, ox.NamedNode(str(PDO.triplesAdded)), _literal(len(delta.added), "integer"), g),
        ox.Quad(act, ox.NamedNode(str(PDO.triplesRemoved)), _literal(len(delta.removed), "integer"), g),
        ox.Quad(act, ox.NamedNode(str(PDO.inferredAdded)), _literal(len(inferred.added), "integer"), g),
        ox.Quad(act, ox.NamedNode(str(PDO.inferredRemoved)), _literal(len(inferred.removed), "integer"), g),
    ]
    for graph in delta.graphs():
        quads.append(ox.Quad(act, ox.NamedNode(str(PDO.changedGraph)), ox.NamedNode(graph), g))
    if len(delta.added) + len(delta.removed) <= MAX_LOGGED_QUADS:
        if delta.added:
            quads.append(ox.Quad(act, ox.NamedNode(str(PDO.addedStatements)), _literal(_nquads(delta.added)), g))
        if delta.removed:
            quads.append(ox.Quad(act, ox.NamedNode(str(PDO.removedStatements)), _literal(_nquads(delta.removed)), g))
    return quads
