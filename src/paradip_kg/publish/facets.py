"""The agreements and their facets, for /browse: country, municipality, decade, scope, kind, theme.

:func:`facet_table` reads, by triple patterns, every agreement and the facet values it
has (a value is what the URL carries: ``country=US``, ``decade=1980``, ``scope=international``,
``kind=SisterCityAgreement``, ``theme=…``, ``municipality=mx-23005``), once per published state
(the web layer keeps it). :meth:`FacetTable.narrow` keeps the agreements that have every value
asked for (values of one facet are alternatives: ``country=US&country=CN``), and
:meth:`FacetTable.counts` counts the values of each facet among them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS, PDO
from paradip_kg.store.search_index import read_beside

FACETS: tuple[str, ...] = ("country", "municipality", "decade", "scope", "kind", "theme")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _pdo(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(PDO._NS) + name)


def value_of(iri: str) -> str:
    """The URL value of a facet IRI: its last segment (``…/scope/international`` → ``international``)."""
    for mark in ("#", "/"):
        iri = iri.rsplit(mark, 1)[-1] if mark in iri else iri
    return iri


@dataclass
class FacetTable:
    """Every agreement (IRI, start date) and, per facet, the values each has."""

    agreements: list[tuple[str, str]]  # (IRI, start date as written, "" if none), by start date then IRI
    values: dict[str, list[frozenset[str]]]  # facet → the values of each agreement, in the order above
    things: dict[str, dict[str, str]] = field(default_factory=dict)  # facet → value → the IRI it stands for

    def narrow(self, chosen: Mapping[str, Sequence[str]]) -> list[int]:
        """The agreements (positions) that have, for every facet chosen, one of the values chosen."""
        keep = range(len(self.agreements))
        selected = [(self.values[f], set(v)) for f, v in chosen.items() if f in self.values and v]
        return [i for i in keep if all(per[i] & wanted for per, wanted in selected)]

    def counts(self, rows: Iterable[int]) -> dict[str, Counter[str]]:
        """For each facet, how many of ``rows`` have each value."""
        rows = list(rows)
        return {f: Counter(chain.from_iterable(per[i] for i in rows)) for f, per in self.values.items()}


def _pairs(store: Any, predicate: ox.NamedNode, obj: Any | None = None,
           graph: ox.NamedNode | None = None) -> Iterator[tuple[Any, Any]]:
    for quad in store.quads_for_pattern(None, predicate, obj, graph):
        yield quad.subject, quad.object


def _by_subject(store: Any, predicate: ox.NamedNode) -> dict[Any, set[Any]]:
    out: dict[Any, set[Any]] = {}
    for s, o in _pairs(store, predicate):
        out.setdefault(s, set()).add(o)
    return out


def facet_table(store: Any) -> FacetTable:
    """The agreements of ``store`` and their facet values.

    Read by triple patterns, one predicate at a time, and joined here: the same joins in SPARQL
    over the union of the graphs take minutes at ~1M triples, the scans seconds (docs/benchmarks.md).
    A country is a party's: the country its seat or its territory lies in, or its territory itself.
    """
    agreements_set = {s for s, _o in _pairs(store, RDF_TYPE, _pdo("Agreement")) if isinstance(s, ox.NamedNode)}
    starts: dict[Any, str] = {}
    for s, o in _pairs(store, _pdo("startDate")):
        if s in agreements_set and isinstance(o, ox.Literal):
            starts[s] = min(starts.get(s, o.value), o.value)
    agreements = sorted(((a.value, starts.get(a, "")) for a in agreements_set),
                        key=lambda x: (x[1] == "", x[1], x[0]))
    position = {ox.NamedNode(iri): i for i, (iri, _start) in enumerate(agreements)}
    values: dict[str, list[set[str]]] = {f: [set() for _ in agreements] for f in FACETS}
    things: dict[str, dict[str, str]] = {f: {} for f in FACETS}

    def add(facet: str, agreement: Any, value: str, iri: Any | None = None) -> None:
        values[facet][position[agreement]].add(value)
        if isinstance(iri, ox.NamedNode):
            things[facet].setdefault(value, iri.value)

    for a, start in starts.items():
        if start[:4].isdigit():
            add("decade", a, start[:3] + "0")
    for facet in ("scope", "theme"):
        for a, o in _pairs(store, _pdo(facet)):
            if a in position and isinstance(o, ox.NamedNode):
                add(facet, a, value_of(o.value), o)
    prefix = str(PDO._NS)
    for a, o in _pairs(store, RDF_TYPE, None, ox.NamedNode(str(GRAPHS["data"]))):
        if a in position and isinstance(o, ox.NamedNode) and o.value.startswith(prefix) and o != _pdo("Agreement"):
            add("kind", a, value_of(o.value), o)

    parties = {(a, g) for a, g in _pairs(store, _pdo("hasParty")) if a in position}
    governs = _by_subject(store, _pdo("governs"))
    seats = _by_subject(store, _pdo("hasSeat"))
    located = _by_subject(store, _pdo("locatedIn"))  # transitive: the inferred graph holds the closure
    codes = {c: o.value for c, o in _pairs(store, _pdo("isoCountryCode")) if isinstance(o, ox.Literal)}
    municipalities = {m for m, _o in _pairs(store, RDF_TYPE, _pdo("Municipality"))}
    for a, g in parties:
        places = governs.get(g, set()) | seats.get(g, set())
        for place in places:
            if place in municipalities:
                add("municipality", a, value_of(place.value), place)
            for c in {place} | located.get(place, set()):
                if c in codes:
                    add("country", a, codes[c], c)
    return FacetTable(agreements, {f: [frozenset(v) for v in per] for f, per in values.items()}, things)


# --- Kept beside the store -----------------------------------------------------------------------
# The build keeps the table in the store's search index file (store/search_index.py), named by the
# build's content hash: after a build, a worker loads it instead of reading the store (seconds at
# ~1M triples). An accepted write changes the published state, and the table is read again.

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS facet_agreements(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, start TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facet_values(agreement INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facet_things(facet TEXT NOT NULL, value TEXT NOT NULL, iri TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facet_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def save(table: FacetTable, path: Path, tag: str) -> None:
    """Keep ``table`` in the SQLite file ``path`` (the store's search index), for the state ``tag``."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.executescript(SCHEMA_SQL)
        with conn:
            for name in ("facet_agreements", "facet_values", "facet_things", "facet_meta"):
                conn.execute(f"DELETE FROM {name}")  # noqa: S608 (names of our own tables)
            conn.executemany("INSERT INTO facet_agreements VALUES (?, ?, ?)",
                             [(i, iri, start) for i, (iri, start) in enumerate(table.agreements)])
            conn.executemany("INSERT INTO facet_values VALUES (?, ?, ?)",
                             [(i, facet, v) for facet, per in table.values.items()
                              for i, values in enumerate(per) for v in sorted(values)])
            conn.executemany("INSERT INTO facet_things VALUES (?, ?, ?)",
                             [(f, v, iri) for f, named in table.things.items() for v, iri in sorted(named.items())])
            conn.execute("INSERT INTO facet_meta VALUES ('tag', ?)", (tag,))
    finally:
        conn.close()


def kept_tag(path: Path) -> str | None:
    """The state whose table ``path`` keeps; None: none (no index, or one without the table)."""
    found = read_beside(path, lambda conn: conn.execute("SELECT value FROM facet_meta WHERE key = 'tag'").fetchone())
    return str(found[0]) if found else None


def load(path: Path, tag: str) -> FacetTable | None:
    """The table kept in ``path`` if it is the one of the state ``tag``; else None."""
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        kept = conn.execute("SELECT value FROM facet_meta WHERE key = 'tag'").fetchone()
        if kept is None or kept[0] != tag:
            return None
        rows = conn.execute("SELECT iri, start FROM facet_agreements ORDER BY id")
        agreements = [(iri, start) for iri, start in rows]
        per: dict[str, list[set[str]]] = {f: [set() for _ in agreements] for f in FACETS}
        for i, facet, value in conn.execute("SELECT agreement, facet, value FROM facet_values"):
            per[facet][i].add(value)
        things: dict[str, dict[str, str]] = {f: {} for f in FACETS}
        for facet, value, iri in conn.execute("SELECT facet, value, iri FROM facet_things"):
            things[facet][value] = iri
    except sqlite3.Error:  # an index written before the table was kept there
        return None
    finally:
        conn.close()
    return FacetTable(agreements, {f: [frozenset(v) for v in values] for f, values in per.items()}, things)
