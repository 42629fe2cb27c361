"""The reconciliation rows of a published state, kept in a file beside the store.

The build and a harvest compute the rows where they publish a state (:mod:`paradip_kg.publish.reconciliation`)
and keep them here, named by the state they are for, so ``/reconciliation`` reads the rows of the state
it serves instead of reading the whole graph into Python again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from paradip_kg.publish.reconciliation import Row, Side

ROWS_SUFFIX = ".reconciliation.json"


def rows_path(store_dir: Path) -> Path:
    """Where the rows of the store at ``store_dir`` are kept (beside its link, as the store's)."""
    return store_dir.with_name(store_dir.name + ROWS_SUFFIX)


def save_rows(store_dir: Path, version: str, rows: Iterable[Row]) -> None:
    """Keep ``rows`` as those of the published state ``version`` (``AppState.version``: the head's
    tag, first 16 characters), replacing the file at once (written beside, then renamed)."""
    path = rows_path(store_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps({"version": version, "rows": [asdict(r) for r in rows]}, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, path)


def load_rows(store_dir: Path, version: str) -> list[Row] | None:
    """The kept rows of the state ``version``; None when the file is missing, unreadable or of another state."""
    try:
        kept = json.loads(rows_path(store_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("version") != version:
        return None
    try:
        return [Row(**{**r, "municipality": Side(**r["municipality"]), "partner": Side(**r["partner"])})
                for r in kept["rows"]]
    except (KeyError, TypeError):
        return None
