"""GET /about: what the graph holds, where it comes from, how it is built, and how to cite it.

Also the facts every page's footer shows (:func:`site_facts`, a template global): the version of
paradip-kg, when the published state was built or last written, the licences, and how to cite
the page being read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from paradip_kg import __version__
from paradip_kg.errors import ParadipError
from paradip_kg.publish.stats import figures as count_figures
from paradip_kg.sparql.local import run_on_store
from paradip_kg.web import http, urls
from paradip_kg.web.conneg import HTML
from paradip_kg.web.language import page_language
from paradip_kg.web.overview import drawn_state
from paradip_kg.web.state import get_state

bp = Blueprint("about", __name__)

CODE_LICENCE = ("Apache-2.0", "https://www.apache.org/licenses/LICENSE-2.0")
DATA_LICENCE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")
TITLE = "paradip-kg: an open knowledge graph on paradiplomacy"


@dataclass(frozen=True)
class SiteFacts:
    version: str
    built: str | None  # the date (YYYY-MM-DD) the published state was built or last written
    code_licence: tuple[str, str]
    data_licence: tuple[str, str]
    page_url: str  # this page, on this host
    accessed: str  # today, UTC

    def citation(self, title: str, url: Any = None) -> str:
        """How to cite the page: author, title, version, build date, URL (the thing's IRI on its page,
        ``url``; else the page's), date of access, as plain text."""
        title = title.strip().removesuffix("· paradip-kg").strip() or "paradip-kg"
        built = f", built {self.built}" if self.built else ""
        return (f"paradip-kg contributors. “{title}”. {TITLE}, version {self.version}{built}. "
                f"{url or self.page_url} (accessed {self.accessed}). Data licence {self.data_licence[0]}.")


@bp.app_template_global()
def site_facts() -> SiteFacts:
    """The footer's facts for the current request (the build date is left out when there is no store)."""
    built: str | None = None
    try:
        built = http.version().modified.date().isoformat()
    except (ParadipError, OSError):
        built = None
    page = urls.absolute(request.path) if request.path != "/" else urls.absolute("/")
    return SiteFacts(__version__, built, CODE_LICENCE, DATA_LICENCE, page, datetime.now(UTC).date().isoformat())


def figures() -> dict[str, int]:
    """The counts of :data:`paradip_kg.publish.stats.FIGURES`, once per state they are drawn from
    (:func:`~paradip_kg.web.overview.drawn_state`)."""
    state = get_state()
    drawn = drawn_state()

    def count() -> dict[str, int]:
        store = state.store()
        return count_figures(store, lambda text: state.kept_rows(text, lambda: run_on_store(store, text).rows,
                                                                 drawn.tag))
    counted: dict[str, int] = state.cached(("figures", drawn.tag), count)
    return counted


@bp.get("/about")
def about() -> Response:
    lang = page_language()
    drawn = drawn_state()

    def render() -> tuple[str, str]:
        manifest = get_state().manifest()
        return render_template("about.html", lang=lang, manifest=manifest, figures=figures(),
                               version=__version__, stale=drawn.stale), HTML.content_type
    return http.revalidate_if(drawn.stale, http.serve(("about", lang, drawn.tag), render, vary=("Accept-Language",)))
