"""HTML escaping corpus (issue 7): hostile literals and IRIs through every HTML page that shows data.

A small store in the shape of the bundled one (graphs ontology, vocab, data, inferred, shapes),
written with ``store.write_store`` from Turtle, holds labels, definitions, titles, SHACL names
and messages made of payloads — ``<script>``, attribute break-outs with double and single
quotes, ``</script>`` meant to close the JSON-LD block early, template syntax — and IRIs with
the schemes ``javascript:``, ``data:`` and ``vbscript:`` as objects, subjects, datatypes and
licences. Every page kind that shows data is rendered through the Flask test client (resource
pages, the ``/id/`` 303 target, concept schemes, ontology, vocabularies, shapes, dataset, home,
``/fragments``, SPARQL results as a table, the SPARQL page echoing a query and a syntax error,
the validation report of hostile uploads, the validation form echoing a bad line, ``/quality``,
error pages) and checked with the stdlib HTML parser:

- no event-handler attribute (``on…``) anywhere, no ``<img>``/``<iframe>``/``<object>``/``<embed>``/``<base>``;
- no ``javascript:``, ``vbscript:`` or ``data:`` URL in a URL attribute (``href``, ``src``, ``action``, …);
- the only scripts are ``/static/`` files and ``application/ld+json`` blocks, whose text has no
  ``<`` (so no ``</script``), parses as JSON, and is the whole of the block;
- no unescaped ``<script>alert`` in the bytes, template syntax shown as it is (never evaluated);
- the payload is on the page as text (escaped, not dropped);
- a Content-Security-Policy that allows scripts from 'self' only.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from support.ld import LD_PREFIXES
from support.paths import ROOT
from support.stores import write_graphs_store

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQUOTE = "' onmouseover='alert(1)' x='y"
CLOSE = "</script><script>alert(2)</script><!--"
TEMPLATE = "tpl {{ 7*7 }} ${7*7} end"
PAYLOADS = (SCRIPT, IMG, SQUOTE, CLOSE, TEMPLATE)
BAD_IRIS = ("javascript:alert(1)", "JaVaScRiPt:alert(2)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E", "vbscript:msgbox(1)")


def lit(text: str, lang: str | None = None) -> str:
    """A Turtle literal of ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"@{lang}" if lang else "")



HOSTILE_TTL: dict[str, str] = {
    "ontology": f"""
<https://w3id.org/paradip/ontology> a owl:Ontology ; dcterms:title {lit(SCRIPT, "es")} , {lit(IMG, "en")} ;
    dcterms:description {lit(CLOSE, "en")} ; dcterms:license <{BAD_IRIS[0]}> .
pdo:Hostile a owl:Class ; rdfs:label {lit(SCRIPT, "es")} , {lit(IMG, "en")} ;
    skos:definition {lit(TEMPLATE, "es")} , {lit(SQUOTE, "en")} ; rdfs:subClassOf <{BAD_IRIS[1]}> .
pdo:Agreement a owl:Class ; rdfs:label "Acuerdo"@es , "Agreement"@en .
pdo:SisterCityAgreement a owl:Class ; rdfs:label "Hermanamiento"@es ; rdfs:subClassOf pdo:Agreement .
pdo:MunicipalGovernment a owl:Class ; rdfs:label "Gobierno municipal"@es .
pdo:Country a owl:Class ; rdfs:label {lit(CLOSE, "es")} .
pdo:hostileProp a owl:DatatypeProperty ; rdfs:label {lit(SQUOTE, "es")} , {lit(CLOSE, "en")} ;
    skos:definition {lit(IMG, "es")} ; rdfs:domain pdo:Hostile ; rdfs:range <{BAD_IRIS[2]}> .
pdo:hasParty a owl:ObjectProperty ; rdfs:label {lit(IMG, "es")} .
""",
    "vocab": f"""
pdv:hostile a skos:ConceptScheme ; dcterms:title {lit(SCRIPT, "es")} , {lit(IMG, "en")} ;
    dcterms:description {lit(CLOSE, "es")} ; dcterms:license <{BAD_IRIS[0]}> ;
    skos:hasTopConcept pdv:hostile\\/one .
pdv:hostile\\/one a skos:Concept ; skos:prefLabel {lit(IMG, "es")} , {lit(SCRIPT, "en")} ;
    skos:definition {lit(TEMPLATE, "es")} ; skos:inScheme pdv:hostile ; skos:topConceptOf pdv:hostile ;
    skos:exactMatch <{BAD_IRIS[0]}> ; skos:notation {lit(SQUOTE)} .
""",
    "data": f"""
id:test\\/hostile a pdo:Hostile , pdo:SisterCityAgreement ;
    rdfs:label {lit(SCRIPT, "es")} , {lit(IMG, "en")} ;
    rdfs:comment {lit(CLOSE)} ; skos:definition {lit(TEMPLATE, "es")} ; dcterms:description {lit(SQUOTE, "es")} ;
    rdfs:seeAlso {" , ".join(f"<{i}>" for i in BAD_IRIS)} ;
    schema:url <{BAD_IRIS[0]}> ; schema:sameAs <{BAD_IRIS[1]}> ; schema:image <{BAD_IRIS[2]}> ;
    pdo:hostileProp "x"^^<{BAD_IRIS[0]}> , {lit(CLOSE, "en")} ;
    pdo:hasParty id:government\\/mx-23005 , id:government\\/hostile ;
    pdo:startDate "2001"^^xsd:gYear ;
    prov:wasDerivedFrom <{BAD_IRIS[3]}> , id:source\\/hostile .
id:government\\/mx-23005 a pdo:MunicipalGovernment ; rdfs:label "Benito Juárez"@es .
id:government\\/hostile a pdo:MunicipalGovernment ; rdfs:label {lit(IMG, "es")} ;
    pdo:hasSeat id:locality\\/hostile .
id:locality\\/hostile rdfs:label {lit(SCRIPT, "es")} ; pdo:locatedIn id:country\\/XX .
id:country\\/XX a pdo:Country ; rdfs:label {lit(CLOSE, "es")} ; pdo:isoCountryCode {lit(SQUOTE)} .
id:source\\/hostile a pdo:SourceDocument ; rdfs:label {lit(TEMPLATE, "es")} ; schema:url <{BAD_IRIS[4]}> .
<{BAD_IRIS[0]}> rdfs:seeAlso id:test\\/hostile ; rdfs:label {lit(SCRIPT)} .
<{BAD_IRIS[2]}> rdfs:seeAlso id:test\\/hostile .
<https://w3id.org/paradip/id/test/it's> rdfs:label {lit(SQUOTE, "es")} ; rdfs:seeAlso <{BAD_IRIS[4]}> .
""",
    "inferred": f"""
id:test\\/hostile a pdo:Agreement , <{BAD_IRIS[1]}> ; pdo:partyTo <{BAD_IRIS[0]}> .
id:government\\/hostile pdo:partyTo id:test\\/hostile .
""",
    "shapes": f"""
<https://w3id.org/paradip/shapes> a owl:Ontology ; dcterms:title {lit(SCRIPT, "es")} , {lit(IMG, "en")} .
pdsh:HostileShape a sh:NodeShape ; sh:targetClass pdo:Hostile ;
    sh:name {lit(SCRIPT, "es")} , {lit(IMG, "en")} ; sh:description {lit(TEMPLATE, "es")} ;
    sh:property pdsh:Hostile-mustHave .
pdsh:Hostile-mustHave a sh:PropertyShape ; sh:path pdo:mustHave ; sh:minCount 1 ;
    sh:name {lit(SQUOTE, "es")} ; sh:message {lit(CLOSE, "es")} , {lit(IMG, "en")} .
pdsh:LabelShape a sh:NodeShape ; sh:targetClass pdo:Hostile ;
    sh:property [ sh:path rdfs:label ; sh:maxLength 3 ; sh:message {lit(SCRIPT, "es")} ] .
""",
}

# Data and shapes uploaded to /validate (the report echoes focus nodes, values and messages).
UPLOAD_DATA = f"""@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BAD_IRIS[0]}> a ex:Thing ; rdfs:label {lit(SCRIPT, "es")} ; ex:link <{BAD_IRIS[2]}> .
ex:b a ex:Thing ; rdfs:label {lit(IMG, "en")} , {lit(TEMPLATE, "es")} ; ex:link <{BAD_IRIS[4]}> .
""".encode()
UPLOAD_SHAPES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:name {lit(SCRIPT, "es")} , {lit(IMG, "en")} ;
    sh:description {lit(CLOSE, "es")} ;
    sh:property [ sh:path ex:code ; sh:minCount 1 ; sh:name {lit(SQUOTE, "es")} ;
                  sh:message {lit(CLOSE, "es")} , {lit(IMG, "en")} ] ;
    sh:property [ sh:path rdfs:label ; sh:maxLength 3 ; sh:message {lit(TEMPLATE, "es")} ] ;
    sh:property [ sh:path ex:link ; sh:nodeKind sh:BlankNode ] .
""".encode()

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite", "background",
                  "srcset", "ping", "manifest", "codebase", "longdesc", "usemap", "lowsrc", "dynsrc"}
FORBIDDEN_TAGS = {"img", "iframe", "object", "embed", "base", "frame", "applet", "meta-refresh"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def write_hostile_store(store_dir: Path) -> Path:
    graphs = {key: Graph().parse(data=LD_PREFIXES + text, format="turtle") for key, text in HOSTILE_TTL.items()}
    return write_graphs_store(store_dir, graphs, content_hash="hostile")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile_store(tmp_path_factory.mktemp("hostile") / "store")


@pytest.fixture()
def hclient(make_app: Callable[..., Flask], hostile_store: Path, tmp_path: Path) -> FlaskClient:
    app = make_app(store=str(hostile_store), project_dir=str(ROOT), validation_reports_dir=str(tmp_path / "reports"))
    return app.test_client()


class Audit(HTMLParser):
    """What the checks look at: every tag and attribute, and the text of each script element."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                normalised = re.sub(r"[\x00-\x20]", "", value).lower()
                if normalised.startswith(BAD_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.problems.append(f"meta refresh {a}")
        if tag == "script":
            self._in_script = True
            self.scripts.append((a, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)

    @property
    def plain(self) -> str:
        return "".join(self.text)


def check_page(response: Any, shows: tuple[str, ...] = ()) -> Audit:
    """Every escaping check on one HTML response; ``shows``: payloads that must be on it as text."""
    where = response.request.path if hasattr(response, "request") else "?"
    assert response.mimetype == "text/html", where
    csp = response.headers.get("Content-Security-Policy", "")
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and script_src.group(1).split() == ["'self'"], f"{where}: CSP {csp!r}"
    assert "object-src 'none'" in csp and "base-uri 'self'" in csp
    html = response.get_data(as_text=True)
    page = Audit(html)
    assert not page.problems, f"{where}: {page.problems}"
    lowered = html.lower()
    assert "<script>alert" not in lowered and "<img src=x" not in lowered, where
    assert "tpl 49" not in html and "49 end" not in html, f"{where}: template syntax from the data was evaluated"
    # Scripts: files from /static/, or JSON data blocks (JSON-LD; the query page's view data) that
    # nothing inside can close.
    assert lowered.count("<script") == len(page.scripts), f"{where}: a <script> the parser did not see as one"
    blocks = re.findall(r'<script type="application/(?:ld\+)?json"(?: id="[\w-]+")?>(.*?)</script>', html, re.DOTALL)
    for attrs, body in page.scripts:
        if attrs.get("src"):
            assert str(attrs["src"]).startswith("/static/") and not body.strip(), f"{where}: script {attrs}"
            continue
        assert attrs.get("type") in ("application/ld+json", "application/json"), \
            f"{where}: inline script {attrs}: {body[:200]!r}"
        assert "<" not in body, f"{where}: '<' inside the JSON block: {body[:300]!r}"
        json.loads(body)
        assert body in blocks, f"{where}: the JSON-LD block was cut short"
    for payload in shows:
        assert payload in page.plain or payload in "".join(str(b) for _, b in page.scripts), \
            f"{where}: {payload!r} is not shown (the test would prove nothing)"
    return page


def get(client: FlaskClient, path: str, status: int = 200, **kwargs: Any) -> Any:
    headers = {"Accept": "text/html", **kwargs.pop("headers", {})}
    response = client.get(path, headers=headers, **kwargs)
    assert response.status_code == status, f"{path}: {response.status_code} {response.get_data(as_text=True)[:500]}"
    return response


# --- the pages ------------------------------------------------------------------------------

PAGES = [
    pytest.param("/page/test/hostile?lang=es", (SCRIPT, CLOSE, TEMPLATE, SQUOTE, BAD_IRIS[0]), id="resource-es"),
    pytest.param("/page/test/hostile?lang=en", (IMG,), id="resource-en"),
    pytest.param("/page/government/hostile", (IMG,), id="resource-party"),
    pytest.param("/page/country/XX", (CLOSE, SQUOTE), id="resource-country"),
    pytest.param("/page/source/hostile", (TEMPLATE, BAD_IRIS[4]), id="resource-source"),
    pytest.param("/page/test/it's", (SQUOTE,), id="resource-quote-in-iri"),
    pytest.param("/page/vocab/hostile", (SCRIPT, CLOSE, TEMPLATE), id="concept-scheme"),
    pytest.param("/page/vocab/hostile/one", (IMG,), id="concept"),
    pytest.param("/ontology?lang=es", (SCRIPT, TEMPLATE), id="ontology-es"),
    pytest.param("/ontology?lang=en", (IMG, SQUOTE), id="ontology-en"),
    pytest.param("/vocab", (SCRIPT,), id="vocabularies"),
    pytest.param("/shapes?lang=es", (SCRIPT, SQUOTE), id="shapes"),
    pytest.param("/graph/data", (), id="graph"),
    pytest.param("/dataset", (), id="dataset"),
    pytest.param("/", (), id="home"),
    pytest.param("/fragments", (BAD_IRIS[0],), id="fragments"),
    pytest.param("/fragments?subject=" + BAD_IRIS[0], (SCRIPT,), id="fragments-javascript-subject"),
    pytest.param("/fragments?predicate=http://www.w3.org/2000/01/rdf-schema%23seeAlso", (BAD_IRIS[2],),
                 id="fragments-data-iri-objects"),
    pytest.param('/fragments?object="' + SCRIPT.replace("<", "%3C").replace(">", "%3E") + '"@es', (),
                 id="fragments-echo"),
]


@pytest.mark.parametrize(("path", "shows"), PAGES)
def test_page_escapes_hostile_data(hclient: FlaskClient, path: str, shows: tuple[str, ...]) -> None:
    check_page(get(hclient, path), shows)


def test_id_redirect_target_escapes(hclient: FlaskClient) -> None:
    response = get(hclient, "/id/test/hostile", status=303)
    location = response.headers["Location"]
    assert "/page/test/hostile" in location
    check_page(get(hclient, location), (SCRIPT,))


def test_fragments_echo_the_pattern_as_text(hclient: FlaskClient) -> None:
    page = check_page(get(hclient, "/fragments", query_string={"object": f'"{IMG}"@en'}))
    assert "onerror" not in str(page.problems)


def test_error_page_escapes_the_path(hclient: FlaskClient) -> None:
    response = get(hclient, "/page/test/%3Cscript%3Ealert(1)%3C%2Fscript%3E", status=404)
    check_page(response, ("is not described here",))  # the IRI in the message is percent-encoded
    response = get(hclient, "/sparql/examples/" + IMG.replace("<", "%3C").replace(">", "%3E") + ".rq", status=404)
    check_page(response, (IMG,))  # the name is echoed in the message: as text


# --- SPARQL as HTML ---------------------------------------------------------------------------


def test_sparql_table_of_every_quad(hclient: FlaskClient) -> None:
    page = check_page(get(hclient, "/sparql", query_string={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"}),
                      (SCRIPT, IMG, SQUOTE, CLOSE, TEMPLATE, BAD_IRIS[0], BAD_IRIS[2]))
    assert "Results" in page.plain or "Resultados" in page.plain


def test_sparql_construct_as_html(hclient: FlaskClient) -> None:
    check_page(get(hclient, "/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}), (SCRIPT, BAD_IRIS[0]))


def test_sparql_page_echoes_a_hostile_query(hclient: FlaskClient) -> None:
    query = f"SELECT * WHERE {{ ?s ?p '</textarea>{SCRIPT}{IMG}' }}"
    check_page(get(hclient, "/sparql", query_string={"query": query}), (query,))


def test_sparql_syntax_error_echoes_the_line(hclient: FlaskClient) -> None:
    query = f"SELECT {SCRIPT} {IMG}"
    check_page(get(hclient, "/sparql", status=400, query_string={"query": query}), (query,))


# --- validation --------------------------------------------------------------------------------


def test_validation_report_of_hostile_uploads(hclient: FlaskClient) -> None:
    response = hclient.post("/validate", data={"data": (io.BytesIO(UPLOAD_DATA), "data.ttl"),
                                               "shapes": (io.BytesIO(UPLOAD_SHAPES), "shapes.ttl"), "lang": "es"},
                            content_type="multipart/form-data", headers={"Accept": "text/html"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    check_page(get(hclient, location), (CLOSE, TEMPLATE, BAD_IRIS[0]))
    check_page(get(hclient, location.replace("lang=es", "lang=en")), (IMG,))


def test_validation_form_echoes_a_bad_line(hclient: FlaskClient) -> None:
    bad = f"@prefix ex: <http://example.org/> .\nex:a ex:b {SCRIPT} {IMG} .\n"
    response = hclient.post("/validate", data={"data_text": bad, "lang": "es"}, content_type="multipart/form-data",
                            headers={"Accept": "text/html"})
    assert response.status_code == 400
    check_page(response, (f"ex:a ex:b {SCRIPT} {IMG} .",))


def test_quality_dashboard(hclient: FlaskClient) -> None:
    check_page(get(hclient, "/quality?lang=es"), (CLOSE, SCRIPT))


# --- the checks themselves catch what they look for ----------------------------------------------

GOOD_PAGE = ('<!doctype html><html><head><script type="application/ld+json">{"name": "a \\u003c/script\\u003e"}'
             '</script></head><body><a href="/page/x" title="javascript:alert(1)">&lt;script&gt;alert(1)&lt;/script&gt;'
             '</a><script src="/static/sparql-editor.js" defer></script></body></html>')
INJECTED = [
    pytest.param(GOOD_PAGE.replace("<body>", "<body><img src=x onerror=alert(1)>"), id="img-onerror"),
    pytest.param(GOOD_PAGE.replace('title="javascript', 'onmouseover="alert(1)" title="javascript'), id="on-attribute"),
    pytest.param(GOOD_PAGE.replace('href="/page/x"', 'href=" JaVaScRiPt:alert(1)"'), id="javascript-href"),
    pytest.param(GOOD_PAGE.replace('href="/page/x"', 'href="data:text/html,x"'), id="data-href"),
    pytest.param(GOOD_PAGE.replace("\\u003c/script\\u003e", "</script><script>alert(1)</script>"), id="json-ld-closed"),
    pytest.param(GOOD_PAGE.replace("<body>", "<body><script>alert(1)</script>"), id="inline-script"),
    pytest.param(GOOD_PAGE.replace("<body>", "<body>tpl 49 end"), id="template-evaluated"),
]


def _response(html: str, csp: str = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'") -> Any:
    from flask import Response

    return Response(html, mimetype="text/html", headers={"Content-Security-Policy": csp})


def test_the_checks_pass_a_clean_page() -> None:
    check_page(_response(GOOD_PAGE), (SCRIPT,))


@pytest.mark.parametrize("html", INJECTED)
def test_the_checks_catch_an_injection(html: str) -> None:
    with pytest.raises(AssertionError):
        check_page(_response(html))


def test_the_checks_want_a_csp() -> None:
    with pytest.raises(AssertionError):
        check_page(_response(GOOD_PAGE, csp="default-src *; script-src 'self' 'unsafe-inline'"))
