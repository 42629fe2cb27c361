"""Stores for the tests: the bundled graph built, stores written from graphs, copies to write to.

A store is a link to its newest build folder, with the build's manifest beside that folder (see
:mod:`paradip_kg.store.disk`), and the app's other files beside the link (``<store>.*.json``).
A copy (:func:`copy_store`) is a plain folder with its manifest beside it, which the app reads
the same way.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from rdflib import Graph

from paradip_kg.build import build
from paradip_kg.store.disk import Manifest, manifest_path, resolved, write_store
from support.paths import ROOT

BUILT_AT = "2026-01-01T00:00:00+00:00"  # a fixed build time, so that ETags and documents are stable


def build_bundled(store_dir: Path) -> Path:
    """The repository's ontology/, vocab/, data/ and shapes/ built into ``store_dir``."""
    build(ROOT, store_dir)
    return store_dir


def write_graphs_store(store_dir: Path, graphs: Mapping[str, Graph], content_hash: str,
                       built_at: str = BUILT_AT) -> Path:
    """A store of ``graphs`` (by key: ontology, vocab, data, inferred, shapes) and its manifest,
    without the build pipeline (no inference, no validation): what the test wrote is what is served."""
    counts = write_store(store_dir, dict(graphs))
    Manifest(content_hash=content_hash, built_at=built_at, triples=counts).write(manifest_path(store_dir))
    return store_dir


def copy_store(source: Path, folder: Path) -> Path:
    """A copy of the store ``source`` and the files beside it (manifest, ...) as ``folder/store``:
    a test that writes works on its own copy, never on a session store."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "store"
    shutil.copytree(resolved(source), target)
    shutil.copy(manifest_path(source), manifest_path(target))
    for sibling in source.parent.glob(source.name + ".*.json"):
        shutil.copy(sibling, folder / (target.name + sibling.name[len(source.name):]))
    assert manifest_path(target).exists()
    return target
