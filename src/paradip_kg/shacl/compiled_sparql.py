"""SHACL-SPARQL constraints run as one whole-graph query each, on Oxigraph.

SHACL 5.3 pre-binds ``$this`` to each focus node in turn; pyshacl does exactly that, one query per
focus node. Here the focus nodes are put into the query instead: ``$this`` becomes ``?this`` and
the first thing the WHERE clause does is select the shape's targets (a ``SELECT DISTINCT ?this``
subquery over ``rdf:type`` with the target classes and their subclasses, ``sh:targetSubjectsOf``
…), so every pattern, BIND and FILTER after it sees ``?this`` bound, as under pre-binding. A
query with a subquery of its own is refused (pre-binding does not reach into it; SHACL 5.3.1).

The rows are (focus, ``?path``, ``?value``): SHACL 5.3.2 makes the value the focus node when
``?value`` is unbound.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

import pyoxigraph as ox
from rdflib.term import Node

from paradip_kg.rdf.terms import to_oxigraph
from paradip_kg.shacl.compiled_data import RDF_TYPE, DataGraph, Term
from paradip_kg.shacl.compiled_plans import plan_for
from paradip_kg.shacl.compiled_shapes import Shape, Sparql

_THIS = re.compile(r"\$this\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def target_pattern(data: DataGraph, shape: Shape) -> str:
    """A group that binds ``?this`` to each focus node of ``shape`` once."""
    branches = []
    classes = sorted({c.value for cls in shape.target_classes for c in data.subclasses(ox.NamedNode(str(cls)))})
    if classes:
        branches.append(f"{{ ?this <{RDF_TYPE.value}> ?__class . VALUES ?__class {{ "
                        + " ".join(f"<{c}>" for c in classes) + " } }")
    for predicate in shape.target_subjects_of:
        branches.append(f"{{ ?this <{predicate}> ?__object }}")
    for predicate in shape.target_objects_of:
        branches.append(f"{{ ?__subject <{predicate}> ?this }}")
    if shape.target_nodes:
        branches.append("{ VALUES ?this { " + " ".join(ox_text(n) for n in shape.target_nodes) + " } }")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " } }"


def ox_text(node: Node) -> str:
    return str(to_oxigraph(node))


def whole_graph_query(data: DataGraph, constraint: Sparql, shape: Shape) -> str:
    """The constraint's SELECT with ``$this`` bound by the shape's targets (see the module docstring)."""
    text = _THIS.sub("?this", constraint.select)
    match = _WHERE.search(text)
    assert match is not None
    return text[:match.end()] + " " + target_pattern(data, shape) + " " + text[match.end():]


def run_sparql(data: DataGraph, constraint: Sparql, shape: Shape, focus: Collection[Term],
               hand_plans: bool = True) -> Iterator[tuple[Term, ox.NamedNode | None, Term]]:
    """The (focus, path, value) rows of one SHACL-SPARQL constraint, each once (by its hand-written
    plan in :mod:`paradip_kg.shacl.compiled_plans` if it has one and ``hand_plans``)."""
    plan = plan_for(constraint.select) if hand_plans else None
    if plan is not None:
        yield from plan(data, focus)
        return
    query = whole_graph_query(data, constraint, shape)
    seen = set()
    solutions = data.store.query(query, prefixes=dict(constraint.prefixes), default_graph=data.query_graphs())
    assert isinstance(solutions, ox.QuerySolutions)
    names = {v.value for v in solutions.variables}
    for row in solutions:
        this = row["this"]
        if this is None or this not in focus:
            continue
        path = row["path"] if "path" in names else None
        value = row["value"] if "value" in names else None
        key = (this, path, value if value is not None else this)
        if key not in seen:
            seen.add(key)
            yield key
