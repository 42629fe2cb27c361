"""`paradip-kg harvest wikidata` end to end against the offline Wikidata stand-in (tests/support/wikidata_standin.py):
paging, a 429 with Retry-After, a 503 and a time-out, a failed harvest that leaves everything as it was,
an atomic re-harvest, the kept file a later build reads, and a running server that sees the new graph."""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from paradip_kg.cli import cli
from paradip_kg.errors import HarvestFailed
from paradip_kg.harvest import queries
from paradip_kg.harvest.client import Client, retry_after, user_agent
from paradip_kg.harvest.files import harvest_path
from paradip_kg.harvest.queries import Selection
from paradip_kg.harvest.run import harvest
from paradip_kg.namespaces import GRAPHS
from paradip_kg.store.head import open_store, read_head
from support.servers import start_server, stop_server
from support.stores import copy_store
from support.wikidata_standin import FIXTURE, wikidata_standin

ROOT = Path(__file__).resolve().parents[1]
WIKIDATA = ox.NamedNode(str(GRAPHS["wikidata"]))
P190 = ox.NamedNode("http://www.wikidata.org/prop/P190")
CANCUN = ox.NamedNode("http://www.wikidata.org/entity/Q8969")


def fixture_statements() -> set[tuple[str, str]]:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    return {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, P190, None)}  # type: ignore[union-attr]


def graph_quads(store_dir: Path) -> set[ox.Quad]:
    return set(open_store(store_dir).quads_for_pattern(None, None, None, WIKIDATA))


def client_for(url: str, **kw: object) -> tuple[Client, list[float]]:
    slept: list[float] = []
    options: dict = {"page_size": 4, "timeout": 2.0, "retries": 3, "backoff": 0.5, "sleep": slept.append, **kw}
    return Client(url, **options), slept


def run_cli(project: Path, store: Path, endpoint: str, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["--project-dir", str(project), "--store", str(store), "harvest", "wikidata",
                                    "--endpoint", endpoint, *args], env=env, catch_exceptions=False)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the repository's inputs, so the kept harvest lands in a temporary data/harvested/."""
    target = tmp_path / "project"
    for folder in ("ontology", "vocab", "data", "shapes"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("harvested"))
    return target


# --- The queries and the client ------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    pytest.param(queries.statements(Selection(("Q8969",)), False), id="statements-place"),
    pytest.param(queries.statements(Selection(country="Q96"), True), id="statements-country-incoming"),
    pytest.param(queries.direct_claims(Selection(), False), id="claims-all"),
    pytest.param(queries.references(Selection(("Q8969", "Q49266")), True), id="references"),
    pytest.param(queries.labels(["http://www.wikidata.org/entity/Q8969"]), id="labels"),
    pytest.param(queries.places(["http://www.wikidata.org/entity/Q8969"]), id="places"),
])
def test_queries_are_standard_sparql(text: str) -> None:
    for word in ("wikibase:label", "SERVICE", "hint:", "bd:"):
        assert word not in text
    ox.Store().query(text + "LIMIT 10 OFFSET 0")  # parses as SPARQL 1.1 (Oxigraph is strict)
    assert "ORDER BY" in text


def test_selection_refuses_what_is_not_a_qid() -> None:
    with pytest.raises(ValueError, match="not a Wikidata item"):
        Selection(("Q8969 } . DROP ALL",))


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after(None) is None and retry_after("soon") is None


def test_user_agent_names_the_project_version_and_address() -> None:
    agent = user_agent("ops@example.org")
    assert agent.startswith("paradip-kg/0.1.0 (") and "ops@example.org" in agent and "http" in agent


# --- Against the stand-in ------------------------------------------------------------------------


def test_harvest_pages_and_keeps_wikidata_terms() -> None:
    with wikidata_standin() as standin:
        client, _ = client_for(standin.url)
        result = harvest(Selection(("Q8969",)), client)
    got = ox.Store()
    got.extend(ox.Quad(t.subject, t.predicate, t.object, WIKIDATA) for t in result.triples)
    assert {(q.subject.value, q.object.value)  # type: ignore[union-attr]
            for q in got.quads_for_pattern(None, P190, None)} == fixture_statements()
    assert result.statements == 17
    pages = [q for q in standin.queries if "?statement ?twin ?place" in q and "VALUES ?place" in q]
    assert [q.rsplit("OFFSET", 1)[1].strip() for q in pages] == ["0", "4", "8", "12", "16"]  # 17 rows, 4 a page
    assert all("LIMIT 4" in q for q in pages)
    assert all(a.startswith("paradip-kg/") for a in standin.agents)
    # A WDQS-style query runs on the harvested graph as it is.
    rows = list(got.query("PREFIX wd: <http://www.wikidata.org/entity/> "
                          "PREFIX p: <http://www.wikidata.org/prop/> "
                          "PREFIX ps: <http://www.wikidata.org/prop/statement/> "
                          "SELECT ?twin ?label WHERE { wd:Q8969 p:P190 ?st . ?st ps:P190 ?twin . "
                          "?twin <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = 'en') }",
                          use_default_graph_as_union=True))  # type: ignore[arg-type]
    assert {r["label"].value for r in rows} >= {"Miami", "Compton", "Timișoara", "Ceccano", "Eivissa", "Varadero"}
    prov = "http://www.w3.org/ns/prov#"
    assert list(got.quads_for_pattern(WIKIDATA, ox.NamedNode(prov + "wasGeneratedBy"), None))
    plans = list(got.quads_for_pattern(None, ox.NamedNode(prov + "value"), None))
    assert any("p:P190" in q.object.value for q in plans)  # the queries sent are recorded


def test_a_429_with_retry_after_is_waited_out() -> None:
    with wikidata_standin() as standin:
        standin.fail(429, retry_after="3")
        client, slept = client_for(standin.url)
        result = harvest(Selection(("Q8969",)), client)
    assert slept == [3.0] and result.statements == 17


def test_a_503_is_retried_with_backoff() -> None:
    with wikidata_standin() as standin:
        standin.fail(503, times=2)
        client, slept = client_for(standin.url)
        result = harvest(Selection(("Q8969",)), client)
    assert slept == [0.5, 1.0] and result.statements == 17


def test_a_time_out_is_retried() -> None:
    with wikidata_standin() as standin:
        standin.stall(4.0)
        client, slept = client_for(standin.url, timeout=1.0)
        result = harvest(Selection(("Q8969",)), client)
    assert slept == [0.5] and result.statements == 17


def test_an_endpoint_that_keeps_failing_fails_the_harvest() -> None:
    with wikidata_standin() as standin:
        standin.fail(503, times=10)
        client, slept = client_for(standin.url, retries=2)
        with pytest.raises(HarvestFailed, match="still after 2 retries"):
            harvest(Selection(("Q8969",)), client)
    assert len(slept) == 2


# --- Into the store ------------------------------------------------------------------------------


def test_failed_harvest_leaves_the_previous_graph(project: Path, bundled_store: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store, tmp_path / "copy")
    with wikidata_standin() as standin:
        first = run_cli(project, store, standin.url, "--place", "Q8969")
        assert first.exit_code == 0, first.output
        before, kept, head = graph_quads(store), harvest_path(project).read_bytes(), read_head(store)
        assert len([q for q in before if q.predicate == P190]) == 17
        # Fails half-way: the first pages of statements come, then every request is refused.
        standin.stall(0.0, times=3)
        standin.fail(429, retry_after="0", times=50)
        failed = run_cli(project, store, standin.url, "--place", "Q8969", env={"PARADIP_WIKIDATA_RETRIES": "1"})
    assert failed.exit_code == 2 and "nothing was written" in failed.output
    assert len(standin.queries) > len([q for q in standin.queries if "LIMIT" in q][:1])  # some pages were answered
    assert graph_quads(store) == before
    assert harvest_path(project).read_bytes() == kept
    assert read_head(store).tag == head.tag


def test_reharvest_replaces_the_graph_atomically(project: Path, bundled_store: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store, tmp_path / "copy")
    with wikidata_standin() as standin:
        assert run_cli(project, store, standin.url, "--place", "Q8969").exit_code == 0
    fewer = "\n".join(line for line in FIXTURE.read_text(encoding="utf-8").splitlines()
                      if "Miami" not in line and "Compton" not in line)
    with wikidata_standin(fewer) as standin:
        again = run_cli(project, store, standin.url, "--place", "Q8969")
    assert again.exit_code == 0, again.output
    quads = graph_quads(store)
    twins = {q.object.value for q in quads if q.predicate == P190}  # type: ignore[union-attr]
    assert len(twins) == 15 and not any("Miami" in t or "Compton" in t for t in twins)
    activities = {q.subject for q in quads if q.object == ox.NamedNode("http://www.w3.org/ns/prov#Activity")}
    assert len(activities) == 1  # the old harvest's record went with it
    assert read_head(store).sequence == 2
    assert "Miami" not in harvest_path(project).read_text(encoding="utf-8")


def test_without_a_store_the_harvest_is_built_in_and_a_later_build_keeps_it(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    with wikidata_standin() as standin:
        result = run_cli(project, store, standin.url, "--place", "Q8969")
        assert result.exit_code == 0, result.output
        assert len([q for q in graph_quads(store) if q.predicate == P190]) == 17
        assert run_cli(project, store, standin.url, "--place", "Q8969").exit_code == 0  # a write on the store
    rebuilt = CliRunner().invoke(cli, ["--project-dir", str(project), "--store", str(store), "build", "--force"],
                                 catch_exceptions=False)
    assert rebuilt.exit_code == 0, rebuilt.output  # the accepted write is a harvest the files keep
    assert len([q for q in graph_quads(store) if q.predicate == P190]) == 17
    rec = ox.NamedNode(str(GRAPHS["reconciliation"]))
    assert list(open_store(store).quads_for_pattern(None, None, None, rec))


@pytest.mark.server
def test_a_running_server_sees_the_new_graph(project: Path, bundled_store: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store, tmp_path / "copy")
    server = start_server(tmp_path, env={"PARADIP_STORE": str(store)}, workers=1)
    try:
        def count() -> int:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{WIKIDATA.value}> {{ ?s <{P190.value}> ?o }} }}"
            url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
            request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(json.load(response)["results"]["bindings"][0]["n"]["value"])
        assert count() == 0
        with wikidata_standin() as standin:
            assert run_cli(project, store, standin.url, "--place", "Q8969").exit_code == 0
        assert count() == 17
        url = server.url + "/reconciliation.json?" + urllib.parse.urlencode({"municipality": "Benito Juárez"})
        with urllib.request.urlopen(url, timeout=30) as response:
            rows = json.load(response)["rows"]
        assert {r["partner"] for r in rows if r["class"] == "wikidata-only"} == {
            "Miami", "Compton", "Timișoara", "Ceccano", "Ibiza", "Varadero"}
    finally:
        stop_server(server)
