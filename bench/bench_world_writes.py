"""Validated writes on a world-shaped store: writes/s and latency at ~10k, ~100k and ~1M triples.

    .venv/bin/python bench/bench_world_writes.py --sizes 10k,100k --writes 40              # a quick look
    .venv/bin/python bench/bench_world_writes.py --sizes 10k,100k,1M --writes 100 \\
        --baseline-src var/baseline/src                                               # docs/benchmarks.md

For each size (``--sizes``; ``k``/``M`` suffixes) it:

1. **makes a store** the way a build of ``bench/world.py``'s project would (without running
   owlrl and pyshacl over it, which take minutes at 100k and hours at 1M): the bundled graph's
   built store (ontology, vocab, data, inferred, shapes; built into the temp folder, or
   ``--bundled STORE``), plus the
   world's data graph (``world.generate(triples=N)``), plus the world's entailments from the
   compiled OWL 2 RL rules (:func:`paradip_kg.inference.incremental.entail`, which
   tests/test_writes.py holds equal to owlrl), bulk-loaded into a fresh Oxigraph store with a
   manifest and the search index a build writes beside it (each write keeps it in step);
2. **writes** ``--writes`` single-agreement INSERT DATA updates to it, one after the other from
   one client, through :func:`paradip_kg.writes.commit.sparql_update` (the function behind
   ``POST /update``), in a child process: each a new agreement between two governments of the
   world picked at random (no two writes and no agreement of the store share both parties),
   with the scope their countries call for, es and en labels, a source, and — a sister-city
   agreement, as the importer writes it — ``pdo:twinnedWith`` from the first party to the
   second. A write is timed from the call to its return (lock, apply, infer, validate, log,
   publish, ``fsync``); the first write of a process (it copies the store into the writer's copy
   and reads the T-box and shapes) is reported apart. Printed: writes/s, p50, p90, p99 and max
   latency, the median seconds of each stage, the focus nodes;
3. with ``--baseline-src DIR`` (a ``src/`` folder of another version of paradip-kg, e.g. one
   exported with ``git archive <commit> src | tar -x -C var/baseline``), **the same writes
   on a copy of the same store with that version's code**, in its own child process (only the
   first ``--baseline-writes`` of them, if given: the old code took up to minutes a write), and
   the ratios new / baseline.

The machine's load average is printed with each table. Temporary files live in one temp
folder (``--tmp``), removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import world  # noqa: E402  (bench/world.py, beside this script)

DATA = "https://w3id.org/paradip/graph/data"
INFERRED = "https://w3id.org/paradip/graph/inferred"
WRITES_GRAPH = "https://w3id.org/paradip/graph/writes"
TBOX = ("https://w3id.org/paradip/graph/ontology", "https://w3id.org/paradip/graph/vocab")
AGENT = "bench"


def out(text: str = "") -> None:
    print(text, flush=True)


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else f"{size // 1000}k"


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale != 1 else text) * scale)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- The store --------------------------------------------------------------------------------------


def bundled_store(tmp: Path, given: Path | None) -> Path:
    """The repository's graph built into ``tmp`` (once per run), or the built store ``given``."""
    from paradip_kg.build import build

    if given is not None:
        return given
    target = tmp / "bundled"
    if not target.exists():
        build(ROOT, target)
    return target


def world_store(store_dir: Path, bundled: Path, triples: int) -> dict[str, float]:
    """The bundled store plus a world of ~``triples`` asserted triples and its entailments."""
    from rdflib import Graph

    from paradip_kg.inference.incremental import TBox, entail
    from paradip_kg.rdf.terms import oxigraph_quads, to_rdflib
    from paradip_kg.store import search_index
    from paradip_kg.store.disk import manifest_path

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    base = ox.Store.read_only(str(bundled))
    quads = [q for q in base.quads_for_pattern(None, None, None, None)
             if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == WRITES_GRAPH)]
    terms = {q.subject for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in TBOX}
    tbox = Graph()
    for q in quads:
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        if name in TBOX or (name == INFERRED and q.subject in terms):
            tbox.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    generated = list(world.generate(triples=triples))
    seconds["generate"] = time.perf_counter() - t
    t = time.perf_counter()
    data = {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in generated}
    data |= {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads
             if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == DATA}
    entailed, errors = entail(TBox.from_graph(tbox), data)
    if errors:
        raise SystemExit(f"the world is inconsistent with the ontology: {errors[:3]}")
    rdflib_terms = {to_rdflib(t) for t in terms}
    inferred = Graph()
    for triple in entailed:
        if triple[0] not in rdflib_terms:
            inferred.add(triple)
    seconds["infer"] = time.perf_counter() - t
    t = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_extend(quads)
    store.bulk_extend(generated)
    store.bulk_extend(oxigraph_quads(inferred, INFERRED))
    store.flush()
    store.optimize()
    count = len(store)
    content_hash, built_at = f"bench-world-writes-{triples}-{time.time_ns()}", datetime.now(UTC).isoformat()
    # The search index a build writes beside its store: every accepted write keeps it in step.
    search_index.write_index(store, search_index.index_path(store_dir), content_hash, built_at)
    del store
    # Only the fields every version's Manifest reads (a baseline's may have fewer than this one's).
    manifest_path(store_dir).write_text(json.dumps({
        "content_hash": content_hash, "built_at": built_at, "triples": {"quads": count}}), encoding="utf-8")
    seconds["load"] = time.perf_counter() - t
    seconds["quads"] = count
    return seconds


def copy_store(source: Path, target: Path) -> Path:
    """A plain copy of the build ``source`` names now (a link to a build, or a folder), with its manifest
    and its search index."""
    from paradip_kg.store.disk import manifest_path, resolved
    from paradip_kg.store.search_index import index_path

    shutil.copytree(resolved(source), target)
    shutil.copy(manifest_path(source), manifest_path(target))
    if index_path(source).exists():
        shutil.copy(index_path(source), index_path(target))
    return target


# --- The writes -------------------------------------------------------------------------------------


def governments(store: ox.Store) -> list[str]:
    """The world's governments, sorted (the same list for the same store)."""
    query = f"""SELECT DISTINCT ?g WHERE {{ GRAPH <{DATA}> {{ ?g a ?c }}
      VALUES ?c {{ <{world.PDO}MunicipalGovernment> <{world.PDO}StateGovernment> }}
      FILTER(STRSTARTS(STR(?g), "{world.WORLD}government/")) }}"""
    return sorted(row["g"].value for row in store.query(query))  # type: ignore[union-attr, index]


def country_of(government: str) -> str:
    """A world government's country, from its key (``c{country}-m{index}`` or ``c{country}-s{state}``)."""
    found = re.search(r"/government/c(\d+)-", government)
    assert found, government
    return found.group(1)


def agreement_write(store: ox.Store, rng: random.Random, n: int, parties: list[str], used: set[frozenset[str]]) -> str:
    """INSERT DATA of the n-th new agreement (see the module's docstring)."""
    while True:
        a, b = rng.sample(parties, 2)
        pair = frozenset((a, b))
        if pair in used:
            continue
        taken = store.query(f"ASK {{ GRAPH <{DATA}> {{ ?x <{world.PDO}hasParty> <{a}>, <{b}> }} }}")
        if not taken:
            used.add(pair)
            break
    scope = "national" if country_of(a) == country_of(b) else "international"
    year = rng.randrange(world.FIRST_YEAR, world.LAST_YEAR + 1)
    agreement = f"{world.WORLD}agreement/bench-write-{n}-{rng.randrange(10**9)}"
    return f"""PREFIX pdo: <{world.PDO}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA {{ GRAPH <{DATA}> {{
  <{agreement}> a pdo:SisterCityAgreement ;
    rdfs:label "Hermanamiento sintético de prueba {n}"@es, "Synthetic bench twinning {n}"@en ;
    pdo:hasParty <{a}>, <{b}> ;
    pdo:scope <{world.VOCAB}scope/{scope}> ;
    pdo:startDate "{year}"^^xsd:gYear ;
    pdo:theme <{world.VOCAB}theme/{rng.choice(world.THEMES)}> ;
    prov:wasDerivedFrom <{world.WORLD}source/crawl> .
  <{a}> pdo:twinnedWith <{b}> .
}} }}"""


def updates(store_dir: Path, count: int, seed: int) -> list[str]:
    """``count + 1`` writes for the store (the first one warms the writer up), the same for every version."""
    from paradip_kg.store.head import open_store

    store = open_store(store_dir)
    parties = governments(store)
    rng = random.Random(seed)
    used: set[frozenset[str]] = set()
    texts = [agreement_write(store, rng, n, parties, used) for n in range(count + 1)]
    del store
    return texts


def child_writes(store_dir: Path, texts_file: Path, result_file: Path) -> None:
    """Run the writes of ``texts_file`` one after the other (in a child: its own code on sys.path)."""
    import paradip_kg
    from paradip_kg.writes.commit import sparql_update

    texts = json.loads(texts_file.read_text())
    rows = []
    for text in texts:
        t = time.perf_counter()
        result = sparql_update(store_dir, text, agent=AGENT)
        rows.append({"seconds": time.perf_counter() - t, "stages": result.seconds, "focus": result.focus_nodes,
                     "added": result.added, "inferred": result.inferred_added, "full": result.full_validation})
    result_file.write_text(json.dumps({"code": str(Path(paradip_kg.__file__).parent), "rows": rows}))


def run_writes(store_dir: Path, texts: list[str], src: Path | None, tmp: Path, name: str) -> dict[str, Any]:
    texts_file, result_file = tmp / f"{name}-texts.json", tmp / f"{name}-result.json"
    texts_file.write_text(json.dumps(texts))
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(store_dir), str(texts_file),
                    str(result_file)], check=True, env=env)
    return dict(json.loads(result_file.read_text()))


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    steady = rows[1:]
    times = sorted(r["seconds"] for r in steady)

    def pct(p: float) -> float:
        return times[min(len(times) - 1, round(p * (len(times) - 1)))]

    stages = list(rows[0]["stages"])
    return {"writes": len(steady), "per_s": len(steady) / sum(times), "p50": pct(0.5), "p90": pct(0.9),
            "p99": pct(0.99), "max": times[-1], "first": rows[0]["seconds"],
            "stages": {k: statistics.median(r["stages"].get(k, 0.0) for r in steady) for k in stages},
            "focus": statistics.median(r["focus"] for r in steady), "focus_max": max(r["focus"] for r in steady),
            "full": sum(bool(r["full"]) for r in steady)}


def report(size: int, quads: int, results: dict[str, dict[str, Any]]) -> None:
    out(f"\n### ~{label(size)} world triples ({quads:,} quads in the store; load average {load()})\n")
    names = list(results)
    out("| | " + " | ".join(names) + (" | new / baseline |" if len(names) == 2 else " |"))
    out("|---|" + "---:|" * (len(names) + (len(names) == 2)))

    def row(title: str, key: str, fmt: str) -> None:
        values = [results[n][key] for n in names]
        cells = [fmt.format(v) for v in values]
        ratio = [f"{values[0] / values[1]:.3g}×" if values[1] else "–"] if len(values) == 2 else []
        out(f"| {title} | " + " | ".join(cells + ratio) + " |")

    row("writes/s (1 client)", "per_s", "{:.3g}")
    row("p50 s", "p50", "{:.3f}")
    row("p90 s", "p90", "{:.3f}")
    row("p99 s", "p99", "{:.3f}")
    row("max s", "max", "{:.3f}")
    row("first write s", "first", "{:.3f}")
    row("focus nodes, median", "focus", "{:g}")
    row("focus nodes, max", "focus_max", "{:g}")
    row("fell back to full validation", "full", "{:d}")
    stages = list(dict.fromkeys(k for n in names for k in results[n]["stages"]))
    for stage in stages:
        values = [results[n]["stages"].get(stage, 0.0) for n in names]
        ratio = [f"{values[0] / values[1]:.3g}×" if values[1] else "–"] if len(values) == 2 else []
        out(f"| median {stage} s | " + " | ".join([f"{v:.4f}" for v in values] + ratio) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k", help="world sizes in asserted triples (k, M suffixes)")
    parser.add_argument("--writes", type=int, default=40, help="timed writes per size and version (after a first)")
    parser.add_argument("--baseline-src", type=Path, help="a src/ folder of the version to compare with")
    parser.add_argument("--baseline-writes", type=int, help="timed writes of the baseline (the first ones of the "
                        "same sequence; default --writes): the old version can take minutes a write")
    parser.add_argument("--bundled", type=Path, help="a built store of the bundled graph to start from "
                        "(default: build the repository's into the temp folder)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tmp", type=Path, help="where the stores go (default: a new temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_writes(*args.child)
        return 0
    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="bench-world-writes-"))
    tmp.mkdir(parents=True, exist_ok=True)
    out(f"# Validated writes on world stores (load average {load()}; {args.writes} writes per size"
        + (f", {args.baseline_writes} for the baseline" if args.baseline_src and args.baseline_writes else "") + ")")
    try:
        bundled = bundled_store(tmp, args.bundled)
        for size in (parse_size(s) for s in args.sizes.split(",")):
            store_dir = tmp / f"world-{label(size)}"
            made = world_store(store_dir, bundled, size)
            out(f"\n~{label(size)}: {int(made['quads']):,} quads; generated {made['generate']:.1f} s, "
                f"entailed {made['infer']:.1f} s, loaded {made['load']:.1f} s")
            texts = updates(store_dir, args.writes, args.seed)
            versions: dict[str, Path | None] = {"this version": None}
            if args.baseline_src:
                versions["baseline"] = args.baseline_src.resolve()
            results = {}
            for i, (name, src) in enumerate(versions.items()):
                target = copy_store(store_dir, tmp / f"run-{label(size)}-{i}" / "store")
                count = args.baseline_writes if name == "baseline" and args.baseline_writes else args.writes
                ran = run_writes(target, texts[:count + 1], src, tmp, f"{label(size)}-{i}")
                results[name] = summary(ran["rows"])
                shutil.rmtree(target.parent, ignore_errors=True)
            report(size, int(made["quads"]), results)
            shutil.rmtree(store_dir, ignore_errors=True)
    finally:
        if not args.keep and not args.tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
