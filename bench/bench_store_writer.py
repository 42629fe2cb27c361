"""The build's store writer: N-Triples texts → an on-disk Oxigraph store, against one load per graph.

    .venv/bin/python bench/bench_store_writer.py --store var/world-1M     # docs/benchmarks.md (~2.3M quads)
    .venv/bin/python bench/bench_store_writer.py --triples 100000         # a world's data graph alone

The texts: every named graph of ``--store`` (e.g. the ~1M world store that
``bench/bench_world_serve.py --keep var/world-1M`` leaves), or ``bench/world.py``'s data graph of
about ``--triples`` triples, each written one triple a line as the build writes them
(:func:`paradip_kg.build.ntriples`). Then, ``--repeat`` times in turn, into a fresh on-disk store:

1. **writer**: :class:`paradip_kg.store.disk.StoreWriter` (one N-Quads load of all the texts), then
   its ``finish`` (flush, compaction);
2. **baseline**: what the writer did before, one ``bulk_load`` of N-Triples per graph, then the same
   flush and compaction.

Printed: quads/s of each run, the median of each, and writer / baseline. The build's own store
stage also overlaps the load with validation (bench/bench_world_build.py); this one does not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import world  # noqa: E402
from paradip_kg.build import ntriples  # noqa: E402
from paradip_kg.namespaces import GRAPHS  # noqa: E402
from paradip_kg.store.disk import StoreWriter  # noqa: E402

KEYS = {str(iri): key for key, iri in GRAPHS.items()}


def texts_of(store_dir: Path | None, triples: int) -> dict[str, str]:
    """The graphs as N-Triples texts, by key of GRAPHS."""
    if store_dir is None:
        return {"data": ntriples(q.triple for q in world.generate(triples=triples, seed=0))}
    store = ox.Store.read_only(str(store_dir))
    out = {}
    for graph in store.named_graphs():
        key = KEYS.get(graph.value)
        if key is not None:
            out[key] = ntriples(q.triple for q in store.quads_for_pattern(None, None, None, graph))
    return out


def writer(folder: Path, texts: dict[str, str]) -> float:
    started = time.perf_counter()
    w = StoreWriter(folder / "store", texts)
    w.finish()
    return time.perf_counter() - started


def baseline(folder: Path, texts: dict[str, str]) -> float:
    started = time.perf_counter()
    store = ox.Store(str(folder / "baseline"))
    for key, text in texts.items():
        store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPHS[key])), lenient=True)
    store.flush()
    store.optimize()
    del store
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="take the texts from this store's named graphs")
    parser.add_argument("--triples", type=int, default=100_000, help="without --store: a world of this size")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    t = time.perf_counter()
    texts = texts_of(args.store, args.triples)
    quads = sum(text.count("\n") for text in texts.values())
    print(f"texts: {quads:,} quads in {len(texts)} graphs ({', '.join(texts)}), written in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    runs: dict[str, list[float]] = {"writer": [], "baseline": []}
    for i in range(args.repeat):
        for name, run in (("writer", writer), ("baseline", baseline)):
            with tempfile.TemporaryDirectory(prefix="bench-store-writer-") as tmp:
                seconds = run(Path(tmp), texts)
            runs[name].append(seconds)
            print(f"run {i + 1} {name}: {seconds:.1f} s, {quads / seconds:,.0f} quads/s", flush=True)
    medians = {name: statistics.median(times) for name, times in runs.items()}
    print(f"\nmedian: writer {medians['writer']:.1f} s ({quads / medians['writer']:,.0f} quads/s), baseline "
          f"{medians['baseline']:.1f} s ({quads / medians['baseline']:,.0f} quads/s); writer / baseline rate "
          f"{medians['baseline'] / medians['writer']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
