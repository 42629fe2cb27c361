"""What issue 19's guards cost on the bundled graph: the nesting pre-scan, and the dumps' labelling.

    .venv/bin/python bench/bench_nesting.py              # 30 rounds
    .venv/bin/python bench/bench_nesting.py --rounds 5

1. Parsing every bundled RDF file (ontology/, vocab/, data/, shapes/) with pyoxigraph, against
   the nesting check alone (``paradip_kg.rdf.parse.check_nesting``) on the same bytes: the check
   as a ratio of the parse it precedes.
2. Labelling the blank nodes of a store built from the bundled files: RDFC-1.0 over all of them
   at once (the code before issue 19, the baseline) against one connected group at a time
   (``paradip_kg.publish.dumps.canonical_blank_lines``).

Both sides of each ratio are measured in the same run, interleaved, best of the rounds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]

from paradip_kg.build import build  # noqa: E402
from paradip_kg.publish.dumps import _has_blank_node, canonical_blank_lines  # noqa: E402
from paradip_kg.rdf.parse import as_format, check_nesting, guess_format, rdf_files  # noqa: E402


def best(function: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    files = [p for folder in ("ontology", "vocab", "data", "shapes") for p in rdf_files(ROOT / folder)]
    blobs = [(p.read_bytes(), as_format(guess_format(p)), str(p)) for p in files]

    def parse() -> None:
        for data, fmt, _ in blobs:
            for _ in ox.parse(data, format=fmt.rdf_format):
                pass

    def scan() -> None:
        for data, fmt, source in blobs:
            check_nesting(data, fmt, source)

    parse_s, scan_s = best(parse, args.rounds), best(scan, args.rounds)
    size = sum(len(b) for b, _, _ in blobs)
    print(f"nesting check: {len(blobs)} files, {size:,} bytes; parse {parse_s * 1000:.2f} ms, "
          f"check {scan_s * 1000:.2f} ms = {scan_s / parse_s:.2f}x of the parse")

    with tempfile.TemporaryDirectory() as tmp:
        store_dir = Path(tmp) / "store"
        build(ROOT, store_dir)
        store = ox.Store.read_only(str(store_dir))
        data = store.dump(format=ox.RdfFormat.N_QUADS) or b""
        blank = b"\n".join(line for line in data.split(b"\n") if line and _has_blank_node(line)) + b"\n"
        quads = list(ox.parse(blank, format=ox.RdfFormat.N_QUADS))

        def whole() -> None:
            dataset = ox.Dataset(quads)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)

        def grouped() -> None:
            canonical_blank_lines(quads)

        whole_s, grouped_s = best(whole, max(args.rounds // 3, 1)), best(grouped, max(args.rounds // 3, 1))
        print(f"dump labelling: {len(quads):,} quads with blank nodes; RDFC-1.0 at once {whole_s * 1000:.1f} ms, "
              f"by group {grouped_s * 1000:.1f} ms = {grouped_s / whole_s:.2f}x")
        del store


if __name__ == "__main__":
    sys.exit(main())
