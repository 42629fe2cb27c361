"""What the build keeps beside the store for the pages, so that they need not ask the store.

- the search index (:mod:`paradip_kg.store.search_index`), with the facet table of /browse
  (:mod:`paradip_kg.publish.facets`): :func:`write_search_index`;
- the rows of the home page's queries over every agreement (:mod:`paradip_kg.publish.charts.kept`):
  :func:`keep_chart_rows`.

Each is kept for the build's state (its content hash); after a write the pages read the store and
keep what they read for the new state.
"""

from __future__ import annotations

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
    """The rows of the home page's queries over every agreement, in the search index (written
    first); returns how many queries were kept. ``tick``: the queries run so far."""
    store = ox.Store.read_only(str(resolved(store_dir)))
    try:
        found = kept.overview_rows(store, tick)
        kept.save(search_index.index_path(store_dir), manifest.content_hash, found)
        return len(found)
    finally:
        del store


def keep_for_pages(store_dir: Path, manifest: Manifest) -> None:
    """The search index, the facet table and the chart rows of the build ``manifest`` names, anew."""
    write_search_index(store_dir, manifest)
    keep_chart_rows(store_dir, manifest)
