"""An automated accessibility check of the site's main pages with axe-core (issue 17).

axe-core comes from npm (assets/package-lock.json) and is served by this server from
``static/vendor/axe.min.js`` (``scripts/assets.sh``), injected into each page and run there,
offline: Chromium (Playwright) against a real gunicorn server on the bundled graph. No page may
have a finding of serious or critical impact; the findings of every impact are written to
``test-artifacts/accessibility/<page>.json``, with a screenshot, for a reader to look at.

Pages: home (both languages), the query page, a result (table and chart views), an agreement's
page, the browse page (once it exists), search, and validation (the form and a report).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from support.browser import chromium_page, need_vendor, shot
from support.paths import ROOT
from support.servers import start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts" / "accessibility"
AGREEMENTS = "SELECT ?agreement ?start WHERE { ?agreement a pdo:Agreement ; pdo:startDate ?start } ORDER BY ?start"
BY_COUNTRY = ("SELECT ?country (COUNT(?a) AS ?n) WHERE { ?a a pdo:Agreement ; pdo:hasParty/pdo:hasSeat/pdo:locatedIn+ "
              "?country . ?country a pdo:Country } GROUP BY ?country ORDER BY DESC(?n)")
BROKEN_TTL = b"""@prefix pdo: <https://w3id.org/paradip/ontology#> .
<https://example.org/agreement/lonely> a pdo:SisterCityAgreement ; pdo:startDate "someday" .
"""
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_vendor()
    tmp = tmp_path_factory.mktemp("a11y-server")
    running = start_server(tmp, env={"PARADIP_STORE": str(bundled_store),
                                     "PARADIP_VALIDATION_REPORTS_DIR": str(tmp / "reports")},
                           workers=1, log=tmp / "server.log")
    try:
        yield running.url
    finally:
        stop_server(running)


def axe(page: Any, server: str) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A and AA rules, and best practices)."""
    page.add_script_tag(url=server + "/static/vendor/axe.min.js")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
    }""")
    return list(result)


def check(page: Any, server: str, name: str, findings: dict[str, list[str]]) -> None:
    page.wait_for_load_state()
    page.wait_for_timeout(300)  # the page's own scripts (editor, views) have drawn
    violations = axe(page, server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(violations, indent=2, ensure_ascii=False), encoding="utf-8")
    shot(page, ARTIFACTS, f"{name}.png")
    findings[name] = [f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                      for v in violations if v["impact"] in SERIOUS]


def test_no_serious_or_critical_finding(server: str, tmp_path: Path) -> None:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    findings: dict[str, list[str]] = {}
    with chromium_page(tmp_path / "profile", server) as (page, problems):
        page.goto(server + "/")
        check(page, server, "home-es", findings)
        page.goto(server + "/?lang=en")
        check(page, server, "home-en", findings)
        page.goto(server + "/?lang=es")

        page.goto(server + "/sparql")
        page.wait_for_selector(".cm-content")
        check(page, server, "query", findings)

        page.goto(server + "/sparql?" + urlencode({"query": AGREEMENTS}))
        page.wait_for_selector("#results")
        check(page, server, "result-table", findings)
        page.locator(".view-tabs a[data-view=timeline]").click()
        check(page, server, "result-timeline", findings)
        page.goto(server + "/sparql?" + urlencode({"query": BY_COUNTRY, "view": "bar"}))
        page.wait_for_selector("#canvas-bar svg")
        check(page, server, "result-bar-chart", findings)

        page.goto(server + "/sparql?" + urlencode({"query": AGREEMENTS}))
        page.locator("#view-table tbody a").first.click()
        page.wait_for_url("**/page/agreement/**")
        check(page, server, "agreement", findings)

        before = len(problems)
        browse = page.goto(server + "/browse")
        if browse is not None and browse.status == 200:
            check(page, server, "browse", findings)
        else:  # not built yet: its 404 (the response and its console line) is no finding of this test
            del problems[before:]
        page.goto(server + "/search?" + urlencode({"q": "Wichita"}))
        check(page, server, "search", findings)

        page.goto(server + "/validate")
        check(page, server, "validate", findings)
        page.locator('input[type=file][name="data"]').set_input_files(
            files=[{"name": "broken.ttl", "mimeType": "text/turtle", "buffer": BROKEN_TTL}])
        page.locator("form.validate-form button[type=submit]").click()
        page.wait_for_url("**/validate/reports/**")
        check(page, server, "validation-report", findings)

        assert problems == []
    assert {name: found for name, found in findings.items() if found} == {}
    assert len(findings) >= 10
