"""The home page's chart queries in their first, plain form: the oracle of the rewritten ones.

The charts' queries (:mod:`paradip_kg.publish.charts.queries`) are written the way Oxigraph
evaluates well at ~1M (sub-selects read once and joined, no type pattern on pdo:hasParty, a
capped selector and network). These are the forms they had before (commit dfb37f3), each pattern
looked up row by row; tests/test_charts_at_scale.py holds the new ones to their answers.
"""

from __future__ import annotations

from collections.abc import Callable

from paradip_kg import i18n
from paradip_kg.namespaces import VOCAB
from paradip_kg.publish.charts import queries
from paradip_kg.publish.charts import world_map as now_map
from paradip_kg.publish.charts.queries import INTERNATIONAL, NATIONAL, PREFIX_LINES, REGION_OF, UNSTATED


def _label_filter(var: str, lang: str) -> str:
    return f'FILTER(LANGMATCHES(LANG({var}), "{lang}"))'


def _of(focus: str | None) -> str:
    """The pattern that keeps the focus's agreements (nothing without a focus)."""
    return f"\n  ?agreement pdo:hasParty <{focus}> ." if focus else ""


def _parties(focus: str | None) -> str:
    """The agreement and its partner: the other party of the focus's agreements, or every party."""
    if focus:
        return f"""  ?agreement a pdo:Agreement ;
             pdo:hasParty <{focus}> , ?partner .
  FILTER(?partner != <{focus}>)"""
    return """  ?agreement a pdo:Agreement ;
             pdo:hasParty ?partner ."""


def _whose(focus_name: str | None, lang: str, es: str, en: str) -> str:
    if focus_name:
        return i18n.text((f"{es} de {focus_name}", f"{focus_name}'s {en.lower()}"), lang)
    return i18n.text((es, en), lang)



def _scope_bind(var: str = "?agreement") -> str:
    return (f'BIND(IF(EXISTS {{ {var} a pdo:InternationalAgreement }}, "{INTERNATIONAL}",\n'
            f'          IF(EXISTS {{ {var} a pdo:NationalAgreement }}, "{NATIONAL}", "{UNSTATED}")) AS ?scope)')


def query_by_year(lang: str, focus: str | None = None, name: str | None = None) -> str:
    return f"""# {_whose(name, lang, "Acuerdos por año de inicio y ámbito", "Agreements by starting year and scope")}
{PREFIX_LINES['pdo']}

SELECT ?year ?scope (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement .{_of(focus)}
  # The first four characters of the date work for xsd:gYear, xsd:gYearMonth and xsd:date alike.
  OPTIONAL {{ ?agreement pdo:startDate ?start }}
  BIND(SUBSTR(STR(?start), 1, 4) AS ?year)
  {_scope_bind()}
}}
GROUP BY ?year ?scope
ORDER BY ?year ?scope
"""


def query_by_scope(lang: str, focus: str | None = None, name: str | None = None) -> str:
    return f"""# {_whose(name, lang, "Acuerdos nacionales e internacionales", "National and international agreements")}
{PREFIX_LINES['pdo']}

SELECT ?scope (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement .{_of(focus)}
  # pdo:NationalAgreement and pdo:InternationalAgreement are inferred from pdo:scope.
  {_scope_bind()}
}}
GROUP BY ?scope
ORDER BY ?scope
"""


def _partner_countries(lang: str, focus: str | None) -> str:
    return f"""{_parties(focus)}
  OPTIONAL {{
    # pdo:locatedIn is transitive, and the inferred graph holds every link of the seat's chain of
    # places: one step reaches the country (a path would work the closure out again, 7x the time at ~1M).
    ?partner pdo:hasSeat/pdo:locatedIn ?country .
    ?country a pdo:Country .
    OPTIONAL {{ ?country pdo:isoCountryCode ?iso }}
    OPTIONAL {{ ?country rdfs:label ?countryLabel {_label_filter('?countryLabel', lang)} }}
  }}"""


def query_by_country(lang: str, focus: str | None = None, name: str | None = None) -> str:
    return f"""# {_whose(name, lang, "Acuerdos por país de la contraparte", "Agreements by the partner's country")}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?country (SAMPLE(?iso) AS ?code) (SAMPLE(?countryLabel) AS ?label)
       (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
{_partner_countries(lang, focus)}
}}
GROUP BY ?country
ORDER BY DESC(?agreements) ?code
"""


def query_by_region(lang: str, focus: str | None = None, name: str | None = None) -> str:
    rows = "\n".join(f'      ("{iso}" "{key}")' for iso, key in REGION_OF.items())
    return f"""# {_whose(name, lang, "Acuerdos por región de la contraparte", "Agreements by the partner's region")}
{PREFIX_LINES['pdo']}

SELECT ?region (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
{_parties(focus)}
  OPTIONAL {{
    ?partner pdo:hasSeat/pdo:locatedIn ?country .
    ?country a pdo:Country ;
             pdo:isoCountryCode ?iso .
  }}
  # Region of each ISO 3166-1 code (paradip-kg's table, after the UN M49 continents,
  # with the Americas split into North, Central and South America). ?key is always bound,
  # so a partner without a country matches no row instead of every row.
  BIND(COALESCE(?iso, "-") AS ?key)
  OPTIONAL {{
    VALUES (?key ?known) {{
{rows}
    }}
  }}
  BIND(COALESCE(?known, "unassigned") AS ?region)
}}
GROUP BY ?region
ORDER BY DESC(?agreements) ?region
"""


def query_by_theme(lang: str, focus: str | None = None, name: str | None = None) -> str:
    return f"""# {_whose(name, lang, "Acuerdos por tema", "Agreements by theme")}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['skos']}

SELECT ?theme (SAMPLE(?themeLabel) AS ?label) (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement ;
             pdo:theme ?theme .{_of(focus)}
  OPTIONAL {{ ?theme skos:prefLabel ?themeLabel {_label_filter('?themeLabel', lang)} }}
}}
GROUP BY ?theme
ORDER BY DESC(?agreements) ?theme
"""


def query_by_sdg(lang: str, focus: str | None = None, name: str | None = None) -> str:
    return f"""# {_whose(name, lang, "Acuerdos por Objetivo de Desarrollo Sostenible",
                        "Agreements by Sustainable Development Goal")}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['skos']}
{PREFIX_LINES['xsd']}

SELECT ?goal (SAMPLE(?notation) AS ?code) (SAMPLE(?goalLabel) AS ?label)
       (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  # An agreement aligned with a goal or with one of its targets counts for the goal.
  ?agreement a pdo:Agreement ;
             pdo:alignedWith ?aligned .{_of(focus)}
  ?aligned skos:broader* ?goal .
  <{VOCAB['sdg']}> skos:hasTopConcept ?goal .
  OPTIONAL {{ ?goal skos:notation ?notation }}
  OPTIONAL {{ ?goal skos:prefLabel ?goalLabel {_label_filter('?goalLabel', lang)} }}
}}
GROUP BY ?goal
ORDER BY xsd:integer(?code) ?goal
"""


def query_network(lang: str, focus: str | None = None, name: str | None = None) -> str:
    title = (i18n.text((f"{name} y sus contrapartes", f"{name} and its partners"), lang) if name else
             i18n.text(("Las partes de cada acuerdo", "The parties of every agreement"), lang))
    return f"""# {title}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?partner (SAMPLE(?seatLabel) AS ?place) (SAMPLE(?partnerLabel) AS ?name)
       ?agreement (SAMPLE(?start) AS ?since) (SAMPLE(?scope) AS ?reach) (SAMPLE(?iso) AS ?code)
WHERE {{
{_parties(focus)}
  OPTIONAL {{ ?agreement pdo:startDate ?start }}
  {_scope_bind()}
  OPTIONAL {{ ?partner pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  OPTIONAL {{ ?partner rdfs:label ?partnerLabel {_label_filter('?partnerLabel', lang)} }}
  OPTIONAL {{ ?partner pdo:hasSeat/pdo:locatedIn ?country . ?country a pdo:Country ; pdo:isoCountryCode ?iso }}
}}
GROUP BY ?partner ?agreement
ORDER BY ?since ?place
"""


def query_governments(lang: str) -> str:
    """Every government that is a party to an agreement, with its seat's name and its agreements (the selector)."""
    return f"""# {i18n.text(("Los gobiernos y sus acuerdos", "The governments and their agreements"), lang)}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?government (SAMPLE(?seatLabel) AS ?place) (SAMPLE(?label) AS ?name)
       (SAMPLE(?iso) AS ?code) (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement ;
             pdo:hasParty ?government .
  OPTIONAL {{ ?government pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  OPTIONAL {{ ?government rdfs:label ?label {_label_filter('?label', lang)} }}
  OPTIONAL {{ ?government pdo:hasSeat/pdo:locatedIn ?country . ?country a pdo:Country ; pdo:isoCountryCode ?iso }}
}}
GROUP BY ?government
ORDER BY DESC(?agreements) ?place
"""


def query_map(lang: str, focus: str | None = None, name: str | None = None) -> str:
    title = (i18n.text((f"Las contrapartes de {name} en el mapa", f"{name}'s partners on the map"), lang) if name
             else i18n.text(("Las partes de cada acuerdo en el mapa", "The parties of every agreement on the map"),
                            lang))
    return f"""# {title}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}
PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX schema: <https://schema.org/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>

SELECT ?partner (SAMPLE(?seatLabel) AS ?place) ?agreement (SAMPLE(?iso) AS ?code)
       (SAMPLE(?lat) AS ?latitude) (SAMPLE(?long) AS ?longitude) (SAMPLE(?wkt) AS ?point)
       (IF(EXISTS {{ ?agreement a pdo:NationalAgreement }}, "national", "international") AS ?reach)
WHERE {{
{_parties(focus)}
  OPTIONAL {{ ?partner pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  OPTIONAL {{ ?partner pdo:hasSeat/pdo:locatedIn ?country . ?country a pdo:Country ; pdo:isoCountryCode ?iso }}
  # Coordinates where the graph has them: the seat's own, or Wikidata's (P625) of the item it is.
  OPTIONAL {{ ?partner pdo:hasSeat ?s1 . ?s1 wgs:lat ?lat ; wgs:long ?long }}
  OPTIONAL {{ ?partner pdo:hasSeat/schema:sameAs ?item . ?item wdt:P625 ?wkt }}
}}
GROUP BY ?partner ?agreement
ORDER BY ?place
"""


# Each chart: its first form and its query now, by the chart's slug.
CHARTS: dict[str, tuple[Callable[..., str], Callable[..., str]]] = {
    "by-year": (query_by_year, queries.query_by_year),
    "by-scope": (query_by_scope, queries.query_by_scope),
    "by-country": (query_by_country, queries.query_by_country),
    "by-region": (query_by_region, queries.query_by_region),
    "by-theme": (query_by_theme, queries.query_by_theme),
    "by-sdg": (query_by_sdg, queries.query_by_sdg),
    "network": (query_network, queries.query_network),
    "map": (query_map, now_map.query_map),
}
