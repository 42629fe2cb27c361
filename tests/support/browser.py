"""Chromium for the browser tests of the query editor and the accessibility check (tests/browser/).

:func:`chromium_page` opens a page in a fresh profile of Debian's Chromium, headless, as
tests/browser/test_browser.py does, and collects the problems it runs into: console errors,
page errors, error responses and any request to another host than the test server. The page
is routed: a request to another host is aborted (so it can never leave the machine) and
recorded. Screenshots go under ``test-artifacts/`` (gitignored) by :func:`shot`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from support.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VENDOR = ROOT / "src" / "paradip_kg" / "static" / "vendor"


def need_vendor() -> None:
    """Fail (not skip) when the npm-built static files are missing: `make setup` builds them."""
    missing = [p for p in ("editor.js", "axe.min.js", "world-atlas/countries-110m.json") if not (VENDOR / p).exists()]
    if missing:
        pytest.fail(f"static/vendor lacks {', '.join(missing)}: run scripts/assets.sh (make setup runs it)")


@contextmanager
def chromium_page(profile: Path, server: str, locale: str = "es-MX") -> Iterator[tuple[Any, list[str]]]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is missing: run scripts/test-deps.sh")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            locale=locale, viewport={"width": 1280, "height": 900})

        def route(r: Any) -> None:
            if r.request.url.startswith((server + "/", "data:", "blob:")):
                r.continue_()
            else:
                problems.append(f"off-site request {r.request.url}")
                r.abort()

        context.route("**/*", route)
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(30_000)
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        try:
            yield page, problems
        finally:
            context.close()


def shot(page: Any, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    return path
