"""OWL 2 RL entailments (owlrl), kept apart from the asserted triples.

owlrl computes the closure in place; we run it on a copy and keep only what it added,
less what no reader wants (see /docs/model.md and the pitfalls the team met):
self ``owl:sameAs`` for every term, triples whose subject is a literal, tautologies
about the built-in vocabularies (``X rdfs:subClassOf X``, ``x a owl:Thing``, …), and
entailments about the ontology's anonymous class expressions (``x a [owl:Restriction …]``,
``pdo:X rdfs:subClassOf [owl:intersectionOf …]``): a blank node has no IRI, so such a triple
cannot be dereferenced nor put in any document but the whole graph's, and it only restates,
member by member, what the named class already says.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

# owlrl writes each inconsistency it finds as an err:ErrorMessage node with an err:error text.
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
TRIVIAL_OBJECTS = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class, RDF.Property}
REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}
# Predicates whose subject and object are both classes or both properties: a blank node there is
# an anonymous class (or property) expression of the ontology, never a thing of the data.
SCHEMA_AXIOMS = {RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith, OWL.complementOf, RDFS.subPropertyOf,
                 OWL.equivalentProperty, OWL.inverseOf, OWL.propertyDisjointWith}


def _builtin(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(BUILTIN)


def is_trivial(s: object, p: object, o: object) -> bool:
    """True for an entailment that says nothing about our data."""
    if isinstance(s, Literal):
        return True
    if p in REFLEXIVE and s == o:
        return True
    if _builtin(s):
        return True
    if p == RDF.type and (o in TRIVIAL_OBJECTS or _builtin(o) or isinstance(o, BNode)):
        return True  # a blank-node object of rdf:type is an anonymous class expression
    if p in SCHEMA_AXIOMS and (isinstance(s, BNode) or isinstance(o, BNode)):
        return True
    if p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range) and _builtin(o):
        return True
    if p in (OWL.sameAs, OWL.differentFrom) and isinstance(o, Literal):
        return True
    if p in (OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf, RDFS.subClassOf, RDFS.subPropertyOf,
             OWL.disjointWith, OWL.propertyDisjointWith) and isinstance(o, Literal):
        return True
    return False


def closure(graph: Graph) -> Graph:
    """owlrl's whole OWL RL closure of ``graph``, in a copy: asserted, entailed, trivial and all."""
    import owlrl

    closed = Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    return closed


def inconsistencies(closed: Graph) -> tuple[list[str], list[str]]:
    """owlrl's error messages in a closure, and a line for each member of owl:Nothing (both sorted)."""
    return (sorted(str(o) for o in closed.objects(None, ERR.error)),
            sorted(f"{s} is a member of owl:Nothing" for s in closed.subjects(RDF.type, OWL.Nothing)))


def is_entailment(s: object, p: object, o: object) -> bool:
    """True for a triple of owlrl's closure that belongs in the inferred graph (if not asserted)."""
    if p == ERR.error or (p == RDF.type and o == ERR.ErrorMessage):
        return False
    return not is_trivial(s, p, o)


def infer(graph: Graph) -> tuple[Graph, list[str]]:
    """The OWL RL entailments of ``graph`` that it does not already state, and owlrl's errors."""
    closed = closure(graph)
    messages, empty = inconsistencies(closed)
    entailed = Graph()
    for s, p, o in closed:
        if (s, p, o) not in graph and is_entailment(s, p, o):
            entailed.add((s, p, o))
    return entailed, messages + empty
