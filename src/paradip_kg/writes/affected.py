"""Which nodes a change can affect; ChangeTooWide when they are too many to narrow to.

What a change can affect: the subjects it touches, every node whose outgoing paths reach them
(shapes and rules look forward from a node), and the IRIs it points at (their inverse and range
entailments). Inference and validation then read those nodes' neighbourhood only
(:mod:`paradip_kg.writes.context`); past :data:`MAX_AFFECTED` nodes the whole graph is
re-inferred and re-validated instead, so the answer is the same either way
(tests/test_writes.py checks incremental against full results).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from paradip_kg.errors import ChangeTooWide
from paradip_kg.writes.graphs import TYPE, AssertedGraphs, Node, subject_of

BACKWARD_DEPTH = 4  # how far back from a changed subject nodes may depend on it
MAX_AFFECTED = 2_000  # more affected nodes than this: re-infer and re-validate everything


@dataclass
class Affected:
    focus: set[Node]  # changed subjects and the nodes whose outgoing paths reach them
    objects: set[Node]  # IRIs the change points at (inverse and range entailments)
    terms: set[Node] = field(default_factory=set)  # changed subjects that are T-box terms (validated, not re-inferred)


def affected(store: ox.Store, changed: Iterable[ox.Quad], tbox: set[Node]) -> Affected:
    """The nodes a change can affect (see the module's docstring); ChangeTooWide past MAX_AFFECTED.

    Shapes and rules look forward from a node along asserted links (the shapes use no inverse
    property), so a node depends on the change when an asserted path leads from it to a
    changed subject.
    """
    graphs = AssertedGraphs(store)
    subjects: set[Node] = set()
    objects: set[Node] = set()
    terms: set[Node] = set()
    for quad in changed:
        subject = subject_of(quad)
        if subject not in tbox:
            subjects.add(subject)
        else:  # data about a vocabulary concept or an ontology term
            terms.add(subject)
        if isinstance(quad.object, (ox.NamedNode, ox.BlankNode)) and quad.object not in tbox and quad.predicate != TYPE:
            objects.add(quad.object)
    focus = set(subjects)
    frontier = set(subjects)
    for _ in range(BACKWARD_DEPTH):
        nxt: set[Node] = set()
        for node in frontier:
            for quad in graphs.into(node):
                referrer = subject_of(quad)
                if referrer not in focus and referrer not in tbox:
                    nxt.add(referrer)
        focus |= nxt
        if len(focus) > MAX_AFFECTED:
            raise ChangeTooWide
        frontier = nxt
        if not frontier:
            break
    return Affected(focus=focus, objects=objects - focus, terms=terms)
