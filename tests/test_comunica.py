"""Comunica (a real Triple Pattern Fragments client) over /fragments on a real gunicorn server:
its answers to a few SPARQL queries equal those of our own /sparql endpoint.

Comunica is not installed here: ``scripts/test-deps.sh`` puts ``@comunica/query-sparql`` 4.5.0
(tests/comunica/package.json; version 5 crashes on Node 20) in tests/comunica/node_modules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pytest

from test_sparql_server import Server, start_server, stop_server

pytestmark = [pytest.mark.server, pytest.mark.slow]
KIT = Path(__file__).resolve().parent / "comunica"
CLI = KIT / "node_modules" / ".bin" / "comunica-sparql"
INSTALL_HINT = "run scripts/test-deps.sh (it installs tests/comunica/node_modules)"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PREFIXES = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
QUERIES = {
    "countries": PREFIXES + "SELECT ?c WHERE { ?c a pdo:Country }",
    "labels of classes (a join)": PREFIXES + "SELECT ?c ?label WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> ; "
                                             "rdfs:label ?label FILTER(isIRI(?c)) }",
    "count of typed things (many pages)": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }",
}


@pytest.fixture(scope="module")
def tpf_server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if shutil.which("node") is None:
        pytest.fail(f"Comunica needs Node.js: {INSTALL_HINT}")
    if not CLI.exists():
        pytest.fail(f"Comunica is not installed in tests/comunica/node_modules: {INSTALL_HINT}")
    running = start_server(tmp_path_factory.mktemp("tpf"), [], {"PARADIP_STORE": str(bundled_store)})
    yield running
    stop_server(running)


def normalise(bindings: list[dict]) -> list[tuple]:
    """SPARQL JSON rows as sorted tuples (xsd:string spelled out or not: the same literal)."""
    rows = []
    for binding in bindings:
        row = []
        for name in sorted(binding):
            term = binding[name]
            datatype = term.get("datatype", XSD_STRING if term["type"] == "literal" and "xml:lang" not in term else None)
            row.append((name, term["type"], term["value"], term.get("xml:lang"), datatype))
        rows.append(tuple(row))
    return sorted(rows)


def ours(server: Server, query: str) -> list[tuple]:
    request = urllib.request.Request(server.endpoint + "?" + urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return normalise(json.load(response)["results"]["bindings"])


def comunica(server: Server, query: str) -> list[tuple]:
    done = subprocess.run([str(CLI), server.url + "/fragments", query, "-t", "application/sparql-results+json"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return normalise(json.loads(done.stdout)["results"]["bindings"])


@pytest.mark.parametrize("name", list(QUERIES))
def test_comunica_over_fragments_agrees_with_sparql(tpf_server: Server, name: str) -> None:
    query = QUERIES[name]
    expected = ours(tpf_server, query)
    assert expected, f"{name}: no results from /sparql"
    assert comunica(tpf_server, query) == expected, name
