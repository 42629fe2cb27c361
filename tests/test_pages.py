"""The HTML pages: resources, ontology, vocabularies, shapes, dataset, home.

They must be bilingual, tell stated facts from inferred ones, link on this host, carry
schema.org JSON-LD, and escape everything that comes from the data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from support.ld import BASE, HUB_SIZE


class Page(HTMLParser):
    """The parts of a page the tests look at: links, JSON-LD, section texts, ids, script bodies."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[tuple[str, str]] = []
        self.alternates: dict[str, str] = {}
        self.text: list[str] = []
        self._script: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"] or "")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a.get("type") or ""] = a.get("href") or ""
        if tag == "script":
            self._script = a.get("type") or ""
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            kind, body = self.scripts[-1]
            self.scripts[-1] = (kind, body + data)
        else:
            self.text.append(data)

    @property
    def jsonld(self) -> list[dict]:
        return [json.loads(body) for kind, body in self.scripts if kind == "application/ld+json"]

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def get_page(client: FlaskClient, path: str, **headers: str) -> tuple[Page, str]:
    response = client.get(path, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, path
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    return Page(html), html


# --- Resource pages ------------------------------------------------------------------------

LANGUAGES = [
    pytest.param({}, "", "Ayuntamiento de Benito Juárez", id="default-spanish"),
    pytest.param({"Accept-Language": "en-GB,en;q=0.9"}, "", "Municipal government of Benito Juárez",
                 id="accept-language-en"),
    pytest.param({"Accept-Language": "es-MX"}, "", "Ayuntamiento de Benito Juárez", id="accept-language-es"),
    pytest.param({"Accept-Language": "en"}, "?lang=es", "Ayuntamiento de Benito Juárez", id="lang-param-wins"),
    pytest.param({"Accept-Language": "de"}, "", "Ayuntamiento de Benito Juárez", id="unsupported-falls-back"),
]


@pytest.mark.parametrize(("headers", "query", "title"), LANGUAGES)
def test_label_in_the_visitors_language(ld_client: FlaskClient, headers: dict, query: str, title: str) -> None:
    page, html = get_page(ld_client, "/page/government/mx-23005" + query, **headers)
    assert f"<h1>{title}</h1>" in html
    english = "lang=en" in query or (headers.get("Accept-Language", "").startswith("en") and "lang=es" not in query)
    assert ('<html lang="en">' in html) == english


def test_label_fallback_to_the_other_language(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/test/a%20b?lang=es")  # only an English label
    assert "<h1>percent-encoded space</h1>" in html


def test_page_shows_types_properties_and_their_labels(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/agreement/mx-23005--us-wichita?lang=en")
    text = page.plain
    assert "Sister-city agreement" in text  # its type, labelled from the ontology
    assert "has party" in text and "pdo:hasParty" in text  # a property labelled from the ontology
    assert "Municipal government of Wichita" in text  # a value shown by its label
    assert "Economic cooperation" in text  # a concept, by its prefLabel
    assert "derived from" in text  # an external property, by its built-in label


def test_stated_and_inferred_facts_are_told_apart(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/government/mx-23005?lang=en")
    stated = html[html.index('id="stated"'):html.index('id="inferred"')]
    inferred = html[html.index('id="inferred"'):html.index('id="inverse"')]
    assert "INEGI code" in stated and "23005" in stated
    assert "party to" in inferred and "inferred" in inferred  # pdo:partyTo comes from the reasoner
    assert "party to" not in stated
    assert 'class="ld-inferred"' in inferred
    # trivial entailments (x owl:sameAs x) are left off the page
    assert "same as" not in inferred


def test_inverse_links_and_provenance(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/source/essay?lang=en")
    inverse = html[html.index('id="inverse"'):html.index('id="provenance"')]
    assert "Referenced by" in inverse
    assert 'href="/id/government/mx-23005"' in inverse
    gov, gov_html = get_page(ld_client, "/page/government/mx-23005?lang=en")
    provenance = gov_html[gov_html.index('id="provenance"'):gov_html.index('id="formats"')]
    assert 'href="/id/source/essay"' in provenance and "The essay" in provenance


def test_blank_nodes_are_nested(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/government/mx-23005?lang=en")
    assert "nested [ blank ]" in page.plain  # the attribution's own facts, inside its row


def test_hub_node_is_capped(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/country/MX?lang=en")
    inverse = html[html.index('id="inverse"'):html.index('id="provenance"')]
    assert inverse.count('href="/id/locality/mx-') == 25
    assert f"Showing 25 of {HUB_SIZE}" in Page(inverse).plain
    more = [link for link in Page(inverse).links if link.startswith("/sparql?")]
    assert more and "locatedIn" in more[0].replace("%23", "#")


def test_links_stay_on_this_host_and_alternates_are_listed(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/agreement/mx-23005--us-wichita")
    ours = [link for link in page.links if "w3id.org/paradip" in link]
    assert ours == []  # every IRI of ours is linked locally
    assert "/id/government/mx-23005" in page.links
    assert "/ontology#SisterCityAgreement" in page.links
    assert "/vocab/theme/economic" in page.links
    assert set(page.alternates) == {"text/html", "text/turtle", "application/ld+json", "application/rdf+xml",
                                    "application/n-triples", "application/trig", "application/n-quads"}
    sparql = [link for link in page.links if link.startswith("/sparql?query=DESCRIBE")]
    assert sparql and "mx-23005--us-wichita" in sparql[0]


def test_embedded_jsonld_uses_schema_org(ld_client: FlaskClient) -> None:
    page, _ = get_page(ld_client, "/page/government/mx-23005")
    (data,) = page.jsonld
    assert data["@context"] == {"@vocab": "https://schema.org/"}
    assert data["@id"] == BASE + "id/government/mx-23005"
    assert "GovernmentOrganization" in data["@type"]
    assert {"@value": "Municipal government of Benito Juárez", "@language": "en"} in data["name"]
    assert data["sameAs"] == ["http://www.wikidata.org/entity/Q2279198"]
    assert data["isBasedOn"] == [{"@id": BASE + "id/source/essay"}]
    graph = Graph().parse(data=json.dumps(data), format="json-ld")  # a JSON-LD processor reads it offline
    assert len(graph) > 3


def test_literals_are_escaped(ld_client: FlaskClient) -> None:
    response = ld_client.get("/page/test/xss", headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &#34;quoted&#34; &amp; more" in html
    # the only script elements are the JSON-LD one; inside it, "</" never appears
    page = Page(html)
    assert [kind for kind, _ in page.scripts] == ["application/ld+json"]
    body = page.scripts[0][1]
    assert "</" not in body and "<script" not in body
    (data,) = page.jsonld
    assert data["description"] == ["</script><script>alert(2)</script>"]  # the value survives, escaped


def test_javascript_iri_is_not_a_link(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/test/xss")
    assert not any(link.lower().startswith("javascript:") for link in page.links)
    assert "javascript:alert(1)" in page.plain  # shown as text
    assert "https://example.org/ok?a=1&b=2" in page.links  # http(s) IRIs are links


def test_scheme_page_is_the_vocabulary_documentation(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/page/vocab/theme?lang=en")
    assert "<h1>Themes</h1>" in html
    assert {"economic", "trade"} <= page.ids  # an anchor per concept
    assert "Economic matters." in page.plain and "Asuntos económicos." in page.plain  # both languages
    assert '<a href="#economic">Economic cooperation</a>' in html  # hierarchy: trade's broader concept
    assert "Uses in the data" in page.plain and "Benito Juárez – Wichita twinning" in page.plain
    concept, concept_html = get_page(ld_client, "/page/vocab/theme/economic?lang=en")
    assert 'href="/vocab/theme#economic"' in concept_html  # a concept's page points to its entry


def test_vocabulary_index(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/vocab?lang=en")
    assert "/vocab/theme" in page.links and "/vocab/sdg" in page.links


# --- Documentation generated from the graph -------------------------------------------------

def test_ontology_documentation(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/ontology?lang=en")
    assert {"Agreement", "MunicipalGovernment", "hasParty", "locatedIn", "inegiCode", "hierarchy"} <= page.ids
    text = page.plain
    assert "A linking instrument." in text and "Instrumento de vinculación." in text  # en and es definitions
    mg = html[html.index('id="MunicipalGovernment"'):]
    mg = mg[:mg.index("</section>")]
    assert 'href="/ontology#Actor"' in mg  # superclass, linked to its anchor on this host
    assert "https://schema.org/GovernmentOrganization" in mg  # alignment
    assert "Municipal government of Benito Juárez" in mg  # an example from the data
    party = html[html.index('id="hasParty"'):]
    party = party[:party.index("</section>")]
    assert "Domain" in party and "Range" in party and "Inverse" in party and "party to" in party
    located = html[html.index('id="locatedIn"'):]
    assert "transitive" in located[:located.index("</section>")]
    international = html[html.index('id="InternationalAgreement"'):]
    international = Page(international[:international.index("</section>")]).plain
    assert "( Agreement and pdo:scope value pdv:scope/international )" in international  # in words
    assert page.jsonld and page.jsonld[0]["@type"] == "DefinedTermSet"


def test_ontology_documentation_in_spanish(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/ontology", **{"Accept-Language": "es"})
    assert "Jerarquía de clases" in page.plain and "Gobierno municipal" in page.plain


def test_shapes_documentation_says_what_each_shape_requires(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/shapes?lang=en")
    assert {"AgreementShape", "Agreement-hasParty", "YearValue"} <= page.ids
    shape = html[html.index('id="AgreementShape"'):]
    text = Page(shape).plain
    assert "every instance of" in text and "cada instancia de" in text
    assert "at least 2 values" in text and "al menos 2 valores" in text
    assert "an instance of" in text and "instancia de" in text
    assert "An agreement needs at least two parties." in text and "Un acuerdo necesita al menos dos partes." in text
    assert "in language es, en" in text and "en idioma es, en" in text  # the blank property shape
    year = Page(html[html.index('id="YearValue"'):]).plain
    assert "of datatype" in year and "Helper shape" in year


# --- Home and dataset pages -------------------------------------------------------------------

def test_home_page_explains_and_leads_on(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/?lang=en")
    assert "Paradiplomacy is the international action of subnational governments" in page.plain
    for link in ("/sparql", "/ontology", "/vocab", "/shapes", "/dataset", "/dumps/"):
        assert link in page.links
    assert page.jsonld[0]["@type"] == "Dataset"
    # A fresh client: ?lang=en above is remembered in a cookie (tests/test_charts.py).
    spanish, _ = get_page(ld_client.application.test_client(), "/", **{"Accept-Language": "es"})
    assert "La paradiplomacia es la acción internacional" in spanish.plain


def test_home_sends_harvesters_to_the_dataset_description(ld_client: FlaskClient) -> None:
    response = ld_client.get("/", headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/dataset.ttl")


def test_dataset_page(ld_client: FlaskClient) -> None:
    page, html = get_page(ld_client, "/dataset?lang=en")
    assert "/.well-known/void" in page.links and "/graph/data" in page.links
    assert "Wikidata" in page.plain and "INEGI" in page.plain and "SDG" in page.plain


def test_pages_of_the_bundled_graph(make_app: Callable[..., Flask], bundled_store: Path) -> None:
    """Every kind of page renders on the real graph (and says who Benito Juárez twinned with)."""
    client = make_app(store=str(bundled_store)).test_client()
    page, _ = get_page(client, "/page/government/mx-23005?lang=en")
    assert "Wichita" in page.plain or "wichita" in " ".join(page.links)
    for path in ("/", "/ontology", "/shapes", "/vocab", "/page/vocab/sdg", "/dataset", "/graph/data"):
        get_page(client, path)
