"""The query page's table, views, vocabulary and errors (issue 17), through the app on the bundled graph.

The table is sorted, filtered and paged on the server (``sort``, ``desc``, ``filter``, ``page``)
with the result cap and its notice kept; typed values read without ``^^xsd:``; the views offered
follow the result's shape (web/query_views.py); ``/sparql/vocabulary.json`` holds what the editor
completes; a syntax error names its line and column in the reader's language; without the
npm-built editor the page is the plain textarea.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from paradip_kg.namespaces import PREFIXES
from paradip_kg.web import query_views, sparql_page
from support.apps import app_on

HTML = {"Accept": "text/html"}
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMBERS = ('SELECT ?name ?n WHERE { VALUES (?name ?n) '
           '{ ("nueve" 9) ("diez" 10) ("cien" 100) ("Juárez" 55) ("sin" UNDEF) } }')


@pytest.fixture(scope="module")
def app(bundled_store: Path) -> Iterator[Flask]:
    with app_on(bundled_store, result_limit=150) as made:
        yield made


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def page(client: FlaskClient, query: str, **params: str) -> str:
    response = client.get("/sparql", query_string={"query": query, **params}, headers=HTML)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def column(html: str, n: int) -> list[str]:
    body = html.split('<table class="result-table">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[n]).strip() for r in rows]


def test_sorting_is_by_value_and_keeps_unbound_last(client: FlaskClient) -> None:
    assert column(page(client, NUMBERS, sort="n"), 1) == ["9", "10", "55", "100", ""]
    assert column(page(client, NUMBERS, sort="n", desc="1"), 1) == ["100", "55", "10", "9", ""]
    assert column(page(client, NUMBERS, sort="name"), 0) == ["cien", "diez", "Juárez", "nueve", "sin"]
    html = page(client, NUMBERS, sort="n", desc="1")
    assert 'aria-sort="descending"' in html
    assert column(page(client, NUMBERS, sort="no-such-variable"), 0)[0] == "nueve"  # the query's order


def test_filtering_ignores_accents_and_case(client: FlaskClient) -> None:
    html = page(client, NUMBERS, filter="JUAREZ")
    assert column(html, 0) == ["Juárez"]
    assert "filtradas de 5" in html
    assert "Ninguna fila" in page(client, NUMBERS, filter="nothing like it")


def test_paging_keeps_the_cap_and_its_notice(client: FlaskClient) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # more than the cap of 150
    first = page(client, query)
    assert "Resultado cortado" in first and "150" in first
    assert len(column(first, 0)) == 100 and "Filas 1–100 de 150" in first
    second = page(client, query, page="2")
    assert len(column(second, 0)) == 50 and "Filas 101–150 de 150" in second
    assert page(client, query, page="99").count("<tr>") == page(client, query, page="2").count("<tr>")  # clamped
    assert len(column(page(client, query, page="nonsense"), 0)) == 100


def test_typed_values_read_plainly(client: FlaskClient) -> None:
    query = ('SELECT ?d ?t ?n WHERE { VALUES (?d ?t ?n) { ("1985-03-12"^^xsd:date '
             '"2020-11-05T10:30:00Z"^^xsd:dateTime 12.5) } }')
    html = page(client, query)
    assert "^^" not in html.split('<table class="result-table">', 1)[1].split("</table>", 1)[0]
    assert '<td class="date"><span class="literal" title="xsd:date">1985-03-12</span>' in html
    assert "2020-11-05 10:30:00 UTC" in html
    assert '<td class="number"><span class="literal" title="xsd:decimal">12.5</span>' in html


@pytest.mark.parametrize(("query", "views"), [
    (NUMBERS, ["table", "bar", "line"]),
    ("SELECT ?a ?start WHERE { ?a a pdo:Agreement ; pdo:startDate ?start }", ["table", "timeline"]),
    ("SELECT ?a ?p WHERE { ?a a pdo:Agreement ; pdo:hasParty ?p }", ["table", "graph"]),
    ('SELECT ?w WHERE { VALUES ?w { "POINT(-97.3 37.7)"^^geo:wktLiteral } }', ["table", "map"]),
    ('SELECT ?name ?lat ?long WHERE { VALUES (?name ?lat ?long) { ("x" 21.1 -86.8) } }',
     ["table", "bar", "line", "map"]),
    ("ASK { ?s ?p ?o }", []),
])
def test_the_views_follow_the_results_shape(client: FlaskClient, query: str, views: list[str]) -> None:
    html = page(client, query)
    assert re.findall(r'<a href="[^"]*" data-view="(\w+)"', html) == views


def test_default_view_comment_and_view_parameter(client: FlaskClient) -> None:
    html = page(client, "#defaultView:BarChart\n" + NUMBERS)
    assert 'id="results" data-view="bar"' in html and 'id="view-table" data-view="table" hidden' in html
    assert 'id="results" data-view="timeline"' not in page(client, NUMBERS, view="timeline")  # not offered: the table
    assert query_views.default_view("# defaultView: Map\nSELECT", ["table", "map"]) == "map"
    assert query_views.default_view("#defaultView:Graph", ["table"]) == "table"


def test_view_data_is_json_the_page_cannot_break_out_of(client: FlaskClient) -> None:
    hostile = 'SELECT ?x ?n WHERE { VALUES (?x ?n) { ("</script><script>alert(1)</script>" 1) } }'
    html = page(client, hostile)
    data = html.split('<script type="application/json" id="view-data">', 1)[1].split("</script>", 1)[0]
    assert "<script>" not in data and "\\u003c/script\\u003e" in data


def test_the_vocabulary_of_the_completion(client: FlaskClient) -> None:
    response = client.get("/sparql/vocabulary.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    vocab = response.get_json()
    assert vocab["prefixes"] == PREFIXES
    terms = {t["curie"]: t for t in vocab["terms"]}
    assert terms["pdo:Agreement"]["kind"] == "class"
    assert terms["pdo:Agreement"]["labels"] == {"es": "Acuerdo", "en": "Agreement"}
    assert terms["pdo:hasParty"]["kind"] == "property"
    assert all(t["curie"].split(":", 1)[0] in PREFIXES for t in vocab["terms"])
    assert all(t["iri"] == PREFIXES[t["curie"].split(":", 1)[0]] + t["curie"].split(":", 1)[1] for t in vocab["terms"])


@pytest.mark.parametrize(("lang", "where", "prefix"), [
    ("es", "En la línea 2, columna", "no está declarado"),
    ("en", "At line 2, column", "is neither declared nor predeclared"),
])
def test_a_syntax_error_in_the_readers_language(client: FlaskClient, lang: str, where: str, prefix: str) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?a WHERE {\n  ?a a nada:X }", "lang": lang},
                          headers=HTML)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert where in html and prefix in html and "<code>nada:</code>" in html
    assert 'data-error-line="2"' in html


def test_without_the_built_editor_the_page_is_a_plain_textarea(client: FlaskClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with_editor = page(client, NUMBERS)
    assert "vendor/editor.js" in with_editor or not sparql_page.EDITOR_BUNDLE.exists()
    monkeypatch.setattr(sparql_page, "EDITOR_BUNDLE", Path("no-such-folder") / "editor.js")
    html = page(client, NUMBERS)
    assert "vendor/editor.js" not in html
    assert '<textarea id="query" name="query"' in html and "sparql-editor.js" in html
    assert len(column(html, 0)) == 5  # the result is there all the same
