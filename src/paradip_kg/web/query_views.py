"""A query result as the page shows it: the table's sorting, filtering and paging (on the server),
readable typed values, and the views the result's shape allows (as the Wikidata Query Service
chooses them).

The result arrives as the plain table of :func:`paradip_kg.sparql.execute.html_table` (at most
``result_limit`` rows). :func:`arrange` sorts, filters and cuts one page of it from the request's
``sort``, ``desc``, ``filter`` and ``page`` parameters. :func:`column_kinds` reads what each column
holds (IRIs, numbers, dates, points, text), :func:`views_for` which views fit:

- ``table`` always;
- ``bar`` and ``line`` charts for a label (or date) column and a number column;
- ``timeline`` for a date column;
- ``map`` for coordinates (a ``geo:wktLiteral`` POINT, or two number columns named lat/lon);
- ``graph`` for two IRI columns (an edge from the first to the second in each row).

A ``#defaultView:BarChart`` comment in the query (WDQS's own words) picks the view shown first.
The views other than the table are drawn in the browser (``static/result-views.js``) from
:func:`view_data`, embedded in the page as JSON.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

XSD = "http://www.w3.org/2001/XMLSchema#"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
NUMBER_TYPES = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                                  "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                  "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                                  "unsignedByte")}
DATE_TYPES = {XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth", "dateTimeStamp")}
PAGE_SIZE = 100
VIEW_ROWS = 2000  # rows the browser's views receive (the table pages through all of them)
# The views, in the order of the tabs: (name, WDQS's #defaultView name, es, en).
VIEWS: tuple[tuple[str, str, str, str], ...] = (
    ("table", "Table", "Tabla", "Table"),
    ("bar", "BarChart", "Barras", "Bar chart"),
    ("line", "LineChart", "Líneas", "Line chart"),
    ("timeline", "Timeline", "Cronología", "Timeline"),
    ("map", "Map", "Mapa", "Map"),
    ("graph", "Graph", "Grafo", "Graph"),
)
_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+]?[\d.eE+-]+)\s+([-+]?[\d.eE+-]+)\s*\)\s*$", re.IGNORECASE)
_DEFAULT_VIEW = re.compile(r"^\s*#\s*defaultView\s*:\s*(\w+)", re.IGNORECASE | re.MULTILINE)

Term = Sequence[str] | None


def fold(text: str) -> str:
    """``text`` for matching: case- and accent-insensitive (``Juárez`` matches ``juarez``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def number(term: Term) -> float | None:
    if term is None or term[0] != "literal" or term[2] not in NUMBER_TYPES:
        return None
    try:
        value = float(term[1])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def point(term: Term) -> tuple[float, float] | None:
    """(longitude, latitude) of a WKT POINT literal."""
    if term is None or term[0] != "literal" or term[2] != WKT:
        return None
    match = _POINT.match(term[1])
    return (float(match.group(1)), float(match.group(2))) if match else None


def readable(term: Term) -> dict[str, Any] | None:
    """How a literal reads in a cell: its value without ``^^xsd:`` (the datatype in a tooltip),
    numbers aligned right, dates kept on one line."""
    if term is None or term[0] != "literal":
        return None
    _, value, datatype, language = term
    kind = "text"
    if datatype in NUMBER_TYPES:
        kind = "number"
    elif datatype in DATE_TYPES:
        kind = "date"
        if datatype.endswith("#dateTime") and "T" in value:
            value = value.replace("T", " ", 1)
            value = value[:-1] + " UTC" if value.endswith("Z") else value
    elif datatype == XSD + "boolean":
        kind = "boolean"
    return {"text": value, "lang": language, "class": kind, "datatype": datatype}


def column_kinds(variables: Sequence[str], rows: Sequence[Sequence[Term]], sample: int = 200) -> list[str]:
    """What each column holds: ``iri``, ``number``, ``date``, ``point``, ``text`` or ``empty``
    (from its first ``sample`` bound values; a kind holds if every one of them is of it)."""
    kinds = []
    for i, _ in enumerate(variables):
        values: list[Sequence[str]] = [t for row in rows[: sample * 4] if (t := row[i]) is not None][:sample]
        if not values:
            kinds.append("empty")
        elif all(v[0] == "uri" for v in values):
            kinds.append("iri")
        elif all(number(v) is not None for v in values):
            kinds.append("number")
        elif all(v[0] == "literal" and v[2] in DATE_TYPES for v in values):
            kinds.append("date")
        elif all(point(v) is not None for v in values):
            kinds.append("point")
        else:
            kinds.append("text")
    return kinds


def lat_lon_columns(variables: Sequence[str], kinds: Sequence[str]) -> tuple[int, int] | None:
    """Two number columns named like a latitude and a longitude, if there are."""
    lat = next((i for i, v in enumerate(variables) if kinds[i] == "number" and re.match(r"(?i)lat", v)), None)
    lon = next((i for i, v in enumerate(variables) if kinds[i] == "number" and re.match(r"(?i)(lon|lng)", v)), None)
    return (lat, lon) if lat is not None and lon is not None else None


def views_for(variables: Sequence[str], kinds: Sequence[str]) -> list[str]:
    """The views that fit the result's shape, table first."""
    found = ["table"]
    if not variables:
        return found
    has = set(kinds)
    if "number" in has and has & {"iri", "text", "date"}:
        found += ["bar", "line"]
    if "date" in has:
        found.append("timeline")
    if "point" in has or lat_lon_columns(variables, kinds):
        found.append("map")
    if kinds.count("iri") >= 2:
        found.append("graph")
    return found


def default_view(query: str, available: Sequence[str]) -> str:
    """The view a ``#defaultView:`` comment names, if it fits; else the table."""
    match = _DEFAULT_VIEW.search(query)
    if match:
        wanted = match.group(1).lower()
        for name, wdqs, _, _ in VIEWS:
            if wanted in (name, wdqs.lower()) and name in available:
                return name
    return "table"


# --- The table: sort, filter, page -----------------------------------------------------------


@dataclass
class Arranged:
    """One page of the table, after filtering and sorting."""

    rows: list[list[Term]]
    total: int  # rows of the result
    matching: int  # rows left by the filter
    page: int
    pages: int
    sort: str | None
    descending: bool
    filter: str
    first: int  # the number of the page's first row (1-based; 0 when there is none)


def sort_key(term: Term, labels: dict[str, str]) -> tuple[int, float, str]:
    """Unbound last; numbers by value, the rest by their text (dates sort as their ISO text)."""
    if term is None:
        return (2, 0.0, "")
    value = number(term)
    if value is not None:
        return (0, value, "")
    text = labels.get(term[1]) or term[1] if term[0] == "uri" else term[1]
    return (1, 0.0, fold(text))


def cell_text(term: Term, labels: dict[str, str]) -> str:
    if term is None:
        return ""
    return f"{labels.get(term[1], '')} {term[1]}" if term[0] == "uri" else term[1]


def arrange(variables: Sequence[str], rows: Sequence[Sequence[Term]], labels: dict[str, str],
            args: Callable[[str], str | None], page_size: int = PAGE_SIZE) -> Arranged:
    """Filter (``filter``: every word must occur in the row, accents and case aside), sort
    (``sort``: a variable, ``desc=1``), and cut page ``page`` (1-based) of ``page_size`` rows."""
    wanted = (args("filter") or "").strip()[:200]
    words = fold(wanted).split()
    kept = [list(r) for r in rows]
    if words:
        kept = [r for r in kept if all(w in fold(" ".join(cell_text(t, labels) for t in r)) for w in words)]
    sort = args("sort")
    descending = args("desc") in ("1", "true")
    if sort is not None and sort in variables:
        column = list(variables).index(sort)
        # Unbound cells stay last in either order.
        bound = [r for r in kept if r[column] is not None]
        unbound = [r for r in kept if r[column] is None]
        bound.sort(key=lambda r: sort_key(r[column], labels), reverse=descending)
        kept = bound + unbound
    else:
        sort = None
    pages = max(1, math.ceil(len(kept) / page_size))
    try:
        page = min(max(1, int(args("page") or 1)), pages)
    except ValueError:
        page = 1
    start = (page - 1) * page_size
    return Arranged(rows=kept[start:start + page_size], total=len(rows), matching=len(kept), page=page, pages=pages,
                    sort=sort, descending=descending, filter=wanted, first=start + 1 if kept else 0)


# --- What the browser's views draw -----------------------------------------------------------


def view_data(variables: Sequence[str], rows: Sequence[Sequence[Term]], labels: dict[str, str],
              kinds: Sequence[str], link: Callable[[str], str | None]) -> dict[str, Any]:
    """The first :data:`VIEW_ROWS` rows for the charts, map, timeline and graph: each cell as
    ``{"t": text shown, "v": value, "h": link}`` (IRIs by their label), numbers as numbers,
    points as ``[lon, lat]``."""
    out_rows = []
    for row in rows[:VIEW_ROWS]:
        cells: list[dict[str, Any] | None] = []
        for term in row:
            if term is None:
                cells.append(None)
            elif term[0] == "uri":
                cells.append({"t": labels.get(term[1]) or term[1], "v": term[1], "h": link(term[1])})
            elif (value := number(term)) is not None:
                cells.append({"t": term[1], "v": value})
            elif (where := point(term)) is not None:
                cells.append({"t": term[1], "v": list(where)})
            else:
                cells.append({"t": term[1], "v": term[1]})
        out_rows.append(cells)
    coordinates = lat_lon_columns(variables, kinds)
    return {"vars": list(variables), "kinds": list(kinds), "rows": out_rows,
            "latlon": list(coordinates) if coordinates else None, "total": len(rows)}
