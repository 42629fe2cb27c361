"""Reconciliation of the registry (Tabla 1) with Wikidata's P190 claims, on the Benito Juárez case.

The expected classification is written out by hand from the project's domain facts (the same
facts tests/fixtures/wikidata/README.md lists): Tabla 1's 19 partners, the QIDs the data gives
them, the Cancún links the 2016 crawl holds, and the six partners Wikidata has and Tabla 1 lacks.
The matching rules the fixture cannot show (INEGI ids, dates, parents) get small synthetic graphs.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask

from paradip_kg.harvest.client import Client
from paradip_kg.harvest.commit import publish_harvest
from paradip_kg.harvest.queries import Selection
from paradip_kg.harvest.run import harvest
from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish.reconciliation import COLUMNS, Row, reconcile, reconciled, reconciled_in
from paradip_kg.publish.reconciliation_rows import load_rows, rows_path
from paradip_kg.sparql.local import run_on_store
from paradip_kg.store.head import open_store, read_head
from paradip_kg.web.sparql_page import load_examples
from support.apps import app_on
from support.paths import ROOT
from support.stores import copy_store
from support.wikidata_standin import FIXTURE, wikidata_standin

GOV = "https://w3id.org/paradip/id/government/"
BENITO_JUAREZ = GOV + "mx-23005"
STANDIN = "https://wikidata-standin.invalid/"
# By hand, from the domain facts: (partner, class, match)
EXPECTED = {
    # Tabla 1 partners whose Wikidata QID the data has, linked to Cancún (Q8969) in the crawl
    **{GOV + k: ("both", "qid") for k in ("us-wichita", "ar-mar-del-plata", "uy-punta-del-este",
                                          "es-granadilla-de-abona", "gt-la-antigua", "mx-21114", "us-pharr",
                                          "cn-hangzhou", "cn-sanya")},
    # linked in the crawl, but the data has no QID for them: name + country only, a candidate
    GOV + "us-mission": ("both", "candidate"), GOV + "mx-20067": ("both", "candidate"),
    # Tabla 1 partners with no P190 link to Cancún in the crawl
    **{GOV + k: ("registry-only", "") for k in ("mx-14098", "mx-02004", "mx-12055", "mx-07101", "mx-15110",
                                                "mx-22014", "mx-02001", "mx-31050")},
    # Wikidata's Cancún partners missing from Tabla 1 (domain facts §0.7)
    **{STANDIN + k: ("wikidata-only", "qid") for k in ("Miami", "Compton", "Timisoara", "Ceccano", "Ibiza",
                                                       "Varadero")},
}


def harvest_into(store: Path, fixture: Path | str = FIXTURE) -> None:
    with wikidata_standin(fixture) as standin:
        result = harvest(Selection(("Q8969",)), Client(standin.url, page_size=50, timeout=10))
    publish_harvest(store, result.triples)


@pytest.fixture(scope="module")
def harvested(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = copy_store(bundled_store, tmp_path_factory.mktemp("reconciled"))
    harvest_into(store)
    return store


@pytest.fixture(scope="module")
def app(harvested: Path) -> Iterator[Flask]:
    with app_on(harvested) as made:
        yield made


def benito_juarez(rows: list[Row]) -> dict[str, tuple[str, str]]:
    return {r.partner.iri: (r.cls, r.match) for r in rows if r.municipality.iri == BENITO_JUAREZ}


def test_benito_juarez_four_ways(harvested: Path) -> None:
    got = benito_juarez(reconcile(open_store(harvested)))
    assert got == EXPECTED
    assert sum(1 for c, _ in got.values() if c == "registry-only") + sum(
        1 for c, _ in got.values() if c == "both") == 19  # every Tabla 1 partner, once


def test_sources_count_per_side(harvested: Path) -> None:
    rows = {r.partner.iri: r for r in reconcile(open_store(harvested)) if r.municipality.iri == BENITO_JUAREZ}
    wichita, miami, tijuana = rows[GOV + "us-wichita"], rows[STANDIN + "Miami"], rows[GOV + "mx-02004"]
    assert wichita.sources and wichita.references == 1 and wichita.statements
    assert not miami.sources and not miami.agreements and miami.references == 1
    assert tijuana.sources and not tijuana.statements and tijuana.references == 0


def test_before_a_harvest_everything_is_registry_only(bundled_store: Path) -> None:
    rows = reconcile(open_store(bundled_store))
    assert rows and {r.cls for r in rows} == {"registry-only"}


def test_the_reconciliation_graph_and_its_example_query(harvested: Path) -> None:
    store = open_store(harvested)
    example = next(e for e in load_examples() if e.slug.startswith("19-"))
    rows = run_on_store(store, example.text).rows
    classes = [r["class"].value.rsplit("#", 1)[1] for r in rows]  # type: ignore[union-attr]
    assert classes.count("wikidataOnly") == 6 and classes.count("registryOnly") == 8
    assert {r["partner"].value for r in rows if r["class"].value.endswith("wikidataOnly")} == {  # type: ignore[union-attr]
        "Miami", "Compton", "Timișoara", "Ceccano", "Ibiza", "Varadero"}
    assert any(r["match"] is not None and r["match"].value.endswith("#candidate") for r in rows)


def _records(rows: list[Row]) -> list[dict[str, object]]:
    return [r.record("es") for r in rows]


@pytest.mark.parametrize("sample", ["bundled", "world"])
def test_the_build_reads_the_rows_from_its_validation_store_as_from_the_graphs(harvested: Path, sample: str) -> None:
    """The build reconciles on the store it validated (its default graph: ontology, vocabulary, data and
    inferred) instead of reading data and inferred again: the same rows, on the bundled graph with the
    Cancún harvest and on a ~5k world beside it."""
    quads = list(open_store(harvested).quads_for_pattern(None, None, None, None))
    if sample == "world":
        sys.path.insert(0, str(ROOT / "bench"))
        import world  # bench/world.py
        from bench_world_serve import entailed_quads

        data = list(world.generate(5000))
        quads += data + entailed_quads(quads, data)
    texts = {key: ox.serialize([q.triple for q in quads if q.graph_name == ox.NamedNode(str(GRAPHS[key]))],
                               format=ox.RdfFormat.N_TRIPLES).decode()
             for key in ("ontology", "vocab", "data", "inferred", "wikidata")}
    expected = reconciled({k: texts[k] for k in ("data", "inferred", "wikidata")})
    validated = ox.Store()  # as build.validate_stage loads it
    for key in ("ontology", "vocab", "data", "inferred"):
        validated.bulk_load(texts[key], format=ox.RdfFormat.N_TRIPLES)
    got = reconciled_in(validated, texts["wikidata"])

    def records(rows: list[Row]) -> list[str]:
        return sorted(json.dumps([r.record("es"), r.record("en")], sort_keys=True) for r in rows)

    assert records(got) == records(expected)
    assert {r.cls for r in got} == {"both", "registry-only", "wikidata-only"}
    assert len(got) > (300 if sample == "world" else 25)


def test_the_build_and_a_harvest_keep_the_rows_of_the_state_they_publish(bundled_store: Path,
                                                                          harvested: Path) -> None:
    """The rows are computed where a state is published and kept for it, equal to computing them
    again from the store (the first /reconciliation request took 49.6 s at world scale, before)."""
    for store in (bundled_store, harvested):
        kept = load_rows(store, read_head(store).tag[:16])
        assert kept is not None, store
        assert _records(kept) == _records(reconcile(open_store(store)))
    assert read_head(harvested).sequence == 1  # the harvest's own state, not the build's
    assert load_rows(harvested, read_head(bundled_store).tag[:16]) is None


def test_the_page_never_reads_the_rows_of_another_state(harvested: Path, tmp_path: Path) -> None:
    """A kept file of another state is not read: the page computes the rows of the state it
    serves, and keeps them for it. A copy of the harvested store's build (its writes left out)
    comes with the harvest's file beside it, as a store does after a build replaced its state."""
    store = copy_store(harvested, tmp_path)
    version = read_head(store).tag[:16]
    assert read_head(store).sequence == 0 and load_rows(store, version) is None
    assert load_rows(store, read_head(harvested).tag[:16]) is not None  # the harvest's, of another state
    expected = _records(reconcile(open_store(store)))
    with app_on(store) as made:
        answer = made.test_client().get("/reconciliation.json")
    assert answer.status_code == 200
    rows = json.loads(answer.get_data())["rows"]
    assert rows == expected and {r["class"] for r in rows} == {"registry-only"}  # not the harvest's rows
    again = load_rows(store, version)
    assert again is not None and _records(again) == expected
    rows_path(store).write_text("{not json", encoding="utf-8")  # a damaged file is computed around too
    assert load_rows(store, version) is None


# --- Matching rules on synthetic graphs (example.org and stand-in IRIs; Mexico is wd:Q96) ---------

SYNTHETIC = """
@prefix pdo: <https://w3id.org/paradip/ontology#> . @prefix ex: <https://example.org/> .
@prefix schema: <https://schema.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:mx pdo:isoCountryCode "MX" ; schema:sameAs <http://www.wikidata.org/entity/Q96> ; rdfs:label "México"@es .
ex:gA pdo:governs ex:munA . ex:munA pdo:inegiCode "99001" ; pdo:locatedIn ex:mx ; rdfs:label "Villa A"@es .
ex:gB pdo:hasSeat ex:cityB . ex:cityB pdo:locatedIn ex:stateB ; rdfs:label "Villa B"@es .
ex:stateB pdo:locatedIn ex:mx ; rdfs:label "Estado Uno"@es .
ex:gC pdo:hasSeat ex:cityC . ex:cityC pdo:locatedIn ex:mx ; rdfs:label "Villa C"@es .
ex:ab pdo:hasParty ex:gA , ex:gB ; pdo:startDate "1990"^^xsd:gYear ; prov:wasDerivedFrom ex:source .
ex:ac pdo:hasParty ex:gA , ex:gC ; pdo:startDate "1995-06"^^xsd:gYearMonth ; prov:wasDerivedFrom ex:source .
ex:gD schema:sameAs <http://www.wikidata.org/entity/Q8969> ; rdfs:label "Cancún"@es .
ex:ad pdo:hasParty ex:gA , ex:gD ; prov:wasDerivedFrom ex:source .
"""
HARVEST = """
@prefix s: <https://wikidata-standin.invalid/> . @prefix p: <http://www.wikidata.org/prop/> .
@prefix ps: <http://www.wikidata.org/prop/statement/> . @prefix pq: <http://www.wikidata.org/prop/qualifier/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
s:A wdt:P3801 "99001" ; rdfs:label "Villa A"@es ; p:P190 s:st1 , s:st2 , s:st3 .
s:st1 ps:P190 s:B ; pq:P580 "1992-01-01T00:00:00Z"^^xsd:dateTime .
s:B rdfs:label "Villa B"@es ; wdt:P17 <http://www.wikidata.org/entity/Q96> ; wdt:P131 s:stateB .
s:stateB rdfs:label "Estado Uno"@es .
s:st2 ps:P190 s:C ; pq:P580 "1995-06-12T00:00:00Z"^^xsd:dateTime .
s:C rdfs:label "Villa C"@es ; wdt:P17 <http://www.wikidata.org/entity/Q96> .
s:st3 ps:P190 s:C2 .
s:C2 rdfs:label "Villa C"@es ; wdt:P17 <http://www.wikidata.org/entity/Q96> ; wdt:P131 s:other .
s:other rdfs:label "Otro Estado"@es .
s:A p:P190 s:st4 . s:st4 ps:P190 <http://www.wikidata.org/entity/Q8969> .
"""


def synthetic_rows() -> dict[tuple[str, str], Row]:
    store = ox.Store()
    store.load(SYNTHETIC.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(GRAPHS["data"])))
    store.load(HARVEST.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(GRAPHS["wikidata"])))
    return {(r.municipality.iri.rsplit("/", 1)[1], r.partner.iri.rsplit("/", 1)[1]): r for r in reconcile(store)}


def test_inegi_match_and_a_date_conflict() -> None:
    rows = synthetic_rows()
    ab = rows[("gA", "gB")]
    assert ab.cls == "date-conflict" and ab.match == "candidate"  # A by INEGI id, B by name+country+parent
    assert ab.municipality.match == "inegi" and ab.partner.match == "candidate"
    assert rows[("gB", "gA")].cls == "date-conflict"  # both directions


def test_dates_agree_at_the_registry_precision() -> None:
    assert synthetic_rows()[("gA", "gC")].cls == "both"  # 1995-06 and 1995-06-12


def test_a_contradicting_parent_is_no_candidate() -> None:
    rows = synthetic_rows()
    assert rows[("gA", "C2")].cls == "wikidata-only"  # "Villa C" in another state is another place
    assert rows[("gA", "C2")].partner.country == "MX"


def test_an_actor_that_is_its_own_place_is_matched_by_what_it_says() -> None:
    # gD governs nothing and has no seat: its own QID (Cancún's) and label are what it is matched and named by
    row = synthetic_rows()[("gA", "gD")]
    assert row.cls == "both" and row.partner.match == "qid" and row.partner.qid == "Q8969"
    assert row.partner.labels == {"es": "Cancún"}


# --- The page, CSV and JSON -----------------------------------------------------------------------


def test_page_in_both_languages(app: Flask) -> None:
    c = app.test_client()
    es = c.get("/reconciliation?municipality=Benito+Ju%C3%A1rez&lang=es", headers={"Accept": "text/html"})
    en = c.get("/reconciliation?municipality=Benito+Ju%C3%A1rez&lang=en", headers={"Accept": "text/html"})
    assert es.status_code == en.status_code == 200
    assert "Conciliación" in es.get_data(as_text=True) and "Reconciliation" in en.get_data(as_text=True)
    for name in ("Miami", "Compton", "Timișoara", "Ceccano", "Ibiza", "Varadero"):
        assert name in es.get_data(as_text=True)
    assert "Eivissa" in en.get_data(as_text=True)  # the fixture's English label
    assert "candidata" in es.get_data(as_text=True) and "candidate" in en.get_data(as_text=True)


@pytest.mark.parametrize("how", ["accept", "suffix"])
def test_csv_and_json(app: Flask, how: str) -> None:
    c = app.test_client()
    query = "?municipality=Benito+Ju%C3%A1rez"
    csv_r = c.get("/reconciliation" + query, headers={"Accept": "text/csv"}) if how == "accept" \
        else c.get("/reconciliation.csv" + query)
    json_r = c.get("/reconciliation" + query, headers={"Accept": "application/json"}) if how == "accept" \
        else c.get("/reconciliation.json" + query)
    assert csv_r.status_code == json_r.status_code == 200
    assert csv_r.mimetype == "text/csv" and json_r.mimetype == "application/json"
    table = list(csv.DictReader(io.StringIO(csv_r.get_data(as_text=True))))
    data = json.loads(json_r.get_data())["rows"]
    assert len(table) == len(data) == len(EXPECTED)
    assert set(COLUMNS) >= {"municipality", "municipality_qid", "partner", "partner_qid", "class",
                            "registry_source", "wikidata_statement"}
    assert list(table[0]) == list(COLUMNS)
    assert {r["partner_iri"]: r["class"] for r in data} == {k: v[0] for k, v in EXPECTED.items()}
    assert all(r["municipality_qid"] == "Q8969" for r in data)


def test_filters(app: Flask) -> None:
    c = app.test_client()
    us = json.loads(c.get("/reconciliation.json?municipality=Benito+Ju%C3%A1rez&country=US").get_data())["rows"]
    assert {r["partner"] for r in us} == {"Wichita", "Mission", "Pharr"}
    wichita = json.loads(c.get("/reconciliation.json?municipality=Wichita").get_data())["rows"]
    assert [r["partner_qid"] for r in wichita] == ["Q8969"]
    only = json.loads(c.get("/reconciliation.json?class=wikidata-only").get_data())["rows"]
    assert len(only) == 6


def test_not_acceptable(app: Flask) -> None:
    assert app.test_client().get("/reconciliation", headers={"Accept": "image/png"}).status_code == 406
    assert app.test_client().get("/reconciliation.xlsx").status_code == 406


def test_the_page_escapes_what_the_data_says(bundled_store: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store, tmp_path)
    hostile = FIXTURE.read_text(encoding="utf-8").replace('"Miami"@es', '"<script>alert(1)</script>"@es')
    harvest_into(store, hostile)
    with app_on(store) as made:
        page = made.test_client().get("/reconciliation?lang=es", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_graph_of_a_row_says_what_the_row_says_whatever_its_labels_hold() -> None:
    """graph_text (what the build loads) and graph_triples (a harvest, the memory backend) write
    each row as one pdr:Pair with every field, labels with quotes, backslashes and line breaks too."""
    from paradip_kg.publish.reconciliation import CLASS_TERMS, PDR, Side, graph_text, graph_triples

    awkward = {"es": 'Ciudad "Vieja" \\ de\nSan José', "en": "Old Town"}
    rows = [Row(Side("https://w3id.org/paradip/id/government/mx-23005", {"es": "Benito Juárez"}),
                Side("http://www.wikidata.org/entity/Q1", awkward, match="candidate"), "both", match="candidate",
                agreements=["https://w3id.org/paradip/id/agreement/a1", "https://w3id.org/paradip/id/agreement/a2"],
                sources=["s1", "s2", "s3"], statements=["http://www.wikidata.org/entity/statement/x"], references=4),
            Row(Side("https://w3id.org/paradip/id/government/mx-23005"), Side("https://example.org/p"),
                "registry-only")]
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

    def expected(r: Row) -> set[tuple[ox.NamedNode, object]]:
        out = {(ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(PDR + "Pair")),
               (ox.NamedNode(PDR + "municipality"), ox.NamedNode(r.municipality.iri)),
               (ox.NamedNode(PDR + "partner"), ox.NamedNode(r.partner.iri)),
               (ox.NamedNode(PDR + "class"), ox.NamedNode(PDR + CLASS_TERMS[r.cls])),
               (ox.NamedNode(PDR + "registrySources"), ox.Literal(str(len(r.sources)), datatype=integer)),
               (ox.NamedNode(PDR + "wikidataReferences"), ox.Literal(str(r.references), datatype=integer))}
        out |= {(ox.NamedNode(PDR + "match"), ox.NamedNode(PDR + r.match))} if r.match else set()
        out |= {(ox.NamedNode(PDR + "agreement"), ox.NamedNode(i)) for i in r.agreements}
        out |= {(ox.NamedNode(PDR + "statement"), ox.NamedNode(i)) for i in r.statements}
        for side, prop in ((r.municipality, "municipalityLabel"), (r.partner, "partnerLabel")):
            out |= {(ox.NamedNode(PDR + prop), ox.Literal(v, language=k)) for k, v in side.labels.items()}
        return out

    text = graph_text(rows)
    assert text.endswith(" .\n") and text.count("\n") == text.count(" .\n")  # one triple a line
    for triples in (graph_triples(rows), [q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]):
        pairs: dict[object, set[tuple[ox.NamedNode, object]]] = {}
        for t in triples:
            assert isinstance(t.subject, ox.BlankNode)
            pairs.setdefault(t.subject, set()).add((t.predicate, t.object))
        assert sorted(pairs.values(), key=len) == sorted([expected(r) for r in rows], key=len)
    assert not {t.subject for t in graph_triples(rows)} & {t.subject for t in graph_triples(rows)}  # fresh nodes


def test_fold_keeps_letters_and_digits_without_accents_in_lower_case() -> None:
    """fold (by a regular expression) against its definition, character by character."""
    import random
    import unicodedata

    from paradip_kg.publish.reconciliation import fold

    def by_definition(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return " ".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())

    alphabet = "aZ09 _-.,'\"\t\nñÑéÉüÜçßø½²İıſﬁΩж中!#&()"
    rng = random.Random(1)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert fold(text) == by_definition(text), text
    assert fold("  Timișoara-CIUDAD de México ") == "timisoara ciudad de mexico"
