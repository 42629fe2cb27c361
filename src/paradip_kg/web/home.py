"""The home page: the dataset in figures, example resources, and the charts drawn from the graph.

``/`` is HTML for people; a harvester asking for RDF at the root is sent (303) to the dataset's
description. The figures (:data:`paradip_kg.publish.stats.FIGURES`) and the charts
(:mod:`paradip_kg.publish.charts`) are computed once per published state; the charts' HTML,
which costs more to draw than the rest of the page, is kept per language and host too
(:func:`charts_section`, called by the template).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from paradip_kg.publish import void
from paradip_kg.publish.charts.data import Chart, build_charts
from paradip_kg.publish.labels import Labels
from paradip_kg.publish.stats import FIGURES
from paradip_kg.sparql.local import run_on_store
from paradip_kg.web import conneg, http, urls
from paradip_kg.web.conneg import HTML
from paradip_kg.web.dataset import home_jsonld, void_stats
from paradip_kg.web.documents import RDF_DOC_FORMATS, choose
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

bp = Blueprint("home", __name__)


def _cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    return get_state().cached(("home", *key), make)


def _figures() -> dict[str, int]:
    def make() -> dict[str, int]:
        out = {}
        for name, text in FIGURES.items():
            result = run_on_store(get_state().store(), text)
            n = result.rows[0].get("n") if result.rows else None
            out[name] = int(n.value) if isinstance(n, ox.Literal) else 0
        return out
    figures: dict[str, int] = _cached(("figures",), make)
    return figures


@bp.get("/")
def home() -> BaseResponse:
    lang = page_language()
    fmt = choose((HTML, *RDF_DOC_FORMATS))
    if fmt is not HTML:  # a harvester at the root: send it to the dataset's description
        response = redirect(urls.absolute(f"/dataset.{fmt.extension}"), 303)
        response.vary.add("Accept")
        return response

    def render() -> tuple[str, str]:
        state = get_state()
        manifest = state.manifest()
        triples = manifest.total if manifest is not None else void_stats().triples
        labels = Labels(state.store(), lang)
        examples: list[str] = _cached(("examples",), lambda: void.examples(state.store()))
        return render_template("home.html", lang=lang, triples=triples, figures=_figures(), jsonld=home_jsonld(),
                               examples=[(iri, labels.label(ox.NamedNode(iri))) for iri in examples]), \
            HTML.content_type
    return http.serve(("home", lang), render, alternates=[(urls.absolute("/dataset.ttl"), conneg.BY_NAME["turtle"])],
                      vary=("Accept", "Accept-Language"))


# --- The charts -------------------------------------------------------------------------------

def _sparql_href(text: str) -> str:
    return url_for("sparql.endpoint", query=text, _anchor="results")


def home_charts(lang: str) -> list[Chart]:
    """The charts in ``lang`` for this host (their links), once per published state."""
    charts: list[Chart] = _cached(("charts", lang, request.host_url, request.script_root),
                                  lambda: build_charts(get_state().store(), lang, _sparql_href, urls.link_for))
    return charts


@bp.app_template_global()
def charts_section(lang: str) -> Markup:
    """``templates/_charts.html`` rendered with the charts in ``lang``, once per published state
    (drawing the SVG costs more than the rest of the home page)."""
    section: Markup = _cached(("charts-section", lang, request.host_url, request.script_root),
                              lambda: Markup(render_template("_charts.html", lang=lang, charts=home_charts(lang))))
    return section
