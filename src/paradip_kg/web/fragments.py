"""Triple Pattern Fragments: ``/fragments?subject=&predicate=&object=&page=N``.

The Linked Data Fragments interface (https://linkeddatafragments.org/specification/triple-pattern-fragments/):
the triples of the default graph (the union of the default graphs, without repeats) matching
one triple pattern, :data:`PAGE_SIZE` a page in a stable order, with the metadata and controls
of the Hydra Core vocabulary (https://www.w3.org/ns/hydra/core#): the exact count
(``void:triples`` and ``hydra:totalItems``), ``hydra:first``/``next``/``previous`` page links,
and the ``hydra:search`` IriTemplate on the dataset node, so that a TPF client such as
Comunica can query the graph with SPARQL.

Pattern syntax (the spec's "explicit representation"): an empty value (or a ``?variable``) is a
variable; subject and predicate are IRIs (``http://…``, ``<…>`` also taken); the object is an
IRI or a literal ``"value"``, ``"value"@lang`` or ``"value"^^<datatype>`` (also ``^^datatype``).
Anything else is answered 400.

Representations by ``Accept`` (or ``?output=``): TriG and N-Quads put the metadata in a
graph of its own (``<fragment#metadata>``, as the LDF Server.js does), Turtle, N-Triples and
JSON-LD in the same graph as the data; HTML is a form, the triples table and paging links.
The ETag follows the store version and the query string.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from paradip_kg.errors import BadPattern
from paradip_kg.rdf.formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from paradip_kg.web import http
from paradip_kg.web.conneg import HTML
from paradip_kg.web.documents import choose, serialize
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state
from paradip_kg.web.urls import link_for

bp = Blueprint("fragments", __name__)

PAGE_SIZE = 100
CACHE_SIZE = 32  # matched, sorted triple lists kept per process (for one published state) ...
CACHE_TRIPLES = 500_000  # ... holding at most this many triples in all (the oldest lists go first)
HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
FORMATS: tuple[Format, ...] = (TRIG, NQUADS, TURTLE, NTRIPLES, JSONLD, HTML)
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`]*$')
_LITERAL = re.compile(r'^"(?P<value>.*)"'
                      r'(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^<?(?P<dt>[^<>]+?)>?)?$', re.DOTALL)


def _iri(value: str, position: str) -> ox.NamedNode:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if not _IRI.match(value):
        raise BadPattern(f"The {position} of a triple pattern must be an absolute IRI (or empty); got {value[:200]!r}.")
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise BadPattern(f"The {position} is not a valid IRI: {exc}") from None


def parse_term(value: str, position: str) -> Any:
    """One term of the pattern: None for a variable, else a pyoxigraph term; BadPattern if malformed."""
    value = value.strip()
    if not value or value.startswith("?"):
        if value and not re.match(r"^\?[A-Za-z0-9_]*$", value):
            raise BadPattern(f"Bad variable in the {position}: {value[:200]!r}.")
        return None
    if position == "object" and value.startswith('"'):
        match = _LITERAL.match(value)
        if match is None:
            raise BadPattern(f'The object literal must be "value", "value"@lang or "value"^^<datatype>; '
                             f"got {value[:200]!r}.")
        text, lang, dt = match.group("value"), match.group("lang"), match.group("dt")
        try:
            if lang:
                return ox.Literal(text, language=lang.lower())
            if dt:
                return ox.Literal(text, datatype=_iri(dt, "datatype"))
            return ox.Literal(text)
        except ValueError as exc:
            raise BadPattern(f"Bad literal: {exc}") from None
    return _iri(value, position)


def _matches(s: Any, p: Any, o: Any) -> list[ox.Triple]:
    """The matching triples of the default graph, without repeats, in a stable order (cached)."""
    state = get_state()
    cache: OrderedDict[tuple[str, ...], list[ox.Triple]] = state.cached(("fragments", "matches"), OrderedDict)
    key = (str(s), str(p), str(o))
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    store = state.store()
    found: set[ox.Triple] = set()
    graphs: list[ox.NamedNode | None] = [ox.NamedNode(g) for g in state.default_graphs] or [None]
    for graph in graphs:
        for quad in store.quads_for_pattern(s, p, o, graph):
            found.add(quad.triple)
    triples = sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    cache[key] = triples
    while len(cache) > 1 and (len(cache) > CACHE_SIZE or sum(map(len, cache.values())) > CACHE_TRIPLES):
        cache.popitem(last=False)
    return triples


def _page_number() -> int:
    raw = request.args.get("page", "1").strip() or "1"
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        raise BadPattern(f"page must be a positive integer; got {raw[:50]!r}.")
    return int(raw)


def _url(base: str, pattern: dict[str, str], page: int | None = None) -> str:
    params = [(k, v) for k, v in pattern.items() if v]
    if page is not None and page > 1:
        params.append(("page", str(page)))
    return base + ("?" + urlencode(params, quote_via=quote) if params else "")


def _metadata(fragment: str, base: str, pattern: dict[str, str], page: int, total: int) -> list[ox.Triple]:
    n = ox.NamedNode
    h = lambda name: n(HYDRA + name)  # noqa: E731
    this, dataset = n(fragment), n(base + "#dataset")
    count = ox.Literal(str(total), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))
    triples = [
        ox.Triple(dataset, n(RDF + "type"), n(VOID + "Dataset")),
        ox.Triple(dataset, n(RDF + "type"), h("Collection")),
        ox.Triple(dataset, n(VOID + "subset"), this),
        ox.Triple(this, n(RDF + "type"), h("PartialCollectionView")),
        ox.Triple(this, n(VOID + "subset"), this),
        ox.Triple(this, n(VOID + "triples"), count),
        ox.Triple(this, h("totalItems"), count),
        ox.Triple(this, h("itemsPerPage"), ox.Literal(str(PAGE_SIZE), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
        ox.Triple(this, h("first"), n(_url(base, pattern, 1))),
    ]
    last = max(1, -(-total // PAGE_SIZE))
    if page < last:
        triples.append(ox.Triple(this, h("next"), n(_url(base, pattern, page + 1))))
    if page > 1:
        triples.append(ox.Triple(this, h("previous"), n(_url(base, pattern, min(page - 1, last)))))
    search = ox.BlankNode("triplePattern")
    triples += [
        ox.Triple(dataset, h("search"), search),
        ox.Triple(search, n(RDF + "type"), h("IriTemplate")),
        ox.Triple(search, h("template"), ox.Literal(base + "{?subject,predicate,object}")),
        ox.Triple(search, h("variableRepresentation"), h("ExplicitRepresentation")),
    ]
    for name in ("subject", "predicate", "object"):
        mapping = ox.BlankNode(name)
        triples += [
            ox.Triple(search, h("mapping"), mapping),
            ox.Triple(mapping, n(RDF + "type"), h("IriTemplateMapping")),
            ox.Triple(mapping, h("variable"), ox.Literal(name)),
            ox.Triple(mapping, h("property"), n(RDF + name)),
        ]
    return triples


def _term_view(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"kind": "iri", "text": term.value, "href": link_for(term.value), "pattern": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            pattern = f'"{term.value}"@{term.language}'
        elif term.datatype.value != XSD_STRING:
            pattern = f'"{term.value}"^^<{term.datatype.value}>'
        else:
            pattern = f'"{term.value}"'
        return {"kind": "literal", "text": str(term), "href": None, "pattern": pattern}
    return {"kind": "bnode", "text": str(term), "href": None, "pattern": None}


def _iri_query(raw: bytes) -> str:
    """The query string as sent, with the bytes an IRI cannot hold (``"``, ``<``, space, ...)
    percent-encoded, so the fragment's IRI is valid (a raw ``"`` from curl was a 500)."""
    query = quote(raw, safe="!$&'()*+,/:;=?@~%-._")
    try:
        ox.NamedNode("http://x/?" + query)
    except ValueError:  # a stray "%" not followed by two hex digits
        query = quote(raw, safe="!$&'()*+,/:;=?@~-._")
    return query


@bp.route("/fragments", methods=["GET", "HEAD"])
def fragments() -> Response:
    pattern = {name: request.args.get(name, "") for name in ("subject", "predicate", "object")}
    s = parse_term(pattern["subject"], "subject")
    p = parse_term(pattern["predicate"], "predicate")
    o = parse_term(pattern["object"], "object")
    page = _page_number()
    fmt = choose(FORMATS)
    base = request.url_root + "fragments"
    query = _iri_query(request.query_string)
    fragment = base + ("?" + query if query else "")  # the URL as requested: clients look its metadata up by it

    def render() -> tuple[bytes | str, str]:
        triples = _matches(s, p, o)
        total = len(triples)
        chunk = triples[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        meta = _metadata(fragment, base, pattern, page, total)
        if fmt is HTML:
            last = max(1, -(-total // PAGE_SIZE))
            return render_template(
                "fragments.html", lang=lang, pattern=pattern, total=total, page=page, last=last,
                page_size=PAGE_SIZE, rows=[[_term_view(t.subject), _term_view(t.predicate), _term_view(t.object)]
                                           for t in chunk],
                first_url=_url(base, pattern, 1), next_url=_url(base, pattern, page + 1) if page < last else None,
                previous_url=_url(base, pattern, min(page - 1, last)) if page > 1 else None,
                base=base), HTML.content_type
        if fmt.quads:
            meta_graph = ox.NamedNode(fragment + "#metadata")
            quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in chunk]
            quads.append(ox.Quad(meta_graph, ox.NamedNode(FOAF + "primaryTopic"), ox.NamedNode(fragment), meta_graph))
            quads += [ox.Quad(t.subject, t.predicate, t.object, meta_graph) for t in meta]
            return serialize(quads, fmt), fmt.content_type
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in (*chunk, *meta)]
        return serialize(quads, fmt), fmt.content_type

    lang = page_language() if fmt is HTML else ""
    return http.serve(("fragments", fmt.name, lang, query, str(get_state().default_graphs)), render,
                      vary=("Accept", "Cookie") if fmt is HTML else ("Accept",))
