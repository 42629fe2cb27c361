"""DELETE/INSERT … WHERE run as a query of its pattern (paradip_kg.writes.modify): the same change as
running the update and diffing the whole store, without reading the whole store.

Each update runs twice on in-memory copies of the bundled graph: through
:func:`~paradip_kg.writes.modify.modify_delta` and through the diff of the store before and after
(:func:`~paradip_kg.writes.operations.diff_delta`, what every such update cost before). The deltas
and the stores afterwards must be equal (blank nodes compared by shape: fresh ones differ by name).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from paradip_kg.errors import QuerySyntaxError
from paradip_kg.namespaces import GRAPHS
from paradip_kg.writes import operations
from paradip_kg.writes.modify import modify_delta
from paradip_kg.writes.modify import operations as read_operations
from support.writes import PREFIXES

DATA = str(GRAPHS["data"])
AGREEMENT = "pdo:SisterCityAgreement"

UPDATES = [
    f'DELETE {{ ?a rdfs:label ?l }} INSERT {{ ?a rdfs:label "x"@en }} WHERE {{ ?a a {AGREEMENT} ; rdfs:label ?l '
    'FILTER (lang(?l) = "en") }',
    "DELETE WHERE { ?a pdo:scope ?s }",
    f'INSERT {{ ?a skos:note [ rdfs:label "n" ; skos:note [ rdfs:label "m" ] ] }} WHERE {{ ?a a {AGREEMENT} }}',
    f"WITH <{DATA}> DELETE {{ ?a pdo:theme ?t }} WHERE {{ ?a pdo:theme ?t }}",
    f"WITH <{DATA}> INSERT {{ ?a skos:note ?t }} WHERE {{ ?a pdo:theme ?t }}",
    f"INSERT {{ GRAPH <urn:test:g> {{ ?a ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?a a {AGREEMENT} ; ?p ?o }} }} ;\n"
    "DELETE { GRAPH <urn:test:g> { ?a rdfs:label ?o } } WHERE { GRAPH <urn:test:g> { ?a rdfs:label ?o } }",
    'INSERT DATA { <urn:test:x> rdfs:label "a" } ; '
    'DELETE { ?s rdfs:label "a" } INSERT { ?s rdfs:label "b" } WHERE { ?s rdfs:label "a" }',
    f"DELETE {{ ?a rdfs:label ?l }} USING <{DATA}> WHERE {{ ?a a {AGREEMENT} ; rdfs:label ?l }}",
    f"DELETE {{ ?a rdfs:label ?l }} USING NAMED <{DATA}> WHERE {{ GRAPH ?g {{ ?a a {AGREEMENT} ; rdfs:label ?l }} }}",
    f"INSERT {{ ?s rdfs:comment ?unbound . ?s rdfs:seeAlso ?s . ?l rdfs:seeAlso ?s }} WHERE {{ ?s a {AGREEMENT} ; "
    "rdfs:label ?l }",  # unbound variables and a literal subject: those triples are left out
    f"INSERT {{ GRAPH ?g {{ ?a skos:note 'in its graph' }} }} WHERE {{ GRAPH ?g {{ ?a a {AGREEMENT} }} }}",
    f'# a comment with {{ braces }} and WHERE\nDELETE {{ ?a rdfs:label ?l }} INSERT {{ ?a rdfs:label "{{ WHERE ; }}" }}'
    f" WHERE {{ ?a a {AGREEMENT} ; rdfs:label ?l OPTIONAL {{ ?a pdo:endDate ?e }} FILTER (!BOUND(?e)) }}",
    "DELETE { ?a pdo:startDate ?d } INSERT { ?a pdo:startDate ?n } WHERE { { SELECT ?a (MAX(?x) AS ?d) WHERE { "
    "?a pdo:startDate ?x } GROUP BY ?a } BIND (STRDT(STR(?d), xsd:string) AS ?n) }",
    "INSERT { ?a skos:note ?v } WHERE { VALUES ?v { 1 2 } ?a pdo:hasParty pdid:government\\/mx-31050 }",
    "PREFIX ex:<urn:ex:>\nINSERT { ?a ex:p ex:o } WHERE { ?a pdo:hasParty pdid:government\\/mx-31050 } ;\n"
    "DELETE { ?a ex:p ex:o } INSERT { ?a ex:q ex:o } WHERE { ?a ex:p ex:o }",
    "DELETE WHERE { GRAPH ?g { ?a rdfs:label ?l } }",
    f"INSERT {{ ?a skos:note ?a }} WHERE {{ ?a a {AGREEMENT} }} ;\n"
    f"DELETE {{ ?a skos:note ?a }} WHERE {{ ?a a {AGREEMENT} }}",
    "DELETE { ?a ?p ?o } WHERE { ?a ?p ?o FILTER (false) }",  # matches nothing
    "DELETE DATA { pdid:agreement\\/mx-23005--mx-31050 pdo:tableRow 19 } ; INSERT DATA { _:b rdfs:label 'b' }",
]


@pytest.fixture(scope="module")
def quads(bundled_store: Path) -> list[ox.Quad]:
    return list(ox.Store.read_only(str(bundled_store)).quads_for_pattern(None, None, None, None))


def _copy(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


def _shape(quads: object) -> list[str]:
    """Quads as text, blank nodes as one name (fresh blank nodes differ by name from run to run)."""
    shown = []
    for quad in quads:  # type: ignore[attr-defined]
        terms = [quad.subject, quad.predicate, quad.object, quad.graph_name]
        shown.append(" ".join("_:b" if isinstance(t, ox.BlankNode) else str(t) for t in terms))
    return sorted(shown)


@pytest.mark.parametrize("text", UPDATES)
def test_modify_gives_what_the_whole_store_diff_gives(quads: list[ox.Quad], text: str) -> None:
    text = PREFIXES + text
    blanked = operations.check_update(text)
    fast, slow = _copy(quads), _copy(quads)
    delta = modify_delta(fast, text, blanked, None)
    assert delta is not None, "the update was not read as DELETE/INSERT operations"
    expected = operations.diff_delta(slow, text, None)
    assert _shape(delta.added) == _shape(expected.added)
    assert _shape(delta.removed) == _shape(expected.removed)
    assert _shape(fast) == _shape(slow)
    net_nothing = "FILTER (false)" in text or "DELETE { ?a skos:note ?a }" in text  # nothing, or undone
    assert bool(delta) != net_nothing, "the update changed nothing: it tests nothing"


def test_an_update_with_a_where_does_not_read_the_whole_store(quads: list[ox.Quad],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def whole(store: ox.Store) -> set[ox.Quad]:
        raise AssertionError("the whole store was read")

    monkeypatch.setattr(operations, "all_quads", whole)
    text = PREFIXES + UPDATES[0]
    delta = operations.update_delta(_copy(quads), text, None, operations.check_update(text))
    assert delta.added and delta.removed
    text = PREFIXES + "CLEAR GRAPH <urn:test:none>"  # other operations still take the diff
    with pytest.raises(AssertionError, match="whole store"):
        operations.update_delta(_copy(quads), text, None, operations.check_update(text))


@pytest.mark.parametrize("text", [
    "CLEAR GRAPH <urn:x>", "DROP SILENT GRAPH <urn:x>", "CREATE GRAPH <urn:x>", "ADD <urn:x> TO <urn:y>",
    "COPY DEFAULT TO <urn:y>", "MOVE <urn:x> TO DEFAULT", "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; CLEAR ALL",
    "WITH <urn:g> INSERT DATA { <urn:a> <urn:b> <urn:c> }",
])
def test_other_operations_are_left_to_the_diff(text: str) -> None:
    blanked = operations.blank_opaque(text)
    assert modify_delta(ox.Store(), text, blanked, None) is None or read_operations(text, blanked) is None


def test_a_syntax_error_is_a_syntax_error() -> None:
    text = "DELETE { _:b <urn:p> ?o } WHERE { ?s <urn:p> ?o }"  # no blank nodes in a DELETE template
    with pytest.raises(QuerySyntaxError):
        modify_delta(ox.Store(), text, operations.blank_opaque(text), None)
