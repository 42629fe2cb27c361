"""The search index: every label and alternative label of the graph in SQLite FTS5, beside the store.

A build writes ``<build>.search.sqlite`` beside its build folder (:func:`write_index`, called by
:mod:`paradip_kg.build`); an accepted write keeps it in step (:func:`apply_delta`, called by
:mod:`paradip_kg.writes.commit` with the write's delta). ``/search`` (:mod:`paradip_kg.web.search`)
reads it with :func:`search`.

What is indexed: the literals of the predicates of :data:`LABELS` in every graph but the shapes
graph, each with its weight (0: a name, 1: an alternative name). Words are matched by FTS5's
``unicode61`` tokenizer with ``remove_diacritics 2`` (case- and accent-insensitive); whole
labels and label prefixes by a folded copy of each label (:func:`fold`), indexed.

The ranking (:func:`search`): an exact label before a label that starts with the query before a
label that has its words; a name before an alternative name; the reader's language before the
other; a shorter label before a longer one. One hit per IRI. Each kind of match reads at most
:data:`CANDIDATES` rows before ranking: labels that start with the query in alphabetical order (a
label sorts before its longer extensions), labels that have its words in the order the index
keeps them (names first, shorter first; a label added by a write comes after those of the build).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS
from paradip_kg.store.disk import resolved

LOG = logging.getLogger(__name__)
SUFFIX = ".search.sqlite"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# Predicate → weight: 0 a name of the thing, 1 another name it goes by.
LABELS: dict[str, int] = {
    RDFS + "label": 0,
    SKOS + "prefLabel": 0,
    SCHEMA + "name": 0,
    "http://xmlns.com/foaf/0.1/name": 0,
    "http://purl.org/dc/terms/title": 0,
    SKOS + "altLabel": 1,
    SKOS + "hiddenLabel": 1,
    SCHEMA + "alternateName": 1,
    "https://w3id.org/paradip/ontology#sourceLabel": 1,  # the source's own wording of a corrected label
}
SKIPPED_GRAPHS = frozenset({str(GRAPHS["shapes"])})
CANDIDATES = 100  # rows read from each of the three matches before ranking (for at most MAX_LIMIT hits)
MAX_LIMIT = 100

SCHEMA_SQL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries(id INTEGER PRIMARY KEY, iri TEXT NOT NULL, predicate TEXT NOT NULL, graph TEXT NOT NULL,
                     text TEXT NOT NULL, lang TEXT NOT NULL, weight INTEGER NOT NULL, norm TEXT NOT NULL);
CREATE TABLE types(iri TEXT NOT NULL, type TEXT NOT NULL, graph TEXT NOT NULL);
CREATE VIRTUAL TABLE words USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
"""
INDEX_SQL = """
CREATE INDEX entries_norm ON entries(norm, weight);
CREATE INDEX entries_iri ON entries(iri);
CREATE INDEX types_iri ON types(iri);
"""


def read_beside(path: Path, read: Callable[[sqlite3.Connection], Any]) -> Any:
    """``read(conn)`` on the index at ``path`` opened read-only, for what the build keeps in it beside
    the labels (the home page's rows, /browse's table); None when the file is missing, damaged, or
    written before those tables were kept there."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        return read(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def index_path(store_dir: Path) -> Path:
    """Where the search index of the store at ``store_dir`` lives: beside the build it names now
    (:func:`paradip_kg.store.disk.resolved`), so that a new build brings its own."""
    folder = resolved(store_dir)
    return folder.with_name(folder.name + SUFFIX)


def fold(text: str) -> str:
    """``text`` without accents, case or runs of spaces: what exact and prefix matches compare."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class Hit:
    """One thing found: its IRI, its label in the reader's language, its type, and what matched."""

    iri: str
    label: str
    type: str | None
    matched: str
    match: str  # "exact", "prefix" or "words"

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "type": self.type, "matched": self.matched, "match": self.match}


@dataclass(frozen=True)
class IndexInfo:
    built_at: str
    tag: str
    entries: int


def _label_rows(store: Any) -> Iterator[tuple[str, str, str, str, str, int, str]]:
    """The labels, one index scan per predicate of :data:`LABELS` (a SPARQL query over ``GRAPH ?g``
    took 4.2 s at ~1M quads, the scans 3.2 s); which quads count is :func:`_quad_row`'s, as for a write."""
    for predicate in LABELS:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            row = _quad_row(quad)
            if row is not None:
                yield row


def _type_rows(store: Any) -> Iterator[tuple[str, str, str]]:
    """The stated types, one index scan per graph but the inferred one (a SPARQL query over ``GRAPH ?g``
    that dropped the inferred graph's rows afterwards took 7.5 s at ~1M quads, the scans 0.9 s)."""
    rdf_type = ox.NamedNode(RDF_TYPE)
    for graph in list(store.named_graphs()):
        if graph.value == str(GRAPHS["inferred"]):
            continue
        for quad in store.quads_for_pattern(None, rdf_type, None, graph):
            row = _quad_row(quad)
            if row is not None:
                yield row


def _counted(rows: Iterator[Any], tick: Callable[[int], None] | None, every: int = 10_000) -> Iterator[Any]:
    """``rows`` as they are, telling ``tick`` how many so far (every ``every`` rows, and at the end)."""
    n = 0
    for n, row in enumerate(rows, 1):
        if tick is not None and n % every == 0:
            tick(n)
        yield row
    if tick is not None:
        tick(n)


def write_index(store: Any, path: Path, tag: str, built_at: str | None = None,
                tick: Callable[[int], None] | None = None) -> IndexInfo:
    """Index the labels of ``store`` (a ``pyoxigraph.Store`` or a look-alike) into ``path``, replacing it.
    ``tick`` hears how many labels are read so far (the build's live line)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two processes may index at once
    tmp.unlink(missing_ok=True)
    built = built_at or datetime.now(UTC).isoformat(timespec="seconds")
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(SCHEMA_SQL)
        with conn:
            # In the order of the ranking (names first, shorter first), so that the words matched come
            # out of FTS5 best first in rowid order, without ranking every match (30 ms at 1M).
            # The whole row breaks ties, so that the order does not depend on the order of the scans.
            rows = sorted(_counted(_label_rows(store), tick), key=lambda r: (r[5], len(r[6]), r[6], *r))
            conn.executemany("INSERT INTO entries(iri, predicate, graph, text, lang, weight, norm) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            conn.execute("INSERT INTO words(rowid, text) SELECT id, text FROM entries")
            conn.executemany("INSERT INTO types VALUES (?, ?, ?)", _type_rows(store))
            conn.executescript(INDEX_SQL)
            entries = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            conn.executemany("INSERT INTO meta VALUES (?, ?)",
                             [("built_at", built), ("tag", tag), ("entries", str(entries))])
            conn.execute("INSERT INTO words(words) VALUES ('optimize')")
    finally:
        conn.close()
    tmp.replace(path)
    return IndexInfo(built, tag, entries)


def apply_delta(path: Path, added: Iterable[ox.Quad], removed: Iterable[ox.Quad], tag: str) -> bool:
    """Keep the index at ``path`` in step with an accepted write; False if there is no index."""
    if not path.exists():
        return False
    conn = sqlite3.connect(path, timeout=10)
    change = 0  # entries added less entries removed: a count(*) here cost ~10 ms a write at 1M
    try:
        with conn:
            for quad in removed:
                row = _quad_row(quad)
                if row is None:
                    continue
                if len(row) == 3:
                    conn.execute("DELETE FROM types WHERE iri = ? AND type = ? AND graph = ?", row)
                    continue
                ids = [r[0] for r in conn.execute(
                    "SELECT id FROM entries WHERE iri = ? AND predicate = ? AND graph = ? AND text = ? AND lang = ?",
                    row[:5])]
                conn.executemany("DELETE FROM entries WHERE id = ?", [(i,) for i in ids])
                conn.executemany("DELETE FROM words WHERE rowid = ?", [(i,) for i in ids])
                change -= len(ids)
            for quad in added:
                row = _quad_row(quad)
                if row is None:
                    continue
                if len(row) == 3:
                    conn.execute("INSERT INTO types VALUES (?, ?, ?)", row)
                    continue
                cursor = conn.execute("INSERT INTO entries(iri, predicate, graph, text, lang, weight, norm) "
                                      "VALUES (?, ?, ?, ?, ?, ?, ?)", row)
                conn.execute("INSERT INTO words(rowid, text) VALUES (?, ?)", (cursor.lastrowid, row[3]))
                change += 1
            conn.execute("UPDATE meta SET value = ? WHERE key = 'tag'", (tag,))
            conn.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + ? AS TEXT) WHERE key = 'entries'",
                         (change,))
    finally:
        conn.close()
    return True


def _quad_row(quad: ox.Quad) -> tuple[Any, ...] | None:
    """The index row of a quad: a label (7 values), a stated type (3), or None."""
    graph = quad.graph_name
    if not isinstance(graph, ox.NamedNode) or graph.value in SKIPPED_GRAPHS:
        return None
    if not isinstance(quad.subject, ox.NamedNode):
        return None
    s, p, o = quad.subject.value, quad.predicate.value, quad.object
    if p in LABELS and isinstance(o, ox.Literal):
        return (s, p, graph.value, o.value, o.language or "", LABELS[p], fold(o.value))
    if p == RDF_TYPE and isinstance(o, ox.NamedNode) and graph.value != str(GRAPHS["inferred"]):
        return (s, o.value, graph.value)
    return None


def connect(path: Path) -> sqlite3.Connection:
    """The index opened read-only (FileNotFoundError if there is none)."""
    if not path.exists():
        raise FileNotFoundError(path)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False)


def info(conn: sqlite3.Connection) -> IndexInfo:
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    return IndexInfo(meta.get("built_at", ""), meta.get("tag", ""), int(meta.get("entries", "0")))


def _words_query(folded: str) -> str | None:
    """An FTS5 query: every word of the query, the last one as a prefix (words quoted: no FTS syntax)."""
    words = re.findall(r"\w+", folded)
    if not words:
        return None
    return " ".join(f'"{w}"' for w in words[:-1]) + (" " if len(words) > 1 else "") + f'"{words[-1]}"*'


def search(conn: sqlite3.Connection, query: str, lang: str, limit: int = 20,
           type_order: tuple[str, ...] = ()) -> list[Hit]:
    """The things whose labels match ``query``, best first (the ranking of the module docstring).

    ``type_order``: namespaces whose types are named first when a thing has several stated types.
    """
    folded = fold(query)
    limit = max(1, min(limit, MAX_LIMIT))
    if not folded:
        return []
    columns = "e.iri, e.text, e.lang, e.weight, e.norm"
    rows: list[tuple[int, tuple[Any, ...]]] = []
    rows += [(0, r) for r in conn.execute(f"SELECT {columns} FROM entries e WHERE e.norm = ? LIMIT ?",
                                          (folded, CANDIDATES))]
    upper = folded + "\U0010ffff"
    rows += [(1, r) for r in conn.execute(
        f"SELECT {columns} FROM entries e WHERE e.norm > ? AND e.norm < ? ORDER BY e.norm LIMIT ?",
        (folded, upper, CANDIDATES))]
    fts = _words_query(folded)
    if fts is not None:
        rows += [(2, r) for r in conn.execute(
            f"SELECT {columns} FROM words JOIN entries e ON e.id = words.rowid WHERE words MATCH ? "
            "ORDER BY words.rowid LIMIT ?", (fts, CANDIDATES))]

    # A row is ranked by what it is, not by which of the three reads found it: the words read
    # finds the shortest labels, some of which start with the query.
    rows = [(0 if r[4] == folded else 1 if r[4].startswith(folded) else 2, r) for _kind, r in rows]

    def key(item: tuple[int, tuple[Any, ...]]) -> tuple[Any, ...]:
        kind, (iri, text, row_lang, weight, norm) = item
        return (kind, weight, 0 if row_lang in (lang, "") else 1, len(norm), norm, iri)

    best: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for item in sorted(rows, key=key):
        best.setdefault(item[1][0], item)
    chosen = sorted(best.values(), key=key)[:limit]
    iris = [item[1][0] for item in chosen]
    labels, types = _names(conn, iris, lang, type_order)
    kinds = ("exact", "prefix", "words")
    return [Hit(iri, labels.get(iri, text), types.get(iri), text, kinds[kind])
            for kind, (iri, text, _lang, _weight, _norm) in chosen]


def _names(conn: sqlite3.Connection, iris: list[str], lang: str,
           type_order: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """Each IRI's name in ``lang`` (else untagged, else any) and its stated type (``type_order`` first)."""
    if not iris:
        return {}, {}
    marks = ", ".join("?" * len(iris))
    labels: dict[str, tuple[int, str]] = {}
    for iri, text, row_lang in conn.execute(
            f"SELECT iri, text, lang FROM entries WHERE weight = 0 AND iri IN ({marks}) ORDER BY text", iris):
        rank = 0 if row_lang == lang else 1 if row_lang == "" else 2
        if iri not in labels or rank < labels[iri][0]:
            labels[iri] = (rank, text)
    types: dict[str, tuple[int, str]] = {}
    for iri, type_iri in conn.execute(f"SELECT iri, type FROM types WHERE iri IN ({marks}) ORDER BY type", iris):
        rank = next((i for i, ns in enumerate(type_order) if type_iri.startswith(ns)), len(type_order))
        if iri not in types or rank < types[iri][0]:
            types[iri] = (rank, type_iri)
    return {k: v[1] for k, v in labels.items()}, {k: v[1] for k, v in types.items()}


def keep_in_step(store_dir: Path, changes: Iterable[tuple[Iterable[ox.Quad], Iterable[ox.Quad]]], tag: str) -> None:
    """After an accepted write: apply its (added, removed) quads to the store's index. The write is
    committed already, so a failure here must not fail it: the index is removed instead (readers then
    index the published state themselves) and the failure logged."""
    path = index_path(store_dir)
    try:
        added: list[ox.Quad] = []
        removed: list[ox.Quad] = []
        for plus, minus in changes:
            added.extend(plus)
            removed.extend(minus)
        apply_delta(path, added, removed, tag)
    except (sqlite3.Error, OSError):
        LOG.exception("the search index %s could not follow a write; removed", path)
        path.unlink(missing_ok=True)
