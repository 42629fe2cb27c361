"""The memory backend builds the way `paradip-kg build` does (backends/memory.py): the same engines
(setting ``inference_engine``: the compiled rules; setting ``validation_engine``), the same graphs."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from paradip_kg.backends import memory
from paradip_kg.namespaces import GRAPHS
from support.paths import ROOT


def _by_graph(store: ox.Store) -> dict[str, list[str]]:
    """Each graph's quads as text, blank nodes as one name (their labels differ between two parses)."""
    graphs: dict[str, list[str]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        terms = (quad.subject, quad.predicate, quad.object)
        graphs.setdefault(name, []).append(" ".join("_:b" if isinstance(t, ox.BlankNode) else str(t) for t in terms))
    return {k: sorted(v) for k, v in graphs.items()}


def test_the_memory_store_is_the_built_store(bundled_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = memory.__dict__.get("_build_in_memory")
    assert real is not None

    import paradip_kg.build as build

    infer_stage = build.infer_stage

    def spy(inputs: build.Inputs, engine: str, stage: object) -> build.Inference:
        result = infer_stage(inputs, engine, stage)  # type: ignore[arg-type]
        calls.append(result.engine)
        return result

    monkeypatch.setattr(build, "infer_stage", spy)
    made = real(ROOT)
    assert calls == ["rules"], "the memory backend did not infer with the build's engine"
    built = _by_graph(ox.Store.read_only(str(bundled_store)))
    ours = _by_graph(made)
    for key in ("ontology", "vocab", "data", "inferred", "shapes"):
        name = str(GRAPHS[key])
        assert ours.get(name) == built.get(name), f"the {key} graph differs from the built store's"
    assert set(ours) == set(built)
