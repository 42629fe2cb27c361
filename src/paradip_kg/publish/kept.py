"""What the build keeps beside the store for the pages, so that they need not ask the store.

- the search index (:mod:`paradip_kg.store.search_index`), with the facet table of /browse
  (:mod:`paradip_kg.publish.facets`): :func:`write_search_index`;
- the rows of the home page's queries over every agreement (:mod:`paradip_kg.publish.charts.kept`):
  :func:`keep_chart_rows`.

Each is kept for the build's state (its content hash); after a write the pages read the store and
keep what they read for the new state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

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
