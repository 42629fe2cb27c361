"""The home page: the dataset in figures, example resources, and the charts drawn from the graph.

``/`` is HTML for people; a harvester asking for RDF at the root is sent (303) to the dataset's
description. The figures (:data:`paradip_kg.publish.stats.FIGURES`) and the charts' query rows
(:mod:`paradip_kg.publish.charts`) are computed once per published state, whatever the host; the
charts and their HTML, which cost more to draw than the rest of the page, are kept per language,
choice and host among the :data:`RECENT_CHARTS` most recently used (:func:`charts_section`, called
by the template): a Host header or a government's key is what a client sends, and must not grow
the worker without bound.

``/?municipality=mx-23005`` chooses the government whose agreements the charts, the network and
the map count (the selector lists the :data:`~paradip_kg.publish.charts.queries.CHOICES` governments
party to the most agreements; any other party to an agreement can be chosen by its key); without it
they count every agreement in the graph. An unknown choice is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from paradip_kg.errors import NotDescribed
from paradip_kg.publish import void
from paradip_kg.publish.charts import queries
from paradip_kg.publish.charts.data import Chart, Government, build_charts, government, governments
from paradip_kg.publish.charts.model import Rows, _bindings
from paradip_kg.publish.charts.world_map import World, load_world
from paradip_kg.publish.labels import Labels
from paradip_kg.web import conneg, http, urls
from paradip_kg.web.about import figures
from paradip_kg.web.conneg import HTML
from paradip_kg.web.dataset import home_jsonld, void_stats
from paradip_kg.web.documents import RDF_DOC_FORMATS, choose
from paradip_kg.web.language import page_language
from paradip_kg.web.overview import drawn_state
from paradip_kg.web.state import get_state

bp = Blueprint("home", __name__)


RECENT_CHARTS = 16  # the charts and their HTML kept per worker for a choice and host (least recently used dropped)
RECENT_ROWS = 400  # the rows of a chosen government's chart queries kept per worker (8 queries a choice)


def _cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    return get_state().cached(("home", *key), make)


def _recent(family: str, key: tuple[Any, ...], make: Callable[[], Any], size: int = RECENT_CHARTS) -> Any:
    return get_state().recent("home-" + family, key, make, size)


def chart_rows(store: ox.Store, chosen: bool) -> Rows:
    """The rows of a chart's query, kept per published state whatever the host: without a choice
    (a few queries, the costly ones at ~1M) those of the state the page is drawn from, read from
    beside the store where the build or a refresh kept them (:func:`overview_rows`); for a
    ``chosen`` government, among the :data:`RECENT_ROWS` most recently used."""
    def rows(text: str) -> list[dict[str, Any]]:
        if chosen:
            found: list[dict[str, Any]] = _recent("rows", (text,), lambda: _bindings(store, text), RECENT_ROWS)
            return found
        return overview_rows(store, text)
    return rows


def overview_rows(store: ox.Store, text: str) -> list[dict[str, Any]]:
    """The rows of a query over every agreement, kept beside the store for the state this request's
    page is drawn from (:func:`~paradip_kg.web.overview.drawn_state`,
    :meth:`~paradip_kg.web.state.AppState.kept_rows`)."""
    return get_state().kept_rows(text, lambda: _bindings(store, text), drawn_state().tag)


@bp.get("/")
def home() -> BaseResponse:
    lang = page_language()
    fmt = choose((HTML, *RDF_DOC_FORMATS))
    if fmt is not HTML:  # a harvester at the root: send it to the dataset's description
        response = redirect(urls.absolute(f"/dataset.{fmt.extension}"), 303)
        response.vary.add("Accept")
        return response

    drawn = drawn_state()
    choices = home_governments(lang)
    key = request.args.get("municipality", "")
    focus = next((g for g in choices if g.key == key), None)
    if key and focus is None:  # past the selector's first choices: looked up on its own
        focus = government(get_state().store(), lang, key)
        if focus is None:
            raise NotDescribed(f"no government {key!r} is a party to an agreement in the graph")
        choices = [focus, *choices]

    def render() -> tuple[str, str]:
        state = get_state()
        manifest = state.manifest()
        triples = manifest.total if manifest is not None else void_stats().triples
        labels = Labels(state.store(), lang)
        examples: list[str] = _cached(("examples", drawn.tag), lambda: void.examples(
            state.store(), lambda text: overview_rows(state.store(), text)))
        return render_template("home.html", lang=lang, triples=triples, figures=figures(), jsonld=home_jsonld(),
                               examples=[(iri, labels.label(ox.NamedNode(iri))) for iri in examples],
                               governments=choices, focus=focus, more=len(choices) >= queries.CHOICES,
                               stale=drawn.stale), HTML.content_type
    response = http.serve(("home", lang, key, drawn.tag), render,
                          alternates=[(urls.absolute("/dataset.ttl"), conneg.BY_NAME["turtle"])],
                          vary=("Accept", "Accept-Language"))
    return http.revalidate_if(drawn.stale, response)


def home_governments(lang: str) -> list[Government]:
    """The selector's choices: the governments party to the most agreements, once per published state."""
    found: list[Government] = _cached(("governments", lang, drawn_state().tag),
                                      lambda: governments(chart_rows(get_state().store(), False), lang))
    return found


def world() -> World | None:
    """The country shapes the asset pipeline copied into static/vendor/ (read once per process)."""
    path = Path(current_app.static_folder or "") / "vendor" / "world-atlas" / "countries-110m.json"
    shapes: World | None = get_state().cached(("world", str(path)), lambda: load_world(path), per_version=False)
    return shapes


# --- The charts -------------------------------------------------------------------------------

def _sparql_href(text: str) -> str:
    return url_for("sparql.endpoint", query=text, _anchor="results")


def home_charts(lang: str, focus: Government | None = None) -> list[Chart]:
    """The charts in ``lang`` for this host (their links) and this choice, once per published state."""
    key = focus.key if focus else ""
    rows = chart_rows(get_state().store(), focus is not None)
    charts: list[Chart] = _recent("charts", (lang, key, request.host_url, request.script_root, drawn_state().tag),
                                  lambda: build_charts(rows, lang, _sparql_href, urls.link_for, focus, world()))
    return charts


@bp.app_template_global()
def charts_section(lang: str, focus: Government | None = None) -> Markup:
    """``templates/_charts.html`` rendered with the charts in ``lang`` for ``focus``, once per published
    state (drawing the SVG costs more than the rest of the home page)."""
    key = focus.key if focus else ""
    section: Markup = _recent("section", (lang, key, request.host_url, request.script_root, drawn_state().tag),
                              lambda: Markup(render_template("_charts.html", lang=lang, focus=focus,
                                                             charts=home_charts(lang, focus))))
    return section
