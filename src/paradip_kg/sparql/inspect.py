"""Read a SPARQL query before it runs: its form, dataset clauses, SERVICE calls, update keywords.

:func:`inspect_query` reads what the worker must know before running a query (its form,
whether it has FROM/FROM NAMED, whether it calls SERVICE or is an update) with a small
lexer: Oxigraph parses the query again, and its message is the one users see on errors.
:func:`check_nesting` refuses a query nested deep enough to crash the engine. The lexer's
patterns (:data:`OPAQUE`, :data:`WORD`) also read SPARQL Updates (:mod:`paradip_kg.writes.commit`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from paradip_kg.errors import QuerySyntaxError

# Comments, strings and IRIs, leftmost first: whatever they hold is not a keyword.
OPAQUE = re.compile(
    r"""\#[^\n\r]*"""
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r'''|"(?:[^"\\\n\r]|\\.)*"'''
    r"""|<[^<>"{}|^`\\\x00-\x20]*>""",
    re.DOTALL,
)
# A keyword: not part of a prefixed name, a variable or a longer word.
WORD = re.compile(r"(?<![\w:?$\-@])([A-Za-z]+)(?![\w:\-])")
# A prefix declaration once its IRI is gone: the prefix may hold dots ("ex.a:").
_PREFIX_DECL = re.compile(r"(?<![\w:?$\-])PREFIX\s+[^\s:]*:", re.IGNORECASE)
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class QueryShape:
    """What the lexer saw: the query form, dataset clauses, SERVICE, update keywords."""

    form: str | None
    update: bool
    has_dataset: bool
    uses_service: bool

    @property
    def kind(self) -> str | None:
        """``results`` for SELECT/ASK, ``rdf`` for CONSTRUCT/DESCRIBE, None if unknown."""
        if self.form in {"SELECT", "ASK"}:
            return "results"
        if self.form in {"CONSTRUCT", "DESCRIBE"}:
            return "rdf"
        return None


MAX_NESTING = 64  # deepest ( { [ nesting accepted; the engine's recursive parser overflows its stack near 10,000
_BRACKET = re.compile(r"[(){}\[\]]")


def check_nesting(text: str, opaque_stripped: str | None = None) -> None:
    """Refuse a query nested deeper than :data:`MAX_NESTING` (QuerySyntaxError).

    Deeply nested groups crash the query engine (a stack overflow kills the process) and
    deeply nested collections make it run for minutes; no real query needs the depth.
    """
    depth = peak = 0
    for match in _BRACKET.finditer(opaque_stripped if opaque_stripped is not None else OPAQUE.sub(" ", text)):
        if match.group() in "({[":
            depth += 1
            if depth > peak:
                peak = depth
        elif depth:
            depth -= 1
    if peak > MAX_NESTING:
        raise QuerySyntaxError(f"The query nests brackets {peak} deep; at most {MAX_NESTING} levels are accepted.")


def inspect_query(text: str) -> QueryShape:
    """Read the shape of ``text``; conservative: a stray ``SERVICE`` word counts as a call.

    Raises:
        QuerySyntaxError: the query nests brackets deeper than :data:`MAX_NESTING`.
    """
    opaque = OPAQUE.sub(" ", text)
    check_nesting(text, opaque)
    stripped = _PREFIX_DECL.sub(" ", opaque)
    words = [m.group(1).upper() for m in WORD.finditer(stripped)]
    form: str | None = None
    update = False
    for word in words:
        if word in {"BASE", "PREFIX"}:
            continue
        if word in QUERY_FORMS:
            form = word
        elif word in UPDATE_WORDS:
            update = True
        break
    return QueryShape(form=form, update=update, has_dataset="FROM" in words, uses_service="SERVICE" in words)


# A prefixed name's prefix where a term can start (not inside a variable, IRI, string or word).
_PNAME = re.compile(r"(?<![\w:?$\-.@])([A-Za-z][\w\-.]*)?:(?=[\w%\\]|[\s;,.)\]}]|$)")
_DECLARED = re.compile(r"(?<![\w:?$\-])PREFIX\s+([^\s:]*):", re.IGNORECASE)


def undeclared_prefixes(text: str, predeclared: Iterable[str] = ()) -> list[str]:
    """The prefixes ``text`` uses that neither it nor ``predeclared`` declares, in order of use.

    Oxigraph's message for an unknown prefix names the wrong token (``expected OPTIONAL``); the
    query page and the endpoint add which prefix is missing (:func:`paradip_kg.sparql.execute.execute`).
    """
    opaque = OPAQUE.sub(" ", text)
    declared = {m.group(1) for m in _DECLARED.finditer(opaque)} | set(predeclared)
    body = _DECLARED.sub(" ", opaque)
    used = (m.group(1) or "" for m in _PNAME.finditer(body))
    return [p for p in dict.fromkeys(used) if p not in declared]
