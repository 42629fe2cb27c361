"""Session fixtures: the bundled knowledge graph built once into a temporary store."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradip_kg.build import build

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the repository's ontology/, vocab/, data/ and shapes/."""
    store_dir = tmp_path_factory.mktemp("bundled") / "store"
    build(ROOT, store_dir)
    return store_dir
