"""Choosing another municipality on the home page, in a real browser (issue 15).

Playwright drives Debian's Chromium, headless, against a real gunicorn server serving the
bundled graph (as tests/browser/test_browser.py does). The visitor picks Wichita in the
municipality selector and sends the form: the charts, the network and the map must change to
Wichita's, with no request to another host and no console error. Screenshots of the charts, the
map and the network before and after are kept under ``test-artifacts/municipalities/``.
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

ARTIFACTS = ROOT / "test-artifacts" / "municipalities"


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("municipalities-server")
    running = start_server(tmp, env={"PARADIP_STORE": str(bundled_store)}, log=tmp / "server.log",
                           probe="/robots.txt")
    try:
        yield running.url
    finally:
        stop_server(running)


@pytest.fixture()
def browser_page(server: str, tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A page in a fresh Chromium profile (en-US), and the problems it runs into (console errors,
    page errors, error responses, requests to other hosts): support/browser.py."""
    with chromium_page(tmp_path / "profile", server, locale="en-US") as opened:
        yield opened


def shots(page: Any, who: str) -> dict[str, str]:
    """A screenshot of the country chart, the network and the map; and each one's SVG summary."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    seen = {}
    for slug in ("by-country", "network", "map"):
        figure = page.locator(f"#chart-{slug}")
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=str(ARTIFACTS / f"{who}-{slug}.png"))
        seen[slug] = str(page.locator(f"#svg-{slug}-desc").text_content())
    return seen


def test_choosing_another_municipality_changes_charts_map_and_network(
        server: str, browser_page: tuple[Any, list[str]]) -> None:
    page, problems = browser_page
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    page.goto(f"{server}/?lang=en&municipality=mx-23005")
    assert page.locator("#municipality").input_value() == "mx-23005"
    before = shots(page, "benito-juarez")
    assert "19 partners around Cancún" in before["network"]
    assert page.locator("#chart-map path.map-country.involved").count() == 7  # the partners' seven countries
    assert page.locator("#chart-map line.edge").count() == 19

    page.locator("#municipality").select_option("us-wichita")
    page.locator("#municipality-selector button[type=submit]").click()
    page.wait_for_url("**municipality=us-wichita**")
    assert page.locator("#municipality").input_value() == "us-wichita"
    after = shots(page, "wichita")
    assert "1 partners around Wichita" in after["network"]
    assert page.locator("#chart-network h3").text_content() == "The network of Wichita"
    assert page.locator("#chart-map path.map-country.involved").count() == 1  # Mexico, Benito Juárez's
    assert page.locator("#chart-map line.edge").count() == 1
    assert after != before
    # the whole graph again
    page.locator("#municipality").select_option("")
    page.locator("#municipality-selector button[type=submit]").click()
    page.wait_for_load_state()
    assert "governments joined by 19 agreements" in str(page.locator("#svg-network-desc").text_content())
    assert not problems, problems
    for who in ("benito-juarez", "wichita"):
        for slug in ("by-country", "network", "map"):
            assert (ARTIFACTS / f"{who}-{slug}.png").stat().st_size > 1000
