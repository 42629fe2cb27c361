"""sh:conforms as SHACL defines it, in every output, and the exit code a user chooses (issue 16).

Each case is met as a user meets it: ``paradip-kg validate`` in a process of its own, and
``POST /validate`` on the app, with the same files, and the two must agree. SHACL 3.6.1:
``sh:conforms`` is true only when the report has no result at all. pyshacl (``allow_infos``)
judged it by the focus shape's severity instead, so a report said ``sh:conforms true`` beside a
``sh:Violation``; a custom severity passed as "Conforms", exit 0. Whether the run fails is the
user's choice (``--fail-on violation|warning|info``, ``fail_on=`` on the web).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH

from support.apps import Apps
from support.paths import ROOT

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""
# The node shape says sh:Info; its property shape (default severity: sh:Violation) fails.
INFO_NODE_SHAPES = PREFIXES + """
ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:severity sh:Info ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ] .
"""
CUSTOM_SHAPES = PREFIXES + """
ex:S a sh:NodeShape ; sh:targetNode ex:x ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity ex:Grave ] .
"""
INFO_SHAPES = PREFIXES + """
ex:S a sh:NodeShape ; sh:targetNode ex:x ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Info ] .
"""
WARNING_SHAPES = INFO_SHAPES.replace("sh:Info", "sh:Warning")
# A path node that is a list and says sh:inversePath too: SHACL reads it as the sequence path
# (W3C core/path/path-strange-002); SHACL-for-SHACL alone would refuse it.
STRANGE_PATH_SHAPES = PREFIXES + """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:S a sh:PropertyShape ; sh:targetNode ex:x ;
  sh:path [ rdf:first ex:p ; rdf:rest [ rdf:first ex:q ; rdf:rest rdf:nil ] ; sh:inversePath ( ex:p ) ] ;
  sh:minCount 1 .
"""
IMPORTING_SHAPES = INFO_SHAPES + ("<http://example.org/shapes> <http://www.w3.org/2002/07/owl#imports> "
                                  "<http://127.0.0.1:9/more> .\n")
DATA = "<http://example.org/x> <http://example.org/name> \"x\" .\n"


def cli(tmp_path: Path, shapes: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "shapes.ttl").write_text(shapes, encoding="utf-8")
    (tmp_path / "data.nt").write_text(DATA, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "paradip_kg", "--project-dir", str(ROOT), "validate",
                           "--shapes", "shapes.ttl", "data.nt", "--lang", "en", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)


def stated_conforms(turtle: str) -> list[bool]:
    graph = Graph().parse(data=turtle, format="turtle")
    return [bool(o.toPython()) for o in graph.objects(None, SH.conforms) if isinstance(o, Literal)]


@pytest.fixture
def client(tmp_path: Path):
    apps = Apps(store=tmp_path / "no-store", project_dir=str(ROOT), validation_reports_dir=str(tmp_path / "r"))
    yield apps().test_client()
    apps.close()


def web(client, shapes: str, accept: str, **fields: str):
    return client.post("/validate", data={"data": (io.BytesIO(DATA.encode()), "data.nt"),
                                          "shapes": (io.BytesIO(shapes.encode()), "shapes.ttl"), "lang": "en",
                                          **fields},
                       content_type="multipart/form-data", headers={"Accept": accept})


@pytest.mark.parametrize("shapes", [
    pytest.param(INFO_NODE_SHAPES, id="violation-under-an-info-node-shape"),
    pytest.param(CUSTOM_SHAPES, id="custom-severity"),
    pytest.param(INFO_SHAPES, id="only-an-info"),
])
def test_every_output_says_sh_conforms_false_when_there_is_a_result(tmp_path: Path, client, shapes: str) -> None:
    turtle = cli(tmp_path, shapes, "-o", "turtle")
    assert turtle.returncode in (0, 1), turtle.stderr
    assert stated_conforms(turtle.stdout) == [False]
    summary = json.loads(cli(tmp_path, shapes, "-o", "json").stdout)
    assert summary["conforms"] is False and summary["total"] == 1
    on_web = web(client, shapes, "text/turtle")
    assert on_web.status_code == 200, on_web.get_data(as_text=True)
    assert stated_conforms(on_web.get_data(as_text=True)) == [False]
    assert on_web.headers["X-Paradip-Conforms"] == "false"
    web_summary = web(client, shapes, "application/json").get_json()
    assert (web_summary["conforms"], web_summary["passes"]) == (summary["conforms"], summary["passes"])


def test_no_result_is_sh_conforms_true(tmp_path: Path, client) -> None:
    shapes = INFO_SHAPES.replace("ex:p ;", "ex:name ;")
    assert stated_conforms(cli(tmp_path, shapes, "-o", "turtle").stdout) == [True]
    assert stated_conforms(web(client, shapes, "text/turtle").get_data(as_text=True)) == [True]


@pytest.mark.parametrize(("shapes", "fail_on", "code"), [
    pytest.param(INFO_NODE_SHAPES, None, 1, id="violation-fails-by-default"),
    pytest.param(INFO_NODE_SHAPES, "violation", 1, id="violation-fails-on-violation"),
    pytest.param(CUSTOM_SHAPES, None, 1, id="custom-severity-fails-by-default"),
    pytest.param(CUSTOM_SHAPES, "violation", 1, id="custom-severity-fails-at-every-level"),
    pytest.param(WARNING_SHAPES, None, 1, id="warning-fails-by-default-as-the-build"),
    pytest.param(WARNING_SHAPES, "violation", 0, id="warning-passes-on-violation"),
    pytest.param(INFO_SHAPES, None, 0, id="info-passes-by-default"),
    pytest.param(INFO_SHAPES, "warning", 0, id="info-passes-on-warning"),
    pytest.param(INFO_SHAPES, "info", 1, id="info-fails-on-info"),
])
def test_fail_on_sets_the_exit_code_and_the_web_agrees(tmp_path: Path, client, shapes: str, fail_on: str | None,
                                                       code: int) -> None:
    args = ("--fail-on", fail_on) if fail_on else ()
    result = cli(tmp_path, shapes, "-o", "json", *args)
    assert result.returncode == code, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert summary["passes"] is (code == 0)
    assert summary["options"]["fail_on"] == (fail_on or "warning")
    fields = {"fail_on": fail_on} if fail_on else {}
    on_web = web(client, shapes, "application/json", **fields).get_json()
    assert on_web["passes"] is (code == 0) and on_web["verdict"] == summary["verdict"]


def test_a_custom_severity_is_counted_by_its_name(tmp_path: Path) -> None:
    result = cli(tmp_path, CUSTOM_SHAPES)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "Does not conform: 0 violations, 0 warnings, 0 infos, 1 Grave"


def test_an_unknown_fail_on_is_refused(tmp_path: Path, client) -> None:
    assert cli(tmp_path, INFO_SHAPES, "--fail-on", "grave").returncode == 2
    assert cli(tmp_path, INFO_SHAPES, "--allow-warnings", "--fail-on", "info").returncode == 2
    response = web(client, INFO_SHAPES, "application/json", fail_on="grave")
    assert response.status_code == 400 and "fail_on" in response.get_json()["message"]


def test_a_path_the_spec_reads_as_a_sequence_is_not_refused(tmp_path: Path, client) -> None:
    result = cli(tmp_path, STRANGE_PATH_SHAPES, "-o", "json")
    assert result.returncode == 1, result.stderr  # validated: ex:x has no ex:p/ex:q value
    summary = json.loads(result.stdout)
    assert [(r["component"], r["path"]) for r in summary["results"]] == [
        (str(SH.MinCountConstraintComponent), "<http://example.org/p>/<http://example.org/q>")]
    on_web = web(client, STRANGE_PATH_SHAPES, "application/json")
    assert on_web.status_code == 200, on_web.get_data(as_text=True)
    assert on_web.get_json()["total"] == 1


def test_owl_imports_in_the_shapes_are_not_followed_the_same_way_on_cli_and_web(tmp_path: Path, client) -> None:
    summary = json.loads(cli(tmp_path, IMPORTING_SHAPES, "-o", "json").stdout)
    on_web = web(client, IMPORTING_SHAPES, "application/json")
    assert on_web.status_code == 200, on_web.get_data(as_text=True)
    said = [n for n in summary["notices"] if "owl:imports" in n]
    assert said and "not followed" in said[0]
    assert [n for n in on_web.get_json()["notices"] if "owl:imports" in n] == said
    assert on_web.get_json()["total"] == summary["total"] == 1


# Prefixes declared on an ontology that the sh:prefixes node owl:imports (SHACL 5.2.1; W3C
# sparql/node/prefixes-001): pyshacl read only the node's own sh:declare, and the query failed
# with "Unknown namespace prefix" (a traceback, a 500) once the file's @prefix lines were not
# bound to the graph, as a strict parse does not.
IMPORTED_PREFIX_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/onto> sh:declare [ sh:prefix "zz" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
<http://example.org/prefixes> owl:imports <http://example.org/onto> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ;
  sh:sparql [ sh:prefixes <http://example.org/prefixes> ;
              sh:select "SELECT $this WHERE { $this zz:name ?n }" ] .
"""
SHAPES_GRAPH_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ;
  sh:sparql [ sh:select "SELECT $this WHERE { GRAPH $shapesGraph { ?s ?p ?o } }" ] .
"""


def test_prefixes_of_an_imported_ontology_of_the_same_graph_are_used(tmp_path: Path, client) -> None:
    result = cli(tmp_path, IMPORTED_PREFIX_SHAPES, "-o", "json")
    assert result.returncode == 1, result.stderr  # the query ran: ex:x has a zz:name
    assert json.loads(result.stdout)["total"] == 1
    on_web = web(client, IMPORTED_PREFIX_SHAPES, "application/json")
    assert on_web.status_code == 200 and on_web.get_json()["total"] == 1, on_web.get_data(as_text=True)


def test_shapes_pyshacl_cannot_run_are_exit_2_and_400(tmp_path: Path, client) -> None:
    result = cli(tmp_path, SHAPES_GRAPH_SHAPES)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "the shapes cannot be used" in result.stderr
    on_web = web(client, SHAPES_GRAPH_SHAPES, "application/json")
    assert on_web.status_code == 400, on_web.get_data(as_text=True)
