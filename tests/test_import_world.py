"""Any municipality, anywhere (issue 15): the reference gazetteer and the import of tables beyond Mexico."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, RDFS, SDO

from paradip_kg.cli import cli
from paradip_kg.errors import ImportTableError
from paradip_kg.importer import gazetteer
from paradip_kg.importer.table import import_table, load_tables
from paradip_kg.namespaces import ID, PDO, VOCAB
from paradip_kg.rdf.parse import parse_file

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SOURCE = ID["source/"]

# INEGI CVE_ENT of the states named in the project's verified facts (domain facts §3 and §0.10),
# by ISO 3166-2 code, written out by hand.
VERIFIED = {"MX-BCN": "02", "MX-CHP": "07", "MX-CMX": "09", "MX-GRO": "12", "MX-JAL": "14", "MX-MEX": "15",
            "MX-OAX": "20", "MX-PUE": "21", "MX-QUE": "22", "MX-ROO": "23", "MX-SON": "26", "MX-TLA": "29",
            "MX-VER": "30", "MX-YUC": "31", "MX-ZAC": "32"}


def write(folder: Path, rows: list[dict[str, str]], name: str = "table.csv") -> Path:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
    return path


WICHITA = {"source_row": "1", "reporting_country": "US", "reporting_name": "Wichita", "reporting_admin_area": "Kansas",
           "kind": "hermanamiento", "partner_name": "Orléans", "partner_country": "FR", "start_date": "1985",
           "source": "essay"}


# --- The gazetteer --------------------------------------------------------------------------

def test_committed_gazetteer_is_what_the_generator_gives():
    assert (DATA / "gazetteer.ttl").read_text(encoding="utf-8") == gazetteer.turtle()


def test_inegi_rule_gives_the_verified_codes():
    codes = {s.iso: s.inegi for s in gazetteer.mexican_states()}
    assert len(codes) == 32 and sorted(codes.values()) == [f"{n:02d}" for n in range(1, 33)]
    assert {iso: codes[iso] for iso in VERIFIED} == VERIFIED
    assert codes["MX-NLE"] == "19"  # the brief's id/state/mx-19


def test_every_country_and_state_has_labels_and_a_source():
    graph = Graph()
    parse_file(DATA / "gazetteer.ttl", into=graph)
    countries = set(graph.subjects(RDF.type, PDO.Country))
    states = set(graph.subjects(RDF.type, PDO.State))
    assert len(countries) == 249 and len(states) == 32
    for node in countries | states:
        assert {lit.language for lit in graph.objects(node, RDFS.label)} == {"es", "en"}, node
        assert (node, PROV.wasDerivedFrom, SOURCE + "iso-3166-pycountry") in graph
    assert (ID["country/FR"], RDFS.label, Literal("Francia", lang="es")) in graph
    assert (ID["state/mx-19"], RDFS.label, Literal("Nuevo León", lang="es")) in graph
    assert (ID["state/mx-15"], RDFS.label, Literal("State of Mexico", lang="en")) in graph


# --- Tables beyond Mexico -------------------------------------------------------------------

def test_a_reporting_government_outside_mexico(tmp_path):
    rows = [WICHITA, {**WICHITA, "source_row": "2", "partner_name": "Pharr", "partner_country": "US",
                      "partner_admin_area": "Texas", "start_date": "2001"}]
    graph = import_table(write(tmp_path, rows), DATA)
    wichita = ID["government/us-wichita"]
    orleans = ID["agreement/us-wichita--fr-orleans"]
    assert (orleans, PDO.hasParty, wichita) in graph
    assert (orleans, PDO.scope, VOCAB["scope/international"]) in graph
    assert (ID["agreement/us-wichita--us-pharr"], PDO.scope, VOCAB["scope/national"]) in graph
    assert (wichita, PDO.hasSeat, ID["locality/us-wichita"]) in graph
    assert (ID["locality/us-wichita"], PDO.locatedIn, ID["state/us-kansas"]) in graph
    assert (ID["state/us-kansas"], PDO.locatedIn, ID["country/US"]) in graph
    assert (wichita, RDFS.label, Literal("Municipal government of Wichita", lang="en")) in graph


@pytest.mark.parametrize("change, column", [
    pytest.param({"reporting_country": "", "reporting_admin_area": ""}, "reporting_cvegeo",
                 id="mexican-without-cvegeo"),
    pytest.param({"reporting_cvegeo": "23005"}, "reporting_cvegeo", id="cvegeo-abroad"),
    pytest.param({"reporting_country": "XX"}, "reporting_country", id="unknown-country"),
    pytest.param({"reporting_country": "MX", "reporting_cvegeo": "23005"}, "reporting_admin_area",
                 id="admin-area-for-a-mexican-reporter"),
])
def test_reporting_columns_are_checked(tmp_path, change, column):
    with pytest.raises(ImportTableError) as caught:
        import_table(write(tmp_path, [{**WICHITA, **change}]), DATA)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, column)]


def test_partners_the_old_reference_data_lacked(tmp_path):
    # France and Nuevo León were not in the seven countries and ten states written by hand.
    rows = [{**WICHITA, "reporting_country": "", "reporting_admin_area": "", "reporting_cvegeo": "23005",
             "reporting_name": "Benito Juárez", "partner_name": "Orléans", "start_date": "2000"},
            {**WICHITA, "source_row": "2", "reporting_country": "", "reporting_admin_area": "",
             "reporting_cvegeo": "23005", "reporting_name": "Benito Juárez", "partner_name": "Monterrey",
             "partner_country": "MX", "partner_admin_area": "Nuevo León", "partner_cvegeo": "19039",
             "start_date": "2001"}]
    graph = import_table(write(tmp_path, rows), DATA)
    assert (ID["locality/fr-orleans"], PDO.locatedIn, ID["country/FR"]) in graph
    assert (ID["municipality/mx-19039"], PDO.locatedIn, ID["state/mx-19"]) in graph
    assert (ID["municipality/mx-19039"], RDFS.label, Literal("Municipio de Monterrey (Nuevo León)", lang="es")) in graph


def test_every_bad_row_in_one_run(tmp_path):
    rows = [WICHITA,
            {**WICHITA, "source_row": "2", "partner_country": "XX", "partner_name": "Nowhere"},
            {**WICHITA, "source_row": "3", "partner_name": "Hangzhou", "partner_country": "CN", "start_date": "20x"},
            {**WICHITA, "source_row": "4", "partner_name": "Sanya", "partner_country": "CN", "source": "nowhere"},
            {**WICHITA, "source_row": "5", "partner_name": "Tijuana", "partner_country": "MX"}]
    path = write(tmp_path, rows)
    with pytest.raises(ImportTableError) as caught:
        import_table(path, DATA)
    found = [(e.source, e.row, e.column) for e in caught.value.errors]
    assert found == [(str(path), 3, "partner_country"), (str(path), 4, "start_date"), (str(path), 5, "source"),
                     (str(path), 6, "partner_cvegeo")]
    assert str(caught.value).startswith("4 bad rows, nothing imported:")
    # and on the command line: exit 2, each row named, nothing written
    out = tmp_path / "out.ttl"
    result = CliRunner().invoke(cli, ["--project-dir", str(REPO), "import", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    for row in ("row 3, column 'partner_country'", "row 4, column 'start_date'", "row 5, column 'source'",
                "row 6, column 'partner_cvegeo'"):
        assert row in result.output
    assert not out.exists()


def test_bad_rows_of_several_tables_at_once(tmp_path):
    write(tmp_path, [{**WICHITA, "partner_country": "XX"}], "a.csv")
    write(tmp_path, [{**WICHITA, "reporting_name": "Sanya", "reporting_country": "CN", "reporting_admin_area": "",
                      "start_date": "dicembre"}], "b.csv")
    with pytest.raises(ImportTableError) as caught:
        load_tables(tmp_path, DATA)
    assert [(Path(e.source).name, e.row, e.column) for e in caught.value.errors] == [
        ("a.csv", 2, "partner_country"), ("b.csv", 2, "start_date")]


def test_header_problems_all_at_once(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("source_row,colour,kind,kind\n1,red,hermanamiento,hermanamiento\n", encoding="utf-8")
    with pytest.raises(ImportTableError) as caught:
        import_table(path, DATA)
    columns = [e.column for e in caught.value.errors]
    assert columns[:2] == ["colour", "kind"] and {"reporting_name", "partner_name", "source"} <= set(columns)


def test_sources_per_partner_statement(tmp_path):
    row = {**WICHITA, "reporting_country": "", "reporting_admin_area": "", "reporting_cvegeo": "23005",
           "reporting_name": "Benito Juárez", "partner_name": "Punta del Este", "partner_country": "UY",
           "partner_admin_area": "Maldonado", "source_text": "Punta del Este, Uruguay",
           "partner_locality_wikidata": "Q56069", "partner_place_sources": "tripomatic-punta-del-este",
           "partner_link_sources": "wikidata-sister-cities-2016"}
    graph = import_table(write(tmp_path, [row]), DATA)
    maldonado, city = ID["state/uy-maldonado"], ID["locality/uy-punta-del-este"]
    assert set(graph.objects(maldonado, PROV.wasDerivedFrom)) == {SOURCE + "tripomatic-punta-del-este"}
    assert SOURCE + "wikidata-sister-cities-2016" in set(graph.objects(city, PROV.wasDerivedFrom))
    government = ID["government/uy-punta-del-este"]
    assert SOURCE + "wikidata-sister-cities-2016" not in set(graph.objects(government, PROV.wasDerivedFrom))


def test_import_output_validates_on_its_own(tmp_path):
    rows = [WICHITA, {**WICHITA, "source_row": "2", "partner_name": "Monterrey", "partner_country": "MX",
                      "partner_admin_area": "Nuevo León", "partner_cvegeo": "19039", "start_date": "1990"}]
    table, out, bare = write(tmp_path, rows), tmp_path / "out.ttl", tmp_path / "bare.ttl"
    runner = CliRunner()
    assert runner.invoke(cli, ["--project-dir", str(REPO), "import", str(table), "-o", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["--project-dir", str(REPO), "validate", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms")
    # without the reference data the sources are missing, and validate says so
    assert runner.invoke(cli, ["--project-dir", str(REPO), "import", str(table), "--no-reference",
                               "-o", str(bare)]).exit_code == 0
    result = runner.invoke(cli, ["--project-dir", str(REPO), "validate", str(bare), "--lang", "en"])
    assert result.exit_code == 1 and "The source is missing" in result.output


def test_tabla_1_sources_land_on_the_statements_they_support():
    graph = import_table(DATA / "sources" / "benito-juarez-agreements.csv", DATA)
    crawl = SOURCE + "wikidata-sister-cities-2016"
    assert set(graph.objects(ID["state/uy-maldonado"], PROV.wasDerivedFrom)) == {SOURCE + "tripomatic-punta-del-este"}
    assert not any((g, PROV.wasDerivedFrom, crawl) in graph for g in graph.subjects(RDF.type, PDO.MunicipalGovernment))
    linked = {s for s in graph.subjects(PROV.wasDerivedFrom, crawl)}
    assert linked and all((s, None, None) in graph and next(graph.objects(s, SDO.sameAs), None) is not None
                          for s in linked)  # the crawl only where a QID is
