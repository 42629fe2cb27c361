"""DELETE/INSERT … WHERE and DELETE WHERE read as queries: the change is what their templates make.

An update that is not INSERT DATA or DELETE DATA alone used to run on the writer's copy and be
diffed against the store before it: the cost of the whole store (seconds at 1M triples). This
module reads such an update as its operations (:func:`operations`, on the text with its strings,
IRIs and comments blanked, so braces and keywords are found at the top level only) and runs each
one the way SPARQL 1.1 Update defines it: the WHERE pattern is a SELECT on the copy (the data
graph as the default graph, or the ``WITH`` graph, or the ``USING`` dataset), and the DELETE and
INSERT templates are instantiated with each solution (unbound variables and ill-formed triples
dropped, fresh blank nodes per solution). The delta is then exactly what the operation removes
and adds, at the cost of the change and of its WHERE pattern.

The templates are read by Oxigraph itself: each is inserted into an empty scratch store with every
variable bound to a placeholder IRI, and the quads that come out are the template. Operations of
other kinds (CLEAR, DROP, COPY, MOVE, ADD, CREATE, LOAD) and anything this reading does not
recognise make :func:`modify_delta` answer None: the caller then diffs the store as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from paradip_kg.errors import QuerySyntaxError
from paradip_kg.sparql.inspect import OPAQUE
from paradip_kg.writes.delta import Delta
from paradip_kg.writes.graphs import DATA_GRAPH

_PLACEHOLDER = "urn:paradip-kg:template-variable:"
_VARIABLE = re.compile(r"(?<![\w?$])[?$]([A-Za-z0-9_\u00b7\u00c0-\uffff]+)")
_WORD = re.compile(r"[A-Za-z]+")
_OTHERS = {"LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "SERVICE"}


@dataclass
class Operation:
    """One DELETE/INSERT operation of an update: its prologue so far, its clauses, and its pattern."""

    prologue: str
    delete: tuple[int, int] | None = None  # the template's span in the text, braces included
    insert: tuple[int, int] | None = None
    where: str | None = None  # the group pattern's text (None: INSERT DATA / DELETE DATA, one empty solution)
    with_iri: str | None = None  # the IRI's text as written (an IRI or a prefixed name)
    using: list[tuple[bool, str]] = field(default_factory=list)  # (named, IRI text)


def without_comments(text: str) -> str:
    """``text`` with its comments blanked (not the ``#`` of strings and IRIs), positions kept."""
    return OPAQUE.sub(lambda m: " " * len(m.group()) if m.group().startswith("#") else m.group(), text)


def _tokens(text: str, blanked: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of the top-level tokens: ``word``, ``group`` ({…}), ``;``, ``term`` (a blanked span)."""
    i, n = 0, len(blanked)
    while i < n:
        c = blanked[i]
        if c.isspace():
            if not text[i].isspace():  # an IRI, a prefixed name or a string, blanked
                j = i
                while j < n and blanked[j].isspace() and not text[j].isspace():
                    j += 1
                yield "term", i, j
                i = j
            else:
                i += 1
        elif c == "{":
            depth, j = 0, i
            while j < n:
                if blanked[j] == "{":
                    depth += 1
                elif blanked[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                yield "other", i, n
                return
            yield "group", i, j + 1
            i = j + 1
        elif c == ";":
            yield ";", i, i + 1
            i += 1
        else:
            m = _WORD.match(blanked, i)
            if m is None:
                yield "other", i, i + 1
                i += 1
            else:
                yield "word", i, m.end()
                i = m.end()


def operations(text: str, blanked: str) -> list[Operation] | None:
    """The update's operations, when each is DELETE/INSERT (… WHERE), DELETE WHERE, INSERT DATA or
    DELETE DATA; None otherwise. ``blanked``: the text with its opaque parts blanked, positions kept;
    ``text`` without comments (:func:`without_comments`)."""
    tokens = list(_tokens(text, blanked))
    ops: list[Operation] = []
    prologue: list[str] = []
    i = 0

    def word(k: int) -> str | None:
        return blanked[tokens[k][1]:tokens[k][2]].upper() if k < len(tokens) and tokens[k][0] == "word" else None

    def kind(k: int) -> str | None:
        return tokens[k][0] if k < len(tokens) else None

    def span(k: int) -> str:
        return text[tokens[k][1]:tokens[k][2]]

    def at(k: int) -> tuple[int, int]:
        return tokens[k][1], tokens[k][2]

    while i < len(tokens):
        w = word(i)
        if w == "PREFIX" and kind(i + 1) == "term":  # "p: <iri>" is one blanked span or two
            last = i + 2 if kind(i + 2) == "term" else i + 1
            prologue.append(text[tokens[i][1]:tokens[last][2]])
            i = last + 1
            continue
        if w == "BASE" and kind(i + 1) == "term":
            prologue.append(text[tokens[i][1]:tokens[i + 1][2]])
            i += 2
            continue
        if kind(i) == ";":
            i += 1
            continue
        op = Operation(prologue="\n".join(prologue))
        if w == "WITH" and kind(i + 1) == "term":
            op.with_iri = span(i + 1)
            i += 2
            w = word(i)
        if w in ("INSERT", "DELETE") and word(i + 1) == "DATA" and kind(i + 2) == "group" and op.with_iri is None:
            setattr(op, w.lower(), at(i + 2))
            i += 3
        elif w == "DELETE" and word(i + 1) == "WHERE" and kind(i + 2) == "group" and op.with_iri is None:
            op.delete, op.where = at(i + 2), span(i + 2)
            i += 3
        elif w in ("INSERT", "DELETE") and kind(i + 1) == "group":
            setattr(op, w.lower(), at(i + 1))
            i += 2
            if w == "DELETE" and word(i) == "INSERT" and kind(i + 1) == "group":
                op.insert = at(i + 1)
                i += 2
            while word(i) == "USING":
                named = word(i + 1) == "NAMED"
                k = i + 2 if named else i + 1
                if kind(k) != "term":
                    return None
                op.using.append((named, span(k)))
                i = k + 1
            if word(i) != "WHERE" or kind(i + 1) != "group":
                return None
            op.where = span(i + 1)
            i += 2
        else:
            return None
        if kind(i) not in (None, ";"):
            return None
        ops.append(op)
    return ops


def _template(op: Operation, where: tuple[int, int] | None, text: str, blanked: str,
              base_iri: str | None) -> list[ox.Quad]:
    """The template's quads, each variable as a placeholder IRI (read by Oxigraph on a scratch store)."""
    if where is None:
        return []
    template = text[where[0]:where[1]]
    names = sorted(set(_VARIABLE.findall(blanked[where[0]:where[1]])))
    binds = " ".join(f"BIND(<{_PLACEHOLDER}{name}> AS ?{name})" for name in names)
    scratch = ox.Store()
    try:
        scratch.update(f"{op.prologue}\nINSERT {template} WHERE {{ {binds} }}", base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    return list(scratch.quads_for_pattern(None, None, None, None))


def _resolve(prologue: str, iri: str, base_iri: str | None) -> ox.NamedNode:
    rows = ox.Store().query(f"{prologue}\nSELECT ({iri} AS ?g) {{}}", base_iri=base_iri)
    assert isinstance(rows, ox.QuerySolutions)
    value = next(iter(rows))["g"]
    assert isinstance(value, ox.NamedNode)
    return value


Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]


def _solutions(live: ox.Store, op: Operation, base_iri: str | None, default: ox.NamedNode) -> list[Row]:
    if op.where is None:
        return [{}]
    dataset = " ".join(("FROM NAMED " if named else "FROM ") + iri for named, iri in op.using)
    query = f"{op.prologue}\nSELECT * {dataset} WHERE {op.where}"
    if op.using:
        rows = live.query(query, base_iri=base_iri)
    else:
        rows = live.query(query, base_iri=base_iri, default_graph=default)
    assert isinstance(rows, ox.QuerySolutions)
    names = [v.value for v in rows.variables]
    found: list[Row] = []
    for row in rows:
        solution: Row = {}
        for name in names:
            value = row[name]
            if value is not None:
                solution[name] = value
        found.append(solution)
    return found


def _term(t: object, row: Row, fresh: dict[ox.BlankNode, ox.BlankNode], graph: ox.NamedNode) -> object:
    """A template term for one solution: a variable's value (None: unbound), a fresh blank node, the graph."""
    if isinstance(t, ox.NamedNode) and t.value.startswith(_PLACEHOLDER):
        return row.get(t.value[len(_PLACEHOLDER):])
    if isinstance(t, ox.BlankNode):
        return fresh.setdefault(t, ox.BlankNode())
    if isinstance(t, ox.DefaultGraph):
        return graph
    return t


def _instantiate(template: list[ox.Quad], rows: list[Row], graph: ox.NamedNode) -> set[ox.Quad]:
    """The template's quads for each solution: unbound or ill-formed ones dropped, fresh blank nodes."""
    made: set[ox.Quad] = set()
    for row in rows:
        fresh: dict[ox.BlankNode, ox.BlankNode] = {}
        for quad in template:
            parts = [_term(t, row, fresh, graph) for t in (quad.subject, quad.predicate, quad.object, quad.graph_name)]
            if any(p is None for p in parts):
                continue
            s, p, o, g = parts
            if not isinstance(s, (ox.NamedNode, ox.BlankNode)) or not isinstance(p, ox.NamedNode) \
                    or not isinstance(g, ox.NamedNode) \
                    or not isinstance(o, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
                continue
            made.add(ox.Quad(s, p, o, g))
    return made


def modify_delta(live: ox.Store, text: str, blanked: str, base_iri: str | None) -> Delta | None:
    """Run the update's DELETE/INSERT operations on ``live`` one after the other and return what
    they changed; None (and ``live`` untouched) when the update has other operations."""
    words = {m.group().upper() for m in _WORD.finditer(blanked)}
    if words & _OTHERS:
        return None
    text = without_comments(text)
    ops = operations(text, blanked)
    if ops is None:
        return None
    try:  # the whole update's syntax, checked by the engine on an empty store (nothing to match)
        ox.Store().update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    data = ox.NamedNode(DATA_GRAPH)
    delta = Delta()
    for op in ops:
        graph = _resolve(op.prologue, op.with_iri, base_iri) if op.with_iri else data
        delete = _template(op, op.delete, text, blanked, base_iri)
        insert = _template(op, op.insert, text, blanked, base_iri)
        rows = _solutions(live, op, base_iri, graph)
        deleted, inserted = _instantiate(delete, rows, graph), _instantiate(insert, rows, graph)
        removed = {q for q in deleted if q not in inserted and q in live}
        added = {q for q in inserted if q not in live}
        for quad in removed:
            live.remove(quad)
        if added:
            live.extend(added)
        for quad in removed:
            if quad in delta.added:
                delta.added.discard(quad)
            else:
                delta.removed.add(quad)
        for quad in added:
            if quad in delta.removed:
                delta.removed.discard(quad)
            else:
                delta.added.add(quad)
    return delta

