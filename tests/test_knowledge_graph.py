"""The essay's questions, asked in SPARQL of the built bundled store.

The store is built once per session (tests/conftest.py), through the same pipeline as
`paradip-kg build`: parse, import Tabla 1, OWL RL inference, SHACL validation, store.
"""

from __future__ import annotations

import pytest

from paradip_kg.sparql.local import run_local

PREFIX = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX pdid: <https://w3id.org/paradip/id/>
PREFIX pdg: <https://w3id.org/paradip/graph/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
BJ = "https://w3id.org/paradip/id/government/mx-23005"


def ask(store, query: str) -> bool:
    return run_local(store, PREFIX + query).boolean


def select(store, query: str) -> list[dict[str, str]]:
    result = run_local(store, PREFIX + query)
    return [{k: (v.value if v is not None else None) for k, v in row.items()} for row in result.rows]


def test_nineteen_agreements(bundled_store):
    rows = select(bundled_store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pdo:Agreement }")
    assert rows == [{"n": "19"}]


def test_all_are_benito_juarez_twinnings(bundled_store):
    rows = select(bundled_store, f"""SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{
        ?a a pdo:SisterCityAgreement ; pdo:hasParty <{BJ}> }}""")
    assert rows == [{"n": "19"}]


@pytest.mark.parametrize("cls, expected", [
    pytest.param("NationalAgreement", "10", id="national"),
    pytest.param("InternationalAgreement", "9", id="international"),
])
def test_national_and_international(bundled_store, cls, expected):
    rows = select(bundled_store, f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a a pdo:{cls} }}")
    assert rows == [{"n": expected}]


def test_national_and_international_are_inferred(bundled_store):
    """The data states the scope; the classes come from OWL RL (owl:hasValue)."""
    assert not ask(bundled_store, "ASK { GRAPH pdg:data { ?a a pdo:InternationalAgreement } }")
    assert ask(bundled_store, "ASK { GRAPH pdg:inferred { ?a a pdo:InternationalAgreement } }")


def test_partners_abroad_by_country(bundled_store):
    rows = select(bundled_store, f"""SELECT ?iso (COUNT(DISTINCT ?a) AS ?n) WHERE {{
        ?a a pdo:InternationalAgreement ; pdo:hasParty ?p .
        FILTER(?p != <{BJ}>)
        ?p pdo:hasSeat/pdo:locatedIn ?country . ?country a pdo:Country ; pdo:isoCountryCode ?iso .
    }} GROUP BY ?iso ORDER BY ?iso""")
    assert {r["iso"]: int(r["n"]) for r in rows} == {"AR": 1, "CN": 2, "ES": 1, "GT": 1, "US": 3, "UY": 1}


def test_first_and_last_agreements(bundled_store):
    rows = select(bundled_store, f"""SELECT ?date ?label WHERE {{
        ?a a pdo:Agreement ; pdo:startDate ?date ; pdo:hasParty ?p .
        FILTER(?p != <{BJ}>)
        ?p pdo:hasSeat ?loc . ?loc rdfs:label ?label . FILTER(LANG(?label) = "es")
    }} ORDER BY STR(?date) ?label""")
    assert rows[0]["date"] == "1985" and "Wichita" in rows[0]["label"]
    last = [r for r in rows if r["date"] == rows[-1]["date"]]
    assert rows[-1]["date"] == "2021-12"
    assert sorted(r["label"] for r in last) == ["Ensenada", "Mérida"]


def test_start_dates_keep_the_source_precision(bundled_store):
    rows = select(bundled_store, """SELECT ?dt (COUNT(*) AS ?n) WHERE {
        ?a a pdo:Agreement ; pdo:startDate ?d . BIND(DATATYPE(?d) AS ?dt) } GROUP BY ?dt""")
    counts = {r["dt"].rsplit("#", 1)[-1]: int(r["n"]) for r in rows}
    assert counts == {"gYear": 7, "gYearMonth": 12}  # Tabla 1: 7 rows give a year, 12 a month


CANCUN = "https://w3id.org/paradip/id/locality/mx-230050001"
QROO = "https://w3id.org/paradip/id/state/mx-23"
MEXICO = "https://w3id.org/paradip/id/country/MX"


@pytest.mark.parametrize("place, container", [
    pytest.param(CANCUN, QROO, id="cancun-in-quintana-roo"),
    pytest.param(CANCUN, MEXICO, id="cancun-in-mexico"),
])
def test_places_contained_only_after_inference(bundled_store, place, container):
    assert ask(bundled_store, f"ASK {{ <{place}> pdo:locatedIn <{container}> }}")
    assert not ask(bundled_store, f"ASK {{ GRAPH pdg:data {{ <{place}> pdo:locatedIn <{container}> }} }}")
    assert ask(bundled_store, f"ASK {{ GRAPH pdg:inferred {{ <{place}> pdo:locatedIn <{container}> }} }}")


def test_quintana_roo_in_mexico(bundled_store):
    assert ask(bundled_store, f"ASK {{ <{QROO}> pdo:locatedIn <{MEXICO}> }}")


def test_theories_and_their_scholars(bundled_store):
    rows = select(bundled_store, """SELECT ?theory ?family WHERE {
        ?t a pdo:Theory ; pdo:proposedBy ?s . ?t rdfs:label ?theory . ?s rdfs:label ?family .
        FILTER(LANG(?theory) = "en" && LANG(?family) = "en") }""")
    by_theory: dict[str, set[str]] = {}
    for r in rows:
        by_theory.setdefault(r["theory"].lower(), set()).add(r["family"])
    interdependence = next(v for k, v in by_theory.items() if "interdependence" in k)
    neorealism = next(v for k, v in by_theory.items() if "neorealism" in k)
    assert any("Keohane" in s for s in interdependence) and any("Nye" in s for s in interdependence)
    assert any("Waltz" in s for s in neorealism)


def test_figures_are_claims_with_sources(bundled_store):
    rows = select(bundled_store, """SELECT ?value ?unit ?source WHERE {
        ?c a pdo:StatisticalClaim ; pdo:value ?value ; pdo:unit ?unit ; pdo:about ?about ;
           <http://www.w3.org/ns/prov#wasDerivedFrom> ?source }""")
    values = {r["value"] for r in rows}
    assert {"66", "49.05", "19"} <= {v.rstrip("0").rstrip(".") if "." in v else v for v in values}


def test_inferred_graph_holds_no_trivia(bundled_store):
    assert not ask(bundled_store, "ASK { GRAPH pdg:inferred { ?x <http://www.w3.org/2002/07/owl#sameAs> ?x } }")
    assert not ask(bundled_store, "ASK { GRAPH pdg:inferred { ?x a <http://www.w3.org/2002/07/owl#Thing> } }")
    assert not ask(bundled_store, "ASK { GRAPH pdg:inferred { ?x a <http://www.w3.org/2002/07/owl#Nothing> } }")
