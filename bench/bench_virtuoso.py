"""The example queries on Virtuoso and on the embedded store, side by side in one run.

For each dataset (the bundled graph, and a synthetic graph of ``--triples`` triples made by
``bench/synthetic.py``; 0 skips it) it:

1. pushes the store's graphs into Virtuoso with :func:`paradip_kg.backends.push.push` (time, triples/s;
   Graph Store Protocol uploads, or SPARQL Update with ``--push-with update``);
2. runs every example query (``src/paradip_kg/queries/*.rq``) ``--repeat`` times
   - on the embedded store, in this process, with the server's own code
     (:func:`paradip_kg.sparql.execute.execute`: query, read, write SPARQL JSON / N-Triples), and
   - on Virtuoso over HTTP with :class:`paradip_kg.backends.client.RemoteStore` (form POST, same
     dataset, SPARQL JSON / N-Triples), which includes HTTP and Virtuoso's serialization;
3. prints the p50 of each and the ratio Virtuoso / embedded (above 1: Virtuoso is slower).

The embedded figures have no HTTP in them: ``bench/bench_sparql_http.py`` measures our own
endpoint over HTTP. Virtuoso is started privately on a free 127.0.0.1 port in a temporary
folder (``scripts/virtuoso.sh``, installed if missing) and stopped at the end, unless
``--endpoint`` names one already running — whose graphs of ours it then replaces.

    python bench/bench_virtuoso.py                    # bundled graph + 100k synthetic
    python bench/bench_virtuoso.py --triples 0        # bundled graph only
    python bench/bench_virtuoso.py --store var/store --triples 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))  # free_port is shared with the tests (tests/support)

from paradip_kg.backends.client import N_TRIPLES, SPARQL_JSON, RemoteStore  # noqa: E402
from paradip_kg.backends.push import push  # noqa: E402
from paradip_kg.rdf.formats import NTRIPLES  # noqa: E402
from paradip_kg.sparql.execute import execute  # noqa: E402
from paradip_kg.sparql.inspect import inspect_query  # noqa: E402
from paradip_kg.sparql.jobs import Job  # noqa: E402
from paradip_kg.store.disk import default_graph_names  # noqa: E402
from paradip_kg.store.head import open_store  # noqa: E402
from paradip_kg.web.conneg import BY_NAME  # noqa: E402
from paradip_kg.web.sparql_page import load_examples  # noqa: E402
from support.servers import free_port  # noqa: E402

SCRIPT = ROOT / "scripts" / "virtuoso.sh"
LIMIT = 10_000  # the server's default result_limit


def p50(times: list[float]) -> float:
    return statistics.median(times) * 1000


def bench_dataset(name: str, store_dir: Path, remote: RemoteStore, repeat: int) -> None:
    started = time.perf_counter()
    result = push(store_dir, remote)
    seconds = time.perf_counter() - started
    total = sum(result.local.values())
    print(f"\n## {name}: {total} triples\n")
    print(f"push: {seconds:.1f} s ({total / seconds:,.0f} triples/s); counts "
          f"{'equal' if result.ok else 'DIFFER: ' + str(result.mismatches)}\n")
    store = open_store(store_dir)
    defaults = tuple(g.value for g in default_graph_names())
    print("| query | rows | embedded p50 ms | Virtuoso p50 ms | Virtuoso / embedded |")
    print("|---|---:|---:|---:|---:|")
    ratios = []
    for example in load_examples():
        kind = inspect_query(example.text).kind or "results"
        job = Job(query=example.text, formats={"results": BY_NAME["json"], "rdf": NTRIPLES}, limit=LIMIT)
        accept = SPARQL_JSON if kind == "results" else N_TRIPLES
        local_times, remote_times = [], []
        reply = None
        for _ in range(repeat):
            t = time.perf_counter()
            reply = execute(store, job, defaults)
            local_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            remote.query(example.text, accept=accept)
            remote_times.append(time.perf_counter() - t)
        rows = reply.count if reply is not None else 0
        ratio = p50(remote_times) / max(p50(local_times), 1e-6)
        ratios.append(ratio)
        print(f"| {example.slug} | {rows} | {p50(local_times):.2f} | {p50(remote_times):.2f} | {ratio:.3g}× |")
    print(f"\ngeometric mean of the ratios: {statistics.geometric_mean(ratios):.3g}×")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path,
                        help="a built store (default: build the bundled graph into a temp folder)")
    parser.add_argument("--triples", type=int, default=100_000, help="synthetic graph size; 0: none")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--endpoint", help="use this running Virtuoso (its graphs of ours are replaced)")
    parser.add_argument("--update-endpoint")
    parser.add_argument("--user", default="dba")
    parser.add_argument("--password", default="dba")
    parser.add_argument("--graph-store", help="Graph Store Protocol endpoint of --endpoint to push with")
    parser.add_argument("--push-with", choices=["gsp", "update"], default="gsp",
                        help="push with Graph Store uploads (default) or SPARQL Update INSERT DATA")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-virtuoso-"))
    folder = workdir / "virtuoso"
    started_server = False
    try:
        if args.endpoint:
            remote = RemoteStore(args.endpoint, args.update_endpoint, args.user, args.password, timeout=300,
                                 graph_store=args.graph_store if args.push_with == "gsp" else None)
        else:
            subprocess.run([str(SCRIPT), "install"], check=True)
            port = free_port()
            t = time.perf_counter()
            subprocess.run([str(SCRIPT), "start", str(folder), str(port)], check=True, stdout=subprocess.DEVNULL)
            started_server = True
            print(f"Virtuoso started in {time.perf_counter() - t:.1f} s on 127.0.0.1:{port}")
            base = f"http://127.0.0.1:{port}"
            remote = RemoteStore(base + "/sparql", base + "/sparql-auth", "dba", "dba", timeout=300,
                                 graph_store=base + "/sparql-graph-crud-auth" if args.push_with == "gsp" else None)
        store_dir = args.store
        if store_dir is None:
            from paradip_kg.build import build

            store_dir = workdir / "bundled"
            build(ROOT, store_dir)
        bench_dataset("bundled graph", store_dir, remote, args.repeat)
        if args.triples:
            import synthetic

            synthetic_dir = workdir / "synthetic"
            synthetic.write_store(synthetic_dir, args.triples)
            bench_dataset(f"synthetic graph (~{args.triples} triples)", synthetic_dir, remote, args.repeat)
    finally:
        if started_server:
            subprocess.run([str(SCRIPT), "stop", str(folder)], check=False)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
