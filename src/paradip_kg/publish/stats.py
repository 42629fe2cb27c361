"""Figures about a built store, for `paradip-kg stats` and the dataset description."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.sparql.local import run_on_store
from paradip_kg.store.disk import Manifest, count_by_graph, manifest_path
from paradip_kg.store.head import open_store

FIGURES = {
    "agreements": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pdo:Agreement }",
    "national agreements": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pdo:NationalAgreement }",
    "international agreements": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pdo:InternationalAgreement }",
    "actors": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pdo:Actor }",
    "places": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pdo:Place }",
    "theories": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pdo:Theory }",
    "statistical claims": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pdo:StatisticalClaim }",
    "sources": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pdo:SourceDocument }",
    "classes in use": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH pdg:data { ?x a ?c } }",
    "distinct subjects": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH pdg:data { ?x ?p ?o } }",
}


def figures(store: Any, ask: Callable[[str], list[dict[str, Any]]] | None = None) -> dict[str, int]:
    """The counts of :data:`FIGURES` in ``store`` (0 for a count the store does not answer).
    ``ask``: a query text's rows (the pages keep them per state); else run on ``store``."""
    counted: dict[str, int] = {}
    for name, text in FIGURES.items():
        rows = ask(text) if ask is not None else run_on_store(store, text).rows
        n = rows[0].get("n") if rows else None
        counted[name] = int(n.value) if isinstance(n, ox.Literal) else 0
    return counted


def collect(store_dir: Path, store: Any = None) -> dict[str, dict[str, Any]]:
    """The figures of the store at ``store_dir``, or of ``store`` (a backend's Store-like object,
    see :mod:`paradip_kg.backends.base`; then there is no build section)."""
    manifest = None
    if store is None:
        store = open_store(store_dir)
        manifest = Manifest.read(manifest_path(store_dir))
    triples = store.count_by_graph() if hasattr(store, "count_by_graph") else count_by_graph(store)
    counted = figures(store)
    build: dict[str, Any] = {}
    if manifest is not None:
        build = {"built at": manifest.built_at, "content hash": manifest.content_hash[:16],
                 **{f"{k} seconds": v for k, v in manifest.seconds.items()},
                 **{f"SHACL {k.lower()}s": v for k, v in manifest.results.items()}}
    return {"triples": {**triples, "total": sum(triples.values())}, "knowledge graph": counted, "build": build}
