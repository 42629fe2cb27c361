"""The home page's charts, the language switch and the site's navigation.

The charts must show the real counts of the bundled graph (19 agreements, 10 national and
9 international, 1985–2021, partners in MX 10, US 3, CN 2, AR/ES/GT/UY 1), each link to the
SPARQL query that produced it — and that query, run on /sparql, must give the same numbers.
Charts with nothing to show say so instead of inventing data. Labels from the data are
escaped, in the SVG too. The language chosen with ?lang= holds across pages (a cookie).
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from paradip_kg.publish.charts import layout, queries, words
from paradip_kg.publish.charts.data import build_charts, governments
from paradip_kg.sparql.local import run_on_store
from paradip_kg.store.disk import write_store
from paradip_kg.store.head import open_store
from support.sample import sample_graphs
from support.stores import write_graphs_store

COUNTRIES = {"MX": 10, "US": 3, "CN": 2, "AR": 1, "UY": 1, "ES": 1, "GT": 1}
YEARS = {1985: 1, 1987: 2, 1993: 1, 1998: 1, 2001: 1, 2002: 2, 2003: 1, 2006: 1, 2008: 1, 2009: 2, 2010: 2,
         2017: 1, 2019: 1, 2021: 2}
SLUGS = ["by-year", "by-country", "by-region", "by-scope", "by-theme", "by-sdg", "network", "map"]
BJ = "https://w3id.org/paradip/id/government/mx-23005"


@pytest.fixture()
def kg_client(bundled_app: Flask) -> FlaskClient:
    return bundled_app.test_client()  # a fresh client: no language cookie


def home(client: FlaskClient, lang: str, municipality: str = "") -> str:
    query = f"&municipality={municipality}" if municipality else ""
    response = client.get(f"/?lang={lang}{query}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def figure(page: str, slug: str) -> str:
    """The HTML of one chart's <figure>."""
    start = page.index(f'id="chart-{slug}"')
    return page[start:page.index("</figure>", start)]


def query_of(fragment: str) -> str:
    """The query text the chart's "SPARQL query" link carries."""
    match = re.search(r'class="chart-query" href="([^"]+)"', fragment)
    assert match, "the chart links to its query"
    href = html_module.unescape(match.group(1))
    parts = urlsplit(href)
    assert parts.path == "/sparql" and parts.fragment == "results"
    return parse_qs(parts.query)["query"][0]


def run(client: FlaskClient, text: str) -> list[dict[str, str]]:
    """Run a query on /sparql as a client would, and return its rows as plain strings."""
    response = client.get("/sparql", query_string={"query": text},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


# --- The charts on the real graph -------------------------------------------------------------

def test_chart_data_has_the_real_counts(bundled_store: Path) -> None:
    store = open_store(bundled_store)
    (bj,) = [g for g in governments(store, "en") if g.iri == BJ]
    assert (bj.key, bj.place, bj.code, bj.agreements) == ("mx-23005", "Cancún", "MX", 19)
    built = {c.slug: c for c in build_charts(store, "en", lambda q: "/sparql", lambda iri: None, bj)}
    assert list(built) == SLUGS

    years = built["by-year"]
    assert (years.layout["first"], years.layout["last"], years.layout["total"]) == (1985, 2021, 19)
    assert {int(r[0]): r[3] for r in years.table.rows} == YEARS  # type: ignore[arg-type]
    assert years.table.rows[-1][4] == 19  # the running total
    drawn: dict[int, int] = {}
    for segment in years.layout["segments"]:
        year = int(segment["title"][:4])
        drawn[year] = drawn.get(year, 0) + int(segment["title"].rsplit(": ", 1)[1])
    assert drawn == YEARS
    # Every year from the first to the last has its slot, with or without agreements.
    assert [t["text"] for t in years.layout["labels"]][0] == "1985" and years.layout["labels"][-1]["text"] == "2021"

    assert {r[1]: r[2] for r in built["by-country"].table.rows} == COUNTRIES
    assert {r[0]: r[1] for r in built["by-region"].table.rows} == {
        "North America": 13, "Central America": 1, "South America": 2, "Europe": 1, "Asia": 2}
    assert {r[0]: r[1] for r in built["by-scope"].table.rows} == {"National": 10, "International": 9}

    network = built["network"]
    assert len(network.layout["nodes"]) == 19 and network.layout["centre"] == "Cancún"
    assert sum(1 for n in network.layout["nodes"] if n["cls"] == "national") == 10
    assert network.layout["nodes"][0]["label"] == "Wichita · 1985"  # clockwise from the top, by date
    for node in network.layout["nodes"]:
        assert 0 < node["x"] < network.layout["width"] and 0 < node["y"] < network.layout["height"]


def test_themes_and_sdgs_are_honest_empty_states(bundled_store: Path) -> None:
    store = open_store(bundled_store)
    for lang, theme, sdg in [
        ("en", "No agreement in the data states a theme yet.",
         "No agreement in the data states an alignment with a Sustainable Development Goal yet."),
        ("es", "Ningún acuerdo de los datos indica todavía un tema.",
         "Ningún acuerdo de los datos indica todavía su alineación con un Objetivo de Desarrollo Sostenible."),
    ]:
        built = {c.slug: c for c in build_charts(store, lang, lambda q: "/sparql", lambda iri: None)}
        assert built["by-theme"].kind == "empty" and built["by-theme"].empty == theme
        assert built["by-sdg"].kind == "empty" and built["by-sdg"].empty == sdg
        assert not built["by-theme"].table.rows and not built["by-sdg"].layout


@pytest.mark.parametrize("lang", ["es", "en"])
def test_home_page_draws_every_chart_accessibly(kg_client: FlaskClient, lang: str) -> None:
    page = home(kg_client, lang)
    assert f'<html lang="{lang}">' in page
    for slug in SLUGS:
        fragment = figure(page, slug)
        assert f'aria-labelledby="chart-{slug}-title"' in fragment and f'<h3 id="chart-{slug}-title">' in fragment
        assert "<figcaption>" in fragment
        if slug in ("by-theme", "by-sdg"):
            assert "<svg" not in fragment and 'class="chart-empty"' in fragment
            continue
        assert f'aria-labelledby="svg-{slug}-title svg-{slug}-desc"' in fragment
        assert f'<title id="svg-{slug}-title">' in fragment and f'<desc id="svg-{slug}-desc">' in fragment
        assert "<table>" in fragment and "<caption>" in fragment and 'scope="col"' in fragment
    assert "theme yet" in page if lang == "en" else "todavía un tema" in page
    # No network: no script or stylesheet from another host.
    assert not re.search(r'(src|href)="(https?:)?//(?!w3id\.org|creativecommons\.org)[^"]*\.(js|css)', page)
    network = figure(page, "network")  # every agreement: a chord between its parties
    assert network.count("<circle class=\"node ") == 20  # Benito Juárez and its 19 partners
    assert '<a href="/id/government/us-wichita"' in network
    network = figure(home(kg_client, lang, "mx-23005"), "network")  # Benito Juárez's: radial
    assert network.count("<circle class=\"node ") == 20  # 19 partners and the centre
    assert '<a href="/id/government/us-wichita"' in network


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_chart_query_gives_the_charted_numbers_on_the_endpoint(kg_client: FlaskClient, lang: str) -> None:
    page = home(kg_client, lang, "mx-23005")
    by_country = run(kg_client, query_of(figure(page, "by-country")))
    assert {r["code"]: int(r["agreements"]) for r in by_country} == COUNTRIES
    by_year = run(kg_client, query_of(figure(page, "by-year")))
    years: dict[int, int] = {}
    for row in by_year:
        years[int(row["year"])] = years.get(int(row["year"]), 0) + int(row["agreements"])
    assert years == YEARS and min(years) == 1985 and max(years) == 2021
    scope = run(kg_client, query_of(figure(page, "by-scope")))
    assert {r["scope"]: int(r["agreements"]) for r in scope} == {"national": 10, "international": 9}
    region = run(kg_client, query_of(figure(page, "by-region")))
    assert {r["region"]: int(r["agreements"]) for r in region} == {
        "north-america": 13, "central-america": 1, "south-america": 2, "europe": 1, "asia": 2}
    assert run(kg_client, query_of(figure(page, "by-theme"))) == []
    assert run(kg_client, query_of(figure(page, "by-sdg"))) == []
    network = run(kg_client, query_of(figure(page, "network")))
    assert len(network) == 19 and network[0]["place"] == "Wichita"
    # The link opens the query page with the results table.
    href = html_module.unescape(re.search(r'class="chart-query" href="([^"]+)"', figure(page, "by-country")).group(1))  # type: ignore[union-attr]
    response = kg_client.get(href, headers={"Accept": "text/html"})
    assert response.status_code == 200 and 'id="results"' in response.get_data(as_text=True)


# --- Charts on other data: non-empty themes and SDGs, escaping, no data ------------------------

EXTRA_TTL = """
@prefix pdo: <https://w3id.org/paradip/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/paradip/id/agreement/mx-23005--us-wichita>
    pdo:theme <https://w3id.org/paradip/vocab/theme/culture> .
<https://w3id.org/paradip/id/agreement/mx-23005--mx-31050>
    pdo:theme <https://w3id.org/paradip/vocab/theme/culture> .
<https://w3id.org/paradip/vocab/theme/culture> a skos:Concept ;
    skos:prefLabel "Cultura <b>&</b>"@es , "Culture <script>alert('t')</script>"@en .
<https://w3id.org/paradip/id/locality/mx-merida> rdfs:label "Mérida\\" onmouseover=\\"alert('m')"@en .
"""


@pytest.fixture(scope="module")
def other_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample store (tests/support/sample.py) plus themes and labels that try to break the page."""
    graphs = sample_graphs()
    graphs["data"].parse(data=EXTRA_TTL, format="turtle")
    return write_graphs_store(tmp_path_factory.mktemp("charts") / "store", graphs, content_hash="charts")


def test_charts_with_themes_and_sdgs_and_hostile_labels(make_app: Callable[..., Any], other_store: Path) -> None:
    client = make_app(store=str(other_store)).test_client()
    page = home(client, "es")
    theme = figure(page, "by-theme")
    assert "<svg" in theme and "Cultura &lt;b&gt;&amp;&lt;/b&gt;" in theme and ">2</text>" in theme
    sdg = figure(page, "by-sdg")
    assert "11 · Ciudades y comunidades sostenibles" in sdg and ">1</text>" in sdg  # via target 11.3
    english = home(client, "en")
    assert "<script>alert" not in english and "Culture &lt;script&gt;alert(&#39;t&#39;)" in english
    network = figure(home(client, "en", "mx-23005"), "network")  # a label in an SVG <text> and in attributes
    assert 'onmouseover="alert' not in english and "Mérida&#34; onmouseover=&#34;alert(&#39;m&#39;) · 2021" in network
    assert 'aria-label="Municipal government of Mérida (Yucatán) — National' in network
    # The sample has two agreements: one of each scope, in 1985 and 2021.
    assert "1 · 50 %" in figure(page, "by-scope")
    assert "2 acuerdos con fecha de inicio entre 1985 y 2021" in figure(page, "by-year")


def test_charts_on_an_empty_graph_say_so(make_app: Callable[..., Any], tmp_path: Path) -> None:
    graphs = {k: g for k, g in sample_graphs().items() if k not in ("data", "inferred")}
    store_dir = tmp_path / "store"
    write_store(store_dir, graphs)
    client = make_app(store=str(store_dir)).test_client()
    page = home(client, "en")
    assert page.count('class="chart-empty"') == 8 and "<svg class=\"chart-svg\"" not in page
    assert "No agreement in the data states its starting date yet." in page
    assert "There are no agreements in the data yet." in page


def test_layouts_stay_inside_their_boxes() -> None:
    years = layout.years_layout({1990: {"national": 3}, 1999: {"international": 7, "national": 1}}, "en")
    assert len([t for t in years["labels"]]) >= 2 and years["segments"]
    for s in years["segments"]:
        assert years["left"] <= s["x"] and s["x"] + s["width"] <= years["right"] + 0.01
        assert years["top"] - 0.01 <= s["y"] and s["y"] + s["height"] <= years["base"] + 0.01
    bars = layout.bars_layout([layout.Bar("a" * 80, 5), layout.Bar("b", 1)])
    assert bars["rows"][0]["label"].endswith("…") and bars["rows"][0]["full"] == "a" * 80
    assert max(r["x"] + r["width"] for r in bars["rows"]) <= bars["width"]
    net = layout.network_layout("C", [{"label": str(i), "href": None, "cls": "national", "title": ""}
                                      for i in range(40)])
    assert all(0 < n["x"] < net["width"] and 0 < n["y"] < net["height"] for n in net["nodes"])


def test_region_table_covers_the_data(bundled_store: Path) -> None:
    store = open_store(bundled_store)
    # the countries of the agreements' parties (the gazetteer has all of ISO 3166-1; a region is
    # assigned where the data needs one)
    rows = run_on_store(store, "SELECT DISTINCT ?iso WHERE { ?a pdo:hasParty/pdo:hasSeat/pdo:locatedIn+ ?c . "
                               "?c a pdo:Country ; pdo:isoCountryCode ?iso }").rows
    codes = {r["iso"].value for r in rows}  # type: ignore[union-attr]
    assert codes and codes <= set(queries.REGION_OF), codes - set(queries.REGION_OF)
    assert set(queries.REGION_OF.values()) <= set(words.REGIONS)


# --- Language and navigation -----------------------------------------------------------------

def lang_of(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, path
    match = re.search(r'<html lang="(\w+)"', response.get_data(as_text=True))
    assert match, path
    return match.group(1)


PAGES = ["/", "/sparql", "/ontology", "/vocab", "/shapes", "/validate", "/quality", "/dataset", "/dumps/",
         "/page/government/mx-23005"]


def test_language_holds_across_pages(kg_client: FlaskClient) -> None:
    spanish_browser = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
    assert lang_of(kg_client, "/", **spanish_browser) == "es"  # Spanish for a Spanish browser
    response = kg_client.get("/?lang=en", headers={"Accept": "text/html", **spanish_browser})
    assert "paradip_lang=en" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]
    for path in PAGES:  # the choice wins over the browser's languages, on every page
        assert lang_of(kg_client, path, **spanish_browser) == "en", path
    assert lang_of(kg_client, "/sparql?lang=es", **spanish_browser) == "es"
    for path in PAGES:
        assert lang_of(kg_client, path, **{"Accept-Language": "en-US,en;q=0.9"}) == "es", path


def test_language_without_a_choice(bundled_app: Flask) -> None:
    for header, expected in [("es-ES", "es"), ("en-GB,en;q=0.8", "en"), ("fr-FR", "es"), ("", "es")]:
        client = bundled_app.test_client()
        headers = {"Accept-Language": header} if header else {}
        assert lang_of(client, "/", **headers) == expected, header
    client = bundled_app.test_client()
    response = client.get("/", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert "Set-Cookie" not in response.headers  # nothing is remembered without a choice
    assert "Cookie" in response.headers["Vary"] and "Accept-Language" in response.headers["Vary"]
    client.set_cookie("paradip_lang", "de")  # an unknown value is ignored
    assert lang_of(client, "/", **{"Accept-Language": "en"}) == "en"


def test_navigation_is_the_same_on_every_page(kg_client: FlaskClient) -> None:
    expected = ["/", "/browse", "/reconciliation", "/sparql", "/ontology", "/vocab", "/shapes", "/validate",
                "/quality", "/dataset", "/dumps/", "/about"]
    for path in PAGES:
        page = kg_client.get(path + ("&" if "?" in path else "?") + "lang=en",
                             headers={"Accept": "text/html"}).get_data(as_text=True)
        nav = page[page.index('<nav class="sections"'):page.index("</nav>")]
        assert re.findall(r'<a href="([^"]+)"', nav) == expected, path
        current = re.findall(r'<a href="([^"]+)" aria-current="page"', nav)
        assert current == ([path] if path in expected else []), path
        langs = page[page.index('<nav class="langs"'):]
        langs = langs[:langs.index("</nav>")]
        assert 'hreflang="es" lang="es"' in langs and 'hreflang="en" lang="en" aria-current="true"' in langs
        assert '<a class="skip-link" href="#main">' in page and '<main id="main"' in page
        assert 'rel="icon"' in page  # no request for /favicon.ico, so no 404 in the console


# --- Any municipality: the selector, a second municipality, the map, the lists (issue 15) -------

WICHITA_TABLE = (
    "source_row,reporting_country,reporting_name,reporting_admin_area,kind,partner_name,partner_country,"
    "start_date,source\n"
    "1,US,Wichita,Kansas,hermanamiento,Orléans,FR,1990,essay\n"
    "2,US,Wichita,Kansas,hermanamiento,Kaifeng,CN,1994,essay\n")


@pytest.fixture(scope="module")
def two_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample store (Benito Juárez with Wichita and Mérida) plus Wichita's own table, imported."""
    from paradip_kg.importer.table import import_table

    folder = tmp_path_factory.mktemp("wichita")
    (folder / "wichita.csv").write_text(WICHITA_TABLE, encoding="utf-8")
    graphs = sample_graphs()
    data_dir = Path(__file__).resolve().parents[1] / "data"
    graphs["data"] += import_table(folder / "wichita.csv", data_dir, with_reference=True)
    graphs["inferred"].parse(data="""
        @prefix pdo: <https://w3id.org/paradip/ontology#> .
        <https://w3id.org/paradip/id/agreement/us-wichita--fr-orleans> a pdo:Agreement , pdo:InternationalAgreement .
        <https://w3id.org/paradip/id/agreement/us-wichita--cn-kaifeng> a pdo:Agreement , pdo:InternationalAgreement .
        <https://w3id.org/paradip/id/locality/fr-orleans> pdo:locatedIn <https://w3id.org/paradip/id/country/FR> .
        <https://w3id.org/paradip/id/locality/us-wichita> pdo:locatedIn <https://w3id.org/paradip/id/country/US> .
        """, format="turtle")
    return write_graphs_store(folder / "store", graphs, content_hash="two")


def test_a_second_municipality_is_counted_and_can_be_chosen(make_app: Callable[..., Any], two_store: Path) -> None:
    client = make_app(store=str(two_store)).test_client()
    page = home(client, "en")
    start = page.index('id="municipality-selector"')
    selector = page[start:page.index("</form>", start)]
    assert 'value="mx-23005"' in selector and 'value="us-wichita"' in selector
    # every agreement by default: Benito Juárez's two and Wichita's two
    assert "4 agreements starting between 1985 and 2021" in figure(page, "by-year")
    wichita = home(client, "en", "us-wichita")
    assert "3 agreements starting between 1985 and 1994" in figure(wichita, "by-year")  # with Benito Juárez too
    countries = {r["code"]: int(r["agreements"]) for r in run(client, query_of(figure(wichita, "by-country")))}
    assert countries == {"FR": 1, "CN": 1, "MX": 1}
    assert "The network of Wichita" in figure(wichita, "network")
    bj = home(client, "en", "mx-23005")
    assert "2 agreements starting between 1985 and 2021" in figure(bj, "by-year")
    assert "Orléans" not in figure(bj, "network") and "Orléans" in figure(wichita, "network")
    assert client.get("/?municipality=xx-nowhere", headers={"Accept": "text/html"}).status_code == 404


def test_the_map_draws_countries_partners_and_lines(make_app: Callable[..., Any], two_store: Path) -> None:
    client = make_app(store=str(two_store)).test_client()
    fragment = figure(home(client, "en", "us-wichita"), "map")
    assert fragment.count('<path class="map-country') > 150  # Natural Earth's 1:110m countries
    assert fragment.count("map-country involved") == 3  # France, China, Mexico
    assert fragment.count('<line class="edge') == 3 and 'class="node centre"' in fragment
    assert "at its country&#39;s centre" in fragment  # the table says how each point is placed
    rows = run(client, query_of(fragment))
    assert {r["code"] for r in rows} == {"FR", "CN", "MX"}


def test_lists_of_agreements(make_app: Callable[..., Any], two_store: Path) -> None:
    client = make_app(store=str(two_store)).test_client()
    for path, expected in [("/agreements/country/FR", 1), ("/agreements/government/us-wichita", 3),
                           ("/agreements/country/MX", 2), ("/agreements/municipality/mx-23005", 2)]:
        response = client.get(path + "?lang=en", headers={"Accept": "text/html"})
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert f"<p>{expected} agreements." in page, path
        assert 'class="chart-query"' in page
        if "/government/" in path:  # a government's list links its charts on the home page, which answer
            charts = re.search(r'href="(/\?municipality=[^"]+)">Its charts', page)
            assert charts, path
            assert client.get(html_module.unescape(charts.group(1))).status_code == 200
    page = client.get("/page/country/FR?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<a href="/agreements/country/FR">Its agreements</a>' in page  # the country's page links its list
    assert client.get("/agreements/country/ZZ", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/agreements/planet/earth", headers={"Accept": "text/html"}).status_code == 404
