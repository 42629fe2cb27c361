"""The app on each backend (setting ``backend``, :mod:`paradip_kg.backends.base`) gives the same answers.

- ``memory``: an in-memory store filled from the repository's files through the build
  pipeline; compared with the app on the built (embedded) store: the 18 example queries over
  /sparql, resource pages, their RDF documents, the VoID description, fragment counts.
- ``remote``: the bundled graph pushed into a private Virtuoso (the session fixtures of
  tests/conftest.py, shared with tests/test_virtuoso.py); the app in front of it answers the
  same, compared as test_virtuoso.py does (tests/support/rdf.py: literals by value, DESCRIBE outbound
  only, repeated rows of ``+`` paths: docs/remote-store.md). Also: the result cap, the query
  timeout (503), writes refused, standard SPARQL only, and ``paradip-kg query --backend remote``.
"""

from __future__ import annotations

import collections
import json
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from rdflib.compare import isomorphic

from paradip_kg import settings
from paradip_kg.backends.memory import MemoryBackend
from paradip_kg.backends.remote_store import RemoteOxStore, parse_xml_results
from paradip_kg.sparql.inspect import inspect_query
from paradip_kg.store.head import open_store
from paradip_kg.web.app import create_app
from support.apps import Apps
from support.paths import EXAMPLE_QUERIES, ROOT
from support.rdf import as_set, canon, canon_triples, canonical_graph
from support.virtuoso import DUPLICATE_ROWS

QUERIES = EXAMPLE_QUERIES
XML = "application/sparql-results+xml"
NT = "application/n-triples"
ID = "https://w3id.org/paradip/id/"
HYDRA_TOTAL = "http://www.w3.org/ns/hydra/core#totalItems"
FRAGMENT_PATTERNS = [
    {},
    {"predicate": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"},
    {"predicate": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
     "object": "https://w3id.org/paradip/ontology#Agreement"},
    {"subject": ID + "government/mx-23005"},
    {"object": ID + "government/mx-23005"},
    {"predicate": "http://www.w3.org/2000/01/rdf-schema#label", "object": '"Cancún"@es'},
]


@pytest.fixture(scope="module")
def apps() -> Iterator[Apps]:
    """The module's apps, one per backend and setting: ``apps(backend="memory", ...)``."""
    made = Apps(query_timeout=30.0)
    yield made
    made.close()


@pytest.fixture(scope="module")
def embedded(apps: list[Flask], bundled_store: Path) -> FlaskClient:
    return apps(store=str(bundled_store)).test_client()


@pytest.fixture(scope="module")
def memory(apps: list[Flask], tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    nowhere = tmp_path_factory.mktemp("no-store") / "store"  # nothing on disk: all in memory
    app = apps(backend="memory", project_dir=str(ROOT), store=str(nowhere))
    assert isinstance(app.extensions["paradip_kg"].backend, MemoryBackend)
    return app.test_client()


@pytest.fixture(scope="module")
def remote(apps: list[Flask], pushed: Any, virtuoso: Any, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    _, result = pushed
    assert result.ok, result.mismatches
    nowhere = tmp_path_factory.mktemp("no-store") / "store"
    return apps(backend="remote", remote_endpoint=virtuoso.endpoint, store=str(nowhere)).test_client()


@pytest.fixture(scope="module")
def sample_iris(bundled_store: Path) -> list[str]:
    """Ten resources of the bundled graph, spread over its subjects (stable across builds)."""
    rows = open_store(bundled_store).query(
        "SELECT DISTINCT ?s WHERE { GRAPH <https://w3id.org/paradip/graph/data> { ?s a ?c } "
        f'FILTER(STRSTARTS(STR(?s), "{ID}")) }} ORDER BY ?s')
    subjects = [row["s"].value for row in rows]  # type: ignore[union-attr]
    step = max(1, len(subjects) // 10)
    chosen = subjects[::step][:10]
    if ID + "government/mx-23005" not in chosen:
        chosen[-1] = ID + "government/mx-23005"  # the hub: many values, inverse links, blank nodes
    return chosen


# --- Reading answers ------------------------------------------------------------------------------


def ask_sparql(client: FlaskClient, text: str, **headers: str) -> Any:
    rdf = inspect_query(text).kind == "rdf"
    response = client.post("/sparql", data={"query": text}, headers={"Accept": NT if rdf else XML, **headers})
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return response


def sparql_answer(client: FlaskClient, text: str, describe_outbound: bool = False) -> Any:
    """/sparql's answer, normalised like tests/test_virtuoso.py (blank nodes alike, literals by value)."""
    body = ask_sparql(client, text).data
    if inspect_query(text).kind == "rdf":
        triples = [t for t in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
        if describe_outbound:  # Virtuoso's DESCRIBE adds the triples pointing at the resource
            described = {ox.NamedNode(i) for i in re.findall(r"<([^>]+)>", text.split("DESCRIBE", 1)[1])}
            triples = [t for t in triples if t.subject in described]
        return canon_triples(triples)
    result = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return collections.Counter(frozenset((n, canon(row[n])) for n in names if row[n] is not None) for row in result)


def rest_of(iri: str) -> str:
    return iri[len(ID):]


def document(client: FlaskClient, iri: str) -> list[ox.Triple]:
    response = client.get(f"/data/{rest_of(iri)}.nt")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return [t for t in ox.parse(response.data, ox.RdfFormat.N_TRIPLES)]


def page_links(client: FlaskClient, iri: str) -> tuple[int, set[str]]:
    """A resource page's status and links (its text varies only with literals' forms)."""
    response = client.get(f"/page/{rest_of(iri)}", headers={"Accept": "text/html"})
    return response.status_code, set(re.findall(r'href="([^"#]*)', response.get_data(as_text=True)))


def fragment_count(client: FlaskClient, pattern: dict[str, str]) -> int:
    response = client.get("/fragments", query_string=pattern, headers={"Accept": NT})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    counts = {int(t.object.value) for t in ox.parse(response.data, ox.RdfFormat.N_TRIPLES)
              if t.predicate.value == HYDRA_TOTAL}
    assert len(counts) == 1
    return counts.pop()


def void_figures(client: FlaskClient) -> dict[tuple[str, str], str]:
    """The VoID description's numbers (void:triples, …), by subject and property."""
    response = client.get("/.well-known/void", headers={"Accept": NT})
    assert response.status_code == 200
    figures = {}
    for t in ox.parse(response.data, ox.RdfFormat.N_TRIPLES):
        if t.predicate.value.startswith("http://rdfs.org/ns/void#") and isinstance(t.object, ox.Literal) \
                and isinstance(t.subject, ox.NamedNode):
            figures[(t.subject.value, t.predicate.value)] = t.object.value
    return figures


# --- Unit tests (no server) ----------------------------------------------------------------------


def test_remote_blank_nodes_are_readable_and_named_back():
    body = (b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="b"/></head><results>'
            b'<result><binding name="b"><bnode>nodeID://b10011</bnode></binding></result></results></sparql>')
    node = next(iter(parse_xml_results(body)))["b"]
    assert isinstance(node, ox.BlankNode)
    from paradip_kg.backends.remote_store import term_text
    assert term_text(node) == "<nodeID://b10011>"


def test_remote_dataset_mirrors_pyoxigraph_options():
    from paradip_kg.backends.client import NO_NAMED_GRAPH, RemoteStore
    from paradip_kg.backends.remote_store import EMPTY_GRAPH

    store = RemoteOxStore(RemoteStore("http://127.0.0.1:9/sparql", default_graphs=["http://x/d"],
                                      named_graphs=["http://x/d", "http://x/n"]))
    q = "SELECT * WHERE { ?s ?p ?o }"
    assert store.dataset(q) == ([EMPTY_GRAPH], ["http://x/d", "http://x/n"])
    assert store.dataset("SELECT * FROM <http://x/n> WHERE { ?s ?p ?o }") == (None, None)
    assert store.dataset(q, default_graph=[ox.NamedNode("http://x/d")]) == (["http://x/d"], ["http://x/d", "http://x/n"])
    assert store.dataset(q, default_graph=[], named_graphs=[]) == ([EMPTY_GRAPH], [NO_NAMED_GRAPH])
    assert store.dataset(q, use_default_graph_as_union=True) == (["http://x/d", "http://x/n"],
                                                                 ["http://x/d", "http://x/n"])


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="PARADIP_BACKEND"):
        settings.load(environ={"PARADIP_BACKEND": "sqlite"})
    with pytest.raises(ValueError, match="unknown backend"):
        create_app({"TESTING": True, "backend": "sqlite"})


def test_remote_timeout_is_503(apps):
    """A store that accepts the connection and never answers: 503 after query_timeout."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        app = apps(backend="remote", remote_endpoint=f"http://127.0.0.1:{sock.getsockname()[1]}/sparql",
                   query_timeout=0.5, store="/nonexistent/store")
        # the version is read first (graph counts): it times out too, as 503
        response = app.test_client().post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o }"},
                                          headers={"Accept": XML})
        assert response.status_code == 503, response.data


# --- Memory backend ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in QUERIES])
def test_memory_example_queries(embedded, memory, path):
    text = path.read_text(encoding="utf-8")
    assert sparql_answer(memory, text) == sparql_answer(embedded, text)


@pytest.mark.slow
def test_memory_pages_documents_void_fragments(embedded, memory, sample_iris):
    for iri in sample_iris:
        assert page_links(memory, iri) == page_links(embedded, iri), iri
        assert isomorphic(canonical_graph(document(memory, iri)), canonical_graph(document(embedded, iri))), iri
    assert void_figures(memory) == void_figures(embedded)
    for pattern in FRAGMENT_PATTERNS:
        assert fragment_count(memory, pattern) == fragment_count(embedded, pattern), pattern


@pytest.mark.slow
def test_memory_backend_from_files(tmp_path):
    data = tmp_path / "g.trig"
    data.write_text('<http://x/g> { <http://x/s> <http://x/p> "o" . }\n', encoding="utf-8")
    backend = MemoryBackend.from_files([data], union=True)
    assert len(backend.store()) == 1 and backend.manifest().triples == {"http://x/g": 1}
    app = create_app({"TESTING": True, "store": str(tmp_path / "none"), "union_default_graph": True})
    app.extensions["paradip_kg"].backend = backend
    response = app.test_client().post("/sparql", data={"query": "SELECT ?o WHERE { ?s ?p ?o }"},
                                      headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.data.split() == [b"o", b"o"]


# --- Remote backend (Virtuoso) ---------------------------------------------------------------------


def needs_virtuoso(test: Callable[..., Any]) -> Any:
    return pytest.mark.server(pytest.mark.slow(test))


@needs_virtuoso
@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in QUERIES])
def test_remote_example_queries(embedded, remote, path):
    text = path.read_text(encoding="utf-8")
    mine = sparql_answer(embedded, text)
    theirs = sparql_answer(remote, text, describe_outbound=inspect_query(text).form == "DESCRIBE")
    assert as_set(theirs) == as_set(mine)
    if path.stem not in DUPLICATE_ROWS:
        assert theirs == mine


@needs_virtuoso
def test_remote_pages_and_documents(embedded, remote, sample_iris):
    for iri in sample_iris:
        assert page_links(remote, iri) == page_links(embedded, iri), iri
        mine, theirs = canonical_graph(document(embedded, iri)), canonical_graph(document(remote, iri))
        assert len(mine) == len(theirs) and isomorphic(mine, theirs), iri


@needs_virtuoso
def test_remote_fragments_and_void(embedded, remote, bundled_store):
    for pattern in FRAGMENT_PATTERNS:
        assert fragment_count(remote, pattern) == fragment_count(embedded, pattern), pattern
    mine, theirs = void_figures(embedded), void_figures(remote)
    # Virtuoso keeps literals by value: literals equal by value are one distinct object there.
    key = ("https://w3id.org/paradip/dataset", "http://rdfs.org/ns/void#distinctObjects")
    by_value = {canon(q.object) if isinstance(q.object, ox.Literal) else q.object for q in open_store(bundled_store)}
    assert int(theirs.pop(key)) == len(by_value) <= int(mine.pop(key))
    assert theirs == mine


@needs_virtuoso
def test_remote_result_cap_and_rules(apps, pushed, virtuoso):
    app = apps(backend="remote", remote_endpoint=virtuoso.endpoint, result_limit=5, store="/nonexistent/store")
    client = app.test_client()
    response = ask_sparql(client, "SELECT * WHERE { ?s ?p ?o }")
    assert response.headers["X-Paradip-Truncated"] == "true"
    assert len(list(ox.parse_query_results(response.data, ox.QueryResultsFormat.XML))) == 5
    response = ask_sparql(client, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert response.headers["X-Paradip-Truncated"] == "true" and len(response.data.splitlines()) == 5
    response = ask_sparql(client, "ASK { ?s ?p ?o }")
    assert response.headers["X-Paradip-Truncated"] == "false"
    # Virtuoso's own extensions do not reach it: standard SPARQL 1.1 only, Oxigraph's message
    response = client.post("/sparql", data={"query": 'define get:soft "replace" SELECT * FROM <http://example.org/> '
                                                     "WHERE { ?s ?p ?o }"}, headers={"Accept": XML})
    assert response.status_code == 400 and b"error at 1:" in response.data
    response = client.post("/sparql", data={"query": "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }"},
                           headers={"Accept": XML})
    assert response.status_code == 400 and b"SERVICE" in response.data
    # writes: refused on this backend, whoever asks (the curator loads it with `paradip-kg push`)
    response = client.post("/update", data={"update": "INSERT DATA { <http://x/s> <http://x/p> 1 }"})
    assert response.status_code == 405 and b"paradip-kg push" in response.data
    response = client.put("/graph-store?graph=http://x/g", data=b"<http://x/s> <http://x/p> 1 .",
                          content_type=NT)
    assert response.status_code == 405 and b"paradip-kg push" in response.data
    assert client.get("/graph-store", query_string={"graph": "https://w3id.org/paradip/graph/vocab"},
                      headers={"Accept": NT}).status_code == 200  # reads work
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200  # service description


@needs_virtuoso
def test_remote_versions_and_etags(remote):
    first = remote.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": XML})
    again = remote.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": XML, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@needs_virtuoso
def test_cli_query_and_stats_on_remote(pushed, virtuoso, bundled_store, tmp_path):
    from paradip_kg.cli import cli
    from paradip_kg.publish.stats import collect

    env = {"PARADIP_REMOTE_ENDPOINT": virtuoso.endpoint, "PARADIP_STORE": str(tmp_path / "none")}
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "--backend", "remote", "-o", "json",
                                 "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pdo:Agreement }"], env=env)
    assert result.exit_code == 0, result.output
    remote_n = json.loads(result.output)["results"]["bindings"][0]["n"]["value"]
    local = collect(bundled_store)
    assert int(remote_n) == local["knowledge graph"]["agreements"]
    result = runner.invoke(cli, ["stats", "--json"], env={**env, "PARADIP_BACKEND": "remote"})
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["triples"] == local["triples"] and figures["knowledge graph"] == local["knowledge graph"]
    assert not (tmp_path / "none").exists()  # nothing was built
    result = runner.invoke(cli, ["query", "--backend", "remote", "SELECT ?x WHERE { ?x ?y }"], env=env)
    assert result.exit_code == 2 and "error at 1:" in result.output
