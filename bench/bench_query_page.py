"""The query page's cost at the result cap: the HTML page of a 10,000-row result (the table
sorted, filtered and paged on the server, the views' JSON) against the same result as SPARQL
JSON, measured in the same run, in process (Flask's test client) on the bundled graph.

    python bench/bench_query_page.py [--store DIR] [--repeat N]

Prints the median seconds of each, and their ratio to the JSON answer (the baseline).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from paradip_kg.build import build  # noqa: E402
from support.apps import app_on  # noqa: E402

# Each triple twice: about 15,000 rows on the bundled graph, so the result is cut at the cap of 10,000.
QUERY = "SELECT ?s ?p ?o ?n WHERE { ?s ?p ?o VALUES ?n { 1 2 } }"


def median(client, params: dict[str, str], accept: str, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get("/sparql", query_string=params, headers={"Accept": accept})
        response.get_data()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        assert response.headers["X-Paradip-Truncated"] == "true"  # measured at the cap
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build the bundled graph)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            build(ROOT, store)
        with app_on(store) as app:
            client = app.test_client()
            base = median(client, {"query": QUERY}, "application/sparql-results+json", args.repeat)
            cases = {
                "page (table page 1, views)": {"query": QUERY},
                "page sorted by ?o": {"query": QUERY, "sort": "o", "desc": "1"},
                "page filtered": {"query": QUERY, "filter": "agreement"},
                "page 50": {"query": QUERY, "page": "50"},
            }
            print(f"{'SPARQL JSON (baseline)':30} {base:8.3f} s   1.00x")
            for name, params in cases.items():
                seconds = median(client, params, "text/html", args.repeat)
                print(f"{name:30} {seconds:8.3f} s  {seconds / base:5.2f}x")


if __name__ == "__main__":
    main()
