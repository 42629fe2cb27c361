"""What the build keeps beside the store for the pages, so that they need not ask the store.

- the search index (:mod:`paradip_kg.store.search_index`), with the facet table of /browse
  (:mod:`paradip_kg.publish.facets`): :func:`write_search_index`;
- the rows of the home page's queries over every agreement (:mod:`paradip_kg.publish.charts.kept`):
  :func:`keep_chart_rows`.

Each is kept for the build's state (its content hash). After a write, the pages keep drawing from
what is kept for the state before while the new state's is computed again (``web/overview.py``):
each thing kept is a :class:`Kept`, and :func:`keep_again` computes and keeps one in a process of
its own (``python -m paradip_kg.publish.kept NAME INDEX TAG STATE``).
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg import collector
from paradip_kg.child import die_with_parent
from paradip_kg.publish import facets
from paradip_kg.publish.charts import kept
from paradip_kg.store import search_index
from paradip_kg.store.disk import Manifest, resolved


def write_search_index(store_dir: Path, manifest: Manifest,
                       tick: Callable[[int], None] | None = None) -> search_index.IndexInfo:
    """The search index of the built store, beside it, with the facet table of /browse.
    ``tick``: the labels read so far."""
    store = ox.Store.read_only(str(resolved(store_dir)))
    try:
        path = search_index.index_path(store_dir)
        written = search_index.write_index(store, path, manifest.content_hash, manifest.built_at, tick=tick)
        facets.save(facets.facet_table(store), path, manifest.content_hash)  # /browse's table, for this build
        return written
    finally:
        del store


def keep_chart_rows(store_dir: Path, manifest: Manifest, tick: Callable[[int], None] | None = None) -> int:
    """The rows of the home page's queries over the whole graph, in the search index (written
    first); returns how many queries were kept. ``tick``: the queries run so far."""
    return ChartRows(store_dir, tick).keep(store_dir, manifest)


class ChartRows:
    """The home page's queries over the whole graph, run in a thread from now (Oxigraph releases the
    GIL while it evaluates, so the build writes the search index meanwhile); :meth:`keep` waits for
    them and keeps their rows in the search index."""

    def __init__(self, store_dir: Path, tick: Callable[[int], None] | None = None) -> None:
        self._found: dict[str, kept.Rows] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(resolved(store_dir), tick),
                                        name="home-page-rows", daemon=True)
        self._thread.start()

    def _run(self, folder: Path, tick: Callable[[int], None] | None) -> None:
        try:
            store = ox.Store.read_only(str(folder))
            self._found = kept.overview_rows(store, tick)
        except BaseException as exc:  # noqa: BLE001 (raised again by keep(), in the build's thread)
            self._error = exc

    def keep(self, store_dir: Path, manifest: Manifest) -> int:
        self._thread.join()
        if self._error is not None:
            raise self._error
        kept.save(search_index.index_path(store_dir), manifest.content_hash, self._found, complete=True)
        return len(self._found)


def keep_for_pages(store_dir: Path, manifest: Manifest) -> None:
    """The search index, the facet table and the chart rows of the build ``manifest`` names, anew."""
    write_search_index(store_dir, manifest)
    keep_chart_rows(store_dir, manifest)


# --- Kept again for a newer state (after a write) -----------------------------------------------


@dataclass(frozen=True)
class Kept:
    """One thing the pages read from beside the store, for one state.

    Attributes:
        name: what it is (the refresh's lock file, log lines and :func:`main` name it).
        kept_tag: the state it is kept for in the search index at a path (None: nothing kept).
        make: computes it on a store.
        save: keeps what ``make`` computed in the search index at a path, for a state.
    """

    name: str
    kept_tag: Callable[[Path], str | None]
    make: Callable[[ox.Store], Any]
    save: Callable[[Path, str, Any], None]


HOME_ROWS = Kept("overview", kept.complete_tag, kept.overview_rows,
                 lambda path, tag, found: kept.save(path, tag, found, complete=True))
FACET_TABLE = Kept("facets", facets.kept_tag, facets.facet_table,
                   lambda path, tag, table: facets.save(table, path, tag))
KEPT = {k.name: k for k in (HOME_ROWS, FACET_TABLE)}


def lock_path(what: Kept, index: Path) -> Path:
    """The lock file a process holds while it computes ``what`` again for the index at ``index``."""
    return index.with_name(f"{index.name}.{what.name}.lock")


def start_again(what: Kept, index: Path, tag: str, state: Path) -> subprocess.Popen[bytes]:
    """Start computing ``what`` on the state in the folder ``state`` and keeping it in ``index`` for
    ``tag``, in a child process (:func:`main`); it ends with 0 when it kept it, or left it to another
    process that holds :func:`lock_path`. A process of its own: building the facet table is Python
    work that holds the GIL for seconds at ~1M, and in a thread of a web worker it starved that
    worker's requests (docs/benchmarks.md, "The home page after a write"). Its errors go to stderr,
    the server log."""
    return subprocess.Popen([sys.executable, "-m", __name__, what.name, str(index), tag, str(state)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


@collector.paused  # a facet table holds a row per agreement: collections walked them all (collector.py)
def main(argv: Sequence[str] | None = None) -> int:
    """``python -m paradip_kg.publish.kept NAME INDEX TAG STATE``: what :func:`start_again` runs."""
    die_with_parent()
    name, index_text, tag, state = argv if argv is not None else sys.argv[1:]
    what, index = KEPT[name], Path(index_text)
    with open(lock_path(what, index), "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another process computes it
        if what.kept_tag(index) == tag:
            return 0
        started = time.monotonic()
        what.save(index, tag, what.make(ox.Store.read_only(state)))
        print(f"paradip-kg: {name} kept for {tag[:16]} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
