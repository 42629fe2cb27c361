"""/sparql on a real gunicorn server on a loopback port: SPARQLWrapper with every return
format, rdflib's SPARQLStore, and a runaway query stopped while a cheap one is answered.

The servers are started the way users start them (``python -m paradip_kg.serving``, which
``paradip-kg serve`` calls: tests/support/servers.py); their log goes to a file, never to an
unread pipe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.dom.minidom
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

from support.servers import Server, free_port, start_server, stop_server

pytestmark = pytest.mark.server

PDO = "https://w3id.org/paradip/ontology#"
ID = "https://w3id.org/paradip/id/"
SELECT = f"PREFIX pdo: <{PDO}> SELECT ?a ?start WHERE {{ ?a a pdo:Agreement ; pdo:startDate ?start }} ORDER BY ?start"
ASK = f"PREFIX pdo: <{PDO}> ASK {{ ?a a pdo:Agreement }}"
CONSTRUCT = f"PREFIX pdo: <{PDO}> CONSTRUCT {{ ?a pdo:startDate ?d }} WHERE {{ ?a pdo:startDate ?d }}"
DESCRIBE = f"DESCRIBE <{ID}country/MX>"
WICHITA = URIRef(f"{ID}agreement/mx-23005--us-wichita")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on the sample store (what `paradip-kg serve` does with the bundled store)."""
    running = start_server(tmp_path_factory.mktemp("server"), [], {"PARADIP_STORE": str(sample_store)})
    yield running
    stop_server(running)


def wrapper(server: Server, query: str, fmt: str, method: str = "GET", request_method: str = URLENCODED) -> Any:
    sparql = SPARQLWrapper(server.endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    sparql.setRequestMethod(request_method)
    return sparql.query()


# --- SPARQLWrapper --------------------------------------------------------------------------


METHODS = [pytest.param("GET", URLENCODED, id="GET"), pytest.param(POST, URLENCODED, id="POST-form"),
           pytest.param(POST, POSTDIRECTLY, id="POST-direct")]


@pytest.mark.parametrize("method,request_method", METHODS)
def test_sparqlwrapper_select_json(server: Server, method: str, request_method: str) -> None:
    result = wrapper(server, SELECT, JSON, method, request_method).convert()
    assert [b["start"]["value"] for b in result["results"]["bindings"]] == ["1985", "2021-12"]


def test_sparqlwrapper_select_xml(server: Server) -> None:
    document = wrapper(server, SELECT, XML).convert()
    assert isinstance(document, xml.dom.minidom.Document)
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == ["1985", "2021-12"]


@pytest.mark.parametrize("fmt,separator", [pytest.param(CSV, ",", id="CSV"), pytest.param(TSV, "\t", id="TSV")])
def test_sparqlwrapper_select_csv_tsv(server: Server, fmt: str, separator: str) -> None:
    result = wrapper(server, SELECT, fmt)
    assert result._get_responseFormat() == fmt
    lines = result.convert().decode().strip().splitlines()
    assert len(lines) == 3 and separator in lines[0]


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server: Server, fmt: str) -> None:
    result = wrapper(server, ASK, fmt).convert()
    if fmt == JSON:
        assert result["boolean"] is True
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"


# SPARQLWrapper 2.0 builds an rdflib ConjunctiveGraph for RDF/XML and JSON-LD, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD, XML])
@pytest.mark.parametrize("query", [pytest.param(CONSTRUCT, id="CONSTRUCT"), pytest.param(DESCRIBE, id="DESCRIBE")])
def test_sparqlwrapper_graph_formats(server: Server, fmt: str, query: str) -> None:
    result = wrapper(server, query, fmt)
    converted = result.convert()
    if isinstance(converted, bytes):  # Turtle and N3 come back as bytes
        converted = Graph().parse(data=converted, format="turtle")
    assert isinstance(converted, Graph) and len(converted) > 0
    if query is CONSTRUCT:
        assert (WICHITA, URIRef(PDO + "startDate"), None) in converted
    else:
        assert (URIRef(f"{ID}country/MX"), URIRef(PDO + "isoCountryCode"), Literal("MX")) in converted


def test_sparqlwrapper_syntax_error(server: Server) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="error at 1:"):
        wrapper(server, "SELECT ?x WHERE { ?x ?y }", JSON)


# --- rdflib's SPARQLStore -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_rdflib_sparqlstore(server: Server, method: str, return_format: str) -> None:
    store = SPARQLStore(server.endpoint, method=method, returnFormat=return_format)
    graph = Graph(store=store)
    rows = list(graph.query(SELECT))
    assert [str(row.start) for row in rows] == ["1985", "2021-12"]  # type: ignore[union-attr]
    assert graph.query(ASK).askAnswer is True
    assert (WICHITA, URIRef(PDO + "startDate"), None) in graph
    assert len(list(graph.triples((None, URIRef(PDO + "startDate"), None)))) == 2
    store.close()


def test_rdflib_sparqlstore_construct(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint))
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) == 2


# --- plain HTTP details that only a real server shows ---------------------------------------


def http(url: str, headers: dict[str, str] | None = None, data: bytes | None = None,
         timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_long_get_query_reaches_the_app(server: Server) -> None:
    query = ASK + " #" + "x" * 6000  # over gunicorn's default 4094-byte request line
    status, _, body = http(server.endpoint + "?query=" + quote(query))
    assert status == 200 and json.loads(body)["boolean"] is True


def test_etag_304_and_cors_over_http(server: Server) -> None:
    url = server.endpoint + "?query=" + quote(SELECT)
    status, headers, _ = http(url, {"Origin": "https://example.org"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    status, _, body = http(url, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


def test_service_description_over_http(server: Server) -> None:
    status, headers, body = http(server.endpoint, {"Accept": "text/turtle"})
    assert status == 200
    sd = Graph().parse(data=body, format="turtle")
    endpoint = URIRef(server.endpoint)
    assert (endpoint, URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), endpoint) in sd


def test_binds_loopback_by_default() -> None:
    from paradip_kg.serving import gunicorn_options
    from paradip_kg.settings import load

    assert gunicorn_options(load(environ={}))["bind"] == "127.0.0.1:8080"


# --- serving files, and the runaway query ---------------------------------------------------


@pytest.fixture(scope="module")
def runaway_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two workers on a file of 3,000 triples, with a 2-second query timeout."""
    tmp = tmp_path_factory.mktemp("runaway")
    data = tmp / "synthetic.nq"
    with data.open("w", encoding="utf-8") as out:
        for i in range(3000):
            out.write(f"<https://w3id.org/paradip/synthetic/s{i % 300}> <https://w3id.org/paradip/synthetic/p{i % 7}> "
                      f"\"{i}\" <https://w3id.org/paradip/synthetic/graph{i % 2}> .\n")
    running = start_server(tmp, [data], {"PARADIP_QUERY_TIMEOUT": "2"})
    yield running
    stop_server(running)


def test_served_files_keep_graph_names(runaway_server: Server) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    status, _, body = http(runaway_server.endpoint + "?query=" + quote(query))
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200 and [(r["g"]["value"].rsplit("/", 1)[-1], r["n"]["value"]) for r in rows] == [
        ("graph0", "1500"), ("graph1", "1500")]
    status, _, body = http(runaway_server.endpoint + "?query=" + quote("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "3000"  # default graph: the union


def test_runaway_query_is_stopped_while_a_cheap_one_is_answered(runaway_server: Server) -> None:
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["runaway"] = http(runaway_server.endpoint + "?query=" + quote(RUNAWAY), timeout=60)
        outcome["runaway_seconds"] = time.monotonic() - started
        outcome["runaway_done"] = time.monotonic()

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)  # the runaway query is running in one worker
    started = time.monotonic()
    status, _, body = http(runaway_server.endpoint + "?query=" + quote("ASK { ?s ?p ?o }"), timeout=60)
    cheap_done = time.monotonic()
    thread.join(timeout=60)
    assert status == 200 and json.loads(body)["boolean"] is True
    # Answered while the runaway still ran (it runs until its 2 s timeout): an order, not a time,
    # so that a loaded machine cannot fail it (the times are bench/bench_hostile.py's).
    assert cheap_done < outcome["runaway_done"], f"the cheap query waited {cheap_done - started:.2f} s"
    runaway_status, _, runaway_body = outcome["runaway"]
    error = json.loads(runaway_body)
    assert runaway_status == 503 and error["error"] == "Query timed out" and "2 s" in error["message"]
    assert 1.9 < outcome["runaway_seconds"] < 6, outcome["runaway_seconds"]
    # Both workers answer again at once: the stopped query's process was replaced.
    for _ in range(4):
        started = time.monotonic()
        status, _, _ = http(runaway_server.endpoint + "?query=" + quote("ASK { ?s ?p ?o }"))
        assert status == 200 and time.monotonic() - started < 1.5


def test_no_runaway_process_is_left(runaway_server: Server) -> None:
    """After the timeout, no query process of this server burns CPU. (It once counted the query
    processes instead, at most one a worker; a worker that had run a cheap query beside a runaway in
    the test before has two slots' children, and that failed it now and then.)"""
    http(runaway_server.endpoint + "?query=" + quote(RUNAWAY), timeout=60)
    time.sleep(0.5)
    workers = worker_pids(runaway_server)
    children = subprocess.run(["ps", "-o", "pid=,ppid=,args=", "--ppid", ",".join(str(p) for p in workers)],
                              capture_output=True, text=True, check=False).stdout.splitlines()
    runners = {int(line.split()[0]): int(line.split()[1]) for line in children if "paradip_kg.sparql.runner" in line}
    assert set(runners.values()) == set(workers), f"each worker keeps a query process: {children}"
    before = {pid: cpu_seconds(pid) for pid in runners}
    time.sleep(1.0)
    busy = {pid: cpu_seconds(pid) - seconds for pid, seconds in before.items()}
    assert all(spent < 0.3 for spent in busy.values()), f"CPU seconds in the last second, by process: {busy}"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of ``pid`` so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pids(server: Server) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server.process.pid)], capture_output=True, text=True,
                         check=False).stdout
    return [int(p) for p in out.split()]


def test_bad_file_is_refused_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex/> .\nex:a ex:b ex:c ;\n  ex:d .\n")
    result = subprocess.run([sys.executable, "-m", "paradip_kg.serving", str(bad), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "bad.ttl, line 3" in result.stderr
