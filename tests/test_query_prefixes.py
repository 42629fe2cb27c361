"""The project's prefixes hold for every client of /sparql, as for `paradip-kg query` (issue 17).

A query without PREFIX lines may use pdo:, skos:, schema: ... (namespaces.PREFIXES); a prefix the
query declares wins over the predeclared one; an undeclared prefix is a 400 that names it, with
the line and column of the parser. Over HTTP: a real server (gunicorn, the query child process)
on the bundled graph, and the CLI on the same store for the same answers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from paradip_kg.namespaces import PREFIXES
from paradip_kg.sparql.inspect import undeclared_prefixes
from paradip_kg.sparql.local import run_local
from support.servers import start_server, stop_server

pytestmark = [pytest.mark.server]
RESULTS = "application/sparql-results+json"
AGREEMENTS = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pdo:Agreement ; skos:prefLabel|rdfs:label ?l }"


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("prefix-server")
    running = start_server(tmp, env={"PARADIP_STORE": str(bundled_store)}, workers=1)
    try:
        yield running.url
    finally:
        stop_server(running)


def ask(server: str, query: str) -> tuple[int, dict]:
    request = urllib.request.Request(server + "/sparql?" + urlencode({"query": query}), headers={"Accept": RESULTS})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def count(reply: dict) -> int:
    return int(reply["results"]["bindings"][0]["n"]["value"])


def test_a_query_without_prefix_lines_uses_the_projects_prefixes(server: str, bundled_store: Path) -> None:
    status, reply = ask(server, AGREEMENTS)
    assert status == 200, reply
    assert count(reply) == 19
    # The CLI answers the same from the same store (one place predeclares them: sparql.execute.run_query).
    assert run_local(bundled_store, AGREEMENTS).text_rows() == [["19"]]
    declared = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("pdo", "skos", "rdfs")) + AGREEMENTS
    assert count(ask(server, declared)[1]) == 19


def test_a_prefix_the_query_declares_wins(server: str) -> None:
    # pdo: redefined to another namespace: pdo:Agreement is then another class, with no member.
    redefined = "PREFIX pdo: <http://example.org/not-paradip#>\n" + AGREEMENTS
    status, reply = ask(server, redefined)
    assert status == 200, reply
    assert count(reply) == 0
    # Redefined to the real namespace under a new name, the same answer as predeclared.
    own = AGREEMENTS.replace("pdo:", "mine:")
    assert count(ask(server, f"PREFIX mine: <{PREFIXES['pdo']}>\n" + own)[1]) == 19
    # And a predeclared prefix redefined to a namespace that holds the data: rdfs: as pdo's.
    swapped = f"PREFIX rdfs: <{PREFIXES['pdo']}>\nSELECT (COUNT(*) AS ?n) WHERE {{ ?a a rdfs:Agreement }}"
    assert count(ask(server, swapped)[1]) == 19


def test_an_undeclared_prefix_is_a_400_that_names_it(server: str) -> None:
    status, reply = ask(server, "SELECT ?a WHERE {\n  ?a a nope:Agreement\n}")
    assert status == 400
    assert reply["error"] == "Malformed query"
    assert "nope:" in reply["message"] and "not declared" in reply["message"]
    assert "error at 2:" in reply["message"]


@pytest.mark.parametrize(("query", "missing"), [
    ("SELECT * { ?s zz:p ?o ; a pdo:X }", ["zz"]),
    ('SELECT * { ?s ?p "a:b"^^xsd:string . ?s <http://x/y:z> ?o }', []),
    ("PREFIX zz: <http://a/> SELECT * { ?s zz:p ?o ; :q 1.5 }", [""]),
    ("SELECT * { ?s ?p ?o FILTER(?o = yy:z && ?s != zz:a) } # ww:comment", ["yy", "zz"]),
])
def test_undeclared_prefixes(query: str, missing: list[str]) -> None:
    assert undeclared_prefixes(query, PREFIXES) == missing
