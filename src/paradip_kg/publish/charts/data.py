"""The charts of the home page: each one's query run on the store, read into its words, table and layout.

    agreements by year (1985–2021), national vs international, stacked, with the running total
    agreements by the partner's country, and by the partner's region
    national vs international
    agreements by theme, and by SDG alignment: an empty state while no agreement states one
    a radial network of the chosen government and its partners, in the order of their agreements
    (with no government chosen: every agreement as a chord between its parties)
    a world map of the partners with the network drawn over it (:mod:`.world_map`)

Every chart counts the chosen government's agreements (a :class:`Government` from
:func:`governments`, the home page's selector), or every agreement when none is chosen.

Nothing is invented: a chart whose query finds nothing shows an empty state that says so.
:func:`build_charts` makes them all; the web keeps them per published state and language
(:mod:`paradip_kg.web.home`). The table of each chart stands in for its picture.
"""

from __future__ import annotations

from typing import Any

from paradip_kg import i18n
from paradip_kg.publish.charts import queries
from paradip_kg.publish.charts.layout import (
    Bar,
    bars_layout,
    chords_layout,
    network_layout,
    share_layout,
    years_layout,
)
from paradip_kg.publish.charts.model import Chart, Government, Link, Linker, Row, Source, Table, _bindings
from paradip_kg.publish.charts.queries import INTERNATIONAL, NATIONAL, UNSTATED
from paradip_kg.publish.charts.words import REGIONS, hubs_note, word
from paradip_kg.publish.charts.world_map import chart_map


def _value(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _int(term: Any) -> int:
    return int(term.value) if term is not None else 0




def _name(focus: Government | None) -> str | None:
    return focus.place if focus else None


def _iri(focus: Government | None) -> str | None:
    return focus.iri if focus else None


def governments(store: Source, lang: str) -> list[Government]:
    """The :data:`queries.CHOICES` governments party to the most agreements, most agreements first (the
    selector's choices)."""
    return _governments(store, queries.query_governments(lang))


def government(store: Source, lang: str, key: str) -> Government | None:
    """The government ``key`` names (``mx-23005``), if it is a party to an agreement: a choice past the
    selector's first."""
    if not key or any(c.isspace() or not c.isprintable() or c in '<>"{}|^`\\/' for c in key):  # not in an IRI
        return None
    found = _governments(store, queries.query_government(lang, str(queries.ID["government/" + key])))
    return found[0] if found else None


def _governments(store: Source, text: str) -> list[Government]:
    prefix = str(queries.ID["government/"])
    out = []
    for row in _bindings(store, text):
        iri = _value(row.get("government")) or ""
        if not iri.startswith(prefix):
            continue
        place = _value(row.get("place")) or _value(row.get("name")) or iri.rsplit("/", 1)[-1]
        code = _value(row.get("code")) or ""
        out.append(Government(iri, iri[len(prefix):], place, code, _int(row.get("agreements"))))
    return out


def chart_by_year(store: Source, lang: str, sparql: Linker, focus: Government | None = None) -> Chart:
    text = queries.query_by_year(lang, _iri(focus), _name(focus))
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


def chart_by_scope(store: Source, lang: str, sparql: Linker, focus: Government | None = None) -> Chart:
    text = queries.query_by_scope(lang, _iri(focus), _name(focus))
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


def chart_by_country(store: Source, lang: str, sparql: Linker, link: Linker,
                     focus: Government | None = None) -> Chart:
    text = queries.query_by_country(lang, _iri(focus), _name(focus))
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
        empty = _no_country(focus, lang)
        return Chart("by-country", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
    summary = "; ".join(f"{b.label}: {b.value}" for b in bars) + "."
    caption = (i18n.text((f"Acuerdos de {focus.place} según el país de la otra parte, que sale de la cadena de "
                          "lugares de su sede (pdo:hasSeat, pdo:locatedIn).",
                          f"{focus.place}'s agreements by the other party's country, which comes from the chain of "
                          "places of its seat (pdo:hasSeat, pdo:locatedIn)."), lang) if focus else
               i18n.text(("Todos los acuerdos según los países de sus partes (cada acuerdo cuenta una vez por país), "
                          "de la cadena de lugares de su sede (pdo:hasSeat, pdo:locatedIn).",
                          "Every agreement by the countries of its parties (each agreement counts once a country), "
                          "from the chain of places of their seats (pdo:hasSeat, pdo:locatedIn)."), lang))
    return Chart("by-country", "bars", title, caption, summary, text, href, Table(columns, rows), bars_layout(bars))


def _no_country(focus: Government | None, lang: str) -> str:
    if focus:
        return i18n.text((f"Ningún acuerdo de {focus.place} tiene todavía una contraparte con país.",
                          f"No agreement of {focus.place} has a partner with a country yet."), lang)
    return i18n.text(("Ningún acuerdo tiene todavía partes con país.",
                      "No agreement has parties with a country yet."), lang)


def chart_by_region(store: Source, lang: str, sparql: Linker, focus: Government | None = None) -> Chart:
    text = queries.query_by_region(lang, _iri(focus), _name(focus))
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
        empty = _no_country(focus, lang)
        return Chart("by-region", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
    summary = "; ".join(f"{b.label}: {b.value}" for b in bars) + "."
    caption = i18n.text(("Las regiones salen del código ISO del país con una tabla de paradip-kg (escrita en la "
                         "consulta): los continentes de la ONU (M49), con América dividida en Norte (México incluido), "
                         "Central y Sur.",
                         "Regions come from the country's ISO code through a paradip-kg table (written into the "
                         "query): the UN (M49) continents, with the Americas split into North (Mexico included), "
                         "Central and South America."), lang)
    return Chart("by-region", "bars", title, caption, summary, text, href, Table(columns, rows), bars_layout(bars))


def chart_by_theme(store: Source, lang: str, sparql: Linker, link: Linker,
                   focus: Government | None = None) -> Chart:
    text = queries.query_by_theme(lang, _iri(focus), _name(focus))
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


def chart_by_sdg(store: Source, lang: str, sparql: Linker, link: Linker, focus: Government | None = None) -> Chart:
    text = queries.query_by_sdg(lang, _iri(focus), _name(focus))
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


def drawn_hubs(store: Source, focus: Government | None) -> tuple[int, int]:
    """How many governments' agreements the network and the map draw (0: every agreement), and how
    many agreements the graph has: without a focus, past :data:`queries.DRAW_EVERY` agreements, those
    of the :data:`queries.HUBS` governments with the most agreements."""
    if focus is not None:
        return 0, 0
    total = sum(_int(row.get("agreements")) for row in _bindings(store, queries.count_agreements()))
    return (queries.HUBS if total > queries.DRAW_EVERY else 0), total


def chart_network(store: Source, lang: str, sparql: Linker, link: Linker,
                  focus: Government | None = None, drawn: tuple[int, int] = (0, 0)) -> Chart:
    hubs, total = drawn
    text = queries.query_network(lang, _iri(focus), _name(focus), hubs)
    partners: list[dict[str, Any]] = []
    rows: list[Row] = []
    parties: dict[str, list[str]] = {}  # agreement → its parties (the chords, without a focus)
    for row in _bindings(store, text):
        iri = _value(row.get("partner")) or ""
        place = _value(row.get("place")) or _value(row.get("name")) or iri.rsplit("/", 1)[-1]
        since = _value(row.get("since")) or ""
        year = since[:4] if since[:4].isdigit() else word("undated", lang)
        reach, code = _value(row.get("reach")) or UNSTATED, _value(row.get("code")) or ""
        href, agreement = link(iri), _value(row.get("agreement")) or ""
        parties.setdefault(agreement, []).append(iri)
        partners.append({"iri": iri, "label": f"{place} · {year}", "place": place, "href": href, "cls": reach,
                         "title": f"{_value(row.get('name')) or place} — {word(reach, lang)}, "
                                  f"{word('since', lang).lower()} {since or word('undated', lang)}"})
        rows.append([Link(place, href), code, word(reach, lang), Link(since or word("undated", lang), link(agreement))])
    columns = [word("partner", lang) if focus else word("party", lang), "ISO 3166-1", word("scope", lang),
               word("since", lang)]
    href = sparql(text) or ""
    if focus is None:
        title = (i18n.text((f"La red de los {hubs} gobiernos con más acuerdos",
                            f"The network of the {hubs} governments with the most agreements"), lang) if hubs else
                 i18n.text(("La red de todos los acuerdos", "The network of every agreement"), lang))
        if not partners:
            empty = i18n.text(("No hay acuerdos en los datos todavía.", "There are no agreements in the data yet."),
                              lang)
            return Chart("network", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
        nodes = {p["iri"]: {**p, "label": p["place"]} for p in partners}
        edges = [(ends[0], ends[1], next(p["cls"] for p in partners if p["iri"] == ends[0]))
                 for ends in parties.values() if len(ends) == 2]
        summary = i18n.text((f"{len(nodes)} gobiernos unidos por {len(edges)} acuerdos.",
                             f"{len(nodes)} governments joined by {len(edges)} agreements."), lang)
        caption = i18n.text(("Cada gobierno en el círculo, cada acuerdo una cuerda entre sus partes; azul: nacional, "
                             "naranja: internacional. Elija un municipio arriba para ver su propia red.",
                             "Each government on the circle, each agreement a chord between its parties; blue: "
                             "national, orange: international. Choose a municipality above to see its own network."),
                            lang)
        return Chart("network", "chords", title, caption, summary, text, href, Table(columns, rows),
                     chords_layout(list(nodes.values()), edges), note=hubs_note(hubs, total, lang))
    centre = focus.place
    title = i18n.text((f"La red de {centre}", f"The network of {centre}"), lang)
    if not partners:
        empty = i18n.text((f"{centre} no tiene todavía acuerdos en los datos.",
                           f"{centre} has no agreements in the data yet."), lang)
        return Chart("network", "empty", title, "", empty, text, href, Table(columns, rows), empty=empty)
    national = sum(1 for p in partners if p["cls"] == NATIONAL)
    international = sum(1 for p in partners if p["cls"] == INTERNATIONAL)
    summary = i18n.text((f"{len(partners)} contrapartes alrededor de {centre}, en el orden de sus acuerdos: "
                         f"{national} nacionales y {international} internacionales.",
                         f"{len(partners)} partners around {centre}, in the order of their agreements: "
                         f"{national} national and {international} international."), lang)
    caption = i18n.text((f"Cada contraparte de {centre}, en el círculo en el orden de su acuerdo (en el sentido "
                         "de las agujas del reloj desde arriba) con el año de inicio; azul: nacional, naranja: "
                         "internacional. Cada nodo lleva a su página.",
                         f"Each partner of {centre}, on the circle in the order of its agreement (clockwise from "
                         "the top) with the starting year; blue: national, orange: international. Each node links to "
                         "its page."), lang)
    return Chart("network", "network", title, caption, summary, text, href, Table(columns, rows),
                 network_layout(centre, partners))


def build_charts(store: Source, lang: str, sparql: Linker, link: Linker,
                 focus: Government | None = None, shapes: Any = None) -> list[Chart]:
    """Every chart of the home page, in the page's order.

    Args:
        store: the store to query.
        lang: ``"es"`` or ``"en"``, for the words and the labels the queries pick.
        sparql: the link to the query page running a query text.
        link: where a page links an IRI (None: not a link).
        focus: the government whose agreements the charts count; None: every agreement.
        shapes: the world's country shapes for the map (:class:`.world_map.World`); None: no map.
    """
    drawn = drawn_hubs(store, focus)
    return [chart_by_year(store, lang, sparql, focus), chart_by_country(store, lang, sparql, link, focus),
            chart_by_region(store, lang, sparql, focus), chart_by_scope(store, lang, sparql, focus),
            chart_by_theme(store, lang, sparql, link, focus), chart_by_sdg(store, lang, sparql, link, focus),
            chart_network(store, lang, sparql, link, focus, drawn),
            chart_map(store, lang, sparql, link, focus, shapes, drawn)]
