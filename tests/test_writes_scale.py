"""Writes on a world-shaped store (bench/world.py): the fast paths equal their oracles.

A small world (~3k triples beside the bundled graph) is built with ``paradip-kg build`` (owlrl,
pyshacl), then written to: new agreements (one of them from the world's best-connected
government, and a founding date of its seat, which reaches back to all its agreements), an
agreement deleted, a general DELETE/INSERT WHERE update, and changes that must be refused (the
labels deleted, a national agreement across two countries, a duplicate agreement, the hub's
seat founded after its agreements began). During every write the
affected nodes are validated twice, with the compiled engine the write uses and with pyshacl
(:mod:`paradip_kg.writes.revalidate`), and the results, as (focus, path, component, severity,
value, shape), must be the same. Afterwards the store must equal a fresh build of the same data:
the same asserted graphs, and the same inferred graph as owlrl gives over everything.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from paradip_kg.build import build
from paradip_kg.errors import WriteRejected
from paradip_kg.namespaces import GRAPHS
from paradip_kg.rdf.terms import to_rdflib
from paradip_kg.shacl.results import Report
from paradip_kg.store.head import open_store
from paradip_kg.writes import commit as writes
from paradip_kg.writes import revalidate
from support.paths import ROOT
from support.rdf import graph_diff

sys.path.insert(0, str(ROOT / "bench"))
import world  # noqa: E402

pytestmark = pytest.mark.slow

DATA = ox.NamedNode(str(GRAPHS["data"]))
PDO = world.PDO
PREFIXES = f"""PREFIX pdo: <{PDO}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
COMPARED = ("data", "inferred", "ontology", "vocab", "shapes")


def results(report: Report) -> Counter[tuple[Any, ...]]:
    return Counter((*r.key, str(r.shape)) for r in report.results)


def country(government: str) -> str:
    found = re.search(r"/government/c(\d+)-", government)
    assert found
    return found.group(1)


def agreement(key: str, a: str, b: str, scope: str | None = None, twinned: bool = True) -> str:
    scope = scope or ("national" if country(a) == country(b) else "international")
    twin = f"<{a}> pdo:twinnedWith <{b}> ." if twinned else ""
    return PREFIXES + f"""INSERT DATA {{ GRAPH <{DATA.value}> {{
  <{world.WORLD}agreement/test-{key}> a pdo:SisterCityAgreement ;
    rdfs:label "Hermanamiento de prueba {key}"@es, "Test twinning {key}"@en ;
    pdo:hasParty <{a}>, <{b}> ;
    pdo:scope <{world.VOCAB}scope/{scope}> ;
    pdo:startDate "1999"^^xsd:gYear ;
    prov:wasDerivedFrom <{world.WORLD}source/crawl> .
  {twin}
}} }}"""


def rdflib_graph(store: ox.Store, name: str) -> Graph:
    found = Graph()
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[name]))):
        found.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return found


def graph(store: ox.Store, name: str) -> set[str]:
    return {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[name])))}


@pytest.fixture(scope="module")
def world_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("world") / "project"
    world.write_project(project, world.plan(3000, 0))
    return project


def test_writes_on_a_world_equal_pyshacl_and_a_fresh_build(world_project: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    store_dir = tmp_path / "store"
    build(world_project, store_dir)
    built = open_store(store_dir)
    parties = Counter(q.object.value for q in built.quads_for_pattern(None, ox.NamedNode(PDO + "hasParty"), None, DATA)
                      if q.object.value.startswith(world.WORLD))
    governments = sorted(parties)
    hub = parties.most_common(1)[0][0]
    same = next(g for g in governments if g != hub and country(g) == country(hub))
    abroad = next(g for g in governments if country(g) != country(hub))
    leaves = [g for g in governments if parties[g] == 1]
    seat = next(q.object for q in built.quads_for_pattern(ox.NamedNode(hub), ox.NamedNode(PDO + "hasSeat"), None, DATA))
    victim = min((q.subject for q in built.quads_for_pattern(None, ox.NamedNode(PDO + "hasParty"), ox.NamedNode(hub),
                                                             DATA)), key=str)
    victim_triples = " ".join(f"{q.triple} ." for q in built.quads_for_pattern(victim, None, None, DATA))
    del built

    compared: list[tuple[int, bool]] = []
    fast = revalidate.revalidate

    def both(store: ox.Store, hit: Any, extra: Any, key: str, engine: str = "auto") -> tuple[Report, int]:
        report, count = fast(store, hit, extra, key, engine="compiled")
        oracle, oracle_count = fast(store, hit, extra, key, engine="pyshacl")
        assert results(report) == results(oracle)
        assert report.conforms == oracle.conforms and count == oracle_count
        compared.append((count, report.conforms))
        return report, count

    monkeypatch.setattr(writes, "revalidate", both)
    accepted = [
        agreement("hub", hub, abroad),  # reaches back to every agreement of the hub
        agreement("national", same, hub, twinned=False),
        agreement("leaves", leaves[0], leaves[-1]),
        # read back by every agreement of the hub (AgreementAfterFounding): they are validated again
        PREFIXES + f'INSERT DATA {{ GRAPH <{DATA.value}> {{ {seat} pdo:foundingDate "1900"^^xsd:gYear }} }}',
        PREFIXES + f"DELETE DATA {{ GRAPH <{DATA.value}> {{ {victim_triples} }} }}",
        PREFIXES + f"""DELETE {{ GRAPH <{DATA.value}> {{ ?a pdo:startDate ?d }} }}
            INSERT {{ GRAPH <{DATA.value}> {{ ?a pdo:startDate "2001-05"^^xsd:gYearMonth }} }}
            WHERE {{ GRAPH <{DATA.value}> {{ ?a pdo:startDate ?d }}
                     VALUES ?a {{ <{world.WORLD}agreement/test-leaves> }} }}""",
    ]
    for text in accepted:
        writes.sparql_update(store_dir, text, agent="test")
    rejected = [
        PREFIXES + f"""DELETE DATA {{ GRAPH <{DATA.value}> {{
            <{world.WORLD}agreement/test-national> rdfs:label "Test twinning national"@en,
                "Hermanamiento de prueba national"@es }} }}""",
        agreement("across", hub, abroad, scope="national", twinned=False),
        agreement("again", leaves[0], leaves[-1], twinned=False),  # the same parties as test-leaves
        # the hub's seat founded after most of its agreements began
        PREFIXES + f"""DELETE {{ GRAPH <{DATA.value}> {{ {seat} pdo:foundingDate ?d }} }}
            INSERT {{ GRAPH <{DATA.value}> {{ {seat} pdo:foundingDate "2024"^^xsd:gYear }} }}
            WHERE {{ GRAPH <{DATA.value}> {{ {seat} pdo:foundingDate ?d }} }}""",
    ]
    for text in rejected:
        with pytest.raises(WriteRejected, match="shape constraint"):
            writes.sparql_update(store_dir, text, agent="test")
    assert [ok for _, ok in compared] == [True] * len(accepted) + [False] * len(rejected)
    counts = [count for count, _ in compared]
    assert counts[0] <= 4, "pdo:twinnedWith is read from the hub only: its agreements are not validated again"
    assert counts[3] > 10 and counts[-1] > 10, "a founding date of the hub's seat reaches back to its agreements"

    # A fresh build of the data as written: the world file with the writes applied.
    head = open_store(store_dir)
    before = graph(ox.Store.read_only(str(store_dir)), "data")
    after = graph(head, "data")
    fresh_project = tmp_path / "fresh"
    shutil.copytree(world_project, fresh_project)
    world_file = fresh_project / "data" / "world.nt"
    lines = set(world_file.read_text(encoding="utf-8").splitlines())
    written = (lines - {t + " ." for t in before - after}) | {t + " ." for t in after - before}
    world_file.write_text("\n".join(sorted(written)) + "\n", encoding="utf-8")
    fresh_dir = tmp_path / "fresh-store"
    build(fresh_project, fresh_dir)  # owlrl and pyshacl over everything: it must infer the same and conform
    fresh = ox.Store.read_only(str(fresh_dir))
    for name in COMPARED:  # blank nodes (in the ontology and the shapes) matched
        expected, actual = rdflib_graph(fresh, name), rdflib_graph(head, name)
        assert isomorphic(expected, actual), f"{name}: {graph_diff(expected, actual)}"
