"""The OWL 2 RL rules about instance data, run on terms coded as small integers.

One engine behind both users of the compiled rules: :func:`paradip_kg.inference.incremental.entail`
(a write's few hundred triples, rdflib terms) and the build's closure
(:mod:`paradip_kg.inference.staged`, millions of triples, pyoxigraph terms). Each distinct term gets
an integer once (:class:`Terms`), the compiled T-box (:class:`~paradip_kg.inference.incremental.TBox`)
becomes tables keyed by those integers (:class:`Program`), and :class:`Closure` runs the rules
semi-naively — every fact, given or derived, goes through the rules once, joined with the facts
known so far — to a fixpoint. Integers hash and compare faster than either library's terms, and a
fact is a tuple of three of them.

Type facts (``x rdf:type C``), most of what OWL RL adds about data, are kept per subject
(:attr:`Closure.types`) rather than as tuples. The indexes the joins need are kept only for the
predicates that join: transitive, (inverse) functional and ``owl:sameAs``; the subject and object
indexes that ``owl:sameAs`` replacement (eq-rep-s/o) needs are built the first time two distinct
resources are found to be the same, which real data rarely makes happen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

LITERAL, BNODE, BUILTIN = 1, 2, 4  # the kinds of a term, as bits (BUILTIN: an IRI of rdf:, rdfs:, owl:, xsd:)
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
BUILTIN_NAMESPACES = (RDF_NS, RDFS_NS, OWL_NS, "http://www.w3.org/2001/XMLSchema#")

T = TypeVar("T", bound=Hashable)
Fact = tuple[int, int, int]


class Terms(Generic[T]):
    """Each distinct term as an integer (in order of first sight), and its kind."""

    def __init__(self, kind: Callable[[T], int], iri: Callable[[str], T], text: Callable[[T], str]) -> None:
        self.ids: dict[T, int] = {}
        self.terms: list[T] = []
        self.kinds = bytearray()
        self._kind, self.iri, self.text = kind, iri, text
        self._nt: list[str] = []  # N-Triples form of each term, made on first use

    def id(self, term: T) -> int:
        """The integer of ``term`` (a new one the first time)."""
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self.kinds.append(self._kind(term))
        return found

    def id_of_iri(self, iri: str) -> int:
        return self.id(self.iri(iri))

    def ntriples(self, facts: Iterable[Fact]) -> str:
        """The facts as N-Triples (``str`` of a pyoxigraph term is its N-Triples form): text that
        Oxigraph loads without a Python object per triple, 5-10 times faster than building them."""
        nt = self._nt
        if len(nt) < len(self.terms):
            nt.extend(str(t) for t in self.terms[len(nt):])
        return "".join([f"{nt[s]} {nt[p]} {nt[o]} .\n" for s, p, o in facts])

    def encode(self, triples: Iterable[tuple[T, T, T]]) -> Iterator[Fact]:
        """The triples as facts."""
        ids, new = self.ids, self.id
        for s, p, o in triples:
            a, b, c = ids.get(s), ids.get(p), ids.get(o)
            yield (new(s) if a is None else a, new(p) if b is None else b, new(o) if c is None else c)


# The vocabulary the rules and the filter of trivial entailments read, by local name.
def _iri(ns: str, *names: str) -> list[str]:
    return [ns + name for name in names]


TYPE, SAME_AS, DIFFERENT_FROM = RDF_NS + "type", OWL_NS + "sameAs", OWL_NS + "differentFrom"
NOTHING = OWL_NS + "Nothing"
SUB_CLASS, SUB_PROPERTY, DOMAIN, RANGE = _iri(RDFS_NS, "subClassOf", "subPropertyOf", "domain", "range")
TRIVIAL_OBJECTS = _iri(OWL_NS, "Thing", "NamedIndividual", "Class") + _iri(RDFS_NS, "Resource", "Class") + \
    [RDF_NS + "Property"]
REFLEXIVE = [SAME_AS, SUB_CLASS, OWL_NS + "equivalentClass", SUB_PROPERTY, OWL_NS + "equivalentProperty"]
SCHEMA_AXIOMS = [SUB_CLASS, SUB_PROPERTY] + _iri(OWL_NS, "equivalentClass", "disjointWith", "complementOf",
                                                 "equivalentProperty", "inverseOf", "propertyDisjointWith")
LITERAL_NEVER_OBJECT = [SUB_CLASS, SUB_PROPERTY] + _iri(OWL_NS, "equivalentClass", "equivalentProperty", "inverseOf",
                                                        "disjointWith", "propertyDisjointWith")


@dataclass(frozen=True)
class ClassRule:
    """What a type fact ``x rdf:type C`` entails, for one class C."""

    supers: tuple[int, ...] = ()  # cax-sco, cax-eqc1/2
    has_value: tuple[tuple[int, int], ...] = ()  # cls-hv1: (property, value)
    members: tuple[int, ...] = ()  # cls-int2: C is the intersection of these
    in_intersections: tuple[tuple[int, tuple[int, ...]], ...] = ()  # cls-int1: (intersection, its members)


@dataclass(frozen=True)
class PropertyRule:
    """What a fact ``x P y`` entails, for one property P."""

    supers: tuple[int, ...] = ()  # prp-spo1, prp-eqp1/2
    domains: tuple[int, ...] = ()  # prp-dom
    ranges: tuple[int, ...] = ()  # prp-rng
    inverses: tuple[int, ...] = ()  # prp-inv1/2
    symmetric: bool = False  # prp-symp
    transitive: bool = False  # prp-trp
    functional: bool = False  # prp-fp
    inverse_functional: bool = False  # prp-ifp
    has_value: tuple[tuple[int, int], ...] = ()  # cls-hv2: (value, restriction)


@dataclass(frozen=True)
class Program:
    """A compiled T-box as rules keyed by term integers (made by ``TBox.program``)."""

    classes: dict[int, ClassRule]
    properties: dict[int, PropertyRule]
    disjoint: tuple[tuple[int, int], ...]  # cax-dw, cax-adc: ordered pairs, as the axioms state them
    type: int
    same_as: int
    nothing: int


class Closure(Generic[T]):
    """The facts known so far under a :class:`Program`, and the run of the rules to a fixpoint."""

    def __init__(self, program: Program, terms: Terms[T]) -> None:
        self.program, self.terms = program, terms
        self.facts: set[Fact] = set()  # every fact but the type facts
        self.types: dict[int, set[int]] = defaultdict(set)  # subject → classes
        joins = {p for p, r in program.properties.items() if r.transitive or r.functional}
        self._out_keys = joins | {program.same_as}
        self._in_keys = {p for p, r in program.properties.items() if r.transitive or r.inverse_functional}
        self.out: dict[tuple[int, int], set[int]] = defaultdict(set)  # (s, p) → objects, for p in _out_keys
        self.into: dict[tuple[int, int], set[int]] = defaultdict(set)  # (p, o) → subjects, for p in _in_keys
        self._by_s: dict[int, set[Fact]] | None = None  # built when eq-rep first applies
        self._by_o: dict[int, set[Fact]] | None = None
        self._todo: list[Fact] = []

    def __len__(self) -> int:
        return len(self.facts) + sum(len(c) for c in self.types.values())

    def add(self, s: int, p: int, o: int) -> bool:
        """Record a fact; True if it is new (then it waits for the rules)."""
        if p == self.program.type:
            classes = self.types[s]
            if o in classes:
                return False
            classes.add(o)
        else:
            fact = (s, p, o)
            if fact in self.facts:
                return False
            self.facts.add(fact)
            if p in self._out_keys:
                self.out[(s, p)].add(o)
            if p in self._in_keys:
                self.into[(p, o)].add(s)
        if self._by_s is not None:
            self._index((s, p, o))
        self._todo.append((s, p, o))
        return True

    def _index(self, fact: Fact) -> None:
        assert self._by_s is not None and self._by_o is not None
        self._by_s[fact[0]].add(fact)
        self._by_o[fact[2]].add(fact)

    def all_facts(self) -> Iterator[Fact]:
        """Every fact known, type facts included."""
        yield from self.facts
        t = self.program.type
        for s, classes in self.types.items():
            for c in classes:
                yield (s, t, c)

    def run(self, given: Iterable[Fact], tick: Callable[[int], None] | None = None, every: int = 200_000) -> None:
        """Add ``given`` and apply the rules until nothing new follows; ``tick(facts known)`` now and then."""
        add = self.add
        for s, p, o in given:
            add(s, p, o)
        kinds, todo, program = self.terms.kinds, self._todo, self.program
        classes, properties, rdf_type, same_as = program.classes, program.properties, program.type, program.same_as
        types, out, into = self.types, self.out, self.into
        done = 0

        def derive(s: int, p: int, o: int) -> None:
            if not kinds[s] & LITERAL:  # a literal is never a subject (owlrl's are filtered out anyway)
                add(s, p, o)

        while todo:
            s, p, o = todo.pop()
            done += 1
            if tick is not None and done % every == 0:
                tick(len(self))
            if p == rdf_type:
                rule = classes.get(o)
                if rule is not None:
                    for d in rule.supers:
                        derive(s, rdf_type, d)
                    for prop, value in rule.has_value:
                        derive(s, prop, value)
                    for m in rule.members:
                        derive(s, rdf_type, m)
                    if rule.in_intersections:
                        known = types[s]
                        for c, members in rule.in_intersections:
                            if all(m in known for m in members):
                                derive(s, rdf_type, c)
            prule = properties.get(p)
            resource = not kinds[o] & LITERAL
            if prule is not None:
                for q in prule.supers:
                    derive(s, q, o)
                for c in prule.domains:
                    derive(s, rdf_type, c)
                if resource:
                    for c in prule.ranges:
                        derive(o, rdf_type, c)
                    for q in prule.inverses:
                        derive(o, q, s)
                    if prule.symmetric:
                        derive(o, p, s)
                    if prule.transitive:
                        for z in list(out.get((o, p), ())):
                            derive(s, p, z)
                        for x in list(into.get((p, s), ())):
                            derive(x, p, o)
                for value, r in prule.has_value:
                    if value == o:
                        derive(s, rdf_type, r)
                if prule.functional and resource:
                    for other in list(out.get((s, p), ())):
                        if other != o and not kinds[other] & LITERAL:
                            derive(o, same_as, other)
                if prule.inverse_functional:
                    for other in list(into.get((p, o), ())):
                        if other != s:
                            derive(s, same_as, other)
            if p == same_as and resource and s != o:
                self._same(s, o, derive)
            if self._by_s is not None:  # eq-rep-s/o for a fact about a node known to be the same as another
                for same in list(out.get((s, same_as), ())):
                    if same != s:
                        derive(same, p, o)
                if resource:
                    for same in list(out.get((o, same_as), ())):
                        if same != o:
                            derive(s, p, same)

    def _same(self, s: int, o: int, derive: Callable[[int, int, int], None]) -> None:
        """eq-sym, eq-trans and eq-rep-s/o for ``s owl:sameAs o``."""
        if self._by_s is None:
            self._by_s, self._by_o = defaultdict(set), defaultdict(set)
            for fact in self.all_facts():
                self._index(fact)
        assert self._by_o is not None
        same_as = self.program.same_as
        derive(o, same_as, s)
        for z in list(self.out.get((o, same_as), ())):
            derive(s, same_as, z)
        for (_, p2, o2) in list(self._by_s.get(s, ())):
            derive(o, p2, o2)
        for (s2, p2, _) in list(self._by_o.get(s, ())):
            derive(s2, p2, o)

    def inconsistencies(self) -> tuple[list[str], list[str]]:
        """owlrl's messages for cax-dw, cax-adc and cls-nothing2 (its wording, so the two engines report
        alike), and the members of owl:Nothing."""
        text, terms = self.terms.text, self.terms.terms
        messages, empty = [], []
        pairs = self.program.disjoint
        involved = {c for pair in pairs for c in pair}
        nothing = self.program.nothing
        for x, classes in self.types.items():
            if nothing in classes:
                messages.append(f"{text(terms[x])} is defined of type 'Nothing'")
                empty.append(f"{text(terms[x])} is a member of owl:Nothing")
            if len(classes) > 1 and not involved.isdisjoint(classes):
                for c1, c2 in pairs:
                    if c1 in classes and c2 in classes:
                        messages.append(f"Disjoint classes {text(terms[c1])} and {text(terms[c2])} "
                                        f"have a common individual {text(terms[x])}")
        return messages, empty


class Trivial:
    """:func:`paradip_kg.inference.closure.is_trivial` on term integers (tests/test_inference_scale.py
    checks the two agree on every triple of owlrl's closure of the bundled graph)."""

    def __init__(self, terms: Terms[T]) -> None:
        ids = terms.id_of_iri
        self.kinds = terms.kinds
        self.type = ids(TYPE)
        self.objects = {ids(iri) for iri in TRIVIAL_OBJECTS}
        self.reflexive = {ids(iri) for iri in REFLEXIVE}
        self.schema = {ids(iri) for iri in SCHEMA_AXIOMS}
        self.to_builtin = {ids(iri) for iri in (SUB_CLASS, SUB_PROPERTY, DOMAIN, RANGE)}
        self.no_literal = {ids(iri) for iri in LITERAL_NEVER_OBJECT + [SAME_AS, DIFFERENT_FROM]}

    def __call__(self, s: int, p: int, o: int) -> bool:
        kinds = self.kinds
        ks, ko = kinds[s], kinds[o]
        if ks & (LITERAL | BUILTIN):
            return True
        if p == self.type:
            return o in self.objects or bool(ko & (BUILTIN | BNODE))
        if p in self.reflexive and s == o:
            return True
        if p in self.schema and (ks | ko) & BNODE:
            return True
        if p in self.to_builtin and ko & BUILTIN:
            return True
        return bool(p in self.no_literal and ko & LITERAL)


__all__ = ["BNODE", "BUILTIN", "LITERAL", "ClassRule", "Closure", "Program", "PropertyRule", "Terms", "Trivial"]
