"""The endpoint's default graph as a union of four graphs, against the same triples in one graph.

    .venv/bin/python bench/bench_union_default.py var/store              # the bundled store
    .venv/bin/python bench/bench_union_default.py DIR/var/store --repeat 3   # a built world store

The endpoint's default graph is the union of the graphs ontology, vocab, data and inferred
(:data:`paradip_kg.namespaces.DEFAULT_GRAPHS`), so every lookup of a triple pattern goes to four
graphs. This bench measures what that costs, to decide whether serving should keep a second
copy with those triples in the store's own default graph (docs/sparql.md). It copies the built
store at the path given into memory twice, the way the query child does
(:func:`paradip_kg.sparql.in_memory.load_copy`): **union** (the quads as they are, queried with
``default_graph`` = the four graphs, the baseline) and **one graph** (the triples of the four in
the default graph of a second store, queried without a dataset). Then it runs each example query
(``src/paradip_kg/queries/*.rq``, those without ``GRAPH``, which the second copy cannot answer)
``--repeat`` times on each, best time, and checks that both give the same answer.

Printed: the load time and quads of each copy, and per query the two times and union / one graph.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from paradip_kg.namespaces import PREFIXES  # noqa: E402
from paradip_kg.sparql.execute import run_query  # noqa: E402
from paradip_kg.sparql.in_memory import load_copy  # noqa: E402
from paradip_kg.store.disk import default_graph_names  # noqa: E402
from paradip_kg.store.head import open_store  # noqa: E402
from paradip_kg.web.sparql_page import load_examples  # noqa: E402


def one_graph(disk: ox.Store, names: set[ox.NamedNode]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                      for q in disk.quads_for_pattern(None, None, None, None) if q.graph_name in names)
    return store


def best(run, repeat: int) -> tuple[float, list[str]]:
    """The best of ``repeat`` runs (each with its own text), and the answer as sorted strings."""
    fastest, answer = math.inf, []
    for i in range(repeat):
        started = time.perf_counter()
        answer = sorted(map(str, run(f"\n# run {i}")))
        fastest = min(fastest, time.perf_counter() - started)
    return fastest, answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a built store (the folder or link `paradip-kg build` writes)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    disk = open_store(args.store)
    names = set(default_graph_names())
    started = time.perf_counter()
    union = load_copy(disk)
    print(f"union: {len(union):,} quads copied in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    single = one_graph(disk, names)
    print(f"one graph: {len(single):,} triples copied in {time.perf_counter() - started:.1f} s", flush=True)
    print("\n| query | union ms | one graph ms | union / one graph | same answer |\n|---|---|---|---|---|")
    ratios = []
    for example in load_examples():
        if "GRAPH" in example.text:
            continue
        text = example.text
        a, first = best(lambda tail, text=text: run_query(union, text + tail, PREFIXES, default_graph=list(names)),
                        args.repeat)
        b, second = best(lambda tail, text=text: run_query(single, text + tail, PREFIXES), args.repeat)
        ratios.append(a / b)
        print(f"| {example.slug} | {a * 1000:.1f} | {b * 1000:.1f} | {a / b:.2f}× | {first == second} |", flush=True)
    geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"\ngeometric mean union / one graph: {geomean:.2f}× over {len(ratios)} queries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
