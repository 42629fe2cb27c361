"""OWL 2 RL entailments about instance data, fast, from a compiled T-box.

The build runs owlrl over everything (:mod:`paradip_kg.inference.closure`): it is the reference, but
it costs seconds however small the data is, because it walks every rule over the whole T-box
each round. A write needs the entailments of a few hundred triples, so :class:`TBox` reads
the ontology's axioms once (from the T-box and its owlrl closure, which the store keeps in
the inferred graph) into lookup tables, and :func:`entail` runs the OWL 2 RL rules that act on
instance data, semi-naively, to a fixpoint:

    cax-sco, cax-eqc1/2     types from subclasses and equivalent classes
    prp-dom, prp-rng        types from domains and ranges
    prp-spo1, prp-eqp1/2    triples from subproperties and equivalent properties
    prp-inv1/2, prp-symp    inverse and symmetric properties
    prp-trp                 transitive properties
    prp-fp, prp-ifp         owl:sameAs from (inverse) functional properties
    eq-sym, eq-trans, eq-rep-s/o   owl:sameAs
    cls-int1/2, cls-hv1/2   intersections and owl:hasValue restrictions
    cax-dw, cls-nothing     inconsistencies (disjoint classes, owl:Nothing)

tests/test_writes.py checks that on the bundled graph these give exactly what owlrl gives for
every instance node; a rule the ontology starts using and this module lacks shows up there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from paradip_kg.inference.closure import ERR, is_trivial

Triple = tuple[Node, Node, Node]


@dataclass
class TBox:
    """The axioms of the ontology that act on instance data, as lookup tables."""

    supers: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))  # class → superclasses
    super_props: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    domains: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    inverses: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))
    symmetric: set[Node] = field(default_factory=set)
    transitive: set[Node] = field(default_factory=set)
    functional: set[Node] = field(default_factory=set)
    inverse_functional: set[Node] = field(default_factory=set)
    has_value: list[tuple[Node, Node, Node]] = field(default_factory=list)  # (restriction, property, value)
    intersections: list[tuple[Node, list[Node]]] = field(default_factory=list)
    disjoint: set[frozenset[Node]] = field(default_factory=set)
    terms: set[Node] = field(default_factory=set)

    @classmethod
    def from_graph(cls, tbox: Graph) -> TBox:
        """Compile ``tbox``: the ontology and vocabularies *with* their owlrl closure (subclass,
        subproperty, domain and range entailments), as the store's T-box and inferred graphs hold."""
        t = cls()
        t.terms = {s for s in tbox.subjects() if not isinstance(s, Literal)}
        for c, d in tbox.subject_objects(RDFS.subClassOf):
            t.supers[c].add(d)
        for c, d in tbox.subject_objects(OWL.equivalentClass):
            t.supers[c].add(d)
            t.supers[d].add(c)
        for p, q in tbox.subject_objects(RDFS.subPropertyOf):
            t.super_props[p].add(q)
        for p, q in tbox.subject_objects(OWL.equivalentProperty):
            t.super_props[p].add(q)
            t.super_props[q].add(p)
        for p, c in tbox.subject_objects(RDFS.domain):
            t.domains[p].add(c)
        for p, c in tbox.subject_objects(RDFS.range):
            t.ranges[p].add(c)
        for p, q in tbox.subject_objects(OWL.inverseOf):
            t.inverses[p].add(q)
            t.inverses[q].add(p)
        t.symmetric = set(tbox.subjects(RDF.type, OWL.SymmetricProperty))
        t.transitive = set(tbox.subjects(RDF.type, OWL.TransitiveProperty))
        t.functional = set(tbox.subjects(RDF.type, OWL.FunctionalProperty))
        t.inverse_functional = set(tbox.subjects(RDF.type, OWL.InverseFunctionalProperty))
        for r, v in tbox.subject_objects(OWL.hasValue):
            prop = tbox.value(r, OWL.onProperty)
            if prop is not None:
                t.has_value.append((r, prop, v))
        for c, head in tbox.subject_objects(OWL.intersectionOf):
            t.intersections.append((c, list(Collection(tbox, head))))
        for c, d in tbox.subject_objects(OWL.disjointWith):
            t.disjoint.add(frozenset((c, d)))
        for node in tbox.subjects(RDF.type, OWL.AllDisjointClasses):
            first = tbox.value(node, OWL.members)
            if first is None:  # no owl:members: nothing is declared disjoint
                continue
            members = list(Collection(tbox, first))
            for i, c in enumerate(members):
                for d in members[i + 1:]:
                    t.disjoint.add(frozenset((c, d)))
        # Close the class and property hierarchies (the owlrl closure usually has done it already).
        for table in (t.supers, t.super_props):
            for key in list(table):
                todo, seen = list(table[key]), set()
                while todo:
                    item = todo.pop()
                    if item in seen:
                        continue
                    seen.add(item)
                    todo.extend(table.get(item, ()))
                seen.discard(key)
                table[key] = seen
        return t


class _Facts:
    """The triples known so far, indexed for the rules."""

    def __init__(self) -> None:
        self.all: set[Triple] = set()
        self.by_sp: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.by_po: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
        self.by_s: dict[Node, set[Triple]] = defaultdict(set)
        self.by_o: dict[Node, set[Triple]] = defaultdict(set)

    def add(self, triple: Triple) -> bool:
        if triple in self.all:
            return False
        s, p, o = triple
        self.all.add(triple)
        self.by_sp[(s, p)].add(o)
        self.by_po[(p, o)].add(s)
        self.by_s[s].add(triple)
        self.by_o[o].add(triple)
        return True


def entail(tbox: TBox, data: Iterable[Triple]) -> tuple[set[Triple], list[str]]:
    """The entailments of ``data`` under ``tbox`` that ``data`` does not state (trivial ones
    left out, as :func:`paradip_kg.inference.closure.infer` does), and the inconsistencies found."""
    facts = _Facts()
    todo: list[Triple] = []
    given = set()
    for triple in data:
        given.add(triple)
        if facts.add(triple):
            todo.append(triple)
    errors: list[str] = []

    def derive(s: Node, p: Node, o: Node) -> None:
        if isinstance(s, Literal):
            return
        if facts.add((s, p, o)):
            todo.append((s, p, o))

    while todo:
        s, p, o = todo.pop()
        if p == RDF.type:
            for d in tbox.supers.get(o, ()):
                derive(s, RDF.type, d)
            for r, prop, value in tbox.has_value:
                if r == o:
                    derive(s, prop, value)
            types = facts.by_sp[(s, RDF.type)]
            for c, members in tbox.intersections:
                if c == o:
                    for m in members:
                        derive(s, RDF.type, m)
                elif o in members and all(m in types for m in members):
                    derive(s, RDF.type, c)
            for pair in tbox.disjoint:
                if o in pair:
                    (other,) = pair - {o} or {o}
                    if other in types:
                        errors.append(f"{s} is a member of the disjoint classes {o} and {other}")
            if o == OWL.Nothing:
                errors.append(f"{s} is a member of owl:Nothing")
            continue
        for q in tbox.super_props.get(p, ()):
            derive(s, q, o)
        for c in tbox.domains.get(p, ()):
            derive(s, RDF.type, c)
        resource = not isinstance(o, Literal)
        if resource:
            for c in tbox.ranges.get(p, ()):
                derive(o, RDF.type, c)
            for q in tbox.inverses.get(p, ()):
                derive(o, q, s)
            if p in tbox.symmetric:
                derive(o, p, s)
        if p in tbox.transitive and resource:
            for z in list(facts.by_sp[(o, p)]):
                derive(s, p, z)
            for x in list(facts.by_po[(p, s)]):
                derive(x, p, o)
        for r, prop, value in tbox.has_value:
            if prop == p and value == o:
                derive(s, RDF.type, r)
        if p in tbox.functional and resource:
            for other in list(facts.by_sp[(s, p)]):
                if other != o and not isinstance(other, Literal):
                    derive(o, OWL.sameAs, other)
        if p in tbox.inverse_functional:
            for other in list(facts.by_po[(p, o)]):
                if other != s:
                    derive(s, OWL.sameAs, other)
        if p == OWL.sameAs and resource and s != o:
            derive(o, OWL.sameAs, s)
            for z in list(facts.by_sp[(o, OWL.sameAs)]):
                derive(s, OWL.sameAs, z)
            for (_, p2, o2) in list(facts.by_s[s]):
                derive(o, p2, o2)
            for (s2, p2, _) in list(facts.by_o[s]):
                derive(s2, p2, o)
        # eq-rep-s/o for a triple about a node already known to be the same as another
        for same in list(facts.by_sp[(s, OWL.sameAs)]):
            if same != s:
                derive(same, p, o)
        if resource:
            for same in list(facts.by_sp[(o, OWL.sameAs)]):
                if same != o:
                    derive(s, p, same)
    entailed = set()
    for triple in facts.all - given:
        s, p, o = triple
        if is_trivial(s, p, o) or p == ERR.error or isinstance(s, Literal):
            continue
        entailed.add(triple)
    return entailed, sorted(set(errors))


__all__ = ["TBox", "entail"]
