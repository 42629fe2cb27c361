"""Writes over HTTP: ``/update`` (SPARQL 1.1 Update) and ``/graph-store`` (Graph Store Protocol).

The app runs on a copy of the bundled store made for this module (writes never leak into the
session's ``bundled_store``); one test starts a real gunicorn server on its own copy, writes with a
token and checks that no token reaches the server's log. The transaction itself (inference,
validation, snapshots) is tested in tests/test_writes.py; here: the protocol, authentication and
the answers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from paradip_kg.store.head import read_head
from paradip_kg.writes.live import writer_lock
from support.apps import Apps, app_on
from support.servers import start_server, stop_server
from support.stores import copy_store

ALICE = "alice-token-0123456789abcdefXYZ"
BOB = "bob-token-9876543210fedcbaQRS"
TOKENS = f"alice={ALICE}, bob={BOB}"
AUTH = {"Authorization": f"Bearer {ALICE}"}
UPDATE = "application/sparql-update"

PDO = "https://w3id.org/paradip/ontology#"
ID = "https://w3id.org/paradip/id/"
DATA = "https://w3id.org/paradip/graph/data"
WRITES = "https://w3id.org/paradip/graph/writes"
NEW = f"{ID}agreement/mx-22014--us-wichita"  # Querétaro – Wichita: both governments exist, no agreement yet
PREFIXES = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def agreement(iri: str, parties: tuple[str, ...] = ("mx-22014", "us-wichita"), start: str = '"1995"^^xsd:gYear') -> str:
    """INSERT DATA of a sister-city agreement shaped like the Tabla 1 ones."""
    party_list = " , ".join(f"<{ID}government/{p}>" for p in parties)
    return PREFIXES + f"""INSERT DATA {{
  <{iri}> a pdo:SisterCityAgreement ;
    rdfs:label "Hermanamiento Querétaro – Wichita"@es , "Querétaro – Wichita twinning"@en ;
    pdo:hasParty {party_list} ;
    pdo:scope <https://w3id.org/paradip/vocab/scope/international> ;
    pdo:startDate {start} ;
    prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> .
}}"""


# A no-op: deleting a triple that is not there changes nothing and commits nothing (cheap).
NO_OP = "DELETE DATA { <urn:paradip:test:nothing> <urn:paradip:test:p> <urn:paradip:test:o> }"


@pytest.fixture(scope="module")
def store_dir(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_store(bundled_store, tmp_path_factory.mktemp("writes-http"))


@pytest.fixture(scope="module")
def wapp(store_dir: Path) -> Iterator[Flask]:
    with app_on(store_dir, write_tokens=TOKENS) as app:
        yield app


@pytest.fixture()
def client(wapp: Flask) -> FlaskClient:
    return wapp.test_client()


@pytest.fixture()
def other_app(store_dir: Path) -> Iterator[Any]:
    """Apps on the same store with other settings: ``other_app(write_tokens="", ...)``, a client of each."""
    apps = Apps(store=store_dir, write_tokens=TOKENS)
    yield lambda **settings: apps(**settings).test_client()
    apps.close()


def nquads(store_dir: Path) -> list[str]:
    """Every quad of the published state, sorted."""
    store = ox.Store.read_only(str(read_head(store_dir).path))
    return sorted(str(q) for q in store.quads_for_pattern(None, None, None, None))


def ask(client: FlaskClient, query: str) -> bool:
    response = client.get("/sparql?" + urlencode({"query": query}),
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return bool(response.get_json()["boolean"])


def post_update(client: FlaskClient, text: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
    return client.post("/update", data=text.encode("utf-8"), content_type=UPDATE,
                       headers={**AUTH, **(headers or {})}, **kwargs)


# --- Turning writes on, and authentication ------------------------------------------------------


def test_writes_are_off_without_tokens(other_app: Any) -> None:
    client = other_app(write_tokens="")
    for response in (post_update(client, NO_OP),
                     client.put("/graph-store?default", data=b"", content_type="text/turtle", headers=AUTH)):
        assert response.status_code == 403
        assert "operator has not enabled" in response.get_json()["message"]
        assert "WWW-Authenticate" not in response.headers
    assert client.get("/graph-store?default", headers={"Accept": "application/n-triples"}).status_code == 200


@pytest.mark.parametrize("header", [None, "", "Basic YWxpY2U6eA==", "Bearer", "Bearer a b"])
def test_missing_or_malformed_credentials_are_401(client: FlaskClient, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = client.post("/update", data=NO_OP, content_type=UPDATE, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="paradip-kg"')
    assert response.get_json()["status"] == 401


def test_wrong_token_is_403_and_never_echoed(client: FlaskClient) -> None:
    wrong = ALICE[:-1] + "Q"
    for response in (post_update(client, NO_OP, headers={"Authorization": f"Bearer {wrong}"}),
                     client.delete("/graph-store?graph=https://example.org/g",
                                   headers={"Authorization": f"bearer {wrong}"})):
        assert response.status_code == 403
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="paradip-kg", error="invalid_token"'
        text = response.get_data(as_text=True) + str(response.headers)
        assert wrong not in text and ALICE not in text and BOB not in text


def test_every_configured_token_works_and_names_its_agent(client: FlaskClient) -> None:
    for token in (ALICE, BOB):
        response = client.post("/update", data=NO_OP, content_type=UPDATE, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["added"] == 0


def test_token_in_the_url_is_refused(client: FlaskClient) -> None:
    response = client.post("/update?access_token=" + ALICE, data=NO_OP, content_type=UPDATE, headers=AUTH)
    assert response.status_code == 400
    assert ALICE not in response.get_data(as_text=True)


def test_bad_entries_of_write_tokens_are_skipped_without_showing_them(other_app: Any,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    client = other_app(write_tokens=f"no-equals-sign-SECRETSECRET,=NONAME-SECRET,carol={ALICE}")
    assert post_update(client, NO_OP).status_code == 200
    assert "entry 1" in caplog.text and "entry 2" in caplog.text
    assert "SECRET" not in caplog.text and ALICE not in caplog.text


# --- /update: the protocol -------------------------------------------------------------------------


def test_get_is_405_with_allow(client: FlaskClient) -> None:
    response = client.get("/update?update=" + quote(NO_OP))
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_form_post(client: FlaskClient) -> None:
    response = client.post("/update", data={"update": NO_OP}, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("kwargs,status,words", [
    ({"data": {"update": NO_OP, "using-graph-uri": DATA}}, 400, "using-graph-uri"),
    ({"data": {"update": [NO_OP, NO_OP]}}, 400, "2 updates"),
    ({"data": {"query": "ASK {}"}}, 400, "/sparql"),
    ({"data": NO_OP, "content_type": "application/sparql-query"}, 415, "Content-Type"),
    ({"data": NO_OP, "content_type": UPDATE + "; charset=latin-1"}, 400, "UTF-8"),
    ({"data": b"INSERT DATA { <urn:a> <urn:b> '\xe9' }", "content_type": UPDATE}, 400, "UTF-8"),
    ({"data": "  ", "content_type": UPDATE}, 400, "empty"),
])
def test_protocol_errors_are_400_or_415(client: FlaskClient, kwargs: dict[str, Any], status: int, words: str) -> None:
    response = client.post("/update", headers=AUTH, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert words in response.get_json()["message"]


def test_update_in_the_query_string_is_400(client: FlaskClient) -> None:
    response = client.post("/update?" + urlencode({"update": NO_OP}), data=NO_OP, content_type=UPDATE, headers=AUTH)
    assert response.status_code == 400


def test_malformed_update_is_400_with_the_parsers_message(client: FlaskClient) -> None:
    response = post_update(client, "INSERT DATA { <urn:a> <urn:b> }")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "Malformed query"
    assert "1:31" in body["message"] and "expected" in body["message"]


def test_load_is_400_unless_allowed(client: FlaskClient) -> None:
    response = post_update(client, "LOAD <http://example.org/data.ttl> INTO GRAPH <https://example.org/g>")
    assert response.status_code == 400
    assert "allow_load" in response.get_json()["message"]


# The harvested graphs are the harvest's: a user's write would pass an edited claim off as Wikidata's.
@pytest.mark.parametrize("graph", ["ontology", "vocab", "shapes", "inferred", "writes", "wikidata", "reconciliation"])
def test_updates_to_reserved_graphs_are_403(client: FlaskClient, store_dir: Path, graph: str) -> None:
    before = read_head(store_dir).tag
    text = f"INSERT DATA {{ GRAPH <https://w3id.org/paradip/graph/{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}"
    response = post_update(client, text)
    assert response.status_code == 403, response.get_data(as_text=True)
    assert read_head(store_dir).tag == before


def test_too_large_is_413(other_app: Any) -> None:
    small = other_app(max_request_bytes=2000, max_query_length=500)
    big_body = NO_OP + " " + "#" * 3000
    assert post_update(small, big_body).status_code == 413
    assert post_update(small, NO_OP + " " + "#" * 600).status_code == 413  # over max_query_length
    assert small.put("/graph-store?graph=https://example.org/big", data=b"#" * 3000, content_type="text/turtle",
                     headers=AUTH).status_code == 413


def test_busy_writer_is_503_with_retry_after(other_app: Any, store_dir: Path) -> None:
    client = other_app(write_timeout=0.2)
    with writer_lock(store_dir, 5):
        response = post_update(client, NO_OP)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == "Writer busy"  # errors.WriteBusy, through the one handler


# --- /update: accepted and rejected writes ------------------------------------------------------


def test_valid_agreement_is_written_visible_recorded_and_changes_etags(client: FlaskClient, store_dir: Path) -> None:
    page = f"/page/agreement/{NEW.rsplit('/', 1)[1]}"
    partner = client.get("/page/government/us-wichita", headers={"Accept": "text/html"})
    graph_etag = client.get("/graph-store?default", headers={"Accept": "text/turtle"}).headers["ETag"]
    assert client.get(page, headers={"Accept": "text/html"}).status_code == 404

    response = post_update(client, agreement(NEW), headers={"Authorization": f"Bearer {BOB}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    assert result["added"] == 8 and result["removed"] == 0 and result["graphs"] == [DATA]
    assert result["inferred_added"] > 0 and result["sequence"] >= 1 and result["activity"].startswith(ID + "write/")
    assert response.headers["Cache-Control"] == "no-store"

    # Readers see it at once: SPARQL (asserted and inferred), the page, the graph store.
    assert ask(client, f"ASK {{ <{NEW}> <{PDO}hasParty> <{ID}government/mx-22014> }}")
    assert ask(client, f"ASK {{ <{NEW}> a <{PDO}InternationalAgreement> }}")  # entailed by the scope
    shown = client.get(page, headers={"Accept": "text/html"})
    assert shown.status_code == 200 and "Querétaro – Wichita" in shown.get_data(as_text=True)
    assert NEW.encode() in client.get("/graph-store?default", headers={"Accept": "application/n-triples"}).data

    # ETags named the old state: revalidating gets the new representation.
    again = client.get("/page/government/us-wichita", headers={"Accept": "text/html",
                                                                 "If-None-Match": partner.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != partner.headers["ETag"]
    assert client.get("/graph-store?default", headers={"Accept": "text/turtle"}).headers["ETag"] != graph_etag

    # The writes log says who, when, which graph and how much, by name over /sparql.
    query = f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX pdo: <{PDO}>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?who ?started ?graph ?added ?removed WHERE {{ GRAPH <{WRITES}> {{
          <{result["activity"]}> prov:wasAssociatedWith ?agent ; prov:startedAtTime ?started ;
              pdo:changedGraph ?graph ; pdo:triplesAdded ?added ; pdo:triplesRemoved ?removed .
          ?agent rdfs:label ?who }} }}"""
    rows = client.get("/sparql?" + urlencode({"query": query}),
                      headers={"Accept": "application/sparql-results+json"}).get_json()["results"]["bindings"]
    assert len(rows) == 1
    row = rows[0]
    assert row["who"]["value"] == "bob" and row["graph"]["value"] == DATA
    assert row["added"]["value"] == "8" and row["removed"]["value"] == "0"
    assert row["started"]["datatype"] == "http://www.w3.org/2001/XMLSchema#dateTime"


def test_invalid_agreement_is_422_with_the_report_and_nothing_changes(client: FlaskClient, store_dir: Path) -> None:
    before = nquads(store_dir)
    bad = agreement(f"{ID}agreement/mx-22014--nobody", parties=("mx-22014",))
    response = post_update(client, bad)
    assert response.status_code == 422
    assert response.headers["X-Paradip-Conforms"] == "false"
    body = response.get_json()
    assert body["status"] == 422 and body["conforms"] is False and body["counts"]["Violation"] >= 1
    assert "nothing was written" in body["message"]
    violated = {rule["shape"] for rule in body["rules"] if rule["severity"] == "Violation"}
    assert "https://w3id.org/paradip/shapes#Agreement-hasParty" in violated
    assert nquads(store_dir) == before


def test_bad_start_date_is_422(client: FlaskClient, store_dir: Path) -> None:
    before = nquads(store_dir)
    bad = agreement(f"{ID}agreement/mx-22014--us-mission", parties=("mx-22014", "us-mission"), start='"someday"')
    response = post_update(client, bad)
    assert response.status_code == 422, response.get_data(as_text=True)
    violated = {rule["shape"] for rule in response.get_json()["rules"] if rule["severity"] == "Violation"}
    assert "https://w3id.org/paradip/shapes#Agreement-startDate" in violated
    assert nquads(store_dir) == before


def test_the_422_report_is_negotiated(client: FlaskClient, store_dir: Path) -> None:
    before = nquads(store_dir)
    bad = agreement(f"{ID}agreement/mx-22014--nobody", parties=("mx-22014",))
    turtle = post_update(client, bad, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 422 and turtle.mimetype == "text/turtle"
    report = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms) == Literal(False)
    assert (None, SH.focusNode, URIRef(f"{ID}agreement/mx-22014--nobody")) in report
    page = post_update(client, bad, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
                       query_string={"lang": "en"})
    assert page.status_code == 422 and page.mimetype == "text/html"
    assert "Nothing was written" in page.get_data(as_text=True)
    assert nquads(store_dir) == before


def test_an_inconsistent_write_is_422_with_the_usual_error_answer(client: FlaskClient, store_dir: Path) -> None:
    """owlrl's contradiction has no SHACL report: the one error handler answers it like any error."""
    before = nquads(store_dir)
    both = f"INSERT DATA {{ <{ID}test/both> a <{PDO}Place> , <{PDO}Actor> . }}"  # disjoint classes
    response = post_update(client, both)
    assert response.status_code == 422 and "X-Paradip-Conforms" not in response.headers
    body = response.get_json()
    assert body["error"] == "Write rejected: inconsistent with the ontology" and "inconsistent" in body["message"]
    assert response.headers["Cache-Control"] == "no-store"
    assert nquads(store_dir) == before


# --- /graph-store ------------------------------------------------------------------------------------


NOTES = "https://example.org/graph/notes"
NOTE_TTL = b'<https://example.org/note/1> <http://www.w3.org/2000/01/rdf-schema#label> "uno"@es .\n'
NOTE2_TTL = (b'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
             b'<https://example.org/note/2> rdfs:label "dos"@es .\n')
NOTE3_NT = b'<https://example.org/note/3> <http://www.w3.org/2000/01/rdf-schema#label> "tres"@es .\n'


def graph_of(response: Any, fmt: str) -> Graph:
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


def test_graph_store_round_trip(client: FlaskClient) -> None:
    url = "/graph-store?" + urlencode({"graph": NOTES})
    assert client.get(url).status_code == 404

    created = client.put(url, data=NOTE_TTL, content_type="text/turtle", headers=AUTH)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["added"] == 1 and created.get_json()["created"] is True
    assert created.headers["Location"].endswith(url)

    got = client.get(url, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and got.mimetype == "application/n-triples"
    assert graph_of(got, "nt").isomorphic(Graph().parse(data=NOTE_TTL, format="turtle"))
    assert client.get(url, headers={"If-None-Match": got.headers["ETag"],
                                    "Accept": "application/n-triples"}).status_code == 304
    assert client.head(url).status_code == 200

    replaced = client.put(url, data=NOTE2_TTL, content_type="text/turtle; charset=utf-8", headers=AUTH)
    assert replaced.status_code == 200 and replaced.get_json()["added"] == 1 and replaced.get_json()["removed"] == 1
    merged = client.post(url, data=NOTE3_NT, content_type="application/n-triples", headers=AUTH)
    assert merged.status_code == 200 and merged.get_json()["added"] == 1

    expected = Graph().parse(data=NOTE2_TTL, format="turtle").parse(data=NOTE3_NT, format="nt")
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/rdf+xml", "xml")):
        got = client.get(url, headers={"Accept": accept})
        assert got.status_code == 200 and got.mimetype == accept
        assert graph_of(got, fmt).isomorphic(expected), accept
    assert client.get(url, headers={"Accept": "text/csv"}).status_code == 406

    dropped = client.delete(url, headers=AUTH)
    assert dropped.status_code == 200 and dropped.get_json()["removed"] == 2
    assert client.get(url).status_code == 404
    assert client.delete(url, headers=AUTH).status_code == 404


def test_graph_store_post_creates_a_graph(client: FlaskClient) -> None:
    url = "/graph-store?" + urlencode({"graph": NOTES + "-posted"})
    response = client.post(url, data=NOTE_TTL, content_type="text/turtle", headers=AUTH)
    assert response.status_code == 201
    assert client.delete(url, headers=AUTH).status_code == 200


def test_graph_store_reads_are_public(client: FlaskClient) -> None:
    data = client.get("/graph-store?default", headers={"Accept": "text/turtle"})
    assert data.status_code == 200 and data.mimetype == "text/turtle"
    assert b"mx-23005--us-wichita" in data.data
    shapes = client.get("/graph-store?" + urlencode({"graph": "https://w3id.org/paradip/graph/shapes"}))
    assert shapes.status_code == 200 and b"AgreementShape" in shapes.data


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
@pytest.mark.parametrize("graph", ["ontology", "vocab", "shapes", "inferred", "writes", "wikidata", "reconciliation"])
def test_graph_store_writes_to_reserved_graphs_are_403(client: FlaskClient, method: str, graph: str) -> None:
    url = "/graph-store?" + urlencode({"graph": f"https://w3id.org/paradip/graph/{graph}"})
    response = client.open(url, method=method, data=NOTE_TTL, content_type="text/turtle", headers=AUTH)
    assert response.status_code == 403
    assert "reserved" in response.get_json()["message"]


@pytest.mark.parametrize("query,words", [
    ("", "exactly one graph"),
    ("default&graph=https://example.org/g", "exactly one graph"),
    ("graph=https://example.org/a&graph=https://example.org/b", "exactly one graph"),
    ("graph=notes", "absolute IRI"),
    ("default=x", "no value"),
])
def test_graph_store_needs_one_graph(client: FlaskClient, query: str, words: str) -> None:
    for response in (client.get("/graph-store?" + query),
                     client.put("/graph-store?" + query, data=NOTE_TTL, content_type="text/turtle", headers=AUTH)):
        assert response.status_code == 400
        assert words in response.get_json()["message"]


@pytest.mark.parametrize("body,content_type,status,words", [
    (b"<https://example.org/a> <https://example.org/b> .\n", "text/turtle", 400, "line 1"),
    (b"<https://example.org/a> <https://example.org/b> <https://example.org/c> <https://example.org/g> .\n",
     "application/n-quads", 415, "one graph"),
    (b"{ <https://example.org/a> <https://example.org/b> <https://example.org/c> }", "application/trig", 415,
     "one graph"),
    (b"a,b\n", "text/csv", 415, "text/turtle"),
    (b'{"@id": "https://example.org/g", "@graph": [{"@id": "https://example.org/a", '
     b'"https://example.org/b": "c"}]}', "application/ld+json", 400, "named graphs"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r/>', "application/rdf+xml",
     400, "entities"),
    (NOTE_TTL, "text/turtle; charset=iso-8859-1", 400, "UTF-8"),
])
def test_graph_store_bad_bodies(client: FlaskClient, store_dir: Path, body: bytes, content_type: str, status: int,
                                words: str) -> None:
    before = read_head(store_dir).tag
    response = client.put("/graph-store?" + urlencode({"graph": NOTES + "-bad"}), data=body,
                          content_type=content_type, headers=AUTH)
    assert response.status_code == status, response.get_data(as_text=True)
    assert words in response.get_json()["message"]
    assert read_head(store_dir).tag == before


def test_invalid_graph_store_put_is_422(client: FlaskClient, store_dir: Path) -> None:
    before = nquads(store_dir)
    body = (f"<{ID}agreement/mx-22014--gsp> a <{PDO}SisterCityAgreement> ; "
            f"<{PDO}hasParty> <{ID}government/mx-22014> .\n").encode()
    response = client.post("/graph-store?default", data=body, content_type="text/turtle", headers=AUTH)
    assert response.status_code == 422
    assert response.get_json()["counts"]["Violation"] >= 1
    assert nquads(store_dir) == before


# --- CORS -----------------------------------------------------------------------------------------------


def test_preflight_allows_the_write_methods_and_authorization(client: FlaskClient) -> None:
    response = client.options("/graph-store?default", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert {"PUT", "DELETE", "POST"} <= {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    plain = client.options("/update", headers={"Origin": "https://example.org",
                                               "Access-Control-Request-Method": "POST"})
    assert "Authorization" in plain.headers["Access-Control-Allow-Headers"]
    assert "WWW-Authenticate" in post_update(client, NO_OP, headers={"Authorization": ""}).headers[
        "Access-Control-Expose-Headers"]


# --- A real server -------------------------------------------------------------------------------------


@pytest.mark.server
def test_real_server_write_keeps_tokens_out_of_its_log(bundled_store: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store, tmp_path)
    wrong = "wrong-token-" + "Z" * 20
    server = start_server(tmp_path, [], {"PARADIP_STORE": str(store), "PARADIP_WRITE_TOKENS": TOKENS,
                                         "PARADIP_LOG_LEVEL": "debug"}, workers=1)
    try:
        def call(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
            request = urllib.request.Request(server.url + path, data=body, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode()

        status, text = call("POST", "/update", agreement(NEW).encode(),
                            {"Content-Type": UPDATE, "Authorization": f"Bearer {ALICE}"})
        assert status == 200, text
        assert json.loads(text)["added"] == 8
        status, _ = call("POST", "/update", NO_OP.encode(),
                         {"Content-Type": UPDATE, "Authorization": f"Bearer {wrong}"})
        assert status == 403
        status, _ = call("PUT", "/graph-store?" + urlencode({"graph": NOTES}), NOTE_TTL,
                         {"Content-Type": "text/turtle", "Authorization": f"Bearer {BOB}"})
        assert status == 201
        with urllib.request.urlopen(server.url + "/sparql?" + urlencode(
                {"query": f"ASK {{ <{NEW}> ?p ?o }}"}), timeout=30) as response:
            assert json.loads(response.read())["boolean"] is True
    finally:
        stop_server(server)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "POST /update" in log  # the access log was written...
    for secret in (ALICE, BOB, wrong):
        assert secret not in log  # ...without a token


def test_service_description_names_the_update_endpoint_only_when_writes_are_on(client: FlaskClient,
                                                                               other_app: Any) -> None:
    update_language = "http://www.w3.org/ns/sparql-service-description#SPARQL11Update"
    on = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert on.status_code == 200 and update_language in on.get_data(as_text=True)
    assert "/update>" in on.get_data(as_text=True)
    off = other_app(write_tokens="").get("/sparql", headers={"Accept": "application/n-triples"})
    assert off.status_code == 200 and update_language not in off.get_data(as_text=True)
