"""The query editor and the result views in a real browser (issue 17): Playwright drives Debian's
Chromium against a real gunicorn server on the bundled graph.

The steps, as a researcher would take them: type a query with the completion (a class found by
its Spanish label), run it (Ctrl+Enter); sort and page the table on the server; switch to the
bar and line charts, the timeline, the map (offline country shapes) and the graph; download a
view as CSV and JSON; see a syntax error marked at its line and column; reload a permalink and
find the query and its view again, and the runs in the browser's history. A screenshot of each
step is kept under ``test-artifacts/query-editor/``. Nothing is fetched from another host (the
page is routed: such a request would be aborted and recorded) and no console error is logged.

Needs the npm-built static files (``scripts/assets.sh``: CodeMirror, world-atlas), ``chromium``
and ``playwright`` (``scripts/test-deps.sh``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from support.browser import chromium_page, need_vendor, shot
from support.paths import ROOT
from support.servers import start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts" / "query-editor"
# Coordinates written in the query (the bundled graph holds none): Wichita and Cancún.
PLACES = """SELECT ?place ?where WHERE {
  VALUES (?place ?where) {
    ("Wichita" "POINT(-97.3375 37.6922)"^^geo:wktLiteral)
    ("Cancún" "POINT(-86.8515 21.1619)"^^geo:wktLiteral)
  }
}"""
MANY_ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 250"


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_vendor()
    tmp = tmp_path_factory.mktemp("editor-server")
    running = start_server(tmp, env={"PARADIP_STORE": str(bundled_store)}, workers=1, log=tmp / "server.log")
    try:
        yield running.url
    finally:
        stop_server(running)


def editor_text(page: Any) -> str:
    return str(page.evaluate("window.paradipQueryEditor.get()"))


def complete(page: Any, label: str) -> None:
    """Wait until the completion is open with ``label`` first, and accept it (Enter)."""
    page.wait_for_function(
        "label => { const cm = window.ParadipCM, v = window.paradipQueryEditor.view;"
        " return cm.completionStatus(v.state) === 'active'"
        " && (cm.currentCompletions(v.state)[0] || {}).label === label; }",
        arg=label)
    page.wait_for_timeout(150)  # CodeMirror takes Enter only 75 ms after the list opened (interactionDelay)
    page.keyboard.press("Enter")


def run(page: Any) -> None:
    with page.expect_navigation():
        page.locator(".cm-content").press("Control+Enter")
    page.wait_for_selector("#results")


def follow(page: Any, locator: Any) -> None:
    """Click a link or button that loads a page, and wait for that page (not the one before)."""
    with page.expect_navigation():
        locator.click()


def open_query(page: Any, server: str, query: str, **params: str) -> None:
    page.goto(server + "/sparql?" + urlencode({"query": query, **params}))
    page.wait_for_selector("#results")


def test_query_editor_and_views(server: str, tmp_path: Path) -> None:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    with chromium_page(tmp_path / "profile", server) as (page, problems):
        # 1. Type a query; the completion finds pdo:Agreement by its Spanish label "Acuerdo".
        page.goto(server + "/sparql")
        page.wait_for_selector(".cm-content")
        content = page.locator(".cm-content")
        content.click()
        page.keyboard.press("Control+a")
        page.keyboard.press("Delete")
        page.keyboard.type("SELECT ?acuerdo ?inicio WHERE {\n?acuerdo a Acuer")
        option = page.locator(".cm-tooltip-autocomplete li", has_text="pdo:Agreement")
        option.first.wait_for()
        assert "Acuerdo" in option.first.inner_text()
        shot(page, ARTIFACTS, "01-completion.png")
        complete(page, "pdo:Agreement")
        page.keyboard.type(" ;\npdo:startD")
        complete(page, "pdo:startDate")
        page.keyboard.type(" ?inicio")
        text = editor_text(page)
        assert "?acuerdo a pdo:Agreement ;" in text and "pdo:startDate ?inicio" in text
        assert "PREFIX" not in text  # the project's prefixes are predeclared
        # The form's textarea follows the editor, and the permalink follows the text.
        assert page.locator("#query").input_value() == text
        assert parse_qs(urlsplit(page.locator("#permalink").get_attribute("href") or "").query)["query"] == [text]

        # 2. Run it (Ctrl+Enter): 19 agreements with their start date; dates read plainly.
        run(page)
        assert "19 filas" in page.locator("#results .summary").inner_text()
        assert page.locator("#view-table tbody tr").count() == 19
        dates = page.locator("#view-table td.date")
        assert dates.count() == 19 and "^^" not in page.locator("#view-table").inner_text()
        shot(page, ARTIFACTS, "02-run.png")

        # 3. The timeline of the dates.
        page.locator(".view-tabs a[data-view=timeline]").click()
        assert page.locator("#canvas-timeline svg circle.point").count() == 19
        assert "view=timeline" in page.url
        shot(page, ARTIFACTS, "03-timeline.png")

        # 4. Sort the table on the server (descending by date), then page through 250 rows.
        page.locator(".view-tabs a[data-view=table]").click()
        follow(page, page.locator("#view-table th a.sort", has_text="inicio"))
        follow(page, page.locator("#view-table th a.sort", has_text="inicio"))  # again: descending
        assert page.locator("#view-table th[aria-sort=descending]").inner_text().startswith("inicio")
        shown = page.locator("#view-table tbody tr td.date").all_inner_texts()
        assert shown == sorted(shown, reverse=True) and len(shown) == 19
        shot(page, ARTIFACTS, "04-sorted.png")
        open_query(page, server, MANY_ROWS)
        assert page.locator("#view-table tbody tr").count() == 100
        assert "1–100 de 250" in page.locator(".table-filter .count").inner_text()
        follow(page, page.locator(".pager a[rel=next]"))
        assert "101–200 de 250" in page.locator(".table-filter .count").inner_text()
        assert page.locator(".pager a[aria-current=page]").inner_text() == "2"
        # Filter: every row left holds the words (rdf:type is shown by its label, matched by its IRI too).
        page.locator("#table-filter").fill("22-rdf-syntax-ns#type")
        follow(page, page.locator(".table-filter button"))
        matching = page.locator("#view-table tbody tr")
        assert 0 < matching.count() < 100
        assert "filtradas de 250" in page.locator(".table-filter .count").inner_text()
        titles = [a.get_attribute("title") for a in page.locator("#view-table tbody tr td:nth-child(2) a").all()]
        assert titles and set(titles) == {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
        shot(page, ARTIFACTS, "05-paged-filtered.png")

        # 5. A label and a number: bar and line charts (the example "agreements by country").
        page.goto(server + "/sparql")
        follow(page, page.get_by_role("link", name="Acuerdos por país de la contraparte", exact=True))
        page.wait_for_selector("#results")
        rows = page.locator("#view-table tbody tr").count()
        assert rows > 1
        page.locator(".view-tabs a[data-view=bar]").click()
        assert page.locator("#canvas-bar svg rect.bar").count() == rows
        shot(page, ARTIFACTS, "06-bar-chart.png")
        page.locator(".view-tabs a[data-view=line]").click()
        assert page.locator("#canvas-line svg polyline.line").count() == 1
        assert page.locator("#canvas-line svg circle.point").count() == rows
        shot(page, ARTIFACTS, "07-line-chart.png")
        # Each view downloads as CSV and JSON, and links back to its query.
        links = {a.inner_text(): a.get_attribute("href") for a in page.locator("#results .downloads a").all()}
        csv = page.request.get(links["CSV"])
        assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
        assert len(csv.text().strip().splitlines()) == rows + 1
        data = page.request.get(links["SPARQL JSON"]).json()
        assert len(data["results"]["bindings"]) == rows
        back = page.locator("#results .back-to-query").get_attribute("href") or ""
        assert parse_qs(urlsplit(back).query)["view"] == ["line"]

        # 6. Coordinates: the map, with the country shapes served by this server.
        open_query(page, server, PLACES)
        page.locator(".view-tabs a[data-view=map]").click()
        page.wait_for_selector("#canvas-map[data-countries]")
        assert int(page.locator("#canvas-map").get_attribute("data-countries") or 0) > 100
        assert page.locator("#canvas-map circle.place").count() == 2
        shot(page, ARTIFACTS, "08-map.png")

        # 7. IRI to IRI: the graph of agreements and their parties.
        open_query(page, server, "SELECT ?agreement ?party WHERE { ?agreement a pdo:Agreement ; pdo:hasParty ?party }",
                   view="graph")
        assert page.locator("#view-graph").is_visible()
        assert int(page.locator("#canvas-graph").get_attribute("data-nodes") or 0) == 39  # 19 agreements, 20 parties
        shot(page, ARTIFACTS, "09-graph.png")

        # 8. A syntax error: marked at its line and column, in Spanish.
        page.goto(server + "/sparql?" + urlencode({"query": "SELECT ?a WHERE {\n  ?a a nada:Acuerdo\n}"}))
        assert "En la línea 2, columna" in page.locator("#query-error .error-where").inner_text()
        assert "nada:" in page.locator("#query-error .error-where").inner_text()
        page.locator(".cm-lint-marker-error").first.wait_for()
        shot(page, ARTIFACTS, "10-error.png")
        problems[:] = [p for p in problems if not (p.startswith("400 ") or "status of 400" in p)]

        # 9. Reload a permalink: the query and its view come back, and the history kept the runs.
        open_query(page, server, PLACES, view="map")
        permalink = page.locator("#results .back-to-query").get_attribute("href") or ""
        page.goto(server + "/")
        page.goto(permalink)
        page.wait_for_selector("#canvas-map[data-countries]")
        assert editor_text(page) == PLACES and page.locator("#view-map").is_visible()
        page.locator("#history-panel summary").click()
        history = page.locator("#history-list .history-load")
        assert history.count() >= 6
        assert history.first.get_attribute("title") == PLACES
        shot(page, ARTIFACTS, "11-permalink-history.png")

        assert problems == []
    assert len(list(ARTIFACTS.glob("*.png"))) == 11
