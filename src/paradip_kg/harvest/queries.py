"""The harvest's SPARQL queries: standard SPARQL 1.1 only, so that they run unchanged on Wikidata's
Query Service, on QLever's Wikidata endpoint and on a local mirror of a Wikidata dump.

No ``wikibase:label`` service (labels are read as ``rdfs:label`` triples) and no engine hints.
Every paged query has an ``ORDER BY`` over all its variables, so LIMIT/OFFSET pages are stable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

PROLOGUE = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
ENTITY = "http://www.wikidata.org/entity/"
QID = re.compile(r"Q[1-9][0-9]*")
LANGUAGES = ("es", "en")  # besides each place's own (its country's official languages, P37 → P424)


@dataclass(frozen=True)
class Selection:
    """Which places' twinnings to harvest: some items, the items of a country (P17), or all."""

    places: tuple[str, ...] = ()
    country: str | None = None

    def __post_init__(self) -> None:
        for qid in (*self.places, *([self.country] if self.country else [])):
            if not QID.fullmatch(qid):
                raise ValueError(f"{qid!r} is not a Wikidata item id (Q followed by digits)")

    def describe(self) -> str:
        if self.places:
            return "places " + ", ".join(self.places)
        return f"country {self.country}" if self.country else "all of Wikidata"

    def pattern(self, var: str) -> str:
        """A graph pattern that binds ``?var`` to the selected places (empty for all of them)."""
        if self.places:
            items = " ".join(f"wd:{q}" for q in self.places)
            return f"VALUES ?{var} {{ {items} }}"
        if self.country:
            return f"?{var} wdt:P17 wd:{self.country} ."
        return ""


def _paged(body: str, order: str) -> str:
    return f"{PROLOGUE}{body}\nORDER BY {order}\n"


def statements(selection: Selection, incoming: bool) -> str:
    """P190 statements of the selected places (``incoming``: statements of other places naming them),
    with their rank and qualifiers P580 (start time) and P582 (end time)."""
    near = "?twin" if incoming else "?place"
    return _paged(f"""SELECT ?place ?statement ?twin ?rank ?start ?end WHERE {{
  {selection.pattern(near[1:])}
  ?place p:P190 ?statement .
  ?statement ps:P190 ?twin .
  OPTIONAL {{ ?statement wikibase:rank ?rank }}
  OPTIONAL {{ ?statement pq:P580 ?start }}
  OPTIONAL {{ ?statement pq:P582 ?end }}
}}""", "?statement ?twin ?place ?rank ?start ?end")


def direct_claims(selection: Selection, incoming: bool) -> str:
    """The truthy P190 claims (``wdt:P190``) of the selected places, or naming them."""
    near = "?twin" if incoming else "?place"
    return _paged(f"""SELECT ?place ?twin WHERE {{
  {selection.pattern(near[1:])}
  ?place wdt:P190 ?twin .
}}""", "?place ?twin")


def references(selection: Selection, incoming: bool) -> str:
    """The references of those statements: every triple of each reference node."""
    near = "?twin" if incoming else "?place"
    return _paged(f"""SELECT ?statement ?reference ?property ?value WHERE {{
  {selection.pattern(near[1:])}
  ?place p:P190 ?statement .
  ?statement ps:P190 ?twin .
  ?statement prov:wasDerivedFrom ?reference .
  ?reference ?property ?value .
}}""", "?statement ?reference ?property ?value")


def _values(items: Iterable[str]) -> str:
    """A VALUES list of item IRIs (written in full: a place need not be in the wd: namespace)."""
    listed = " ".join(f"<{iri}>" for iri in items)
    return f"VALUES ?item {{ {listed} }}"


def labels(items: Iterable[str]) -> str:
    """Labels of ``items`` in Spanish, English and the official languages of their country."""
    wanted = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    return _paged(f"""SELECT DISTINCT ?item ?label WHERE {{
  {_values(items)}
  ?item rdfs:label ?label .
  OPTIONAL {{ ?item wdt:P17 ?country . ?country wdt:P37 ?language . ?language wdt:P424 ?own }}
  FILTER (LANG(?label) IN ({wanted}) || LANG(?label) = ?own)
}}""", "?item ?label")


# What a place is described by besides its labels: country, administrative parent, coordinates,
# and INEGI's municipality id (P3801), which the reconciliation matches on.
PLACE_PROPERTIES = ("P17", "P131", "P625", "P3801")


def places(items: Iterable[str]) -> str:
    """Country (P17), administrative parent (P131), coordinates (P625) and INEGI id (P3801) of ``items``."""
    props = " ".join(f"wdt:{p}" for p in PLACE_PROPERTIES)
    return _paged(f"""SELECT ?item ?property ?value WHERE {{
  {_values(items)}
  VALUES ?property {{ {props} }}
  ?item ?property ?value .
}}""", "?item ?property ?value")


def qid_of(iri: str) -> str | None:
    """``Q123`` of ``http://www.wikidata.org/entity/Q123``; None for anything else."""
    if iri.startswith(ENTITY) and QID.fullmatch(iri[len(ENTITY):]):
        return iri[len(ENTITY):]
    return None
