"""Time `paradip-kg build` of world-shaped graphs (bench/world.py), stage by stage, against baselines.

    .venv/bin/python bench/bench_world_build.py                          # 10k, 100k and 1M triples
    .venv/bin/python bench/bench_world_build.py --sizes 10000 100000 --baseline-budget 600

For each size it writes a project folder (the repository's ontology, vocabularies, shapes and data
plus data/world.nt) and builds it with the real command line, each build in its own process:

- **fast**: the defaults (inference_engine=rules, validation_engine=compiled);
- **baseline**: today's whole-graph engines (inference_engine=owlrl, validation_engine=pyshacl),
  stopped after ``--baseline-budget`` seconds (the stages it finished are kept);
- **bulk load**: Oxigraph's own bulk load of the same files into an on-disk store (no inference, no
  validation): the reference for "parse into the store".

It prints each stage's seconds and triples per second (from the build's own stage lines), the peak
RSS of each process (GNU time), and fast/baseline ratios, then the same as Markdown for
docs/benchmarks.md, with the load average next to the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import world  # noqa: E402

STAGES = ("parse", "infer", "validate", "store")
LINE = re.compile(r"^(parse|infer|validate|store) ([\d,]+) triples ([\d.]+) s \(([^)]*)\)(.*)$")
AFTER = re.compile(r"^(search|charts) ([\d,]+) [\w-]+ ([\d.]+) s")  # what the build writes after the store
LOADING = re.compile(r"\(([\d.]+) s of loading in all")  # the store line: the writer's Oxigraph loads
BULK = """
import sys, time, pyoxigraph as ox
from pathlib import Path
project, store = Path(sys.argv[1]), sys.argv[2]
files = [p for folder in ("ontology", "vocab", "data", "shapes") for p in sorted((project / folder).iterdir())
         if p.suffix in (".ttl", ".nt")]
started = time.perf_counter()
s = ox.Store(store)
for path in files:
    s.bulk_load(path=str(path), to_graph=ox.NamedNode("https://w3id.org/paradip/graph/" + path.parent.name))
s.flush(); s.optimize()
print(f"store {len(s):,} triples {time.perf_counter() - started:.1f} s (-)", file=sys.stderr)
"""


@dataclass
class Run:
    """One build process: its stage lines, wall time and peak RSS."""

    name: str
    stages: dict[str, tuple[int, float]] = field(default_factory=dict)  # stage → (triples, seconds)
    after: dict[str, float] = field(default_factory=dict)  # the search index, the home page's rows → seconds
    wall: float = 0.0
    rss_mib: float = 0.0
    loading: float = 0.0  # seconds the store writer spent in Oxigraph's loads (most while validating)
    timed_out: bool = False
    failed: str = ""

    def seconds(self, stage: str) -> float | None:
        return self.stages[stage][1] if stage in self.stages else None


def run(name: str, command: list[str], env: dict[str, str], budget: float | None) -> Run:
    """Run ``command`` under GNU time in its own session; stop it (and only it) after ``budget`` s."""
    result = Run(name)
    started = time.perf_counter()
    process = subprocess.Popen(["/usr/bin/time", "-f", "maxrss_kb=%M", *command], env={**os.environ, **env},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, err = process.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
        result.timed_out = True
    result.wall = time.perf_counter() - started
    for line in err.splitlines():
        if match := LINE.match(line.strip()):
            result.stages[match.group(1)] = (int(match.group(2).replace(",", "")), float(match.group(3)))
            if match.group(1) == "store" and (loading := LOADING.search(match.group(5))):
                result.loading = float(loading.group(1))
        elif match := AFTER.match(line.strip()):
            result.after[match.group(1)] = float(match.group(3))
        elif line.startswith("maxrss_kb="):
            result.rss_mib = int(line.split("=")[1]) / 1024
    if process.returncode not in (0, None) and not result.timed_out:
        result.failed = err.strip().splitlines()[-1] if err.strip() else f"exit {process.returncode}"
    return result


def build_runs(project: Path, work: Path, budget: float) -> list[Run]:
    cli = [sys.executable, "-m", "paradip_kg", "--project-dir", str(project)]
    fast = run("fast", [*cli, "--store", str(work / "fast"), "build", "--force"],
               {"PARADIP_INFERENCE_ENGINE": "rules", "PARADIP_VALIDATION_ENGINE": "compiled"}, None)
    shutil.rmtree(work / "fast", ignore_errors=True)
    baseline = run("baseline", [*cli, "--store", str(work / "baseline"), "build", "--force"],
                   {"PARADIP_INFERENCE_ENGINE": "owlrl", "PARADIP_VALIDATION_ENGINE": "pyshacl"}, budget)
    shutil.rmtree(work / "baseline", ignore_errors=True)
    bulk = run("bulk load", [sys.executable, "-c", BULK, str(project), str(work / "bulk")], {}, None)
    shutil.rmtree(work / "bulk", ignore_errors=True)
    return [fast, baseline, bulk]


def rate(triples: int, seconds: float) -> str:
    return f"{triples / seconds:,.0f}" if seconds else "-"


def table(size: int, runs: list[Run]) -> list[str]:
    fast, baseline, bulk = runs
    rows = [f"#### ~{size:,} asserted triples", "",
            "| stage | fast s | fast triples/s | baseline s | baseline triples/s | baseline / fast |",
            "|---|---|---|---|---|---|"]
    for stage in STAGES:
        f, b = fast.stages.get(stage), baseline.stages.get(stage)
        cells = [f"{f[1]:.1f}" if f else "-", rate(*f) if f else "-"]
        if b:
            cells += [f"{b[1]:.1f}", rate(*b), f"{b[1] / f[1]:.1f}×" if f and f[1] else "-"]
        else:
            cells += ["not reached" if baseline.timed_out else "-", "-", "-"]
        rows.append(f"| {stage} | " + " | ".join(cells) + " |")
    fast_total = sum(s for _, s in fast.stages.values())
    base_total = sum(s for _, s in baseline.stages.values())
    base_text = f"≥ {baseline.wall:.0f} (stopped)" if baseline.timed_out else f"{base_total:.1f}"
    ratio = f"≥ {baseline.wall / fast_total:.0f}×" if baseline.timed_out else f"{base_total / fast_total:.1f}×"
    rows.append(f"| **all stages** | {fast_total:.1f} | | {base_text} | | {ratio} |")
    if fast.after:  # in the wall time, not in the stages: the home page's queries run while the index is written
        rows.append("| after the store: " + ", ".join(f"{k} {v:.1f} s" for k, v in fast.after.items()) + " | | | | | |")
    rows.append(f"| process wall time | {fast.wall:.1f} | | {baseline.wall:.1f} | | |")
    base_rss = f"{baseline.rss_mib:,.0f}" if baseline.rss_mib else "-"
    rows.append(f"| peak RSS MiB | {fast.rss_mib:,.0f} | | {base_rss} | | |")
    parse, store = fast.stages.get("parse"), fast.stages.get("store")
    bulk_store = bulk.stages.get("store")
    if parse and store and bulk_store:
        rows += ["", f"Parse into the store: files → triples {parse[0] / parse[1]:,.0f}/s; triples → the on-disk "
                 f"store {store[0] / store[1]:,.0f} quads/s ({store[0]:,} quads, inferred ones too; the store stage "
                 f"is what is left after validating, the reconciliation rows included); the store writer's own loads "
                 f"{rate(store[0], fast.loading)} quads/s ({fast.loading:.1f} s of loading, most of it while "
                 f"validating); "
                 f"Oxigraph's own bulk load of the same files into an on-disk store (parse and store, no inference): "
                 f"{bulk_store[0] / bulk_store[1]:,.0f} triples/s ({bulk_store[1]:.1f} s, peak RSS "
                 f"{bulk.rss_mib:,.0f} MiB)."]
    for r in runs:
        if r.failed:
            rows.append(f"\n{r.name} failed: {r.failed}")
    return rows + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--baseline-budget", type=float, default=300.0,
                        help="seconds the owlrl + pyshacl build may run per size before it is stopped (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-world-build-") as tmp:
        for size in args.sizes:
            work = Path(tmp) / str(size)
            project = work / "project"
            started = time.perf_counter()
            world.write_project(project, world.plan(size, args.seed))
            print(f"world {size}: project written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            load = os.getloadavg()
            runs = build_runs(project, work, args.baseline_budget)
            rows = table(size, runs)
            rows.insert(1, f"\nLoad average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
                        f"after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
            print("\n".join(rows), flush=True)
            out += rows
            shutil.rmtree(work, ignore_errors=True)
    print("\n---- Markdown ----\n")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
