"""A visit in a real browser: Playwright drives Debian's Chromium, headless, against a real
gunicorn server (``python -m paradip_kg.serving``) on a free loopback port, serving the
bundled graph.

The steps: open the home page and switch language; run an example query and see the results
table; follow a result to its resource page; upload a broken file for validation and see the
report. On the way: the language holds across pages without ``?lang=``, the keyboard reaches
the skip link and runs the query (Ctrl+Enter), nothing is fetched from another host, and no
page logs a console error or gets an error response. A screenshot of each step is kept under
``test-artifacts/browser/`` (gitignored).

Needs ``chromium`` (Debian) and ``playwright`` (the ``test`` extra): ``scripts/test-deps.sh``.
Chromium runs as Playwright is told in /usr/bin/chromium's own terms: no sandbox (root in CI),
no GPU, and no background networking, which otherwise keeps trying to reach the network.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.browser import chromium_page
from support.paths import ROOT
from support.servers import start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts" / "browser"

# Data that parses but breaks the shapes: an agreement with one party, no date and no source.
BROKEN_TTL = """\
@prefix pdo: <https://w3id.org/paradip/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/agreement/lonely> a pdo:SisterCityAgreement ;
    rdfs:label "Un hermanamiento de una sola parte"@es , "A one-party twinning"@en ;
    pdo:hasParty <https://w3id.org/paradip/id/government/mx-23005> ;
    pdo:startDate "someday" .
"""


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled graph served by gunicorn, as `paradip-kg serve` does; stopped at the end."""
    tmp = tmp_path_factory.mktemp("browser-server")
    running = start_server(tmp, env={"PARADIP_STORE": str(bundled_store),
                                     "PARADIP_VALIDATION_REPORTS_DIR": str(tmp / "reports")},
                           log=tmp / "server.log", probe="/robots.txt")
    try:
        yield running.url
    finally:
        stop_server(running)


@pytest.fixture()
def browser_page(server: str, tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A page in a fresh Chromium profile (es-MX), and the problems it runs into (console errors,
    page errors, error responses, requests to other hosts): support/browser.py."""
    with chromium_page(tmp_path / "profile", server, locale="es-MX") as opened:
        yield opened


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def html_lang(page: Any) -> str:
    return str(page.evaluate("document.documentElement.lang"))


def test_a_visit(server: str, browser_page: tuple[Any, list[str]]) -> None:
    page, problems = browser_page
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)

    # 1. The home page, in Spanish for a Spanish browser; then in English.
    page.goto(server + "/")
    assert html_lang(page) == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Grafo de conocimiento de la paradiplomacia"
    assert page.locator("#chart-by-year svg").is_visible() and page.locator("#chart-network svg").is_visible()
    assert page.locator("#chart-by-theme .chart-empty").inner_text() == (
        "Ningún acuerdo de los datos indica todavía un tema.")
    page.keyboard.press("Tab")  # the keyboard reaches the skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    shot(page, "01-home-es.png")
    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert html_lang(page) == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "The paradiplomacy knowledge graph"
    assert page.locator("#chart-by-country table").count() == 1
    assert "19 agreements starting between 1985 and 2021" in page.locator("#svg-by-year-desc").text_content()
    shot(page, "02-home-en.png")

    # 2. The query page, still in English (the choice is a cookie, the URL has no ?lang=):
    #    load an example into the editor and run it with the keyboard.
    page.get_by_role("navigation", name="Site sections").get_by_role("link", name="SPARQL query").click()
    page.wait_for_load_state()
    assert "lang=" not in page.url and html_lang(page) == "en"
    page.locator('button.load-example[data-example="example-01-agreements"]').click()
    assert "pdo:Agreement" in page.locator("#query").input_value()
    page.locator("#query").press("Control+Enter")
    page.wait_for_selector("#results table")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 19
    assert "19 rows" in page.locator("#results .summary").inner_text()
    shot(page, "03-sparql-results.png")

    # 3. Follow the first result (an agreement) to its resource page.
    link = rows.first.locator("a").first
    target = link.get_attribute("href") or ""
    assert "/id/agreement/" in target
    link.click()
    page.wait_for_load_state()
    assert "/page/agreement/" in page.url and html_lang(page) == "en"
    assert "Wichita" in page.get_by_role("heading", level=1).inner_text()
    shot(page, "04-resource.png")

    # 4. Upload a broken file for validation and see the report.
    page.get_by_role("navigation", name="Site sections").get_by_role("link", name="Validate").click()
    page.wait_for_load_state()
    assert html_lang(page) == "en"
    page.locator('input[type=file][name="data"]').set_input_files(
        files=[{"name": "broken.ttl", "mimeType": "text/turtle", "buffer": BROKEN_TTL.encode()}])
    page.locator("form.validate-form").get_by_role("button", name="Validate").click()
    page.wait_for_url("**/validate/reports/**")
    assert html_lang(page) == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Does not conform"
    assert "violation" in page.locator(".verdict").inner_text().lower()
    shot(page, "05-validation-report.png")

    assert problems == []
    assert sorted(p.name for p in ARTIFACTS.iterdir()) == [
        "01-home-es.png", "02-home-en.png", "03-sparql-results.png", "04-resource.png", "05-validation-report.png"]
