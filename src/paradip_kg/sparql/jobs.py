"""What a SPARQL query job is: the query lexer, :class:`Job` and :class:`Reply`.

A :class:`Job` crosses to the query child process (:mod:`paradip_kg.sparql.runner`) by pickling,
and a :class:`Reply` comes back; :func:`reply_or_raise` turns a reply's error into the exception.

:func:`inspect_query` reads what the worker must know before running a query (its form,
whether it has FROM/FROM NAMED, whether it calls SERVICE or is an update) with a small
lexer: Oxigraph parses the query again, and its message is the one users see on errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from paradip_kg.errors import NotAcceptable, ParadipError, QuerySyntaxError

# --- Reading a query before it runs -------------------------------------------------------

# Comments, strings and IRIs, leftmost first: whatever they hold is not a keyword.
_OPAQUE = re.compile(
    r"""\#[^\n\r]*"""
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r'''|"(?:[^"\\\n\r]|\\.)*"'''
    r"""|<[^<>"{}|^`\\\x00-\x20]*>""",
    re.DOTALL,
)
# A keyword: not part of a prefixed name, a variable or a longer word.
_WORD = re.compile(r"(?<![\w:?$\-])([A-Za-z]+)(?![\w:\-])")
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
    for match in _BRACKET.finditer(opaque_stripped if opaque_stripped is not None else _OPAQUE.sub(" ", text)):
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
    opaque = _OPAQUE.sub(" ", text)
    check_nesting(text, opaque)
    stripped = _PREFIX_DECL.sub(" ", opaque)
    words = [m.group(1).upper() for m in _WORD.finditer(stripped)]
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


# --- Jobs and replies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One query to run.

    Args:
        query: the SPARQL text.
        formats: format name per result kind (``results``, ``rdf``); a kind left out is
            not acceptable to the client, and the reply says ``not_acceptable``.
        limit: most rows or triples returned; more is cut and the reply says ``truncated``.
        default_graphs, named_graphs: a dataset from the protocol; None: not given.
        query_dataset: the query has FROM/FROM NAMED, which then wins over the store default.
        base_iri: resolves relative IRIs in the query.
        label_lang: for ``html``, the preferred language of labels looked up for IRIs.
        prefixes: prefixes for RDF formats that abbreviate IRIs.
        store_path: the folder of the newest published state (see :func:`paradip_kg.store.disk.read_head`);
            the child reopens the store when it changes, so a query never mixes two states.
    """

    query: str
    formats: dict[str, str]
    limit: int
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    query_dataset: bool = False
    base_iri: str | None = None
    label_lang: str = "es"
    prefixes: dict[str, str] | None = None
    store_path: str | None = None  # the published state to read (None: the child's --store folder)


@dataclass
class Reply:
    """The answer of the child: a body in the requested format, or an error."""

    kind: str = ""
    format: str = ""
    body: bytes = b""
    table: dict[str, Any] | None = None
    truncated: bool = False
    count: int = 0
    error: str = ""
    message: str = ""
    seconds: float = 0.0


def reply_or_raise(reply: Reply) -> Reply:
    """``reply``, or the error it carries raised: QuerySyntaxError, NotAcceptable, ParadipError."""
    if reply.error == "syntax":
        raise QuerySyntaxError(reply.message)
    if reply.error == "not_acceptable":
        raise NotAcceptable(reply.kind)
    if reply.error:
        raise ParadipError(reply.message)
    return reply
