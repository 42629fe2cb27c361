"""The SPARQL JSON results writer (sparql/results.py): what the endpoint sends for a SELECT.

``write_json`` writes the common terms as text directly (it is most of a large answer's time
after the query). Two oracles: the plain form, ``json.dumps`` of :func:`json_term`'s dicts, byte
for byte; and Oxigraph's own SPARQL JSON writer, an independent implementation, equal once parsed.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from paradip_kg.sparql.results import json_term, write_json

EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Strings a writer gets wrong: quotes, backslashes, controls, line separators, non-ASCII, astral.
HARD = ['plain', 'with "quotes" and \\ back', "tab\tnew\nline\r", "\x00\x01\x1f\x7f", "\u2028\u2029",
        "Benito Juárez ñ", "𝔘 😀", "</script><b>", ""]
TERMS = [ox.NamedNode(EX + "a"), ox.NamedNode(EX + "é?x=1&y=%222"), ox.BlankNode("b0"),
         *(ox.Literal(s) for s in HARD), *(ox.Literal(s, language="es") for s in HARD[:3]),
         ox.Literal("1985", datatype=ox.NamedNode(XSD + "gYear")), ox.Literal("x", datatype=ox.NamedNode(EX + "dt#ü")),
         ox.Literal("en-GB", language="en-gb"),
         ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o\n", language="en"))]


def reference(variables: list[str], rows: list[tuple]) -> bytes:
    """The writer's plain form: each row's dict through json.dumps."""
    bindings = [json.dumps({v: json_term(t) for v, t in zip(variables, row, strict=True) if t is not None},
                           ensure_ascii=False, separators=(",", ":")) for row in rows]
    head = json.dumps({"vars": variables}, ensure_ascii=False, separators=(",", ":"))
    return ('{"head":' + head + ',"results":{"bindings":[' + ",".join(bindings) + "]}}").encode("utf-8")


def test_every_kind_of_term_is_written_as_the_plain_form_writes_it() -> None:
    variables = ["x", "y\u00e9"]
    rows = [(t, None) for t in TERMS] + [(None, t) for t in TERMS] + [(None, None), (TERMS[0], TERMS[-1])]
    written = write_json(variables, rows)
    assert written == reference(variables, rows)
    parsed = json.loads(written)
    assert len(parsed["results"]["bindings"]) == len(rows)
    assert parsed["results"]["bindings"][-2] == {}  # unbound variables are left out


def test_as_oxigraph_writes_the_same_answer() -> None:
    store = ox.Store()
    objects = [t for t in TERMS if isinstance(t, (ox.NamedNode, ox.Literal))]
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), o) for i, o in enumerate(objects))
    query = f"SELECT ?s ?o ?none WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    ours = json.loads(write_json(variables, [tuple(row[v] for v in variables) for row in result]))
    theirs = json.loads(store.query(query).serialize(format=ox.QueryResultsFormat.JSON))  # type: ignore[union-attr]
    assert ours == theirs
    assert len(ours["results"]["bindings"]) == len(objects)
