"""The build's store writer: every graph's triples land in that graph, whatever form they come in.

The N-Triples texts the build writes (one triple a line) go to Oxigraph as one N-Quads load, each
line given its graph's name; a text in any other layout, and triples as objects, go graph by graph.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from paradip_kg.build import ntriples
from paradip_kg.namespaces import GRAPHS
from paradip_kg.store.disk import StoreWriter

EX = "https://example.org/"


def _triples(prefix: str, n: int) -> list[ox.Triple]:
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    out = []
    for i in range(n):
        s = ox.NamedNode(f"{EX}{prefix}/{i}")
        out += [ox.Triple(s, label, ox.Literal(f"ends a line .\nthen {i} .", language="es")),
                ox.Triple(s, ox.NamedNode(EX + "p"), ox.Literal(f'"quoted" . {i}')),
                ox.Triple(s, ox.NamedNode(EX + "q"), ox.NamedNode(f"{EX}{prefix}/{i + 1}"))]
    return out


def _graph(store: ox.Store, key: str) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[key])))}


def test_each_graph_holds_its_own_triples_in_every_form(tmp_path: Path) -> None:
    data, inferred, vocab, ontology = _triples("d", 50), _triples("i", 40), _triples("v", 5), _triples("o", 3)
    # A text that is not one triple a line (a comment, a blank line): loaded on its own.
    odd = "# a comment .\n\n" + ntriples(ontology)
    writer = StoreWriter(tmp_path / "store", {"data": ntriples(data), "inferred": ntriples(inferred),
                                              "ontology": odd, "reconciliation": ""})
    counts = writer.finish({"vocab": vocab})
    store = ox.Store.read_only(str(writer.folder))
    assert _graph(store, "data") == set(data)
    assert _graph(store, "inferred") == set(inferred)
    assert _graph(store, "ontology") == set(ontology)
    assert _graph(store, "vocab") == set(vocab)
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert len(store) == len(data) + len(inferred) + len(ontology) + len(vocab)
    assert counts["data"] == len(data) and counts["inferred"] == len(inferred) and counts["vocab"] == len(vocab)
