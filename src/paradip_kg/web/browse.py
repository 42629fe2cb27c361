"""GET /browse: the agreements, narrowed by facets (country, municipality, decade, scope, kind, theme).

Each facet value is a link that narrows the list (``/browse?country=US&decade=1980``); values of
one facet are alternatives, facets combine. The table of agreements and their facet values
(:func:`paradip_kg.publish.facets.facet_table`) is the build's, kept beside the store, or read
from the store once per published state (after a write) and kept there for the other workers;
the counts of the whole list are made once per state too. A
request filters and counts in memory, and labels only what it shows.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from paradip_kg.errors import InputError
from paradip_kg.publish.facets import FACETS, FacetTable, facet_table, load, save
from paradip_kg.publish.kept import FACET_TABLE
from paradip_kg.publish.labels import Labels
from paradip_kg.web import http
from paradip_kg.web.conneg import HTML
from paradip_kg.web.language import page_language
from paradip_kg.web.overview import drawn_state
from paradip_kg.web.state import get_state, off_the_loop

bp = Blueprint("browse", __name__)
LOG = logging.getLogger(__name__)

PAGE_SIZE = 50
SHOWN_VALUES = 15  # values per facet on the page, most frequent first (decades: all, in order)
FACET_NAMES = {
    "country": ("País", "Country"), "municipality": ("Municipio", "Municipality"),
    "decade": ("Década", "Decade"), "scope": ("Ámbito", "Scope"), "kind": ("Tipo", "Kind"),
    "theme": ("Tema", "Theme"),
}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool
    href: str


def table() -> FacetTable:
    """The table this request's page is drawn from (:func:`~paradip_kg.web.overview.drawn_state`):
    the one kept beside the store for the published state (by the build, or by the refresh after a
    write), or for the state before while the refresh runs; else read from the store and kept."""
    state = get_state()
    drawn = drawn_state(FACET_TABLE)

    def make() -> FacetTable:
        beside = state.kept_beside()
        kept = load(beside[0], drawn.tag) if beside else None
        if kept is not None:
            return kept
        store = state.store()
        made = off_the_loop(lambda: facet_table(store))
        # Kept for this state: the other workers read it, not the store (the published state's only,
        # which is the one `store` holds).
        if beside and drawn.tag == beside[1] and beside[0].exists():
            path, tag = beside
            try:
                save(made, path, tag)
            except (OSError, sqlite3.Error) as exc:
                LOG.info("facet table not kept in %s: %s", path, exc)
        return made
    found: FacetTable = state.cached_once(("browse", "table", drawn.tag), make)
    return found


def all_counts() -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = get_state().cached(
        ("browse", "counts", drawn_state(FACET_TABLE).tag), lambda: table().counts(range(len(table().agreements))))
    return counts


def chosen_values() -> dict[str, list[str]]:
    unknown = sorted(k for k in request.args if k not in FACETS and k not in ("page", "lang"))
    if unknown:
        raise InputError(f"/browse has no facet {unknown[0]!r}; the facets are {', '.join(FACETS)}")
    return {f: sorted(set(request.args.getlist(f))) for f in FACETS if request.args.getlist(f)}


def href(chosen: dict[str, list[str]], page: int = 1) -> str:
    args = [(f, v) for f in FACETS for v in chosen.get(f, [])] + ([("page", str(page))] if page > 1 else [])
    return request.script_root + "/browse" + ("?" + urlencode(args) if args else "")


def toggled(chosen: dict[str, list[str]], facet: str, value: str) -> dict[str, list[str]]:
    values = set(chosen.get(facet, []))
    values ^= {value}
    return {**chosen, facet: sorted(values)}


def facet_values(facets: FacetTable, counts: Counter[str], facet: str, chosen: dict[str, list[str]],
                 labels: Callable[[str], str]) -> tuple[list[FacetValue], int]:
    """The values of one facet to show (chosen ones always), and how many more there are."""
    if facet == "decade":
        order = sorted(counts)
    else:
        order = [v for v, _n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    picked = set(chosen.get(facet, []))
    shown = order if facet == "decade" else order[:SHOWN_VALUES]
    shown += [v for v in sorted(picked) if v not in shown]
    things = facets.things.get(facet, {})
    out = []
    for value in shown:
        iri = things.get(value)
        label = value if facet in ("decade", "country") or iri is None else labels(iri)
        if facet == "country" and iri is not None:
            label = f"{labels(iri)} ({value})"
        if facet == "decade":
            label = f"{value}–{int(value) + 9}" if value.isdigit() else value
        out.append(FacetValue(value, label, counts.get(value, 0), value in picked,
                              href(toggled(chosen, facet, value))))
    return out, max(0, len(order) - len(shown))


@bp.get("/browse")
def browse() -> Response:
    lang = page_language()
    chosen = chosen_values()
    raw_page = request.args.get("page", "1")
    if not raw_page.isdigit() or int(raw_page) < 1:
        raise InputError(f"page is a whole number from 1, not {raw_page!r}")
    page = int(raw_page)
    drawn = drawn_state(FACET_TABLE)
    variant = ("browse", lang, page, drawn.tag, *((f, tuple(v)) for f, v in chosen.items()))

    def render() -> tuple[str, str]:
        facets = table()
        rows = facets.narrow(chosen) if chosen else list(range(len(facets.agreements)))
        counts = facets.counts(rows) if chosen else all_counts()
        labels = Labels(get_state().store(), lang)
        known: dict[str, str] = get_state().cached(("browse", "labels", lang), dict)  # facet values' labels

        def label(iri: str) -> str:
            if iri not in known:
                known[iri] = labels.label(ox.NamedNode(iri))
            return known[iri]
        sections = []
        for facet in FACETS:
            values, more = facet_values(facets, counts[facet], facet, chosen, label)
            if values:
                sections.append((facet, FACET_NAMES[facet], values, more))
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        start = (page - 1) * PAGE_SIZE
        items = []
        for i in rows[start:start + PAGE_SIZE]:
            iri, date = facets.agreements[i]
            items.append((iri, labels.label(ox.NamedNode(iri)), date))
        return render_template("browse.html", lang=lang, sections=sections, items=items, total=len(rows),
                               all_total=len(facets.agreements), page=page, pages=pages, chosen=chosen,
                               clear=href({}), prev=href(chosen, page - 1) if page > 1 else None,
                               next=href(chosen, page + 1) if page < pages else None,
                               facet_names=FACET_NAMES, stale=drawn.stale), HTML.content_type
    return http.revalidate_if(drawn.stale, http.serve(variant, render, vary=("Accept-Language",)))
