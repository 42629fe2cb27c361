"""Triple Pattern Fragments (/fragments) on the bundled knowledge graph: counts against SPARQL,
paging, Hydra controls, literal patterns, representations, conditional requests, bad patterns."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from paradip_kg.web.fragments import PAGE_SIZE

HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@pytest.fixture()
def tpf(bundled_app: Flask) -> FlaskClient:
    return bundled_app.test_client()


def url(**pattern: str) -> str:
    params = [(k, v) for k, v in pattern.items() if v]
    return "/fragments" + ("?" + urlencode(params, quote_via=quote) if params else "")


def fragment(client: FlaskClient, path: str) -> tuple[list[ox.Quad], list[ox.Quad], str]:
    """(data quads, metadata quads, fragment IRI) of a TriG fragment."""
    response = client.get(path, headers={"Accept": "application/trig"})
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/trig"
    quads = list(ox.parse(response.data, format=ox.RdfFormat.TRIG))
    data = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    meta = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
    return data, meta, "http://localhost" + path


def meta_value(meta: list[ox.Quad], subject: str, predicate: str) -> list[ox.Term]:
    return [q.object for q in meta if q.subject == ox.NamedNode(subject) and q.predicate == ox.NamedNode(predicate)]


def sparql(client: FlaskClient, query: str) -> list[dict]:
    response = client.get("/sparql?" + urlencode({"query": query}),
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data
    return json.loads(response.data)["results"]["bindings"]


def sparql_count(client: FlaskClient, where: str) -> int:
    rows = sparql(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} }}")
    return int(rows[0]["n"]["value"])


def term_pattern(term: dict) -> str:
    """A SPARQL JSON term in the TPF pattern syntax."""
    if term["type"] == "uri":
        return term["value"]
    if "xml:lang" in term:
        return f'"{term["value"]}"@{term["xml:lang"]}'
    if term.get("datatype", XSD_STRING) != XSD_STRING:
        return f'"{term["value"]}"^^<{term["datatype"]}>'
    return f'"{term["value"]}"'


def sparql_term(term: dict) -> str:
    if term["type"] == "uri":
        return f"<{term['value']}>"
    value = json.dumps(term["value"])
    if "xml:lang" in term:
        return f'{value}@{term["xml:lang"]}'
    if term.get("datatype", XSD_STRING) == XSD_STRING:
        return value
    return f'{value}^^<{term["datatype"]}>'


def total(meta: list[ox.Quad], iri: str) -> int:
    [triples] = meta_value(meta, iri, VOID + "triples")
    [items] = meta_value(meta, iri, HYDRA + "totalItems")
    assert triples == items
    return int(triples.value)


def test_counts_equal_sparql(tpf: FlaskClient) -> None:
    someone = sparql(tpf, f"SELECT ?s WHERE {{ ?s <{RDF_TYPE}> ?c FILTER(isIRI(?s)) }} ORDER BY ?s LIMIT 1"
                     )[0]["s"]["value"]
    a_class = sparql(tpf, f"SELECT ?c (COUNT(*) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?c }} GROUP BY ?c "
                          "ORDER BY DESC(?n) LIMIT 1")[0]["c"]["value"]
    cases = [
        ({}, "?s ?p ?o"),
        ({"predicate": RDF_TYPE}, f"?s <{RDF_TYPE}> ?o BIND(<{RDF_TYPE}> AS ?p)"),
        ({"subject": someone}, f"<{someone}> ?p ?o BIND(<{someone}> AS ?s)"),
        ({"predicate": RDF_TYPE, "object": a_class},
         f"?s <{RDF_TYPE}> <{a_class}> BIND(<{RDF_TYPE}> AS ?p) BIND(<{a_class}> AS ?o)"),
        ({"subject": "https://w3id.org/paradip/id/nothing-here"}, "<https://w3id.org/paradip/id/nothing-here> ?p ?o"),
    ]
    for pattern, where in cases:
        _, meta, iri = fragment(tpf, url(**pattern))
        expected = sparql_count(tpf, where)
        assert total(meta, iri) == expected, pattern
    assert sparql_count(tpf, "?s ?p ?o") > PAGE_SIZE * 3


def test_paging_covers_every_triple_once(tpf: FlaskClient) -> None:
    path = url(predicate=RDF_TYPE)
    data, meta, iri = fragment(tpf, path)
    count = total(meta, iri)
    assert count > 2 * PAGE_SIZE
    assert meta_value(meta, iri, HYDRA + "first") == [ox.NamedNode("http://localhost" + path)]
    assert not meta_value(meta, iri, HYDRA + "previous")
    seen: list[ox.Triple] = []
    pages = 0
    while True:
        pages += 1
        assert len(data) <= PAGE_SIZE
        assert all(q.predicate == ox.NamedNode(RDF_TYPE) for q in data)
        seen += [q.triple for q in data]
        following = meta_value(meta, iri, HYDRA + "next")
        if not following:
            break
        [nxt] = following
        assert pages == 1 or meta_value(meta, iri, HYDRA + "previous")
        data, meta, iri = fragment(tpf, nxt.value.removeprefix("http://localhost"))
    assert pages == -(-count // PAGE_SIZE)
    assert len(seen) == len(set(seen)) == count
    rows = sparql(tpf, f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{RDF_TYPE}> ?o FILTER(isIRI(?s) && isIRI(?o)) }}")
    assert {(str(t.subject), str(t.object)) for t in seen
            if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)} \
        == {(sparql_term(r["s"]), sparql_term(r["o"])) for r in rows}
    # the same page twice: the same triples in the same order
    again, _, _ = fragment(tpf, url(predicate=RDF_TYPE) + "&page=2")
    once_more, _, _ = fragment(tpf, url(predicate=RDF_TYPE) + "&page=2")
    assert [q.triple for q in again] == [q.triple for q in once_more]
    # past the end: empty, with the count
    beyond, meta, iri = fragment(tpf, url(predicate=RDF_TYPE) + "&page=9999")
    assert beyond == [] and total(meta, iri) == count


def test_hydra_controls(tpf: FlaskClient) -> None:
    _, meta, iri = fragment(tpf, url(predicate=RDF_TYPE))
    dataset = "http://localhost/fragments#dataset"
    assert ox.NamedNode(iri) in meta_value(meta, dataset, VOID + "subset")
    [search] = meta_value(meta, dataset, HYDRA + "search")
    objects = lambda s, p: [q.object for q in meta if q.subject == s and q.predicate == ox.NamedNode(p)]  # noqa: E731
    assert objects(search, HYDRA + "template") == [ox.Literal("http://localhost/fragments{?subject,predicate,object}")]
    assert objects(search, HYDRA + "variableRepresentation") == [ox.NamedNode(HYDRA + "ExplicitRepresentation")]
    mappings = {objects(m, HYDRA + "variable")[0].value: objects(m, HYDRA + "property")[0]
                for m in objects(search, HYDRA + "mapping")}
    assert mappings == {name: ox.NamedNode(RDF + name) for name in ("subject", "predicate", "object")}
    # the controls follow the request's host
    response = tpf.get("/fragments", headers={"Accept": "text/turtle", "Host": "example.org:8080"})
    assert b"http://example.org:8080/fragments{?subject,predicate,object}" in response.data


def test_literal_object_patterns(tpf: FlaskClient) -> None:
    queries = {
        "language": "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && LANG(?o) != '') } LIMIT 1",
        "typed": f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o) && LANG(?o) = '' "
                 f"&& DATATYPE(?o) != <{XSD_STRING}>) }} LIMIT 1",
        "plain": f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o) "
                 f"&& DATATYPE(?o) = <{XSD_STRING}>) }} LIMIT 1",
    }
    for kind, query in queries.items():
        [row] = sparql(tpf, query)
        pattern = term_pattern(row["o"])
        data, meta, iri = fragment(tpf, url(object=pattern))
        expected = sparql_count(tpf, f"?s ?p {sparql_term(row['o'])} BIND({sparql_term(row['o'])} AS ?o)")
        assert total(meta, iri) == expected >= 1, kind
        assert {str(q.object) for q in data} == {sparql_term(row["o"])}, kind
        data, meta, iri = fragment(tpf, url(subject=row["s"]["value"], predicate=row["p"]["value"], object=pattern))
        assert total(meta, iri) == 1 and len(data) == 1
    # a language tag is not the plain string, nor another tag
    _, meta, iri = fragment(tpf, url(object='"Nothing at all here"@xx'))
    assert total(meta, iri) == 0


@pytest.mark.parametrize("query", [
    "subject=not%20an%20iri", "predicate=%22literal%22", "object=%22unterminated", 'object=%22x%22%40',
    "object=%22x%22%5E%5E%3Cnot%20iri%3E", "subject=%22x%22", "page=0", "page=abc", "subject=%3Fbad%20var",
])
def test_malformed_patterns_are_400(tpf: FlaskClient, query: str) -> None:
    response = tpf.get("/fragments?" + query, headers={"Accept": "application/trig"})
    assert response.status_code == 400, (query, response.data)
    assert json.loads(response.data)["status"] == 400


@pytest.mark.parametrize("accept,media_type,fmt", [
    ("application/trig", "application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_rdf_representations(tpf: FlaskClient, accept: str, media_type: str, fmt: ox.RdfFormat) -> None:
    path = url(predicate=RDF_TYPE)
    response = tpf.get(path, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media_type
    assert "Accept" in response.vary and response.headers["ETag"]
    quads = list(ox.parse(response.data, format=fmt))
    data = [q for q in quads if q.predicate == ox.NamedNode(RDF_TYPE) and not str(q.object).startswith(
        ("<http://www.w3.org/ns/hydra/", "<http://rdfs.org/ns/void#"))]
    assert len(data) == PAGE_SIZE
    counts = [q.object for q in quads if q.predicate == ox.NamedNode(VOID + "triples")]
    assert len(counts) == 1 and int(counts[0].value) > PAGE_SIZE


def test_html_page(tpf: FlaskClient) -> None:
    response = tpf.get(url(object='"<script>alert(1)</script>"'), headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    body = response.data.decode()
    assert 'name="subject"' in body and 'name="predicate"' in body and 'name="object"' in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    body = tpf.get(url(predicate=RDF_TYPE), headers={"Accept": "text/html"}).data.decode()
    assert body.count("<tr>") == PAGE_SIZE + 1 and 'rel="next"' in body


def test_etag_and_304(tpf: FlaskClient) -> None:
    first = tpf.get(url(predicate=RDF_TYPE), headers={"Accept": "application/trig"})
    etag = first.headers["ETag"]
    again = tpf.get(url(predicate=RDF_TYPE), headers={"Accept": "application/trig", "If-None-Match": etag})
    assert again.status_code == 304
    other = tpf.get(url(predicate=RDF_TYPE) + "&page=2", headers={"Accept": "application/trig"})
    assert other.headers["ETag"] != etag
