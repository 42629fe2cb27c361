"""Search and browse at world scale: /search against a label lookup by SPARQL, /browse's facets.

    .venv/bin/python bench/bench_search.py --triples 1000000 --keep var/world-1M   # docs/benchmarks.md
    .venv/bin/python bench/bench_search.py --triples 30000                          # a quick look

The store: the same as bench_world_serve.py's (the bundled graph + bench/world.py's data and its
entailments; ``--keep DIR`` keeps it and reuses it), and its search index, written the way the
build writes it (:func:`paradip_kg.store.search_index.write_index`).

Measured, in process, p50 of ``--repeat`` runs each:

1. **search** (:func:`paradip_kg.store.search_index.search`, 20 hits) for queries of every kind:
   an exact name, a prefix, words, a one-letter prefix, accents and case, nothing found;
2. **baseline**: the same lookups by SPARQL on the same store, the way a client without the
   index finds a thing by name: case- and accent-blind ``CONTAINS(LCASE(?label), …)`` over
   every ``rdfs:label`` (the engine's own text matching; no ranking);
3. **browse**: the facet table read from the store (:func:`paradip_kg.publish.facets.facet_table`:
   after a write, once per published state and worker) and loaded as the build keeps it
   (:func:`~paradip_kg.publish.facets.load`), then the counts of the whole list and of a
   narrowed one per request;
4. **HTTP**: ``/search`` and ``/browse?country=…&decade=…`` from our server (``--workers``),
   p50 over the same repeats, once the per-state work is done, against two baselines of the same
   run: the floor of a request (``/context.jsonld``, which reads nothing) and an exact label
   lookup by SPARQL (``?s rdfs:label "…"@es``).

Printed: each figure and its ratio to the SPARQL baseline of the same query, measured in the
same run (the house rule), and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from bench_world_serve import make_store, note  # noqa: E402
from paradip_kg.publish.facets import facet_table, load, save  # noqa: E402
from paradip_kg.sparql.local import run_on_store  # noqa: E402
from paradip_kg.store import search_index  # noqa: E402
from paradip_kg.store.head import read_head  # noqa: E402
from support.servers import start_server, stop_server  # noqa: E402

QUERIES = [  # (what it shows, query)
    ("exact name", "Wichita"),
    ("accents and case", "CANCUN"),
    ("prefix", "mar del"),
    ("words, many matches", "gobierno municipal"),
    ("one letter", "a"),
    ("synthetic name", "ciudad sintetica 1234"),
    ("nothing", "zzzxqj"),
]
# Over HTTP: the cheapest lookup by name SPARQL has, an exact literal (no case, accents or words).
EXACT_LOOKUP = 'SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Gobierno municipal"@es }'
BASELINE = """SELECT ?s ?label WHERE {{ ?s rdfs:label ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), "{needle}")) }} LIMIT 20"""


def p50(run: Callable[[], object], repeat: int) -> float:
    run()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def fetch(url: str, timeout: float = 60) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our server on loopback)
        return bytes(response.read())


def http_p50(url: str, repeat: int) -> float:
    return p50(lambda: fetch(url), repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=30_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the store here")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    store_dir = args.keep or tmp / "store"
    if not store_dir.exists():
        count = make_store(store_dir, args.triples, tmp)
        note(f"store of {count:,} quads in {store_dir}")
    store = ox.Store.read_only(str(store_dir))
    index = search_index.index_path(store_dir)
    started = time.perf_counter()
    made = search_index.write_index(store, index, read_head(store_dir).tag)
    note(f"index of {made.entries:,} labels written in {time.perf_counter() - started:.1f} s "
         f"({index.stat().st_size / 2**20:.0f} MiB)")

    print(f"load before: {load_average()}")
    print(f"{'query':<24} {'search ms':>10} {'SPARQL ms':>10} {'ratio':>8}  hits")
    conn = search_index.connect(index)
    for what, q in QUERIES:
        ours = p50(lambda q=q: search_index.search(conn, q, "es", 20), args.repeat)
        needle = search_index.fold(q).replace("\\", "").replace('"', "")
        base = p50(lambda needle=needle: run_on_store(store, BASELINE.format(needle=needle)), args.baseline_repeat)
        found = len(search_index.search(conn, q, "es", 20))
        print(f"{what:<24} {ours * 1000:>10.2f} {base * 1000:>10.1f} {ours / base:>8.4f}  {found}")
    conn.close()

    started = time.perf_counter()
    table = facet_table(store)
    table_s = time.perf_counter() - started
    tag = read_head(store_dir).tag
    save(table, index, tag)  # as the build keeps it
    started = time.perf_counter()
    loaded = load(index, tag)
    load_s = time.perf_counter() - started
    assert loaded is not None and loaded.agreements == table.agreements
    everything = range(len(table.agreements))
    all_counts = p50(lambda: table.counts(everything), max(3, args.repeat // 4))
    decade = max(table.counts(everything)["decade"].items(), key=lambda x: x[1])[0]
    country = max(table.counts(everything)["country"].items(), key=lambda x: x[1])[0]
    chosen = {"country": [country], "decade": [decade]}
    narrowed = p50(lambda: table.counts(table.narrow(chosen)), args.repeat)
    print(f"browse: facet table of {len(table.agreements):,} agreements read from the store in {table_s:.1f} s "
          f"(after a write, once per state and worker), loaded as the build kept it in {load_s:.2f} s; "
          f"counts of all {all_counts * 1000:.1f} ms (once per state); narrowed to {country}, {decade}s: "
          f"{len(table.narrow(chosen)):,} agreements, filter and count {narrowed * 1000:.1f} ms")

    if not args.no_http:
        server = start_server(tmp, env={"PARADIP_STORE": str(store_dir)}, workers=args.workers, timeout=600)
        try:
            search_url = server.url + "/search?" + urlencode({"q": "gobierno municipal", "format": "json"})
            browse_url = server.url + "/browse?" + urlencode(chosen, doseq=True)
            for url in (search_url, browse_url):  # the per-state work, in every worker
                for _ in range(args.workers * 2):
                    started = time.perf_counter()
                    fetch(url, timeout=600)
                    note(f"first requests: {url[len(server.url):]} in {time.perf_counter() - started:.1f} s")
            floor_url = server.url + "/context.jsonld"  # a view that reads nothing: the HTTP floor
            lookup_url = server.url + "/sparql?" + urlencode({"query": EXACT_LOOKUP})
            fetch(lookup_url, timeout=600)
            floor_http = http_p50(floor_url, args.repeat)
            lookup_http = http_p50(lookup_url, args.repeat)
            search_http = http_p50(search_url, args.repeat)
            browse_http = http_p50(browse_url, args.repeat)
            print(f"HTTP p50: floor (/context.jsonld) {floor_http * 1000:.1f} ms; exact label lookup by SPARQL "
                  f"{lookup_http * 1000:.1f} ms; /search {search_http * 1000:.1f} ms "
                  f"({search_http / lookup_http:.2f}x the lookup); /browse (2 facets) {browse_http * 1000:.1f} ms")
        finally:
            stop_server(server)
    print(f"load after: {load_average()}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
