"""docs/clients.md's snippets, read from the doc and run against a real server (the doc cannot drift).

Each snippet follows a ``<!-- snippet: NAME -->`` line; ``http://127.0.0.1:8080`` in it is the
test server's address. Python snippets run as they are (their output checked); the YASGUI
preflight is sent as written; Protégé's URL is opened the way the OWL API opens it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from support.paths import ROOT
from support.servers import Server, start_server, stop_server

DOC = ROOT / "docs" / "clients.md"
DOC_HOST = "http://127.0.0.1:8080"
SNIPPET = re.compile(r"<!-- snippet: (\w+) -->\n```(\w+)\n(.*?)\n```", re.S)
# What the OWL API (Protégé) asks for when it opens an ontology from a URL: RDF/XML first.
OWLAPI_ACCEPT = "application/rdf+xml, application/xml; q=0.7, text/xml; q=0.6, text/plain; q=0.1, */*; q=0.09"


def snippets() -> dict[str, tuple[str, str]]:
    """name → (language, code) of every snippet of the doc."""
    return {name: (lang, code) for name, lang, code in SNIPPET.findall(DOC.read_text(encoding="utf-8"))}


def test_the_doc_has_every_snippet() -> None:
    assert set(snippets()) == {"yasgui", "protege", "rdflib", "sparqlwrapper"}


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("clients"), env={"PARADIP_STORE": str(bundled_store)})
    try:
        yield running
    finally:
        stop_server(running)


def run_python(code: str, server: Server) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace(DOC_HOST, server.url), str(DOC), "exec"), {"__name__": "snippet"})  # noqa: S102
    return out.getvalue()


def test_rdflib_snippet(server: Server) -> None:
    lang, code = snippets()["rdflib"]
    assert lang == "python"
    lines = run_python(code, server).splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("1985 https://w3id.org/paradip/id/agreement/")  # the oldest: Wichita, 1985
    count = int(lines[3].split()[0])
    assert count > 10 and lines[3].endswith("https://w3id.org/paradip/id/agreement/mx-23005--us-wichita")


def test_sparqlwrapper_snippet(server: Server) -> None:
    lang, code = snippets()["sparqlwrapper"]
    assert lang == "python"
    lines = run_python(code, server).splitlines()
    assert len(lines) == 5 and lines == sorted(lines)
    assert all(line.startswith("Benito Juárez – ") and line.endswith(" twinning") for line in lines)


def test_yasgui_preflight(server: Server) -> None:
    lang, code = snippets()["yasgui"]
    assert lang == "http"
    request_line, *header_lines = code.splitlines()
    method, path, _version = request_line.split()
    headers = dict(line.split(": ", 1) for line in header_lines)
    headers.pop("Host")
    target = urlsplit(server.url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        conn.request(method, path, headers=headers)
        answer = conn.getresponse()
        answer.read()
        assert answer.status in (200, 204)
        assert answer.getheader("Access-Control-Allow-Origin") in ("*", headers["Origin"])
        assert "POST" in answer.getheader("Access-Control-Allow-Methods", "")
        assert "content-type" in answer.getheader("Access-Control-Allow-Headers", "").lower()
        # then the query, as YASGUI sends it: a form POST asking for SPARQL JSON
        conn.request("POST", path, body="query=ASK%20%7B%7D",
                     headers={"Origin": headers["Origin"], "Content-Type": "application/x-www-form-urlencoded",
                              "Accept": "application/sparql-results+json,*/*;q=0.9"})
        answer = conn.getresponse()
        body = answer.read()
        assert answer.status == 200 and b'"boolean"' in body
        assert answer.getheader("Access-Control-Allow-Origin") in ("*", headers["Origin"])
        assert "X-Paradip-Truncated" in answer.getheader("Access-Control-Expose-Headers", "")
    finally:
        conn.close()


def test_protege_opens_the_ontology(server: Server) -> None:
    lang, code = snippets()["protege"]
    assert lang == "text"
    url = urlsplit(code.strip().replace(DOC_HOST, server.url))
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("GET", url.path, headers={"Accept": OWLAPI_ACCEPT})
        answer = conn.getresponse()
        body = answer.read()
    finally:
        conn.close()
    assert answer.status == 200 and answer.getheader("Content-Type", "").startswith("application/rdf+xml")
    ontology = Graph().parse(data=body, format="xml")
    assert (None, RDF.type, OWL.Ontology) in ontology
    assert len(ontology) > 500
