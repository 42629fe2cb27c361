"""The agreements of a government, a municipality, a state, a country, a theme or an SDG: one SPARQL query each.

:data:`KINDS` names what a list can be about and the pattern that finds its agreements;
:func:`query_agreements` writes the query (linked from the page, runnable on /sparql) and
:func:`agreement_list` runs it. The pages are :mod:`paradip_kg.web.agreement_pages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from paradip_kg import i18n
from paradip_kg.namespaces import ID, VOCAB
from paradip_kg.sparql.local import run_on_store

# kind → (IRI prefix, the pattern that binds ?agreement for <{iri}>, title es, title en)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "government": (str(ID["government/"]), "?agreement pdo:hasParty <{iri}> .",
                   "Acuerdos del gobierno", "Agreements of the government"),
    "municipality": (str(ID["municipality/"]),
                     "?agreement pdo:hasParty ?party .\n  { ?party pdo:governs <{iri}> } UNION "
                     "{ ?party pdo:hasSeat/pdo:locatedIn+ <{iri}> }",
                     "Acuerdos del municipio", "Agreements of the municipality"),
    "state": (str(ID["state/"]), "?agreement pdo:hasParty/pdo:hasSeat/pdo:locatedIn+ <{iri}> .",
              "Acuerdos con partes en el estado", "Agreements with parties in the state"),
    "country": (str(ID["country/"]), "?agreement pdo:hasParty/pdo:hasSeat/pdo:locatedIn+ <{iri}> .",
                "Acuerdos con partes en el país", "Agreements with parties in the country"),
    "theme": (str(VOCAB["theme/"]), "?agreement pdo:theme <{iri}> .",
              "Acuerdos del tema", "Agreements of the theme"),
    "sdg": (str(VOCAB["sdg/"]), "?agreement pdo:alignedWith/skos:broader* <{iri}> .",
            "Acuerdos alineados con el objetivo", "Agreements aligned with the goal"),
}


@dataclass
class AgreementRow:
    iri: str
    label: str
    parties: list[tuple[str, str]]  # (IRI, label)
    since: str
    scope: str  # "national", "international" or ""


def query_agreements(kind: str, iri: str, lang: str) -> str:
    _prefix, pattern, es, en = KINDS[kind]
    return f"""# {i18n.text((es, en), lang)}: <{iri}>
PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT DISTINCT ?agreement ?label ?party ?partyLabel ?since ?scope
WHERE {{
  ?agreement a pdo:Agreement .
  {pattern.replace("{iri}", iri)}
  ?agreement pdo:hasParty ?party .
  OPTIONAL {{ ?agreement rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "{lang}")) }}
  OPTIONAL {{ ?party rdfs:label ?partyLabel FILTER(LANGMATCHES(LANG(?partyLabel), "{lang}")) }}
  OPTIONAL {{ ?agreement pdo:startDate ?since }}
  BIND(IF(EXISTS {{ ?agreement a pdo:InternationalAgreement }}, "international",
          IF(EXISTS {{ ?agreement a pdo:NationalAgreement }}, "national", "")) AS ?scope)
}}
ORDER BY ?since ?agreement ?party
"""


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def agreement_list(store: ox.Store, kind: str, iri: str, lang: str) -> list[AgreementRow]:
    """The agreements of ``iri`` (a thing of ``kind``), in the order of their dates."""
    found: dict[str, AgreementRow] = {}
    for row in run_on_store(store, query_agreements(kind, iri, lang)).rows:
        agreement = _text(row.get("agreement"))
        entry = found.setdefault(agreement, AgreementRow(agreement, _text(row.get("label")) or agreement, [],
                                                         _text(row.get("since")), _text(row.get("scope"))))
        party = (_text(row.get("party")), _text(row.get("partyLabel")) or _text(row.get("party")))
        if party not in entry.parties:
            entry.parties.append(party)
    return list(found.values())
