"""Serving a world-sized store: every example query, in process and over HTTP, disk and memory, and Virtuoso.

    .venv/bin/python bench/bench_world_serve.py --triples 1000000 --keep var/world-1M   # docs/benchmarks.md
    .venv/bin/python bench/bench_world_serve.py --triples 30000                          # a quick look

The store: the bundled graph's built store (all its graphs but the writes graph) plus
``bench/world.py``'s data graph of about ``--triples`` asserted triples and its entailments
(the compiled A-box rules of :mod:`paradip_kg.inference.incremental`, the write path's engine,
whose oracle is owlrl in tests/test_writes.py) in the inferred graph, bulk-loaded into a fresh
Oxigraph store with a manifest. ``--keep DIR`` keeps it (and reuses it when present).

Then, one client, each example query (``src/paradip_kg/queries/*.rq``) up to ``--repeat``
times (at least 3, fewer past ``--query-budget`` s), p50, query by query on every engine in
turn (so the figures of one row share the machine's load; the servers and Virtuoso are all
up while the queries run):

1. **in process, disk** — ``Store.read_only`` of the store;
2. **in process, memory** — the same quads in a ``pyoxigraph.Store()`` (load time and the RSS it adds);
3. **HTTP** — our server (``python -m paradip_kg.serving``, ``--workers`` workers), once per
   value of ``--modes`` of the setting ``store_in_memory``: start-up (until a query answers),
   p50 per query, RSS of the whole process tree (master, workers, query children);
4. **Virtuoso** — the same store pushed into a private Virtuoso (``scripts/virtuoso.sh``), the
   same queries through :class:`paradip_kg.backends.client.RemoteStore` (skip with ``--no-virtuoso``).

Printed: the table, each figure as a ratio to its baseline in the same run (HTTP / in process
for the same mode; ours / Virtuoso), geometric means, and the load average.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import world  # noqa: E402
from bench_scale import Sampler, Virtuoso, bundled_quads, ours_fetcher, virtuoso_fetcher  # noqa: E402
from paradip_kg.backends.embedded import EmbeddedBackend  # noqa: E402
from paradip_kg.namespaces import GRAPHS  # noqa: E402
from paradip_kg.settings import load as load_settings  # noqa: E402
from paradip_kg.sparql.in_memory import COPIED, load_copy  # noqa: E402
from paradip_kg.store.disk import Manifest, manifest_path, remove_store  # noqa: E402
from support.processes import rss_bytes, tree_pss, tree_rss  # noqa: E402
from support.servers import Server, start_server, stop_server  # noqa: E402


def note(text: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def entailed_quads(bundled: list[ox.Quad], data: list[ox.Quad]) -> list[ox.Quad]:
    """The entailments of the world's data under the bundled T-box, as quads of the inferred graph."""
    from rdflib import Graph

    from paradip_kg.inference.incremental import TBox, entail
    from paradip_kg.rdf.terms import oxigraph_quads, to_rdflib

    tbox_graphs = {str(GRAPHS[k]) for k in ("ontology", "vocab", "inferred")}
    tbox = Graph()
    for q in bundled:
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in tbox_graphs:
            tbox.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    triples = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in data]
    inferred, errors = entail(TBox.from_graph(tbox), triples)
    if errors:
        raise SystemExit("the world is inconsistent: " + "; ".join(errors[:5]))
    return list(oxigraph_quads(inferred, str(GRAPHS["inferred"])))


def make_store(store_dir: Path, triples: int, tmp: Path) -> int:
    """Bundled graph + world data + its entailments, bulk-loaded; returns the quad count."""
    bundled = bundled_quads(tmp)
    t = time.perf_counter()
    data = list(world.generate(triples))
    note(f"generated {len(data):,} quads in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    inferred = entailed_quads(bundled, data)
    note(f"entailed {len(inferred):,} quads in {time.perf_counter() - t:.1f} s")
    store = ox.Store(str(store_dir))
    for part in (bundled, data, inferred):
        store.bulk_extend(part)
    store.flush()
    store.optimize()
    count = len(store)
    del store
    Manifest(content_hash=f"bench-world-serve-{triples}-{count}", built_at=datetime.now(UTC).isoformat(),
             triples={"bundled": len(bundled), "world": len(data), "world-inferred": len(inferred)}
             ).write(manifest_path(store_dir))
    return count


def p50(run: Callable[[], object], repeat: int, budget: float) -> float:
    """Median seconds of ``run`` after one warm-up call; at least 3 calls, fewer than ``repeat`` past ``budget``."""
    run()
    times: list[float] = []
    deadline = time.perf_counter() + budget
    for i in range(repeat):
        if i >= 3 and time.perf_counter() > deadline:
            break
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def declared(text: str) -> str:
    """``text`` with PREFIX lines for the project's prefixes it uses undeclared (our server predeclares
    them; another engine needs them written)."""
    from paradip_kg.namespaces import PREFIXES
    from paradip_kg.sparql.inspect import undeclared_prefixes

    missing = undeclared_prefixes(text)
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing if p in PREFIXES) + text


def in_process(store: ox.Store, text: str, default_graphs: list[ox.NamedNode]) -> Callable[[], object]:
    from paradip_kg.sparql.execute import run_query  # the project's prefixes predeclared, as the server does

    def run() -> object:
        result = run_query(store, text, default_graph=default_graphs)
        return list(result) if not isinstance(result, ox.QueryBoolean) else bool(result)
    return run


def serves_from_memory(store_dir: Path, mode: str, workers: int) -> bool:
    """What the server decides for ``store_in_memory = mode`` with ``workers`` (and the default pool)."""
    return EmbeddedBackend(store_dir, in_memory=mode, workers=workers,
                           query_workers=load_settings()["query_workers"]).serves_from_memory()


def start_mode(store_dir: Path, mode: str, workers: int, tmp: Path) -> tuple[Server, dict[str, float]]:
    """Our server with ``store_in_memory = mode``; its start-up figures (seconds, RSS of the tree)."""
    env = {"PARADIP_STORE": str(store_dir), "PARADIP_QUERY_TIMEOUT": "120", "PARADIP_LOG_LEVEL": "warning",
           "PARADIP_STORE_IN_MEMORY": mode}
    folder = tmp / f"server-{mode}"
    folder.mkdir()
    t = time.perf_counter()
    server = start_server(folder, env=env, workers=workers, log=folder / "server.log", timeout=300)
    figures = {"startup": time.perf_counter() - t}
    if serves_from_memory(store_dir, mode, workers):  # measure the copies, not the disk answering meanwhile
        while server.log_tail(100_000).count(COPIED) < workers and time.perf_counter() - t < 600:
            time.sleep(0.2)
        figures["copies"] = time.perf_counter() - t
    figures["rss"], figures["pss"] = tree_rss(server.process.pid), tree_pss(server.process.pid)
    note(f"server store_in_memory={mode}: {figures}")
    return server, figures


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=30_000)
    parser.add_argument("--keep", type=Path, help="keep the store in this folder (reused when present)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--query-budget", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default="no,yes", help="values of store_in_memory to serve with")
    parser.add_argument("--only", default="", help="comma-separated query slugs or numbers (default: all)")
    parser.add_argument("--no-virtuoso", action="store_true")
    args = parser.parse_args(argv)

    from paradip_kg.web.sparql_page import load_examples
    from paradip_kg.web.state import DEFAULT_GRAPHS

    examples = [(e.slug, e.text) for e in load_examples()]
    if args.only:
        wanted = set(args.only.split(","))
        examples = [e for e in examples if e[0] in wanted or e[0][:2] in wanted]
    default_graphs = [ox.NamedNode(str(GRAPHS[k])) for k in DEFAULT_GRAPHS]
    tmp = Path(tempfile.mkdtemp(prefix="bench-world-serve-"))
    virtuoso = Virtuoso(tmp / "virtuoso")
    servers: dict[str, Server] = {}
    try:
        store_dir = args.keep or tmp / "store"
        # a manifest alone is no store (its folder may have been removed)
        if not manifest_path(store_dir).exists() or not (store_dir / "CURRENT").exists():
            remove_store(store_dir)
            note(f"making the store ({args.triples:,} world triples)")
            make_store(store_dir, args.triples, tmp)
        manifest = Manifest.read(manifest_path(store_dir))
        assert manifest is not None
        quads = sum(manifest.triples.values())
        print(f"store: {quads:,} quads ({manifest.triples}); load {load()}", flush=True)

        disk_store = ox.Store.read_only(str(store_dir))
        before = rss_bytes(os.getpid())
        t = time.perf_counter()
        mem_store = load_copy(disk_store)
        print(f"memory copy in process: {time.perf_counter() - t:.1f} s to load, "
              f"+{(rss_bytes(os.getpid()) - before) / 2**20:,.0f} MiB RSS", flush=True)

        runs: dict[str, Callable[[str], Callable[[], object]]] = {
            "disk": lambda text: in_process(disk_store, text, default_graphs),
            "memory": lambda text: in_process(mem_store, text, default_graphs)}
        for mode in args.modes.split(","):
            servers[mode], figures = start_mode(store_dir, mode, args.workers, tmp)
            print(f"HTTP store_in_memory={mode} ({args.workers} workers): start-up {figures['startup']:.1f} s"
                  + (f", copies in memory {figures['copies']:.1f} s" if "copies" in figures else "")
                  + f"; RSS of the tree {figures['rss'] / 2**20:,.0f} MiB (PSS {figures['pss'] / 2**20:,.0f} MiB; "
                  f"load {load()})", flush=True)
            runs[f"HTTP {mode}"] = lambda text, url=servers[mode].endpoint: ours_fetcher(url, text)
        if not args.no_virtuoso:
            from paradip_kg.backends.push import push

            virtuoso.start()
            if virtuoso.remote is None:
                print(f"Virtuoso: not measured ({virtuoso.error})")
            else:
                t = time.perf_counter()
                pushed = push(store_dir, virtuoso.remote)
                print(f"push to Virtuoso: {time.perf_counter() - t:.1f} s, counts "
                      f"{'equal' if pushed.ok else 'differ'}", flush=True)
                runs["Virtuoso"] = lambda text: virtuoso_fetcher(virtuoso.remote, declared(text))

        # Query by query, every engine in turn: the figures of one row share the machine's load.
        samplers = {mode: Sampler(server.process.pid, pss=True) for mode, server in servers.items()}
        for sampler in samplers.values():
            sampler.__enter__()
        p50s: dict[str, dict[str, float]] = {name: {} for name in runs}
        for slug, text in examples:
            for name, make in runs.items():
                p50s[name][slug] = p50(make(text), args.repeat, args.query_budget)
            note(f"{slug}: " + ", ".join(f"{n} {p50s[n][slug]:.3f}" for n in runs))
        for mode, sampler in samplers.items():
            sampler.__exit__()
            print(f"HTTP store_in_memory={mode}: peak RSS of the tree during the queries "
                  f"{sampler.peak / 2**20:,.0f} MiB (peak PSS {sampler.peak_pss / 2**20:,.0f} MiB, at the end "
                  f"{tree_pss(servers[mode].process.pid) / 2**20:,.0f} MiB)")

        modes = list(servers)
        base = {"no": "disk", "yes": "memory",
                "auto": "memory" if serves_from_memory(store_dir, "auto", args.workers) else "disk"}
        virt = p50s.get("Virtuoso", {})
        head = ["query", *(f"{n} s" for n in runs), *(f"HTTP {m} / in process" for m in modes),
                *(f"HTTP {m} / Virtuoso" for m in modes if virt)]
        print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        for slug, _ in examples:
            row = [slug, *(f"{p50s[n][slug]:.3f}" for n in runs)]
            row += [f"{p50s['HTTP ' + m][slug] / p50s[base[m]][slug]:.2f}×" for m in modes]
            row += [f"{p50s['HTTP ' + m][slug] / virt[slug]:.2f}×" for m in modes if virt]
            print("| " + " | ".join(row) + " |")
        heavy = [slug for slug, _ in examples if p50s["disk"][slug] >= 0.1]
        for m in modes:
            ours = p50s["HTTP " + m]
            worst = max(ours.items(), key=lambda kv: kv[1])
            ratios = [ours[s] / p50s[base[m]][s] for s in heavy]
            line = (f"\nHTTP {m}: slowest {worst[0]} {worst[1]:.3f} s; heavy queries (≥ 0.1 s on disk) HTTP / in "
                    "process: " + (f"geometric mean {geomean(ratios):.2f}×, max {max(ratios):.2f}×" if ratios
                                   else "none at this size"))
            if virt:
                line += f"; geometric mean ours / Virtuoso {geomean([ours[s] / virt[s] for s in virt]):.2f}×"
            print(line)
        print(f"load {load()}")
    finally:
        for server in servers.values():
            stop_server(server)
        virtuoso.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
