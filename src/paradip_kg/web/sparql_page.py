"""The query page of ``/sparql``: the editor, the worked examples, a result as an HTML table.

:func:`render_page` draws ``sparql.html`` for a browser: with the starter query (GET without a
query), with a result (the table of plain terms and labels that
:func:`paradip_kg.sparql.execute.execute` returns for ``html``), or with an error (a syntax
error points at its line and column). The examples are ``queries/*.rq``, whose header comments
give their titles in Spanish and English (:func:`load_examples`).

The table is sorted, filtered and paged here (:mod:`paradip_kg.web.query_views`, from the
request's ``sort``, ``desc``, ``filter`` and ``page``), and the other views of the result
(charts, timeline, map, graph) get its first rows as JSON, drawn in the browser. The editor is
CodeMirror 6 (``static/vendor/editor.js``, built by ``scripts/assets.sh``) where it is
installed, and the plain textarea with its small highlighter where it is not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Response, render_template, request

from paradip_kg import PACKAGE_DIR
from paradip_kg.errors import ParadipError, QuerySyntaxError
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS, PREFIXES
from paradip_kg.rdf.formats import RDF_FORMATS
from paradip_kg.sparql.inspect import undeclared_prefixes
from paradip_kg.sparql.jobs import Reply
from paradip_kg.web import conneg, query_views
from paradip_kg.web.state import get_state

QUERIES_DIR = PACKAGE_DIR / "queries"
EDITOR_BUNDLE = PACKAGE_DIR / "static" / "vendor" / "editor.js"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
STARTER_QUERY = """SELECT ?agreement ?label WHERE {
  ?agreement a pdo:Agreement ;
             rdfs:label ?label .
  FILTER(LANG(?label) = "es")
}
LIMIT 25
"""
# What a result can be downloaded as, by the kind of result (SELECT/ASK or CONSTRUCT/DESCRIBE).
DOWNLOADS = {"results": conneg.RESULT_FORMATS, "rdf": RDF_FORMATS}


@dataclass(frozen=True)
class Example:
    """A worked example query from ``queries/*.rq``."""

    slug: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    text: str

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("es") or self.slug


def examples() -> tuple[Example, ...]:
    """The example queries of this server, read once per process (kept in the app state)."""
    found: tuple[Example, ...] = get_state().cached(("web.sparql_page.examples",), load_examples, per_version=False)
    return found


_HEADER_LINE = re.compile(r"^#\s*(title|description)@(\w+):\s*(.*?)\s*$")


def load_examples(folder: Path = QUERIES_DIR) -> tuple[Example, ...]:
    """The example queries, sorted by file name, with their es/en titles from the header comments."""
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        titles: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        for line in text.splitlines():
            match = _HEADER_LINE.match(line)
            if match:
                (titles if match.group(1) == "title" else descriptions)[match.group(2)] = match.group(3)
        examples.append(Example(path.stem, titles, descriptions, text))
    return tuple(examples)


def curie(iri: str) -> str | None:
    best = max(((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)), key=lambda x: len(x[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else None


def local_link(iri: str) -> str | None:
    """Where an IRI links: on this host for our IRIs (/id/x for .../paradip/id/x), else the IRI if it
    is http(s); None for other schemes (javascript:, data:, ... are shown as text, never linked)."""
    base = str(get_state().settings["base_iri"])
    if iri.startswith(base):
        return request.script_root + "/" + iri[len(base):]
    return iri if re.match(r"https?://", iri, re.IGNORECASE) else None


def display_cell(term: query_views.Term, labels: dict[str, str]) -> dict[str, Any] | None:
    """A result term ready for the template (which escapes every value): a literal reads as its
    value, its datatype in the tooltip rather than as ``^^xsd:…``."""
    if term is None:
        return None
    kind = term[0]
    if kind == "uri":
        iri = term[1]
        return {"kind": "uri", "text": labels.get(iri) or curie(iri) or iri, "href": local_link(iri), "title": iri}
    if kind == "literal":
        shown = query_views.readable(term) or {}
        datatype = shown.get("datatype", "")
        title = None if datatype in (XSD_STRING, RDF_LANG_STRING) else (curie(datatype) or datatype)
        return {"kind": "literal", "text": shown.get("text", ""), "lang": shown.get("lang"),
                "class": shown.get("class", "text"), "title": title}
    if kind == "bnode":
        return {"kind": "bnode", "text": "_:" + term[1]}
    return {"kind": "triple", "text": term[1]}


def download_links(query: str, dataset: Sequence[tuple[str, str]], kind: str | None) -> list[dict[str, str]]:
    """The result in every format of its kind, as links (``dataset``: the protocol's dataset parameters)."""
    base = [("query", query), *dataset]
    return [{"label": f.label, "href": request.base_url + "?" + urlencode([*base, ("format", f.name)]),
             "media_type": f.media_type, "filename": f"results.{f.extension}"}
            for k in ([kind] if kind else DOWNLOADS) for f in DOWNLOADS[k]]


def render_page(query: str, lang: str, dataset: Sequence[tuple[str, str]] = (), reply: Reply | None = None,
                error: ParadipError | None = None) -> Response:
    """The query page with ``query`` in the editor, and the result of ``reply`` or the ``error``.

    Args:
        dataset: the protocol's ``default-graph-uri`` and ``named-graph-uri`` parameters, kept
            in the download links.
    """
    state = get_state()
    table = reply.table if reply is not None else None
    kind = reply.kind if reply is not None else None
    rows: list[list[Any]] = []
    arranged = None
    views: list[str] = ["table"]
    data = None
    if table and "rows" in table:
        labels = table["labels"]
        arranged = query_views.arrange(table["vars"], table["rows"], labels, request.args.get)
        rows = [[display_cell(t, labels) for t in row] for row in arranged.rows]
        kinds = query_views.column_kinds(table["vars"], table["rows"])
        views = query_views.views_for(table["vars"], kinds) if kind == "results" else views
        data = query_views.view_data(table["vars"], table["rows"], labels, kinds, local_link)
    chosen = request.args.get("view") or query_views.default_view(query, views)
    position = re.search(r"at (\d+):(\d+)", error.message) if isinstance(error, QuerySyntaxError) else None
    context = {
        "lang": lang, "query": query, "examples": examples(), "prefixes": PREFIXES,
        "endpoint": request.base_url, "error": error, "reply": reply, "table": table, "rows": rows,
        "arranged": arranged, "views": [v for v in query_views.VIEWS if v[0] in views],
        "view": chosen if chosen in views else "table", "view_data": data, "page_url": page_url,
        "editor_bundle": EDITOR_BUNDLE.exists(), "permalink": page_url(query=query, keep=False),
        "missing_prefixes": undeclared_prefixes(query, PREFIXES) if position else [],
        "kind": kind, "downloads": download_links(query, dataset, kind) if reply is not None else [],
        "output_formats": [f for formats in DOWNLOADS.values() for f in formats],
        "result_limit": state.settings["result_limit"], "query_timeout": state.settings["query_timeout"],
        "default_graphs": [] if state.union_default_graph else [str(GRAPHS[k]) for k in DEFAULT_GRAPHS],
        "error_line": int(position.group(1)) if position else None,
        "error_column": int(position.group(2)) if position else None,
        "query_lines": query.splitlines(),
        "run_url": lambda text: request.base_url + "?" + urlencode([("query", text)]),
    }
    status = error.status if error is not None else 200
    response = Response(render_template("sparql.html", **context), status=status, mimetype="text/html")
    response.vary.add("Accept-Language")
    return response


# The parameters of the page itself (not of the protocol): kept in its links, or dropped.
PAGE_PARAMS = ("sort", "desc", "filter", "page", "view")


def page_url(keep: bool = True, fragment: str = "", **changes: str | int | None) -> str:
    """This page's URL with ``changes`` to its parameters (None drops one); ``keep=False`` keeps
    only the query, its dataset and the language (a permalink of the query)."""
    params = [(k, v) for k, v in request.args.items(multi=True)
              if k not in changes and (keep or k not in PAGE_PARAMS and k != "format")]
    params += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
    return request.base_url + "?" + urlencode(params) + (f"#{fragment}" if fragment else "")
