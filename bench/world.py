"""A world-shaped, synthetic twinning network, for benchmarks at scale. NOT real data.

Local governments in every country of a synthetic world, and the agreements between them,
shaped the way real twinning networks are (Wikidata's P190: ~34,000 links among ~10,000
places): most governments have one or two partners, a few have 50 to 100 (a truncated
power-law degree sequence, ``ALPHA``), a share of the agreements is national and the rest
international, start dates run from 1950 to ``LAST_YEAR`` (year, year-month or full date, as
the model allows), some agreements have ended, and every agreement carries its sources.

The data follows the project's model (docs/model.md) and **conforms to the shapes**: copied
into ``data/`` next to the bundled graph, ``paradip-kg build`` of it exits 0. How:

- every thing has one ``rdfs:label`` in es and one in en and ``prov:wasDerivedFrom`` a
  ``pdo:SourceDocument`` (one synthetic registry per country, a synthetic crawl, a synthetic
  gazetteer); the source documents have labels too;
- countries have exactly one ``pdo:isoCountryCode`` of two upper-case letters, taken from the
  ISO 3166-1 *user-assigned* range (AA, QM–QZ, XA–XZ but XK, ZZ), which no real country has,
  so no real code is put on a synthetic country. There are only 41 such codes, so in worlds of
  more than 41 countries codes repeat (no shape requires a code to be unique; the country IRI
  is the key). None is a code of the bundled data (MX, US, …), so the importer's reference
  data (data/places.ttl: code → country) is never ambiguous for the bundled tables;
- exactly one country (``INEGI_COUNTRY``) plays Mexico's part in the model: its states,
  municipalities and seats carry INEGI-*like* codes (``pdo:inegiCode``, 2/5/9 digits) that obey
  ``pdsh:InegiCodeNestingShape`` (municipality = state + 3 digits, locality = municipality + 4).
  Their state codes are 33–99: INEGI's CVE_ENT ends at 32, so none is a real code. The IRIs
  are under ``synthetic/world/`` (never ``/id/…/mx-…``), so ``pdsh:InegiCodeKeyShape`` does
  not apply to them. No other country has INEGI codes;
- the scope follows the parties' countries (national = same country, the SHACL-SPARQL rules
  ``NationalAgreementCountries`` / ``InternationalAgreementCountries``); decentralized
  cooperation and interinstitutional agreements are international only (they are subclasses
  of ``InternationalAgreement``); no two agreements share both parties
  (``AgreementDuplicate``), no government is its own partner, and every territory is governed
  by one government (``AgreementDistinctActors``);
- dates are never after ``LAST_YEAR`` (a constant, so the output does not depend on the day it
  is made; ``NoFutureDate``), and founding dates, where given, are before 1950
  (``AgreementAfterFounding``).

End dates: the model has no end-date property (docs/model.md lists ``pdo:startDate`` ⊑
``schema:startDate`` only), so an ended agreement carries ``schema:endDate`` (``END_DATE``),
the property the model's start date specialises. No shape reads it; change ``END_DATE`` when
the ontology gets its own.

Every IRI it mints is under ``https://w3id.org/paradip/synthetic/world/``; the only other IRIs
it uses are the ontology's terms, the project's vocabularies (scope, theme, unit, the UN SDG
IRIs listed in vocab/sdg) and schema.org's ``endDate``.

``triples`` is the number of asserted data triples the world has (within ±5%, usually ±1%):
the bundled graph and everything inference adds come on top.

    python bench/world.py --triples 100000 --out var/world.nt          # the data graph, N-Triples
    python bench/world.py --triples 100000 --out var/world.nq          # the same as N-Quads
    python bench/world.py --triples 100000 --project var/world-100k    # a project folder:
    paradip-kg --project-dir var/world-100k --store var/world-100k-store build

Deterministic for a given ``--triples`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import bisect
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

SYNTHETIC = "https://w3id.org/paradip/synthetic/"
WORLD = SYNTHETIC + "world/"
PDO = "https://w3id.org/paradip/ontology#"
VOCAB = "https://w3id.org/paradip/vocab/"
GRAPH = "https://w3id.org/paradip/graph/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATA = ox.NamedNode(GRAPH + "data")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
END_DATE = ox.NamedNode("https://schema.org/endDate")

FIRST_YEAR, LAST_YEAR = 1950, 2024
# ISO 3166-1 alpha-2 user-assigned codes (no country has them); XK is left out (used for Kosovo).
USER_CODES = ("AA", *(f"Q{c}" for c in "MNOPQRSTUVWXYZ"), *(f"X{c}" for c in "ABCDEFGHIJLMNOPQRSTUVWXYZ"), "ZZ")
MAX_COUNTRIES = 195
INEGI_COUNTRY = 1  # the country whose places carry INEGI-like codes (the second largest)
INEGI_FIRST_STATE = 33  # INEGI's CVE_ENT runs 01-32: 33-99 are no real state's
THEMES = ("economic", "administrative", "environmental", "cultural-promotion", "trade", "development",
          "technical-cooperation", "social", "political")  # vocab/theme has no "other" (since dd4c226)
SDGS = (*(str(n) for n in range(1, 18)), "11.3", "11.a", "16.6", "16.7", "17.9", "17.16", "17.17")

# The network's shape.
ALPHA = 2.3  # degree exponent: P(d) ~ d^-ALPHA for 1 <= d <= max_degree
NATIONAL = 0.3  # share of a government's agreements it tries to make inside its country
COUNTRY_ZIPF = 0.9  # governments per country ~ 1 / rank^COUNTRY_ZIPF
WITH_MUNICIPALITY = 0.5  # outside the INEGI country, the share of governments with a municipality node
STATE_GOVERNMENT = 0.15  # the share of states whose government is a party too
# Kinds of agreement: (class, es, en, international only, weight among international, among national)
KINDS = (
    ("SisterCityAgreement", "Hermanamiento", "twinning", False, 0.70, 0.85),
    ("DecentralizedCooperationAgreement", "Acuerdo de cooperación descentralizada",
     "decentralized cooperation agreement", True, 0.12, 0.0),
    ("InterinstitutionalAgreement", "Acuerdo interinstitucional", "interinstitutional agreement", True, 0.10, 0.0),
    ("Agreement", "Acuerdo", "agreement", False, 0.08, 0.15),
)


def pdo(name: str) -> ox.NamedNode:
    return ox.NamedNode(PDO + name)


def node(path: str) -> ox.NamedNode:
    return ox.NamedNode(WORLD + path)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def max_degree(governments: int) -> int:
    """The most partners a government can have: 100 in a world of ~4,500 governments or more."""
    return max(4, min(100, round(1.5 * governments ** 0.5)))


# ---------------------------------------------------------------------------------------------
# The plan: every decision, made once from the seed
# ---------------------------------------------------------------------------------------------


@dataclass
class Country:
    index: int
    code: str
    states: list[int] = field(default_factory=list)


@dataclass
class State:
    index: int
    country: int
    number: int  # within the country, from 0
    inegi: str | None
    government: int | None = None  # a StateGovernment that is a party, if any


@dataclass
class Government:
    index: int
    country: int
    state: int
    level: str  # "municipal" or "state"
    municipality: bool  # a municipal government: does it govern a municipality node (or has it a seat only)
    inegi: str | None  # the municipality's INEGI-like code
    locality_inegi: str | None
    founded: int | None  # founding year of the seat
    seat: int  # the government whose seat locality this one shares (state governments: the capital's)

    @property
    def key(self) -> str:
        return f"c{self.country}-s{self.state}" if self.level == "state" else f"c{self.country}-m{self.index}"


@dataclass
class Agreement:
    index: int
    first: int
    second: int
    national: bool
    kind: int
    start: tuple[int, int | None, int | None]
    end: int | None
    themes: tuple[int, ...]
    sdgs: tuple[int, ...]
    crawl: bool
    row: int = 0


@dataclass
class World:
    seed: int
    countries: list[Country]
    states: list[State]
    governments: list[Government]
    agreements: list[Agreement]
    claims: list[int]  # governments a statistical claim (their number of agreements) is about

    def degrees(self) -> list[int]:
        degree = [0] * len(self.governments)
        for a in self.agreements:
            degree[a.first] += 1
            degree[a.second] += 1
        return degree

    def triples(self) -> int:
        """How many quads :func:`quads` yields (counted from the plan, without making them)."""
        count = 8 + 9 * len(self.countries) + sum(5 + bool(s.inegi) for s in self.states) + 10 * len(self.claims)
        for g in self.governments:
            if g.level == "state":
                count += 6
                continue
            count += 10 + (g.locality_inegi is not None) + (g.founded is not None)
            if g.municipality:
                count += 6 + (g.inegi is not None)
        return count + sum(_agreement_size(a) for a in self.agreements)

    def stats(self) -> dict[str, float]:
        degree = [d for d in self.degrees() if d]
        national = sum(a.national for a in self.agreements)
        return {"agreements": len(self.agreements), "national": national,
                "international": len(self.agreements) - national,
                "governments": len(self.governments),
                "state_governments": sum(g.level == "state" for g in self.governments),
                "countries": len(self.countries), "states": len(self.states),
                "max_degree": max(degree, default=0), "median_degree": statistics.median(degree) if degree else 0,
                "mean_degree": round(statistics.fmean(degree), 2) if degree else 0.0,
                "one_or_two_partners": round(sum(d <= 2 for d in degree) / max(1, len(degree)), 3),
                "fifty_or_more": sum(d >= 50 for d in degree)}


# Rough triples per government (with its seat, municipality and share of agreements), to size a first plan.
PER_GOVERNMENT = 26.0


def plan(triples: int = 1_000_000, seed: int = 0) -> World:
    """The world of about ``triples`` asserted triples for ``seed`` (the same world every time)."""
    target = max(300, triples)
    governments = max(12, round(target / PER_GOVERNMENT))
    world = _plan(governments, seed)
    for _ in range(3):  # the count is about linear in the number of governments: correct it
        count = world.triples()
        if abs(count - target) <= 0.02 * target:
            break
        governments = max(12, round(governments * target / count))
        world = _plan(governments, seed)
    _fit(world, target, random.Random(seed * 7919 + 1))
    return world


def _plan(n_governments: int, seed: int) -> World:
    rng = random.Random(seed)
    n_countries = max(3, min(MAX_COUNTRIES, n_governments // 15))
    countries = [Country(c, USER_CODES[c % len(USER_CODES)]) for c in range(n_countries)]

    # Governments per country: Zipf over the countries, at least one each.
    weights = [1 / (rank + 1) ** COUNTRY_ZIPF for rank in range(n_countries)]
    per_country = [1] * n_countries
    for c in _choices(rng, range(n_countries), weights, n_governments - n_countries):
        per_country[c] += 1

    states: list[State] = []
    governments: list[Government] = []
    for country in countries:
        count = per_country[country.index]
        n_states = max(1, min(count, round(1.2 * count ** 0.5)))
        inegi = country.index == INEGI_COUNTRY
        if inegi:
            n_states = min(n_states, 100 - INEGI_FIRST_STATE)
        per_state = [1] * n_states
        for s in _choices(rng, range(n_states), [1.0] * n_states, count - n_states):
            per_state[s] += 1
        if inegi and max(per_state) > 999:
            raise ValueError("too many municipalities for 3-digit INEGI-like codes; raise the number of states")
        for number, size in enumerate(per_state):
            state = State(len(states), country.index, number, f"{INEGI_FIRST_STATE + number:02d}" if inegi else None)
            states.append(state)
            country.states.append(state.index)
            capital = len(governments)
            for m in range(size):
                with_municipality = inegi or rng.random() < WITH_MUNICIPALITY
                code = f"{state.inegi}{m + 1:03d}" if inegi else None
                locality = f"{code}0001" if code and rng.random() < 0.7 else None
                founded = rng.randrange(1500, FIRST_YEAR - 10) if rng.random() < 0.1 else None
                governments.append(Government(len(governments), country.index, state.index, "municipal",
                                              with_municipality, code, locality, founded, len(governments)))
            if rng.random() < STATE_GOVERNMENT:
                state.government = len(governments)
                governments.append(Government(len(governments), country.index, state.index, "state",
                                              False, None, None, None, capital))

    # Degrees: a truncated power law; each stub national or international.
    top = max_degree(len(governments))
    sizes = range(1, top + 1)
    degree = _choices(rng, sizes, [d ** -ALPHA for d in sizes], len(governments))
    in_country: dict[int, list[int]] = {}
    for g in governments:
        in_country.setdefault(g.country, []).append(g.index)
    national_stubs: dict[int, list[int]] = {c: [] for c in range(n_countries)}
    international_stubs: list[int] = []
    for g, d in zip(governments, degree, strict=True):
        alone = len(in_country[g.country]) == 1
        for _ in range(d):
            if not alone and rng.random() < NATIONAL:
                national_stubs[g.country].append(g.index)
            else:
                international_stubs.append(g.index)

    linked: set[tuple[int, int]] = set()
    pairs: list[tuple[int, int]] = []

    def same_country(a: int, b: int) -> bool:
        return governments[a].country == governments[b].country

    for c in range(n_countries):
        pairs += _match(rng, national_stubs[c], linked, lambda a, b: True)
    pairs += _match(rng, international_stubs, linked, lambda a, b: not same_country(a, b))

    # Every government has at least one partner: the lonely ones join someone, preferentially a hub.
    have = [0] * len(governments)
    for a, b in pairs:
        have[a] += 1
        have[b] += 1
    pick = _sampler(range(len(governments)), [h + 0.5 for h in have])  # the degrees before this pass
    for g in range(len(governments)):
        if have[g]:
            continue
        for _ in range(50):
            partner = pick(rng)
            if partner != g and _key(g, partner) not in linked:
                break
        else:
            continue  # 50 draws and no partner (only in a world of a handful of governments)
        linked.add(_key(g, partner))
        pairs.append((g, partner))
        have[g] += 1
        have[partner] += 1

    agreements = [_agreement(rng, i, a, b, same_country(a, b)) for i, (a, b) in enumerate(pairs)]
    world = World(seed, countries, states, governments, agreements, [])
    _number(world)
    # A few statistical claims: the number of agreements of the busiest governments.
    busiest = sorted(range(len(governments)), key=lambda g: (-have[g], g))
    world.claims = sorted(busiest[:max(1, len(agreements) // 500)])
    return world


def _agreement(rng: random.Random, index: int, a: int, b: int, national: bool) -> Agreement:
    if rng.random() < 0.5:
        a, b = b, a  # which party reports it
    kind = _choices(rng, range(len(KINDS)), [k[5] if national else k[4] for k in KINDS], 1)[0]
    year = FIRST_YEAR + min(LAST_YEAR - FIRST_YEAR, int((LAST_YEAR - FIRST_YEAR + 1) * rng.random() ** 0.6))
    precision = rng.random()
    month = rng.randrange(1, 13) if precision < 0.45 else None
    day = rng.randrange(1, 29) if month and precision < 0.1 else None
    end = None
    if year < LAST_YEAR - 2 and rng.random() < 0.08:
        end = year + 1 + rng.randrange(min(40, LAST_YEAR - year))
    n_themes = _choices(rng, (0, 1, 2, 3), (0.1, 0.55, 0.25, 0.1), 1)[0]
    n_sdgs = _choices(rng, (0, 1, 2), (0.4, 0.4, 0.2), 1)[0]
    themes = tuple(sorted(rng.sample(range(len(THEMES)), n_themes)))
    sdgs = tuple(sorted(rng.sample(range(len(SDGS)), n_sdgs)))
    return Agreement(index, a, b, national, kind, (year, month, day), end, themes, sdgs, rng.random() < 0.3)


def _agreement_size(a: Agreement) -> int:
    """How many quads :func:`_agreement_quads` yields for ``a``."""
    return 9 + (a.end is not None) + len(a.themes) + len(a.sdgs) + a.crawl + (KINDS[a.kind][0] == "SisterCityAgreement")


def _fit(world: World, target: int, rng: random.Random) -> None:
    """Add or drop agreements until the world is within half an agreement of ``target`` triples."""
    count = world.triples()
    governments = world.governments
    degree = world.degrees()
    linked = {_key(a.first, a.second) for a in world.agreements}
    pick = _sampler(range(len(governments)), [d + 0.5 for d in degree])  # preferential, as in _plan
    tries = 0
    while count < target and tries < 100_000:
        tries += 1
        a, b = pick(rng), pick(rng)
        if a == b or _key(a, b) in linked:
            continue
        agreement = _agreement(rng, len(world.agreements), a, b, governments[a].country == governments[b].country)
        size = _agreement_size(agreement)
        if count + size / 2 > target:
            break
        linked.add(_key(a, b))
        world.agreements.append(agreement)
        degree[a] += 1
        degree[b] += 1
        count += size
    if count > target:
        order = list(range(len(world.agreements)))
        rng.shuffle(order)
        dropped: set[int] = set()
        for i in order:
            agreement = world.agreements[i]
            if degree[agreement.first] < 2 or degree[agreement.second] < 2:
                continue  # keep every government with a partner
            size = _agreement_size(agreement)
            if count - size / 2 < target:
                break
            dropped.add(i)
            degree[agreement.first] -= 1
            degree[agreement.second] -= 1
            count -= size
        world.agreements = [a for i, a in enumerate(world.agreements) if i not in dropped]
    for i, agreement in enumerate(world.agreements):
        agreement.index = i
    _number(world)


def _number(world: World) -> None:
    """Row numbers in each country's registry (the source of the reporting party's country)."""
    rows = [0] * len(world.countries)
    for agreement in world.agreements:
        country = world.governments[agreement.first].country
        rows[country] += 1
        agreement.row = rows[country]


def _match(rng: random.Random, stubs: list[int], linked: set[tuple[int, int]], allowed) -> list[tuple[int, int]]:
    """Pair stubs at random (configuration model); no self-pairs, no pair twice, ``allowed(a, b)``."""
    stubs = list(stubs)
    pairs = []
    for _ in range(8):
        rng.shuffle(stubs)
        left = []
        for i in range(0, len(stubs) - 1, 2):
            a, b = stubs[i], stubs[i + 1]
            if a != b and _key(a, b) not in linked and allowed(a, b):
                linked.add(_key(a, b))
                pairs.append((a, b))
            else:
                left += (a, b)
        if len(stubs) % 2:
            left.append(stubs[-1])
        stubs = left
        if len(stubs) < 2:
            break
    return pairs  # stubs still left are dropped


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _sampler(population, weights) -> Callable[[random.Random], Any]:
    """Draw one of ``population`` with probability proportional to its weight."""
    population = list(population)
    total, cumulative = 0.0, []
    for w in weights:
        total += w
        cumulative.append(total)
    last = len(population) - 1
    return lambda rng: population[bisect.bisect(cumulative, rng.random() * total, 0, last)]


def _choices(rng: random.Random, population, weights, k: int) -> list:
    pick = _sampler(population, weights)
    return [pick(rng) for _ in range(k)]


# ---------------------------------------------------------------------------------------------
# The quads
# ---------------------------------------------------------------------------------------------


def _labels(subject: ox.NamedNode, es: str, en: str) -> Iterator[ox.Quad]:
    yield ox.Quad(subject, LABEL, ox.Literal(es, language="es"), DATA)
    yield ox.Quad(subject, LABEL, ox.Literal(en, language="en"), DATA)


def _registry(country: int) -> ox.NamedNode:
    return node(f"source/registry-c{country}")


GAZETTEER, CRAWL = node("source/gazetteer"), node("source/crawl")


def _city(g: Government) -> tuple[str, str]:
    return f"Ciudad sintética {g.seat}", f"Synthetic city {g.seat}"


def _government_names(world: World, g: Government) -> tuple[str, str]:
    if g.level == "state":
        state = world.states[g.state]
        return f"Estado sintético {state.index}", f"Synthetic state {state.index}"
    return _city(g)


def _agreement_quads(world: World, a: Agreement) -> Iterator[ox.Quad]:
    one, two = world.governments[a.first], world.governments[a.second]
    cls, es, en = KINDS[a.kind][:3]
    agreement = node(f"agreement/{one.key}--{two.key}")
    first, second = node(f"government/{one.key}"), node(f"government/{two.key}")
    name1, name2 = _government_names(world, one), _government_names(world, two)
    yield ox.Quad(agreement, RDF_TYPE, pdo(cls), DATA)
    yield from _labels(agreement, f"{es} {name1[0]} – {name2[0]}", f"{name1[1]} – {name2[1]} {en}")
    scope = "scope/national" if a.national else "scope/international"
    yield ox.Quad(agreement, pdo("scope"), ox.NamedNode(VOCAB + scope), DATA)
    yield ox.Quad(agreement, pdo("hasParty"), first, DATA)
    yield ox.Quad(agreement, pdo("hasParty"), second, DATA)
    year, month, day = a.start
    if day:
        start = typed(f"{year:04d}-{month:02d}-{day:02d}", "date")
    elif month:
        start = typed(f"{year:04d}-{month:02d}", "gYearMonth")
    else:
        start = typed(f"{year:04d}", "gYear")
    yield ox.Quad(agreement, pdo("startDate"), start, DATA)
    if a.end is not None:
        yield ox.Quad(agreement, END_DATE, typed(f"{a.end:04d}", "gYear"), DATA)
    yield ox.Quad(agreement, pdo("tableRow"), typed(str(a.row), "integer"), DATA)
    for t in a.themes:
        yield ox.Quad(agreement, pdo("theme"), ox.NamedNode(f"{VOCAB}theme/{THEMES[t]}"), DATA)
    for s in a.sdgs:
        yield ox.Quad(agreement, pdo("alignedWith"), ox.NamedNode(f"http://metadata.un.org/sdg/{SDGS[s]}"), DATA)
    yield ox.Quad(agreement, DERIVED, _registry(one.country), DATA)
    if a.crawl:
        yield ox.Quad(agreement, DERIVED, CRAWL, DATA)
    if cls == "SisterCityAgreement":  # as the importer does: the reporting government is twinned with the partner
        yield ox.Quad(first, pdo("twinnedWith"), second, DATA)


def quads(world: World) -> Iterator[ox.Quad]:
    """The world's data graph."""
    yield ox.Quad(GAZETTEER, RDF_TYPE, pdo("SourceDocument"), DATA)
    yield from _labels(GAZETTEER, "Nomenclátor sintético del mundo (no real)", "Synthetic world gazetteer (not real)")
    yield ox.Quad(GAZETTEER, pdo("publicationYear"), typed(str(LAST_YEAR), "gYear"), DATA)
    yield ox.Quad(CRAWL, RDF_TYPE, pdo("SourceDocument"), DATA)
    yield from _labels(CRAWL, "Recopilación sintética de hermanamientos (no real)",
                       "Synthetic crawl of twinnings (not real)")
    yield ox.Quad(CRAWL, pdo("publicationYear"), typed(str(LAST_YEAR), "gYear"), DATA)

    for country in world.countries:
        c = country.index
        iri = node(f"country/c{c}")
        yield ox.Quad(iri, RDF_TYPE, pdo("Country"), DATA)
        yield from _labels(iri, f"País sintético {c}", f"Synthetic country {c}")
        yield ox.Quad(iri, pdo("isoCountryCode"), ox.Literal(country.code), DATA)
        yield ox.Quad(iri, DERIVED, GAZETTEER, DATA)
        registry = _registry(c)
        yield ox.Quad(registry, RDF_TYPE, pdo("SourceDocument"), DATA)
        yield from _labels(registry, f"Registro sintético de acuerdos del país sintético {c} (no real)",
                           f"Synthetic registry of agreements of synthetic country {c} (not real)")
        yield ox.Quad(registry, pdo("publicationYear"), typed(str(LAST_YEAR), "gYear"), DATA)

    for state in world.states:
        iri = node(f"state/c{state.country}-s{state.index}")
        yield ox.Quad(iri, RDF_TYPE, pdo("State"), DATA)
        yield from _labels(iri, f"Estado sintético {state.index}", f"Synthetic state {state.index}")
        yield ox.Quad(iri, pdo("locatedIn"), node(f"country/c{state.country}"), DATA)
        if state.inegi:
            yield ox.Quad(iri, pdo("inegiCode"), ox.Literal(state.inegi), DATA)
        yield ox.Quad(iri, DERIVED, GAZETTEER, DATA)

    for g in world.governments:
        state = world.states[g.state]
        registry = _registry(g.country)
        government = node(f"government/{g.key}")
        if g.level == "state":
            yield ox.Quad(government, RDF_TYPE, pdo("StateGovernment"), DATA)
            yield from _labels(government, f"Gobierno del estado sintético {state.index}",
                               f"Government of synthetic state {state.index}")
            yield ox.Quad(government, pdo("governs"), node(f"state/c{state.country}-s{state.index}"), DATA)
            yield ox.Quad(government, pdo("hasSeat"), node(f"locality/{world.governments[g.seat].key}"), DATA)
            yield ox.Quad(government, DERIVED, registry, DATA)
            continue
        es, en = _city(g)
        locality = node(f"locality/{g.key}")
        yield ox.Quad(government, RDF_TYPE, pdo("MunicipalGovernment"), DATA)
        yield from _labels(government, f"Gobierno municipal de {es}", f"Municipal government of {en}")
        yield ox.Quad(government, pdo("hasSeat"), locality, DATA)
        yield ox.Quad(government, DERIVED, registry, DATA)
        place = node(f"state/c{state.country}-s{state.index}")
        if g.municipality:
            municipality = node(f"municipality/{g.key}")
            yield ox.Quad(government, pdo("governs"), municipality, DATA)
            yield ox.Quad(municipality, RDF_TYPE, pdo("Municipality"), DATA)
            yield from _labels(municipality, f"Municipio sintético {g.index}", f"Synthetic municipality {g.index}")
            yield ox.Quad(municipality, pdo("locatedIn"), place, DATA)
            if g.inegi:
                yield ox.Quad(municipality, pdo("inegiCode"), ox.Literal(g.inegi), DATA)
            yield ox.Quad(municipality, DERIVED, GAZETTEER, DATA)
            place = municipality
        yield ox.Quad(locality, RDF_TYPE, pdo("Locality"), DATA)
        yield from _labels(locality, es, en)
        yield ox.Quad(locality, pdo("locatedIn"), place, DATA)
        if g.locality_inegi:
            yield ox.Quad(locality, pdo("inegiCode"), ox.Literal(g.locality_inegi), DATA)
        if g.founded is not None:
            yield ox.Quad(locality, pdo("foundingDate"), typed(f"{g.founded:04d}", "gYear"), DATA)
        yield ox.Quad(locality, DERIVED, GAZETTEER, DATA)

    for agreement in world.agreements:
        yield from _agreement_quads(world, agreement)

    degree = world.degrees()
    for g in world.claims:
        government = world.governments[g]
        claim = node(f"claim/agreements-{government.key}")
        es, en = _government_names(world, government)
        yield ox.Quad(claim, RDF_TYPE, pdo("StatisticalClaim"), DATA)
        yield from _labels(claim, f"Acuerdos de {es}", f"Agreements of {en}")
        yield ox.Quad(claim, pdo("value"), typed(str(degree[g]), "decimal"), DATA)
        yield ox.Quad(claim, pdo("unit"), ox.NamedNode(VOCAB + "unit/count"), DATA)
        yield ox.Quad(claim, pdo("about"), node(f"government/{government.key}"), DATA)
        yield ox.Quad(claim, pdo("claimText"), ox.Literal(f"{es} tiene {degree[g]} acuerdos.", language="es"), DATA)
        yield ox.Quad(claim, pdo("claimText"), ox.Literal(f"{en} has {degree[g]} agreements.", language="en"), DATA)
        yield ox.Quad(claim, pdo("referenceDate"), typed(str(LAST_YEAR), "gYear"), DATA)
        yield ox.Quad(claim, DERIVED, _registry(government.country), DATA)


def generate(triples: int = 1_000_000, seed: int = 0) -> Iterator[ox.Quad]:
    """About ``triples`` (±5%) quads of the data graph of a synthetic world; the same ones for the same seed."""
    yield from quads(plan(triples, seed))


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def write_project(project: Path, world: World, repo: Path = ROOT) -> Path:
    """A project folder: the repository's ontology/, vocab/, shapes/ and data/, plus data/world.nt."""
    if project.exists() and any(project.iterdir()):
        raise FileExistsError(f"{project} exists and is not empty")
    for folder in ("ontology", "vocab", "shapes", "data"):
        shutil.copytree(repo / folder, project / folder)
    path = project / "data" / "world.nt"
    ox.serialize((q.triple for q in quads(world)), str(path), ox.RdfFormat.N_TRIPLES)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000, help="asserted data triples (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="an .nt (N-Triples) or .nq (N-Quads) file of the data graph")
    where.add_argument("--project", type=Path, help="a new project folder: the repository's ontology/, vocab/, "
                       "shapes/ and data/ plus data/world.nt")
    parser.add_argument("--repo", type=Path, default=ROOT, help="where ontology/ vocab/ shapes/ data/ are copied from")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    world = plan(args.triples, args.seed)
    planned = time.perf_counter() - started
    if args.project:
        path = write_project(args.project, world, args.repo)
    else:
        path = args.out
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".nq":
            ox.serialize(quads(world), str(path), ox.RdfFormat.N_QUADS)
        else:
            ox.serialize((q.triple for q in quads(world)), str(path), ox.RdfFormat.N_TRIPLES)
    stats = world.stats()
    count = world.triples()
    print(f"wrote {path}: {count} triples ({count / args.triples - 1:+.1%} of {args.triples}), "
          f"planned in {planned:.1f} s, {time.perf_counter() - started:.1f} s in all", file=sys.stderr)
    print(f"{stats['agreements']} agreements ({stats['national']} national, {stats['international']} international), "
          f"{stats['governments']} governments ({stats['state_governments']} state), {stats['states']} states, "
          f"{stats['countries']} countries; partners per government: max {stats['max_degree']}, "
          f"median {stats['median_degree']}, mean {stats['mean_degree']}, "
          f"{stats['one_or_two_partners']:.0%} with one or two, {stats['fifty_or_more']} with 50 or more",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
