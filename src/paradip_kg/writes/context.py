"""The triples the inference and the validation of the affected nodes read: their context.

Rules and shapes look forward from a node (:data:`FORWARD_DEPTH` steps, e.g. agreement → party
→ government → territory → state → country). The inference context
(:func:`inference_context`) is everything asserted forward of the affected nodes and what points
at them; the validation context (:func:`validation_context`) follows only the predicates the
shapes read, with the inferred triples (types above all) of every node it reaches, plus, apart,
what the look-back rules read (:data:`LOOK_BACK`). Past :data:`MAX_CONTEXT` triples:
ChangeTooWide, and the whole graph is read instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.term import Node as RdflibNode

from paradip_kg.errors import ChangeTooWide
from paradip_kg.namespaces import PDO, SHAPES
from paradip_kg.rdf.terms import to_rdflib
from paradip_kg.writes.affected import Affected
from paradip_kg.writes.graphs import TYPE, AssertedGraphs, Node, Term, object_of, subject_of

# How far forward a node's shapes and rules look: agreement → party → government → territory → state → country.
FORWARD_DEPTH = 6
MAX_CONTEXT = 200_000  # more context triples than this: re-infer and re-validate everything
# Shape constraints that look back from a node's objects: the duplicate-agreement rule finds
# other agreements through the parties (pdsh:AgreementDuplicateConstraint).
LOOK_BACK = (ox.NamedNode(str(PDO.hasParty)),)
LOOK_BACK_SHAPES = (SHAPES.AgreementDuplicateShape,)
MAX_REFERRERS = 1_000  # an object with more referrers is a hub: its own entailments are only added to


OxTriple = tuple[Node, ox.NamedNode, Term]
RdflibTriple = tuple[RdflibNode, RdflibNode, RdflibNode]


@dataclass(frozen=True)
class TBoxTriples:
    """The T-box triples a validation context takes (Oxigraph terms): every rdfs:subClassOf, and
    the triples about each term (e.g. a vocabulary concept's type and scheme)."""

    subclass: frozenset[OxTriple]
    about: dict[Node, tuple[OxTriple, ...]]


class _Triples:
    """The context being gathered (graph names dropped); ChangeTooWide past MAX_CONTEXT."""

    def __init__(self) -> None:
        self.items: set[OxTriple] = set()

    def add(self, quad: ox.Quad) -> None:
        self.items.add((subject_of(quad), quad.predicate, object_of(quad)))
        if len(self.items) > MAX_CONTEXT:
            raise ChangeTooWide

    def rdflib(self) -> set[RdflibTriple]:
        """The triples as rdflib terms (a set: the rules read them once, no graph needs indexing)."""
        return {(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in self.items}


def forward(graphs: AssertedGraphs, nodes: set[Node], tbox: set[Node], into: _Triples,
            follow: frozenset[ox.NamedNode] | None = None) -> set[Node]:
    """Add the asserted triples reachable from ``nodes`` (FORWARD_DEPTH steps, along the
    predicates in ``follow`` past the first step, or all) to ``into``; return the nodes seen."""
    seen: set[Node] = set()
    frontier = set(nodes)
    for depth in range(FORWARD_DEPTH):
        nxt: set[Node] = set()
        for node in frontier:
            seen.add(node)
            for quad in graphs.out(node):
                into.add(quad)
                obj = quad.object
                if isinstance(obj, (ox.NamedNode, ox.BlankNode)) and quad.predicate != TYPE and obj not in tbox \
                        and (follow is None or depth == 0 or quad.predicate in follow):
                    nxt.add(obj)
        frontier = nxt - seen
        if not frontier:
            break
    return seen


def inference_context(store: ox.Store, hit: Affected, tbox: set[Node],
                      chained: frozenset[ox.NamedNode] | None = None) -> tuple[set[RdflibTriple], set[Node]]:
    """The asserted triples the entailments of the affected nodes rest on, and the objects whose
    entailments it holds in full (those with few referrers: all of them are in the context)."""
    graphs = AssertedGraphs(store)
    triples = _Triples()
    # Past their own triples, the rules read a node's neighbours only along ``chained``
    # (transitive properties, owl:sameAs): following everything went six steps through the
    # twinning network, tens of thousands of triples at 1M.
    forward(graphs, hit.focus | hit.objects, tbox, triples, follow=chained)
    complete: set[Node] = set()
    for obj in hit.objects:
        referrers = list(itertools.islice(graphs.into(obj), MAX_REFERRERS + 1))
        if len(referrers) <= MAX_REFERRERS:
            complete.add(obj)
            for quad in referrers:
                triples.add(quad)
    for node in hit.focus:  # inverse and range entailments of focus nodes rest on their referrers
        for quad in graphs.into(node):
            triples.add(quad)
    return triples.rdflib(), complete


def validation_context(store: ox.Store, focus: set[Node], tbox: set[Node], read: frozenset[ox.NamedNode],
                       tbox_triples: TBoxTriples, reached: frozenset[ox.NamedNode] | None = None,
                       ) -> tuple[set[OxTriple], set[OxTriple]]:
    """The triples the shapes read for ``focus``: its triples and its values' (one step), then
    onward along the predicates the shapes read (``read``), with the inferred triples of every
    node reached (only types and what the shapes read: nothing else is looked at) and the
    vocabulary's triples about the concepts they use; and, apart, what the look-back rule reads
    as well: the other agreements that share two parties with a focus node (the duplicate rule
    compares those only), with their parties and types. Oxigraph triples, graph names dropped."""
    graphs = AssertedGraphs(store)
    triples = _Triples()
    # Past the focus nodes' values, only what the shapes read from other nodes than their focus
    # (``reached``) leads on: pdo:twinnedWith, read from a government itself, would lead six steps
    # through the twinning network.
    seen = forward(graphs, focus, tbox, triples, follow=read if reached is None else reached)
    for node in seen:  # what the shapes read of them (a focus node's targets too, which ``read`` holds)
        for quad in graphs.inferred_about(node):
            if quad.predicate == TYPE or quad.predicate in read:
                triples.add(quad)
    # The values at the edge (not followed, or reached through an inference) need their types
    # for sh:class.
    edge = {o for _, _, o in triples.items if isinstance(o, (ox.NamedNode, ox.BlankNode))} - seen - tbox
    for node in edge:
        for quad in graphs.stated_or_inferred(node, TYPE):
            triples.add(quad)
    around = _Triples()
    for node in focus:
        for predicate in LOOK_BACK:
            # The duplicate rule compares agreements that share two parties: only those are read.
            sharing: dict[Node, set[Node]] = {}
            for quad in graphs.stated_or_inferred(node, predicate):
                if isinstance(quad.object, (ox.NamedNode, ox.BlankNode)):
                    for other in graphs.into(quad.object, predicate):
                        sharing.setdefault(subject_of(other), set()).add(quad.object)
            for agreement, shared in sharing.items():
                if len(shared) >= 2 and agreement != node:
                    for kind in (predicate, TYPE):
                        for fact in graphs.stated_or_inferred(agreement, kind):
                            around.add(fact)
    found = triples.items
    found.update(tbox_triples.subclass)  # sh:class also follows rdfs:subClassOf
    for term in {o for _, p, o in found if p != TYPE and not isinstance(o, ox.Literal)}:
        found.update(tbox_triples.about.get(term, ()))  # e.g. vocab/scope/national is a skos:Concept
    return found, around.items
