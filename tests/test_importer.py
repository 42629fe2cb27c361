"""The CSV import of agreement tables, and the instance data of data/*.ttl."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, XSD

from paradip_kg.errors import ImportRowError
from paradip_kg.importer.columns import COLUMNS, slug
from paradip_kg.importer.dates import parse_date
from paradip_kg.importer.table import import_table, load_tables
from paradip_kg.namespaces import ID, PDO, VOCAB
from paradip_kg.rdf.parse import parse_file
from paradip_kg.rdf.serialize import ntriples_sorted

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SOURCES = DATA / "sources"
AGREEMENTS = SOURCES / "benito-juarez-agreements.csv"
PUBLISHED = SOURCES / "tabla1-benito-juarez-2022.csv"
BJ = ID["government/mx-23005"]


@pytest.fixture(scope="module")
def bj() -> Graph:
    return import_table(AGREEMENTS, DATA)


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for path in sorted(DATA.glob("*.ttl")):
        parse_file(path, into=graph)
    return graph


def agreements(graph: Graph) -> list[URIRef]:
    return sorted(a for a in graph.subjects(PDO.tableRow, None) if isinstance(a, URIRef))


def by_row(graph: Graph, row: int) -> URIRef:
    found = list(graph.subjects(PDO.tableRow, Literal(row, datatype=XSD.integer)))
    assert len(found) == 1
    return found[0]


def partner(graph: Graph, agreement: URIRef) -> URIRef:
    (other,) = [p for p in graph.objects(agreement, PDO.hasParty) if p != BJ]
    return other


# --- The published table and its transcription ----------------------------------------------

def test_published_table_is_verbatim():
    with PUBLISHED.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["No.", "Nombre", "Año"]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 20)]
    assert rows[2][1] == "Mar de Plata, Buenos Aires (Arg)"
    assert rows[4] == ["4", "Oaxaca de Juárez, Oaxaca (Mex)", "desde diciembre de 1993"]
    assert rows[9][1] == "Tijuana, Baja California Norte (Mex)"
    assert all(r[2].startswith("desde ") for r in rows[1:])


def test_nineteen_agreements(bj):
    found = agreements(bj)
    assert len(found) == 19
    assert all((a, RDF.type, PDO.SisterCityAgreement) in bj for a in found)
    assert sorted(int(bj.value(a, PDO.tableRow)) for a in found) == list(range(1, 20))
    assert all((a, PDO.hasParty, BJ) in bj for a in found)
    assert len(set(bj.objects(BJ, PDO.twinnedWith))) == 19


def test_national_and_international(bj):
    scopes = Counter(bj.value(a, PDO.scope) for a in agreements(bj))
    assert scopes == {VOCAB["scope/national"]: 10, VOCAB["scope/international"]: 9}


def test_partner_countries(bj, data):
    merged = data + bj  # a Mexican city reaches its state in the import; the state's country is reference data
    countries: Counter[str] = Counter()
    for agreement in agreements(bj):
        seat = bj.value(partner(bj, agreement), PDO.hasSeat)
        (country,) = [p for p in merged.transitive_objects(seat, PDO.locatedIn) if (p, RDF.type, PDO.Country) in merged]
        countries[str(merged.value(country, PDO.isoCountryCode))] += 1
    assert countries == {"MX": 10, "US": 3, "CN": 2, "AR": 1, "UY": 1, "ES": 1, "GT": 1}


def test_dates_keep_the_published_precision(bj):
    wichita = ID["agreement/mx-23005--us-wichita"]
    assert by_row(bj, 1) == wichita
    assert list(bj.objects(wichita, PDO.startDate)) == [Literal("1985", datatype=XSD.gYear)]
    assert bj.value(by_row(bj, 4), PDO.startDate) == Literal("1993-12", datatype=XSD.gYearMonth)
    for row, key in ((18, "mx-23005--mx-02001"), (19, "mx-23005--mx-31050")):  # Ensenada, Mérida
        agreement = by_row(bj, row)
        assert agreement == ID[f"agreement/{key}"]
        assert bj.value(agreement, PDO.startDate) == Literal("2021-12", datatype=XSD.gYearMonth)
        assert bj.value(agreement, PDO.approvalDate) == Literal("2021-12-17", datatype=XSD.date)
        assert ID["source/almomento-952489"] in set(bj.objects(agreement, PROV.wasDerivedFrom))
    tuxtla = by_row(bj, 16)
    assert bj.value(tuxtla, PDO.startDate) == Literal("2017-08", datatype=XSD.gYearMonth)
    assert bj.value(tuxtla, PDO.approvalDate) == Literal("2017-06-30", datatype=XSD.date)


def test_labels_and_corrections(bj):
    wichita = ID["agreement/mx-23005--us-wichita"]
    assert Literal("Hermanamiento Benito Juárez – Wichita", lang="es") in set(bj.objects(wichita, RDFS.label))
    assert Literal("Benito Juárez – Wichita twinning", lang="en") in set(bj.objects(wichita, RDFS.label))
    wichita_government = ID["government/us-wichita"]
    assert Literal("Gobierno municipal de Wichita", lang="es") in set(bj.objects(wichita_government, RDFS.label))
    mdp = ID["locality/ar-mar-del-plata"]
    assert bj.value(mdp, PDO.sourceLabel) == Literal("Mar de Plata", lang="es")
    assert bj.value(by_row(bj, 2), PDO.sourceLabel) == Literal("Mar de Plata, Buenos Aires (Arg)", lang="es")
    assert (mdp, PDO.locatedIn, ID["state/ar-buenos-aires"]) in bj
    assert (ID["state/ar-buenos-aires"], PDO.locatedIn, ID["country/AR"]) in bj
    # The state is shared by Tijuana and Ensenada: the published wording is the row's, not the state's.
    assert bj.value(ID["state/mx-02"], PDO.sourceLabel) is None
    assert "Baja California Norte" in str(bj.value(by_row(bj, 9), PDO.sourceLabel))


def test_mexican_partners_have_territory_and_codes(bj):
    tijuana = ID["municipality/mx-02004"]
    assert (tijuana, RDF.type, PDO.Municipality) in bj
    assert bj.value(tijuana, PDO.inegiCode) == Literal("02004")
    assert (tijuana, PDO.locatedIn, ID["state/mx-02"]) in bj
    assert (ID["government/mx-02004"], PDO.governs, tijuana) in bj
    assert (ID["locality/mx-tijuana"], PDO.locatedIn, tijuana) in bj
    assert (ID["municipality/mx-15110"], PDO.locatedIn, ID["state/mx-15"]) in bj
    # Benito Juárez itself is reference data: the import links to it without describing it again
    assert (BJ, RDFS.label, None) not in bj


def test_only_verified_wikidata_links(bj):
    wd = "http://www.wikidata.org/entity/"
    linked = {str(o).removeprefix(wd) for o in bj.objects(None, SDO.sameAs)}
    assert linked == {"Q49266", "Q52607", "Q56069", "Q943431", "Q155277", "Q1846761", "Q212773", "Q125293",
                      "Q990095", "Q7689585", "Q4970", "Q982364", "Q319804", "Q173121"}


def test_import_is_deterministic(bj):
    again = import_table(AGREEMENTS, DATA)
    assert isomorphic(bj, again)
    assert ntriples_sorted(bj) == ntriples_sorted(again)


def test_load_tables_imports_the_folder(bj):
    folder = load_tables(SOURCES)
    assert all(triple in folder for triple in bj)
    assert len(agreements(folder)) >= 19


def test_every_imported_thing_has_labels_and_provenance(bj, data):
    for subject in set(bj.subjects(RDF.type, None)):
        langs = {lit.language for lit in bj.objects(subject, RDFS.label)}
        assert {"es", "en"} <= langs, subject
        assert (subject, PROV.wasDerivedFrom, None) in bj, subject
        for source in bj.objects(subject, PROV.wasDerivedFrom):
            assert (source, RDF.type, PDO.SourceDocument) in data, source


# --- Dates and keys -------------------------------------------------------------------------

@pytest.mark.parametrize("text, lexical, datatype", [
    pytest.param("1985", "1985", XSD.gYear, id="year"),
    pytest.param("desde 1985", "1985", XSD.gYear, id="desde-year"),
    pytest.param("1987-12", "1987-12", XSD.gYearMonth, id="iso-month"),
    pytest.param("diciembre 1987", "1987-12", XSD.gYearMonth, id="spanish-month"),
    pytest.param("desde diciembre de 1993", "1993-12", XSD.gYearMonth, id="desde-month-de"),
    pytest.param("Desde  Febrero 2001", "2001-02", XSD.gYearMonth, id="case-and-spaces"),
    pytest.param("2021-12-17", "2021-12-17", XSD.date, id="iso-date"),
    pytest.param("17 de diciembre de 2021", "2021-12-17", XSD.date, id="spanish-date"),
    pytest.param("setiembre 2005", "2005-09", XSD.gYearMonth, id="setiembre"),
])
def test_parse_date(text, lexical, datatype):
    assert parse_date(text) == Literal(lexical, datatype=datatype)


@pytest.mark.parametrize("text", ["", "85", "2021-13", "2021-02-30", "decembre 2021", "31 de 2021", "diciembre"])
def test_parse_date_refuses(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize("text, key", [
    ("Mérida", "merida"), ("Puebla de los Ángeles", "puebla-de-los-angeles"), ("Mar del Plata", "mar-del-plata"),
    ("  San Pedro  Tlaquepaque ", "san-pedro-tlaquepaque"), ("La Antigua, Guatemala", "la-antigua-guatemala"),
])
def test_slug(text, key):
    assert slug(text) == key


# --- Bad rows -------------------------------------------------------------------------------

GOOD = {
    "source_row": "1", "reporting_cvegeo": "23005", "reporting_name": "Benito Juárez", "kind": "hermanamiento",
    "partner_name": "Wichita", "partner_country": "US", "partner_admin_area": "Kansas", "start_date": "1985",
    "source": "essay",
}
MEXICAN = {**GOOD, "partner_name": "Tijuana", "partner_country": "MX", "partner_admin_area": "Baja California",
           "partner_cvegeo": "02004"}


def write_table(folder: Path, rows: list[dict[str, str]], name: str = "agreements.csv",
                columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(c for row in rows for c in row))
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def published(folder: Path) -> None:
    (folder / "tabla.csv").write_text('"No.","Nombre","Año"\n"1","Wichita, Kansas (EE.UU)","desde 1985"\n'
                                      '"2","Tijuana, Baja California Norte (Mex)","desde mayo 2003"\n',
                                      encoding="utf-8")


def test_small_good_table_imports(tmp_path):
    published(tmp_path)
    rows = [{**GOOD, "source_table": "tabla.csv", "source_text": "Wichita, Kansas (EE.UU)", "date_text": "desde 1985"},
            {**MEXICAN, "source_row": "2", "source_table": "tabla.csv",
             "partner_admin_area_source": "Baja California Norte",
             "source_text": "Tijuana, Baja California Norte (Mex)", "date_text": "desde mayo 2003",
             "start_date": "mayo 2003"}]
    graph = import_table(write_table(tmp_path, rows), DATA)
    assert len(agreements(graph)) == 2
    assert graph.value(ID["agreement/mx-23005--mx-02004"], PDO.startDate) == Literal("2003-05", datatype=XSD.gYearMonth)


BAD_ROWS = [
    pytest.param({"start_date": "diciembre del 20x"}, "start_date", id="bad-date"),
    pytest.param({"start_date": "decembre 2021"}, "start_date", id="not-a-spanish-month"),
    pytest.param({"start_date": "2021-02-30"}, "start_date", id="not-a-calendar-date"),
    pytest.param({"partner_country": "ZZ"}, "partner_country", id="unknown-country"),
    pytest.param({"partner_country": "us"}, "partner_country", id="lower-case-country"),
    pytest.param({**MEXICAN, "partner_cvegeo": "2004"}, "partner_cvegeo", id="cvegeo-not-5-digits"),
    pytest.param({"reporting_cvegeo": "230051"}, "reporting_cvegeo", id="reporting-cvegeo-not-5-digits"),
    pytest.param({**MEXICAN, "partner_cvegeo": "15110"}, "partner_cvegeo", id="cvegeo-not-of-the-state"),
    pytest.param({**MEXICAN, "partner_cvegeo": "99004", "partner_admin_area": ""}, "partner_cvegeo",
                 id="cvegeo-of-no-state"),
    pytest.param({**MEXICAN, "partner_cvegeo": ""}, "partner_cvegeo", id="mexican-partner-without-cvegeo"),
    pytest.param({**MEXICAN, "partner_admin_area": "Baja California Norte"}, "partner_admin_area",
                 id="unknown-mexican-state"),
    pytest.param({**MEXICAN, "partner_admin_area": "Baja California Sur"}, "partner_cvegeo",
                 id="cvegeo-not-of-the-named-state"),
    pytest.param({"partner_cvegeo": "02004"}, "partner_cvegeo", id="cvegeo-abroad"),
    pytest.param({"source_row": "1", "source_table": "tabla.csv", "source_text": "Wichita, Kansas (USA)"},
                 "source_text", id="source-text-not-published"),
    pytest.param({"source_table": "tabla.csv"}, "source_text", id="source-table-without-source-text"),
    pytest.param({"source_row": "1", "source_table": "tabla.csv", "source_text": "Wichita, Kansas (EE.UU)",
                  "date_text": "desde 1986", "start_date": "1986"}, "date_text", id="date-text-not-published"),
    pytest.param({"source_table": "missing.csv", "source_text": "Wichita, Kansas (EE.UU)"}, "source_table",
                 id="published-table-missing"),
    pytest.param({"source_table": "../tabla.csv", "source_text": "Wichita, Kansas (EE.UU)"}, "source_table",
                 id="published-table-elsewhere"),
    pytest.param({"source_row": "7", "source_table": "tabla.csv", "source_text": "Wichita, Kansas (EE.UU)"},
                 "source_row", id="row-not-in-published-table"),
    pytest.param({"date_text": "desde diciembre 1985"}, "date_text", id="date-text-disagrees"),
    pytest.param({"source": "nowhere"}, "source", id="unknown-source"),
    pytest.param({"kind": "amistad"}, "kind", id="unknown-kind"),
    pytest.param({**MEXICAN, "kind": "acuerdo-interinstitucional"}, "kind", id="international-kind-in-mexico"),
    pytest.param({"partner_name": ""}, "partner_name", id="empty-required-value"),
    pytest.param({"partner_name": "杭州"}, "partner_name", id="name-without-latin-letters"),
    pytest.param({"source_row": "0"}, "source_row", id="row-not-positive"),
    pytest.param({"source_row": "10"}, "source_row", id="duplicate-row"),
    pytest.param({"partner_name": "Pharr", "partner_admin_area": "Texas"}, "partner_name", id="duplicate-agreement"),
    pytest.param({"approval_date": "2021-12"}, "approval_date", id="approval-not-a-full-date"),
    pytest.param({"approval_date": "2021-12-17"}, "approval_source", id="approval-without-source"),
    pytest.param({"partner_locality_wikidata": "49266"}, "partner_locality_wikidata", id="bad-qid"),
    pytest.param({"partner_sources": "x"},
                 "partner_sources", id="unknown-partner-source"),
    pytest.param({"source_text": "Wichita, Kansas (EE.UU)", "partner_admin_area_source": "Kansas Norte"},
                 "partner_admin_area_source", id="admin-area-wording-not-in-the-row"),
    pytest.param({"source_text": "Wichita (EE.UU)"}, "partner_sources", id="admin-area-without-its-source"),
]


@pytest.mark.parametrize("change, column", BAD_ROWS)
def test_bad_row_names_file_row_and_column(tmp_path, change, column):
    published(tmp_path)
    first = {**GOOD, "source_row": "10", "partner_name": "Pharr", "partner_admin_area": "Texas"}  # a good row first
    bad = {**GOOD, "source_row": "2", **change}
    path = write_table(tmp_path, [first, bad])
    with pytest.raises(ImportRowError) as caught:
        import_table(path, DATA)
    error = caught.value
    assert (error.source, error.row, error.column) == (str(path), 3, column), error.message
    assert str(path) in str(error) and "row 3" in str(error) and repr(column) in str(error)


@pytest.mark.parametrize("missing", [c for c, (required, _) in COLUMNS.items() if required])
def test_missing_required_column(tmp_path, missing):
    path = write_table(tmp_path, [GOOD], columns=[c for c in GOOD if c != missing])
    with pytest.raises(ImportRowError) as caught:
        import_table(path, DATA)
    assert (caught.value.row, caught.value.column) == (1, missing)
    assert "missing required column" in caught.value.message


def test_unknown_column(tmp_path):
    path = write_table(tmp_path, [{**GOOD, "partner_contry": "US"}])
    with pytest.raises(ImportRowError) as caught:
        import_table(path, DATA)
    assert (caught.value.row, caught.value.column) == (1, "partner_contry")


def test_table_without_rows(tmp_path):
    path = write_table(tmp_path, [], columns=list(GOOD))
    with pytest.raises(ImportRowError) as caught:
        import_table(path, DATA)
    assert caught.value.row == 2


def test_row_with_too_many_cells(tmp_path):
    path = write_table(tmp_path, [GOOD])
    path.write_text(path.read_text(encoding="utf-8") + ",".join(GOOD.values()) + ",extra\n", encoding="utf-8")
    with pytest.raises(ImportRowError) as caught:
        import_table(path, DATA)
    assert caught.value.row == 3


def test_not_utf8(tmp_path):
    path = write_table(tmp_path, [GOOD])
    path.write_bytes(path.read_bytes().replace("Juárez".encode(), "Juárez".encode("latin-1")))
    with pytest.raises(ImportRowError, match="not UTF-8"):
        import_table(path, DATA)


def test_load_tables_is_all_or_nothing(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    write_table(folder, [GOOD], name="a-agreements.csv")
    bad = write_table(folder, [{**GOOD, "start_date": "pronto"}], name="b-agreements.csv")
    with pytest.raises(ImportRowError) as caught:
        load_tables(folder, DATA)
    assert (caught.value.source, caught.value.row, caught.value.column) == (str(bad), 2, "start_date")


def test_load_tables_checks_across_tables(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    write_table(folder, [GOOD], name="a-agreements.csv")
    write_table(folder, [GOOD], name="b-agreements.csv")
    with pytest.raises(ImportRowError, match="already the agreement"):
        load_tables(folder, DATA)


def test_load_tables_refuses_a_stray_csv(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    write_table(folder, [GOOD], name="agreements.csv")
    published(folder)  # not named in any source_table
    with pytest.raises(ImportRowError) as caught:
        load_tables(folder, DATA)
    assert caught.value.source == str(folder / "tabla.csv") and caught.value.row == 1


# --- The documentation ----------------------------------------------------------------------

def test_every_column_is_documented():
    doc = (REPO / "docs" / "import-format.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column}`" in doc, column


def test_documented_example_imports(tmp_path):
    doc = (REPO / "docs" / "import-format.md").read_text(encoding="utf-8")
    example = re.search(r"```csv\n(.*?)```", doc, re.S).group(1)
    (tmp_path / "example.csv").write_text(example, encoding="utf-8")
    shutil.copy(PUBLISHED, tmp_path / PUBLISHED.name)
    graph = import_table(tmp_path / "example.csv", DATA)
    assert len(agreements(graph)) == 2


# --- The instance data, data/*.ttl ----------------------------------------------------------

def test_every_thing_has_labels_and_provenance(data):
    for subject in set(data.subjects(RDF.type, None)):
        langs = {lit.language for lit in data.objects(subject, RDFS.label)}
        assert {"es", "en"} <= langs, subject
        if (subject, RDF.type, PDO.SourceDocument) in data:
            # sources are the roots of provenance: say how we know them instead
            known = [SDO.url, PROV.wasDerivedFrom, DCTERMS.isReferencedBy, DCTERMS.isPartOf]
            assert any((subject, p, None) in data for p in known), subject
        else:
            assert (subject, PROV.wasDerivedFrom, None) in data, subject
        for source in data.objects(subject, PROV.wasDerivedFrom):
            assert (source, RDF.type, PDO.SourceDocument) in data, (subject, source)


def test_only_declared_ontology_terms(bj, data):
    namespace = str(PDO._NS)
    for graph in (data, bj):
        for triple in graph:
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(namespace):
                    assert term in PDO, term


def test_no_dangling_links(bj, data):
    merged = data + bj
    described = set(merged.subjects(RDF.type, None))
    for _s, _p, o in merged:
        if isinstance(o, URIRef) and str(o).startswith(str(ID)):
            assert o in described, o


def test_essay_figures_are_claims(data):
    claims = {c: data.value(c, PDO.value) for c in data.subjects(RDF.type, PDO.StatisticalClaim)}
    assert sorted(float(v.toPython()) for v in claims.values()) == [19.0, 49.05, 66.0]
    technical = ID["claim/technical-cooperation-66-percent"]
    assert (technical, PDO.referenceDate, None) not in data
    urban = ID["claim/urban-zone-population-49-05-percent"]
    assert data.value(urban, PDO.referenceDate) == Literal("2020", datatype=XSD.gYear)


def test_cancun_reaches_quintana_roo_only_through_inference(data):
    cancun, quintana_roo = ID["locality/mx-230050001"], ID["state/mx-23"]
    assert data.value(cancun, PDO.inegiCode) == Literal("230050001")
    assert (cancun, PDO.locatedIn, quintana_roo) not in data
    assert (cancun, PDO.locatedIn, ID["municipality/mx-23005"]) in data
    reached = set(data.transitive_objects(cancun, PDO.locatedIn))
    assert {quintana_roo, ID["country/MX"]} <= reached
    # the official date only; the start of the works (1970-04-20) is a qualified statement (data/statements.ttl)
    assert set(data.objects(cancun, PDO.foundingDate)) == {Literal("1971-08-10", datatype=XSD.date)}


def test_reference_codes(data):
    # the gazetteer (data/gazetteer.ttl): every ISO 3166-1 country and every Mexican state
    countries = {str(c) for c in data.objects(None, PDO.isoCountryCode)}
    assert len(countries) == 249 and {"MX", "US", "AR", "UY", "ES", "GT", "CN", "FR"} <= countries
    states = {str(data.value(s, PDO.inegiCode)) for s in data.subjects(RDF.type, PDO.State)
              if str(s).startswith(str(ID["state/mx-"]))}
    assert states == {f"{n:02d}" for n in range(1, 33)}
