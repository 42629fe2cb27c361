"""Finding things without SPARQL, in a real browser (issue 17): Playwright drives Debian's Chromium
against a real gunicorn server on the bundled graph.

The steps, as a researcher would take them: type "Wichita" in the header's search box, pick the
agreement among the hits and land on its page (its summary names Wichita); then open /browse,
narrow it by a country and by a decade, see the count and the URL follow, and open an agreement
from the narrowed list. A screenshot of each step is kept under ``test-artifacts/find/``.
Nothing is fetched from another host and no console error is logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from support.browser import chromium_page, shot
from support.paths import ROOT
from support.servers import start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts" / "find"


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("find-server")
    running = start_server(tmp, env={"PARADIP_STORE": str(bundled_store)}, workers=1, log=tmp / "server.log")
    try:
        yield running.url
    finally:
        stop_server(running)


def follow(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()


def count_of(page: Any) -> int:
    heading = page.locator("#agreements-heading").inner_text()
    return int(re.match(r"\d+", heading).group(0))  # type: ignore[union-attr]


def test_search_wichita_and_reach_its_agreement(server: str, tmp_path: Path) -> None:
    with chromium_page(tmp_path / "profile", server, locale="en-US") as (page, problems):
        page.goto(server + "/?lang=en")
        page.locator("#site-search-q").fill("Wichita")
        with page.expect_navigation():
            page.locator("#site-search-q").press("Enter")
        assert urlsplit(page.url).path == "/search"
        hits = page.locator("ol.hits > li")
        assert hits.count() >= 2
        shot(page, ARTIFACTS, "1-search-wichita.png")
        agreement = page.locator("ol.hits a[href*='/id/agreement/']").first
        assert "Wichita" in agreement.inner_text()
        follow(page, agreement)
        assert "/page/agreement/" in page.url
        description = page.locator('meta[name="description"]').get_attribute("content") or ""
        assert "Wichita" in description and "Benito Juárez" in description
        shot(page, ARTIFACTS, "2-agreement-wichita.png")
        assert problems == []


def test_browse_narrowed_by_country_and_decade(server: str, tmp_path: Path) -> None:
    with chromium_page(tmp_path / "profile", server, locale="en-US") as (page, problems):
        page.goto(server + "/browse?lang=en")
        everything = count_of(page)
        follow(page, page.locator('a[data-facet="country"][data-value="US"]'))
        by_country = count_of(page)
        assert 0 < by_country < everything
        assert parse_qs(urlsplit(page.url).query)["country"] == ["US"]
        shot(page, ARTIFACTS, "3-browse-country.png")
        decade = page.locator('a[data-facet="decade"]').first
        value = decade.get_attribute("data-value")
        follow(page, decade)
        query = parse_qs(urlsplit(page.url).query)
        assert query["country"] == ["US"] and query["decade"] == [value]
        narrowed = count_of(page)
        assert 0 < narrowed <= by_country
        assert page.locator('a[data-facet="country"][data-value="US"][aria-current="true"]').count() == 1
        items = page.locator("ol.agreement-list > li")
        assert items.count() == narrowed
        shot(page, ARTIFACTS, "4-browse-country-decade.png")
        follow(page, items.first.locator("a"))
        assert "/page/agreement/" in page.url
        assert problems == []
