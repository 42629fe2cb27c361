"""GET /search?q=…: every label and alternative label of the graph, es and en, ranked.

The index is the store's (``<store>.search.sqlite``, written by the build and kept in step with
accepted writes: :mod:`paradip_kg.store.search_index`). A store without one (written by a test,
a copy) is indexed on first use and the index written beside it; another backend's state is
indexed in memory, once per published state (:func:`current_index`). HTML for people, in the site's layout;
JSON (``Accept: application/json`` or ``?format=json``) for programs: a list of hits, each with
its IRI, label and type.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from paradip_kg.errors import InputError, NotAcceptable
from paradip_kg.namespaces import PDO
from paradip_kg.publish.labels import Labels
from paradip_kg.rdf.formats import Format
from paradip_kg.store import search_index
from paradip_kg.web import conneg, http
from paradip_kg.web.conneg import HTML
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

bp = Blueprint("search", __name__)

JSON = Format("json", "application/json", "JSON", "json", "https://www.rfc-editor.org/rfc/rfc8259",
              short_names=("json",))
FORMATS = (HTML, JSON)
TYPE_ORDER = (str(PDO._NS), "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/2002/07/owl#")
MAX_QUERY = 200  # characters
DEFAULT_LIMIT = 20


@dataclass
class Index:
    """The index this process searches: a file (the store's), or its bytes (made by this process)."""

    path: Path | None
    data: bytes | None = None

    @property
    def built_here(self) -> bool:
        return self.path is None

    def connect(self) -> sqlite3.Connection:
        if self.path is not None:
            return search_index.connect(self.path)
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.deserialize(self.data or b"")
        return conn


@dataclass
class Opened:
    """One connection to the index, kept for the published state (a fresh connection starts with an
    empty page cache: tens of ms at ~1M labels); one request at a time uses it."""

    conn: sqlite3.Connection
    lock: threading.Lock


def opened(index: Index) -> Opened:
    found: Opened = get_state().cached(("search-connection", str(index.path)),
                                       lambda: Opened(index.connect(), threading.Lock()))
    return found


def current_index() -> Index:
    """The store's index; for a store without one, the index of the published state made here and
    written beside it (``<store>.search.sqlite``, as the build would), or kept in memory when that
    folder cannot be written or the backend is not the store on disk."""
    state = get_state()
    path = search_index.index_path(state.store_dir)
    on_disk = state.settings.get("backend") == "oxigraph"
    if on_disk and path.exists():
        return Index(path)

    def make() -> Index:
        head = state.head()
        if on_disk:
            try:
                search_index.write_index(state.store(), path, head.tag, head.modified.isoformat())
                return Index(path)
            except OSError:
                pass
        handle, name = tempfile.mkstemp(prefix="paradip-search-", suffix=".sqlite")
        os.close(handle)
        target = Path(name)
        try:
            search_index.write_index(state.store(), target, head.tag, head.modified.isoformat())
            conn = sqlite3.connect(target)
            try:
                return Index(None, conn.serialize())
            finally:
                conn.close()
        finally:
            target.unlink(missing_ok=True)
    index: Index = state.cached(("search-index",), make)
    return index


def _type_label(labels: Labels, iri: str | None) -> str | None:
    return labels.label(ox.NamedNode(iri)) if iri else None


def _limit() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= search_index.MAX_LIMIT:
        raise InputError(f"limit is a whole number from 1 to {search_index.MAX_LIMIT}, not {raw!r}")
    return int(raw)


@bp.get("/search")
def search() -> Response:
    lang = page_language()
    fmt = conneg.override(request.args.getlist("format"), FORMATS) or conneg.negotiate(request.accept_mimetypes,
                                                                                        FORMATS)
    if fmt is None:
        raise NotAcceptable("/search answers text/html or application/json")
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise InputError(f"the search is at most {MAX_QUERY} characters long, not {len(query)}")
    limit = _limit()

    def render() -> tuple[str, str]:
        index = current_index()
        held = opened(index)
        with held.lock:
            hits = search_index.search(held.conn, query, lang, limit, TYPE_ORDER) if query else []
            about = search_index.info(held.conn)
        head = get_state().head()
        if fmt is JSON:
            body: dict[str, Any] = {"query": query, "hits": [h.to_json() for h in hits],
                                    "index": {"built_at": about.built_at, "current": about.tag == head.tag}}
            return json.dumps(body, ensure_ascii=False), "application/json"
        labels = Labels(get_state().store(), lang)
        rows = [(h, _type_label(labels, h.type)) for h in hits]
        return render_template("search.html", lang=lang, query=query, rows=rows, about=about,
                               current=about.tag == head.tag, built_here=index.built_here), HTML.content_type
    return http.serve(("search", fmt.name, lang, query, limit), render, vary=("Accept", "Accept-Language"))

