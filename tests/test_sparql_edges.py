"""The SPARQL endpoint where users met 5xx or wrong answers (issue 16): each case as they sent it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from paradip_kg.sparql.inspect import inspect_query

RESULTS = "application/sparql-results+json"


@pytest.fixture
def client(sample_app) -> FlaskClient:
    return sample_app.test_client()


def test_an_unknown_extension_function_is_a_400_with_the_engines_words(client: FlaskClient) -> None:
    query = "SELECT ?x WHERE { ?s ?p ?o BIND(<http://example.org/fn>(?o) AS ?x) }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": RESULTS})
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()
    assert error["error"] == "Query not supported"
    assert "<http://example.org/fn>" in error["message"] and "not supported" in error["message"]


@pytest.mark.parametrize(("query", "dataset", "service"), [
    pytest.param('SELECT ?s { ?s ?p ?o FILTER(?o != "x"@from) }', False, False, id="tag-from"),
    pytest.param('SELECT ?s { ?s ?p ?o FILTER(?o != "x"@service) }', False, False, id="tag-service"),
    pytest.param('SELECT ?s { ?s ?p ?o FILTER(?o != "x"@en-from) }', False, False, id="subtag-from"),
    pytest.param("SELECT ?s FROM <http://example.org/g> { ?s ?p ?o }", True, False, id="real-from"),
    pytest.param("SELECT ?s { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", False, True, id="real-service"),
])
def test_language_tags_are_not_keywords(query: str, dataset: bool, service: bool) -> None:
    shape = inspect_query(query)
    assert (shape.has_dataset, shape.uses_service) == (dataset, service)


def test_a_language_tag_named_from_keeps_the_default_graph(client: FlaskClient) -> None:
    """`@from` was read as FROM: the union default graph was dropped and no row came back."""
    plain = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    tagged = 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER(?o != "x"@from) }'
    counts = []
    for query in (plain, tagged):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": RESULTS})
        assert response.status_code == 200, response.get_data(as_text=True)
        counts.append(int(response.get_json()["results"]["bindings"][0]["n"]["value"]))
    assert counts[0] > 0 and counts[1] == counts[0]
    service = 'SELECT ?s { ?s ?p ?o FILTER(?o != "x"@service) } LIMIT 1'
    assert client.get("/sparql", query_string={"query": service}, headers={"Accept": RESULTS}).status_code == 200


def test_an_update_sent_to_sparql_says_where_updates_go(client: FlaskClient) -> None:
    response = client.post("/sparql", data="INSERT DATA { <http://e/s> <http://e/p> 1 }",
                           content_type="application/sparql-update", headers={"Accept": "application/json"})
    assert response.status_code == 400
    message = response.get_json()["message"]
    assert "read-only" in message and "write_tokens" in message and "docs/writes.md" in message
