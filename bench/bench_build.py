"""Time `paradip-kg build`, stage by stage, on the bundled graph and on synthetic graphs.

    .venv/bin/python bench/bench_build.py                      # bundled, ~10k and ~100k triples
    .venv/bin/python bench/bench_build.py --sizes 10000        # bundled and ~10k only

For each graph it builds a fresh store through the real pipeline (parse → infer (owlrl) →
validate (pyshacl) → store (Oxigraph)) and prints seconds per stage, then each stage's
time as a ratio to the same stage on the bundled graph measured in the same run, and the
throughput in input triples per second. The synthetic graphs come from bench/synthetic.py
(clearly marked synthetic IRIs) with the project's real ontology, vocabularies and shapes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from paradip_kg.build import build  # noqa: E402
from synthetic import DATA, generate  # noqa: E402

STAGES = ("parse", "infer", "validate", "store")


def synthetic_project(workdir: Path, triples: int) -> Path:
    """A project folder with the real ontology, vocab and shapes and a synthetic data/ folder."""
    project = workdir / f"synthetic-{triples}"
    for folder in ("ontology", "vocab", "shapes"):
        shutil.copytree(ROOT / folder, project / folder)
    (project / "data").mkdir(parents=True)
    quads = (q for q in generate(triples) if q.graph_name == DATA)
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    (project / "data" / "synthetic.nt").write_bytes(data or b"")
    return project


def run(project: Path, workdir: Path, name: str) -> tuple[dict[str, float], int]:
    manifest, _ = build(project, workdir / f"store-{name}", force=True, fail_on_violations=False)
    inputs = sum(v for k, v in manifest.triples.items() if k != "inferred")
    print(f"{name}: {inputs} input triples, SHACL results {manifest.results}", file=sys.stderr)
    return manifest.seconds, inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000],
                        help="synthetic graph sizes in triples (default: 10000 100000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        rows = [("bundled", *run(ROOT, workdir, "bundled"))]
        for size in args.sizes:
            rows.append((f"synthetic ~{size}", *run(synthetic_project(workdir, size), workdir, str(size))))
    base = rows[0][1]
    print(f"{'graph':<20} {'input triples':>13} " + " ".join(f"{s + ' s':>10}" for s in STAGES) + f" {'total s':>9}")
    for name, seconds, inputs in rows:
        total = sum(seconds.get(s, 0.0) for s in STAGES)
        figures = " ".join(f"{seconds.get(s, 0.0):>10.2f}" for s in STAGES)
        print(f"{name:<20} {inputs:>13} " + figures + f" {total:>9.2f}")
    print("\nratio to the bundled graph, same run (stage time / bundled stage time):")
    for name, seconds, inputs in rows[1:]:
        ratios = " ".join(f"{s}={seconds.get(s, 0.0) / max(base.get(s, 1e-9), 1e-9):.1f}x" for s in STAGES)
        per_s = inputs / max(sum(seconds.get(s, 0.0) for s in STAGES), 1e-9)
        print(f"  {name:<20} {ratios}  ({per_s:,.0f} input triples/s end to end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
