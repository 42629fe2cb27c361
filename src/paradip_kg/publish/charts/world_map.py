"""The map: the partners on a world map with the network drawn over it, as SVG drawn on the server.

The country shapes are Natural Earth's, from the npm package ``world-atlas`` (``countries-110m.json``,
TopoJSON), which the asset pipeline copies into ``static/vendor/`` (no tile server, no CDN, no
JavaScript needed). :func:`load_world` decodes the TopoJSON (quantised, delta-coded arcs) and
:func:`project` places a longitude and latitude on an equirectangular plane.

A partner is drawn at its seat's coordinates where the graph has them (``wgs:lat``/``wgs:long`` of
the seat, or Wikidata's ``wdt:P625`` of the item the seat is ``schema:sameAs``, as the harvester
keeps it); otherwise at the centre of its country's shape, and the table says which. Each line
is an agreement, from the chosen government to its partner (or between the parties of every
agreement when none is chosen).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from paradip_kg import i18n
from paradip_kg.publish.charts.model import Chart, Government, Link, Linker, Source, Table, _bindings
from paradip_kg.publish.charts.queries import (
    NATIONAL,
    PREFIX_LINES,
    UNSTATED,
    _country_code,
    _label_filter,
    _parties,
)
from paradip_kg.publish.charts.words import hubs_note, word

WIDTH, HEIGHT = 960, 470
NORTH, SOUTH = 84.0, -58.0  # Antarctica and the far north left out
_POINT = re.compile(r"Point\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Shape:
    code: str  # ISO 3166-1 alpha-2
    name: str
    path: str  # SVG path data on the map's plane
    centre: tuple[float, float]  # on the plane: the centre of its largest ring


@dataclass(frozen=True)
class World:
    shapes: dict[str, Shape]  # by alpha-2 code; countries without one are kept under their TopoJSON id
    source: str


def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular: longitude and latitude → x, y on the map's plane."""
    return round((lon + 180) / 360 * WIDTH, 1), round((NORTH - lat) / (NORTH - SOUTH) * HEIGHT, 1)


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia's, Fiji's) drawn east of it, beyond the map's
    right edge where the picture clips it, instead of as a stripe across the whole map."""
    if all(abs(a[0] - b[0]) <= 180 for a, b in zip(ring, ring[1:], strict=False)):
        return ring
    return [(lon + 360 if lon < 0 else lon, lat) for lon, lat in ring]


def _area_centre(ring: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def load_world(path: Path) -> World | None:
    """The country shapes of a world-atlas TopoJSON file, or None when the file is not there."""
    if not path.is_file():
        return None
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    shapes: dict[str, Shape] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") not in ("Polygon", "MultiPolygon") or geometry.get("id") == "010":
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_unwrap(_ring(arcs, ring)) for polygon in polygons for ring in polygon]
        parts = []
        for ring in rings:
            plane = [project(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in plane) + "Z")
        _area, (lon, lat) = max((_area_centre(r) for r in rings if len(r) > 2), key=lambda found: found[0])
        country = pycountry.countries.get(numeric=str(geometry.get("id", "")).zfill(3))
        code = country.alpha_2 if country is not None else str(geometry.get("id", ""))
        shapes[code] = Shape(code, geometry.get("properties", {}).get("name", code), "".join(parts), project(lon, lat))
    return World(shapes, path.name)


def query_map(lang: str, focus: str | None = None, name: str | None = None, hubs: int = 0) -> str:
    title = (i18n.text((f"Las contrapartes de {name} en el mapa", f"{name}'s partners on the map"), lang) if name
             else i18n.text((f"Los {hubs} gobiernos con más acuerdos y sus contrapartes en el mapa",
                             f"The {hubs} governments with the most agreements and their partners on the map"), lang)
             if hubs else i18n.text(("Las partes de cada acuerdo en el mapa",
                                     "The parties of every agreement on the map"), lang))
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
{_parties(focus, hubs)}
  OPTIONAL {{ ?partner pdo:hasSeat ?seat . ?seat rdfs:label ?seatLabel {_label_filter('?seatLabel', lang)} }}
  {_country_code('?partner')}
  # Coordinates where the graph has them: the seat's own, or Wikidata's (P625) of the item it is.
  OPTIONAL {{ ?partner pdo:hasSeat ?s1 . ?s1 wgs:lat ?lat ; wgs:long ?long }}
  OPTIONAL {{ ?partner pdo:hasSeat/schema:sameAs ?item . ?item wdt:P625 ?wkt }}
}}
GROUP BY ?partner ?agreement
ORDER BY ?place
"""


def _where(row: dict[str, Any], world: World) -> tuple[tuple[float, float] | None, str]:
    """The point of a row on the plane, and how it was placed ("coordinates", "country" or "")."""
    lat, long, wkt = (str(row[k].value) if row.get(k) is not None else "" for k in ("latitude", "longitude", "point"))
    try:
        if lat and long:
            return project(float(long), float(lat)), "coordinates"
        found = _POINT.search(wkt)
        if found:
            return project(float(found.group(1)), float(found.group(2))), "coordinates"
    except ValueError:
        pass
    code = str(row["code"].value) if row.get("code") is not None else ""
    if code in world.shapes:
        return world.shapes[code].centre, "country"
    return None, ""


def chart_map(store: Source, lang: str, sparql: Linker, link: Linker, focus: Government | None,
              world: World | None, drawn: tuple[int, int] = (0, 0)) -> Chart:
    """The map of ``focus``'s partners, or of the parties of every agreement, or (``drawn``, see
    :func:`.data.drawn_hubs`) of the agreements of the governments with the most agreements."""
    hubs, total = drawn
    text = query_map(lang, focus.iri if focus else None, focus.place if focus else None, hubs)
    title = i18n.text(("Mapa de las contrapartes", "Map of the partners"), lang)
    columns = [word("partner", lang) if focus else word("party", lang), "ISO 3166-1", word("placed", lang)]
    href = sparql(text) or ""
    if world is None:
        empty = i18n.text(("Las formas de los países (world-atlas) no están instaladas: `make setup` las copia en "
                           "static/vendor/.", "The country shapes (world-atlas) are not installed: `make setup` "
                           "copies them into static/vendor/."), lang)
        return Chart("map", "empty", title, "", empty, text, href, Table(columns, []), empty=empty)
    found = _bindings(store, text)
    if not found:
        empty = i18n.text(("No hay acuerdos que poner en el mapa todavía.", "There are no agreements to map yet."),
                          lang)
        return Chart("map", "empty", title, "", empty, text, href, Table(columns, []), empty=empty)
    points: dict[str, dict[str, Any]] = {}
    ends: dict[str, list[str]] = {}
    rows: list[Any] = []
    for row in found:
        iri = str(row["partner"].value)
        point, how = _where(row, world)
        place = str(row["place"].value) if row.get("place") is not None else iri.rsplit("/", 1)[-1]
        code = str(row["code"].value) if row.get("code") is not None else ""
        reach = str(row["reach"].value) if row.get("reach") is not None else UNSTATED
        ends.setdefault(str(row["agreement"].value), []).append(iri)
        if iri not in points:
            rows.append([Link(place, link(iri)), code, word(f"placed-{how or 'none'}", lang)])
            if point is not None:
                points[iri] = {"x": point[0], "y": point[1], "label": place, "href": link(iri), "how": how,
                               "cls": NATIONAL if reach == NATIONAL else "international", "title": place}
    lines = []
    if focus is not None:
        shape = world.shapes.get(focus.code)
        centre = shape.centre if shape is not None else None
        for p in points.values():
            if centre is not None:
                lines.append({"x1": centre[0], "y1": centre[1], "x2": p["x"], "y2": p["y"], "cls": p["cls"]})
    else:
        centre = None
        for parties in ends.values():
            if len(parties) == 2 and all(p in points for p in parties):
                a, b = points[parties[0]], points[parties[1]]
                lines.append({"x1": a["x"], "y1": a["y"], "x2": b["x"], "y2": b["y"], "cls": a["cls"]})
    involved = {code for code in (r[1] for r in rows) if code}
    countries = [{"path": s.path, "name": s.name, "cls": "involved" if s.code in involved else ""}
                 for s in world.shapes.values()]
    placed = sum(1 for p in points.values() if p["how"] == "coordinates")
    summary = i18n.text((f"{len(points)} lugares en el mapa ({placed} por sus coordenadas, los demás en el centro de "
                         f"su país), {len(lines)} líneas de acuerdos; {len(involved)} países.",
                         f"{len(points)} places on the map ({placed} at their coordinates, the others at their "
                         f"country's centre), {len(lines)} agreement lines; {len(involved)} countries."), lang)
    caption = i18n.text(("Formas de los países de Natural Earth (world-atlas, escala 1:110m), proyección "
                         "equirrectangular; los países con acuerdos en color. Un punto está en las coordenadas de la "
                         "sede donde el grafo las tiene, si no en el centro de su país (la tabla dice cuál).",
                         "Country shapes from Natural Earth (world-atlas, 1:110m), equirectangular projection; the "
                         "countries with agreements in colour. A point is at its seat's coordinates where the graph "
                         "has them, else at its country's centre (the table says which)."), lang)
    layout = {"width": WIDTH, "height": HEIGHT, "countries": countries, "lines": lines,
              "points": list(points.values()), "centre": centre}
    return Chart("map", "map", title, caption, summary, text, href, Table(columns, rows), layout,
                 note=hubs_note(hubs, total, lang))

