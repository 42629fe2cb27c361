"""Where the repository's parts are, for tests that read its files."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "paradip_kg"
QUERY_DIR = PACKAGE / "queries"
EXAMPLE_QUERIES = sorted(QUERY_DIR.glob("*.rq"))  # the example queries the site shows
