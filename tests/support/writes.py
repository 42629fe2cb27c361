"""The updates the write tests send to the bundled graph: new sister-city agreements between
governments that exist in it, each a complete, valid write of its own.

A module of its own because child processes import it too (tests/test_writes.py's burst
writers run :func:`burst_write` in another interpreter).
"""

from __future__ import annotations

PREFIXES = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX pdid: <https://w3id.org/paradip/id/>
PREFIX pdv: <https://w3id.org/paradip/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

# Governments of the bundled graph that burst writes add as parties (beside Mérida and La Antigua).
GOVERNMENTS = ("mx-02001", "us-pharr", "cn-sanya", "mx-22014", "cn-hangzhou", "us-mission", "mx-02004", "mx-23005",
               "mx-20067", "mx-15110", "uy-punta-del-este", "us-wichita", "mx-14098", "es-granadilla-de-abona",
               "mx-12055", "mx-07101", "ar-mar-del-plata", "mx-21114")


def agreement(key: str, a: str = "mx-31050", b: str = "gt-la-antigua", start: str = "2022-01",
              scope: str = "international") -> str:
    """INSERT DATA of a new sister-city agreement between two existing governments (8 triples)."""
    return PREFIXES + f"""INSERT DATA {{
  pdid:agreement\\/test-{key} a pdo:SisterCityAgreement ;
    rdfs:label "Test agreement {key}"@en , "Acuerdo de prueba {key}"@es ;
    pdo:startDate "{start}"^^xsd:gYearMonth ;
    pdo:scope pdv:scope\\/{scope} ;
    prov:wasDerivedFrom pdid:source\\/essay ;
    pdo:hasParty pdid:government\\/{a} , pdid:government\\/{b} .
}}"""


def burst_write(n: int) -> tuple[str, int]:
    """The n-th write of a burst: a new agreement of Mérida, La Antigua and one or two more
    governments (a party set no other write uses, so it is never a duplicate), and its triples."""
    extra = [(g,) for g in GOVERNMENTS] + [(a, b) for i, a in enumerate(GOVERNMENTS) for b in GOVERNMENTS[i + 1:]]
    parties = ("mx-31050", "gt-la-antigua", *extra[n])
    party_list = " , ".join("pdid:government\\/" + g for g in parties)
    text = PREFIXES + f"""INSERT DATA {{
  pdid:agreement\\/test-burst-{n} a pdo:SisterCityAgreement ;
    rdfs:label "Burst agreement {n}"@en , "Acuerdo de ráfaga {n}"@es ;
    pdo:startDate "2022-01"^^xsd:gYearMonth ;
    pdo:scope pdv:scope\\/international ;
    prov:wasDerivedFrom pdid:source\\/essay ;
    pdo:hasParty {party_list} .
}}"""
    return text, 6 + len(parties)
