"""The charts of the home page: each one's query run on the store, read into its words, table and layout.

    agreements by year (1985–2021), national vs international, stacked, with the running total
    agreements by the partner's country, and by the partner's region
    national vs international
    agreements by theme, and by SDG alignment: an empty state while no agreement states one
    a radial network of Benito Juárez and its partners, in the order of their agreements

Nothing is invented: a chart whose query finds nothing shows an empty state that says so.
:func:`build_charts` makes them all; the web keeps them per published state and language
(:mod:`paradip_kg.web.home`). The table of each chart stands in for its picture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from paradip_kg import i18n
from paradip_kg.publish.charts import queries
from paradip_kg.publish.charts.layout import Bar, bars_layout, network_layout, share_layout, years_layout
from paradip_kg.publish.charts.queries import INTERNATIONAL, NATIONAL, UNSTATED
from paradip_kg.publish.charts.words import REGIONS, word
from paradip_kg.sparql.local import run_on_store


@dataclass
class Link:
    text: str
    href: str | None = None


@dataclass
class Table:
    """The data table that stands in for a chart (its first column names the row)."""

    columns: list[str]
    rows: list[Row]


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



def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _int(term: Any) -> int:
    return int(term.value) if term is not None else 0


Linker = Callable[[str], "str | None"]
Row = list[Link | str | int]


def _bindings(store: ox.Store, text: str) -> list[dict[str, Any]]:
    return run_on_store(store, text).rows


def chart_by_year(store: ox.Store, lang: str, sparql: Linker) -> Chart:
    text = queries.query_by_year(lang)
    counts: dict[int, dict[str, int]] = {}
    undated = 0
    for row in _bindings(store, text):
        start, scope, n = _value(row.get("year")), _value(row.get("scope")) or UNSTATED, _int(row.get("agreements"))
        if not start or not start.isdigit():
            undated += n
            continue
        counts.setdefault(int(start), {})[scope] = counts.setdefault(int(start), {}).get(scope, 0) + n
    title = i18n.text(("Acuerdos por año de inicio", "Agreements by starting year"), lang)
    columns = [word("year", lang), word(NATIONAL, lang), word(INTERNATIONAL, lang), word("total", lang),
               word("cumulative", lang)]
    href = sparql(text) or ""
    if not counts:
        empty = i18n.text(("Ningún acuerdo de los datos indica todavía su fecha de inicio.",
                           "No agreement in the data states its starting date yet."), lang)
        return Chart("by-year", "empty", title, "", empty, text, href, Table(columns, []), empty=empty)
    layout = years_layout(counts, lang)
    rows: list[Row] = []
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
                         f"Agreements by starting year, {first}–{last}: stacked bars, national (blue) and "
                         "international (orange); the line is the running total (right-hand axis). The table lists "
                         "only the years with agreements."), lang)
    note = None
    if undated:
        note = i18n.text((f"{undated} acuerdo(s) sin fecha de inicio no aparecen en el gráfico.",
                          f"{undated} agreement(s) without a starting date are not in the chart."), lang)
    return Chart("by-year", "years", title, caption, summary, text, href, Table(columns, rows), layout, note=note)


def chart_by_scope(store: ox.Store, lang: str, sparql: Linker) -> Chart:
    text = queries.query_by_scope(lang)
    found = {(_value(r.get("scope")) or UNSTATED): _int(r.get("agreements")) for r in _bindings(store, text)}
    parts = [(k, found[k]) for k in (NATIONAL, INTERNATIONAL, UNSTATED) if found.get(k)]
    title = i18n.text(("Nacionales e internacionales", "National and international"), lang)
    columns = [word("scope", lang), word("agreements", lang), word("share", lang)]
    total = sum(n for _, n in parts)
    rows: list[Row] = [[word(k, lang), n, f"{round(100 * n / total)} %"] for k, n in parts]
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
    text = queries.query_by_country(lang)
    bars: list[Bar] = []
    rows: list[Row] = []
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
    text = queries.query_by_region(lang)
    bars: list[Bar] = []
    rows: list[Row] = []
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
    text = queries.query_by_theme(lang)
    bars: list[Bar] = []
    rows: list[Row] = []
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
    text = queries.query_by_sdg(lang)
    bars: list[Bar] = []
    rows: list[Row] = []
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
                           "No agreement in the data states an alignment with a Sustainable Development Goal "
                           "yet."), lang)
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
    text = queries.query_network(lang)
    partners: list[dict[str, Any]] = []
    rows: list[Row] = []
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
    focus = _bindings(store, queries.query_focus(lang))
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
