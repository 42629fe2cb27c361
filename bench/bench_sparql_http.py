"""Throughput and latency of the example queries over HTTP, next to the engine's own cost.

For each dataset (the bundled graph, and a synthetic graph of ``--triples`` triples made by
``bench/synthetic.py``) it:

1. runs every example query (``src/paradip_kg/queries/*.rq``) directly on the store, in this
   process, ``--repeat`` times (fewer, but at least 3, once ``--budget`` seconds are spent):
   ``engine`` is query + reading every row (capped like the server caps it),
   ``engine+write`` adds writing the SPARQL JSON / Turtle bytes with the server's own code
   (:func:`paradip_kg.sparql.execute.execute`);
2. starts the real server (gunicorn, ``--workers`` sync workers, ``python -m
   paradip_kg.serving``) on a free loopback port, and sends each query ``--repeat`` times
   (same budget) from ``--concurrency`` client threads (a new connection per request, as the
   sync workers close them), asking for SPARQL JSON (Turtle for CONSTRUCT/DESCRIBE);
3. prints p50/p99 latency, requests per second, and the ratio HTTP p50 / engine p50.

    python bench/bench_sparql_http.py                         # bundled graph + 1M synthetic
    python bench/bench_sparql_http.py --triples 0             # bundled graph only
    python bench/bench_sparql_http.py --store var/store --triples 200000 --repeat 50

The server's log goes to a file in the temporary folder (a pipe nobody reads stalls a server).
The machine's load average is printed with each table: on a shared machine, read the
figures with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))  # the server helpers are shared with the tests (tests/support)

from paradip_kg.namespaces import PREFIXES  # noqa: E402
from paradip_kg.rdf.formats import TURTLE  # noqa: E402
from paradip_kg.settings import load as load_settings  # noqa: E402
from paradip_kg.sparql.execute import dataset_options, execute  # noqa: E402
from paradip_kg.sparql.inspect import inspect_query  # noqa: E402
from paradip_kg.sparql.jobs import Job  # noqa: E402
from paradip_kg.store.disk import default_graph_names  # noqa: E402
from paradip_kg.web.conneg import BY_NAME  # noqa: E402
from paradip_kg.web.sparql_page import load_examples  # noqa: E402
from support import servers  # noqa: E402


@dataclass
class Row:
    query: str
    rows: int
    engine: float
    engine_write: float
    http_p50: float = 0.0
    http_p99: float = 0.0
    rps: float = 0.0
    errors: int = 0
    samples: int = 0


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def direct(store_dir: Path, queries: list[tuple[str, str]], repeat: int, limit: int, budget: float) -> list[Row]:
    """The engine's own cost, one query at a time, in this process."""
    store = ox.Store.read_only(str(store_dir))
    graphs = tuple(g.value for g in default_graph_names())
    rows = []
    for slug, text in queries:
        kind = inspect_query(text).kind or "results"
        job = Job(query=text, formats={"results": BY_NAME["json"], "rdf": TURTLE}, limit=limit,
                  query_dataset=inspect_query(text).has_dataset, prefixes=PREFIXES)
        options = dataset_options(job, graphs, False)
        engine: list[float] = []
        engine_write: list[float] = []
        count, spent = 0, time.perf_counter()
        for i in range(repeat):
            if i >= 3 and time.perf_counter() - spent > budget:
                break
            started = time.perf_counter()
            result = store.query(text, **options)
            if isinstance(result, ox.QueryBoolean):
                count = 1
            else:
                count = sum(1 for _ in zip(range(limit + 1), result, strict=False))
            engine.append(time.perf_counter() - started)
            started = time.perf_counter()
            reply = execute(store, job, graphs, False)
            engine_write.append(time.perf_counter() - started)
            assert not reply.error, reply.message
        rows.append(Row(slug + (" (graph)" if kind == "rdf" else ""), min(count, limit),
                        statistics.median(engine), statistics.median(engine_write)))
    return rows


def start_server(store_dir: Path, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The server on ``store_dir`` (a big store takes a while to open); its process and /sparql URL."""
    env = {"PARADIP_STORE": str(store_dir), "PARADIP_QUERY_TIMEOUT": "120", "PARADIP_LOG_LEVEL": "warning"}
    server = servers.start_server(log.parent, env=env, workers=workers, log=log, timeout=120)
    return server.process, server.endpoint


def over_http(url: str, rows: list[Row], queries: list[tuple[str, str]], repeat: int, concurrency: int,
              budget: float) -> None:
    """Each query ``repeat`` times from ``concurrency`` threads; fills the HTTP columns of ``rows``."""
    for row, (_, text) in zip(rows, queries, strict=True):
        accept = "text/turtle" if inspect_query(text).kind == "rdf" else "application/sparql-results+json"
        latencies, errors, wall = _measure(url + "?query=" + quote(text), accept, repeat, concurrency, budget)
        row.http_p50, row.http_p99 = percentile(latencies, 50), percentile(latencies, 99)
        row.rps, row.errors, row.samples = len(latencies) / wall, errors, len(latencies)


def _measure(request_url: str, accept: str, repeat: int, concurrency: int,
             budget: float) -> tuple[list[float], int, float]:
    """One query's latencies, error count and wall time, after a warm-up request."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = 0.0

    def one(i: int) -> None:
        nonlocal errors
        if i >= 3 and time.perf_counter() > deadline:
            return  # over budget: the requests sent so far are the sample
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(urllib.request.Request(request_url, headers={"Accept": accept}),
                                        timeout=300) as response:
                response.read()
                ok = response.status == 200
        except (urllib.error.URLError, ConnectionError):
            ok = False
        with lock:
            latencies.append(time.perf_counter() - started)
            errors += not ok

    one(0)  # warm-up: the worker's query process is up, caches are hot
    latencies.clear()
    started = time.perf_counter()
    deadline = started + budget
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(repeat)))
    return latencies, errors, time.perf_counter() - started


def report(title: str, rows: list[Row]) -> None:
    print(f"\n## {title}\n")
    print("| query | rows | engine p50 ms | engine+write p50 ms | HTTP p50 ms | HTTP p99 ms | req/s | "
          "HTTP/engine p50 | requests | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r.http_p50 / r.engine if r.engine > 0 else float("inf")
        print(f"| {r.query} | {r.rows} | {r.engine * 1000:.2f} | {r.engine_write * 1000:.2f} | "
              f"{r.http_p50 * 1000:.2f} | {r.http_p99 * 1000:.2f} | {r.rps:.1f} | {ratio:.1f}× | {r.samples} | "
              f"{r.errors} |")
    total_engine = sum(r.engine for r in rows)
    total_http = sum(r.http_p50 for r in rows)
    print(f"\nsum of p50s: engine {total_engine * 1000:.1f} ms, HTTP {total_http * 1000:.1f} ms "
          f"(+{(total_http - total_engine) / len(rows) * 1000:.2f} ms a query on average)")


def bundled_store(tmp: Path, explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    settings = load_settings()
    configured = Path(settings["store"])
    if configured.exists():
        return configured
    try:
        from paradip_kg.build import build

        build(ROOT, tmp / "bundled", progress=lambda m: print("build:", m, file=sys.stderr))
        return tmp / "bundled"
    except Exception as exc:  # the bench still runs on the synthetic graph
        print(f"cannot build the bundled graph ({type(exc).__name__}: {exc}); skipping it", file=sys.stderr)
        return None


def run(label: str, store_dir: Path, args: argparse.Namespace, tmp: Path) -> None:
    queries = [(e.slug, e.text) for e in load_examples()]
    limit = int(load_settings()["result_limit"])
    load_before = os.getloadavg()[0]
    rows = direct(store_dir, queries, args.repeat, limit, args.budget)
    process, url = start_server(store_dir, args.workers, tmp / f"server-{label}.log")
    try:
        over_http(url, rows, queries, args.repeat, args.concurrency, args.budget)
    finally:
        process.terminate()
        process.wait(timeout=30)
    report(f"{label}: {len(ox.Store.read_only(str(store_dir)))} quads, {args.workers} workers, "
           f"{args.concurrency} clients, up to {args.repeat} requests a query (budget {args.budget:g} s); "
           f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after", rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="the bundled store (default: the `store` setting, else build)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph; 0: none")
    parser.add_argument("--repeat", type=int, default=40, help="requests (and direct runs) per query")
    parser.add_argument("--concurrency", type=int, default=2, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per query and phase, after 3 runs")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="paradip-bench-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the finally below cleans up
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, pyoxigraph {ox.__version__}")
    try:
        store = bundled_store(tmp, args.store)
        if store is not None:
            run("bundled graph", store, args, tmp)
        if args.triples:
            import synthetic

            started = time.perf_counter()
            count = synthetic.write_store(tmp / "synthetic", args.triples)
            print(f"\nsynthetic graph: {count} quads generated in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            run("synthetic graph", tmp / "synthetic", args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
