"""Citing and reusing: CITATION.cff, the footer of every page, /about, the agreement summary and
meta description, and the JSON-LD @context (published, carried by documents, never fetched)."""

from __future__ import annotations

import io
import json
import re
import tomllib
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import SH

from paradip_kg.rdf.jsonld_context import CONTEXT_IRI
from paradip_kg.rdf.parse import read_quads
from support.paths import ROOT

ID = "https://w3id.org/paradip/id/"
AGREEMENTS_QUERY = "SELECT ?a WHERE { ?a a pdo:Agreement } ORDER BY ?a"


def cff() -> dict[str, str]:
    """The top-level scalar keys of CITATION.cff (the file keeps to simple YAML: key: value, lists of maps)."""
    out = {}
    for line in (ROOT / "CITATION.cff").read_text(encoding="utf-8").splitlines():
        found = re.match(r'^([a-z-]+):\s*(.*)$', line)
        if found:
            out[found.group(1)] = found.group(2).strip().strip('"')
    return out


def test_citation_cff_is_cff_1_2_0_with_the_projects_version() -> None:
    fields = cff()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert fields["cff-version"] == "1.2.0"
    assert fields["version"] == version
    assert fields["message"] and fields["title"] and fields["license"] == "Apache-2.0"
    assert "authors" in fields  # required by CFF 1.2.0
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^authors:\n  - name: \S", text, re.M)
    assert "doi:" not in text  # no DOI has been minted: none is invented


@pytest.mark.parametrize("path", ["/", "/search?q=wichita", "/browse", "/about", "/page/agreement/mx-23005--us-wichita",
                                  "/sparql", "/validate", "/ontology"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_says_version_build_date_licence_and_how_to_cite_it(bundled_app: Flask, path: str,
                                                                       lang: str) -> None:
    sep = "&" if "?" in path else "?"
    response = bundled_app.test_client().get(f"{path}{sep}lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    footer = response.get_data(as_text=True).split('<footer class="site">', 1)[1]
    from paradip_kg import __version__
    assert f"paradip-kg {__version__}" in footer
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d">', footer)
    assert 'rel="license"' in footer and "CC BY 4.0" in footer and "Apache-2.0" in footer
    cite = unescape(re.search(r"<cite>(.*?)</cite>", footer, re.S).group(1))
    assert __version__ in cite and "paradip-kg contributors" in cite
    assert ("Cómo citar esta página" if lang == "es" else "How to cite this page") in footer


def test_an_agreement_is_cited_by_its_iri(bundled_app: Flask) -> None:
    html = bundled_app.test_client().get("/page/agreement/mx-23005--us-wichita?lang=en").get_data(as_text=True)
    cite = unescape(re.search(r"<cite>(.*?)</cite>", html, re.S).group(1))
    assert f"{ID}agreement/mx-23005--us-wichita" in cite and "Benito Juárez – Wichita twinning" in cite


@pytest.mark.parametrize(("lang", "words"), [
    ("es", ["Qué contiene el grafo", "De dónde viene", "Cómo se construye"]),
    ("en", ["What the graph holds", "Where it comes from", "How it is built"])])
def test_about_page(bundled_app: Flask, lang: str, words: list[str]) -> None:
    html = bundled_app.test_client().get(f"/about?lang={lang}").get_data(as_text=True)
    for word in words:
        assert word in html
    assert f'<html lang="{lang}">' in html and 'id="cite"' in html
    assert re.search(r'<td class="count">19</td>', html)  # the agreements


def test_every_agreement_has_its_summary_as_meta_description(bundled_app: Flask) -> None:
    client = bundled_app.test_client()
    rows = client.get("/sparql", query_string={"query": "PREFIX pdo: <https://w3id.org/paradip/ontology#> "
                                                        + AGREEMENTS_QUERY},
                      headers={"Accept": "application/sparql-results+json"}).get_json()["results"]["bindings"]
    assert len(rows) == 19
    for row in rows:
        path = "/page/" + row["a"]["value"][len("https://w3id.org/paradip/"):].removeprefix("id/")
        for lang, words in (("es", (" entre ", ", desde ", "; ámbito ")), ("en", (" between ", ", since ", " scope"))):
            html = client.get(f"{path}?lang={lang}").get_data(as_text=True)
            meta = re.search(r'<meta name="description" content="([^"]*)">', html)
            shown = re.search(r'<p class="summary">(.*?)</p>', html)
            assert meta and shown and unescape(meta.group(1)) == unescape(shown.group(1)), path
            assert all(w in unescape(meta.group(1)) for w in words), meta.group(1)


def test_the_wichita_summary(bundled_app: Flask) -> None:
    html = bundled_app.test_client().get("/page/agreement/mx-23005--us-wichita?lang=en").get_data(as_text=True)
    summary = unescape(re.search(r'<p class="summary">(.*?)</p>', html).group(1))
    assert summary.startswith("Sister-city agreement between ")
    assert "Wichita" in summary and "Benito Juárez" in summary and "since 1985" in summary
    assert summary.endswith("; international scope.")


def test_the_context_is_published(bundled_app: Flask) -> None:
    response = bundled_app.test_client().get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    context = response.get_json()["@context"]
    assert context["pdo"] == "https://w3id.org/paradip/ontology#" and context["schema"] == "https://schema.org/"
    assert "@vocab" not in context and "@base" not in context  # adding it never changes a document's meaning
    assert CONTEXT_IRI == "https://w3id.org/paradip/context.jsonld"


@pytest.mark.parametrize("path", ["/data/agreement/mx-23005--us-wichita", "/dataset", "/ontology"])
def test_json_ld_documents_carry_and_name_the_context(bundled_app: Flask, path: str) -> None:
    client = bundled_app.test_client()
    response = client.get(path, headers={"Accept": "application/ld+json"}, follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in response.headers["Link"]
    assert "/context.jsonld>" in response.headers["Link"]
    body = response.get_json()
    assert body["@context"] == client.get("/context.jsonld").get_json()["@context"]
    turtle = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True).data
    as_jsonld = Graph().parse(data=response.data, format="json-ld")  # offline: the context is inline
    as_turtle = Graph().parse(data=turtle, format="turtle")
    if path.startswith("/data/"):
        assert isomorphic(as_jsonld, as_turtle)  # the same triples
    else:  # a description names its own document (dataset.jsonld, dataset.ttl): the same count
        assert len(as_jsonld) == len(as_turtle)


def test_construct_results_and_validation_reports_carry_the_context(bundled_app: Flask) -> None:
    """JSON-LD answers that are not documents of a page carry the context too: a CONSTRUCT result
    (expanded, the context inline beside @graph) and a SHACL report (compacted with it)."""
    client = bundled_app.test_client()
    published = client.get("/context.jsonld").get_json()["@context"]
    query = ("CONSTRUCT { ?a ?p ?o } WHERE { GRAPH <https://w3id.org/paradip/graph/data> { ?a ?p ?o "
             "FILTER(?a = <https://w3id.org/paradip/id/agreement/mx-23005--us-wichita>) } }")
    answers = {accept: client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
               for accept in ("application/ld+json", "text/turtle")}
    jsonld = answers["application/ld+json"]
    assert jsonld.status_code == 200 and jsonld.mimetype == "application/ld+json"
    assert jsonld.get_json()["@context"] == published
    assert "/context.jsonld>" in jsonld.headers["Link"]
    as_jsonld = Graph().parse(data=jsonld.data, format="json-ld")
    as_turtle = Graph().parse(data=answers["text/turtle"].data, format="turtle")
    assert len(as_jsonld) > 3 and isomorphic(as_jsonld, as_turtle)
    bad = (b"@prefix pdo: <https://w3id.org/paradip/ontology#> .\n"
           b"<https://w3id.org/paradip/id/x> a pdo:SisterCityAgreement .\n")
    report = client.post("/validate", data={"data": (io.BytesIO(bad), "bad.ttl"), "context": "0"},
                         headers={"Accept": "application/ld+json"})
    assert report.status_code == 200 and report.mimetype == "application/ld+json", report.data[:300]
    body = report.get_json()
    assert body["@context"] == published
    as_report = Graph().parse(data=report.data, format="json-ld")
    assert (None, None, SH.ValidationReport) in as_report and (None, SH.conforms, None) in as_report


def test_an_upload_naming_our_context_is_read_without_fetching_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser tried to fetch a context")
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    doc = json.dumps({"@context": CONTEXT_IRI, "@id": "pdid:agreement/x", "pdo:startDate": "1985"}).encode()
    quads = read_quads(doc, "jsonld", "upload.jsonld")
    assert [(q.subject.value, q.predicate.value) for q in quads] == [
        (ID + "agreement/x", "https://w3id.org/paradip/ontology#startDate")]
    other = json.dumps({"@context": "http://example.org/context.jsonld", "@id": "http://example.org/a"}).encode()
    from paradip_kg.errors import RdfSyntaxError
    with pytest.raises(RdfSyntaxError, match="remote @context"):
        read_quads(other, "jsonld", "upload.jsonld")


def test_citation_cff_is_in_the_repository_root() -> None:
    assert Path(ROOT / "CITATION.cff").is_file()
