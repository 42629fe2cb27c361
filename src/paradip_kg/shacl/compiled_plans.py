"""Hand-written plans for SHACL-SPARQL constraints whose whole-graph query Oxigraph runs badly.

Run as written over a whole graph, some of the project's SHACL-SPARQL queries make Oxigraph build
a cross product: in ``pdsh:AgreementDistinctActorsConstraint`` the innermost ``FILTER NOT EXISTS
{ ?p1 pdo:governs/pdo:inegiCode ?c1 . ?p2 pdo:governs/pdo:inegiCode ?c2 . FILTER (STR(?c1) =
STR(?c2)) }`` is evaluated for every pair of coded governments before it is joined with the pairs
of parties (1.8 s of 2.3 s at 100k triples, and growing with the square). A plan here computes the
same rows in Python over the store's indexes.

A plan is tied to the exact text of its query (whitespace aside), so a changed query is run by the
generic path (:mod:`paradip_kg.shacl.compiled_sparql`) again, never by a stale plan.
tests/test_shacl_compiled.py checks each plan against that generic path and against pyshacl.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterator

import pyoxigraph as ox

from paradip_kg.shacl.compiled_data import RDF_TYPE, DataGraph, Term

PDO = "https://w3id.org/paradip/ontology#"
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
Row = tuple[Term, ox.NamedNode | None, Term]
Plan = Callable[[DataGraph, Collection[Term]], Iterator[Row]]

def _distinct_actors(data: DataGraph, focus: Collection[Term]) -> Iterator[Row]:
    """Agreements with two or more parties that are all one actor (owl:sameAs either way, a
    territory governed by both, or governed territories whose INEGI codes have equal STR())."""
    parties = data.values(ox.NamedNode(PDO + "hasParty"))
    same_as = data.values(OWL_SAME_AS)
    governs = data.values(ox.NamedNode(PDO + "governs"))
    codes = data.values(ox.NamedNode(PDO + "inegiCode"))

    def code_strings(party: Term) -> set[str]:
        # STR() of a blank node is an error, so such a code never equals another
        return {c.value for t in governs.get(party, ()) for c in codes.get(t, ()) if not isinstance(c, ox.BlankNode)}

    def one_actor(p1: Term, p2: Term) -> bool:
        return (p2 in same_as.get(p1, ()) or p1 in same_as.get(p2, ())
                or bool(set(governs.get(p1, ())) & set(governs.get(p2, ())))
                or bool(code_strings(p1) & code_strings(p2)))

    for this in focus:
        members = set(parties.get(this, ()))
        if len(members) >= 2 and all(one_actor(p1, p2) for p1 in members for p2 in members if p1 != p2):
            yield this, None, this


def _duplicates(data: DataGraph, focus: Collection[Term]) -> Iterator[Row]:
    """pdsh:AgreementDuplicateConstraint: another subject with the same set of (two or more)
    parties, the same of the three specific agreement types (as stated ``rdf:type`` triples), and
    no owl:sameAs between the two either way; the value is the other one."""
    parties = data.values(ox.NamedNode(PDO + "hasParty"))
    same_as = data.values(OWL_SAME_AS)
    kinds = [ox.NamedNode(PDO + k) for k in ("SisterCityAgreement", "DecentralizedCooperationAgreement",
                                             "InterinstitutionalAgreement")]
    by_parties: dict[frozenset[Term], list[Term]] = {}
    for subject, members in parties.items():
        key = frozenset(members)
        if len(key) >= 2:
            by_parties.setdefault(key, []).append(subject)

    def kind(node: Term) -> tuple[bool, ...]:
        # asked of the few candidate pairs only: the whole rdf:type table costs seconds at 1M
        if isinstance(node, ox.Literal):
            return (False,) * len(kinds)
        return tuple(any(True for _ in data.triples(node, RDF_TYPE, k)) for k in kinds)

    for this in focus:
        key = frozenset(parties.get(this, ()))
        if len(key) < 2:
            continue
        for value in by_parties.get(key, ()):
            if value != this and kind(value) == kind(this) and value not in same_as.get(this, ()) \
                    and this not in same_as.get(value, ()):
                yield this, None, value


class _Countries:
    """The countries of a party: what ``pdo:unitOf?/(pdo:governs|pdo:hasSeat)?/pdo:locatedIn*``
    reaches from it that is stated ``rdf:type pdo:Country``."""

    def __init__(self, data: DataGraph) -> None:
        self.unit_of = data.values(ox.NamedNode(PDO + "unitOf"))
        self.governs = data.values(ox.NamedNode(PDO + "governs"))
        self.seat = data.values(ox.NamedNode(PDO + "hasSeat"))
        self.located = data.values(ox.NamedNode(PDO + "locatedIn"))
        country = ox.NamedNode(PDO + "Country")
        self.countries = {q.subject for q in data.triples(None, RDF_TYPE, country)}
        self._closure: dict[Term, set[Term]] = {}
        self._of: dict[Term, frozenset[Term]] = {}

    def located_in_star(self, node: Term) -> set[Term]:
        found = self._closure.get(node)
        if found is None:
            found, todo = {node}, [node]
            while todo:
                for up in self.located.get(todo.pop(), ()):
                    if up not in found:
                        found.add(up)
                        todo.append(up)
            self._closure[node] = found
        return found

    def of(self, party: Term) -> frozenset[Term]:
        found = self._of.get(party)
        if found is None:
            first = {party, *self.unit_of.get(party, ())}
            second = set(first)
            for node in first:
                second.update(self.governs.get(node, ()))
                second.update(self.seat.get(node, ()))
            reached = set().union(*(self.located_in_star(node) for node in second))
            found = self._of[party] = frozenset(reached & self.countries)
        return found


def _national_across_countries(data: DataGraph, focus: Collection[Term]) -> Iterator[Row]:
    """pdsh:NationalAgreementCountriesConstraint: a national agreement with two distinct parties
    in countries c1 != value, with no owl:sameAs between c1 and value either way."""
    scope, parties, same_as = data.values(ox.NamedNode(PDO + "scope")), data.values(ox.NamedNode(PDO + "hasParty")), \
        data.values(OWL_SAME_AS)
    national = ox.NamedNode("https://w3id.org/paradip/vocab/scope/national")
    countries = _Countries(data)
    for this in focus:
        if national not in scope.get(this, ()):
            continue
        members = list(dict.fromkeys(parties.get(this, ())))
        values = {value for p1 in members for p2 in members if p1 != p2
                  for c1 in countries.of(p1) for value in countries.of(p2)
                  if c1 != value and value not in same_as.get(c1, ()) and c1 not in same_as.get(value, ())}
        for value in values:
            yield this, None, value


def _international_one_country(data: DataGraph, focus: Collection[Term]) -> Iterator[Row]:
    """pdsh:InternationalAgreementCountriesConstraint: an international agreement with an ordered
    pair of distinct parties p1, p2 (no ``p1 owl:sameAs p2``) both in the country value, and no
    party in a country other than value (unless ``other owl:sameAs value``)."""
    scope, parties, same_as = data.values(ox.NamedNode(PDO + "scope")), data.values(ox.NamedNode(PDO + "hasParty")), \
        data.values(OWL_SAME_AS)
    international = ox.NamedNode("https://w3id.org/paradip/vocab/scope/international")
    countries = _Countries(data)
    for this in focus:
        if international not in scope.get(this, ()):
            continue
        members = list(dict.fromkeys(parties.get(this, ())))
        candidates = {value for p1 in members for p2 in members
                      if p1 != p2 and p2 not in same_as.get(p1, ())
                      for value in countries.of(p1) & countries.of(p2)}
        for value in candidates:
            if all(other == value or value in same_as.get(other, ())
                   for q in members for other in countries.of(q)):
                yield this, None, value


# sha256 of the query text with its whitespace collapsed (the first 16 hex digits) → its plan
PLANS: dict[str, Plan] = {
    "fd098e4ec113d649": _distinct_actors,  # pdsh:AgreementDistinctActorsConstraint
    "ecc4b46a37fe13e0": _duplicates,  # pdsh:AgreementDuplicateConstraint
    "4db4fafcd32584b5": _national_across_countries,  # pdsh:NationalAgreementCountriesConstraint
    "da0ed2cacdad6dff": _international_one_country,  # pdsh:InternationalAgreementCountriesConstraint
}


def text_key(select: str) -> str:
    return hashlib.sha256(" ".join(select.split()).encode()).hexdigest()[:16]


def plan_for(select: str) -> Plan | None:
    """The hand-written plan of this exact query text (whitespace aside), if there is one."""
    return PLANS.get(text_key(select))
