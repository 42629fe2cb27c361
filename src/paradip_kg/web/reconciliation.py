"""GET /reconciliation: the registry's agreements against Wikidata's P190 claims, one row per pair.

HTML for people (es/en, filtered by ``municipality`` and ``country``, paged), CSV and JSON by
``Accept`` (``text/csv``, ``application/json``) or by the suffix (``/reconciliation.csv``,
``/reconciliation.json``), with the same filters. The rows (:mod:`paradip_kg.publish.reconciliation`)
are computed once per published state; a harvest publishes a new state, so the page follows it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from typing import Any

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from paradip_kg.errors import NotAcceptable
from paradip_kg.publish.reconciliation import CLASSES, COLUMNS, Row, fold, reconcile
from paradip_kg.publish.reconciliation_rows import load_rows, save_rows
from paradip_kg.web import conneg, http
from paradip_kg.web.conneg import HTML
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

bp = Blueprint("reconciliation", __name__)
LOG = logging.getLogger(__name__)
PAGE = 200  # rows per HTML page
CSV, JSON = conneg.BY_NAME["csv"], conneg.BY_NAME["json"]
FORMATS = {"csv": CSV, "json": JSON}


def all_rows() -> list[Row]:
    """The rows of the published state: those its build or harvest kept (:func:`load_rows`), or,
    for a state that neither made, computed here once and kept for the other workers."""
    state = get_state()

    def make() -> list[Row]:
        on_disk = state.settings.get("backend") == "oxigraph"
        version = state.version()
        kept = load_rows(state.store_dir, version) if on_disk else None
        if kept is not None:
            return kept
        rows = reconcile(state.store())
        if on_disk:
            try:
                save_rows(state.store_dir, version, rows)
            except OSError as exc:  # a read-only folder: every worker computes its own
                LOG.info("reconciliation rows not kept beside %s: %s", state.store_dir, exc)
        return rows
    rows: list[Row] = state.cached(("reconciliation",), make)
    return rows


def _filters() -> dict[str, str]:
    return {k: request.args.get(k, "").strip()[:200] for k in ("municipality", "country", "class")}


def select(rows: list[Row], municipality: str, country: str, cls: str) -> list[Row]:
    """The rows whose municipality's name, QID or IRI has ``municipality`` in it, with ``country``
    (ISO code or QID) on either side, of class ``cls``; empty filters select everything."""
    name, place = fold(municipality), country.upper()
    out = []
    for r in rows:
        m = r.municipality
        if name and not (any(name in fold(v) for v in m.labels.values()) or municipality in (m.qid, m.iri)):
            continue
        if place and place not in (r.municipality.country.upper(), r.partner.country.upper()):
            continue
        if cls and r.cls != cls:
            continue
        out.append(r)
    return out


def _csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def _answer(fmt: conneg.Format) -> BaseResponse:
    lang = page_language()
    f = _filters()
    if f["class"] and f["class"] not in CLASSES:
        f["class"] = ""

    def render() -> tuple[str, str]:
        rows = select(all_rows(), f["municipality"], f["country"], f["class"])
        if fmt is CSV:
            return _csv([r.record(lang) for r in rows]), "text/csv; charset=utf-8"
        if fmt is JSON:
            body = {"columns": list(COLUMNS), "classes": list(CLASSES), "filters": f,
                    "rows": [r.record(lang) for r in rows]}
            return json.dumps(body, ensure_ascii=False, indent=1), "application/json"
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page = 1
        counts = {c: sum(1 for r in rows if r.cls == c) for c in CLASSES}
        shown = rows[(page - 1) * PAGE: page * PAGE]
        return render_template("reconciliation.html", lang=lang, rows=[r.record(lang) for r in shown],
                               total=len(rows), counts=counts, filters=f, page=page,
                               pages=max(1, -(-len(rows) // PAGE)), classes=CLASSES), HTML.content_type
    return http.serve(("reconciliation", fmt.name, lang, tuple(sorted(f.items())), request.args.get("page", "")),
                      render, vary=("Accept", "Accept-Language"))


@bp.get("/reconciliation")
def reconciliation() -> BaseResponse:
    fmt = conneg.choose(request.accept_mimetypes, request.args.getlist("format"), (HTML, CSV, JSON))
    if fmt is None:
        raise NotAcceptable("/reconciliation is HTML, CSV (text/csv) or JSON (application/json)")
    return _answer(fmt)


@bp.get("/reconciliation.<suffix>")
def reconciliation_as(suffix: str) -> BaseResponse:
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise NotAcceptable("/reconciliation.csv or /reconciliation.json")
    return _answer(fmt)
