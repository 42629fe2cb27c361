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

SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
BACKWARD_DEPTH = 4  # how far back from a changed subject nodes may depend on it
MAX_AFFECTED = 2_000  # more affected nodes than this: re-infer and re-validate everything


@dataclass
class Affected:
    focus: set[Node]  # changed subjects and the nodes whose outgoing paths reach them
    objects: set[Node]  # IRIs the change points at (inverse and range entailments)
    terms: set[Node] = field(default_factory=set)  # changed subjects that are T-box terms (validated, not re-inferred)


def affected(store: ox.Store, changed: Iterable[ox.Quad], tbox: set[Node],
             reach: frozenset[ox.NamedNode] | None = None, also: Iterable[ox.Quad] = ()) -> Affected:
    """The nodes a change can affect (see the module's docstring); ChangeTooWide past MAX_AFFECTED.

    Shapes and rules look forward from a node along asserted links (the shapes use no inverse
    property), so a node depends on the change when an asserted path leads from it to a
    changed subject — through a changed triple whose predicate is in ``reach``, when it is
    given: what the shapes (:attr:`paradip_kg.writes.schema.Schema.reached`) or the rules
    (:attr:`~paradip_kg.writes.schema.Schema.chained`) read of a node from the nodes pointing at
    it. ``also``: more changed triples (inferred ones) whose subjects count only when they are
    no T-box term and only through ``reach``.
    """
    graphs = AssertedGraphs(store)
    subjects: set[Node] = set()
    objects: set[Node] = set()
    terms: set[Node] = set()
    frontier: set[Node] = set()
    for quad in changed:
        subject = subject_of(quad)
        if subject not in tbox:
            subjects.add(subject)
            if reach is None or quad.predicate in reach:
                frontier.add(subject)
        else:  # data about a vocabulary concept or an ontology term
            terms.add(subject)
        if isinstance(quad.object, (ox.NamedNode, ox.BlankNode)) and quad.object not in tbox and quad.predicate != TYPE:
            objects.add(quad.object)
            if quad.predicate == SAME_AS:  # symmetric: what points at either node now points at both (eq-rep-o)
                subjects.add(quad.object)
                frontier.add(quad.object)
    for quad in also:
        subject = subject_of(quad)
        if subject not in tbox and (reach is None or quad.predicate in reach):
            subjects.add(subject)
            frontier.add(subject)
    focus = set(subjects)
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
