"""bench/world.py: the world-shaped synthetic workload (issue 14).

A small world (a few thousand triples) is generated and checked: the same seed gives the same
quads, the size asked for, a heavy-tailed network, a source on every agreement, national and
international scopes that match the parties' countries, dates in range, only synthetic IRIs,
and data that conforms to the shapes next to the bundled graph, validated the way the build
validates (owlrl entailments, then the project's pyshacl validation).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import world  # noqa: E402

SIZE = 4000
PDO = world.PDO
TYPE, DERIVED = world.RDF_TYPE, world.DERIVED
HAS_PARTY, SCOPE, START = (ox.NamedNode(PDO + name) for name in ("hasParty", "scope", "startDate"))
LOCATED_IN, GOVERNS, HAS_SEAT = (ox.NamedNode(PDO + name) for name in ("locatedIn", "governs", "hasSeat"))
AGREEMENT_CLASSES = {ox.NamedNode(PDO + name) for name in (
    "Agreement", "SisterCityAgreement", "DecentralizedCooperationAgreement", "InterinstitutionalAgreement")}
NATIONAL = ox.NamedNode(world.VOCAB + "scope/national")
INTERNATIONAL = ox.NamedNode(world.VOCAB + "scope/international")


@cache
def sample(seed: int = 0) -> tuple[ox.Quad, ...]:
    return tuple(world.generate(SIZE, seed))


def triples(seed: int = 0) -> list[ox.Triple]:
    return [q.triple for q in sample(seed)]


def agreements(seed: int = 0) -> set[ox.NamedNode]:
    return {t.subject for t in triples(seed) if t.predicate == TYPE and t.object in AGREEMENT_CLASSES}


def test_deterministic_for_a_seed() -> None:
    again = tuple(world.generate(SIZE, 0))
    assert [str(q) for q in again] == [str(q) for q in sample(0)]
    assert {str(q) for q in sample(1)} != {str(q) for q in sample(0)}


def test_size_within_tolerance_and_only_the_data_graph() -> None:
    for size in (2000, SIZE, 12000):
        quads = list(world.generate(size, 0)) if size != SIZE else list(sample(0))
        assert abs(len(quads) - size) <= 0.05 * size, (size, len(quads))
        assert len(set(quads)) == len(quads), "no quad twice"
        assert {q.graph_name for q in quads} == {ox.NamedNode("https://w3id.org/paradip/graph/data")}
    for size, seed in ((SIZE, 0), (SIZE, 1), (30000, 0)):  # the plan counts its triples without making them
        plan = world.plan(size, seed)
        assert plan.triples() == sum(1 for _ in world.quads(plan)), (size, seed)


def test_degree_distribution_is_heavy_tailed() -> None:
    for size in (SIZE, 30000):
        degree = Counter(t.object for t in (triples() if size == SIZE else (q.triple for q in world.generate(size, 0)))
                         if t.predicate == HAS_PARTY)
        values = sorted(degree.values())
        median, top = statistics.median(values), values[-1]
        one_or_two = sum(v <= 2 for v in values) / len(values)
        assert median <= 2 and one_or_two >= 0.7, (median, one_or_two)
        assert top >= (6 if size == SIZE else 25) * median, (top, median)
    # the plan's own statistics agree with the quads
    stats = world.plan(30000, 0).stats()
    assert stats["max_degree"] == top and stats["median_degree"] == median


def test_every_agreement_has_two_parties_a_source_and_one_scope() -> None:
    data = triples()
    sources = {t.subject for t in data if t.predicate == TYPE and t.object == ox.NamedNode(PDO + "SourceDocument")}
    by_subject: dict[ox.NamedNode, dict[ox.NamedNode, list]] = defaultdict(lambda: defaultdict(list))
    for t in data:
        by_subject[t.subject][t.predicate].append(t.object)
    found = agreements()
    assert len(found) > 50
    for agreement in found:
        facts = by_subject[agreement]
        assert facts[DERIVED] and set(facts[DERIVED]) <= sources, agreement
        assert len(set(facts[HAS_PARTY])) == 2, agreement
        assert len(facts[SCOPE]) == 1, agreement
    # every thing, not only agreements, has its source and its two labels
    for subject, facts in by_subject.items():
        if ox.NamedNode(PDO + "SourceDocument") not in facts[TYPE]:
            assert facts[DERIVED], subject
        labels = sorted(label.language for label in facts[world.LABEL])
        assert labels == ["en", "es"], subject


def test_scopes_are_national_and_international_and_match_the_countries() -> None:
    data = triples()
    up: dict[ox.NamedNode, ox.NamedNode] = {}
    for t in data:
        if t.predicate in (LOCATED_IN, HAS_SEAT):  # a government's seat, a seat's municipality or state, …
            up[t.subject] = t.object
    countries = {t.subject for t in data if t.predicate == TYPE and t.object == ox.NamedNode(PDO + "Country")}

    def country(government: ox.NamedNode) -> ox.NamedNode:
        place = government
        while place not in countries:
            place = up[place]
        return place

    parties = defaultdict(list)
    scopes = {}
    for t in data:
        if t.predicate == HAS_PARTY:
            parties[t.subject].append(t.object)
        elif t.predicate == SCOPE:
            scopes[t.subject] = t.object
    assert set(scopes.values()) == {NATIONAL, INTERNATIONAL}
    share = sum(s == NATIONAL for s in scopes.values()) / len(scopes)
    assert 0.1 < share < 0.5, share
    for agreement, (a, b) in parties.items():
        assert (country(a) == country(b)) == (scopes[agreement] == NATIONAL), agreement


def test_dates_in_range() -> None:
    data = triples()
    starts = [t.object for t in data if t.predicate == START]
    assert len(starts) == len(agreements())
    kinds = Counter(s.datatype.value.rsplit("#", 1)[1] for s in starts)
    assert set(kinds) == {"gYear", "gYearMonth", "date"}, kinds
    years = [int(s.value[:4]) for s in starts]
    assert world.FIRST_YEAR <= min(years) and max(years) <= world.LAST_YEAR <= time.gmtime().tm_year
    assert max(years) - min(years) > 40
    start_of = {t.subject: int(t.object.value[:4]) for t in data if t.predicate == START}
    ends = [(t.subject, int(t.object.value)) for t in data if t.predicate == world.END_DATE]
    assert ends, "some agreements have ended"
    assert all(start_of[a] < end <= world.LAST_YEAR for a, end in ends)
    founded = [int(t.object.value) for t in data if t.predicate == ox.NamedNode(PDO + "foundingDate")]
    assert founded and max(founded) < world.FIRST_YEAR


def test_every_iri_is_synthetic_or_a_term_of_the_model() -> None:
    allowed = (world.WORLD, PDO, world.VOCAB, "http://metadata.un.org/sdg/",
               "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
               "http://www.w3.org/ns/prov#", world.END_DATE.value)
    vocab = ox.Store()
    for path in sorted((ROOT / "vocab").glob("*.ttl")):
        vocab.load(path=str(path), format=ox.RdfFormat.TURTLE)
    concepts = {q.subject for q in vocab.quads_for_pattern(None, ox.NamedNode(
        "http://www.w3.org/2004/02/skos/core#inScheme"), None)}
    for t in triples():
        assert t.subject.value.startswith(world.WORLD), t
        assert t.predicate.value.startswith(allowed), t
        if isinstance(t.object, ox.NamedNode):
            assert t.object.value.startswith(allowed), t
            if not t.object.value.startswith((world.WORLD, PDO)):
                assert t.object in concepts, f"{t.object} is not a concept of vocab/"


def test_codes_are_never_real_ones() -> None:
    data = triples()
    codes = {t.object.value for t in data if t.predicate == ox.NamedNode(PDO + "isoCountryCode")}
    assert codes <= set(world.USER_CODES) and "XK" not in codes
    inegi = [t.object.value for t in data if t.predicate == ox.NamedNode(PDO + "inegiCode")]
    assert inegi, "the INEGI-like country is in the sample"
    assert all(int(code[:2]) > 32 for code in inegi)  # INEGI's CVE_ENT runs 01-32


@pytest.mark.slow
def test_conforms_to_the_shapes_with_the_bundled_graph(tmp_path: Path) -> None:
    """The world next to the bundled graph, inferred and validated as `paradip-kg build` does."""
    from paradip_kg.build import load_sources
    from paradip_kg.inference.closure import infer
    from paradip_kg.shacl.engine import validate

    project = tmp_path / "project"
    world.write_project(project, world.plan(2500, 0))
    started = time.perf_counter()
    sources = load_sources(project)
    asserted = sources.union()
    inferred, errors = infer(asserted)
    assert errors == []
    for triple in inferred:
        asserted.add(triple)
    report = validate(asserted, sources.shapes, allow_warnings=True)
    counts = report.counts()
    print(f"world 2500 + bundled: {len(sources.data)} data triples, inference and validation "
          f"{time.perf_counter() - started:.1f} s, results {counts}")
    assert counts["Violation"] == 0 and counts["Warning"] == 0, report.text("en", limit=20)
