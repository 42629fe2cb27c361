"""The home page's charts, drawn on the server as SVG from SPARQL queries on the store.

Each chart is one SPARQL SELECT query, run on the store, then laid out here (positions,
sizes, ticks) together with the table that stands in for the picture. The SVG itself is
written by ``templates/_charts.html``, where Jinja escapes every label that comes from the
data. Every chart links to its query on ``/sparql``, so a reader can see, change and
download what produced it; the queries are plain SPARQL 1.1 with their own PREFIX lines.

    agreements by year (1985–2021), national vs international, stacked, with the running total
    agreements by the partner's country, and by the partner's region (table :data:`REGION_OF`)
    national vs international
    agreements by theme, and by SDG alignment: an empty state while no agreement states one
    a radial network of Benito Juárez and its partners, in the order of their agreements

Nothing is invented: a chart whose query finds nothing shows an empty state that says so.
The charts, and their HTML, are made once per store version and language
(:func:`charts_section`, which the home page calls).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup

from paradip_kg import i18n
from paradip_kg.namespaces import ID, VOCAB
from paradip_kg.sparql.local import run_on_store

bp = Blueprint("charts", __name__)

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
REGIONS: dict[str, i18n.Pair] = {
    "north-america": ("América del Norte", "North America"),
    "central-america": ("América Central", "Central America"),
    "south-america": ("América del Sur", "South America"),
    "europe": ("Europa", "Europe"),
    "asia": ("Asia", "Asia"),
    "unassigned": ("Región sin asignar", "Region not assigned"),
}

PREFIX_LINES = {
    "pdo": "PREFIX pdo: <https://w3id.org/paradip/ontology#>",
    "rdfs": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "skos": "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
    "xsd": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
}

WORDS: dict[str, i18n.Pair] = {
    NATIONAL: ("Nacional", "National"),
    INTERNATIONAL: ("Internacional", "International"),
    UNSTATED: ("Ámbito no indicado", "Scope not stated"),
    "agreements": ("Acuerdos", "Agreements"),
    "year": ("Año", "Year"),
    "total": ("Total", "Total"),
    "cumulative": ("Acumulado", "Running total"),
    "country": ("País", "Country"),
    "region": ("Región", "Region"),
    "scope": ("Ámbito", "Scope"),
    "share": ("Proporción", "Share"),
    "theme": ("Tema", "Theme"),
    "goal": ("Objetivo de Desarrollo Sostenible", "Sustainable Development Goal"),
    "partner": ("Contraparte", "Partner"),
    "since": ("Desde", "Since"),
    "no country": ("País no indicado", "Country not stated"),
    "undated": ("sin fecha", "undated"),
}


def word(key: str, lang: str) -> str:
    return i18n.text(WORDS[key], lang)


def _label_filter(var: str, lang: str) -> str:
    return f'FILTER(LANGMATCHES(LANG({var}), "{lang}"))'


# --- The queries --------------------------------------------------------------------------

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


# --- What the template draws ----------------------------------------------------------------

@dataclass
class Link:
    text: str
    href: str | None = None


@dataclass
class Table:
    """The data table that stands in for a chart (its first column names the row)."""

    columns: list[str]
    rows: list[list[Link | str | int]]


@dataclass
class Chart:
    """One chart: its words, its query, its picture (``kind`` + ``layout``) and its table."""

    slug: str
    kind: str  # "years", "bars", "share", "network" or "empty"
    title: str
    caption: str
    summary: str  # one sentence for <desc>: what the picture shows
    query: str
    query_href: str
    table: Table
    layout: dict[str, Any] = field(default_factory=dict)
    empty: str | None = None  # the empty state, said instead of a picture
    note: str | None = None


@dataclass
class Bar:
    label: str
    value: int
    href: str | None = None
    title: str | None = None
    cls: str = "bar"


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _int(term: Any) -> int:
    return int(term.value) if term is not None else 0


def _nice_max(value: int) -> tuple[int, int]:
    """An axis top at or above ``value`` and a tick step that gives at most about six ticks."""
    if value <= 0:
        return 1, 1
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        step = candidate
        if value / candidate <= 6:
            break
    else:
        step = 10 ** (len(str(value)) - 1)
    return int(math.ceil(value / step) * step), step


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bars_layout(bars: list[Bar], *, width: int = 540, label_width: int = 170, row: int = 28,
                label_chars: int = 26) -> dict[str, Any]:
    """Horizontal bars: one row per bar, the label left of the bar, the value right of it."""
    top, bar_height = 6, 18
    plot = width - label_width - 48
    most = max((b.value for b in bars), default=0) or 1
    rows = []
    for index, bar in enumerate(bars):
        y = top + index * row
        length = round(plot * bar.value / most, 1)
        rows.append({"y": y, "text_y": y + bar_height / 2 + 5, "x": label_width, "width": max(length, 1.0),
                     "height": bar_height, "value_x": label_width + max(length, 1.0) + 6,
                     "label_x": label_width - 8, "label": _short(bar.label, label_chars), "full": bar.label,
                     "value": bar.value, "href": bar.href, "title": bar.title or f"{bar.label}: {bar.value}",
                     "cls": bar.cls})
    return {"width": width, "height": top * 2 + len(bars) * row, "rows": rows}


def years_layout(counts: dict[int, dict[str, int]], lang: str, *, width: int = 960,
                 height: int = 300) -> dict[str, Any]:
    """Stacked vertical bars per year (national below, international above), every year from
    the first to the last, with the running total as a line against a right-hand axis."""
    left, right, top, bottom = 40, 44, 14, 46
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / len(years)
    bar_w = round(max(step * 0.72, 2.0), 2)
    per_year = {y: sum(counts.get(y, {}).values()) for y in years}
    y_top, y_step = _nice_max(max(per_year.values()))
    total = sum(per_year.values())
    c_top, c_step = _nice_max(total)
    base = top + plot_h
    segments, points, labels, running = [], [], [], 0
    for index, year in enumerate(years):
        x = left + index * step + (step - bar_w) / 2
        stacked = 0
        for scope in (NATIONAL, INTERNATIONAL, UNSTATED):
            n = counts.get(year, {}).get(scope, 0)
            if not n:
                continue
            h = plot_h * n / y_top
            segments.append({"x": round(x, 2), "y": round(base - plot_h * (stacked + n) / y_top, 2),
                             "width": bar_w, "height": round(h, 2), "cls": scope,
                             "title": f"{year} · {word(scope, lang)}: {n}"})
            stacked += n
        running += per_year[year]
        points.append(f"{round(left + index * step + step / 2, 2)},{round(base - plot_h * running / c_top, 2)}")
        if year == first or year == last or (year % 5 == 0 and last - year >= 3 and year - first >= 3):
            labels.append({"x": round(left + index * step + step / 2, 2), "text": str(year)})
    ticks = [{"y": round(base - plot_h * v / y_top, 2), "text": str(v)} for v in range(0, y_top + 1, y_step)]
    right_ticks = [{"y": round(base - plot_h * v / c_top, 2), "text": str(v)} for v in range(0, c_top + 1, c_step)]
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top, "base": base,
            "segments": segments, "line": " ".join(points), "labels": labels, "label_y": base + 18,
            "ticks": ticks, "right_ticks": right_ticks, "first": first, "last": last, "total": total,
            "axis_title_y": height - 6}


def share_layout(parts: list[tuple[str, int]], lang: str, *, width: int = 540) -> dict[str, Any]:
    """One bar split into its parts (a part-to-whole view), with a legend under it."""
    total = sum(n for _, n in parts) or 1
    x, segments, legend = 0.0, [], []
    plot = width - 2
    for index, (key, n) in enumerate(parts):
        w = plot * n / total
        percent = round(100 * n / total)
        segments.append({"x": round(1 + x, 2), "width": round(w, 2), "cls": key, "n": n, "percent": percent,
                         "text_x": round(1 + x + w / 2, 2), "show_text": w >= 48,
                         "title": f"{word(key, lang)}: {n} ({percent} %)"})
        legend.append({"x": 1 + index * 180, "cls": key, "text": f"{word(key, lang)}: {n} ({percent} %)"})
        x += w
    return {"width": width, "height": 78, "segments": segments, "legend": legend}


def network_layout(centre: str, partners: list[dict[str, Any]], *, width: int = 760,
                   height: int = 520) -> dict[str, Any]:
    """A radial layout: the focus in the middle, its partners on a circle, clockwise from the
    top in the order of their agreements (the circle reads as a timeline)."""
    cx, cy = width / 2, height / 2
    radius = min(width, height) / 2 - 80
    nodes = []
    count = len(partners) or 1
    for index, partner in enumerate(partners):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = cx + radius * cos, cy + radius * sin
        lx, ly = cx + (radius + 14) * cos, cy + (radius + 14) * sin + 4
        anchor = "middle" if abs(cos) < 0.1 else ("start" if cos > 0 else "end")
        if abs(cos) < 0.1:  # straight above or below the centre: the label above or below the node
            ly = y - 14 if sin < 0 else y + 22
        nodes.append({**partner, "x": round(x, 2), "y": round(y, 2), "label_x": round(lx, 2),
                      "label_y": round(ly, 2), "anchor": anchor})
    return {"width": width, "height": height, "cx": cx, "cy": cy, "radius": radius, "centre": centre,
            "nodes": nodes}


# --- The charts -----------------------------------------------------------------------------

Linker = Callable[[str], "str | None"]


def _bindings(store: ox.Store, text: str) -> list[dict[str, Any]]:
    return run_on_store(store, text).rows


def chart_by_year(store: ox.Store, lang: str, sparql: Linker) -> Chart:
    text = query_by_year(lang)
    counts: dict[int, dict[str, int]] = {}
    undated = 0
    for row in _bindings(store, text):
        year, scope, n = _value(row.get("year")), _value(row.get("scope")) or UNSTATED, _int(row.get("agreements"))
        if not year or not year.isdigit():
            undated += n
            continue
        counts.setdefault(int(year), {})[scope] = counts.setdefault(int(year), {}).get(scope, 0) + n
    title = i18n.text(("Acuerdos por año de inicio", "Agreements by starting year"), lang)
    columns = [word("year", lang), word(NATIONAL, lang), word(INTERNATIONAL, lang), word("total", lang),
               word("cumulative", lang)]
    href = sparql(text) or ""
    if not counts:
        empty = i18n.text(("Ningún acuerdo de los datos indica todavía su fecha de inicio.",
                       "No agreement in the data states its starting date yet."), lang)
        return Chart("by-year", "empty", title, "", empty, text, href, Table(columns, []), empty=empty)
    layout = years_layout(counts, lang)
    rows: list[list[Link | str | int]] = []
    running = 0
    for year in range(layout["first"], layout["last"] + 1):
        c = counts.get(year, {})
        n = sum(c.values())
        running += n
        if n:
            rows.append([str(year), c.get(NATIONAL, 0), c.get(INTERNATIONAL, 0), n, running])
    first, last, total = layout["first"], layout["last"], layout["total"]
    most = max(sum(c.values()) for c in counts.values())
    busiest = ", ".join(str(y) for y in sorted(counts) if sum(counts[y].values()) == most)
    summary = i18n.text((f"{total} acuerdos con fecha de inicio entre {first} y {last}; como mucho {most} en un año "
                     f"({busiest}). La línea es el total acumulado.",
                     f"{total} agreements starting between {first} and {last}; at most {most} in one year "
                     f"({busiest}). The line is the running total."), lang)
    caption = i18n.text((f"Acuerdos por año de inicio, {first}–{last}: barras apiladas, nacionales (azul) e "
                     "internacionales (naranja); la línea es el total acumulado (eje derecho). Solo se muestran "
                     "en la tabla los años con acuerdos.",
                     f"Agreements by starting year, {first}–{last}: stacked bars, national (blue) and international "
                     "(orange); the line is the running total (right-hand axis). The table lists only the years "
                     "with agreements."), lang)
    note = None
    if undated:
        note = i18n.text((f"{undated} acuerdo(s) sin fecha de inicio no aparecen en el gráfico.",
                      f"{undated} agreement(s) without a starting date are not in the chart."), lang)
    return Chart("by-year", "years", title, caption, summary, text, href, Table(columns, rows), layout, note=note)


def chart_by_scope(store: ox.Store, lang: str, sparql: Linker) -> Chart:
    text = query_by_scope(lang)
    found = {(_value(r.get("scope")) or UNSTATED): _int(r.get("agreements")) for r in _bindings(store, text)}
    parts = [(k, found[k]) for k in (NATIONAL, INTERNATIONAL, UNSTATED) if found.get(k)]
    title = i18n.text(("Nacionales e internacionales", "National and international"), lang)
    columns = [word("scope", lang), word("agreements", lang), word("share", lang)]
    total = sum(n for _, n in parts)
    rows: list[list[Link | str | int]] = [[word(k, lang), n, f"{round(100 * n / total)} %"] for k, n in parts]
    href = sparql(text) or ""
    if not parts:
        empty = i18n.text(("No hay acuerdos en los datos todavía.", "There are no agreements in the data yet."), lang)
        return Chart("by-scope", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
    summary = "; ".join(f"{word(k, lang)}: {n}" for k, n in parts) + "."
    caption = i18n.text((f"{total} acuerdos: el ámbito nacional o internacional se infiere del ámbito (pdo:scope) de "
                     "cada acuerdo.",
                     f"{total} agreements: national or international is inferred from each agreement's scope "
                     "(pdo:scope)."), lang)
    return Chart("by-scope", "share", title, caption, summary, text, href, Table(columns, rows),
                 share_layout(parts, lang))


def chart_by_country(store: ox.Store, lang: str, sparql: Linker, link: Linker) -> Chart:
    text = query_by_country(lang)
    bars, rows = [], []
    for row in _bindings(store, text):
        iri, code, n = _value(row.get("country")), _value(row.get("code")), _int(row.get("agreements"))
        name = _value(row.get("label")) or code or (iri.rsplit("/", 1)[-1] if iri else word("no country", lang))
        shown = f"{name} ({code})" if code else name
        href = link(iri) if iri else None
        bars.append(Bar(shown, n, href))
        rows.append([Link(name, href), code or "", n])
    title = i18n.text(("Por país de la contraparte", "By the partner's country"), lang)
    columns = [word("country", lang), "ISO 3166-1", word("agreements", lang)]
    href = sparql(text) or ""
    if not bars:
        empty = i18n.text(("Ningún acuerdo de Benito Juárez tiene todavía una contraparte con país.",
                       "No agreement of Benito Juárez has a partner with a country yet."), lang)
        return Chart("by-country", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
    summary = "; ".join(f"{b.label}: {b.value}" for b in bars) + "."
    caption = i18n.text(("Acuerdos de Benito Juárez según el país de la otra parte, que sale de la cadena de lugares "
                     "de su sede (pdo:hasSeat, pdo:locatedIn).",
                     "Benito Juárez's agreements by the other party's country, which comes from the chain of "
                     "places of its seat (pdo:hasSeat, pdo:locatedIn)."), lang)
    return Chart("by-country", "bars", title, caption, summary, text, href, Table(columns, rows), bars_layout(bars))


def chart_by_region(store: ox.Store, lang: str, sparql: Linker) -> Chart:
    text = query_by_region(lang)
    bars, rows = [], []
    for row in _bindings(store, text):
        key, n = _value(row.get("region")) or "unassigned", _int(row.get("agreements"))
        name = i18n.text(REGIONS.get(key, REGIONS["unassigned"]), lang)
        bars.append(Bar(name, n))
        rows.append([name, n])
    title = i18n.text(("Por región de la contraparte", "By the partner's region"), lang)
    columns = [word("region", lang), word("agreements", lang)]
    href = sparql(text) or ""
    if not bars:
        empty = i18n.text(("Ningún acuerdo de Benito Juárez tiene todavía una contraparte con país.",
                       "No agreement of Benito Juárez has a partner with a country yet."), lang)
        return Chart("by-region", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
    summary = "; ".join(f"{b.label}: {b.value}" for b in bars) + "."
    caption = i18n.text(("Las regiones salen del código ISO del país con una tabla de paradip-kg (escrita en la "
                     "consulta): los continentes de la ONU (M49), con América dividida en Norte (México incluido), "
                     "Central y Sur.",
                     "Regions come from the country's ISO code through a paradip-kg table (written into the "
                     "query): the UN (M49) continents, with the Americas split into North (Mexico included), "
                     "Central and South America."), lang)
    return Chart("by-region", "bars", title, caption, summary, text, href, Table(columns, rows), bars_layout(bars))


def chart_by_theme(store: ox.Store, lang: str, sparql: Linker, link: Linker) -> Chart:
    text = query_by_theme(lang)
    bars, rows = [], []
    for row in _bindings(store, text):
        iri, n = _value(row.get("theme")) or "", _int(row.get("agreements"))
        name = _value(row.get("label")) or iri.rsplit("/", 1)[-1]
        bars.append(Bar(name, n, link(iri)))
        rows.append([Link(name, link(iri)), n])
    title = i18n.text(("Por tema", "By theme"), lang)
    columns = [word("theme", lang), word("agreements", lang)]
    href = sparql(text) or ""
    if not bars:
        empty = i18n.text(("Ningún acuerdo de los datos indica todavía un tema.",
                       "No agreement in the data states a theme yet."), lang)
        note = i18n.text(("La Tabla 1 del ensayo no da el tema de cada hermanamiento. Los temas posibles están en el "
                      "vocabulario de temas (pdo:theme); la cifra del ensayo sobre la cooperación técnica (66 %) "
                      "habla de los municipios en general, no de estos acuerdos.",
                      "The essay's Tabla 1 does not give each twinning's theme. The possible themes are in the "
                      "theme vocabulary (pdo:theme); the essay's figure on technical cooperation (66 %) is about "
                      "municipalities in general, not about these agreements."), lang)
        return Chart("by-theme", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty,
                     note=note)
    summary = "; ".join(f"{b.label}: {b.value}" for b in bars) + "."
    caption = i18n.text(("Acuerdos según su tema (pdo:theme), del vocabulario de temas.",
                     "Agreements by their theme (pdo:theme), from the theme vocabulary."), lang)
    return Chart("by-theme", "bars", title, caption, summary, text, href, Table(columns, rows),
                 bars_layout(bars, label_width=220, label_chars=32))


def chart_by_sdg(store: ox.Store, lang: str, sparql: Linker, link: Linker) -> Chart:
    text = query_by_sdg(lang)
    bars, rows = [], []
    for row in _bindings(store, text):
        iri, n = _value(row.get("goal")) or "", _int(row.get("agreements"))
        code, name = _value(row.get("code")) or "", _value(row.get("label")) or iri
        shown = f"{code} · {name}" if code else name
        bars.append(Bar(shown, n, link(iri)))
        rows.append([Link(shown, link(iri)), n])
    title = i18n.text(("Por Objetivo de Desarrollo Sostenible", "By Sustainable Development Goal"), lang)
    columns = [word("goal", lang), word("agreements", lang)]
    href = sparql(text) or ""
    if not bars:
        empty = i18n.text(("Ningún acuerdo de los datos indica todavía su alineación con un Objetivo de Desarrollo "
                       "Sostenible.",
                       "No agreement in the data states an alignment with a Sustainable Development Goal yet."), lang)
        note = i18n.text(("El ensayo alinea con la Agenda 2030 los Planes Municipales de Desarrollo, no cada acuerdo.",
                      "The essay aligns the Municipal Development Plans with the 2030 Agenda, not each "
                      "agreement."), lang)
        return Chart("by-sdg", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty, note=note)
    summary = "; ".join(f"{b.label}: {b.value}" for b in bars) + "."
    caption = i18n.text(("Acuerdos alineados (pdo:alignedWith) con cada objetivo o con una de sus metas.",
                     "Agreements aligned (pdo:alignedWith) with each goal or with one of its targets."), lang)
    return Chart("by-sdg", "bars", title, caption, summary, text, href, Table(columns, rows),
                 bars_layout(bars, label_width=260, label_chars=38))


def chart_network(store: ox.Store, lang: str, sparql: Linker, link: Linker) -> Chart:
    text = query_network(lang)
    partners, rows = [], []
    for row in _bindings(store, text):
        iri = _value(row.get("partner")) or ""
        place = _value(row.get("place")) or _value(row.get("name")) or iri.rsplit("/", 1)[-1]
        since = _value(row.get("since")) or ""
        year = since[:4] if since[:4].isdigit() else word("undated", lang)
        reach, code = _value(row.get("reach")) or UNSTATED, _value(row.get("code")) or ""
        href, agreement = link(iri), _value(row.get("agreement")) or ""
        partners.append({"label": f"{place} · {year}", "href": href, "cls": reach,
                         "title": f"{_value(row.get('name')) or place} — {word(reach, lang)}, "
                                  f"{word('since', lang).lower()} {since or word('undated', lang)}"})
        rows.append([Link(place, href), code, word(reach, lang), Link(since or word("undated", lang), link(agreement))])
    focus = _bindings(store, query_focus(lang))
    centre = (_value(focus[0].get("place")) if focus else None) or "Benito Juárez"
    title = i18n.text((f"La red de Benito Juárez ({centre})", f"The network of Benito Juárez ({centre})"), lang)
    columns = [word("partner", lang), "ISO 3166-1", word("scope", lang), word("since", lang)]
    href = sparql(text) or ""
    if not partners:
        empty = i18n.text(("Benito Juárez no tiene todavía acuerdos en los datos.",
                       "Benito Juárez has no agreements in the data yet."), lang)
        return Chart("network", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
    national = sum(1 for p in partners if p["cls"] == NATIONAL)
    international = sum(1 for p in partners if p["cls"] == INTERNATIONAL)
    summary = i18n.text((f"{len(partners)} contrapartes alrededor de {centre}, en el orden de sus acuerdos: "
                     f"{national} nacionales y {international} internacionales.",
                     f"{len(partners)} partners around {centre}, in the order of their agreements: "
                     f"{national} national and {international} international."), lang)
    caption = i18n.text(("Cada contraparte de Benito Juárez, en el círculo en el orden de su acuerdo (en el sentido "
                     "de las agujas del reloj desde arriba) con el año de inicio; azul: nacional, naranja: "
                     "internacional. Cada nodo lleva a su página.",
                     "Each partner of Benito Juárez, on the circle in the order of its agreement (clockwise from "
                     "the top) with the starting year; blue: national, orange: international. Each node links to "
                     "its page."), lang)
    return Chart("network", "network", title, caption, summary, text, href, Table(columns, rows),
                 network_layout(centre, partners))


def build_charts(store: ox.Store, lang: str, sparql: Linker, link: Linker) -> list[Chart]:
    """Every chart of the home page, in the page's order.

    Args:
        store: the store to query.
        lang: ``"es"`` or ``"en"``, for the words and the labels the queries pick.
        sparql: the link to the query page running a query text.
        link: where a page links an IRI (None: not a link).
    """
    return [chart_by_year(store, lang, sparql), chart_by_country(store, lang, sparql, link),
            chart_by_region(store, lang, sparql), chart_by_scope(store, lang, sparql),
            chart_by_theme(store, lang, sparql, link), chart_by_sdg(store, lang, sparql, link),
            chart_network(store, lang, sparql, link)]


# --- The web glue ---------------------------------------------------------------------------

def _sparql_href(text: str) -> str:
    return url_for("sparql.endpoint", query=text, _anchor="results")


def _link(iri: str) -> str | None:
    linker = current_app.jinja_env.globals.get("link_for")
    return linker(iri) if callable(linker) else None  # type: ignore[no-any-return]


def _cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """A value computed once per published state (see :meth:`paradip_kg.web.state.AppState.cached`)."""
    from paradip_kg.web.state import get_state

    return get_state().cached(("charts", *key), make)


def home_charts(lang: str) -> list[Chart]:
    """The charts in ``lang`` for this host (their links), once per store version."""
    from paradip_kg.web.state import get_state

    return _cached(("charts", lang, request.host_url, request.script_root),  # type: ignore[no-any-return]
                   lambda: build_charts(get_state().store(), lang, _sparql_href, _link))


@bp.app_template_global()
def charts_section(lang: str) -> Markup:
    """``templates/_charts.html`` rendered with the charts in ``lang``, once per store version
    (drawing the SVG costs more than the rest of the home page)."""
    return _cached(("section", lang, request.host_url, request.script_root),  # type: ignore[no-any-return]
                   lambda: Markup(render_template("_charts.html", lang=lang, charts=home_charts(lang))))
