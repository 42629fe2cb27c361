"""Server time per page type on the bundled graph: median and p99, against a baseline.

Each page type is asked for ``--repeat`` times (after ``--warmup`` requests, which are timed
apart as "first": the first request of a process fills the per-version caches, such as the
home page's charts and the ontology documentation) as a browser would ask for it
(``Accept: text/html``, Spanish). Times are measured

- in process, through Flask's test client: the application's own time, no network; and
- with ``--http``, also over HTTP against the real server (gunicorn, one sync worker,
  ``python -m paradip_kg.serving`` on a free loopback port), one request at a time.

Every figure is also given as a ratio to the baseline measured in the same run — a static
file (``/static/paradip.css``) — so runs on machines of different speed (or load) compare.

    python bench/bench_pages.py                      # builds the bundled graph into a temp dir
    python bench/bench_pages.py --store var/store --repeat 500 --http

The server's log goes to a file in the temporary folder (a pipe nobody reads stalls a server).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the server helpers are shared with the tests (tests/support)

from paradip_kg.build import build  # noqa: E402
from paradip_kg.web.app import create_app  # noqa: E402
from paradip_kg.web.sparql_page import load_examples  # noqa: E402
from support.servers import start_server, stop_server  # noqa: E402

HEADERS = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
           "Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
BASELINE = "static file"


def pages() -> list[tuple[str, str]]:
    """(page type, path), the baseline first."""
    example = next(e for e in load_examples() if e.slug.startswith("01-"))
    return [
        (BASELINE, "/static/paradip.css"),
        ("robots.txt", "/robots.txt"),
        ("home (with charts)", "/"),
        ("resource: agreement", "/page/agreement/mx-23005--us-wichita"),
        ("resource: Benito Juárez (hub)", "/page/government/mx-23005"),
        ("ontology docs", "/ontology"),
        ("vocabularies", "/vocab"),
        ("sparql page", "/sparql"),
        ("sparql: example 01 as a table", "/sparql?" + urlencode({"query": example.text})),
        ("validate page", "/validate"),
        ("quality dashboard", "/quality"),
        ("dataset", "/dataset"),
        ("downloads", "/dumps/"),
    ]


@dataclass
class Timing:
    first: float = 0.0
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p99(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]


def measure(fetch: Callable[[str], int], path: str, warmup: int, repeat: int) -> Timing:
    timing = Timing()
    for index in range(warmup):
        started = time.perf_counter()
        status = fetch(path)
        if index == 0:
            timing.first = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
    for _ in range(repeat):
        started = time.perf_counter()
        fetch(path)
        timing.times.append(time.perf_counter() - started)
    return timing


def in_process(store: Path, warmup: int, repeat: int, reports: Path) -> dict[str, Timing]:
    app = create_app({"store": str(store), "validation_reports_dir": str(reports)})
    client = app.test_client()

    def fetch(path: str) -> int:
        response = client.get(path, headers=HEADERS)
        response.get_data()
        return response.status_code

    try:
        return {name: measure(fetch, path, warmup, repeat) for name, path in pages()}
    finally:
        app.extensions["paradip_kg"].close()


def over_http(store: Path, warmup: int, repeat: int, tmp: Path) -> dict[str, Timing]:
    env = {"PARADIP_STORE": str(store), "PARADIP_VALIDATION_REPORTS_DIR": str(tmp / "reports"),
           "PARADIP_LOG_LEVEL": "warning"}
    server = start_server(tmp, env=env, workers=1, log=tmp / "server.log", probe="/robots.txt")

    def fetch(path: str) -> int:
        request = urllib.request.Request(server.url + path, headers=HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    try:
        return {name: measure(fetch, path, warmup, repeat) for name, path in pages()}
    finally:
        stop_server(server)


def report(title: str, timings: dict[str, Timing]) -> None:
    base = timings[BASELINE].median
    print(f"\n{title} (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(f"{'page type':32} {'first ms':>9} {'median ms':>10} {'p99 ms':>8} {'× baseline':>11}")
    for name, t in timings.items():
        print(f"{name:32} {t.first * 1000:9.2f} {t.median * 1000:10.2f} {t.p99 * 1000:8.2f} {t.median / base:11.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a built store (default: build the bundled graph)")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="also measure over HTTP against gunicorn")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="paradip-bench-pages-"))
    try:
        store = args.store
        if store is None:
            store = tmp / "store"
            started = time.perf_counter()
            build(ROOT, store)
            print(f"built the bundled graph in {time.perf_counter() - started:.1f} s")
        report(f"In process (Flask test client), {args.repeat} requests each",
               in_process(store, args.warmup, args.repeat, tmp / "reports"))
        if args.http:
            report(f"Over HTTP (gunicorn, 1 sync worker), {args.repeat} requests each",
                   over_http(store, args.warmup, args.repeat, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
