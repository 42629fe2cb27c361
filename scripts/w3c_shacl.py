"""The W3C SHACL test suite (core and SPARQL parts) through pyshacl, `paradip-kg validate` and POST /validate.

    .venv/bin/python scripts/w3c_shacl.py SUITE [--modes direct,cli,web] [--only SUBSTRING]

SUITE is the suite's ``data-shapes-test-suite`` folder (docs/conformance.md says how to get it;
nothing is fetched here). Each test (``sht:Validate``) is run

- ``direct``: ``pyshacl.validate`` with its defaults, the reference;
- ``cli``: ``paradip-kg validate --shapes SHAPES DATA --no-context -o turtle``, a process each;
- ``web``: ``POST /validate`` (multipart, the files as they are, ``context=0``) on the app.

A test passes a mode when ``sh:conforms`` is the expected one (the suite's partial compliance)
and the results, as (focus node, severity, constraint component, value, source shape) with blank
nodes written ``_``, are the expected ones; a test whose result is ``sht:Failure`` passes when the
engine refuses the shapes (exit 2, a 4xx). Prints a line per failure and a count per mode.
"""

from __future__ import annotations

import argparse
import io
import logging
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH, Namespace

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
ROOT = Path(__file__).resolve().parents[1]


def tests_of(suite: Path, only: str) -> list[dict[str, Any]]:
    """Every sht:Validate test of tests/core and tests/sparql: its files, expected verdict and results."""
    found = []
    for path in sorted((suite / "tests").glob("*/**/*.ttl")):
        if path.name == "manifest.ttl" or path.relative_to(suite / "tests").parts[0] not in ("core", "sparql"):
            continue
        graph = Graph().parse(path, publicID=path.as_uri())
        for test in graph.subjects(RDF.type, SHT.Validate):
            name = str(path.relative_to(suite / "tests").with_suffix(""))
            if only and only not in name:
                continue
            action, result = graph.value(test, MF.action), graph.value(test, MF.result)
            files = [Path(str(graph.value(action, p)).removeprefix("file://"))
                     for p in (SHT.dataGraph, SHT.shapesGraph)]
            failure = result == SHT.Failure
            found.append({"name": name, "data": files[0], "shapes": files[1], "failure": failure,
                          "conforms": None if failure else bool(graph.value(result, SH.conforms).toPython()),
                          "results": None if failure else results_of(graph, result)})
    return found


def term(node: Any) -> str:
    return "_" if isinstance(node, BNode) or node is None else node.n3()


def results_of(graph: Graph, report: Any) -> Counter[tuple[str, ...]]:
    """The results of a report node, as comparable tuples."""
    return Counter((term(graph.value(r, SH.focusNode)), term(graph.value(r, SH.resultSeverity)),
                    term(graph.value(r, SH.sourceConstraintComponent)), term(graph.value(r, SH.value)),
                    term(graph.value(r, SH.sourceShape))) for r in graph.objects(report, SH.result))


def judge(test: dict[str, Any], report: Graph | None) -> str:
    """'' when the mode answered as the suite expects, else why not."""
    if test["failure"]:
        return "" if report is None else "validated shapes the suite expects refused"
    if report is None:
        return "refused the shapes"
    node = next(report.subjects(RDF.type, SH.ValidationReport), None)
    conforms = bool(report.value(node, SH.conforms).toPython()) if node is not None else None
    if conforms != test["conforms"]:
        return f"sh:conforms {conforms}, expected {test['conforms']}"
    got = results_of(report, node)
    return "" if got == test["results"] else f"results differ: {sorted((got - test['results']).elements())[:2]} " \
                                              f"extra, {sorted((test['results'] - got).elements())[:2]} missing"


def run_direct(test: dict[str, Any]) -> Graph | None:
    import pyshacl

    data = Graph().parse(test["data"])
    shapes = data if test["shapes"] == test["data"] else Graph().parse(test["shapes"])
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes)
    except Exception:  # noqa: BLE001 - pyshacl's way of refusing shapes
        return None
    return report if isinstance(report, Graph) else None


def run_cli(test: dict[str, Any]) -> Graph | None:
    done = subprocess.run([sys.executable, "-m", "paradip_kg", "--project-dir", str(ROOT), "validate", "--shapes",
                           str(test["shapes"]), str(test["data"]), "--no-context", "--lang", "en", "-o", "turtle"],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode == 2:
        return None
    return Graph().parse(data=done.stdout, format="turtle")


def web_client() -> Any:
    from paradip_kg.web.app import create_app

    # A long time limit: the figure is about answers, not speed, and the machine may be busy.
    return create_app({"TESTING": True, "project_dir": str(ROOT), "validation_timeout": 300}).test_client()


def run_web(client: Any, test: dict[str, Any]) -> Graph | None:
    fields = {"data": (io.BytesIO(test["data"].read_bytes()), test["data"].name),
              "shapes": (io.BytesIO(test["shapes"].read_bytes()), test["shapes"].name), "context": "0", "lang": "en"}
    response = client.post("/validate", data=fields, content_type="multipart/form-data",
                           headers={"Accept": "text/turtle"})
    if 400 <= response.status_code < 500:
        return None
    if response.status_code != 200:  # a 5xx (or a timeout's 503): no report at all
        raise RuntimeError(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:200]}")
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", type=Path, help="the data-shapes-test-suite folder")
    parser.add_argument("--modes", default="direct,cli,web")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # the suite's ill-typed literals are on purpose
    warnings.simplefilter("ignore")  # pyshacl's warnings about the suite's odd shapes, one per test
    tests = tests_of(args.suite, args.only)
    client = web_client() if "web" in args.modes else None
    passed: Counter[str] = Counter()
    for test in tests:
        for mode in args.modes.split(","):
            try:
                report = run_direct(test) if mode == "direct" else run_cli(test) if mode == "cli" \
                    else run_web(client, test)
                why = judge(test, report)
            except Exception as exc:  # noqa: BLE001 - a crash (a traceback's output, a 5xx) is a failure
                why = f"crashed: {type(exc).__name__}: {str(exc)[:200]}"
            if why:
                print(f"FAIL {mode:<6} {test['name']}: {why}")
            else:
                passed[mode] += 1
    for mode in args.modes.split(","):
        print(f"{mode}: {passed[mode]}/{len(tests)} passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
