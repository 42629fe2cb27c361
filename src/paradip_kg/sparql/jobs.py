"""What a SPARQL query job is: :class:`Job` in, :class:`Reply` out.

A :class:`Job` crosses to the query child process (:mod:`paradip_kg.sparql.runner`) by pickling,
or goes to :func:`paradip_kg.sparql.execute.execute` in this process (the memory and remote
backends); a :class:`Reply` comes back, and :func:`reply_or_raise` turns its error into the exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paradip_kg.errors import NotAcceptable, ParadipError, QueryNotSupported, QuerySyntaxError
from paradip_kg.rdf.formats import Format


@dataclass(frozen=True)
class Job:
    """One query to run.

    Args:
        query: the SPARQL text.
        formats: the format negotiated for each result kind (``results``: SELECT, ASK; ``rdf``:
            CONSTRUCT, DESCRIBE), as :mod:`paradip_kg.web.conneg` chose it; ``html`` asks for the
            page's table. A kind left out is not acceptable to the client: the reply says
            ``not_acceptable``.
        limit: most rows or triples returned; more is cut and the reply says ``truncated``.
        default_graphs, named_graphs: a dataset from the protocol; None: not given.
        query_dataset: the query has FROM/FROM NAMED, which then wins over the store default.
        base_iri: resolves relative IRIs in the query.
        label_lang: for ``html``, the preferred language of labels looked up for IRIs.
        prefixes: prefixes for RDF formats that abbreviate IRIs.
        store_path: the folder of the newest published state (see :func:`paradip_kg.store.head.read_head`);
            the child reopens the store when it changes, so a query never mixes two states.
    """

    query: str
    formats: dict[str, Format]
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
    """The answer: a body in the format of ``job.formats[kind]`` (a table for ``html``), or an error."""

    kind: str = ""
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
    if reply.error == "unsupported":
        raise QueryNotSupported(reply.message)
    if reply.error == "not_acceptable":
        raise NotAcceptable(reply.kind)
    if reply.error:
        raise ParadipError(reply.message)
    return reply
