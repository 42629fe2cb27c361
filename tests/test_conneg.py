"""Content negotiation on the Accept headers real clients send.

Sources of the headers (copied from the clients' code or documentation):
- Firefox 128+: ``text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8``;
  Firefox 92–127 added ``image/avif,image/webp`` before ``*/*``.
- Chrome/Chromium (navigation): MDN "List of default Accept values".
- SPARQLWrapper 2.0 (``SPARQLWrapper/Wrapper.py``: ``_SPARQL_JSON``, ``_RDF_N3``, ...,
  ``_getAcceptHeader``); newer releases put ``application/x-sparqlstar-results+json`` first.
- rdflib SPARQLStore (``rdflib/plugins/stores/sparqlconnector.py``, ``response_mime_types``).
- Comunica (``fetch-sparql-endpoint``: ``CONTENTTYPE_SPARQL``, ``CONTENTTYPE_TURTLE``;
  ``actor-http-fetch`` for dereferencing a URL, e.g. the Service Description).
- YASGUI (``@triply/yasqe`` ``defaults.ts``: ``acceptHeaderSelect``, ``acceptHeaderGraph``).
- curl: ``*/*``.
- Protégé (OWL API ``DocumentSources.DEFAULT_REQUEST``).
"""

from __future__ import annotations

import pickle
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from paradip_kg.rdf import formats
from paradip_kg.rdf.formats import RDF_FORMATS
from paradip_kg.sparql.results import TABLE_WRITERS
from paradip_kg.web import conneg

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FIREFOX_OLD = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SW_JSON = "application/sparql-results+json,application/json,text/javascript,application/javascript"
SW_JSON_STAR = "application/x-sparqlstar-results+json," + SW_JSON
SW_XML = "application/sparql-results+xml"
SW_DEFAULT = "application/sparql-results+xml,application/rdf+xml,*/*"
SW_TURTLE = "application/turtle,text/turtle"
SW_N3 = "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
SW_RDFXML = "application/rdf+xml"
SW_JSONLD = "application/ld+json,application/x-json+ld"
RDFLIB_XML = "application/rdf+xml, application/sparql-results+xml"
RDFLIB_XML_OTHER_ORDER = "application/sparql-results+xml, application/rdf+xml"
COMUNICA_SELECT = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"
COMUNICA_GRAPH = "text/turtle"
COMUNICA_DEREFERENCE = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
                        "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,"
                        "application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,"
                        "application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,"
                        "text/shaclc-ext;q=0.05")
YASGUI_SELECT = "application/sparql-results+json,*/*;q=0.9"
YASGUI_GRAPH = "application/n-triples,*/*;q=0.9"
PROTEGE = "application/rdf+xml, application/xml; q=0.7, text/xml; q=0.6, text/plain; q=0.1, */*; q=0.09"

# (client, Accept, format for SELECT/ASK, format for CONSTRUCT/DESCRIBE and the Service Description)
CASES = [
    pytest.param(FIREFOX, "html", "html", id="firefox"),
    pytest.param(FIREFOX_OLD, "html", "html", id="firefox-92-127"),
    pytest.param(CHROME, "html", "html", id="chrome"),
    pytest.param(SAFARI, "html", "html", id="safari"),
    pytest.param(SW_JSON, "json", "jsonld", id="sparqlwrapper-json"),
    pytest.param(SW_JSON_STAR, "json", "jsonld", id="sparqlwrapper-json-sparqlstar"),
    pytest.param(SW_XML, "xml", None, id="sparqlwrapper-xml"),
    pytest.param("text/csv", "csv", None, id="sparqlwrapper-csv"),
    pytest.param("text/tab-separated-values", "tsv", None, id="sparqlwrapper-tsv"),
    pytest.param(SW_DEFAULT, "xml", "rdfxml", id="sparqlwrapper-default"),
    pytest.param(SW_TURTLE, None, "turtle", id="sparqlwrapper-turtle"),
    pytest.param(SW_N3, None, "turtle", id="sparqlwrapper-n3"),
    pytest.param(SW_RDFXML, None, "rdfxml", id="sparqlwrapper-rdfxml"),
    pytest.param(SW_JSONLD, None, "jsonld", id="sparqlwrapper-jsonld"),
    pytest.param(RDFLIB_XML, "xml", "rdfxml", id="rdflib-sparqlstore"),
    pytest.param(RDFLIB_XML_OTHER_ORDER, "xml", "rdfxml", id="rdflib-sparqlstore-reordered"),
    pytest.param("application/sparql-results+json", "json", None, id="rdflib-sparqlstore-json"),
    pytest.param(COMUNICA_SELECT, "json", None, id="comunica-select"),
    pytest.param(COMUNICA_GRAPH, None, "turtle", id="comunica-construct"),
    pytest.param(COMUNICA_DEREFERENCE, "xml", "nquads", id="comunica-dereference"),
    pytest.param(YASGUI_SELECT, "json", "turtle", id="yasgui-select"),
    pytest.param(YASGUI_GRAPH, "json", "ntriples", id="yasgui-construct"),
    pytest.param("*/*", "json", "turtle", id="curl"),
    pytest.param(None, "json", "turtle", id="no-accept-header"),
    pytest.param("", "json", "turtle", id="empty-accept-header"),
    pytest.param(PROTEGE, "xml", "rdfxml", id="protege"),
    pytest.param("application/sparql-results+json; charset=utf-8", "json", None, id="charset-param"),
    pytest.param("text/turtle;charset=UTF-8;q=0.8, application/ld+json;q=0.9", None, "jsonld", id="params-and-q"),
    pytest.param("text/*", "csv", "turtle", id="text-wildcard"),
    pytest.param("application/*;q=0.5, text/csv", "csv", "ntriples", id="wildcard-lower-q"),
    pytest.param("application/x-unknown, image/png", None, None, id="nothing-acceptable"),
    pytest.param("text/csv;q=0, */*", "json", "turtle", id="q-zero-excludes"),
    pytest.param("application/json", "json", "jsonld", id="plain-json"),
    pytest.param("text/plain", None, "ntriples", id="text-plain"),
]


def accept_of(header: str | None) -> MIMEAccept | None:
    return None if header is None else parse_accept_header(header, MIMEAccept)


@pytest.mark.parametrize("header,results,graph", CASES)
def test_negotiate(header: str | None, results: str | None, graph: str | None) -> None:
    accept = accept_of(header)
    chosen = conneg.negotiate(accept, (*conneg.RESULT_FORMATS, conneg.HTML))
    assert (chosen.name if chosen else None) == results
    chosen = conneg.negotiate(accept, (*RDF_FORMATS, conneg.HTML))
    assert (chosen.name if chosen else None) == graph


SELECT = "SELECT ?x WHERE { BIND(1 AS ?x) }"
CONSTRUCT = "CONSTRUCT { <http://ex/s> <http://ex/p> 1 } WHERE {}"


@pytest.mark.parametrize("header,results,graph", CASES)
def test_negotiate_over_http(sample_app: Flask, header: str | None, results: str | None, graph: str | None) -> None:
    client = sample_app.test_client()
    headers = {} if header is None else {"Accept": header}
    for query, expected in ((SELECT, results), (CONSTRUCT, graph)):
        r = client.get("/sparql?query=" + quote(query), headers=headers)
        if expected is None:
            assert r.status_code == 406
        else:
            assert r.status_code == 200 and r.mimetype == conneg.BY_NAME[expected].media_type
        assert "Accept" in r.headers["Vary"]
    r = client.get("/sparql", headers=headers)  # the Service Description
    if graph is None:
        assert r.status_code == 406
    else:
        assert r.status_code == 200 and r.mimetype == conneg.BY_NAME[graph].media_type


# The parameters SPARQLWrapper 2.0 adds (format, output, results; twice for TSV, JSON-LD, RDF/XML).
OVERRIDES = [
    pytest.param(["json"], "json", "jsonld", id="JSON"),
    pytest.param(["xml"], "xml", "rdfxml", id="XML"),
    pytest.param(["csv"], "csv", None, id="CSV"),
    pytest.param(["tsv", "text/tab-separated-values"], "tsv", None, id="TSV"),
    pytest.param(["turtle"], None, "turtle", id="TURTLE"),
    pytest.param(["n3"], None, "n3", id="N3"),
    pytest.param(["rdf"], None, "rdfxml", id="RDF"),
    pytest.param(["rdf+xml", "application/rdf+xml"], None, "rdfxml", id="RDFXML"),
    pytest.param(["json-ld", "application/ld+json,application/x-json+ld"], None, "jsonld", id="JSONLD"),
    pytest.param(["json-ld", ""], None, "jsonld", id="JSONLD-star-cleared"),
    pytest.param(["text/turtle; charset=utf-8"], None, "turtle", id="media-type-with-charset"),
    pytest.param(["html"], "html", "html", id="html"),
    pytest.param(["", "  ", ",,"], None, None, id="empty-values"),
    pytest.param(["srj"], "json", None, id="extension"),
]


@pytest.mark.parametrize("values,results,graph", OVERRIDES)
def test_override(values: list[str], results: str | None, graph: str | None) -> None:
    chosen = conneg.override(values, (*conneg.RESULT_FORMATS, conneg.HTML))
    assert (chosen.name if chosen else None) == results
    chosen = conneg.override(values, (*RDF_FORMATS, conneg.HTML))
    assert (chosen.name if chosen else None) == graph


def test_override_beats_accept() -> None:
    accept = accept_of(FIREFOX)
    chosen = conneg.choose(accept, ["csv"], (*conneg.RESULT_FORMATS, conneg.HTML))
    assert chosen is conneg.BY_NAME["csv"]
    # An override that fits nothing falls back to the header.
    chosen = conneg.choose(accept, ["turtle"], (*conneg.RESULT_FORMATS, conneg.HTML))
    assert chosen is conneg.HTML


@pytest.mark.parametrize("header,expected", [
    pytest.param(FIREFOX, True, id="browser"),
    pytest.param("*/*", False, id="curl"),
    pytest.param(None, False, id="none"),
    pytest.param("application/json", False, id="api"),
    pytest.param("text/html;q=0.5, application/json", False, id="json-preferred"),
])
def test_prefers_html(header: str | None, expected: bool) -> None:
    assert conneg.prefers_html(accept_of(header)) is expected


def test_every_format_has_a_writer() -> None:
    assert {f.name for f in conneg.RESULT_FORMATS} == set(TABLE_WRITERS)
    assert RDF_FORMATS is formats.RDF_FORMATS
    for fmt in RDF_FORMATS:
        assert fmt.rdf_format is not None and fmt.rdf_format.media_type == fmt.media_type  # pyoxigraph agrees
        assert fmt.sd_iri.startswith(formats.FORMATS_NS)
        assert fmt.rdflib and fmt.suffixes[0] == "." + fmt.extension


@pytest.mark.parametrize(("typed", "name"), [
    ("nt", "ntriples"), ("ntriples", "ntriples"), ("N-Triples", "ntriples"), ("ttl", "turtle"),
    ("jsonld", "jsonld"), ("json-ld", "jsonld"), ("xml", "rdfxml"), ("rdf/xml", "rdfxml"), ("nq", "nquads"),
    ("n-quads", "nquads"), ("trig", "trig"), ("n3", "n3"),
])
def test_the_short_names_people_type_name_one_format(typed: str, name: str) -> None:
    found = formats.lookup(typed)
    assert found is not None and found.name == name
    assert formats.lookup("sparql-json") is None


def test_a_format_crosses_the_pipe_to_the_query_child() -> None:
    for fmt in RDF_FORMATS:
        assert pickle.loads(pickle.dumps(fmt)) is fmt  # the table's row, by name
    for fmt in (*conneg.RESULT_FORMATS, conneg.HTML):
        assert pickle.loads(pickle.dumps(fmt)) == fmt


def test_media_types_are_unique_per_table() -> None:
    for table in (conneg.RESULT_FORMATS, RDF_FORMATS):
        types = [t for f in (*table, conneg.HTML) for t in f.media_types]
        assert len(types) == len(set(types))


def test_content_type_declares_charset_for_text() -> None:
    assert conneg.BY_NAME["csv"].content_type == "text/csv; charset=utf-8"
    assert conneg.BY_NAME["json"].content_type == "application/sparql-results+json"
    assert conneg.BY_NAME["xml"].content_type == "application/sparql-results+xml; charset=utf-8"
