"""The graph says only what its sources say: the ten domain points of issue 16, asked of the built graph.

Each test queries the bundled store (tests/conftest.py builds it once per session, as
`paradip-kg build` does); the points about the home page also read the page the bundled store
serves. Qualified statements (data/statements.ttl, docs/model.md "Provenance") are
rdf:Statement nodes naming a triple and the sources that support it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from paradip_kg.sparql.local import run_local

PREFIX = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX pdid: <https://w3id.org/paradip/id/>
PREFIX pdg: <https://w3id.org/paradip/graph/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX source: <https://w3id.org/paradip/id/source/>
"""
ID = "https://w3id.org/paradip/id/"
CANCUN = ID + "locality/mx-230050001"
CLAIM_49 = ID + "claim/urban-zone-population-49-05-percent"

# A triple is qualified when an rdf:Statement names it, with a source and a comment saying what it is.
QUALIFIED = """?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                 prov:wasDerivedFrom ?src ; rdfs:comment ?what . ?src a pdo:SourceDocument"""


def ask(store: Path, query: str) -> bool:
    return bool(run_local(store, PREFIX + query).boolean)


def select(store: Path, query: str) -> list[dict[str, str]]:
    result = run_local(store, PREFIX + query)
    return [{k: (v.value if v is not None else "") for k, v in row.items()} for row in result.rows]


def values(store: Path, query: str) -> set[str]:
    return {next(iter(row.values())) for row in select(store, query)}


@pytest.fixture(scope="module")
def home(bundled_app: Flask) -> Iterator[dict[str, str]]:
    """The home page's text, in each language, as the bundled store serves it."""
    pages = {}
    for lang in ("es", "en"):
        client = bundled_app.test_client()  # a fresh client: the language is remembered in a cookie
        response = client.get(f"/?lang={lang}")
        assert response.status_code == 200
        text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
        pages[lang] = " ".join(html.unescape(text).split())
    yield pages


# --- 1. Only the municipal development plans are aligned with the 2030 Agenda -----------------

def test_no_agreement_is_aligned_and_the_home_page_does_not_say_so(bundled_store: Path, home: dict[str, str]) -> None:
    assert not ask(bundled_store, "ASK { ?a a pdo:Agreement ; pdo:alignedWith ?x }")
    aligned = values(bundled_store, "SELECT DISTINCT ?s WHERE { GRAPH pdg:data { ?s pdo:alignedWith ?o } }")
    assert aligned == {ID + "plan/pmd-2021-2024"}
    # the plans' alignment is the essay's, qualified with its words
    assert not select(bundled_store, f"""SELECT ?s ?o WHERE {{ GRAPH pdg:data {{ ?s ?p ?o }}
        VALUES ?p {{ pdo:alignedWith }} FILTER NOT EXISTS {{ {QUALIFIED} }} }}""")
    assert ask(bundled_store, """ASK { ?st rdf:subject pdid:plan\\/pmd-2021-2024 ; rdf:predicate pdo:alignedWith ;
        prov:wasDerivedFrom source:essay ; rdfs:comment ?c
        FILTER(CONTAINS(?c, "alineados con la Agenda 2030 de la ONU")) }""")
    assert "su alineación con la Agenda 2030" not in home["es"]
    assert "their alignment with the 2030 Agenda" not in home["en"]
    assert "los planes municipales de desarrollo que el ensayo dice alineados con la Agenda 2030" in home["es"]
    assert "the municipal development plans the essay says are aligned with the 2030 Agenda" in home["en"]


# --- 2. No framedBy without a source that states it -------------------------------------------

def test_no_framed_by_without_a_source_that_states_it(bundled_store: Path) -> None:
    assert not ask(bundled_store, "ASK { pdid:concept\\/paradiplomacy pdo:framedBy pdid:theory\\/neorealism }")
    assert not ask(bundled_store, "ASK { ?c pdo:framedBy pdid:theory\\/neorealism }")
    framed = select(bundled_store, "SELECT ?s ?o WHERE { GRAPH pdg:data { ?s pdo:framedBy ?o } }")
    assert len(framed) == 2
    unqualified = select(bundled_store, """SELECT ?s ?o WHERE { GRAPH pdg:data { ?s ?p ?o }
        VALUES ?p { pdo:framedBy }
        FILTER NOT EXISTS { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
            prov:wasDerivedFrom source:essay ; rdfs:comment ?c FILTER(LANG(?c) = "es" && CONTAINS(?c, "«")) } }""")
    assert unqualified == []


# --- 3. «tres niveles de gobierno» on the right clause ----------------------------------------

def test_three_levels_of_government_on_the_right_clause(bundled_store: Path) -> None:
    comments = {r["lang"]: r["c"] for r in select(bundled_store, """SELECT ?c (LANG(?c) AS ?lang) WHERE {
        GRAPH pdg:data { pdid:government\\/MX rdfs:comment ?c } }""")}
    right = "fortalezcan la actuación y permanencia del quehacer gubernamental en los tres niveles de gobierno"
    assert right in comments["es"]
    assert "actores locales en los tres niveles de gobierno" not in comments["es"]
    assert "at the three levels of government" in comments["en"]
    assert "local actors across the three levels" not in comments["en"]


# --- 4. At most one unqualified founding date; several dates all qualified ---------------------

def test_at_most_one_unqualified_founding_date(bundled_store: Path) -> None:
    rows = select(bundled_store, f"""SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE {{
        GRAPH pdg:data {{ ?s ?p ?o }} VALUES ?p {{ pdo:foundingDate }}
        FILTER NOT EXISTS {{ {QUALIFIED} }} }} GROUP BY ?s""")
    assert all(int(r["n"]) <= 1 for r in rows), rows
    # a thing with more than one date (asserted or qualified) has every one of them qualified
    dated = select(bundled_store, """SELECT ?s ?o WHERE {
        { GRAPH pdg:data { ?s pdo:foundingDate ?o } } UNION { ?st a rdf:Statement ; rdf:subject ?s ;
          rdf:predicate pdo:foundingDate ; rdf:object ?o } }""")
    by_subject: dict[str, set[str]] = {}
    for r in dated:
        by_subject.setdefault(r["s"], set()).add(r["o"])
    for subject, dates in by_subject.items():
        if len(dates) > 1:
            for date in dates:
                assert ask(bundled_store, f"""ASK {{ ?st a rdf:Statement ; rdf:subject <{subject}> ;
                    rdf:predicate pdo:foundingDate ; rdf:object ?o ; prov:wasDerivedFrom ?src ; rdfs:comment ?what
                    FILTER(STR(?o) = "{date}") }}"""), (subject, date)
    assert by_subject[CANCUN] == {"1970-04-20", "1971-08-10"}
    assert values(bundled_store, f"SELECT ?d WHERE {{ <{CANCUN}> pdo:foundingDate ?d }}") == {"1971-08-10"}
    official = values(bundled_store, f"""SELECT ?src WHERE {{ ?st rdf:subject <{CANCUN}> ;
        rdf:predicate pdo:foundingDate ; rdf:object ?o ; prov:wasDerivedFrom ?src FILTER(STR(?o) = "1971-08-10") }}""")
    works = values(bundled_store, f"""SELECT ?src WHERE {{ ?st rdf:subject <{CANCUN}> ;
        rdf:predicate pdo:foundingDate ; rdf:object ?o ; prov:wasDerivedFrom ?src FILTER(STR(?o) = "1970-04-20") }}""")
    assert ID + "source/essay" in official and ID + "source/essay" not in works and works


# --- 5. A source's wording belongs to the row that used it ------------------------------------

def test_every_source_label_is_reachable_from_the_row_that_used_it(bundled_store: Path) -> None:
    reached = select(bundled_store, """SELECT ?row ?cell ?node ?wording WHERE {
        ?a a pdo:Agreement ; pdo:tableRow ?row ; pdo:sourceLabel ?cell ; pdo:hasParty ?g .
        ?g (pdo:hasSeat|pdo:governs)/pdo:locatedIn* ?node .
        ?node pdo:sourceLabel ?wording }""")
    assert reached, "no node of an agreement keeps a wording of its own (Mar de Plata does)"
    for r in reached:
        assert r["wording"] in r["cell"], r  # not another row's wording
    # Ensenada's row reads «Baja California», as the essay writes; Tijuana's keeps «Baja California Norte»
    assert not ask(bundled_store, """ASK { ?a pdo:tableRow 18 ; pdo:hasParty/pdo:governs/pdo:locatedIn* ?n .
        ?n pdo:sourceLabel ?l FILTER(CONTAINS(STR(?l), "Norte")) }""")
    assert not ask(bundled_store, "ASK { pdid:state\\/mx-02 pdo:sourceLabel ?l }")
    assert ask(bundled_store, """ASK { ?a pdo:tableRow 9 ; pdo:sourceLabel ?l
        FILTER(CONTAINS(STR(?l), "Baja California Norte")) }""")


# --- 6. The essay's lens stays the essay's ------------------------------------------------------

def test_the_essays_lens_is_quoted_not_turned_into_a_fact(bundled_store: Path, home: dict[str, str]) -> None:
    lens = "permite analizar a los actores subnacionales como agentes influyentes en la toma de decisiones"
    assert ask(bundled_store, f"""ASK {{ pdid:concept\\/subnational-actor rdfs:comment ?c ;
        prov:wasDerivedFrom source:essay FILTER(CONTAINS(?c, "{lens}")) }}""")
    assert f"«{lens} tanto nacionales como internacionales»" in home["es"]
    assert "han hecho de los actores subnacionales" not in home["es"]
    assert "In the words of" not in home["en"]
    assert "analysed as influential agents" in home["en"] and "(our paraphrase)" in home["en"]
    assert "have made subnational actors" not in home["en"]


# --- 7. «Buen Gobierno» is a banner, not a name ------------------------------------------------

def test_buen_gobierno_is_not_another_name_of_new_public_management(bundled_store: Path) -> None:
    assert not ask(bundled_store, """ASK { ?x skos:altLabel|skos:prefLabel|rdfs:label ?l
        FILTER(STR(?l) IN ("Buen Gobierno", "Good Government")) }""")
    assert ask(bundled_store, """ASK { pdid:theory\\/new-public-management skos:historyNote ?n
        FILTER(LANG(?n) = "es" && CONTAINS(?n, "bajo la bandera del \\"Buen Gobierno\\"")) }""")


# --- 8. «Con datos del INEGI»: the census is the project's identification ---------------------

def test_the_census_is_the_projects_identification_not_the_essays_source(bundled_store: Path) -> None:
    assert values(bundled_store, f"SELECT ?s WHERE {{ <{CLAIM_49}> dcterms:source ?s }}") == {ID + "source/inegi"}
    assert not ask(bundled_store, "ASK { ?x dcterms:source source:inegi-2020 }")
    assert not ask(bundled_store, "ASK { source:essay prov:wasDerivedFrom source:inegi-2020 }")
    assert ask(bundled_store, """ASK { source:inegi dcterms:bibliographicCitation "Con datos del INEGI"@es ;
        dcterms:isReferencedBy source:essay }""")
    identification = values(bundled_store, f"""SELECT ?src WHERE {{ ?st a rdf:Statement ; rdf:subject <{CLAIM_49}> ;
        rdf:predicate dcterms:source ; rdf:object source:inegi-2020 ; prov:wasDerivedFrom ?src }}""")
    assert identification and ID + "source/essay" not in identification
    # the reference date rests on the same identification, with its own sources
    assert ask(bundled_store, f"""ASK {{ ?st rdf:subject <{CLAIM_49}> ; rdf:predicate pdo:referenceDate ;
        prov:wasDerivedFrom source:sv-wikipedia-quintana-roo }}""")


# --- 9. Which source supports which statement -------------------------------------------------

def test_a_row_source_is_only_on_what_the_row_names(bundled_store: Path) -> None:
    maldonado = values(bundled_store, "SELECT ?s WHERE { pdid:state\\/uy-maldonado prov:wasDerivedFrom ?s }")
    assert maldonado and not maldonado & {ID + "source/essay", ID + "source/dir-rp-bj-2022"}
    # a province abroad that an import row's sources support is named in that row's cell
    unnamed = select(bundled_store, """SELECT ?node ?label WHERE {
        ?node a pdo:State ; rdfs:label ?label ; prov:wasDerivedFrom ?src .
        VALUES ?src { source:essay source:dir-rp-bj-2022 }
        FILTER(LANG(?label) = "es" && !STRSTARTS(STR(?node), "https://w3id.org/paradip/id/state/mx-"))
        FILTER NOT EXISTS { ?a pdo:sourceLabel ?cell ; pdo:hasParty/pdo:hasSeat/pdo:locatedIn* ?node
                            FILTER(CONTAINS(STR(?cell), STR(?label))) } }""")
    assert unnamed == []


def test_qualified_statements_name_a_triple_and_its_sources(bundled_store: Path) -> None:
    statements = values(bundled_store, "SELECT ?st WHERE { GRAPH pdg:data { ?st a rdf:Statement } }")
    assert len(statements) >= 7
    incomplete = select(bundled_store, """SELECT ?st WHERE { GRAPH pdg:data { ?st a rdf:Statement } FILTER NOT EXISTS {
        ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?src ;
            rdfs:label ?es , ?en ; rdfs:comment ?c . ?src a pdo:SourceDocument
        FILTER(LANG(?es) = "es" && LANG(?en) = "en") } }""")
    assert incomplete == []
    # a comment says whether the triple is asserted, and the graph agrees
    for r in select(bundled_store, """SELECT ?s ?p ?o ?c WHERE { GRAPH pdg:data { ?st a rdf:Statement ;
            rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; rdfs:comment ?c } FILTER(LANG(?c) = "en") }"""):
        asserted = ask(bundled_store, f"""ASK {{ GRAPH pdg:data {{ <{r['s']}> <{r['p']}> ?o }}
            FILTER(STR(?o) = "{r['o']}") }}""")
        said_not = "Not asserted" in r["c"]
        assert said_not or "Asserted" in r["c"], r
        assert asserted == (not said_not), r


def test_pages_show_a_things_qualified_statements(bundled_app: Flask) -> None:
    page = bundled_app.test_client().get("/page/locality/mx-230050001?lang=en").get_data(as_text=True)
    assert "/id/statement/cancun-works-began" in page and "/id/statement/cancun-founding-official" in page
    statement = bundled_app.test_client().get("/page/statement/cancun-works-began?lang=en")
    assert statement.status_code == 200
    text = statement.get_data(as_text=True)
    assert "/id/source/perceptionl-cancun" in text and "1970-04-20" in text


# --- 10. Mar del Plata's government, no theme without a basis, the SDG targets ------------------

def test_mar_del_plata_is_governed_as_the_partido_de_general_pueyrredon(bundled_store: Path) -> None:
    assert ask(bundled_store, """ASK { pdid:government\\/ar-mar-del-plata pdo:hasSeat pdid:locality\\/ar-mar-del-plata ;
        pdo:governs ?partido . ?partido a pdo:Municipality ; rdfs:label ?l ;
        prov:wasDerivedFrom source:aroundus-general-pueyrredon .
        pdid:locality\\/ar-mar-del-plata pdo:locatedIn ?partido
        FILTER(CONTAINS(?l, "Partido de General Pueyrredón")) }""")


def test_every_theme_rests_on_the_essay(bundled_store: Path) -> None:
    themes = values(bundled_store, "SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/paradip/vocab/theme> }")
    assert themes and "https://w3id.org/paradip/vocab/theme/other" not in themes
    assert not ask(bundled_store, "ASK { <https://w3id.org/paradip/vocab/theme/other> ?p ?o }")
    without = select(bundled_store, """SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/paradip/vocab/theme>
        FILTER NOT EXISTS { ?c skos:scopeNote ?n FILTER(LANG(?n) = "es" && STRSTARTS(?n, "Ensayo")) } }""")
    assert without == []


def test_the_sdg_targets_are_the_projects_selection(bundled_store: Path) -> None:
    text = {r["lang"]: r["d"] for r in select(bundled_store, """SELECT ?d (LANG(?d) AS ?lang) WHERE {
        <https://w3id.org/paradip/vocab/sdg> dcterms:description ?d }""")}
    assert "con que se relaciona la paradiplomacia" not in text["es"]
    assert "that municipal paradiplomacy relates to" not in text["en"]
    assert "selección de este proyecto" in text["es"] and "this project's selection" in text["en"]
    assert "no source, the essay included, relates paradiplomacy to them" in text["en"]
