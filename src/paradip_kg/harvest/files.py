"""Where a harvest is kept for `paradip-kg build`: ``data/harvested/wikidata.nt`` under the project.

The file holds the graph ``wikidata`` as sorted N-Triples; `build` loads it into that named graph
(not into the data graph: its triples are Wikidata's claims) and derives the graph
``reconciliation`` from it. It is replaced atomically (written beside, then renamed), after the
store took the harvest, so a failed harvest changes neither. ``data/harvested/`` is not one of the
folders `build` reads as data: its files stay out of the data graph.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPH, PDO
from paradip_kg.writes.graphs import HARVESTED_GRAPHS

FOLDER = Path("data") / "harvested"
NAME = "wikidata.nt"
# The graphs a harvest writes: an accepted write that changed only these is kept in the files.


def harvest_path(project_dir: Path) -> Path:
    return project_dir / FOLDER / NAME


def ntriples_text(triples: Iterable[ox.Triple]) -> str:
    return "".join(sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples))


def write_harvest(project_dir: Path, triples: Iterable[ox.Triple]) -> Path:
    """Replace the kept harvest with ``triples``, atomically."""
    path = harvest_path(project_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(ntriples_text(triples))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def read_harvest(project_dir: Path) -> str:
    """The kept harvest as N-Triples text ("" when there is none)."""
    path = harvest_path(project_dir)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def only_harvests(store: ox.Store) -> bool:
    """Whether every accepted write logged in ``store`` changed only the harvested graphs."""
    changed = {str(q.object).strip("<>") for q in store.quads_for_pattern(
        None, ox.NamedNode(str(PDO.changedGraph)), None, ox.NamedNode(str(GRAPH["writes"])))}
    return changed <= HARVESTED_GRAPHS
