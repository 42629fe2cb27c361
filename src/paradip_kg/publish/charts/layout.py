"""The drawing of each chart: positions, sizes and ticks for ``templates/_charts.html``.

Each function lays out one kind of picture as plain numbers and strings; the template writes
the SVG from them (Jinja escapes every label that comes from the data), so nothing here builds
markup.

    bars_layout      horizontal bars, the label left of each bar and the value right of it
    years_layout     stacked bars per year, with the running total as a line on a right-hand axis
    share_layout     one bar split into its parts, with a legend
    network_layout   the focus in the middle, its partners on a circle in the order of their agreements
    chords_layout    every government on a circle, each agreement a chord between its two parties
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from paradip_kg.publish.charts.queries import INTERNATIONAL, NATIONAL, UNSTATED
from paradip_kg.publish.charts.words import word


@dataclass
class Bar:
    label: str
    value: int
    href: str | None = None
    title: str | None = None
    cls: str = "bar"



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


def chords_layout(nodes: list[dict[str, Any]], edges: list[tuple[str, str, str]], *, width: int = 760,
                  height: int = 560, labelled: int = 60) -> dict[str, Any]:
    """Every government on a circle (``nodes``, each with ``iri``), each agreement a chord between its parties.
    Past ``labelled`` nodes the names stay in each node's tooltip only: written round the circle they overlap."""
    cx, cy = width / 2, height / 2
    radius = min(width, height) / 2 - 90
    placed: dict[str, dict[str, Any]] = {}
    count = len(nodes) or 1
    for index, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.1 else ("start" if cos > 0 else "end")
        placed[node["iri"]] = {**node, "x": round(cx + radius * cos, 2), "y": round(cy + radius * sin, 2),
                               "label_x": round(cx + (radius + 12) * cos, 2),
                               "label_y": round(cy + (radius + 12) * sin + 4, 2), "anchor": anchor,
                               "show_label": count <= labelled}
    chords = [{"x1": placed[a]["x"], "y1": placed[a]["y"], "x2": placed[b]["x"], "y2": placed[b]["y"], "cls": cls}
              for a, b, cls in edges if a in placed and b in placed]
    return {"width": width, "height": height, "nodes": list(placed.values()), "chords": chords}
