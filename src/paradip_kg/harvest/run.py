"""One harvest, start to end, in memory: statements, direct claims, references, then the places'
labels and properties, then the PROV record. Nothing is written here (:mod:`.commit` does that),
so a harvest that fails at any step leaves every graph as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from paradip_kg.errors import HarvestFailed
from paradip_kg.harvest import model, queries
from paradip_kg.harvest.client import Client, now, user_agent
from paradip_kg.harvest.queries import Selection
from paradip_kg.progress import Progress, Stage

BATCH = 200  # items per VALUES list in the label and place queries


@dataclass
class Harvest:
    triples: list[ox.Triple]
    statements: int
    places: int
    requests: int
    started: datetime
    ended: datetime
    stats: dict[str, int] = field(default_factory=dict)


def harvest(selection: Selection, client: Client, progress: Progress | None = None) -> Harvest:
    """Fetch the P190 statements of ``selection`` (both directions) and describe every place they name."""
    report = progress or Progress()
    started = now()
    found: dict[ox.Triple, None] = {}
    statements: dict[ox.NamedNode | ox.BlankNode, None] = {}
    items: dict[str, None] = {}

    def keep(triples: Iterable[ox.Triple]) -> None:
        for t in triples:
            found[t] = None

    stage = report.stage("harvest statements", unit="statements")
    try:
        for incoming in (False, True):
            for row in client.select(queries.statements(selection, incoming)):
                keep(model.statement_triples(row))
                statements[model.node(row["statement"])] = None
                for var in ("place", "twin"):
                    if row[var].get("type") == "uri":
                        items[row[var]["value"]] = None
                stage.update(len(statements))
        stage.done(len(statements), f"P190 statements of {selection.describe()} ({client.requests} requests)")
        stage = report.stage("harvest claims and references")
        for incoming in (False, True):
            for row in client.select(queries.direct_claims(selection, incoming)):
                found[model.direct_triple(row)] = None
            for row in client.select(queries.references(selection, incoming)):
                keep(model.reference_triples(row))
            stage.update(len(found))
        stage.done(len(found), "triples so far")
        stage = report.stage("harvest places", unit="places")
        described = _describe(list(items), client, keep, stage)
        parents = sorted({t.object.value for t in found
                          if t.predicate.value in (model.WDT + "P17", model.WDT + "P131")
                          and isinstance(t.object, ox.NamedNode) and t.object.value not in items})
        described += _describe(parents, client, keep, stage, labels_only=True)
        stage.done(described, f"places, countries and parents described ({client.requests} requests in all)")
    except (KeyError, ValueError) as exc:
        raise HarvestFailed(f"{client.endpoint} answered rows the harvest cannot read ({exc}); "
                            "nothing was written") from None
    ended = now()
    keep(model.provenance(started=started, ended=ended, endpoint=client.endpoint, selection=selection.describe(),
                          queries=client.log, statements=statements, user_agent=user_agent(client.contact)))
    return Harvest(list(found), len(statements), len(items), client.requests, started, ended)


def _describe(iris: list[str], client: Client, add: Callable[[Iterable[ox.Triple]], None], stage: Stage,
              labels_only: bool = False) -> int:
    """Labels (and, unless ``labels_only``, country, parent, coordinates, INEGI id) of ``iris``, in batches."""
    for i in range(0, len(iris), BATCH):
        batch = iris[i:i + BATCH]
        for row in client.select(queries.labels(batch)):
            add(model.label_triples(row))
        if not labels_only:
            add(model.place_triple(row) for row in client.select(queries.places(batch)))
        stage.update(i + len(batch))
    return len(iris)
