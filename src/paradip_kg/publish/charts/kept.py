"""The rows of the home page's costly chart queries, kept beside the store for one published state.

Without a choice the charts count every agreement in the graph, and so does the selector: at ~1M
triples their queries take seconds (docs/benchmarks.md, "The home page at ~1M"). The build runs
them once on the store it wrote (:func:`overview_rows`: every query the page asks without a choice,
in every language) and keeps their rows in the store's search index (:func:`save`), tagged with the
state; a worker reads a query's rows back (:func:`load_one`) instead of asking the store. After a
write the tag differs: the first worker that draws the page asks the store and keeps the rows of
that state for the others (``web/home.py``).

Terms keep their kind, value, datatype and language (:func:`encode`, :func:`decode`), so kept rows
are equal to the rows the store answers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.i18n import LANGUAGES
from paradip_kg.publish.charts.data import build_charts, governments
from paradip_kg.publish.charts.model import _bindings
from paradip_kg.publish.charts.world_map import World
from paradip_kg.publish.stats import figures
from paradip_kg.publish.void import examples

Rows = list[dict[str, Any]]

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS chart_rows(query TEXT PRIMARY KEY, rows TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chart_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def overview_rows(store: ox.Store, tick: Callable[[int], None] | None = None) -> dict[str, Rows]:
    """Every query the home page asks over the whole graph (its figures and examples, the charts of
    every agreement, the selector's choices), in every language, with its rows. ``tick``: the
    queries run so far."""
    found: dict[str, Rows] = {}

    def rows(text: str) -> Rows:
        if text not in found:
            found[text] = _bindings(store, text)
            if tick is not None:
                tick(len(found))
        return found[text]
    nowhere: Any = lambda _text: None  # noqa: E731 (links are the page's, not the rows')
    figures(store, rows)  # the home page's figures and examples too
    examples(store, rows)
    for lang in LANGUAGES:
        governments(rows, lang)
        # A world without shapes: the map's query runs (its rows are what is kept), nothing is drawn.
        build_charts(rows, lang, nowhere, nowhere, None, World({}, "kept rows"))
    return found


def encode(term: Any) -> list[str] | None:
    """A term as JSON: ``["u", iri]``, ``["b", id]``, ``["l", value, datatype]``, ``["l", value, "@lang"]``."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ["u", term.value]
    if isinstance(term, ox.BlankNode):
        return ["b", term.value]
    if not isinstance(term, ox.Literal):
        raise TypeError(f"a chart query's row holds {term!r}, which is not kept")
    return ["l", term.value, "@" + term.language if term.language else term.datatype.value]


def decode(value: list[str] | None) -> Any:
    if value is None:
        return None
    kind, text = value[0], value[1]
    if kind == "u":
        return ox.NamedNode(text)
    if kind == "b":
        return ox.BlankNode(text)
    how = value[2]
    if how.startswith("@"):
        return ox.Literal(text, language=how[1:])
    return ox.Literal(text) if how == XSD_STRING else ox.Literal(text, datatype=ox.NamedNode(how))


def _dumps(rows: Rows) -> str:
    return json.dumps([{k: encode(v) for k, v in row.items()} for row in rows], ensure_ascii=False,
                      separators=(",", ":"))


def save(path: Path, tag: str, found: Mapping[str, Rows]) -> None:
    """Keep ``found`` (query text → rows) in the SQLite file ``path`` for the state ``tag``: added to
    the rows kept for ``tag``, or in place of those of another state."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.executescript(SCHEMA_SQL)
        with conn:
            kept = conn.execute("SELECT value FROM chart_meta WHERE key = 'tag'").fetchone()
            if kept is None or kept[0] != tag:
                conn.execute("DELETE FROM chart_rows")
                conn.execute("INSERT OR REPLACE INTO chart_meta VALUES ('tag', ?)", (tag,))
            conn.executemany("INSERT OR REPLACE INTO chart_rows VALUES (?, ?)",
                             [(text, _dumps(rows)) for text, rows in found.items()])
    finally:
        conn.close()


def load_one(path: Path, tag: str, text: str) -> Rows | None:
    """The rows kept in ``path`` for the query ``text`` in the state ``tag``; None: none kept."""
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        kept = conn.execute("SELECT value FROM chart_meta WHERE key = 'tag'").fetchone()
        if kept is None or kept[0] != tag:
            return None
        found = conn.execute("SELECT rows FROM chart_rows WHERE query = ?", (text,)).fetchone()
    except sqlite3.Error:  # an index written before the rows were kept there
        return None
    finally:
        conn.close()
    if found is None:
        return None
    return [{k: decode(v) for k, v in row.items()} for row in json.loads(found[0])]
