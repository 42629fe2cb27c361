"""OWL 2 RL entailments about instance data, fast, from a compiled T-box.

owlrl (:mod:`paradip_kg.inference.closure`) is the reference, but it costs seconds however small
the data is, because it walks every rule over the whole T-box each round, and minutes at 100k
triples. :class:`TBox` reads the ontology's axioms once (from the T-box and its owlrl closure) into
lookup tables, and the rules that act on instance data run on them, semi-naively, to a fixpoint
(:mod:`paradip_kg.inference.rules`, on integer-coded terms):

    cax-sco, cax-eqc1/2     types from subclasses and equivalent classes
    prp-dom, prp-rng        types from domains and ranges
    prp-spo1, prp-eqp1/2    triples from subproperties and equivalent properties
    prp-inv1/2, prp-symp    inverse and symmetric properties
    prp-trp                 transitive properties
    prp-fp, prp-ifp         owl:sameAs from (inverse) functional properties
    eq-sym, eq-trans, eq-rep-s/o   owl:sameAs
    cls-int1/2, cls-hv1/2   intersections and owl:hasValue restrictions
    cax-dw, cax-adc, cls-nothing2  inconsistencies (disjoint classes, owl:Nothing), in owlrl's words

:func:`entail` is what a write runs (a few hundred rdflib triples); the build runs the same rules
over all its data (:mod:`paradip_kg.inference.staged`). A T-box that uses an OWL 2 RL construct
these rules lack is named by :attr:`TBox.unsupported`, and the build then takes owlrl's path.
tests/test_writes.py and tests/test_inference_scale.py check the rules against owlrl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from paradip_kg.inference.closure import BUILTIN, ERR
from paradip_kg.inference.rules import (
    BNODE,
    LITERAL,
    ClassRule,
    Closure,
    Program,
    PropertyRule,
    Terms,
    Trivial,
)
from paradip_kg.inference.rules import BUILTIN as BUILTIN_KIND

Triple = tuple[Node, Node, Node]

# OWL 2 RL constructs whose rules (cls-svf, cls-avf, cls-uni, cls-com, cls-maxc, cls-oo, prp-spo2,
# prp-key, prp-pdw, prp-asyp, prp-irp, prp-npa, eq-diff) the compiled rules do not run.
UNSUPPORTED_PREDICATES = (OWL.someValuesFrom, OWL.allValuesFrom, OWL.unionOf, OWL.complementOf, OWL.maxCardinality,
                          OWL.maxQualifiedCardinality, OWL.oneOf, OWL.propertyChainAxiom, OWL.hasKey,
                          OWL.propertyDisjointWith, OWL.sourceIndividual, OWL.differentFrom, OWL.distinctMembers)
UNSUPPORTED_TYPES = (OWL.AsymmetricProperty, OWL.IrreflexiveProperty, OWL.AllDisjointProperties, OWL.AllDifferent,
                     OWL.NegativePropertyAssertion)


def rdflib_kind(term: Node) -> int:
    """The :mod:`~paradip_kg.inference.rules` kind of an rdflib term."""
    if isinstance(term, Literal):
        return LITERAL
    if isinstance(term, BNode):
        return BNODE
    return BUILTIN_KIND if str(term).startswith(BUILTIN) else 0


def rdflib_terms() -> Terms[Node]:
    return Terms(rdflib_kind, URIRef, str)


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
    disjoint_pairs: list[tuple[Node, Node]] = field(default_factory=list)  # as stated, for owlrl's messages
    terms: set[Node] = field(default_factory=set)
    unsupported: list[str] = field(default_factory=list)  # constructs used whose rules are not compiled

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
            t.disjoint_pairs.append((c, d))
        for node in tbox.subjects(RDF.type, OWL.AllDisjointClasses):
            first = tbox.value(node, OWL.members)
            if first is None:  # no owl:members: nothing is declared disjoint
                continue
            members = list(Collection(tbox, first))
            for i, c in enumerate(members):
                for d in members[i + 1:]:
                    t.disjoint.add(frozenset((c, d)))
                    t.disjoint_pairs.append((c, d))
        t.disjoint_pairs = sorted(set(t.disjoint_pairs))
        t.unsupported = sorted({"owl:" + p[len(str(OWL)):] for p in UNSUPPORTED_PREDICATES if (None, p, None) in tbox}
                               | {"owl:" + c[len(str(OWL)):] for c in UNSUPPORTED_TYPES if (None, RDF.type, c) in tbox})
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



    def program(self, node: Callable[[Node], int]) -> Program:
        """These tables as a :class:`~paradip_kg.inference.rules.Program`, each term the integer ``node`` gives it."""
        supers = {node(c): tuple(node(d) for d in ds) for c, ds in self.supers.items()}
        has_value: dict[int, list[tuple[int, int]]] = defaultdict(list)
        by_value: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for r, prop, v in self.has_value:
            has_value[node(r)].append((node(prop), node(v)))
            by_value[node(prop)].append((node(v), node(r)))
        members: dict[int, tuple[int, ...]] = {}
        containing: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        for c, ms in self.intersections:
            parts = tuple(node(m) for m in ms)
            members[node(c)] = parts
            for m in set(parts):
                containing[m].append((node(c), parts))
        classes = {c: ClassRule(supers.get(c, ()), tuple(has_value.get(c, ())), members.get(c, ()),
                                tuple(containing.get(c, ())))
                   for c in set(supers) | set(has_value) | set(members) | set(containing)}
        named = self.symmetric | self.transitive | self.functional | self.inverse_functional
        props = {node(p) for p in set(self.super_props) | set(self.domains) | set(self.ranges) | set(self.inverses)
                 | named}
        props |= set(by_value)

        def coded(table: dict[Node, set[Node]]) -> dict[int, tuple[int, ...]]:
            return {node(k): tuple(node(v) for v in vs) for k, vs in table.items()}

        sp, dom, rng, inv = coded(self.super_props), coded(self.domains), coded(self.ranges), coded(self.inverses)
        flags = [{node(p) for p in group} for group in
                 (self.symmetric, self.transitive, self.functional, self.inverse_functional)]
        properties = {p: PropertyRule(sp.get(p, ()), dom.get(p, ()), rng.get(p, ()), inv.get(p, ()),
                                      p in flags[0], p in flags[1], p in flags[2], p in flags[3],
                                      tuple(by_value.get(p, ())))
                      for p in props}
        return Program(classes, properties, tuple((node(c), node(d)) for c, d in self.disjoint_pairs),
                       node(RDF.type), node(OWL.sameAs), node(OWL.Nothing))


def entail(tbox: TBox, data: Iterable[Triple]) -> tuple[set[Triple], list[str]]:
    """The entailments of ``data`` under ``tbox`` that ``data`` does not state (trivial ones
    left out, as :func:`paradip_kg.inference.closure.infer` does), and the inconsistencies found
    (owlrl's messages, then the members of owl:Nothing, as :func:`~paradip_kg.inference.closure.infer`
    lists them)."""
    terms = rdflib_terms()
    given = set(terms.encode(data))
    closure = Closure(tbox.program(terms.id), terms)
    closure.run(given)
    trivial, error = Trivial(terms), terms.id(ERR.error)
    decoded = terms.terms
    entailed = {(decoded[s], decoded[p], decoded[o]) for s, p, o in closure.all_facts()
                if (s, p, o) not in given and p != error and not trivial(s, p, o)}
    messages, empty = closure.inconsistencies()
    return entailed, sorted(set(messages)) + sorted(set(empty))


__all__ = ["TBox", "entail", "rdflib_kind", "rdflib_terms"]
