"""Reconciliation: the registry's agreements against Wikidata's P190 claims, pair by pair.

Harvested places (graph ``wikidata``, :mod:`paradip_kg.harvest`) are matched to the graph's actors
(the parties of agreements), in this order:

1. ``qid``: the Wikidata item is one the data gives the actor, its seat or its municipality
   (``schema:sameAs wd:Q…``, only where the data has a verified QID);
2. ``inegi``: the item's INEGI municipality id (P3801) is the actor's municipality's ``pdo:inegiCode``;
3. ``candidate``: same label, same country (P17 ↔ the country's ``schema:sameAs``) and no
   contradicting administrative parent (P131's label within the labels of what the place lies in).
   A candidate is never taken for a fact: every row says which kind of match it rests on.

Every ordered (municipality, partner) pair with an actor of the graph on the municipality side
is one :class:`Row`, of one class: ``both``, ``registry-only``, ``wikidata-only`` or
``date-conflict`` (in both, but no start date of the registry agrees with a P580 of Wikidata).
The sources of each side are counted apart (the agreement's ``prov:wasDerivedFrom``; the
statements' references); nothing of one side is copied into the other.

The rows are computed where a state is published: by the build (for the graph ``reconciliation``
and ``<store>.reconciliation.json``) and by a harvest (:mod:`paradip_kg.harvest.commit`). The file
(:mod:`paradip_kg.publish.reconciliation_rows`) names the state it is for, so ``/reconciliation``
reads the rows of the state it serves instead of reading the whole graph into Python again: 49.6 s
on the first request of a 300k-triple world with 35k links, before. A state that neither made (another write)
has no file: the page computes its rows once and saves them.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS
from paradip_kg.sparql.local import run_on_store

ENTITY = "http://www.wikidata.org/entity/"
PDR = "https://w3id.org/paradip/reconciliation#"
CLASSES = ("both", "registry-only", "wikidata-only", "date-conflict")
CLASS_TERMS = {"both": "both", "registry-only": "registryOnly", "wikidata-only": "wikidataOnly",
               "date-conflict": "dateConflict"}
MATCHES = ("qid", "inegi", "candidate")  # strongest first
COLUMNS = ("municipality", "municipality_qid", "municipality_country", "partner", "partner_qid", "partner_country",
           "class", "match", "registry_agreement", "registry_start", "registry_source", "registry_sources",
           "wikidata_statement", "wikidata_start", "wikidata_end", "wikidata_references",
           "municipality_iri", "partner_iri")
WIKIDATA = f"<{GRAPHS['wikidata']}>"

# Simple patterns only, joined here: Oxigraph planned the joins of these with the actors badly
# (minutes on a 10k-triple world). The actors with their places as one query (a UNION with a BIND
# of ?actor) grew with the square of the graph: 2.2 s at 100k triples, 33 s at 300k, about 20 min
# in a ~1M build; these three patterns take well under a second there.
PARTIES = "SELECT DISTINCT ?o WHERE { ?s pdo:hasParty ?o }"
GOVERNS = "SELECT ?s ?o WHERE { ?s pdo:governs ?o }"
SEATS = "SELECT ?s ?o WHERE { ?s pdo:hasSeat ?o }"
SAME_AS = "SELECT ?s ?o WHERE { ?s schema:sameAs ?o }"
INEGI = "SELECT ?s ?o WHERE { ?s pdo:inegiCode ?o }"
LABELS = "SELECT ?s ?o WHERE { ?s rdfs:label ?o }"
LOCATED = "SELECT ?s ?o WHERE { ?s pdo:locatedIn ?o }"
COUNTRIES = """SELECT DISTINCT ?country ?iso WHERE { { ?country a pdo:Country } UNION { ?country pdo:isoCountryCode [] }
  OPTIONAL { ?country pdo:isoCountryCode ?iso } }"""
AGREEMENTS = """SELECT ?agreement ?actor ?start ?source WHERE { ?agreement pdo:hasParty ?actor .
  OPTIONAL { ?agreement pdo:startDate ?start } OPTIONAL { ?agreement prov:wasDerivedFrom ?source } }"""
STATEMENTS = f"""SELECT ?place ?statement ?twin ?start ?end WHERE {{ GRAPH {WIKIDATA} {{
  ?place <http://www.wikidata.org/prop/P190> ?statement .
  ?statement <http://www.wikidata.org/prop/statement/P190> ?twin .
  OPTIONAL {{ ?statement <http://www.wikidata.org/prop/qualifier/P580> ?start }}
  OPTIONAL {{ ?statement <http://www.wikidata.org/prop/qualifier/P582> ?end }} }} }}"""
REFERENCES = f"""SELECT ?statement (COUNT(DISTINCT ?reference) AS ?n) WHERE {{ GRAPH {WIKIDATA} {{
  ?place <http://www.wikidata.org/prop/P190> ?statement . ?statement prov:wasDerivedFrom ?reference }} }}
  GROUP BY ?statement"""
ITEMS = f"""SELECT ?item ?p ?o WHERE {{ GRAPH {WIKIDATA} {{ ?item ?p ?o
  VALUES ?p {{ rdfs:label <http://www.wikidata.org/prop/direct/P17> <http://www.wikidata.org/prop/direct/P131>
             <http://www.wikidata.org/prop/direct/P3801> }} }} }}"""


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 18)  # the same labels are folded again for every place that lies in them
def fold(text: str) -> str:
    """A name to compare by: no accents, lower case, single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NOT_ALNUM.sub(" ", plain.lower()).split())  # ASCII by now: alphanumeric is [0-9a-z]


def qid(iri: str) -> str:
    return iri[len(ENTITY):] if iri.startswith(ENTITY) else ""


@dataclass
class Side:
    """One end of a pair: an actor of the graph, or a harvested place no actor matched."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)  # language → label
    qid: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 where known, else the country's QID
    match: str = ""  # how a harvested place was matched to it (MATCHES), "" for registry-only

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or next(iter(sorted(self.labels.values())), "") or self.iri


@dataclass
class Row:
    municipality: Side
    partner: Side
    cls: str
    match: str = ""
    agreements: list[str] = field(default_factory=list)
    registry_start: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    wikidata_start: list[str] = field(default_factory=list)
    wikidata_end: list[str] = field(default_factory=list)
    references: int = 0

    def record(self, lang: str) -> dict[str, Any]:
        """The row as the CSV and JSON give it (COLUMNS)."""
        m, p = self.municipality, self.partner
        return {"municipality": m.label(lang), "municipality_qid": m.qid, "municipality_country": m.country,
                "partner": p.label(lang), "partner_qid": p.qid, "partner_country": p.country, "class": self.cls,
                "match": self.match, "registry_agreement": " ".join(self.agreements),
                "registry_start": " ".join(self.registry_start), "registry_source": " ".join(self.sources),
                "registry_sources": len(self.sources), "wikidata_statement": " ".join(self.statements),
                "wikidata_start": " ".join(self.wikidata_start), "wikidata_end": " ".join(self.wikidata_end),
                "wikidata_references": self.references, "municipality_iri": m.iri, "partner_iri": p.iri}


def _rows(store: Any, text: str, default_graph: Sequence[Any] | None = None) -> list[dict[str, Any]]:
    return run_on_store(store, text, default_graph).rows


def _value(term: Any) -> str:
    return "" if term is None else str(term.value)


def _ancestors(place: str, parents: dict[str, set[str]]) -> list[str]:
    """What ``place`` lies in, transitively (pdo:locatedIn), nearest first."""
    seen: list[str] = []
    todo = sorted(parents.get(place, ()))
    while todo:
        up = todo.pop(0)
        if up not in seen and up != place:
            seen.append(up)
            todo += sorted(parents.get(up, ()))
    return seen


class _Registry:
    """The actors of the graph: their QIDs, INEGI codes, labels, countries; and their agreements."""

    def _pairs(self, text: str) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = defaultdict(list)
        for r in self._rows(text):
            found[_value(r["s"])].append(r["o"])
        return found

    def __init__(self, store: Any, default_graph: Sequence[Any] | None = None) -> None:
        self._rows = lambda text: _rows(store, text, default_graph)  # the graph's own triples (not wikidata)
        # actor → its places, named by the first: the municipality it governs, its seat, itself
        self.places: dict[str, dict[str, int]] = {_value(r["o"]): {} for r in self._rows(PARTIES)}
        for role, text in enumerate((GOVERNS, SEATS)):  # role 0: governs, 1: seat, 2: the actor itself
            for r in self._rows(text):
                roles = self.places.get(_value(r["s"]))
                if roles is not None:
                    place = _value(r["o"])
                    roles[place] = min(roles.get(place, role), role)
        for actor, roles in self.places.items():
            roles[actor] = min(roles.get(actor, 2), 2)
        same, inegi, labels = (self._pairs(q) for q in (SAME_AS, INEGI, LABELS))
        parents: dict[str, set[str]] = defaultdict(set)
        for r in self._rows(LOCATED):
            parents[_value(r["s"])].add(_value(r["o"]))
        countries = {_value(r["country"]): _value(r.get("iso")) for r in self._rows(COUNTRIES)}
        self.sides: dict[str, Side] = {}
        self.by_qid: dict[str, set[str]] = defaultdict(set)
        self.by_inegi: dict[str, set[str]] = defaultdict(set)
        self.by_label: dict[tuple[str, str], set[str]] = defaultdict(set)  # (name, country QID) → actors
        self.within: dict[str, set[str]] = defaultdict(set)  # actor → folded labels of what its places lie in
        self.iso: dict[str, str] = {}  # a country's QID → its ISO 3166-1 code
        for country, code in countries.items():
            for o in same.get(country, []):
                if o.value.startswith(ENTITY) and code:
                    self.iso[qid(o.value)] = code
        for actor, places in self.places.items():
            side = Side(actor)
            order = sorted(places, key=lambda p: (places[p], p))
            names: set[str] = set()
            in_countries: set[str] = set()
            for place in order:
                for o in same.get(place, []):
                    if o.value.startswith(ENTITY):
                        self.by_qid[o.value].add(actor)
                        side.qid = side.qid or qid(o.value)
                for o in inegi.get(place, []):
                    self.by_inegi[o.value].add(actor)
                for o in labels.get(place, []):
                    names.add(fold(o.value))
                    if isinstance(o, ox.Literal) and o.language:
                        side.labels.setdefault(o.language, o.value)
                if places[place] == 2:
                    continue  # what an actor lies in is what its seat and municipality lie in
                for up in _ancestors(place, parents):
                    self.within[actor].update(fold(o.value) for o in labels.get(up, []))
                    if up in countries:
                        side.country = side.country or countries[up]
                        in_countries.update(qid(o.value) for o in same.get(up, []) if o.value.startswith(ENTITY))
            for name in names:
                for country in in_countries:
                    self.by_label[(name, country)].add(actor)
            self.sides[actor] = side
        self.agreements: dict[str, dict[str, Any]] = {}
        for r in self._rows(AGREEMENTS):
            ag = self.agreements.setdefault(_value(r["agreement"]),
                                            {"parties": set(), "start": set(), "sources": set()})
            ag["parties"].add(_value(r["actor"]))
            if r.get("start") is not None:
                ag["start"].add(_value(r["start"]))
            if r.get("source") is not None:
                ag["sources"].add(_value(r["source"]))


class _Harvested:
    """The harvested places and P190 statements (graph ``wikidata``)."""

    def __init__(self, store: Any) -> None:
        self.statements = _rows(store, STATEMENTS)
        self.references = {_value(r["statement"]): int(_value(r["n"])) for r in _rows(store, REFERENCES)}
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in _rows(store, ITEMS):
            item, p, o = _value(r["item"]), _value(r["p"]), r["o"]
            if p.endswith("#label"):
                if isinstance(o, ox.Literal) and o.language:
                    self.labels[item].setdefault(o.language, o.value)
            else:
                self.facts[item][p.rsplit("/", 1)[-1]].add(_value(o))


def _match(item: str, registry: _Registry, harvested: _Harvested) -> tuple[str, str] | None:
    """The actor a harvested item is, and how that was found; None when none is (or several are)."""
    for kind, found in (("qid", registry.by_qid.get(item, set())),
                        ("inegi", set().union(*(registry.by_inegi.get(c, set())
                                                for c in harvested.facts[item].get("P3801", ()))))):
        if len(found) == 1:
            return next(iter(found)), kind
        if found:
            return None
    countries = {qid(c) for c in harvested.facts[item].get("P17", ())}
    found = set()
    for name in {fold(v) for v in harvested.labels.get(item, {}).values()}:
        for country in countries:
            found |= registry.by_label.get((name, country), set())
    parents = {fold(v) for p in harvested.facts[item].get("P131", ()) for v in harvested.labels.get(p, {}).values()}
    if parents:  # an administrative parent the data knows of must not contradict
        found = {a for a in found if any(p in w or w in p for p in parents for w in registry.within[a])}
    return (next(iter(found)), "candidate") if len(found) == 1 else None


def _agree(registry_dates: Iterable[str], wikidata_dates: Iterable[str]) -> bool:
    """Whether a registry start date (YYYY, YYYY-MM or YYYY-MM-DD) and a P580 agree at the registry's
    precision; a P580 on 1 January is read as a year (Wikidata writes a year's precision so)."""
    for r in registry_dates:
        for w in wikidata_dates:
            day = w.lstrip("+")[:10]
            if day.endswith("-01-01") and day[:4] == r[:4]:
                return True
            if day.startswith(r) or r == day:
                return True
    return False


def reconcile(store: Any, default_graph: Sequence[Any] | None = None) -> list[Row]:
    """Every (municipality, partner) pair with an actor of the graph on the municipality side, classified.
    The graph's triples are read from the endpoint's default graph, or from ``default_graph`` where
    given; the harvested ones from the graph ``wikidata``."""
    registry, harvested = _Registry(store, default_graph), _Harvested(store)
    iso = registry.iso
    rows: dict[tuple[str, str], Row] = {}

    def side_of(item: str) -> Side:
        found = _match(item, registry, harvested)
        if found is not None:
            actor, kind = found
            base = registry.sides[actor]
            return Side(actor, base.labels, qid(item) or base.qid, base.country, kind)
        countries = sorted(harvested.facts[item].get("P17", ()))
        country = next((iso.get(qid(c), qid(c)) for c in countries), "")
        return Side(item, dict(harvested.labels.get(item, {})), qid(item), country, "")

    def row(m: Side, p: Side) -> Row:
        key = (m.iri, p.iri)
        if key not in rows:
            rows[key] = Row(m, p, "")
        return rows[key]

    for iri, ag in registry.agreements.items():
        parties = sorted(ag["parties"])
        for m in parties:
            for p in parties:
                if m != p:
                    r = row(registry.sides[m], registry.sides[p])
                    r.agreements.append(iri)
                    r.registry_start += sorted(ag["start"])
                    r.sources += sorted(s for s in ag["sources"] if s not in r.sources)
    sides: dict[str, Side] = {}
    for st in harvested.statements:
        for item in (_value(st["place"]), _value(st["twin"])):
            if item not in sides:
                sides[item] = side_of(item)
        a, b = sides[_value(st["place"])], sides[_value(st["twin"])]
        for m, p in ((a, b), (b, a)):
            if m.iri not in registry.sides or m.iri == p.iri:
                continue
            r = row(m, p)
            if p.match and p.iri in registry.sides:  # keep the match kinds of the harvested sides
                r.partner = p
            r.municipality = m if m.match else r.municipality
            statement = _value(st["statement"])
            if statement not in r.statements:
                r.statements.append(statement)
                r.references += harvested.references.get(statement, 0)
            for var, out in (("start", r.wikidata_start), ("end", r.wikidata_end)):
                if st.get(var) is not None and _value(st[var]) not in out:
                    out.append(_value(st[var]))
    for r in rows.values():
        kinds = [k for k in (r.municipality.match, r.partner.match) if k]
        r.match = max(kinds, key=MATCHES.index) if r.statements and kinds else ""
        if r.agreements and r.statements:
            dated = r.registry_start and r.wikidata_start
            r.cls = "date-conflict" if dated and not _agree(r.registry_start, r.wikidata_start) else "both"
        else:
            r.cls = "registry-only" if r.agreements else "wikidata-only"
    return sorted(rows.values(), key=lambda r: (fold(r.municipality.label("es")), fold(r.partner.label("es")),
                                                r.partner.iri))


def graph_triples(rows: Iterable[Row]) -> list[ox.Triple]:
    """The rows as the graph ``reconciliation``: one ``pdr:Pair`` (a blank node) per row."""
    return [q.triple for q in ox.parse(graph_text(rows), format=ox.RdfFormat.N_TRIPLES)]


def graph_text(rows: Iterable[Row]) -> str:
    """The graph ``reconciliation`` as N-Triples, one triple a line, made without a Python object
    per triple (the build loads it as text: its 876k triples at ~1M took 11 s as objects)."""
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    run = uuid.uuid4().hex  # blank nodes of their own, whatever else the load holds
    lines: list[str] = []
    for i, r in enumerate(rows):
        n = f"_:r{run}x{i} <{PDR}"
        lines += [f"{n}municipality> <{r.municipality.iri}> .\n", f"{n}partner> <{r.partner.iri}> .\n",
                  f"{n}class> <{PDR}{CLASS_TERMS[r.cls]}> .\n",
                  f'{n}registrySources> "{len(r.sources)}"^^{integer} .\n',
                  f'{n}wikidataReferences> "{r.references}"^^{integer} .\n',
                  f"_:r{run}x{i} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{PDR}Pair> .\n"]
        if r.match:
            lines.append(f"{n}match> <{PDR}{r.match}> .\n")
        lines += [f"{n}agreement> <{iri}> .\n" for iri in r.agreements]
        lines += [f"{n}statement> <{iri}> .\n" for iri in r.statements]
        for side, prop in ((r.municipality, "municipalityLabel"), (r.partner, "partnerLabel")):
            lines += [f"{n}{prop}> {ox.Literal(v, language=k)} .\n" for k, v in side.labels.items()]
    return "".join(lines)


def reconciled(texts: dict[str, str]) -> list[Row]:
    """The rows of graphs given as N-Triples (keys of GRAPHS: data, inferred, wikidata), as `build`
    derives them (and from them the graph ``reconciliation``) before it writes the store."""
    store = ox.Store()
    for key, text in texts.items():
        if text:
            store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPHS[key])), lenient=True)
    return reconcile(store)


def reconciled_in(store: ox.Store, wikidata: str) -> list[Row]:
    """The rows as :func:`reconciled` gives them, from an in-memory store whose default graph holds the
    graph already (the build's validation store: ontology, vocabulary, data, inferred). ``wikidata``
    (N-Triples) is added to it, in its own graph; the graph need not be read a second time."""
    if wikidata:
        store.bulk_load(wikidata, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPHS["wikidata"])),
                        lenient=True)
    return reconcile(store, [ox.DefaultGraph()])


def reconciled_for_build(texts: dict[str, str], wikidata: str, validated: ox.Store | None = None) -> list[Row]:
    """The rows a build derives from its graphs (``texts``, N-Triples by key of GRAPHS) and the kept harvest:
    read from ``validated``, the in-memory store its validation made, where there is one (:func:`reconciled_in`),
    else from the texts (:func:`reconciled`)."""
    if validated is not None:
        return reconciled_in(validated, wikidata)
    return reconciled({"data": texts["data"], "inferred": texts["inferred"], "wikidata": wikidata})
