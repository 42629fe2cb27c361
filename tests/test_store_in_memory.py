"""Serving from memory (setting ``store_in_memory``) and the example queries written for the engine.

- The copy in memory answers every example query as the store on disk does (bundled store).
- A job naming a new published state is answered from that state whole (from disk, then from its
  copy once loaded), never from the old copy.
- The rewritten examples (02, 03, 05, 08, 11, 12, 15) answer what their first forms answered (the forms
  docs/sparql.md says to avoid), on the bundled store and on a ~5k world sample with its entailments.
- A real server serving from memory still stops a runaway query with 503 and keeps answering.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from paradip_kg.backends.embedded import AUTO_MEMORY_QUADS, wants_memory
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.publish.charts import queries
from paradip_kg.publish.charts.world_map import query_map
from paradip_kg.settings import load
from paradip_kg.sparql.execute import execute
from paradip_kg.sparql.in_memory import Published
from paradip_kg.sparql.jobs import Job
from paradip_kg.sparql.runner import QueryRunner
from paradip_kg.store.disk import Manifest
from paradip_kg.web.conneg import BY_NAME
from paradip_kg.web.sparql_page import load_examples
from support.paths import ROOT
from support.servers import Server, start_server, stop_server

sys.path.insert(0, str(ROOT / "bench"))

DEFAULT = tuple(str(GRAPHS[k]) for k in DEFAULT_GRAPHS)
EXAMPLES = {e.slug: e.text for e in load_examples()}
PREFIXES = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
# The first forms of the rewritten examples: what they answered is what the new forms must answer.
FIRST_FORMS = {
    "08-agreements-by-sdg": PREFIXES + """SELECT ?goal ?code (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {
  <https://w3id.org/paradip/vocab/sdg> skos:hasTopConcept ?goal .
  OPTIONAL { ?goal skos:notation ?code }
  OPTIONAL { ?agreement a pdo:Agreement ; pdo:alignedWith ?aligned . ?aligned skos:broader* ?goal . }
}
GROUP BY ?goal ?code ORDER BY xsd:integer(?code)""",
    "02-agreements-by-country": PREFIXES + """SELECT ?country ?iso (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {
  # Each partner's country, worked out once per partner rather than once per agreement.
  {
    SELECT DISTINCT ?partner ?country
    WHERE {
      ?partner pdo:hasSeat/pdo:locatedIn+ ?country .
      ?country a pdo:Country .
    }
  }
  ?agreement a pdo:Agreement ;
             pdo:hasParty ?partner .
  FILTER(?partner != <https://w3id.org/paradip/id/government/mx-23005>)
  OPTIONAL { ?country pdo:isoCountryCode ?iso }
}
GROUP BY ?country ?iso
ORDER BY DESC(?agreements) ?iso""",
    "03-agreements-by-decade": PREFIXES + """SELECT ?decade (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {
  ?agreement a pdo:Agreement ;
             pdo:startDate ?start .
  BIND(CONCAT(SUBSTR(STR(?start), 1, 3), "0s") AS ?decade)
}
GROUP BY ?decade
ORDER BY ?decade""",
    "05-first-and-last-agreement": PREFIXES + """SELECT ?which ?agreement ?partner ?start
WHERE {
  {
    SELECT (MIN(STR(?d)) AS ?first) (MAX(STR(?d)) AS ?last)
    WHERE { ?a a pdo:Agreement ; pdo:startDate ?d . }
  }
  ?agreement a pdo:Agreement ;
             pdo:startDate ?start ;
             pdo:hasParty ?partner .
  FILTER(?partner != <https://w3id.org/paradip/id/government/mx-23005>)
  FILTER(STR(?start) = ?first || STR(?start) = ?last)
  BIND(IF(STR(?start) = ?first, "first", "last") AS ?which)
}
ORDER BY ?start ?partner""",
    "11-cancun-place-chain": PREFIXES + """SELECT ?place ?type ?inegi
WHERE {
  <https://w3id.org/paradip/id/locality/mx-230050001> pdo:locatedIn+ ?place .
  VALUES ?type { pdo:Municipality pdo:State pdo:Country }
  ?place a ?type .
  OPTIONAL { ?place pdo:inegiCode ?inegi }
}
ORDER BY DESC(STRLEN(COALESCE(?inegi, "")))""",
    "15-twinning-network": PREFIXES + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?a pdo:twinnedWith ?b . ?b rdfs:label ?label . }
WHERE {
  ?a pdo:twinnedWith ?b .
  FILTER(?a = <https://w3id.org/paradip/id/government/mx-23005>)
  OPTIONAL { ?b rdfs:label ?label }
}""",
    "12-partners-inegi": PREFIXES + """SELECT DISTINCT ?partner ?municipality ?cvegeo ?state
WHERE {
  ?agreement a pdo:Agreement ; pdo:hasParty ?partner .
  FILTER(?partner != <https://w3id.org/paradip/id/government/mx-23005>)
  ?partner pdo:governs ?municipality .
  ?municipality a pdo:Municipality ; pdo:inegiCode ?cvegeo .
  OPTIONAL { ?municipality pdo:locatedIn ?state . ?state a pdo:State . }
}
ORDER BY ?cvegeo""",
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def answer(store: ox.Store, text: str) -> Any:
    """The rows of a query (in order if it has ORDER BY, else sorted) or its triples (as a set), as strings."""
    result = store.query(text, default_graph=[ox.NamedNode(g) for g in DEFAULT])
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        rows = [tuple(str(t) if t is not None else "" for t in row) for row in result]
        return rows if "ORDER BY" in text else sorted(rows)
    return {str(t) for t in result}


def job(text: str, store_path: str | None = None) -> Job:
    return Job(query=text, formats={"results": BY_NAME["json"], "rdf": BY_NAME["ntriples"]}, limit=100_000,
               store_path=store_path)


@pytest.fixture(scope="module")
def published(bundled_store: Path) -> Published:
    loaded = Published(str(bundled_store), in_memory=True)
    assert loaded.wait_loaded(60), "the copy of the bundled store was not loaded"
    return loaded


@pytest.mark.parametrize("slug", sorted(EXAMPLES))
def test_memory_answers_as_disk(published: Published, slug: str) -> None:
    memory = published.store_for(None)
    assert memory is not published.disk[1]  # the copy answers
    assert answer(memory, EXAMPLES[slug]) == answer(published.disk[1], EXAMPLES[slug])
    if "ORDER BY" in EXAMPLES[slug]:  # and so do the written results the child sends back
        assert execute(memory, job(EXAMPLES[slug]), DEFAULT).body == execute(published.disk[1], job(EXAMPLES[slug]),
                                                                        DEFAULT).body


@pytest.mark.parametrize("slug", sorted(FIRST_FORMS))
def test_rewritten_examples_answer_as_before_on_the_bundled_graph(published: Published, slug: str) -> None:
    store = published.disk[1]
    rows = answer(store, EXAMPLES[slug])
    assert rows and rows == answer(store, FIRST_FORMS[slug])


@pytest.mark.parametrize("slug", sorted(FIRST_FORMS))
def test_rewritten_examples_answer_as_before_on_a_world(world_store: ox.Store, slug: str) -> None:
    assert answer(world_store, EXAMPLES[slug]) == answer(world_store, FIRST_FORMS[slug])


CHART_QUERIES = {"by-country": queries.query_by_country, "by-region": queries.query_by_region,
                 "network": queries.query_network, "map": query_map}
BENITO_JUAREZ = "https://w3id.org/paradip/id/government/mx-23005"


@pytest.mark.parametrize("focus", [None, BENITO_JUAREZ])
@pytest.mark.parametrize("chart", sorted(CHART_QUERIES))
def test_the_charts_reach_the_country_in_one_step_as_the_path_did(world_store: ox.Store, published: Published,
                                                                  chart: str, focus: str | None) -> None:
    """The home page's charts find a seat's country in one step of pdo:locatedIn: the inferred graph
    holds the transitive closure. Their answers equal the path form's (pdo:locatedIn+), on the bundled
    graph and on a world beside it (docs/benchmarks.md: the path made the home page time out at ~1M)."""
    texts = [CHART_QUERIES[chart]("es", focus)]
    if focus is None:
        texts.append(queries.query_governments("es"))
    for text in texts:
        assert "pdo:hasSeat/pdo:locatedIn ?" in text
        path_form = text.replace("pdo:hasSeat/pdo:locatedIn ?", "pdo:hasSeat/pdo:locatedIn+ ?")
        for store in (published.disk[1], world_store):
            rows = sorted(answer(store, text))
            assert rows and rows == sorted(answer(store, path_form))


def test_world_sample_reaches_the_rewritten_paths(world_store: ox.Store) -> None:
    """The world sample is not trivial for 08 and 12: synthetic agreements are counted."""
    counts = {row[1]: int(row[2].split('"')[1]) for row in answer(world_store, EXAMPLES["08-agreements-by-sdg"])}
    assert sum(counts.values()) > 50
    assert any("synthetic" in row[0] for row in answer(world_store, EXAMPLES["12-partners-inegi"]))


# --- A new published state ---------------------------------------------------------------------


def small_store(path: Path, n: int) -> str:
    store = ox.Store(str(path))
    graph = ox.NamedNode(DEFAULT[2])
    store.bulk_extend(ox.Quad(ox.NamedNode(f"https://w3id.org/paradip/synthetic/s{i}"),
                              ox.NamedNode("https://w3id.org/paradip/synthetic/p"), ox.Literal(str(n)), graph)
                      for i in range(n))
    store.flush()
    del store
    return str(path)


COUNT = "SELECT (COUNT(*) AS ?n) (MIN(?o) AS ?v) (MAX(?o) AS ?w) WHERE { ?s <https://w3id.org/paradip/synthetic/p> ?o }"


def test_a_new_state_is_read_whole(tmp_path: Path) -> None:
    old, new = small_store(tmp_path / "a", 300), small_store(tmp_path / "b", 500)
    state = Published(old, in_memory=True)
    assert state.wait_loaded(30)
    assert answer(state.store_for(old), COUNT)[0][0].startswith('"300"')
    first = state.store_for(new)  # from disk at once, or from the new copy: never the old copy
    assert state.memory is None or state.memory[0] == new
    assert answer(first, COUNT)[0] == ('"500"^^<http://www.w3.org/2001/XMLSchema#integer>', '"500"', '"500"')
    assert state.wait_loaded(30) and state.memory is not None and state.memory[0] == new
    copy = state.store_for(new)
    assert copy is state.memory[1] and answer(copy, COUNT) == answer(first, COUNT)


def test_states_named_while_a_copy_loads_end_in_the_newest_copy(tmp_path: Path) -> None:
    paths = [small_store(tmp_path / f"s{n}", n) for n in (3000, 100, 200, 400)]
    state = Published(paths[0], in_memory=True)
    for path in paths[1:]:  # named while the first copy (or the next) is still loading
        assert answer(state.store_for(path), COUNT)[0][0].startswith(f'"{Path(path).name[1:]}"')
    assert state.wait_loaded(30) and state.memory is not None and state.memory[0] == paths[-1]
    assert answer(state.store_for(None), COUNT)[0][0].startswith('"400"')


def test_the_query_child_switches_to_a_new_state(tmp_path: Path) -> None:
    old, new = small_store(tmp_path / "a", 200), small_store(tmp_path / "b", 400)
    runner = QueryRunner(Path(old), DEFAULT, in_memory=True)
    try:
        def count(path: str | None) -> int:
            reply = runner.run(job(COUNT, path), timeout=30)
            return int(json.loads(reply.body)["results"]["bindings"][0]["n"]["value"])

        assert count(None) == 200
        # Every answer after the switch is the new state's, while its copy loads and after.
        assert [count(new) for _ in range(20)] == [400] * 20
        assert count(old) == 200  # a job may still name the old state (a reader mid-request): it is whole too
    finally:
        runner.stop()


def test_auto_serves_from_memory_up_to_a_size() -> None:
    small = Manifest(content_hash="x", built_at="2026-01-01T00:00:00", triples={"data": 1000})
    big = Manifest(content_hash="x", built_at="2026-01-01T00:00:00", triples={"data": AUTO_MEMORY_QUADS + 1})
    assert wants_memory("auto", small) and not wants_memory("auto", big) and not wants_memory("auto", None)
    half = Manifest(content_hash="x", built_at="2026-01-01T00:00:00", triples={"data": AUTO_MEMORY_QUADS // 2})
    assert wants_memory("auto", half, 2) and not wants_memory("auto", half, 3)  # quads x copies
    assert wants_memory("yes", big) and not wants_memory("no", small)
    assert load(environ={})["store_in_memory"] == "auto"
    assert load(environ={"PARADIP_STORE_IN_MEMORY": "on"})["store_in_memory"] == "yes"
    with pytest.raises(ValueError):
        load(environ={"PARADIP_STORE_IN_MEMORY": "sometimes"})


def test_auto_counts_a_copy_for_every_process_that_reads_one(tmp_path: Path) -> None:
    """A forked query child shares the fork server's copy only until it reads it (Oxigraph's in-memory
    store writes to what it reads), so ``auto`` counts, in every worker, the fork server and each slot's
    child: a store that fits twice (2 workers) but not six times (2 x (2 slots + 1)) stays on disk."""
    from paradip_kg.backends.embedded import EmbeddedBackend
    from paradip_kg.store.disk import manifest_path

    store = tmp_path / "store"
    store.mkdir()
    quads = AUTO_MEMORY_QUADS // 4
    Manifest(content_hash="x", built_at="2026-01-01T00:00:00", triples={"data": quads}).write(manifest_path(store))

    def backend(workers: int, slots: int) -> EmbeddedBackend:
        return EmbeddedBackend(store, in_memory="auto", workers=workers, query_workers=slots)

    assert backend(2, 2).copies() == 6 and quads * 2 <= AUTO_MEMORY_QUADS < quads * 6
    assert not backend(2, 2).serves_from_memory()
    assert backend(1, 1).copies() == 2 and backend(1, 1).serves_from_memory()
    assert backend(1, 2).copies() == 3 and backend(1, 2).serves_from_memory()


def test_the_embedded_backend_gives_its_children_the_choice(bundled_store: Path) -> None:
    from paradip_kg.backends.configured import make_backend

    for setting, workers, expected in (("auto", 2, True), ("no", 1, False), ("yes", 64, True)):
        backend = make_backend({"store": str(bundled_store), "store_in_memory": setting, "workers": workers})
        try:
            assert backend.runner().in_memory is expected, (setting, workers)
        finally:
            backend.close()


# --- A real server ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def memory_server(tmp_path_factory: pytest.TempPathFactory, bundled_store: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("memory-server")
    running = start_server(tmp, env={"PARADIP_STORE": str(bundled_store), "PARADIP_STORE_IN_MEMORY": "yes",
                                     "PARADIP_QUERY_TIMEOUT": "2"})
    yield running
    stop_server(running)


def get(server: Server, text: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(server.endpoint + "?query=" + quote(text),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.server
def test_server_from_memory_answers_examples_and_stops_a_runaway(memory_server: Server,
                                                                  published: Published) -> None:
    for slug in ("02-agreements-by-country", "08-agreements-by-sdg"):
        status, body = get(memory_server, EXAMPLES[slug])
        rows = [tuple(b.get(v, {}).get("value") for v in body["head"]["vars"]) for b in body["results"]["bindings"]]
        expected = [tuple(t.split('"')[1] if t and t.startswith('"') else (t.strip("<>") if t else None)
                          for t in row) for row in answer(published.disk[1], EXAMPLES[slug])]
        assert status == 200 and rows == expected, slug
    started = time.monotonic()
    status, body = get(memory_server, RUNAWAY)
    assert status == 503 and body["error"] == "Query timed out" and 1.9 < time.monotonic() - started < 8
    for _ in range(4):  # the killed child was replaced: every worker answers again
        started = time.monotonic()
        status, body = get(memory_server, "ASK { ?s ?p ?o }")
        assert status == 200 and body["boolean"] is True and time.monotonic() - started < 2
