"""Media types and content negotiation, shared by every blueprint.

The formats live in tables, each group citing its specification: the SPARQL results formats
and HTML here, the RDF formats in :mod:`paradip_kg.rdf.formats` (:data:`RDF_FORMATS`, the
graphs of CONSTRUCT and DESCRIBE, the Service Description, linked-data documents); all are
:class:`~paradip_kg.rdf.formats.Format` objects, and the one chosen goes on to the writer as
it is. :func:`negotiate` lets werkzeug rank the client's ``Accept`` header
(``request.accept_mimetypes``) against one table. Real clients send headers that trip naive
code, so the header is normalised first:

- parameters other than ``q`` are dropped (``text/turtle; charset=utf-8`` means
  ``text/turtle``; werkzeug would otherwise only match a server type with the same
  parameters);
- unknown types are skipped (SPARQLWrapper's ``application/x-sparqlstar-results+json``);
- a missing or empty header means ``*/*`` (RFC 9110 §12.5.1);
- 406 is for when nothing acceptable remains, and is decided by the caller.

The ``format``, ``output`` and ``results`` parameters (SPARQLWrapper sends all three,
sometimes twice, sometimes with a comma-separated list of media types) override the
header. A value that names no format of the table is ignored, never an error:
see :func:`override`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from werkzeug.datastructures import MIMEAccept

from paradip_kg.rdf.formats import FORMATS_NS, RDF_FORMATS, Format

# SELECT and ASK results. Order matters: on a tie (``*/*``) the first one wins.
RESULT_FORMATS: tuple[Format, ...] = (
    # SPARQL 1.1 Query Results JSON Format, https://www.w3.org/TR/sparql11-results-json/
    # (application/json, text/javascript, application/javascript: what SPARQLWrapper asks for JSON)
    Format("json", "application/sparql-results+json", "SPARQL JSON", "srj",
           "https://www.w3.org/TR/sparql11-results-json/", FORMATS_NS + "SPARQL_Results_JSON",
           aliases=("application/json", "text/javascript", "application/javascript"),
           short_names=("json", "srj", "sparql-results+json")),
    # SPARQL Query Results XML Format (Second Edition), https://www.w3.org/TR/rdf-sparql-XMLres/
    Format("xml", "application/sparql-results+xml", "SPARQL XML", "srx",
           "https://www.w3.org/TR/rdf-sparql-XMLres/", FORMATS_NS + "SPARQL_Results_XML",
           aliases=("application/xml", "text/xml"), short_names=("xml", "srx", "sparql-results+xml")),
    # SPARQL 1.1 Query Results CSV and TSV Formats, https://www.w3.org/TR/sparql11-results-csv-tsv/
    Format("csv", "text/csv", "CSV", "csv", "https://www.w3.org/TR/sparql11-results-csv-tsv/",
           FORMATS_NS + "SPARQL_Results_CSV", short_names=("csv",)),
    Format("tsv", "text/tab-separated-values", "TSV", "tsv", "https://www.w3.org/TR/sparql11-results-csv-tsv/",
           FORMATS_NS + "SPARQL_Results_TSV", short_names=("tsv",)),
)

# HTML, for people: the query page and the linked-data pages.
HTML = Format("html", "text/html", "HTML", "html", "https://html.spec.whatwg.org/",
              aliases=("application/xhtml+xml",), short_names=("html", "htm"))

BY_NAME: dict[str, Format] = {f.name: f for f in (*RESULT_FORMATS, *RDF_FORMATS, HTML)}

OVERRIDE_PARAMS = ("format", "output", "results")


def normalise(accept: MIMEAccept | None) -> MIMEAccept:
    """The header without parameters other than q; a missing or empty header is ``*/*``."""
    if accept is None or not accept:
        return MIMEAccept([("*/*", 1)])
    values: list[tuple[str, float]] = []
    for value, quality in accept:
        media_type = value.split(";", 1)[0].strip().lower()
        if media_type:
            values.append((media_type, quality))
    return MIMEAccept(values) if values else MIMEAccept([("*/*", 1)])


def negotiate(accept: MIMEAccept | None, formats: Sequence[Format]) -> Format | None:
    """The client's preferred format among ``formats``, or None when it accepts none of them.

    Ties go to the earlier format of ``formats``. Wildcards (``*/*``, ``text/*``) match main
    media types only: ``text/*`` means CSV, not SPARQL JSON by its alias ``text/javascript``;
    an alias counts when the client names it.
    """
    items = tuple(accept) if accept is not None else ()
    return _negotiate(items, tuple(formats))


@functools.lru_cache(maxsize=1024)
def _negotiate(items: tuple[tuple[str, float], ...], formats: tuple[Format, ...]) -> Format | None:
    # Clients send a handful of distinct headers: the answer is computed once per header.
    header = normalise(MIMEAccept(items) if items else None)
    named = {value for value, quality in header if quality > 0}
    by_type: dict[str, Format] = {}
    for fmt in formats:
        by_type.setdefault(fmt.media_type, fmt)
    for fmt in formats:
        for alias in fmt.aliases:
            if alias in named:
                by_type.setdefault(alias, fmt)
    best = header.best_match(list(by_type))
    return by_type[best] if best is not None else None


def _tokens(values: Iterable[str]) -> list[str]:
    tokens: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.split(";", 1)[0].strip().lower()
            if part:
                tokens.append(part)
    return tokens


def override(values: Iterable[str], formats: Sequence[Format]) -> Format | None:
    """The first value of ``format``/``output``/``results`` that names one of ``formats``.

    Values are short names (``json``, ``turtle``, ``rdf+xml``) or media types, possibly
    comma-separated; what names nothing here is ignored (it may suit the other query form).
    """
    for token in _tokens(values):
        for fmt in formats:
            if token in fmt.short_names or token in fmt.media_types:
                return fmt
    return None


def choose(accept: MIMEAccept | None, overrides: Iterable[str], formats: Sequence[Format]) -> Format | None:
    """An override that fits ``formats`` if there is one, else the negotiated format."""
    return override(overrides, formats) or negotiate(accept, formats)


def prefers_html(accept: MIMEAccept | None) -> bool:
    """Whether the client ranks HTML above JSON (a browser does; curl and scripts do not)."""
    return negotiate(accept, (BY_NAME["json"], HTML)) is HTML
