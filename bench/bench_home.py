"""The home page on a world-sized store: each chart's query in its first form and as written now, and the page.

    .venv/bin/python bench/bench_home.py --keep var/world-1M      # the ~1M store of bench_world_serve.py
    .venv/bin/python bench/bench_home.py --triples 30000           # a quick look (builds a store)

The store is bench/bench_world_serve.py's (the bundled graph, a ``bench/world.py`` world and its
entailments), read from disk as the server reads it by default at that size. Then:

1. **each chart's query, in process** — the first form (tests/support/chart_first_forms.py, the
   oracle the rewritten ones are tested against), the baseline, and the query the chart runs now,
   both with no government chosen and with the most connected one; rows checked equal, time
   and the ratio now / first. The first forms without a choice take about a minute at ~1M:
   ``--no-first`` skips them.
2. **the page over HTTP** — our server (``python -m paradip_kg.serving``, ``--workers`` workers,
   default settings but the store): ``GET /`` ``2 × workers + 1`` times, with the page's size,
   in three states of the same store, one server each:

   - *nothing kept* (the baseline): the first worker to draw the page has the rows computed
     (``web/overview.py``'s refresh) and waits for them, the others read them;
   - *kept by the build*: after the step the build runs (``publish/kept.py``,
     ``keep_chart_rows``, timed here), no worker asks the store;
   - *after a write*: the build's rows kept under another state's tag, as a write leaves them
     (the complete set of the state before). The first visitor waits at most ``overview_wait``
     and gets the counts of the state before, said so on the page; a refresh computes the new
     ones in the background. Then ``GET /`` every 0.5 s until the page is no longer stale: the
     seconds until a visitor gets the new state's counts. Then the same for ``GET /browse``,
     whose facet table (kept under the other tag too) is refreshed on its first visit.

   While the first ``GET /`` of each is drawn, ``GET /context.jsonld`` every 50 ms: the slowest
   says whether the worker drawing the page keeps serving its other connections
   (``--workers 1`` sends them all to that worker).

   The search index the rows are kept in is written first when the store has none (timed too).
   gunicorn stops a worker after 120 s (its timeout): the first forms never answered there at ~1M.

Printed: the table, the ratios, and the load average.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from bench_world_serve import make_store  # noqa: E402
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS  # noqa: E402
from paradip_kg.publish.charts import kept, queries  # noqa: E402
from paradip_kg.publish.kept import keep_chart_rows, write_search_index  # noqa: E402
from paradip_kg.store import search_index  # noqa: E402
from paradip_kg.store.disk import Manifest, manifest_path  # noqa: E402
from support import chart_first_forms as first  # noqa: E402
from support.servers import start_server, stop_server  # noqa: E402

CHARTS = first.CHARTS  # each chart: (its first form, its query now)


def note(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def timed(store: ox.Store, text: str) -> tuple[float, list[tuple[str, ...]]]:
    t = time.perf_counter()
    rows = sorted(tuple(str(v) if v is not None else "" for v in row) for row in
                  store.query(text, default_graph=[ox.NamedNode(str(GRAPHS[g])) for g in DEFAULT_GRAPHS]))
    return time.perf_counter() - t, rows


def most_connected(store: ox.Store) -> str:
    return str(next(iter(store.query(queries.query_governments("es", 1),
                                     default_graph=[ox.NamedNode(str(GRAPHS[g])) for g in DEFAULT_GRAPHS])))[0].value)


def queries_table(store: ox.Store, with_first: bool) -> list[str]:
    total = int(next(iter(store.query(queries.count_agreements(), default_graph=[
        ox.NamedNode(str(GRAPHS[g])) for g in DEFAULT_GRAPHS])))[0].value)
    hubs = queries.HUBS if total > queries.DRAW_EVERY else 0
    focus = most_connected(store)
    lines = [f"{total:,} agreements; the network and the map draw the agreements of {hubs or 'every'} "
             f"government(s) without a choice; with a choice: {focus}",
             "| chart | choice | first form s | now s | now / first | rows |", "|---|---|---:|---:|---:|---:|"]
    sums = {"first": 0.0, "now": 0.0}
    for chart, (old, new) in CHARTS.items():
        for label, iri in (("none", None), ("most connected", focus)):
            capped = hubs if iri is None and chart in ("network", "map") else 0
            now_s, now_rows = timed(store, new("es", iri, None, capped) if capped else new("es", iri))
            sums["now"] += now_s
            if with_first:
                first_s, first_rows = timed(store, old("es", iri))
                sums["first"] += first_s
                if not capped:
                    assert now_rows == first_rows, (chart, label)
                cells = f"{first_s:.2f} | {now_s:.2f} | {now_s / first_s:.2f}×"
            else:
                cells = f"— | {now_s:.2f} | —"
            lines.append(f"| {chart} | {label} | {cells} | {len(now_rows)}{' (capped)' if capped else ''} |")
            note(lines[-1])
    for label, text in (("selector (first form: every government)", first.query_governments("es")),
                        (f"selector now (the first {queries.CHOICES})", queries.query_governments("es"))):
        if "first form" in label and not with_first:
            continue
        seconds, rows = timed(store, text)
        sums["first" if "first form" in label else "now"] += seconds
        lines.append(f"| {label} | — | | {seconds:.2f} | | {len(rows)} |")
    ratio = f"{sums['now'] / sums['first']:.2f}×" if with_first else "—"
    lines.append(f"| **all, one language** | | {sums['first']:.1f} | {sums['now']:.1f} | {ratio} | |")
    return lines


def page_table(store_dir: Path, workers: int, tmp: Path) -> list[str]:
    """The page in both states (nothing kept, then kept by the build's step), and the step's seconds."""
    manifest = Manifest.read(manifest_path(store_dir))
    assert manifest is not None, f"{store_dir} has no manifest"
    index = search_index.index_path(store_dir)
    steps = ["| step | s |", "|---|---:|"]
    if not index.exists():
        t = time.perf_counter()
        write_search_index(store_dir, manifest)
        steps.append(f"| the search index, written (the store had none) | {time.perf_counter() - t:.1f} |")
    with sqlite3.connect(index) as conn:  # nothing kept
        conn.executescript(kept.SCHEMA_SQL)
        conn.execute("DELETE FROM overview_sets")
        conn.execute("DELETE FROM overview_rows")
    lines = requests(store_dir, workers, tmp / "nothing-kept", "nothing kept")
    t = time.perf_counter()
    count = keep_chart_rows(store_dir, manifest)
    steps.append(f"| the build's step: {count} home-page queries run and kept | {time.perf_counter() - t:.1f} |")
    note(steps[-1])
    lines += [""] + requests(store_dir, workers, tmp / "kept", "kept by the build")
    with sqlite3.connect(index) as conn:  # the build's set as the state before a write
        for table in ("overview_sets", "overview_rows"):
            conn.execute(f"UPDATE {table} SET tag = 'the state before the write'")  # noqa: S608 (our names)
        conn.execute("UPDATE facet_meta SET value = 'the state before the write' WHERE key = 'tag'")  # /browse's
    lines += [""] + requests(store_dir, workers, tmp / "after-a-write", "after a write", until_fresh=True)
    keep_chart_rows(store_dir, manifest)  # as the build left it
    return steps + [""] + lines


STALE = "son los del estado publicado antes de las últimas escrituras"  # the note of a page drawn from the state before


def requests(store_dir: Path, workers: int, tmp: Path, state: str, until_fresh: bool = False) -> list[str]:
    tmp.mkdir()
    env = {"PARADIP_STORE": str(store_dir), "PARADIP_LOG_LEVEL": "warning"}
    server = start_server(tmp, env=env, workers=workers, log=tmp / "server.log", timeout=300)
    lines = [f"| GET /, {state} | s | status | bytes | counts of |", "|---|---:|---:|---:|---|"]
    probes: list[float] = []  # seconds of the small requests sent while the first GET / is drawn
    try:
        for attempt in range(2 * workers + 1):
            drawing = threading.Event()
            prober = threading.Thread(target=probe, args=(server.url + "/context.jsonld", drawing, probes))
            if attempt == 0:
                prober.start()
            if attempt == 0:
                began = time.perf_counter()
            seconds, status, body = get_home(server.url)
            lines.append(f"| request {attempt + 1} | {seconds:.2f} | {status} | {len(body):,} | {counts_of(body)} |")
            note(lines[-1])
            if attempt == 0:
                drawing.set()
                prober.join()
        if until_fresh:
            body = b""
            while time.perf_counter() - began < 600:
                seconds, status, body = get_home(server.url)
                if status == 200 and STALE.encode() not in body:
                    break
                time.sleep(0.5)
            lines.append(f"| from the first request until a GET / counts the new state | "
                         f"{time.perf_counter() - began:.2f} | {status} | {len(body):,} | {counts_of(body)} |")
            note(lines[-1])
            lines += until_current(server.url, "/browse")  # its table, refreshed on its first visit
    finally:
        stop_server(server)
    if probes:
        lines.append(f"| meanwhile: {len(probes)} GET /context.jsonld, slowest | {max(probes):.3f} | | | |")
    return lines


def until_current(url: str, path: str) -> list[str]:
    """The first ``GET path`` (after a write: what it counts), then one every 0.5 s until the page
    counts the published state: the table's rows."""
    began = time.perf_counter()
    seconds, status, body = get_home(url, path)
    lines = [f"| first GET {path} | {seconds:.2f} | {status} | {len(body):,} | {counts_of(body)} |"]
    while STALE.encode() in body and time.perf_counter() - began < 600:
        time.sleep(0.5)
        _, status, body = get_home(url, path)
    lines.append(f"| from the first GET {path} until one counts the new state | {time.perf_counter() - began:.2f} "
                 f"| {status} | {len(body):,} | {counts_of(body)} |")
    for line in lines:
        note(line)
    return lines


def get_home(url: str, path: str = "/") -> tuple[float, int, bytes]:
    """One ``GET path`` (its seconds, status and body)."""
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(url + path, timeout=300) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        status, body = 0, b""
        note(f"GET {path} failed: {error}")
    return time.perf_counter() - t, status, body


def counts_of(body: bytes) -> str:
    return "the state before (said on the page)" if STALE.encode() in body else "the published state"


def probe(url: str, drawing: threading.Event, seconds: list[float]) -> None:
    """GET ``url`` every 50 ms until ``drawing`` is set: what a worker drawing the page does to its
    other connections (its costly queries run off its gevent loop, web/state.py off_the_loop)."""
    while not drawing.wait(0.05):
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=300) as response:
                response.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            continue
        seconds.append(time.perf_counter() - t)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=30_000)
    parser.add_argument("--keep", type=Path, help="the store's folder (reused when present, kept)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-first", action="store_true", help="skip the first forms (about a minute at ~1M)")
    parser.add_argument("--no-page", action="store_true", help="skip the page over HTTP")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-home-") as folder:
        tmp = Path(folder)
        store_dir = args.keep or tmp / "store"
        if not store_dir.exists():
            store_dir.mkdir(parents=True)
            note(f"built {make_store(store_dir, args.triples, tmp):,} quads into {store_dir}")
        store = ox.Store.read_only(str(store_dir))
        note(f"{len(store):,} quads in {store_dir}")
        lines = queries_table(store, not args.no_first)
        del store
        if not args.no_page:
            lines += [""] + page_table(store_dir, args.workers, tmp)
    print("\n".join(lines))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
