"""Full SHACL validation of world-shaped graphs: the compiled engine, Apache Jena SHACL and pyshacl.

    .venv/bin/python bench/bench_world_validate.py 10000 100000 1000000
    .venv/bin/python bench/bench_world_validate.py 30000 --pyshacl-budget 900 --work var/bench-validate

For each size (asserted data triples of bench/world.py, next to the bundled graph) it prepares
once, under ``--work``, what the build validates: the project's ontology, vocabularies and data
with their OWL RL entailments (owlrl on the T-box, the compiled A-box rules of
:mod:`paradip_kg.inference.incremental` on the rest), as one N-Triples file, and the project's
shapes. Then each engine validates those same files, each in a fresh process:

- **compiled** (:func:`paradip_kg.shacl.compiled.validate_store`): the file bulk-loaded into an
  in-memory Oxigraph store, then validated (both times printed; the ratio uses their sum);
- **jena**: Apache Jena SHACL 4.5 (Debian ``libapache-jena-java``) through
  tests/crosscheck/JenaBatch.java, which parses the file into a Jena graph and validates it; the
  JVM's start and the compilation of JenaBatch are left out (a tiny job runs first, and the time
  is taken between its answer and the big one's). Its shapes have the messages of the SPARQL
  constraints removed, as tests/test_crosscheck.py does (Jena 4.5 refuses more than one);
- **pyshacl** (:func:`paradip_kg.shacl.engine.validate`, what the build ran before): parsing
  into rdflib and validating, stopped after ``--pyshacl-budget`` seconds (then printed as ">").

Each engine's number of results is printed next to its time. Record a run in docs/benchmarks.md
("World scale: validation") with the load average this prints.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KIT = ROOT / "tests" / "crosscheck"
sys.path.insert(0, str(ROOT / "tests"))  # tests/support: the Jena classpath, shared with the cross-check
from support.jena import jena_classpath  # noqa: E402

# --- the inputs ----------------------------------------------------------------------------------

def prepare(size: int, work: Path) -> tuple[Path, Path, Path]:
    """The validated graph (N-Triples), the shapes and Jena's shapes for a world of ``size``, made once."""
    folder = work / f"world-{size}"
    validated, shapes, jena_shapes = folder / "validated.nt", folder / "shapes.nt", folder / "shapes-jena.nt"
    if not validated.exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--prepare", str(size), str(folder)], check=True)
        print(f"  prepared {validated} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return validated, shapes, jena_shapes


def _prepare(size: int, folder: Path) -> None:
    sys.path.insert(0, str(HERE))
    from rdflib import Graph
    from rdflib.namespace import SH

    import world
    from paradip_kg.build import load_sources
    from paradip_kg.inference.closure import infer
    from paradip_kg.inference.incremental import TBox, entail

    project = folder / "project"
    if not project.exists():
        world.write_project(project, world.plan(size, 0))
    src = load_sources(project)
    tbox = Graph()
    for graph in (src.ontology, src.vocab):
        for triple in graph:
            tbox.add(triple)
    tbox_inferred, errors = infer(tbox)
    assert not errors, errors
    closure = Graph()
    for triple in (*tbox, *tbox_inferred):
        closure.add(triple)
    asserted = src.union()
    entailed, errors = entail(TBox.from_graph(closure), set(asserted))
    assert not errors, errors[:5]
    for triple in (*tbox_inferred, *entailed):
        asserted.add(triple)
    asserted.serialize(folder / "validated.nt", format="nt", encoding="utf-8")
    src.shapes.serialize(folder / "shapes.nt", format="nt", encoding="utf-8")
    constraints = set(src.shapes.objects(None, SH.sparql))
    jena = Graph()
    for s, p, o in src.shapes:
        if not (p == SH.message and s in constraints):
            jena.add((s, p, o))
    jena.serialize(folder / "shapes-jena.nt", format="nt", encoding="utf-8")


# --- the engines, each in its own process ----------------------------------------------------

def _measure(engine: str, data: Path, shapes: Path) -> dict[str, float | int]:
    import pyoxigraph as ox
    from rdflib import Graph

    shapes_graph = Graph().parse(shapes, format="nt")
    started = time.perf_counter()
    if engine == "compiled":
        from paradip_kg.shacl.compiled import validate_store

        store = ox.Store()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
        loaded = time.perf_counter()
        report = validate_store(store, shapes_graph, allow_warnings=True)
        done = time.perf_counter()
        return {"load": loaded - started, "validate": done - loaded, "total": done - started,
                "results": len(report.results), "triples": len(store)}
    from paradip_kg.rdf.parse import parse_file
    from paradip_kg.shacl.engine import validate

    graph = Graph()
    parse_file(data, into=graph)
    loaded = time.perf_counter()
    report = validate(graph, shapes_graph, allow_warnings=True)
    done = time.perf_counter()
    return {"load": loaded - started, "validate": done - loaded, "total": done - started,
            "results": len(report.results), "triples": len(graph)}


def run_python(engine: str, data: Path, shapes: Path, budget: float | None) -> dict[str, float | int] | None:
    """One engine's figures, from a fresh process (None: it did not finish within ``budget``)."""
    try:
        out = subprocess.run([sys.executable, __file__, "--measure", engine, str(data), str(shapes)],
                             check=True, capture_output=True, text=True, timeout=budget)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_jena(data: Path, shapes: Path) -> dict[str, float | int]:
    """Jena's time for ``data``: a tiny warm-up job first, then the big one, timed between answers."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        tiny = tmp / "tiny.nt"
        tiny.write_text('<https://w3id.org/paradip/synthetic/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
        jobs = f"{shapes}\t{tiny}\t{tmp / 'tiny.ttl'}\n{shapes}\t{data}\t{tmp / 'report.ttl'}\n"
        command = ["java", "-Xmx12g", "-cp", jena_classpath(tmp), str(KIT / "JenaBatch.java")]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=KIT)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(jobs)
        process.stdin.close()
        first = process.stdout.readline()
        started = time.perf_counter()
        if not first.startswith("ok"):
            raise RuntimeError(f"Jena failed on the warm-up job: {first}")
        line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        process.wait()
        if not line.startswith("ok"):
            raise RuntimeError(f"Jena failed: {line}")
        from rdflib import Graph
        from rdflib.namespace import SH

        report = Graph().parse(tmp / "report.ttl", format="turtle")
        return {"total": elapsed, "results": len(list(report.objects(None, SH.result)))}


# --- the table -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-validate",
                        help="where the prepared inputs are kept (reused by later runs)")
    parser.add_argument("--pyshacl-budget", type=float, default=600.0, help="seconds pyshacl may take per size")
    parser.add_argument("--no-jena", action="store_true", help="leave Jena out")
    parser.add_argument("--prepare", nargs=2, metavar=("SIZE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, metavar=("ENGINE", "DATA", "SHAPES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        _prepare(int(args.prepare[0]), Path(args.prepare[1]))
        return 0
    if args.measure:
        print(json.dumps(_measure(args.measure[0], Path(args.measure[1]), Path(args.measure[2]))))
        return 0
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    for size in args.sizes:
        validated, shapes, jena_shapes = prepare(size, args.work)
        ours = run_python("compiled", validated, shapes, None)
        assert ours is not None
        jena = None if args.no_jena else run_jena(validated, jena_shapes)
        slow = run_python("pyshacl", validated, shapes, args.pyshacl_budget)
        rows.append((size, ours, jena, slow))
        _print_row(size, ours, jena, slow, args.pyshacl_budget)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def _print_row(size: int, ours: dict[str, float | int], jena: dict[str, float | int] | None,
               slow: dict[str, float | int] | None, budget: float) -> None:
    line = (f"world {size:>9,}: {ours['triples']:>9,} triples validated | compiled {ours['total']:8.1f} s "
            f"(load {ours['load']:.1f} + validate {ours['validate']:.1f}; {ours['results']} results)")
    if jena is not None:
        line += (f" | jena {jena['total']:8.1f} s ({jena['results']} results) | compiled/jena "
                 f"{ours['total'] / jena['total']:.2f}x")
    if slow is not None:
        line += (f" | pyshacl {slow['total']:8.1f} s ({slow['results']} results) | pyshacl/compiled "
                 f"{slow['total'] / ours['total']:.0f}x")
    else:
        line += f" | pyshacl > {budget:.0f} s (stopped) | pyshacl/compiled > {budget / ours['total']:.0f}x"
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
