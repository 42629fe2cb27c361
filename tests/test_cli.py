"""The `paradip-kg` commands, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from paradip_kg.cli import cli
from support.paths import ROOT

CASES = ROOT / "tests" / "shape_cases"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, store: Path, *args: str):
    return runner.invoke(cli, ["--store", str(store), "--project-dir", str(ROOT), *args], catch_exceptions=False)


def test_help_for_every_command(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "stats", "query", "validate", "import", "export", "serve"):
        sub = runner.invoke(cli, [command, "--help"])
        assert sub.exit_code == 0, command
        assert len(sub.output.splitlines()) > 3, command


def test_second_build_is_a_no_op(runner, bundled_store):
    result = invoke(runner, bundled_store, "build")
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_stats(runner, bundled_store):
    result = invoke(runner, bundled_store, "stats", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["knowledge graph"]["agreements"] == 19
    assert figures["triples"]["inferred"] > 0


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_query_outputs(runner, bundled_store, output):
    q = "SELECT ?a WHERE { ?a a pdo:SisterCityAgreement } ORDER BY ?a"
    result = invoke(runner, bundled_store, "query", q, "-o", output)
    assert result.exit_code == 0, result.output
    if output == "json":
        assert len(json.loads(result.stdout)["results"]["bindings"]) == 19
    elif output == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0] == ["a"] and len(rows) == 20
    else:
        assert "(19 rows)" in result.stdout


def test_query_from_file_and_construct(runner, bundled_store, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("CONSTRUCT { ?a a pdo:Agreement } WHERE { ?a a pdo:Agreement }", encoding="utf-8")
    result = invoke(runner, bundled_store, "query", "--file", str(path))
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.stdout, format="turtle")) == 19


def test_bad_query_exits_2_with_parser_message(runner, bundled_store):
    result = invoke(runner, bundled_store, "query", "SELECT ?x WHERE { ?x ?y }")
    assert result.exit_code == 2
    assert "error" in result.stderr.lower()


def test_validate_bundled_data_conforms(runner, bundled_store):
    files = sorted(str(p) for p in (ROOT / "data").glob("*.ttl"))
    imported = Path(bundled_store).parent / "imported.ttl"
    r = invoke(runner, bundled_store, "import", str(ROOT / "data" / "sources" / "benito-juarez-agreements.csv"),
               "-o", str(imported))
    assert r.exit_code == 0, r.output
    vocab = sorted(str(p) for p in (ROOT / "vocab").glob("*.ttl"))
    result = invoke(runner, bundled_store, "validate", *files, *vocab, str(imported), "--inference", "owlrl",
                    "--allow-warnings")
    assert result.exit_code == 0, result.output


def _expected(path: Path) -> set[str]:
    return {line.split()[2] for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# expect:")}


@pytest.mark.parametrize("case", sorted((CASES / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_validate_names_the_shape_and_exits_by_severity(runner, bundled_store, case):
    """Each invalid case is reported by its shape; Violations and Warnings exit 1, advice (Info) alone exits 0."""
    result = invoke(runner, bundled_store, "validate", str(case), "--lang", "en", "-o", "json")
    report = json.loads(result.stdout)
    shapes = {r["shape"].rsplit("#", 1)[-1] for r in report["results"]}
    assert _expected(case) <= shapes, result.output
    blocking = any(r["severity"] in ("Violation", "Warning") for r in report["results"])
    assert result.exit_code == (1 if blocking else 0), result.output


def test_validate_unreadable_file_exits_2(runner, bundled_store, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e\n", encoding="utf-8")
    result = invoke(runner, bundled_store, "validate", str(bad))
    assert result.exit_code == 2
    assert "bad.ttl" in result.stderr and "line 4" in result.stderr


def test_import_bad_row_exits_2_and_writes_nothing(runner, bundled_store, tmp_path):
    src = (ROOT / "data" / "sources" / "benito-juarez-agreements.csv").read_text(encoding="utf-8").splitlines()
    header, first = src[0], src[1]
    cells = next(csv.reader([first]))
    columns = next(csv.reader([header]))
    cells[columns.index("start_date")] = "31 de febrero"
    bad = tmp_path / "bad.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([columns, cells])
    bad.write_text(buf.getvalue(), encoding="utf-8")
    out = tmp_path / "out.ttl"
    result = invoke(runner, bundled_store, "import", str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert "row" in result.stderr and "start_date" in result.stderr
    assert not out.exists()


def test_export_is_deterministic(runner, bundled_store, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert invoke(runner, bundled_store, "export", "-o", str(a)).exit_code == 0
    assert invoke(runner, bundled_store, "export", "-o", str(b)).exit_code == 0
    for path in sorted(a.iterdir()):
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name


def test_build_pauses_the_collector_and_turns_it_on_again(runner, tmp_path, monkeypatch):
    """The build runs its stages with the cyclic collector off (collector.py), and turns it on again
    when it ends, whether it published a store or failed."""
    import gc

    import paradip_kg.build as build_module
    from paradip_kg.errors import BuildFailed

    seen: list[bool] = []
    infer = build_module.infer_stage

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return infer(*args, **kwargs)

    monkeypatch.setattr(build_module, "infer_stage", watched)
    assert gc.isenabled()
    result = invoke(runner, tmp_path / "store", "build")
    assert result.exit_code == 0, result.output
    assert seen == [False] and gc.isenabled()

    def failing(*args, **kwargs):
        seen.append(gc.isenabled())
        raise BuildFailed("the ontology and data are inconsistent: a test says so")

    monkeypatch.setattr(build_module, "infer_stage", failing)
    result = runner.invoke(cli, ["--store", str(tmp_path / "store"), "--project-dir", str(ROOT), "build", "--force"])
    assert result.exit_code != 0 and "a test says so" in result.output, result.output
    assert seen == [False, False] and gc.isenabled()
