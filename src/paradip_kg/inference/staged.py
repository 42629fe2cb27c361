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
from paradip_kg.inference.rules import BNODE, LITERAL, Closure, Terms, Trivial
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


def is_schema(triple: ox.Triple) -> bool:
    """True for a triple that the T-box stage must see: an RDFS or OWL axiom, an rdf:List cell
    (the members of an owl:intersectionOf), or a typing with an RDFS or OWL class."""
    p = triple.predicate.value
    if p in LIST_LINKS:
        return True
    if p == str(RDF.type):
        o = triple.object
        return isinstance(o, ox.NamedNode) and o.value.startswith(SCHEMA_NAMESPACES) and o.value not in INSTANCE_TYPES
    return p.startswith(SCHEMA_NAMESPACES) and p not in ANNOTATIONS


@dataclass
class Inferred:
    """The closure's entailments (as pyoxigraph triples) and inconsistencies."""

    triples: list[ox.Triple]
    errors: list[str]
    facts: int  # triples the closure holds, asserted and inferred, trivial ones included
    seconds: dict[str, float]  # "tbox" (owlrl), "rules"


class StagedClosure:
    """The closure of ``tbox`` (ontology and vocabularies, rdflib) and ``data`` (pyoxigraph triples)."""

    def __init__(self, tbox: Graph, data: Sequence[ox.Triple]) -> None:
        started = time.perf_counter()
        self.data = data
        self.tbox_graph = Graph()
        for triple in tbox:
            self.tbox_graph.add(triple)
        moved = [t for t in data if is_schema(t)]
        for t in moved:
            self.tbox_graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        self.moved = len(moved)
        self.tbox_closure = closure(self.tbox_graph)
        self.tbox_messages, _ = inconsistencies(self.tbox_closure)  # its owl:Nothing members are the rules' too
        self.tbox = TBox.from_graph(self.tbox_closure)
        self.unsupported = self.tbox.unsupported
        self.seconds = {"tbox": time.perf_counter() - started}

    def run(self, tick: Callable[[int], None] | None = None) -> Inferred:
        """Run the rules to a fixpoint; ``tick(facts so far)`` now and then."""
        started = time.perf_counter()
        terms: Terms[OxTerm] = Terms(ox_kind, ox.NamedNode, ox_text)
        asserted = set(terms.encode(cast(Iterable[tuple[OxTerm, OxTerm, OxTerm]], self.data)))
        tbox_asserted = set(terms.encode(_ox_triples(self.tbox_graph)))
        tbox_facts = list(terms.encode(_ox_triples(self.tbox_closure)))
        program = self.tbox.program(lambda node: terms.id(_ox_term(node)))
        rules = Closure(program, terms)
        rules.run(_chain(tbox_facts, asserted), tick=tick)
        trivial = Trivial(terms)
        skip = {terms.id_of_iri(str(ERR.error))}
        error_message = terms.id_of_iri(str(ERR.ErrorMessage))
        rdf_type = program.type
        decoded = terms.terms
        out = []
        for s, p, o in rules.all_facts():
            if p in skip or (p == rdf_type and o == error_message) or trivial(s, p, o):
                continue
            if (s, p, o) in asserted or (s, p, o) in tbox_asserted:
                continue
            out.append(ox.Triple(decoded[s], decoded[p], decoded[o]))  # type: ignore[arg-type]
        messages, empty = rules.inconsistencies()
        # owlrl's messages from rules the compiled ones lack can only be about the T-box alone.
        errors = sorted(set(self.tbox_messages) | set(messages)) + sorted(set(empty))
        self.seconds["rules"] = time.perf_counter() - started
        return Inferred(out, errors, len(rules), dict(self.seconds))


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


__all__ = ["Inferred", "StagedClosure", "is_schema", "ox_kind"]
