"""Dereferencing: 303s, documents, content negotiation, overrides, odd IRIs, proxies, 404s.

The store here (``ld_store``) is small but has what the linked-data layer must cope with:
blank nodes, stated and inferred triples, a hub node, IRIs with percent-encoded and
non-ASCII characters, and literals and IRIs that try to break the HTML. Its data is in
tests/support/ld.py, its fixtures in tests/conftest.py (test_pages.py and test_void_dumps.py
use them too).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.store.disk import Manifest, manifest_path
from support.apps import FORWARDED
from support.ld import BASE, HUB_SIZE, write_ld_store
from support.rdf import parse, store_graph

# --- 303 See Other ------------------------------------------------------------------------

ACCEPT_303 = [
    pytest.param("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/page/country/MX", id="firefox"),
    pytest.param("*/*", "/page/country/MX", id="curl"),
    pytest.param("", "/page/country/MX", id="no-accept"),
    pytest.param("text/turtle", "/data/country/MX.ttl", id="turtle"),
    pytest.param("text/turtle; charset=utf-8", "/data/country/MX.ttl", id="turtle-charset"),
    pytest.param("application/x-turtle", "/data/country/MX.ttl", id="turtle-legacy"),
    pytest.param("application/ld+json", "/data/country/MX.jsonld", id="jsonld"),
    pytest.param("application/json", "/data/country/MX.jsonld", id="json"),
    pytest.param("application/rdf+xml", "/data/country/MX.rdf", id="rdfxml-protege"),
    pytest.param("application/n-triples", "/data/country/MX.nt", id="ntriples"),
    pytest.param("application/trig", "/data/country/MX.trig", id="trig"),
    pytest.param("application/n-quads", "/data/country/MX.nq", id="nquads"),
    pytest.param("text/html;q=0.5, text/turtle;q=0.9", "/data/country/MX.ttl", id="qvalues-turtle"),
    pytest.param("application/rdf+xml;q=0.3, text/html", "/page/country/MX", id="qvalues-html"),
    pytest.param("image/png, application/ld+json;q=0.1", "/data/country/MX.jsonld", id="unknown-skipped"),
]


@pytest.mark.parametrize(("accept", "target"), ACCEPT_303)
def test_id_303_by_accept(ld_client: FlaskClient, accept: str, target: str) -> None:
    response = ld_client.get("/id/country/MX", headers={"Accept": accept} if accept else {})
    assert response.status_code == 303
    assert response.headers["Location"] == "http://localhost" + target
    assert "Accept" in response.vary
    links = response.headers["Link"]
    for ext in ("ttl", "jsonld", "rdf", "nt", "trig", "nq"):
        assert f"</data/country/MX.{ext}>" in links.replace("http://localhost", "")
    assert 'rel="alternate"' in links


def test_id_303_keeps_language(ld_client: FlaskClient) -> None:
    response = ld_client.get("/id/country/MX?lang=en", headers={"Accept": "text/html"})
    assert response.headers["Location"] == "http://localhost/page/country/MX?lang=en"


def test_vocab_concepts_and_schemes_303(ld_client: FlaskClient) -> None:
    concept = ld_client.get("/vocab/theme/economic", headers={"Accept": "text/turtle"})
    assert concept.status_code == 303 and concept.headers["Location"].endswith("/data/vocab/theme/economic.ttl")
    scheme = ld_client.get("/vocab/theme", headers={"Accept": "text/html"})
    assert scheme.status_code == 303 and scheme.headers["Location"].endswith("/page/vocab/theme")


def test_not_acceptable(ld_client: FlaskClient) -> None:
    response = ld_client.get("/id/country/MX", headers={"Accept": "image/png"})
    assert response.status_code == 406


# --- Overrides ------------------------------------------------------------------------------

OVERRIDES = [
    pytest.param("/id/country/MX?output=ttl", "text/html", 303, "/data/country/MX.ttl", id="id-output-ttl"),
    pytest.param("/id/country/MX?output=jsonld", "text/turtle", 303, "/data/country/MX.jsonld", id="id-output-jsonld"),
    pytest.param("/id/country/MX?format=application/rdf%2Bxml", "text/html", 303, "/data/country/MX.rdf",
                 id="id-format-mediatype"),
    pytest.param("/id/country/MX?output=html", "text/turtle", 303, "/page/country/MX", id="id-output-html"),
    pytest.param("/id/country/MX.ttl", "text/html", 303, "/data/country/MX.ttl", id="id-extension"),
    pytest.param("/id/country/MX?output=bogus", "text/turtle", 303, "/data/country/MX.ttl", id="unknown-ignored"),
]


@pytest.mark.parametrize(("path", "accept", "status", "target"), OVERRIDES)
def test_overrides_on_id(ld_client: FlaskClient, path: str, accept: str, status: int, target: str) -> None:
    response = ld_client.get(path, headers={"Accept": accept})
    assert response.status_code == status
    assert response.headers["Location"] == "http://localhost" + target


DIRECT = [
    pytest.param("/page/country/MX?output=ttl", "text/html", "text/turtle", "/data/country/MX.ttl", id="page-output"),
    pytest.param("/data/country/MX", "text/turtle", "text/turtle", "/data/country/MX.ttl", id="data-negotiated"),
    pytest.param("/data/country/MX", "*/*", "text/turtle", "/data/country/MX.ttl", id="data-any"),
    pytest.param("/data/country/MX", "application/ld+json", "application/ld+json", "/data/country/MX.jsonld",
                 id="data-negotiated-jsonld"),
    pytest.param("/data/country/MX.nt", "text/turtle", "application/n-triples", "/data/country/MX.nt",
                 id="extension-beats-accept"),
    pytest.param("/data/country/MX?output=rdfxml", "text/turtle", "application/rdf+xml", "/data/country/MX.rdf",
                 id="data-output"),
]


@pytest.mark.parametrize(("path", "accept", "media_type", "location"), DIRECT)
def test_documents_directly(ld_client: FlaskClient, path: str, accept: str, media_type: str, location: str) -> None:
    response = ld_client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Content-Location"] == "http://localhost" + location
    assert "Accept" in response.vary
    assert len(parse(response.data, media_type)) > 0


# --- The conneg matrix: /id /page /data /ontology /dataset ---------------------------------

MATRIX_ACCEPTS = {
    "browser": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "ntriples": "application/n-triples",
    "any": "*/*",
}
MATRIX = [
    # (path, accept, status, media type of the answer or Location suffix)
    *[pytest.param("/id/country/MX", a, 303, t, id=f"id-{a}") for a, t in (
        ("browser", "/page/country/MX"), ("turtle", "/data/country/MX.ttl"), ("jsonld", "/data/country/MX.jsonld"),
        ("rdfxml", "/data/country/MX.rdf"), ("ntriples", "/data/country/MX.nt"), ("any", "/page/country/MX"))],
    *[pytest.param("/page/country/MX", a, 200, t, id=f"page-{a}") for a, t in (
        ("browser", "text/html"), ("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"), ("ntriples", "application/n-triples"), ("any", "text/html"))],
    *[pytest.param("/data/country/MX", a, 200, t, id=f"data-{a}") for a, t in (
        ("browser", "application/rdf+xml"), ("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"), ("ntriples", "application/n-triples"), ("any", "text/turtle"))],
    *[pytest.param("/ontology", a, 200, t, id=f"ontology-{a}") for a, t in (
        ("browser", "text/html"), ("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"), ("ntriples", "application/n-triples"), ("any", "text/html"))],
    *[pytest.param("/dataset", a, 200, t, id=f"dataset-{a}") for a, t in (
        ("browser", "text/html"), ("turtle", "text/turtle"), ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"), ("ntriples", "application/n-triples"), ("any", "text/html"))],
    *[pytest.param("/.well-known/void", a, 200, t, id=f"well-known-void-{a}") for a, t in (
        ("browser", "text/html"), ("turtle", "text/turtle"), ("any", "text/turtle"))],
    *[pytest.param(p, "turtle", 200, "text/turtle", id=f"doc-{p}") for p in (
        "/shapes", "/vocab", "/graph/data", "/graph/inferred", "/page/vocab/theme")],
]


@pytest.mark.parametrize(("path", "accept", "status", "expected"), MATRIX)
def test_conneg_matrix(ld_client: FlaskClient, path: str, accept: str, status: int, expected: str) -> None:
    response = ld_client.get(path, headers={"Accept": MATRIX_ACCEPTS[accept]})
    assert response.status_code == status
    assert "Accept" in response.vary
    if status == 303:
        assert response.headers["Location"] == "http://localhost" + expected
        return
    assert response.mimetype == expected
    assert response.headers["Content-Location"].startswith("http://localhost/")
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    alternates = response.headers["Link"]
    for media_type in ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"):
        assert f'type="{media_type}"' in alternates
    if expected != "text/html":
        assert len(parse(response.data, expected)) > 0


def test_every_alternate_is_served(ld_client: FlaskClient) -> None:
    """Each URL in the Link header answers 200 in the type the header announces."""
    for path in ("/page/country/MX", "/ontology", "/dataset", "/shapes", "/graph/vocab"):
        links = ld_client.get(path, headers={"Accept": "text/html"}).headers["Link"]
        for part in links.split(", <"):
            url, _, rest = part.strip("<").partition(">")
            media_type = rest.split('type="')[1].rstrip('"')
            answer = ld_client.get(url.replace("http://localhost", ""))
            assert answer.status_code == 200, url
            assert answer.mimetype == media_type, url
            assert answer.headers["Content-Location"] == url


# --- Documents parsed back and compared as graphs -----------------------------------------

DOC_FORMATS = [pytest.param(ext, mt, id=ext) for ext, mt in (
    ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
    ("nt", "application/n-triples"), ("trig", "application/trig"), ("nq", "application/n-quads"))]


@pytest.mark.parametrize(("ext", "media_type"), DOC_FORMATS)
def test_resource_document_is_the_description(ld_client: FlaskClient, ld_store: Path, ext: str,
                                              media_type: str) -> None:
    """The document of a thing: its triples (with its blank nodes) and the triples pointing at it."""
    gov = URIRef(BASE + "id/government/mx-23005")
    response = ld_client.get(f"/data/government/mx-23005.{ext}")
    assert response.status_code == 200 and response.mimetype == media_type
    whole = store_graph(ld_store, ("ontology", "vocab", "data", "inferred"))
    expected = Graph()
    for triple in whole.triples((gov, None, None)):
        expected.add(triple)
    for bnode in whole.objects(gov, None):
        if isinstance(bnode, BNode):
            for triple in whole.triples((bnode, None, None)):
                expected.add(triple)
    for s, p, o in whole.triples((None, None, gov)):
        if isinstance(s, URIRef) and s != gov:
            expected.add((s, p, o))
    assert isomorphic(parse(response.data, media_type), expected)


def test_entailments_to_blank_nodes_stay_out_of_documents(ld_client: FlaskClient) -> None:
    g = parse(ld_client.get("/data/agreement/mx-23005--us-wichita.ttl").data, "text/turtle")
    assert not any(isinstance(o, BNode) for o in g.objects(URIRef(BASE + "id/agreement/mx-23005--us-wichita"),
                                                             RDF.type))
    assert (URIRef(BASE + "id/agreement/mx-23005--us-wichita"), RDF.type,
            URIRef(BASE + "ontology#Agreement")) in g


def test_quad_formats_tell_stated_from_inferred(ld_client: FlaskClient) -> None:
    ds = Dataset()
    ds.parse(data=ld_client.get("/data/government/mx-23005.trig").data, format="trig")
    inferred = ds.graph(URIRef(BASE + "graph/inferred"))
    data = ds.graph(URIRef(BASE + "graph/data"))
    gov = URIRef(BASE + "id/government/mx-23005")
    assert (gov, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/paradip/ontology#Actor")) in inferred
    assert (gov, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/paradip/ontology#Actor")) not in data


@pytest.mark.parametrize(("ext", "media_type"), DOC_FORMATS)
def test_graph_documents_are_the_graphs(ld_client: FlaskClient, ld_store: Path, ext: str, media_type: str) -> None:
    for key in GRAPHS:
        response = ld_client.get(f"/graph/{key}.{ext}")
        assert response.status_code == 200, key
        assert isomorphic(parse(response.data, media_type), store_graph(ld_store, (key,))), key
    vocab = ld_client.get(f"/vocab.{ext}")
    assert isomorphic(parse(vocab.data, media_type), store_graph(ld_store, ("vocab",)))


@pytest.mark.parametrize(("ext", "media_type"), DOC_FORMATS)
def test_namespace_documents(ld_client: FlaskClient, ld_store: Path, ext: str, media_type: str) -> None:
    """/ontology and /shapes: the graph, and what the reasoner inferred about its terms, but not
    the entailments that lead to a blank node (they belong to no one document)."""
    inferred = store_graph(ld_store, ("inferred",))
    for key, path, namespace in (("ontology", "/ontology", BASE + "ontology#"),
                                 ("shapes", "/shapes", BASE + "shapes#")):
        expected = store_graph(ld_store, (key,))
        for s, p, o in inferred:
            if str(s).startswith(namespace) and not isinstance(o, BNode):
                expected.add((s, p, o))
        response = ld_client.get(f"{path}.{ext}")
        assert isomorphic(parse(response.data, media_type), expected), path
    ontology = parse(ld_client.get(f"/ontology.{ext}").data, media_type)
    assert (URIRef(BASE + "ontology#MunicipalGovernment"), URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            URIRef("https://schema.org/Organization")) in ontology


def test_scheme_document_holds_its_concepts(ld_client: FlaskClient, ld_store: Path) -> None:
    g = parse(ld_client.get("/data/vocab/theme.ttl").data, "text/turtle")
    trade = URIRef(BASE + "vocab/theme/trade")
    assert (trade, URIRef("http://www.w3.org/2004/02/skos/core#broader"), URIRef(BASE + "vocab/theme/economic")) in g
    assert set(g.triples((trade, None, None))) == set(store_graph(ld_store, ("vocab",)).triples((trade, None, None)))


def test_hub_document_is_paged(ld_client: FlaskClient, ld_store: Path) -> None:
    """A country with 60 places: pages of at most result_limit (40) quads, linked by rel=next/prev."""
    first = ld_client.get("/data/country/MX.nt")
    assert first.status_code == 200
    assert 'rel="next"' in first.headers["Link"] and "/data/country/MX.nt?page=2" in first.headers["Link"]
    second = ld_client.get("/data/country/MX.nt?page=2")
    assert second.status_code == 200 and 'rel="prev"' in second.headers["Link"]
    assert 'rel="next"' not in second.headers["Link"]
    assert len(first.data.splitlines()) <= 40
    union = parse(first.data, "application/n-triples") + parse(second.data, "application/n-triples")
    mx = URIRef(BASE + "id/country/MX")
    whole = store_graph(ld_store, ("ontology", "vocab", "data", "inferred"))
    expected = Graph()
    for t in whole.triples((mx, None, None)):
        expected.add(t)
    for t in whole.triples((None, None, mx)):
        expected.add(t)
    assert isomorphic(union, expected)
    assert ld_client.get("/data/country/MX.nt?page=3").status_code == 404


# --- IRIs with unusual characters -----------------------------------------------------------

ODD_IRIS = [
    pytest.param("/id/test/a%20b", BASE + "id/test/a%20b", id="percent-space"),
    pytest.param("/id/test/a%2Fb", BASE + "id/test/a%2Fb", id="percent-slash"),
    pytest.param("/id/test/caf%C3%A9", BASE + "id/test/café", id="non-ascii-encoded"),
    pytest.param("/id/test/x+y:z(1)", BASE + "id/test/x+y:z(1)", id="plus-colon-parens"),
    pytest.param("/id/test/x%2By%3Az%281%29", BASE + "id/test/x+y:z(1)", id="plus-colon-parens-encoded"),
    pytest.param("/id/test/file.ttl", BASE + "id/test/file.ttl", id="key-with-extension"),
]


@pytest.mark.parametrize(("path", "iri"), ODD_IRIS)
def test_unusual_iris_dereference(ld_client: FlaskClient, path: str, iri: str) -> None:
    html = ld_client.get(path, headers={"Accept": "text/html"})
    assert html.status_code == 303
    page = ld_client.get(html.headers["Location"].replace("http://localhost", ""))
    assert page.status_code == 200, html.headers["Location"]
    turtle = ld_client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 303
    document = ld_client.get(turtle.headers["Location"].replace("http://localhost", ""))
    assert document.status_code == 200, turtle.headers["Location"]
    subjects = set(parse(document.data, "text/turtle").subjects())
    assert URIRef(iri) in subjects


def test_encoded_slash_is_not_a_slash(ld_client: FlaskClient) -> None:
    assert ld_client.get("/id/test/a/b", headers={"Accept": "text/turtle"}).status_code == 404


# --- Behind a reverse proxy -------------------------------------------------------------------

def test_redirects_use_the_forwarded_host(make_app: Callable[..., Flask], ld_store: Path) -> None:
    client = make_app(store=str(ld_store), trusted_proxies=1).test_client()
    response = client.get("/id/country/MX", headers={"Accept": "text/turtle", **FORWARDED})
    assert response.status_code == 303
    assert response.headers["Location"] == "https://data.example.org/kg/data/country/MX.ttl"
    assert "localhost" not in response.headers["Link"]
    page = client.get("/page/country/MX", headers={"Accept": "text/html", **FORWARDED})
    assert page.headers["Content-Location"] == "https://data.example.org/kg/page/country/MX"
    body = page.get_data(as_text=True)
    assert "localhost" not in body
    assert 'href="/kg/ontology#Country"' in body


def test_forwarded_headers_are_ignored_unless_trusted(ld_client: FlaskClient) -> None:
    response = ld_client.get("/id/country/MX", headers={"Accept": "text/turtle", **FORWARDED})
    assert response.headers["Location"] == "http://localhost/data/country/MX.ttl"


# --- 404 in the client's format -----------------------------------------------------------------

NOT_FOUND = [
    pytest.param("/id/nothing/here", "text/turtle", "text/turtle", id="id-turtle"),
    pytest.param("/id/nothing/here", "application/ld+json", "application/ld+json", id="id-jsonld"),
    pytest.param("/id/nothing/here", "application/rdf+xml", "application/rdf+xml", id="id-rdfxml"),
    pytest.param("/id/nothing/here", "application/n-triples", "application/n-triples", id="id-ntriples"),
    pytest.param("/id/nothing/here", "text/html", "text/html", id="id-html"),
    pytest.param("/data/nothing/here.ttl", "text/html", "text/turtle", id="data-extension"),
    pytest.param("/page/nothing/here", "text/html", "text/html", id="page-html"),
    pytest.param("/vocab/nothing", "text/turtle", "text/turtle", id="vocab-turtle"),
    pytest.param("/graph/nothing", "application/n-triples", "application/n-triples", id="graph-ntriples"),
]


@pytest.mark.parametrize(("path", "accept", "media_type"), NOT_FOUND)
def test_404_in_the_clients_format(ld_client: FlaskClient, path: str, accept: str, media_type: str) -> None:
    response = ld_client.get(path, headers={"Accept": accept})
    assert response.status_code == 404
    assert response.mimetype == media_type
    if media_type == "text/html":
        assert "not described" in response.get_data(as_text=True)
    else:
        assert len(parse(response.data, media_type)) == 0  # a valid, empty document


def test_404_for_json_clients_is_the_apps_error_shape(ld_client: FlaskClient) -> None:
    response = ld_client.get("/page/nothing/here", headers={"Accept": "application/json"})
    assert response.status_code == 404
    # application/json is also JSON-LD: the client gets a JSON-LD document that says why
    assert json.loads(response.data)["@graph"] == []


# --- Conditional requests -------------------------------------------------------------------------

CONDITIONAL = [pytest.param(p, a, id=p) for p, a in (
    ("/page/country/MX", "text/html"), ("/data/country/MX.ttl", "*/*"), ("/ontology", "text/html"),
    ("/ontology.jsonld", "*/*"), ("/dataset", "text/turtle"), ("/shapes", "text/html"), ("/", "text/html"),
    ("/sitemap.xml", "*/*"), ("/robots.txt", "*/*"), ("/page/vocab/theme", "text/html"),
    ("/graph/data", "text/turtle"))]


@pytest.mark.parametrize(("path", "accept"), CONDITIONAL)
def test_etag_last_modified_and_304(ld_client: FlaskClient, path: str, accept: str) -> None:
    first = ld_client.get(path, headers={"Accept": accept})
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert modified == "Tue, 03 Feb 2026 04:05:06 GMT"
    again = ld_client.get(path, headers={"Accept": accept, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    since = ld_client.get(path, headers={"Accept": accept, "If-Modified-Since": modified})
    assert since.status_code == 304
    older = ld_client.get(path, headers={"Accept": accept, "If-Modified-Since": "Mon, 02 Feb 2026 00:00:00 GMT"})
    assert older.status_code == 200
    other = ld_client.get(path, headers={"Accept": accept, "If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_representations_have_distinct_etags(ld_client: FlaskClient) -> None:
    tags = {ld_client.get("/ontology", headers={"Accept": a}).headers["ETag"]
            for a in ("text/html", "text/turtle", "application/ld+json")}
    tags.add(ld_client.get("/ontology?lang=en", headers={"Accept": "text/html"}).headers["ETag"])
    assert len(tags) == 4


def test_a_rebuilt_store_changes_the_etag(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    store = write_ld_store(tmp_path / "store")
    client = make_app(store=str(store)).test_client()
    before = client.get("/data/country/MX.ttl").headers["ETag"]
    Manifest(content_hash="ld-sample-v2", built_at="2026-03-01T00:00:00+00:00").write(manifest_path(store))
    after = client.get("/data/country/MX.ttl", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert after.headers["Last-Modified"] == "Sun, 01 Mar 2026 00:00:00 GMT"


# --- The harvester: from /.well-known/void to every IRI, and back to the dump ------------------

def harvest(client: FlaskClient, accept: str, media_type: str) -> tuple[Graph, Graph, int]:
    """Follow the dataset description like a harvester; return (union of documents, dump, documents read)."""
    void_doc = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void_doc.status_code == 200
    description = Graph().parse(data=void_doc.data, format="turtle")
    void_ns = "http://rdfs.org/ns/void#"
    dataset = URIRef(BASE + "dataset")
    dump_url = str(description.value(dataset, URIRef(void_ns + "dataDump")))
    uri_space = str(description.value(dataset, URIRef(void_ns + "uriSpace")))
    assert uri_space == BASE
    import gzip

    with client.get(dump_url.replace("http://localhost", "")) as dump_response:
        assert dump_response.status_code == 200
        dump_bytes = dump_response.data
    ds = Dataset()
    ds.parse(data=gzip.decompress(dump_bytes), format="nquads")
    dump = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        dump.add((s, p, o))

    union = Graph()
    read = 0
    iris = sorted({str(t) for triple in dump for t in triple
                   if isinstance(t, URIRef) and str(t).startswith(uri_space)
                   and str(t)[len(uri_space):].startswith(("id/", "vocab/"))})
    for iri in iris:
        path = "/" + quote(iri[len(uri_space):], safe="/:@!$&'()*+,;=-._~%")
        see_other = client.get(path, headers={"Accept": accept})
        assert see_other.status_code == 303, iri
        location = see_other.headers["Location"].replace("http://localhost", "")
        page_no = 1
        while location:
            document = client.get(location)
            assert document.status_code == 200, location
            assert document.mimetype == media_type
            union += parse(document.data, media_type)
            read += 1
            nxt = [part for part in document.headers.get("Link", "").split(", ") if 'rel="next"' in part]
            location = nxt[0].split(">")[0].strip("<").replace("http://localhost", "") if nxt else ""
            page_no += 1
    # hash namespaces: one document each
    for path in ("/ontology", "/shapes"):
        union += parse(client.get(path, headers={"Accept": accept}).data, media_type)
        read += 1
    # graphs held by name only (the harvested Wikidata claims, the reconciliation): their own documents
    for key in GRAPHS:
        if key not in DEFAULT_GRAPHS and key != "shapes":
            document = client.get(f"/graph/{key}", headers={"Accept": accept})
            assert document.status_code == 200, key
            union += parse(document.data, media_type)
            read += 1
    return union, dump, read


def served(store_dir: Path) -> Graph:
    """What dereferencing must reach: every stated triple (the four stated graphs), and every
    inferred one about a named subject of ours or a concept of our vocabularies, except those
    that lead to a blank node."""
    expected = store_graph(store_dir, ("ontology", "vocab", "data", "shapes"))
    members = set(expected.subjects(URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), None))
    for s, p, o in store_graph(store_dir, ("inferred",)):
        if isinstance(s, URIRef) and not isinstance(o, BNode) and (str(s).startswith(BASE) or s in members):
            expected.add((s, p, o))
    return expected


def ground(g: Graph) -> set:
    return {t for t in g if not any(isinstance(x, BNode) for x in t)}


HARVEST_FORMATS = [pytest.param("text/turtle", "text/turtle", id="turtle"),
                   pytest.param("application/ld+json", "application/ld+json", id="jsonld")]


@pytest.mark.parametrize(("accept", "media_type"), HARVEST_FORMATS)
def test_harvester_reaches_the_dump(ld_client: FlaskClient, ld_store: Path, accept: str, media_type: str) -> None:
    union, dump, read = harvest(ld_client, accept, media_type)
    assert read > HUB_SIZE
    assert ground(union) <= ground(dump)  # nothing invented
    assert isomorphic(union, served(ld_store))  # everything served, each blank node once
    left = ground(dump) - ground(union)  # only the entailment that leads to a blank node
    assert len(dump) - len(union) == 1 and not left


@pytest.mark.parametrize(("accept", "media_type"), HARVEST_FORMATS)
def test_harvester_on_the_bundled_graph(make_app: Callable[..., Flask], bundled_store: Path, accept: str,
                                        media_type: str) -> None:
    """The same walk over the real graph reaches all of the dump, exactly: the reasoner keeps no
    entailment about the ontology's anonymous class expressions (inference.is_trivial), so every
    inferred triple is about a named subject and has a document."""
    client = make_app(store=str(bundled_store)).test_client()
    union, dump, read = harvest(client, accept, media_type)
    assert ground(union) <= ground(dump)
    inferred = store_graph(bundled_store, ("inferred",))
    assert len(inferred) > 1000 and not [t for t in inferred if any(isinstance(x, BNode) for x in t)]
    assert isomorphic(union, dump), (len(union), len(dump), len(ground(dump) - ground(union)))


def test_result_limit_setting_bounds_documents(make_app: Callable[..., Flask], ld_store: Path) -> None:
    client = make_app(store=str(ld_store), result_limit=5).test_client()
    response = client.get("/data/government/mx-23005.nq")
    assert len(response.data.splitlines()) <= 8  # a quad with its blank node's quads stays whole
    assert 'rel="next"' in response.headers["Link"]


# --- Independent parsers -----------------------------------------------------------------------

RAPTOR = {"ttl": "turtle", "rdf": "rdfxml", "nt": "ntriples", "trig": "trig", "nq": "nquads"}
PARSED_PATHS = ("/data/government/mx-23005", "/data/test/xss", "/data/test/caf%C3%A9", "/data/test/a%2Fb",
                "/data/vocab/theme", "/ontology", "/shapes", "/dataset", "/graph/data")


@pytest.mark.parametrize("ext", [pytest.param(e, id=e) for e in RAPTOR])
def test_rapper_reads_every_document(ld_client: FlaskClient, ext: str) -> None:
    """Raptor (C, independent of rdflib and Oxigraph) parses each representation to as many triples."""
    quads = ext in ("trig", "nq")
    media_type = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "nt": "application/n-triples",
                  "trig": "application/trig", "nq": "application/n-quads"}[ext]
    for path in PARSED_PATHS:
        body = ld_client.get(f"{path}.{ext}").data
        result = subprocess.run(["rapper", "-q", "-i", RAPTOR[ext], "-o", "nquads" if quads else "ntriples", "-",
                                 "http://localhost/"], input=body, capture_output=True, timeout=60)
        assert result.returncode == 0, (path, result.stderr.decode())
        read = parse(result.stdout, "application/n-quads" if quads else "application/n-triples")
        assert isomorphic(read, parse(body, media_type)), path


@pytest.mark.parametrize("path", [pytest.param(p, id=p) for p in PARSED_PATHS])
def test_jsonld_read_by_two_processors(ld_client: FlaskClient, path: str) -> None:
    """The JSON-LD documents, read by rdflib's processor and by Oxigraph's (Rust), give the same graph."""
    body = ld_client.get(f"{path}.jsonld").data
    by_rdflib = Graph().parse(data=body, format="json-ld")
    by_oxigraph = Graph().parse(data=ox.serialize(ox.parse(body, format=ox.RdfFormat.JSON_LD),
                                                  format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert len(by_rdflib) > 0 and isomorphic(by_rdflib, by_oxigraph)
