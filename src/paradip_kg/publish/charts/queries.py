"""The SPARQL query behind each chart of the home page, with the words of its title comment.

Each query is plain SPARQL 1.1 with its own PREFIX lines, run on the store as it is and linked
from its chart on ``/sparql``, so a reader can see, change and download what produced the chart.
Labels are asked for in the page's language (``LANGMATCHES``).

The scope of an agreement comes back as one of :data:`NATIONAL`, :data:`INTERNATIONAL` and
:data:`UNSTATED`; a partner's region comes from its country's ISO code through :data:`REGION_OF`,
written into the query.
"""

from __future__ import annotations

from paradip_kg import i18n
from paradip_kg.namespaces import ID, VOCAB

FOCUS = str(ID["government/mx-23005"])  # the municipal government of Benito Juárez (Cancún)
NATIONAL, INTERNATIONAL, UNSTATED = "national", "international", "unstated"

# Region of each country, by ISO 3166-1 alpha-2 code: the continents of the UN M49 scheme,
# with the Americas split into North America (Mexico included, as in M49's "Northern America"
# plus Mexico, the usual Spanish-language convention), Central America and South America.
# It covers the countries in the data and their neighbours; a code missing here is shown as
# "region not assigned", never guessed. Add a row when the data gains a country.
REGION_OF: dict[str, str] = {
    "MX": "north-america", "US": "north-america", "CA": "north-america",
    "GT": "central-america", "BZ": "central-america", "SV": "central-america", "HN": "central-america",
    "NI": "central-america", "CR": "central-america", "PA": "central-america",
    "AR": "south-america", "UY": "south-america", "BR": "south-america", "CL": "south-america",
    "CO": "south-america", "PE": "south-america", "PY": "south-america", "BO": "south-america",
    "EC": "south-america", "VE": "south-america",
    "ES": "europe", "FR": "europe", "DE": "europe", "IT": "europe", "PT": "europe", "GB": "europe",
    "CN": "asia", "JP": "asia", "KR": "asia", "IN": "asia",
}

PREFIX_LINES = {
    "pdo": "PREFIX pdo: <https://w3id.org/paradip/ontology#>",
    "rdfs": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "skos": "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "xsd": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
}


def _label_filter(var: str, lang: str) -> str:
    return f'FILTER(LANGMATCHES(LANG({var}), "{lang}"))'



def _scope_bind(var: str = "?agreement") -> str:
    return (f'BIND(IF(EXISTS {{ {var} a pdo:InternationalAgreement }}, "{INTERNATIONAL}",\n'
            f'          IF(EXISTS {{ {var} a pdo:NationalAgreement }}, "{NATIONAL}", "{UNSTATED}")) AS ?scope)')


def query_by_year(lang: str) -> str:
    return f"""# {i18n.text(("Acuerdos por año de inicio y ámbito", "Agreements by starting year and scope"), lang)}
{PREFIX_LINES['pdo']}

SELECT ?year ?scope (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement .
  # The first four characters of the date work for xsd:gYear, xsd:gYearMonth and xsd:date alike.
  OPTIONAL {{ ?agreement pdo:startDate ?start }}
  BIND(SUBSTR(STR(?start), 1, 4) AS ?year)
  {_scope_bind()}
}}
GROUP BY ?year ?scope
ORDER BY ?year ?scope
"""


def query_by_scope(lang: str) -> str:
    return f"""# {i18n.text(("Acuerdos nacionales e internacionales", "National and international agreements"), lang)}
{PREFIX_LINES['pdo']}

SELECT ?scope (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement .
  # pdo:NationalAgreement and pdo:InternationalAgreement are inferred from pdo:scope.
  {_scope_bind()}
}}
GROUP BY ?scope
ORDER BY ?scope
"""


def _partner_countries(lang: str) -> str:
    return f"""  ?agreement a pdo:Agreement ;
             pdo:hasParty <{FOCUS}> , ?partner .
  FILTER(?partner != <{FOCUS}>)
  OPTIONAL {{
    # pdo:locatedIn is transitive: the seat's chain of places reaches the country.
    ?partner pdo:hasSeat/pdo:locatedIn+ ?country .
    ?country a pdo:Country .
    OPTIONAL {{ ?country pdo:isoCountryCode ?iso }}
    OPTIONAL {{ ?country rdfs:label ?countryLabel {_label_filter('?countryLabel', lang)} }}
  }}"""


def query_by_country(lang: str) -> str:
    return f"""# {i18n.text(("Acuerdos de Benito Juárez por país de la contraparte",
                              "Benito Juárez's agreements by the partner's country"), lang)}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?country (SAMPLE(?iso) AS ?code) (SAMPLE(?countryLabel) AS ?label)
       (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
{_partner_countries(lang)}
}}
GROUP BY ?country
ORDER BY DESC(?agreements) ?code
"""


def query_by_region(lang: str) -> str:
    rows = "\n".join(f'      ("{iso}" "{key}")' for iso, key in REGION_OF.items())
    return f"""# {i18n.text(("Acuerdos de Benito Juárez por región de la contraparte",
                              "Benito Juárez's agreements by the partner's region"), lang)}
{PREFIX_LINES['pdo']}

SELECT ?region (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement ;
             pdo:hasParty <{FOCUS}> , ?partner .
  FILTER(?partner != <{FOCUS}>)
  OPTIONAL {{
    ?partner pdo:hasSeat/pdo:locatedIn+ ?country .
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


def query_by_theme(lang: str) -> str:
    return f"""# {i18n.text(("Acuerdos por tema", "Agreements by theme"), lang)}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['skos']}

SELECT ?theme (SAMPLE(?themeLabel) AS ?label) (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement ;
             pdo:theme ?theme .
  OPTIONAL {{ ?theme skos:prefLabel ?themeLabel {_label_filter('?themeLabel', lang)} }}
}}
GROUP BY ?theme
ORDER BY DESC(?agreements) ?theme
"""


def query_by_sdg(lang: str) -> str:
    return f"""# {i18n.text(("Acuerdos por Objetivo de Desarrollo Sostenible",
                              "Agreements by Sustainable Development Goal"), lang)}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['skos']}
{PREFIX_LINES['xsd']}

SELECT ?goal (SAMPLE(?notation) AS ?code) (SAMPLE(?goalLabel) AS ?label)
       (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  # An agreement aligned with a goal or with one of its targets counts for the goal.
  ?agreement a pdo:Agreement ;
             pdo:alignedWith ?aligned .
  ?aligned skos:broader* ?goal .
  <{VOCAB['sdg']}> skos:hasTopConcept ?goal .
  OPTIONAL {{ ?goal skos:notation ?notation }}
  OPTIONAL {{ ?goal skos:prefLabel ?goalLabel {_label_filter('?goalLabel', lang)} }}
}}
GROUP BY ?goal
ORDER BY xsd:integer(?code) ?goal
"""


def query_network(lang: str) -> str:
    return f"""# {i18n.text(("Benito Juárez y sus contrapartes", "Benito Juárez and its partners"), lang)}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?partner (SAMPLE(?seatLabel) AS ?place) (SAMPLE(?partnerLabel) AS ?name)
       ?agreement (SAMPLE(?start) AS ?since) (SAMPLE(?scope) AS ?reach) (SAMPLE(?iso) AS ?code)
WHERE {{
  ?agreement a pdo:Agreement ;
             pdo:hasParty <{FOCUS}> , ?partner .
  FILTER(?partner != <{FOCUS}>)
  OPTIONAL {{ ?agreement pdo:startDate ?start }}
  {_scope_bind()}
  OPTIONAL {{ ?partner pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  OPTIONAL {{ ?partner rdfs:label ?partnerLabel {_label_filter('?partnerLabel', lang)} }}
  OPTIONAL {{ ?partner pdo:hasSeat/pdo:locatedIn+ ?country . ?country a pdo:Country ; pdo:isoCountryCode ?iso }}
}}
GROUP BY ?partner ?agreement
ORDER BY ?since ?place
"""


def query_focus(lang: str) -> str:
    return f"""{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}
SELECT (SAMPLE(?seatLabel) AS ?place) (SAMPLE(?label) AS ?name) WHERE {{
  OPTIONAL {{ <{FOCUS}> pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  OPTIONAL {{ <{FOCUS}> rdfs:label ?label {_label_filter('?label', lang)} }}
}}
"""
