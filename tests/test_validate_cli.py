"""`paradip-kg validate`: exit codes, every report format parsed back, languages, options.

Most tests use small inline shapes (fast); the corpus tests use the project's shapes on
tests/validation_corpus/, whose expected results are listed in its expected.json.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from paradip_kg.cli import cli
from paradip_kg.shacl.engine import meta_validate
from paradip_kg.shacl.inputs import load_shapes
from paradip_kg.shacl.render import CSV_COLUMNS, SUMMARY_VERSION

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "validation_corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .

ex:AgreementShape a sh:NodeShape ;
    sh:targetClass ex:Agreement ;
    sh:name "Acuerdo"@es , "Agreement"@en ;
    sh:property ex:AgreementShape-party , ex:AgreementShape-date , ex:AgreementShape-year , ex:AgreementShape-partner .

ex:AgreementShape-party a sh:PropertyShape ;
    sh:path ex:party ;
    sh:minCount 2 ;
    sh:name "partes"@es , "parties"@en ;
    sh:description "Al menos dos partes."@es , "At least two parties."@en ;
    sh:message "Un acuerdo necesita dos partes."@es , "An agreement needs two parties."@en .

ex:AgreementShape-date a sh:PropertyShape ;
    sh:path ex:signedOn ;
    sh:datatype xsd:date ;
    sh:severity sh:Warning .

ex:AgreementShape-year a sh:PropertyShape ;
    sh:path ex:year ;
    sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:date ] ) .

ex:AgreementShape-partner a sh:PropertyShape ;
    sh:path ex:party ;
    sh:node ex:PartyShape .

ex:PartyShape a sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ;
                  sh:message "La parte no tiene nombre."@es , "The party has no name."@en ] .
"""

DATA = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:good a ex:Agreement ; rdfs:label "Un buen acuerdo"@es ;
    ex:party ex:lyon , ex:cancun ; ex:signedOn "1951-01-01"^^xsd:date ; ex:year "1951"^^xsd:gYear .
ex:lonely a ex:Agreement ; rdfs:label "Acuerdo solitario"@es , "Lonely agreement"@en ;
    ex:party ex:lyon ; ex:signedOn "sometime in 1960" ; ex:year "about 1960" .
ex:nameless a ex:Agreement ;
    ex:party ex:lyon , ex:nobody .
ex:lyon ex:name "Lyon" .
ex:cancun ex:name "Cancún" .
"""
WARNING_ONLY = """\
@prefix ex: <http://example.org/> .
ex:w a ex:Agreement ; ex:party ex:lyon , ex:cancun ; ex:signedOn "sometime" .
ex:lyon ex:name "Lyon" .
ex:cancun ex:name "Cancún" .
"""
CONFORMING = """\
@prefix ex: <http://example.org/> .
ex:ok a ex:Agreement ; ex:party ex:lyon , ex:cancun .
ex:lyon ex:name "Lyon" .
ex:cancun ex:name "Cancún" .
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("shapes.ttl", SHAPES), ("data.ttl", DATA), ("warning.ttl", WARNING_ONLY),
                       ("ok.ttl", CONFORMING)):
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    return out


def validate(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--project-dir", str(ROOT), "validate", *args], catch_exceptions=False)


def with_shapes(files: dict[str, Path], data: str, *args: str) -> Result:
    return validate(str(files[data]), "--shapes", str(files["shapes.ttl"]), *args)


# --- exit codes ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "args", "code"), [
    pytest.param("ok.ttl", (), 0, id="conforms-0"),
    pytest.param("data.ttl", (), 1, id="violations-1"),
    pytest.param("warning.ttl", (), 1, id="warnings-1"),
    pytest.param("warning.ttl", ("--allow-warnings",), 0, id="warnings-allowed-0"),
    pytest.param("data.ttl", ("--allow-warnings",), 1, id="violations-despite-allow-warnings-1"),
])
def test_exit_codes(files, data, args, code):
    result = with_shapes(files, data, *args)
    assert result.exit_code == code, result.output


def test_malformed_file_exits_2_with_file_line_and_column(tmp_path, files):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n", encoding="utf-8")
    result = validate(str(bad), "--shapes", str(files["shapes.ttl"]))
    assert result.exit_code == 2
    assert "broken.ttl, line 3, column" in result.stderr


def test_unknown_extension_exits_2(tmp_path, files):
    odd = tmp_path / "data.txt"
    odd.write_text(CONFORMING, encoding="utf-8")
    result = validate(str(odd), "--shapes", str(files["shapes.ttl"]))
    assert result.exit_code == 2
    assert "--format" in result.stderr or "format" in result.stderr
    assert validate(str(odd), "--format", "turtle", "--shapes", str(files["shapes.ttl"])).exit_code == 0


def test_invalid_shapes_exit_2_with_the_meta_shacl_report(tmp_path, files):
    bad = tmp_path / "bad-shapes.ttl"
    bad.write_text(SHAPES.replace("sh:minCount 2", 'sh:minCount "two"'), encoding="utf-8")
    result = validate(str(files["data.ttl"]), "--shapes", str(bad))
    assert result.exit_code == 2
    assert "not valid SHACL" in result.stderr


def test_project_shapes_pass_meta_shacl():
    """The CLI and the web skip meta-SHACL for the project's shapes: this test is why they may."""
    report = meta_validate(load_shapes([], ROOT))
    assert report.conforms, report.text("en")


# --- every output format, parsed back ------------------------------------------------------------

def _report_graph(text: str, fmt: str) -> Graph:
    graph = Graph().parse(data=text, format=fmt)
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    return graph


@pytest.mark.parametrize("fmt", [pytest.param("turtle", id="turtle"), pytest.param("json-ld", id="jsonld")])
def test_rdf_reports_parse_back(files, fmt):
    result = with_shapes(files, "data.ttl", "-o", "turtle" if fmt == "turtle" else "jsonld")
    assert result.exit_code == 1
    graph = _report_graph(result.stdout, fmt)
    report = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms) == Literal(False)
    top = list(graph.objects(report, SH.result))
    # lonely: minCount, datatype (warning), sh:or; nameless: sh:node
    assert len(top) == 4
    components = {graph.value(r, SH.sourceConstraintComponent) for r in top}
    assert components == {SH.MinCountConstraintComponent, SH.DatatypeConstraintComponent,
                          SH.OrConstraintComponent, SH.NodeConstraintComponent}


def test_turtle_and_jsonld_hold_the_same_report(files):
    from rdflib.compare import isomorphic

    turtle = Graph().parse(data=with_shapes(files, "data.ttl", "-o", "turtle").stdout, format="turtle")
    jsonld = Graph().parse(data=with_shapes(files, "data.ttl", "-o", "jsonld").stdout, format="json-ld")
    assert isomorphic(turtle, jsonld)


def test_json_summary(files):
    result = with_shapes(files, "data.ttl", "-o", "json", "--lang", "en")
    summary = json.loads(result.stdout)
    assert summary["summary_version"] == SUMMARY_VERSION
    assert summary["conforms"] is False and summary["verdict"] == "failure"
    assert summary["counts"] == {"Violation": 3, "Warning": 1, "Info": 0}
    assert summary["total"] == 4 == len(summary["results"])
    assert sum(rule["count"] for rule in summary["rules"]) == 4
    by_component = {r["component"].rsplit("#", 1)[-1]: r for r in summary["results"]}
    lonely = by_component["MinCountConstraintComponent"]
    assert lonely["focus"] == "http://example.org/lonely" and lonely["focus_label"] == "Lonely agreement"
    assert lonely["message"] == "An agreement needs two parties."
    assert lonely["path"] == "<http://example.org/party>"
    datatype = by_component["DatatypeConstraintComponent"]
    assert datatype["severity"] == "Warning"
    assert datatype["value"] == {"type": "literal", "value": "sometime in 1960"}
    assert summary["options"]["engine"].startswith("pySHACL")


def test_json_nests_the_causes_of_sh_node_and_sh_or(files):
    results = json.loads(with_shapes(files, "data.ttl", "-o", "json", "--lang", "en").stdout)["results"]
    by_component = {r["component"].rsplit("#", 1)[-1]: r for r in results}
    node = by_component["NodeConstraintComponent"]
    assert [d["message"] for d in node["details"]] == ["The party has no name."]
    assert node["details"][0]["focus"] == "http://example.org/nobody"
    either = by_component["OrConstraintComponent"]  # pySHACL gives no causes for sh:or: we add them
    assert {d["component"].rsplit("#", 1)[-1] for d in either["details"]} == {"DatatypeConstraintComponent"}
    assert len(either["details"]) == 2
    assert all(d["value"]["value"] == "about 1960" for d in either["details"])


def test_csv_report(files):
    result = with_shapes(files, "data.ttl", "-o", "csv", "--lang", "es")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    top = [r for r in rows if not r["detail_of"]]
    assert len(top) == 4
    assert {r["severity"] for r in top} == {"Violation", "Warning"}
    causes = [r for r in rows if r["detail_of"]]
    assert causes and all(rows[int(r["detail_of"]) - 1]["row"] == r["detail_of"] for r in causes)
    lonely = next(r for r in top if r["constraint_component"].endswith("MinCountConstraintComponent"))
    assert lonely["message"] == "Un acuerdo necesita dos partes."
    assert lonely["description"] == "Al menos dos partes."


def test_table_report(files):
    lines = with_shapes(files, "data.ttl", "-o", "table", "--lang", "en").stdout.splitlines()
    assert lines[0].startswith("Does not conform: 3 violations, 1 warning, 0 infos")
    assert lines[1].split()[:3] == ["severity", "focus", "path"]
    assert set(lines[2]) <= {"-", " "}
    assert len(lines) == 3 + 4


def test_text_report_groups_by_rule_and_by_focus(files):
    text = with_shapes(files, "data.ttl", "--lang", "en").stdout
    assert text.startswith("Does not conform: 3 violations, 1 warning, 0 infos")
    assert "Rules (4)" in text and "Problems by focus node (2)" in text
    assert "<http://example.org/lonely> — Lonely agreement" in text
    assert "cause (<http://example.org/nobody>)" in text


# --- languages -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "message", "generic", "verdict"), [
    pytest.param("es", "Un acuerdo necesita dos partes.", "El valor debe ser un literal bien formado de tipo xsd:date.",
                 "No conforma", id="es"),
    pytest.param("en", "An agreement needs two parties.",
                 "The value must be a well-formed literal of datatype xsd:date.", "Does not conform", id="en"),
])
def test_messages_in_the_chosen_language(files, lang, message, generic, verdict):
    result = with_shapes(files, "data.ttl", "--lang", lang, "-o", "json")
    summary = json.loads(result.stdout)
    messages = {r["message"] for r in summary["results"]}
    assert message in messages
    # A shape without sh:message: the constraint explained in the reader's language.
    assert generic in messages
    assert with_shapes(files, "data.ttl", "--lang", lang).stdout.startswith(verdict)


def test_shape_names_in_the_chosen_language(files):
    es = json.loads(with_shapes(files, "data.ttl", "--lang", "es", "-o", "json").stdout)
    en = json.loads(with_shapes(files, "data.ttl", "--lang", "en", "-o", "json").stdout)
    assert "partes" in {r["shape_name"] for r in es["results"]}
    assert "parties" in {r["shape_name"] for r in en["results"]}


# --- narrowing and inference ---------------------------------------------------------------------

def test_focus_narrows_the_run(files):
    result = with_shapes(files, "data.ttl", "--focus", "http://example.org/nameless", "-o", "json")
    assert {r["focus"] for r in json.loads(result.stdout)["results"]} == {"http://example.org/nameless"}


def test_shape_narrows_the_run(files):
    result = with_shapes(files, "data.ttl", "--shape", "http://example.org/AgreementShape-party", "-o", "json")
    results = json.loads(result.stdout)["results"]
    assert {r["shape"] for r in results} == {"http://example.org/AgreementShape-party"}


PARTY_WITHOUT_TYPE = """\
@prefix pdo: <https://w3id.org/paradip/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Shape a sh:NodeShape ; sh:targetSubjectsOf pdo:hasParty ;
    sh:property [ sh:path pdo:hasParty ; sh:class pdo:Actor ] .
"""


@pytest.mark.parametrize(("inference", "code"), [pytest.param("none", 1, id="none"),
                                                 pytest.param("rdfs", 0, id="rdfs")])
def test_inference_with_the_project_ontology(tmp_path, inference, code):
    """pdo:hasParty has the range pdo:Actor: only with inference is the untyped party an actor."""
    shapes, data = tmp_path / "s.ttl", tmp_path / "d.ttl"
    shapes.write_text(PARTY_WITHOUT_TYPE, encoding="utf-8")
    data.write_text("<http://example.org/a> <https://w3id.org/paradip/ontology#hasParty> <http://example.org/p> .\n",
                    encoding="utf-8")
    result = validate(str(data), "--shapes", str(shapes), "--inference", inference)
    assert result.exit_code == code, result.output


def test_owl_imports_in_the_data_are_not_followed_and_said_so(tmp_path, files):
    data = tmp_path / "imports.ttl"
    data.write_text(CONFORMING + "<http://example.org/doc> <http://www.w3.org/2002/07/owl#imports> "
                    "<http://example.org/elsewhere> .\n", encoding="utf-8")
    result = validate(str(data), "--shapes", str(files["shapes.ttl"]), "--lang", "en")
    assert result.exit_code == 0
    assert "not followed" in result.stdout


# --- the corpus with the project's shapes --------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in sorted(EXPECTED)])
def test_corpus(name):
    path = CORPUS / name
    result = validate(str(path), "-o", "json", "--lang", "en")
    summary = json.loads(result.stdout)
    if name.startswith("valid/"):
        assert result.exit_code == 0, [r["message"] for r in summary["results"]]
        assert summary["total"] == 0
        return
    assert result.exit_code == 1
    found = {(r["shape"].rsplit("#", 1)[-1], r["component"].rsplit("#", 1)[-1]) for r in summary["results"]}
    missing = {tuple(e) for e in EXPECTED[name]["expect"]} - found
    assert not missing, f"expected results not reported: {missing}; got {sorted(found)}"


def test_project_context_makes_specific_types_enough():
    """Harvested data states only pdo:MunicipalGovernment; the ontology says it is a pdo:Actor."""
    path = CORPUS / "valid" / "benito-juarez-wichita.jsonld"
    assert validate(str(path)).exit_code == 0
    alone = validate(str(path), "--no-context", "-o", "json")
    assert alone.exit_code == 1
    components = {r["component"].rsplit("#", 1)[-1] for r in json.loads(alone.stdout)["results"]}
    assert "ClassConstraintComponent" in components


@pytest.mark.parametrize(("lexical", "datatype", "valid"), [
    pytest.param("1985", "gYear", True, id="year"),
    pytest.param("1985Z", "gYear", True, id="year-with-zone"),
    pytest.param("-0045", "gYear", True, id="bce-year"),
    pytest.param("22", "gYear", False, id="two-digit-year"),
    pytest.param("1987-12", "gYearMonth", True, id="year-month"),
    pytest.param("1971-13", "gYearMonth", False, id="thirteenth-month"),
    pytest.param("--12-25", "gMonthDay", True, id="month-day"),
    pytest.param("--02-30x", "gMonthDay", False, id="month-day-junk"),
])
def test_gregorian_literals_are_checked(tmp_path, lexical, datatype, valid):
    """rdflib has no converter for the xsd:g* datatypes: without ours, any text passed sh:datatype."""
    shapes, data = tmp_path / "s.ttl", tmp_path / "d.ttl"
    shapes.write_text(f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetSubjectsOf <http://example.org/p> ;
    sh:property [ sh:path <http://example.org/p> ; sh:datatype <http://www.w3.org/2001/XMLSchema#{datatype}> ] .
""", encoding="utf-8")
    literal = f'"{lexical}"^^<http://www.w3.org/2001/XMLSchema#{datatype}>'
    data.write_text(f"<http://example.org/a> <http://example.org/p> {literal} .\n", encoding="utf-8")
    assert validate(str(data), "--shapes", str(shapes)).exit_code == (0 if valid else 1)


def test_reports_name_the_focus_nodes_with_their_labels():
    result = validate(str(CORPUS / "invalid" / "missing-parties.ttl"), "--lang", "es")
    assert "pdid:agreement/mx-23005--unknown — Hermanamiento sin contraparte" in result.stdout
    assert "Instrumento de vinculación › partes (pdsh:Agreement-hasParty)" in result.stdout
