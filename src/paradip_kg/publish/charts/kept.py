"""The rows of the home page's costly chart queries, kept beside the store for one published state.

Without a choice the charts count every agreement in the graph, and so does the selector: at ~1M
triples their queries take seconds (docs/benchmarks.md, "The home page at ~1M"). The build runs
them once on the store it wrote (:func:`overview_rows`: every query the page asks without a choice,
in every language) and keeps their rows in the store's search index as one **complete set**
(:func:`save`), tagged with the state; a worker reads a query's rows back (:func:`load_one`)
instead of asking the store.

After a write the tag differs. The complete set of the state before stays (:func:`complete_tag`)
until the new state's is kept: the page can be drawn from it while the new rows are computed
(``web/overview.py``). At most two states' rows are held: the complete set, and the rows kept so
far for one newer state.

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
from paradip_kg.store.search_index import read_beside

Rows = list[dict[str, Any]]

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS overview_rows(tag TEXT NOT NULL, query TEXT NOT NULL, rows TEXT NOT NULL,
                                         PRIMARY KEY (tag, query));
CREATE TABLE IF NOT EXISTS overview_sets(tag TEXT PRIMARY KEY, complete INTEGER NOT NULL);
"""
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def overview_rows(store: ox.Store, tick: Callable[[int], None] | None = None) -> dict[str, Rows]:
    """Every query the home page asks over the whole graph (its figures and examples, the charts of
    every agreement, the selector's choices), in every language, with its rows. ``tick``: the
    queries run so far."""
    found: dict[str, Rows] = {}
    asked: dict[str, Rows] = {}  # by the query without its title: the languages' forms of one query

    def rows(text: str) -> Rows:
        if text not in found:
            query = untitled(text)
            if query not in asked:
                asked[query] = _bindings(store, text)
            found[text] = asked[query]
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


def untitled(text: str) -> str:
    """``text`` without the comment lines it starts with (a chart's title, in the page's language):
    two texts equal once they are gone are one query, with the same rows. Only leading lines, where
    no string or IRI can be open yet."""
    lines = text.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("#")):
        lines.pop(0)
    return "\n".join(lines)


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


def save(path: Path, tag: str, found: Mapping[str, Rows], complete: bool = False) -> None:
    """Keep ``found`` (query text → rows) in the SQLite file ``path`` for the state ``tag``, added to
    the rows kept for it. ``complete``: ``found`` is every query of :func:`overview_rows`, the set the
    page can be drawn from; it takes the place of every other state's rows. Otherwise the rows of
    states other than ``tag`` and the complete set's go."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.executescript(SCHEMA_SQL)
        with conn:
            if complete:
                conn.execute("DELETE FROM overview_rows WHERE tag != ?", (tag,))
                conn.execute("DELETE FROM overview_sets WHERE tag != ?", (tag,))
            else:
                keep = (tag, _complete_tag(conn) or tag)
                conn.execute("DELETE FROM overview_rows WHERE tag NOT IN (?, ?)", keep)
                conn.execute("DELETE FROM overview_sets WHERE tag NOT IN (?, ?)", keep)
            conn.executemany("INSERT OR REPLACE INTO overview_rows VALUES (?, ?, ?)",
                             [(tag, text, _dumps(rows)) for text, rows in found.items()])
            conn.execute("INSERT INTO overview_sets VALUES (?, ?) ON CONFLICT(tag) DO UPDATE SET "
                         "complete = MAX(complete, excluded.complete)", (tag, int(complete)))
    finally:
        conn.close()


def _complete_tag(conn: sqlite3.Connection) -> str | None:
    found = conn.execute("SELECT tag FROM overview_sets WHERE complete = 1").fetchone()
    return str(found[0]) if found else None


def complete_tag(path: Path) -> str | None:
    """The state whose complete set of rows ``path`` keeps (the build's, or the newest one a worker
    kept after a write); None: none."""
    found: str | None = read_beside(path, _complete_tag)
    return found


def load_one(path: Path, tag: str, text: str) -> Rows | None:
    """The rows kept in ``path`` for the query ``text`` in the state ``tag``; None: none kept."""
    found = read_beside(path, lambda conn: conn.execute("SELECT rows FROM overview_rows WHERE tag = ? AND query = ?",
                                                   (tag, text)).fetchone())
    if found is None:
        return None
    return [{k: decode(v) for k, v in row.items()} for row in json.loads(found[0])]
