"""The SPARQL query behind each chart of the home page, with the words of its title comment.

Each query is plain SPARQL 1.1 with its own PREFIX lines, run on the store as it is and linked
from its chart on ``/sparql``, so a reader can see, change and download what produced the chart.
Labels are asked for in the page's language (``LANGMATCHES``).

Each query takes the chosen municipal government (``focus``, an IRI): the charts then count that
government's agreements only; with no focus they count every agreement in the graph, and "the
partner" is every party of an agreement (so the countries are the countries taking part).

The scope of an agreement comes back as one of :data:`NATIONAL`, :data:`INTERNATIONAL` and
:data:`UNSTATED`; a partner's region comes from its country's ISO code through :data:`REGION_OF`,
written into the query.

Over every agreement the queries are written the way Oxigraph evaluates well from disk at ~1M
(docs/sparql.md, "Patterns"): what is looked up for each row (an agreement's scope and start, a
partner's country) is read once for the whole graph in a sub-select and joined, and
``pdo:hasParty`` needs no type pattern (its domain is ``pdo:Agreement``, and the inferred graph
holds it). With a focus the rows are few and those facts are looked up row by row instead. Without a
focus, a graph of more than :data:`DRAW_EVERY` agreements draws, in the network and the map, the
agreements of the :data:`HUBS` governments with the most agreements, never 40,000
chords at once.
"""

from __future__ import annotations

from paradip_kg import i18n
from paradip_kg.namespaces import ID, VOCAB

DRAW_EVERY = 500  # without a focus, the network and the map draw every agreement up to this many
HUBS = 5  # past it, they draw the agreements of this many governments, those with the most agreements
CHOICES = 200  # the selector lists this many governments, those with the most agreements
FOCUS = str(ID["government/mx-23005"])  # the municipal government of Benito Juárez (Cancún), the essay's
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


def _of(focus: str | None) -> str:
    """The pattern that keeps the focus's agreements (nothing without a focus)."""
    return f"\n  ?agreement pdo:hasParty <{focus}> ." if focus else ""


def _parties(focus: str | None, hubs: int = 0) -> str:
    """The agreement and its partner: the other party of the focus's agreements, every party of the
    agreements of the ``hubs`` governments with the most agreements, or every party of every agreement."""
    if focus:
        return f"""  ?agreement a pdo:Agreement ;
             pdo:hasParty <{focus}> , ?partner .
  FILTER(?partner != <{focus}>)"""
    if hubs:
        return f"""  # The {hubs} parties with the most agreements, then every party of their agreements.
{_top("?hub", hubs)}
  ?agreement pdo:hasParty ?hub , ?partner ."""
    return """  ?agreement pdo:hasParty ?partner .  # its domain is pdo:Agreement: no type pattern needed"""


def _top(var: str, count: int, within: str = "") -> str:
    """The ``count`` parties (``var``) with the most agreements (``?counted``), ties in the order of their
    IRIs; with ``within``, only parties whose IRI starts with it.

    Ordering every party by its IRI reads 40,000 IRIs from disk at ~1M (1.6 s): the ties are put in
    order only among those counting at least as many agreements as the ``count``-th."""
    only = f' FILTER(STRSTARTS(STR(?p), "{within}"))' if within else ""
    return f"""  # The {count} with the most agreements; ties at the last place are put in the order of their IRIs
  # among those counting at least as many as the {count}th (ordering every party by IRI is slow at ~1M).
  {{
    SELECT {var} ?counted
    WHERE {{
      {{
        SELECT (MIN(?n) AS ?least)
        WHERE {{
          {{
            SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ ?a pdo:hasParty ?p{only} }}
            GROUP BY ?p ORDER BY DESC(?n) LIMIT {count}
          }}
        }}
      }}
      {{
        SELECT {var} (COUNT(DISTINCT ?a) AS ?counted) WHERE {{ ?a pdo:hasParty {var}{only.replace("?p", var)} }}
        GROUP BY {var}
      }}
      FILTER(?counted >= ?least)
    }}
    ORDER BY DESC(?counted) {var}
    LIMIT {count}
  }}"""


def _country_code(var: str) -> str:
    """The ISO code of the country of ``var``'s seat, if it has one. The type of the country is a
    FILTER EXISTS: as a pattern of the OPTIONAL, Oxigraph reads the group for the whole graph first
    (0.9 s at ~1M for a government's 19 partners, against 0.00 s)."""
    return (f"OPTIONAL {{ {var} pdo:hasSeat/pdo:locatedIn ?country . ?country pdo:isoCountryCode ?iso .\n"
            "             FILTER EXISTS { ?country a pdo:Country } }")


def _agreements(focus: str | None) -> str:
    """The agreements: the focus's (looked up row by row), or every one (read once and joined)."""
    if focus:
        return f"?agreement a pdo:Agreement ; pdo:hasParty <{focus}> ."
    return "{ SELECT ?agreement WHERE { ?agreement a pdo:Agreement } }"


def count_agreements() -> str:
    """How many agreements the graph has (the figure the home page shows)."""
    return (f"{PREFIX_LINES['pdo']}\n"
            "SELECT (COUNT(DISTINCT ?agreement) AS ?agreements) WHERE { ?agreement a pdo:Agreement }\n")


def _whose(focus_name: str | None, lang: str, es: str, en: str) -> str:
    if focus_name:
        return i18n.text((f"{es} de {focus_name}", f"{focus_name}'s {en.lower()}"), lang)
    return i18n.text((es, en), lang)



def _scope_bind(var: str = "?agreement") -> str:
    return (f'BIND(IF(EXISTS {{ {var} a pdo:InternationalAgreement }}, "{INTERNATIONAL}",\n'
            f'          IF(EXISTS {{ {var} a pdo:NationalAgreement }}, "{NATIONAL}", "{UNSTATED}")) AS ?scope)')


def _scope(focus: str | None) -> str:
    """The scope of each agreement: looked up for a focus's few agreements; for every agreement, each
    class read once and joined (an EXISTS for each of 40,000 agreements costs 10x from disk).
    pdo:NationalAgreement and pdo:InternationalAgreement are inferred from pdo:scope."""
    if focus:
        return _scope_bind()
    return f"""OPTIONAL {{ {{ SELECT ?agreement ("{INTERNATIONAL}" AS ?international)
               WHERE {{ ?agreement a pdo:InternationalAgreement }} }} }}
  OPTIONAL {{ {{ SELECT ?agreement ("{NATIONAL}" AS ?national) WHERE {{ ?agreement a pdo:NationalAgreement }} }} }}
  BIND(COALESCE(?international, ?national, "{UNSTATED}") AS ?scope)"""


def _joined(focus: str | None, names: str, pattern: str) -> str:
    """``OPTIONAL { pattern }``: looked up row by row for a focus's few rows; over every agreement,
    read once for the whole graph in a sub-select (``names`` its variables) and joined."""
    if focus:
        return f"OPTIONAL {{ {pattern} }}"
    return f"OPTIONAL {{ {{ SELECT DISTINCT {names} WHERE {{ {pattern} }} }} }}"


def query_by_year(lang: str, focus: str | None = None, name: str | None = None) -> str:
    return f"""# {_whose(name, lang, "Acuerdos por año de inicio y ámbito", "Agreements by starting year and scope")}
{PREFIX_LINES['pdo']}

SELECT ?year ?scope (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
  ?agreement a pdo:Agreement .{_of(focus)}
  # The first four characters of the date work for xsd:gYear, xsd:gYearMonth and xsd:date alike.
  {_joined(focus, "?agreement ?start", "?agreement pdo:startDate ?start")}
  BIND(SUBSTR(STR(?start), 1, 4) AS ?year)
  {_scope(focus)}
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
  {_scope(focus)}
}}
GROUP BY ?scope
ORDER BY ?scope
"""


def _partner_country(focus: str | None, lang: str | None = None) -> str:
    """The partner's country and its ISO code (and, with ``lang``, its label), if its seat has one.

    pdo:locatedIn is transitive, and the inferred graph holds every link of the seat's chain of
    places: one step reaches the country (a path would work the closure out again, 7x the time at ~1M).
    Over every agreement, the partners' countries and the countries' facts are each read once and joined."""
    label = f" OPTIONAL {{ ?country rdfs:label ?countryLabel {_label_filter('?countryLabel', lang)} }}" if lang else ""
    if focus:
        return (f"OPTIONAL {{\n    ?partner pdo:hasSeat/pdo:locatedIn ?country .\n"
                f"    FILTER EXISTS {{ ?country a pdo:Country }}\n"
                f"    OPTIONAL {{ ?country pdo:isoCountryCode ?iso }}{label}\n  }}")
    names = "?country ?iso" + (" ?countryLabel" if lang else "")
    return f"""OPTIONAL {{
    {{
      SELECT DISTINCT ?partner ?country
      WHERE {{ ?partner pdo:hasSeat/pdo:locatedIn ?country . ?country a pdo:Country }}
    }}
    OPTIONAL {{
      {{
        SELECT {names}
        WHERE {{ ?country a pdo:Country OPTIONAL {{ ?country pdo:isoCountryCode ?iso }}{label} }}
      }}
    }}
  }}"""


def query_by_country(lang: str, focus: str | None = None, name: str | None = None) -> str:
    return f"""# {_whose(name, lang, "Acuerdos por país de la contraparte", "Agreements by the partner's country")}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?country (SAMPLE(?iso) AS ?code) (SAMPLE(?countryLabel) AS ?label)
       (COUNT(DISTINCT ?agreement) AS ?agreements)
WHERE {{
{_parties(focus)}
  {_partner_country(focus, lang)}
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
  {_partner_country(focus)}
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

SELECT ?theme (SAMPLE(?themeLabel) AS ?label) (SAMPLE(?counted) AS ?agreements)
WHERE {{
  {{
    SELECT ?theme (COUNT(DISTINCT ?agreement) AS ?counted)
    WHERE {{
      ?agreement pdo:theme ?theme .
      {_agreements(focus)}
    }}
    GROUP BY ?theme
  }}
  # The label of each counted theme, not of every agreement's row.
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

SELECT ?goal (SAMPLE(?notation) AS ?code) (SAMPLE(?goalLabel) AS ?label) (SAMPLE(?counted) AS ?agreements)
WHERE {{
  {{
    SELECT ?goal (COUNT(DISTINCT ?agreement) AS ?counted)
    WHERE {{
      # An agreement aligned with a goal or with one of its targets counts for the goal: the path
      # starts from the 17 goals, so it never has both ends open.
      {{
        SELECT ?goal ?aligned
        WHERE {{
          <{VOCAB['sdg']}> skos:hasTopConcept ?goal .
          ?aligned skos:broader* ?goal .
        }}
      }}
      ?agreement pdo:alignedWith ?aligned .
      {_agreements(focus)}
    }}
    GROUP BY ?goal
  }}
  OPTIONAL {{ ?goal skos:notation ?notation }}
  OPTIONAL {{ ?goal skos:prefLabel ?goalLabel {_label_filter('?goalLabel', lang)} }}
}}
GROUP BY ?goal
ORDER BY xsd:integer(?code) ?goal
"""


def query_network(lang: str, focus: str | None = None, name: str | None = None, hubs: int = 0) -> str:
    """The parties of the focus's agreements, of every agreement, or (``hubs``) of the agreements of
    the ``hubs`` governments with the most agreements."""
    title = (i18n.text((f"{name} y sus contrapartes", f"{name} and its partners"), lang) if name else
             i18n.text((f"Los {hubs} gobiernos con más acuerdos y sus contrapartes",
                        f"The {hubs} governments with the most agreements and their partners"), lang) if hubs else
             i18n.text(("Las partes de cada acuerdo", "The parties of every agreement"), lang))
    return f"""# {title}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?partner (SAMPLE(?seatLabel) AS ?place) (SAMPLE(?partnerLabel) AS ?name)
       ?agreement (SAMPLE(?start) AS ?since) (SAMPLE(?scope) AS ?reach) (SAMPLE(?iso) AS ?code)
WHERE {{
{_parties(focus, hubs)}
  OPTIONAL {{ ?agreement pdo:startDate ?start }}
  {_scope_bind()}
  OPTIONAL {{ ?partner pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  OPTIONAL {{ ?partner rdfs:label ?partnerLabel {_label_filter('?partnerLabel', lang)} }}
  {_country_code('?partner')}
}}
GROUP BY ?partner ?agreement
ORDER BY ?since ?place
"""


def query_governments(lang: str, first: int | None = None) -> str:
    """The ``first`` governments party to the most agreements, with their seat's name and their
    agreements (the selector): counted over every agreement, then named."""
    return _governments(lang, _top("?government", first or CHOICES, str(ID["government/"])))


def query_government(lang: str, iri: str) -> str:
    """One government party to an agreement, as the selector names it (for a choice past the first)."""
    return _governments(lang, f"""  {{
    SELECT ?government (COUNT(DISTINCT ?agreement) AS ?counted)
    WHERE {{ ?agreement pdo:hasParty ?government . VALUES ?government {{ <{iri}> }} }}
    GROUP BY ?government
  }}""")


def _governments(lang: str, counted: str) -> str:
    return f"""# {i18n.text(("Los gobiernos y sus acuerdos", "The governments and their agreements"), lang)}
{PREFIX_LINES['pdo']}
{PREFIX_LINES['rdfs']}

SELECT ?government (SAMPLE(?seatLabel) AS ?place) (SAMPLE(?label) AS ?name)
       (SAMPLE(?iso) AS ?code) (SAMPLE(?counted) AS ?agreements)
WHERE {{
{counted}
  OPTIONAL {{ ?government pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  OPTIONAL {{ ?government rdfs:label ?label {_label_filter('?label', lang)} }}
  {_country_code('?government')}
}}
GROUP BY ?government
ORDER BY DESC(?agreements) ?place
"""
