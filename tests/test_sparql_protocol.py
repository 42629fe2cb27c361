"""The SPARQL 1.1 Protocol at /sparql, in process (Flask test client, real query child process).

Methods × query forms × formats × errors × limits × CORS × ETag/304 × Service Description ×
graphs × the query page. Results are parsed back (json, ElementTree, csv, rdflib), never
compared as strings.
"""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from paradip_kg.web.sparql_page import load_examples
from support.sample import write_sample_store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PDO = "https://w3id.org/paradip/ontology#"
ID = "https://w3id.org/paradip/id/"
GRAPH = "https://w3id.org/paradip/graph/"
SRX = "{http://www.w3.org/2005/sparql-results#}"

SELECT = f"PREFIX pdo: <{PDO}> SELECT ?a ?start WHERE {{ ?a a pdo:Agreement ; pdo:startDate ?start }} ORDER BY ?start"
ASK = f"PREFIX pdo: <{PDO}> ASK {{ ?a a pdo:Agreement }}"
CONSTRUCT = f"PREFIX pdo: <{PDO}> CONSTRUCT {{ ?a pdo:startDate ?d }} WHERE {{ ?a pdo:startDate ?d }}"
DESCRIBE = f"DESCRIBE <{ID}country/MX>"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

EXPECTED_CONSTRUCT = Graph().parse(data=f"""
<{ID}agreement/mx-23005--us-wichita> <{PDO}startDate> "1985"^^<http://www.w3.org/2001/XMLSchema#gYear> .
<{ID}agreement/mx-23005--mx-31050> <{PDO}startDate> "2021-12"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .
""", format="nt")

RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
RDF_TYPES = {"turtle": ("text/turtle", "turtle"), "ntriples": ("application/n-triples", "nt"),
             "jsonld": ("application/ld+json", "json-ld"), "rdfxml": ("application/rdf+xml", "xml"),
             "trig": ("application/trig", "trig"), "nquads": ("application/n-quads", "nquads"),
             "n3": ("text/n3", "n3")}


@pytest.fixture()
def c(sample_app: Flask) -> FlaskClient:
    """A client of the module's one app (one query child process for the read-only matrix)."""
    return sample_app.test_client()


def get(client: FlaskClient, query: str, accept: str | None = None, **params: Any):
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


def post_form(client: FlaskClient, query: str, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    return client.post("/sparql", data=urlencode({"query": query}), headers=headers,
                       content_type="application/x-www-form-urlencoded")


def post_direct(client: FlaskClient, query: str, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    return client.post("/sparql", data=query.encode(), headers=headers, content_type="application/sparql-query")


METHODS = [pytest.param(get, id="GET"), pytest.param(post_form, id="POST-form"),
           pytest.param(post_direct, id="POST-direct")]


def rows_of(response) -> list[dict[str, Any]]:
    return json.loads(response.data)["results"]["bindings"]


# --- methods × query forms ------------------------------------------------------------------


@pytest.mark.parametrize("send", METHODS)
def test_select_every_method(c: FlaskClient, send: Callable[..., Any]) -> None:
    r = send(c, SELECT)
    assert r.status_code == 200
    assert r.mimetype == "application/sparql-results+json"
    assert [b["start"]["value"] for b in rows_of(r)] == ["1985", "2021-12"]


@pytest.mark.parametrize("send", METHODS)
def test_ask_every_method(c: FlaskClient, send: Callable[..., Any]) -> None:
    r = send(c, ASK)
    assert r.status_code == 200 and json.loads(r.data) == {"head": {}, "boolean": True}


@pytest.mark.parametrize("send", METHODS)
@pytest.mark.parametrize("query", [pytest.param(CONSTRUCT, id="CONSTRUCT"), pytest.param(DESCRIBE, id="DESCRIBE")])
def test_graph_forms_every_method(c: FlaskClient, send: Callable[..., Any], query: str) -> None:
    r = send(c, query)
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    graph = Graph().parse(data=r.data, format="turtle")
    if query is CONSTRUCT:
        assert isomorphic(graph, EXPECTED_CONSTRUCT)
    else:
        assert (URIRef(f"{ID}country/MX"), URIRef(PDO + "isoCountryCode"), Literal("MX")) in graph


def test_head_request(c: FlaskClient) -> None:
    r = c.head("/sparql", query_string={"query": ASK})
    assert r.status_code == 200 and r.data == b"" and r.headers["ETag"]


# --- result formats -------------------------------------------------------------------------


def parse_select(fmt: str, data: bytes) -> list[dict[str, str]]:
    """Rows as {var: value} from any of the four result formats."""
    text = data.decode("utf-8")
    if fmt == "json":
        return [{k: v["value"] for k, v in b.items()} for b in json.loads(text)["results"]["bindings"]]
    if fmt == "xml":
        root = ET.fromstring(data)
        return [{b.get("name"): "".join(b.itertext()) for b in res.iter(SRX + "binding")}
                for res in root.iter(SRX + "result")]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    lines = text.rstrip("\n").split("\n")
    names = [v.lstrip("?") for v in lines[0].split("\t")]
    rows = []
    for line in lines[1:]:
        cells = [Graph().parse(data=f"<x:s> <x:p> {cell} .", format="nt").value(URIRef("x:s"), URIRef("x:p"))
                 for cell in line.split("\t")]
        rows.append({n: str(v) for n, v in zip(names, cells, strict=False)})
    return rows


@pytest.mark.parametrize("fmt", list(RESULT_TYPES))
@pytest.mark.parametrize("how", ["accept", "format", "output", "results"])
def test_select_formats(c: FlaskClient, fmt: str, how: str) -> None:
    r = get(c, SELECT, accept=RESULT_TYPES[fmt]) if how == "accept" else get(c, SELECT, **{how: fmt})
    assert r.status_code == 200 and r.mimetype == RESULT_TYPES[fmt]
    rows = parse_select(fmt, r.data)
    assert [row["start"] for row in rows] == ["1985", "2021-12"]
    assert rows[0]["a"] == f"{ID}agreement/mx-23005--us-wichita"


def test_select_json_terms(c: FlaskClient) -> None:
    query = f'SELECT ?iri ?lang ?typed ?plain ?bnode WHERE {{ BIND(<{ID}x> AS ?iri) BIND("hola"@es AS ?lang) ' \
            f'BIND(5 AS ?typed) BIND("p" AS ?plain) BIND(BNODE() AS ?bnode) }}'
    (row,) = rows_of(get(c, query))
    assert row["iri"] == {"type": "uri", "value": f"{ID}x"}
    assert row["lang"] == {"type": "literal", "value": "hola", "xml:lang": "es"}
    assert row["typed"] == {"type": "literal", "value": "5", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert row["plain"] == {"type": "literal", "value": "p"}
    assert row["bnode"]["type"] == "bnode"


def test_csv_quotes_and_unbound(c: FlaskClient) -> None:
    query = 'SELECT ?a ?b WHERE { BIND("x, \\"y\\"\\nz" AS ?a) }'
    r = get(c, query, format="csv")
    assert list(csv.reader(io.StringIO(r.data.decode()))) == [["a", "b"], ['x, "y"\nz', ""]]
    assert r.data.endswith(b"\r\n")


def test_tsv_escapes_tabs(c: FlaskClient) -> None:
    r = get(c, 'SELECT ?a WHERE { BIND("x\\ty" AS ?a) }', format="tsv")
    header, row = r.data.decode().rstrip("\n").split("\n")
    assert header == "?a" and row == '"x\\ty"'


@pytest.mark.parametrize("fmt,expected", [
    pytest.param("json", lambda d: json.loads(d)["boolean"] is True, id="json"),
    pytest.param("xml", lambda d: ET.fromstring(d).find(SRX + "boolean").text == "true", id="xml"),
    pytest.param("csv", lambda d: d.decode().split() == ["_askResult", "true"], id="csv"),
    pytest.param("tsv", lambda d: d.decode().split() == ["?_askResult", "true"], id="tsv"),
])
def test_ask_formats(c: FlaskClient, fmt: str, expected: Callable[[bytes], bool]) -> None:
    r = get(c, ASK, accept=RESULT_TYPES[fmt])
    assert r.status_code == 200 and r.mimetype == RESULT_TYPES[fmt] and expected(r.data)


@pytest.mark.parametrize("fmt", list(RDF_TYPES))
@pytest.mark.parametrize("how", ["accept", "format"])
def test_construct_formats(c: FlaskClient, fmt: str, how: str) -> None:
    media_type, rdflib_format = RDF_TYPES[fmt]
    r = get(c, CONSTRUCT, accept=media_type) if how == "accept" else get(c, CONSTRUCT, format=fmt)
    assert r.status_code == 200 and r.mimetype == media_type
    if rdflib_format in ("trig", "nquads"):
        from rdflib import Dataset

        graph = Graph()
        for s, p, o, _ in Dataset().parse(data=r.data, format=rdflib_format).quads():
            graph.add((s, p, o))
    else:
        graph = Graph().parse(data=r.data, format=rdflib_format)
    assert isomorphic(graph, EXPECTED_CONSTRUCT)


@pytest.mark.parametrize("value,kind,expected", [
    pytest.param("json", "select", "application/sparql-results+json", id="json-select"),
    pytest.param("json", "construct", "application/ld+json", id="json-construct"),
    pytest.param("xml", "select", "application/sparql-results+xml", id="xml-select"),
    pytest.param("xml", "construct", "application/rdf+xml", id="xml-construct"),
    pytest.param("rdf+xml", "construct", "application/rdf+xml", id="rdf+xml"),
    pytest.param("text/turtle", "construct", "text/turtle", id="media-type"),
    pytest.param("application/ld+json,application/x-json+ld", "construct", "application/ld+json", id="comma-list"),
    pytest.param("csv", "construct", "text/turtle", id="csv-on-construct-ignored"),
    pytest.param("n3", "select", "application/sparql-results+json", id="n3-on-select-ignored"),
    pytest.param("nonsense", "select", "application/sparql-results+json", id="unknown-ignored"),
])
def test_format_override_never_fails(c: FlaskClient, value: str, kind: str, expected: str) -> None:
    query = SELECT if kind == "select" else CONSTRUCT
    r = get(c, query, format=value)
    assert r.status_code == 200 and r.mimetype == expected


def test_repeated_overrides_like_sparqlwrapper(c: FlaskClient) -> None:
    qs = urlencode([("query", SELECT), ("format", "tsv"), ("format", "text/tab-separated-values"),
                    ("output", "tsv"), ("output", "text/tab-separated-values"), ("results", "tsv"),
                    ("results", "text/tab-separated-values")])
    r = c.get("/sparql?" + qs, headers={"Accept": "text/tab-separated-values"})
    assert r.status_code == 200 and r.mimetype == "text/tab-separated-values"


def test_not_acceptable(c: FlaskClient) -> None:
    r = get(c, SELECT, accept="image/png")
    assert r.status_code == 406
    body = json.loads(r.data)
    assert body["status"] == 406 and "application/sparql-results+json" in body["message"]
    assert get(c, CONSTRUCT, accept="application/sparql-results+json").status_code == 406


# --- errors ---------------------------------------------------------------------------------


def error_of(response) -> dict[str, Any]:
    body = json.loads(response.data)
    assert set(body) == {"error", "message", "status"} and body["status"] == response.status_code
    return body


def test_two_queries(c: FlaskClient) -> None:
    r = c.get("/sparql?" + urlencode([("query", ASK), ("query", SELECT)]))
    assert r.status_code == 400 and "2 queries" in error_of(r)["message"]


def test_query_in_url_and_body(c: FlaskClient) -> None:
    r = c.post("/sparql?query=" + quote(ASK), data=ASK.encode(), content_type="application/sparql-query")
    assert r.status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x"])
def test_wrong_media_type(c: FlaskClient, content_type: str) -> None:
    r = c.post("/sparql", data=ASK.encode(), content_type=content_type)
    assert r.status_code == 400 and "Content-Type" in error_of(r)["message"]


def test_missing_content_type(c: FlaskClient) -> None:
    r = c.post("/sparql", data=ASK.encode())
    assert r.status_code == 400 and "no Content-Type" in error_of(r)["message"]


@pytest.mark.parametrize("content_type", ["application/sparql-query; charset=UTF-16",
                                          "application/x-www-form-urlencoded; charset=latin-1"])
def test_non_utf8_charset(c: FlaskClient, content_type: str) -> None:
    r = c.post("/sparql", data=ASK.encode("utf-16"), content_type=content_type)
    assert r.status_code == 400 and "UTF-8" in error_of(r)["message"]


def test_charset_utf8_accepted(c: FlaskClient) -> None:
    r = c.post("/sparql", data=ASK.encode(), content_type="application/sparql-query; charset=UTF-8")
    assert r.status_code == 200
    r = c.post("/sparql", data="query=" + quote(ASK), content_type="application/x-www-form-urlencoded; charset=utf-8")
    assert r.status_code == 200


@pytest.mark.parametrize("request_kwargs", [
    pytest.param({"method": "POST", "data": b"ASK { FILTER(\"\xff\") }", "content_type": "application/sparql-query"},
                 id="direct-body"),
    pytest.param({"method": "POST", "data": b"query=ASK%20%7B%7D%FF",
                  "content_type": "application/x-www-form-urlencoded"}, id="form-body"),
    pytest.param({"method": "GET", "path": "/sparql?query=ASK%20%7B%7D%FF"}, id="query-string"),
])
def test_non_utf8_bytes(c: FlaskClient, request_kwargs: dict[str, Any]) -> None:
    r = c.open(request_kwargs.pop("path", "/sparql"), **request_kwargs)
    assert r.status_code == 400 and "UTF-8" in error_of(r)["message"]


def test_syntax_error_has_parser_message_and_position(c: FlaskClient) -> None:
    r = get(c, "SELECT ?x WHERE { ?x ?y }")
    body = error_of(r)
    assert r.status_code == 400 and body["error"] == "Malformed query"
    assert body["message"].startswith("error at 1:26")


@pytest.mark.parametrize("query", [
    pytest.param("INSERT DATA { <http://a> <http://b> <http://c> }", id="insert"),
    pytest.param("PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", id="delete"),
    pytest.param("LOAD <http://127.0.0.1:9/x.ttl>", id="load"),
    pytest.param("CLEAR ALL", id="clear"),
])
def test_update_via_query_refused(c: FlaskClient, query: str) -> None:
    r = get(c, query)
    assert r.status_code == 400 and "read-only" in error_of(r)["message"]


@pytest.mark.parametrize("request_kwargs", [
    pytest.param({"method": "GET", "query_string": {"update": "CLEAR ALL"}}, id="update-param-GET"),
    pytest.param({"method": "POST", "data": "update=CLEAR+ALL", "content_type": "application/x-www-form-urlencoded"},
                 id="update-param-POST"),
    pytest.param({"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"},
                 id="sparql-update-body"),
])
def test_update_operation_refused(c: FlaskClient, request_kwargs: dict[str, Any]) -> None:
    r = c.open("/sparql", **request_kwargs)
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods(c: FlaskClient, method: str) -> None:
    r = c.open("/sparql?query=" + quote(ASK), method=method)
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and error_of(r)["status"] == 405


def test_post_without_query(c: FlaskClient) -> None:
    r = c.post("/sparql", data="format=json", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and "No query" in error_of(r)["message"]


def test_dataset_without_query(c: FlaskClient) -> None:
    assert c.get("/sparql", query_string={"default-graph-uri": GRAPH + "data"}).status_code == 400


def test_bad_dataset_iri(c: FlaskClient) -> None:
    r = get(c, ASK, **{"default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "IRI" in error_of(r)["message"]


def test_service_refused_by_default(c: FlaskClient) -> None:
    r = get(c, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 400 and "SERVICE" in error_of(r)["message"]


def test_service_word_in_string_or_iri_is_not_a_call(c: FlaskClient) -> None:
    r = get(c, 'SELECT ?x WHERE { BIND("SERVICE" AS ?x) FILTER(?x != <http://x/SERVICE>) } # SERVICE')
    assert r.status_code == 200


def test_service_allowed_by_operator(make_app: Callable[..., Flask]) -> None:
    client = make_app(allow_service=True).test_client()
    r = get(client, "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 200


def test_unknown_path_is_json_404(c: FlaskClient) -> None:
    r = c.get("/no-such-thing")
    assert r.status_code == 404 and error_of(r)["error"] == "Not Found"


def test_error_page_for_browsers(c: FlaskClient) -> None:
    r = c.get("/no-such-thing", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 404 and r.mimetype == "text/html" and b"404" in r.data


# --- limits ---------------------------------------------------------------------------------


def test_result_cap_select(make_app: Callable[..., Flask]) -> None:
    client = make_app(result_limit=1).test_client()
    r = get(client, SELECT)
    assert r.headers["X-Paradip-Truncated"] == "true" and r.headers["X-Paradip-Result-Limit"] == "1"
    assert len(rows_of(r)) == 1
    r = get(client, SELECT + " LIMIT 1")
    assert r.headers["X-Paradip-Truncated"] == "false" and len(rows_of(r)) == 1


def test_result_cap_construct(make_app: Callable[..., Flask]) -> None:
    client = make_app(result_limit=1).test_client()
    r = get(client, CONSTRUCT, format="ntriples")
    assert r.headers["X-Paradip-Truncated"] == "true" and len(Graph().parse(data=r.data, format="nt")) == 1


def test_result_cap_notice_on_page(make_app: Callable[..., Flask]) -> None:
    client = make_app(result_limit=1).test_client()
    r = get(client, SELECT, accept="text/html", lang="en")
    assert r.headers["X-Paradip-Truncated"] == "true" and b"Result cut" in r.data


def test_uncut_result_says_so(c: FlaskClient) -> None:
    assert get(c, SELECT).headers["X-Paradip-Truncated"] == "false"


@pytest.mark.parametrize("send", [pytest.param(post_direct, id="direct"), pytest.param(post_form, id="form")])
def test_request_too_large(make_app: Callable[..., Flask], send: Callable[..., Any]) -> None:
    client = make_app(max_request_bytes=200, max_query_length=10_000).test_client()
    r = send(client, ASK + " #" + "x" * 300)
    assert r.status_code == 413 and error_of(r)["status"] == 413


@pytest.mark.parametrize("send", METHODS)
def test_query_too_long(make_app: Callable[..., Flask], send: Callable[..., Any]) -> None:
    client = make_app(max_query_length=60).test_client()
    r = send(client, ASK + " #" + "x" * 100)
    assert r.status_code == 413 and "at most 60" in error_of(r)["message"]


def test_timeout_stops_the_query(make_app: Callable[..., Flask]) -> None:
    app = make_app(query_timeout=1.0)
    client = app.test_client()
    assert get(client, ASK).status_code == 200  # the child is up
    first_child = app.extensions["paradip_kg"].runner().pid
    started = time.monotonic()
    r = get(client, RUNAWAY)
    elapsed = time.monotonic() - started
    assert r.status_code == 503 and error_of(r)["error"] == "Query timed out"
    assert "1 s" in error_of(r)["message"] and elapsed < 5
    # The runaway child was killed, a new one answers.
    assert app.extensions["paradip_kg"].runner().pid != first_child
    assert get(client, ASK).status_code == 200
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(first_child, 0)


def test_the_query_child_says_why_it_cannot_start_and_comes_back_after_dying(sample_store: Path,
                                                                               tmp_path: Path) -> None:
    import os
    import signal
    import threading

    from paradip_kg.errors import ParadipError
    from paradip_kg.sparql.jobs import Job
    from paradip_kg.sparql.runner import QueryRunner
    from paradip_kg.web.conneg import BY_NAME

    job = Job(ASK, {"results": BY_NAME["json"]}, limit=10)
    broken = QueryRunner(tmp_path / "no-store")
    with pytest.raises(ParadipError, match="no-store"):  # the child's hello names the store it cannot open
        broken.run(job, 20.0)
    assert broken.pid is None  # and it is gone
    runner = QueryRunner(sample_store, union_default_graph=True)
    try:
        assert json.loads(runner.run(job, 20.0).body)["boolean"] is True
        pid = runner.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # a child that dies between jobs ...
        process = runner.child._proc
        assert process is not None
        process.wait(timeout=20)  # (once it is gone: before that, the next job meets the dying child)
        assert json.loads(runner.run(job, 20.0).body)["boolean"] is True  # ... is replaced, the job answered
        assert runner.pid not in (None, pid)
        busy = runner.pid
        assert busy is not None
        killer = threading.Timer(0.5, os.kill, (busy, signal.SIGKILL))  # one that dies during a job ...
        killer.start()
        with pytest.raises(ParadipError, match="ended unexpectedly"):
            runner.run(Job(RUNAWAY, {"results": BY_NAME["json"]}, limit=10), 20.0)
        killer.join()
        assert json.loads(runner.run(job, 20.0).body)["boolean"] is True  # ... fails that job only
    finally:
        runner.stop()


# --- CORS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path,status", [
    pytest.param("/sparql?query=" + quote(ASK), 200, id="result"),
    pytest.param("/sparql?query=SELEC", 400, id="syntax-error"),
    pytest.param("/nowhere", 404, id="not-found"),
    pytest.param("/sparql", 200, id="service-description"),
])
def test_cors_everywhere(c: FlaskClient, path: str, status: int) -> None:
    r = c.get(path, headers={"Origin": "https://example.org"})
    assert r.status_code == status and r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Paradip-Truncated" in r.headers["Access-Control-Expose-Headers"]


def test_cors_preflight(c: FlaskClient) -> None:
    r = c.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                      "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "content-type"


def test_cors_off(make_app: Callable[..., Flask]) -> None:
    r = make_app(cors_origins="").test_client().get("/sparql?query=" + quote(ASK))
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_list_of_origins(make_app: Callable[..., Flask]) -> None:
    client = make_app(cors_origins="https://a.example, https://b.example").test_client()
    r = client.get("/sparql?query=" + quote(ASK), headers={"Origin": "https://b.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://b.example" and "Origin" in r.headers["Vary"]
    r = client.get("/sparql?query=" + quote(ASK), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


# --- caching --------------------------------------------------------------------------------


def test_etag_and_304(c: FlaskClient) -> None:
    first = get(c, SELECT)
    etag = first.headers["ETag"]
    assert etag and get(c, SELECT).headers["ETag"] == etag
    assert first.headers["Cache-Control"] == "public, max-age=300" and first.headers["Vary"] == "Accept"
    r = c.get("/sparql", query_string={"query": SELECT}, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.data == b"" and r.headers["ETag"] == etag
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = c.get("/sparql", query_string={"query": SELECT}, headers={"If-None-Match": 'W/"other"'})
    assert r.status_code == 200


def test_etag_depends_on_request(c: FlaskClient) -> None:
    tags = {get(c, SELECT).headers["ETag"], get(c, SELECT, accept="text/csv").headers["ETag"],
            get(c, ASK).headers["ETag"], get(c, SELECT, **{"default-graph-uri": GRAPH + "data"}).headers["ETag"]}
    assert len(tags) == 4


def test_etag_depends_on_store_version(sample_store: Path, tmp_path: Path, make_app: Callable[..., Flask]) -> None:
    from paradip_kg.store.disk import Manifest, manifest_path

    other = write_sample_store(tmp_path / "store")
    Manifest(content_hash="changed", built_at="2026-02-02").write(manifest_path(other))
    tag_a = get(make_app().test_client(), SELECT).headers["ETag"]
    tag_b = get(make_app(store=str(other)).test_client(), SELECT).headers["ETag"]
    assert tag_a != tag_b


def test_post_ignores_if_none_match(c: FlaskClient) -> None:
    etag = get(c, SELECT).headers["ETag"]
    r = c.post("/sparql", data=SELECT.encode(), content_type="application/sparql-query",
               headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] == etag


def test_cache_control_setting(make_app: Callable[..., Flask]) -> None:
    r = get(make_app(cache_control="no-cache").test_client(), ASK)
    assert r.headers["Cache-Control"] == "no-cache"


def test_errors_are_not_cached(c: FlaskClient) -> None:
    assert get(c, "SELEC").headers["Cache-Control"] == "no-store"


# --- graphs and datasets --------------------------------------------------------------------


def ask(client: FlaskClient, query: str, **params: Any) -> bool:
    r = get(client, query, **params)
    assert r.status_code == 200, r.data
    return bool(json.loads(r.data)["boolean"])


SHAPE = "ASK { <https://w3id.org/paradip/shapes#AgreementShape> ?p ?o }"
INFERRED = f"ASK {{ <{ID}agreement/mx-23005--us-wichita> a <{PDO}InternationalAgreement> }}"
ONTOLOGY = f"ASK {{ <{PDO}Agreement> a ?t }}"


def test_default_graph_is_union_of_data_graphs(c: FlaskClient) -> None:
    assert ask(c, INFERRED) and ask(c, ONTOLOGY) and ask(c, SELECT.replace("SELECT ?a ?start", "ASK").split("ORDER")[0])
    assert not ask(c, SHAPE), "the shapes graph is not in the default graph"


def test_named_graphs_are_addressable(c: FlaskClient) -> None:
    assert ask(c, f"ASK {{ GRAPH <{GRAPH}shapes> {{ ?s ?p ?o }} }}")
    assert ask(c, f"ASK {{ GRAPH <{GRAPH}inferred> {{ <{ID}agreement/mx-23005--us-wichita> ?p ?o }} }}")
    assert not ask(c, f"ASK {{ GRAPH <{GRAPH}data> {{ <{ID}agreement/mx-23005--us-wichita> "
                      f"a <{PDO}InternationalAgreement> }} }}")


def test_from_restricts_the_default_graph(c: FlaskClient) -> None:
    assert not ask(c, INFERRED.replace("ASK", f"ASK FROM <{GRAPH}data>"))
    assert ask(c, INFERRED.replace("ASK", f"ASK FROM <{GRAPH}inferred>"))
    assert ask(c, SHAPE.replace("ASK", f"ASK FROM <{GRAPH}shapes>"))


def test_from_named_only_means_empty_default_graph(c: FlaskClient) -> None:
    assert not ask(c, f"ASK FROM NAMED <{GRAPH}data> {{ ?s ?p ?o }}")
    assert ask(c, f"ASK FROM NAMED <{GRAPH}data> {{ GRAPH <{GRAPH}data> {{ ?s ?p ?o }} }}")


def test_protocol_dataset_overrides_from(c: FlaskClient) -> None:
    query = INFERRED.replace("ASK", f"ASK FROM <{GRAPH}inferred>")
    assert not ask(c, query, **{"default-graph-uri": GRAPH + "data"})
    assert ask(c, SHAPE, **{"default-graph-uri": GRAPH + "shapes"})


def test_named_graph_uri(c: FlaskClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = c.get("/sparql?" + urlencode([("query", query), ("named-graph-uri", GRAPH + "data"),
                                      ("named-graph-uri", GRAPH + "vocab")]))
    assert {b["g"]["value"] for b in rows_of(r)} == {GRAPH + "data", GRAPH + "vocab"}
    # With a protocol dataset, a default graph that is not given is empty.
    assert not ask(c, "ASK { ?s ?p ?o }", **{"named-graph-uri": GRAPH + "data"})


@pytest.mark.parametrize("params", [
    pytest.param({"default-graph-uri": "http://127.0.0.1:9/not-here"}, id="protocol"),
    pytest.param({}, id="FROM"),
])
def test_unknown_dataset_iri_is_an_empty_graph(c: FlaskClient, params: dict[str, str]) -> None:
    query = "ASK { ?s ?p ?o }" if params else "ASK FROM <http://127.0.0.1:9/not-here> { ?s ?p ?o }"
    assert not ask(c, query, **params)


def test_relative_iris_resolve_against_the_endpoint(c: FlaskClient) -> None:
    r = get(c, "SELECT ?x WHERE { BIND(<thing> AS ?x) }")
    assert rows_of(r)[0]["x"]["value"] == "http://localhost/thing"


def test_user_store_default_graph_is_union_of_all(tmp_path: Path, make_app: Callable[..., Flask]) -> None:
    from paradip_kg.serving import load_files

    path = tmp_path / "mine.trig"
    path.write_text("<http://ex/a> <http://ex/p> 1 .\n<http://ex/g> { <http://ex/b> <http://ex/p> 2 . }\n")
    load_files([path], tmp_path / "store")
    client = make_app(store=str(tmp_path / "store"), union_default_graph=True).test_client()
    r = get(client, "SELECT ?s WHERE { ?s <http://ex/p> ?o } ORDER BY ?s")
    assert [b["s"]["value"] for b in rows_of(r)] == ["http://ex/a", "http://ex/b"]
    assert ask(client, "ASK { GRAPH <http://ex/g> { <http://ex/b> ?p ?o } }")
    assert not ask(client, "ASK FROM <http://ex/g> { <http://ex/a> ?p ?o }")
    sd = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert (None, SD.feature, SD.UnionDefaultGraph) in sd


def test_missing_store_is_503(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    r = get(make_app(store=str(tmp_path / "nothing")).test_client(), ASK)
    assert r.status_code == 503 and "paradip-kg build" in error_of(r)["message"]


# --- Service Description --------------------------------------------------------------------


def service_description(client: FlaskClient, accept: str = "text/turtle", fmt: str = "turtle") -> Graph:
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    assert "Accept" in r.headers["Vary"] and r.headers["ETag"]
    return Graph().parse(data=r.data, format=fmt)


def test_service_description(c: FlaskClient) -> None:
    sd = service_description(c)
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in sd and (service, SD.endpoint, service) in sd
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    formats = {str(o).rsplit("/", 1)[-1] for o in sd.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
            "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"} <= formats
    assert (service, SD.feature, SD.UnionDefaultGraph) not in sd
    assert (service, SD.feature, SD.BasicFederatedQuery) not in sd
    dataset = sd.value(service, SD.defaultDataset)
    default_graph = sd.value(dataset, SD.defaultGraph)
    assert set(sd.objects(default_graph, DCTERMS.source)) == {URIRef(GRAPH + k) for k in
                                                              ("ontology", "vocab", "data", "inferred")}
    assert any("union" in str(o) for o in sd.objects(default_graph, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))
    names = {sd.value(n, SD.name) for n in sd.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(GRAPH + k) for k in ("ontology", "vocab", "data", "inferred", "shapes")}
    triples = {sd.value(n, SD.name): int(sd.value(sd.value(n, SD.graph), URIRef("http://rdfs.org/ns/void#triples")))
               for n in sd.objects(dataset, SD.namedGraph)}
    assert triples[URIRef(GRAPH + "shapes")] == 2


@pytest.mark.parametrize("fmt", list(RDF_TYPES))
def test_service_description_formats(c: FlaskClient, fmt: str) -> None:
    media_type, rdflib_format = RDF_TYPES[fmt]
    if rdflib_format in ("trig", "nquads"):
        from rdflib import Dataset

        r = c.get("/sparql", headers={"Accept": media_type})
        graph = Graph()
        for s, p, o, _ in Dataset().parse(data=r.data, format=rdflib_format).quads():
            graph.add((s, p, o))
    else:
        graph = service_description(c, media_type, rdflib_format)
    assert isomorphic(graph, service_description(c))


def test_service_description_for_browsers_is_the_query_page(c: FlaskClient) -> None:
    r = c.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html" and b"<textarea" in r.data


def test_service_description_not_acceptable(c: FlaskClient) -> None:
    assert c.get("/sparql", headers={"Accept": "application/sparql-results+json"}).status_code == 406


def test_service_description_304(c: FlaskClient) -> None:
    etag = c.get("/sparql", headers={"Accept": "text/turtle"}).headers["ETag"]
    r = c.get("/sparql", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert r.status_code == 304


def test_service_description_federation_when_allowed(make_app: Callable[..., Flask]) -> None:
    sd = service_description(make_app(allow_service=True).test_client())
    assert (URIRef("http://localhost/sparql"), SD.feature, SD.BasicFederatedQuery) in sd


# --- the query page -------------------------------------------------------------------------


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_examples_library() -> None:
    examples = load_examples()
    assert len(examples) >= 12
    for example in examples:
        assert example.titles.get("es") and example.titles.get("en"), example.slug


@pytest.mark.parametrize("example", load_examples(), ids=lambda e: e.slug)
def test_every_example_runs(c: FlaskClient, example: Any) -> None:
    r = get(c, example.text, accept=BROWSER)
    assert r.status_code == 200, r.data[:2000]
    assert b'class="error"' not in r.data
    api = get(c, example.text)
    assert api.status_code == 200


def test_page_lists_examples_prefixes_and_links(c: FlaskClient) -> None:
    r = c.get("/sparql", headers={"Accept": BROWSER})
    page = r.data.decode()
    for example in load_examples():
        assert example.title("es") in page.replace("&#39;", "'")
    assert "https://w3id.org/paradip/ontology#" in page and "pdo:" in page
    assert 'method="get"' in page  # the query is kept in the URL
    # Works offline: no script, style or font from another host.
    assert "src=\"http" not in page and "href=\"https://cdn" not in page and "@import" not in page


def test_page_in_english(c: FlaskClient) -> None:
    page = c.get("/sparql?lang=en", headers={"Accept": BROWSER}).data.decode()
    assert "Example queries" in page and '<html lang="en">' in page
    page = c.get("/sparql", headers={"Accept": BROWSER, "Accept-Language": "en-GB,en;q=0.8"}).data.decode()
    assert "Example queries" in page


@pytest.mark.parametrize("lang,label", [("es", "Estados Unidos"), ("en", "United States")])
def test_results_table_labels_and_local_links(c: FlaskClient, lang: str, label: str) -> None:
    query = f"SELECT ?country WHERE {{ BIND(<{ID}country/US> AS ?country) }}"
    r = get(c, query, accept=BROWSER, lang=lang)
    page = r.data.decode()
    assert f'<a href="/id/country/US" title="{ID}country/US">{label}</a>' in page
    assert "Vary" in r.headers and "Accept-Language" in r.headers["Vary"]


def test_results_table_escapes_data(c: FlaskClient) -> None:
    r = get(c, f"SELECT ?s ?l WHERE {{ BIND(<{ID}source/essay> AS ?s) "
               "?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
            accept=BROWSER, lang="es")
    page = r.data.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; fuente" in page


def test_page_downloads_in_every_format(c: FlaskClient) -> None:
    page = get(c, SELECT, accept=BROWSER).data.decode()
    for fmt in RESULT_TYPES:
        assert f"format={fmt}" in page
    page = get(c, CONSTRUCT, accept=BROWSER).data.decode()
    for fmt in RDF_TYPES:
        assert f"format={fmt}" in page


def test_page_shows_syntax_error_with_caret(c: FlaskClient) -> None:
    r = get(c, "SELECT ?x WHERE { ?x ?y }", accept=BROWSER)
    page = r.data.decode()
    assert r.status_code == 400 and "error at 1:26" in page
    assert "SELECT ?x WHERE { ?x ?y }\n" + " " * 25 + "^" in page
    assert "<textarea" in page  # the query stays in the editor


def test_page_shows_timeout(make_app: Callable[..., Flask]) -> None:
    r = get(make_app(query_timeout=0.5).test_client(), RUNAWAY, accept=BROWSER)
    assert r.status_code == 503 and b"Query timed out" in r.data


def test_page_ask_and_construct(c: FlaskClient) -> None:
    assert b"ASK" in get(c, ASK, accept=BROWSER).data and b"true" in get(c, ASK, accept=BROWSER).data
    page = get(c, CONSTRUCT, accept=BROWSER, lang="en").data.decode()
    assert "2 triples" in page and "subject" in page


def test_static_assets(c: FlaskClient) -> None:
    for name in ("paradip.css", "sparql-editor.js"):
        r = c.get(f"/static/{name}")
        assert r.status_code == 200 and b"http" not in r.data.replace(b"http-equiv", b"")
        r.close()


def test_example_file(c: FlaskClient) -> None:
    example = load_examples()[0]
    r = c.get(f"/sparql/examples/{example.slug}.rq")
    assert r.status_code == 200 and r.mimetype == "application/sparql-query" and r.data.decode() == example.text
    assert c.get("/sparql/examples/nope.rq").status_code == 404
