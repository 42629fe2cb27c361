"""The pages that list the agreements of a government, municipality, state, country, theme or SDG.

``/agreements/{kind}/{key}``, where ``kind`` is one of :data:`paradip_kg.publish.agreement_lists.KINDS`
and ``key`` the rest of the thing's IRI (``/agreements/country/FR`` for ``id/country/FR``,
``/agreements/municipality/mx-23005``, ``/agreements/theme/culture`` for ``vocab/theme/culture``).
A thing the graph does not describe is a 404; one with no agreements says so. Each page links
the SPARQL query that found its list.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from paradip_kg.errors import NotDescribed
from paradip_kg.publish.agreement_lists import KINDS, agreement_list, query_agreements
from paradip_kg.publish.labels import Labels
from paradip_kg.sparql.local import run_on_store
from paradip_kg.web import http, urls
from paradip_kg.web.conneg import HTML
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

bp = Blueprint("agreement_pages", __name__)


@bp.app_template_global()
def agreements_link(iri: str) -> str | None:
    """The list of ``iri``'s agreements, when it is a thing such a list is about (the resource pages link it)."""
    for kind, (prefix, *_rest) in KINDS.items():
        key = str(iri)[len(prefix):]
        if str(iri).startswith(prefix) and key and "/" not in key:
            return url_for("agreement_pages.agreements_of", kind=kind, key=key)
    return None


@bp.get("/agreements/<kind>/<path:key>")
def agreements_of(kind: str, key: str) -> BaseResponse:
    if kind not in KINDS:
        raise NotDescribed(f"no list of agreements by {kind!r}: use one of {', '.join(KINDS)}")
    iri = KINDS[kind][0] + key
    lang = page_language()
    store = get_state().store()
    if not run_on_store(store, f"ASK {{ <{iri}> ?p ?o }}").boolean:
        raise NotDescribed(f"the graph says nothing about {iri}")

    def render() -> tuple[str, str]:
        rows = agreement_list(store, kind, iri, lang)
        text = query_agreements(kind, iri, lang)
        label = Labels(store, lang).label(ox.NamedNode(iri))
        return render_template("agreements.html", lang=lang, kind=kind, key=key, iri=iri, label=label, rows=rows,
                               heading=KINDS[kind][2 if lang == "es" else 3],
                               query_href=url_for("sparql.endpoint", query=text, _anchor="results"),
                               page_href=urls.link_for(iri)), HTML.content_type
    return http.serve(("agreements", kind, key, lang), render, vary=("Accept", "Accept-Language"))
