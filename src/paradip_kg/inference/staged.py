"""The build's OWL 2 RL closure in two stages: owlrl on the T-box, the compiled rules on the A-box.

owlrl over the whole graph (:func:`paradip_kg.inference.closure.infer`) walks every rule over every
triple each round: minutes at 100k triples, hours at 1M. But the T-box — the ontology and the
vocabularies, a few thousand triples — is all that owlrl's schema rules (scm-*) read, and it is small.
So :class:`StagedClosure`:

1. runs owlrl on the T-box alone (any schema axiom the data states is moved there first);
2. compiles the T-box and that closure into rules (:class:`~paradip_kg.inference.incremental.TBox`);
3. runs those rules over the T-box closure and all the data, on integer-coded pyoxigraph terms
   (:mod:`paradip_kg.inference.rules`), semi-naively to a fixpoint;
4. keeps what is not asserted and not trivial (:func:`~paradip_kg.inference.closure.is_trivial`).

The result is the inferred graph owlrl gives over everything, and its inconsistencies in owlrl's
words; tests/test_inference_scale.py checks both against owlrl on the bundled graph and a world
sample. A T-box that uses a construct the rules lack (:attr:`StagedClosure.unsupported`) is left
to owlrl by the build.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from paradip_kg.inference.closure import BUILTIN, ERR, closure, inconsistencies
from paradip_kg.inference.incremental import TBox
from paradip_kg.inference.rules import BNODE, LITERAL, Closure, Fact, Terms, Trivial
from paradip_kg.inference.rules import BUILTIN as BUILTIN_KIND
from paradip_kg.rdf.terms import oxigraph_triple, to_rdflib

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
# Data triples with these predicates say nothing to the schema rules: they stay in the A-box.
ANNOTATIONS = {str(p) for p in (RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.sameAs,
                                OWL.versionInfo, RDF.type)}
INSTANCE_TYPES = {str(c) for c in (OWL.Thing, OWL.NamedIndividual, RDFS.Resource)}
LIST_LINKS = {str(RDF.first), str(RDF.rest)}
SCHEMA_NAMESPACES = (str(RDFS), str(OWL))


def ox_kind(term: OxTerm) -> int:
    """The :mod:`~paradip_kg.inference.rules` kind of a pyoxigraph term."""
    if isinstance(term, ox.Literal):
        return LITERAL
    if isinstance(term, ox.BlankNode):
        return BNODE
    return BUILTIN_KIND if term.value.startswith(BUILTIN) else 0


def ox_text(term: OxTerm) -> str:
    """A term as owlrl's messages print it (``str`` of the rdflib term)."""
    return term.value


def is_schema_predicate(iri: str) -> bool:
    """True for a predicate whose triples the T-box stage must see: an RDFS or OWL axiom, or an
    rdf:List cell (the members of an owl:intersectionOf)."""
    return iri in LIST_LINKS or (iri.startswith(SCHEMA_NAMESPACES) and iri not in ANNOTATIONS)


def is_schema_class(iri: str) -> bool:
    """True for a class whose members the T-box stage must see (owl:Class, owl:TransitiveProperty, …)."""
    return iri.startswith(SCHEMA_NAMESPACES) and iri not in INSTANCE_TYPES


@dataclass
class Inferred:
    """The closure's entailments (integer facts of :attr:`terms`) and inconsistencies."""

    facts: list[Fact]
    terms: Terms[OxTerm]
    errors: list[str]
    closure_size: int  # facts the closure holds, asserted and inferred, trivial ones included
    seconds: dict[str, float]  # "encode", "tbox" (owlrl), "rules", "output"

    def __len__(self) -> int:
        return len(self.facts)

    def triples(self) -> list[ox.Triple]:
        """The entailments as pyoxigraph triples."""
        decoded = self.terms.terms
        return [ox.Triple(decoded[s], decoded[p], decoded[o]) for s, p, o in self.facts]  # type: ignore[arg-type]

    def ntriples(self) -> str:
        """The entailments as N-Triples."""
        return self.terms.ntriples(self.facts)


class StagedClosure:
    """The closure of ``tbox`` (ontology and vocabularies, rdflib) and ``data`` (distinct pyoxigraph triples)."""

    def __init__(self, tbox: Graph, data: Sequence[ox.Triple]) -> None:
        started = time.perf_counter()
        self.terms: Terms[OxTerm] = Terms(ox_kind, ox.NamedNode, ox_text)
        self.asserted = set(self.terms.encode(cast(Iterable[tuple[OxTerm, OxTerm, OxTerm]], data)))
        self.tbox_graph = Graph()
        for triple in tbox:
            self.tbox_graph.add(triple)
        decoded = self.terms.terms
        moved = self._schema_facts()
        for fact in moved:
            self.tbox_graph.add(tuple(to_rdflib(decoded[i]) for i in fact))  # type: ignore[arg-type]
        self.moved = len(moved)
        encoded = time.perf_counter()
        self.tbox_closure = closure(self.tbox_graph)
        self.tbox_messages, _ = inconsistencies(self.tbox_closure)  # its owl:Nothing members are the rules' too
        self.tbox = TBox.from_graph(self.tbox_closure)
        self.unsupported = self.tbox.unsupported
        self.seconds = {"encode": encoded - started, "tbox": time.perf_counter() - encoded}

    def _schema_facts(self) -> list[Fact]:
        """The facts of the data that are schema axioms (the T-box stage reads them too)."""
        terms, kinds = self.terms.terms, self.terms.kinds
        builtin = [i for i, k in enumerate(kinds) if k & BUILTIN_KIND]
        iris = {i: cast(ox.NamedNode, terms[i]).value for i in builtin}
        predicates = {i for i, iri in iris.items() if is_schema_predicate(iri)}
        classes = {i for i, iri in iris.items() if is_schema_class(iri)}
        rdf_type = self.terms.ids.get(ox.NamedNode(str(RDF.type)))
        return [f for f in self.asserted if f[1] in predicates or (f[1] == rdf_type and f[2] in classes)]

    def data_ntriples(self) -> str:
        """The data, as N-Triples."""
        return self.terms.ntriples(self.asserted)

    def run(self, tick: Callable[[int], None] | None = None) -> Inferred:
        """Run the rules to a fixpoint; ``tick(facts so far)`` now and then."""
        started = time.perf_counter()
        terms, asserted = self.terms, self.asserted
        tbox_asserted = set(terms.encode(_ox_triples(self.tbox_graph)))
        tbox_facts = list(terms.encode(_ox_triples(self.tbox_closure)))
        program = self.tbox.program(lambda node: terms.id(_ox_term(node)))
        rules = Closure(program, terms)
        rules.run(_chain(tbox_facts, asserted), tick=tick)
        ran = time.perf_counter()
        out = self._entailed(rules, asserted | tbox_asserted)
        messages, empty = rules.inconsistencies()
        # owlrl's messages from rules the compiled ones lack can only be about the T-box alone.
        errors = sorted(set(self.tbox_messages) | set(messages)) + sorted(set(empty))
        self.seconds.update(rules=ran - started, output=time.perf_counter() - ran)
        return Inferred(out, terms, errors, len(rules), dict(self.seconds))

    def _entailed(self, rules: Closure[OxTerm], asserted: set[Fact]) -> list[Fact]:
        """What the closure holds that is neither asserted, trivial nor one of owlrl's error notes."""
        terms = self.terms
        trivial = Trivial(terms)
        error = terms.id_of_iri(str(ERR.error))
        error_message = terms.id_of_iri(str(ERR.ErrorMessage))
        kinds = terms.kinds
        out = [f for f in rules.facts - asserted if f[1] != error and not trivial(*f)]
        rdf_type = rules.program.type
        skip_objects = trivial.objects | {error_message}
        for s, classes in rules.types.items():
            if kinds[s] & (LITERAL | BUILTIN_KIND):
                continue
            out += [(s, rdf_type, c) for c in classes if c not in skip_objects
                    and not kinds[c] & (BUILTIN_KIND | BNODE) and (s, rdf_type, c) not in asserted]
        return out


def _chain(*parts: Iterable[tuple[int, int, int]]) -> Iterable[tuple[int, int, int]]:
    for part in parts:
        yield from part


def _ox_term(node: object) -> OxTerm:
    from paradip_kg.rdf.terms import to_oxigraph

    return to_oxigraph(node)  # type: ignore[arg-type]


def _ox_triples(graph: Graph) -> Iterable[tuple[OxTerm, OxTerm, OxTerm]]:
    """The triples of an rdflib graph in pyoxigraph terms (those with a literal subject left out:
    they are never entailments the project keeps, see :func:`~paradip_kg.inference.closure.is_trivial`)."""
    for s, p, o in graph:
        if isinstance(s, Literal):
            continue
        t = oxigraph_triple(s, p, o)
        yield t.subject, t.predicate, t.object  # type: ignore[misc]


__all__ = ["Inferred", "StagedClosure", "is_schema_class", "is_schema_predicate", "ox_kind"]
