"""Linked data over HTTP: dereferenceable IRIs, pages, documents, the dataset, dumps, discovery.

The server answers for the IRIs under the ``base_iri`` setting (``https://w3id.org/paradip/``)
on whatever host it runs: a request for ``/id/x`` is about ``<base>id/x``.

    /id/{path}            303 → /page/{path} (HTML) or /data/{path}.{ttl,jsonld,rdf,nt,trig,nq}
    /vocab/{scheme}[/{c}] 303 → /page/vocab/… or /data/vocab/…     ("Cool URIs", W3C IG Note 2008)
    /page/{path}          the HTML page (a concept scheme's page is its vocabulary documentation)
    /data/{path}[.ext]    the RDF document, paged (?page=) for hub nodes
    /ontology[.ext]       hash namespace: HTML documentation or the ontology graph, by Accept
    /shapes[.ext]         the same for the SHACL shapes
    /vocab                every vocabulary (HTML) or the vocabulary graph
    /graph/{name}[.ext]   a named graph, as a document
    /dataset[.ext]        VoID + DCAT (also at /.well-known/void, Turtle first)
    /dumps/               the dump files, with SHA256SUMS, written on first request if missing
    /sitemap.xml /robots.txt /

Every representation has its own URL; negotiated responses say which one they are
(``Content-Location``), list the others (``Link: <…>; rel="alternate"``) and vary on
``Accept``. ``?output=`` (or ``format``/``results``, as :mod:`.conneg` reads them) and a
file extension override the header. Pages, documents and dumps carry an ``ETag`` and a
``Last-Modified`` derived from the store version and answer conditional requests with 304.
IRIs we do not describe get 404 in the client's format. Behind ``trusted_proxies`` reverse
proxies, werkzeug's ProxyFix makes redirects and links use the forwarded host and scheme.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, redirect, render_template, request, send_file
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.urls import iri_to_uri

from paradip_kg.errors import NotAcceptable, NotDescribed
from paradip_kg.namespaces import GRAPHS, PREFIXES
from paradip_kg.publish import describe as describing
from paradip_kg.publish import docs as docs_gen
from paradip_kg.publish import dumps, void
from paradip_kg.publish import labels as labelling
from paradip_kg.publish.labels import Labels, qname
from paradip_kg.publish.stats import FIGURES
from paradip_kg.sparql.local import run_on_store
from paradip_kg.store.disk import to_oxigraph
from paradip_kg.web import conneg
from paradip_kg.web.conneg import HTML, Format
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

bp = Blueprint("linked_data", __name__)

RDF_DOC_FORMATS: tuple[Format, ...] = tuple(conneg.BY_NAME[n] for n in
                                            ("turtle", "jsonld", "rdfxml", "ntriples", "trig", "nquads"))
PAGE_FORMATS: tuple[Format, ...] = (HTML, *RDF_DOC_FORMATS)  # HTML wins a tie (*/*): people browse IRIs
VOID_FORMATS: tuple[Format, ...] = (*RDF_DOC_FORMATS, HTML)  # /.well-known/void is for machines first
BY_EXTENSION: dict[str, Format] = {f.extension: f for f in PAGE_FORMATS}
VALUE_CAP = 200  # values of one property shown on a page
INVERSE_CAP = 25  # referrers through one property shown on a page
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
MAX_RAW_PATH = 4096  # longer request paths are matched in their decoded form only
DUMP_WAIT = 20.0  # seconds a request waits for dumps being written before it is answered 503
SCHEMA = "https://schema.org/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# --- Setup: proxies, per-version cache, template helpers --------------------------------

@bp.record_once
def _install_proxy_fix(state: BlueprintSetupState) -> None:
    """Trust X-Forwarded-For/-Proto/-Host/-Port/-Prefix from ``trusted_proxies`` proxies."""
    hops = int(state.app.config.get("PARADIP", {}).get("trusted_proxies", 0) or 0)
    if hops > 0:
        state.app.wsgi_app = ProxyFix(state.app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                      x_port=hops, x_prefix=hops)


def _base() -> str:
    base = str(get_state().settings["base_iri"])
    return base if base.endswith(("/", "#")) else base + "/"


def _store() -> ox.Store:
    return get_state().store()


def _version() -> dumps.StoreVersion:
    """The published state's version, read once per request (it names ETags, Last-Modified and caches)."""
    if "paradip_store_version" not in g:
        head = get_state().head()
        g.paradip_store_version = dumps.StoreVersion(head.tag, head.modified)
    return g.paradip_store_version  # type: ignore[no-any-return]


def _cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """A value computed once per published state and process (:meth:`AppState.cached`)."""
    return get_state().cached(("linked_data", *key), make)


def _local(path: str) -> str:
    """A path on this site (behind a proxy prefix too)."""
    return request.script_root + path


def _absolute(path: str) -> str:
    """An absolute URL on the serving host (the forwarded one behind a trusted proxy)."""
    return request.host_url.rstrip("/") + request.script_root + path


@bp.app_template_global()
def link_for(iri: str) -> str | None:
    """Where a page links an IRI: ours stay on this host, http(s) ones go out, others are not links."""
    base = _base()
    if iri.startswith(base):
        return _local("/" + iri_to_uri(iri[len(base):]))
    if re.match(r"https?://", iri, re.IGNORECASE):
        return iri
    return None


@bp.app_template_global()
def sparql_link(query: str) -> str:
    return _local("/sparql?" + urlencode({"query": query}))


# --- Conditional requests and representation headers -------------------------------------

def _not_modified(etag: str, modified: datetime) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.if_none_match:  # RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and modified <= since


def _finish(response: Response, etag: str, modified: datetime, vary: Iterable[str] = ("Accept",),
            location: str | None = None, alternates: Iterable[tuple[str, Format]] = ()) -> Response:
    response.set_etag(etag)
    response.last_modified = modified
    response.headers["Cache-Control"] = str(get_state().settings["cache_control"])
    for header in vary:
        response.vary.add(header)
    if location:
        response.headers["Content-Location"] = location
    links = [f'<{url}>; rel="alternate"; type="{fmt.media_type}"' for url, fmt in alternates]
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _serve(key: tuple, render: Callable[[], tuple[bytes | str, str]], *, location: str | None,
           alternates: Iterable[tuple[str, Format]], vary: Iterable[str] = ("Accept",)) -> Response:
    """Answer with a representation: 304 if the client's copy is current, else ``render()``."""
    version = _version()
    etag = version.etag(request.host_url, request.script_root, *map(str, key))
    alternates = list(alternates)
    if _not_modified(etag, version.modified):
        return _finish(Response(status=304), etag, version.modified, vary, location, alternates)
    body, content_type = render()
    return _finish(Response(body, content_type=content_type), etag, version.modified, vary, location, alternates)


def _overrides() -> list[str]:
    return [v for name in conneg.OVERRIDE_PARAMS for v in request.args.getlist(name)]


def _choose(formats: tuple[Format, ...], extension: str | None = None) -> Format:
    """The extension if there is one, else ``?output=``, else the Accept header; 406 if nothing fits."""
    if extension is not None:
        return BY_EXTENSION[extension]
    fmt = conneg.choose(request.accept_mimetypes, _overrides(), formats)
    if fmt is None:
        raise NotAcceptable("No representation of this resource matches the Accept header; this one has "
                            + ", ".join(f.media_type for f in formats) + ".")
    return fmt


def serialize(quads: Iterable[ox.Quad], fmt: Format) -> bytes:
    """Quads in a quad format; their triples (without repeats) in a triple format."""
    statements: list[Any] = list(quads)
    if not fmt.quads:
        statements = list(dict.fromkeys(q.triple for q in statements))
    return ox.serialize(statements, format=fmt.rdf_format, prefixes=dumps.prefixes_for(statements)) or b""


def _rdf(quads: Callable[[], Iterable[ox.Quad]], fmt: Format) -> Callable[[], tuple[bytes | str, str]]:
    return lambda: (serialize(quads(), fmt), fmt.content_type)


def _not_found(what: str, fmt: Format) -> Response:
    """404 in the client's format: an empty RDF document that says why, or the app's error page/JSON."""
    message = f"{what} is not described here."
    if fmt is HTML or fmt.rdf_format is None:
        raise NotDescribed(message)
    if fmt.name == "jsonld":
        body = json.dumps({"@graph": [], "message": message}).encode()
    elif fmt.name == "rdfxml":
        safe = message.replace("--", "- -").replace("<", "&lt;").replace(">", "&gt;")
        body = (f'<?xml version="1.0" encoding="utf-8"?>\n<!-- {safe} -->\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n').encode()
    else:
        body = ("# " + message.replace("\n", " ").replace("\r", " ") + "\n").encode()
    response = Response(body, status=404, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- IRIs from request paths --------------------------------------------------------------

_SUB_DELIMS = "/:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class _Rest:
    """The variable part of a request path, decoded (as Flask routes it) and as the client sent it.

    ``a%2Fb`` and ``a/b`` differ only in the raw request line (pubby#5, LodView#6), so both
    are kept; ``raw`` is None when the server does not pass the raw line on.
    """

    decoded: str
    raw: str | None

    @classmethod
    def of(cls, rest: str) -> _Rest:
        line = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
        line = line.split("?", 1)[0]
        if "://" in line:  # an absolute-form request target
            line = "/" + line.split("://", 1)[1].partition("/")[2]
        if len(line) <= MAX_RAW_PATH:  # each slash is a possible start: bounded work per request
            for i in (j + 1 for j, c in enumerate(line) if c == "/"):
                if unquote(line[i:]) == rest:
                    return cls(rest, line[i:])
        return cls(rest, None)

    def split_extension(self, formats: tuple[Format, ...]) -> tuple[_Rest, str | None]:
        stem, dot, ext = self.decoded.rpartition(".")
        if dot and ext in BY_EXTENSION and BY_EXTENSION[ext] in formats and stem and not stem.endswith("/"):
            raw = self.raw[:-len(ext) - 1] if self.raw and self.raw.endswith("." + ext) else None
            return _Rest(stem, raw), ext
        return self, None

    def under(self, prefix: str) -> _Rest | None:
        """The part after ``prefix`` (``vocab/``), or None if the path does not start with it."""
        if not self.decoded.startswith(prefix):
            return None
        raw = self.raw[len(prefix):] if self.raw and self.raw.startswith(prefix) else None
        return _Rest(self.decoded[len(prefix):], raw)

    def candidates(self, prefix: str) -> list[str]:
        """IRIs this path may name: as the client encoded it; decoded, non-ASCII kept (an IRI);
        fully percent-encoded (a URI)."""
        iri_form = "".join(c if ord(c) > 127 else quote(c, safe=_SUB_DELIMS) for c in self.decoded)
        out: list[str] = []
        for suffix in (self.raw, iri_form, quote(self.decoded, safe=_SUB_DELIMS)):
            if suffix is None:
                continue
            try:
                iri = ox.NamedNode(prefix + suffix).value
            except ValueError:
                continue
            if iri not in out:
                out.append(iri)
        return out or [prefix + iri_form]

    def resolve(self, prefix: str) -> str | None:
        """The IRI under ``prefix`` that this path names and the store mentions, or None."""
        store = _store()
        for iri in self.candidates(prefix):
            if describing.exists(store, ox.NamedNode(iri)):
                return iri
        return None


def _split_extension(path: str, formats: tuple[Format, ...] = PAGE_FORMATS) -> tuple[str, str | None]:
    rest, ext = _Rest(path, None).split_extension(formats)
    return rest.decoded, ext


def _path_of(iri: str) -> str:
    """The URL path of an IRI under the base (``<base>id/x`` → ``id/x``), encoded for a URL."""
    return iri_to_uri(iri[len(_base()):])


def _page_rest(iri: str) -> str:
    """``/page/{rest}`` and ``/data/{rest}``: things drop ``id/``; vocabulary IRIs keep ``vocab/``."""
    path = _path_of(iri)
    return path[len("id/"):] if path.startswith("id/") else path


def _iri_of_rest(rest: _Rest) -> tuple[str, _Rest]:
    """(IRI prefix, remainder) for a /page/ or /data/ path: ``vocab/…`` or a thing's ``id/…``."""
    vocab = rest.under("vocab/")
    return (_base() + "vocab/", vocab) if vocab is not None else (_base() + "id/", rest)


def _doc_urls(iri: str) -> list[tuple[str, Format]]:
    rest = _page_rest(iri)
    return [(_absolute(f"/page/{rest}"), HTML)] + [(_absolute(f"/data/{rest}.{f.extension}"), f)
                                                   for f in RDF_DOC_FORMATS]


# --- Things and concepts: 303, pages, documents -------------------------------------------

@bp.get("/id/<path:rest>")
def thing(rest: str) -> Response:
    return _see_other(_base() + "id/", _Rest.of(rest))


@bp.get("/vocab/<path:rest>")
def concept(rest: str) -> Response:
    return _see_other(_base() + "vocab/", _Rest.of(rest))


def _see_other(prefix: str, rest: _Rest) -> Response:
    """303 See Other from a thing's IRI to the document the client wants (httpRange-14)."""
    iri = rest.resolve(prefix)
    extension = None
    if iri is None:  # /id/x.ttl: the document of /id/x in Turtle
        stem, extension = rest.split_extension(PAGE_FORMATS)
        iri = stem.resolve(prefix) if extension else None
    if iri is None:
        return _not_found(f"<{rest.candidates(prefix)[0]}>", _choose(PAGE_FORMATS))
    fmt = _choose(PAGE_FORMATS, extension)
    urls = _doc_urls(iri)
    target = next(url for url, f in urls if f is fmt)
    lang = request.args.get("lang")
    if fmt is HTML and lang in ("es", "en"):
        target += "?" + urlencode({"lang": lang})
    response = redirect(target, 303)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = str(get_state().settings["cache_control"])
    response.headers["Link"] = ", ".join(f'<{u}>; rel="alternate"; type="{f.media_type}"' for u, f in urls)
    return response


@bp.get("/page/<path:rest>")
def page(rest: str) -> Response:
    prefix, remainder = _iri_of_rest(_Rest.of(rest))
    iri = remainder.resolve(prefix)
    fmt = _choose(PAGE_FORMATS)
    if iri is None:
        return _not_found(f"<{remainder.candidates(prefix)[0]}>", fmt)
    urls = _doc_urls(iri)
    if fmt is not HTML:  # ?output=ttl on a page: the document itself, which says where it lives
        return _data_response(iri, fmt, urls)
    lang = page_language()
    return _serve(("page", iri, lang), lambda: (_render_page(iri, lang, urls), HTML.content_type),
                  location=urls[0][0], alternates=urls, vary=("Accept", "Accept-Language"))


@bp.get("/data/<path:rest>")
def data(rest: str) -> Response:
    whole = _Rest.of(rest)
    stem, extension = whole.split_extension(RDF_DOC_FORMATS)
    prefix, remainder = _iri_of_rest(stem)
    iri = remainder.resolve(prefix)
    if iri is None and extension:  # a key that really ends in ".ttl"
        prefix_whole, remainder_whole = _iri_of_rest(whole)
        iri = remainder_whole.resolve(prefix_whole)
        if iri is not None:
            extension = None
    fmt = _choose(RDF_DOC_FORMATS, extension)
    if iri is None:
        return _not_found(f"<{remainder.candidates(prefix)[0]}>", fmt)
    return _data_response(iri, fmt, _doc_urls(iri))


def _data_response(iri: str, fmt: Format, urls: list[tuple[str, Format]]) -> Response:
    """The RDF document of ``iri``, page ``?page=`` of at most ``result_limit`` quads, with
    ``Link: rel="next"``/``"prev"`` between pages (a hub node is never sent whole)."""
    arg = request.args.get("page", "1")
    number = int(arg) if arg.isdigit() and int(arg) > 0 else 1
    size = int(get_state().settings["result_limit"])
    base_location = next(u for u, f in urls if f is fmt)
    location = base_location + (f"?page={number}" if number > 1 else "")
    version = _version()
    etag = version.etag(request.host_url, request.script_root, "data", iri, fmt.name, str(number), str(size))
    pages = current_app.extensions.setdefault("paradip_kg.linked_data.pages", {})  # (version, iri, page, size) → has_next
    key = (version.tag, iri, number, size)
    if key in pages and _not_modified(etag, version.modified):  # a revalidation reads nothing from the store
        response = Response(status=304)
        has_next = pages[key]
    else:
        doc = describing.document(_store(), iri, number, size)
        if number > 1 and not doc.quads:
            return _not_found(f"Page {number} of <{iri}>", fmt)
        if len(pages) > 10_000:
            pages.clear()
        pages[key] = has_next = doc.has_next
        modified = _not_modified(etag, version.modified)
        response = Response(status=304) if modified else Response(serialize(doc.quads, fmt), content_type=fmt.content_type)
    _finish(response, etag, version.modified, ("Accept",), location, urls)
    links = [response.headers["Link"]]
    if has_next:
        links.append(f'<{base_location}?page={number + 1}>; rel="next"')
    if number > 1:
        links.append(f'<{base_location}' + (f"?page={number - 1}" if number > 2 else "") + '>; rel="prev"')
    response.headers["Link"] = ", ".join(links)
    return response


# --- The resource page ------------------------------------------------------------------

def _term_view(term: Any, labels: Labels) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"kind": "iri", "iri": term.value, "href": link_for(term.value), "label": labels.label(term),
                "short": qname(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "id": term.value}
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        shown = None if datatype in (XSD_STRING, RDF_LANG_STRING, "") else qname(datatype)
        return {"kind": "literal", "value": term.value, "lang": term.language or "", "datatype": shown}
    return {"kind": "literal", "value": str(term), "lang": "", "datatype": None}


def _groups_view(groups: list[describing.Group], labels: Labels, iri: str | None = None,
                 inverse: bool = False) -> list[dict[str, Any]]:
    out = []
    for group in groups:
        values = labelling.in_language_order([v.term for v in group.values], labels.lang)
        flags = {str(v.term): v.inferred for v in group.values}
        more = None
        if group.capped and iri:
            pattern = f"?x <{group.predicate.value}> <{iri}>" if inverse else f"<{iri}> <{group.predicate.value}> ?x"
            more = sparql_link(f"SELECT DISTINCT ?x WHERE {{ {pattern} }}")
        out.append({"predicate": _term_view(group.predicate, labels), "total": group.total, "more": more,
                    "values": [dict(_term_view(t, labels), inferred=flags[str(t)]) for t in values]})
    return sorted(out, key=lambda g: (g["predicate"]["iri"] != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
                                      g["predicate"]["label"].lower()))


def schema_org(desc: describing.Description, labels: Labels, page_url: str) -> dict[str, Any]:
    """JSON-LD for search engines: schema.org types and properties the ontology aligns us with
    (inference has added them), names in both languages, the sources as ``isBasedOn``."""
    def value(term: Any) -> Any:
        if isinstance(term, ox.NamedNode):
            return {"@id": term.value}
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype and term.datatype.value not in (XSD_STRING,):
                return {"@value": term.value, "@type": term.datatype.value}
            return term.value
        return None

    types = sorted({t.term.value[len(SCHEMA):] for t in desc.types
                    if isinstance(t.term, ox.NamedNode) and t.term.value.startswith(SCHEMA)})
    out: dict[str, Any] = {"@context": {"@vocab": SCHEMA}, "@id": desc.iri.value, "@type": types or ["Thing"],
                           "url": page_url}
    names = labels.literals(desc.iri, describing.LABEL_PREDICATES)
    if names:
        out["name"] = [value(n) for n in names]
    descriptions = labels.literals(desc.iri, describing.DESCRIPTION_PREDICATES)
    if descriptions:
        out["description"] = [value(d) for d in descriptions]
    same = [v.term.value for g in desc.stated + desc.inferred for v in g.values
            if g.predicate.value in (PREFIXES["owl"] + "sameAs", SCHEMA + "sameAs", PREFIXES["skos"] + "exactMatch")
            and isinstance(v.term, ox.NamedNode)]
    if same:
        out["sameAs"] = sorted(set(same))
    for group in desc.stated + desc.inferred:
        name = group.predicate.value
        if name.startswith(SCHEMA) and name[len(SCHEMA):] not in ("name", "description", "sameAs"):
            values = [value(v.term) for v in group.values if value(v.term) is not None]
            if values:
                # A key set above as one value ("url": the page; the data's schema:url) becomes a list.
                existing = out.get(name[len(SCHEMA):], [])
                out[name[len(SCHEMA):]] = (existing if isinstance(existing, list) else [existing]) + values
    if desc.sources:
        out["isBasedOn"] = [{"@id": s.value} for s in desc.sources]
    return out


def _render_page(iri: str, lang: str, urls: list[tuple[str, Format]]) -> str:
    store = _store()
    if describing.is_scheme(store, ox.NamedNode(iri)):
        return _render_scheme(iri, lang, urls)
    desc = describing.describe(store, iri, VALUE_CAP, INVERSE_CAP)
    if desc is None:
        raise NotDescribed(f"<{iri}> is not described here.")
    labels = Labels(store, lang)
    node = ox.NamedNode(iri)
    other = Labels(store, "en" if lang == "es" else "es")
    blank = {bid: _groups_view(groups, labels) for bid, groups in desc.blank.items()}
    schemes = [v.term.value for g in desc.stated for v in g.values
               if g.predicate.value == PREFIXES["skos"] + "inScheme" and isinstance(v.term, ox.NamedNode)]
    return render_template(
        "resource.html", lang=lang, iri=iri, label=labels.label(node), other_label=other.stated(node),
        description=labels.description(node), types=[dict(_term_view(t.term, labels), inferred=t.inferred)
                                                     for t in desc.types],
        stated=_groups_view(desc.stated, labels, iri), inferred=_groups_view(desc.inferred, labels, iri),
        inverse=_groups_view(desc.inverse, labels, iri, inverse=True), blank=blank,
        stated_count=desc.stated_count, inferred_count=desc.inferred_count,
        sources=[_term_view(s, labels) for s in desc.sources], alternates=urls,
        describe_query=f"DESCRIBE <{iri}>", jsonld=schema_org(desc, labels, urls[0][0]),
        schemes=[(s, docs_gen.anchor(iri)) for s in schemes])


def _render_scheme(iri: str, lang: str, urls: list[tuple[str, Format]]) -> str:
    scheme = _cached(("scheme", iri, lang), lambda: docs_gen.vocab_doc(_store(), iri, lang))
    return render_template("vocab.html", lang=lang, scheme=scheme, schemes=None, alternates=urls,
                           jsonld=_scheme_jsonld(scheme, urls[0][0]))


def _scheme_jsonld(scheme: docs_gen.SchemeDoc, url: str) -> dict[str, Any]:
    return {"@context": {"@vocab": SCHEMA}, "@type": "DefinedTermSet", "@id": scheme.iri, "url": url,
            "name": scheme.title.main, "description": scheme.description.main,
            "hasDefinedTerm": [{"@type": "DefinedTerm", "@id": c.iri, "name": c.label.main,
                                "description": c.definition.main} for c in scheme.concepts[:VALUE_CAP]]}


# --- Whole-graph documents: the ontology, the shapes, the vocabularies, named graphs -------

def _graph_quads(key: str) -> Callable[[], Iterable[ox.Quad]]:
    name = ox.NamedNode(str(GRAPHS[key]))
    return lambda: _store().quads_for_pattern(None, None, None, name)


def _doc_alternates(path: str, formats: tuple[Format, ...] = PAGE_FORMATS) -> list[tuple[str, Format]]:
    return [(_absolute(f"{path}.{f.extension}"), f) for f in formats]


def _namespace_quads(key: str, namespace: str) -> Callable[[], Iterable[ox.Quad]]:
    return lambda: describing.namespace_document(_store(), key, namespace)


def _graph_document(path: str, key: str, ext: str | None, html: Callable[[str], str],
                    formats: tuple[Format, ...] = PAGE_FORMATS,
                    quads: Callable[[], Iterable[ox.Quad]] | None = None) -> Response:
    if ext is not None and ext not in BY_EXTENSION:
        raise NotDescribed(f"{path}.{ext} is not a document of this site.")
    fmt = _choose(formats, ext)
    urls = _doc_alternates(path, formats)
    location = next(u for u, f in urls if f is fmt)
    if fmt is HTML:
        lang = page_language()
        return _serve((path, "html", lang), lambda: (html(lang), HTML.content_type), location=location,
                      alternates=urls, vary=("Accept", "Accept-Language"))
    return _serve((path, fmt.name), _rdf(quads or _graph_quads(key), fmt), location=location, alternates=urls)


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None) -> Response:
    def html(lang: str) -> str:
        doc = _cached(("ontology-doc", lang), lambda: docs_gen.ontology_doc(_store(), lang))
        return render_template("ontology.html", lang=lang, doc=doc, alternates=_doc_alternates("/ontology"),
                               jsonld=_ontology_jsonld(doc))
    return _graph_document("/ontology", "ontology", ext, html,
                           quads=_namespace_quads("ontology", _base() + "ontology#"))


def _ontology_jsonld(doc: docs_gen.OntologyDoc) -> dict[str, Any]:
    return {"@context": {"@vocab": SCHEMA}, "@type": "DefinedTermSet", "@id": doc.iri, "name": doc.title.main,
            "description": doc.description.main, "license": doc.license or None, "version": doc.version,
            "hasDefinedTerm": [{"@type": "DefinedTerm", "@id": t.iri, "name": t.label.main,
                                "description": t.definition.main, "termCode": t.short} for t in doc.terms]}


@bp.get("/shapes")
@bp.get("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    def html(lang: str) -> str:
        doc = _cached(("shapes-doc", lang), lambda: docs_gen.shapes_doc(_store(), lang))
        return render_template("shapes.html", lang=lang, doc=doc, alternates=_doc_alternates("/shapes"),
                               jsonld={"@context": {"@vocab": SCHEMA}, "@type": "CreativeWork", "@id": doc.iri,
                                       "name": doc.title.main, "description": doc.comment.main})
    return _graph_document("/shapes", "shapes", ext, html, quads=_namespace_quads("shapes", _base() + "shapes#"))


@bp.get("/vocab")
@bp.get("/vocab.<ext>")
def vocabularies(ext: str | None = None) -> Response:
    def html(lang: str) -> str:
        schemes = _cached(("vocab-index", lang), lambda: docs_gen.vocab_index(_store(), lang))
        return render_template("vocab.html", lang=lang, scheme=None, schemes=schemes,
                               alternates=_doc_alternates("/vocab"), jsonld=None)
    return _graph_document("/vocab", "vocab", ext, html)


@bp.get("/graph/<name>")
def graph(name: str) -> Response:
    key, ext = _split_extension(name)
    if key not in GRAPHS:
        fmt = _choose(PAGE_FORMATS, ext)
        return _not_found(f"<{_base()}graph/{key}>", fmt)

    def html(lang: str) -> str:
        stats = _void_stats()
        return render_template("dataset.html", lang=lang, mode="graph", key=key, graph_iri=str(GRAPHS[key]),
                               stats=stats, files=[f for f in dumps.dump_files() if f.graph == key],
                               alternates=_doc_alternates(f"/graph/{key}"), jsonld=None)
    return _graph_document(f"/graph/{key}", key, ext, html)


# --- The dataset: VoID and DCAT ----------------------------------------------------------

def _void_stats() -> void.VoidStats:
    state = get_state()
    return _cached(("void-stats",), lambda: void.load_or_collect(_store(), state.store_dir, _base(), _version().tag))


def _void_quads(document_url: str, with_sums: bool) -> Callable[[], list[ox.Quad]]:
    def make() -> list[ox.Quad]:
        folder = dumps.default_dir(get_state().store_dir)
        sums = dumps.read_sums(folder) if with_sums else {}
        g = void.void_graph(_void_stats(), _base(), _absolute("/"), _version().modified, document_url, sums)
        triples = sorted((ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                          for s, p, o in g), key=str)
        return [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    return make


def _dataset_response(path: str, ext: str | None, formats: tuple[Format, ...]) -> Response:
    fmt = _choose(formats, ext)
    urls = _doc_alternates("/dataset", PAGE_FORMATS)
    location = next(u for u, f in urls if f is fmt)
    if fmt is HTML:
        lang = page_language()

        def html() -> tuple[str, str]:
            return render_template("dataset.html", lang=lang, mode="dataset", stats=_void_stats(),
                                   files=dumps.dump_files(), dataset_iri=_base() + "dataset", alternates=urls,
                                   targets=void.LINK_TARGETS, jsonld=_dataset_jsonld()), HTML.content_type
        return _serve((path, "html", lang), html, location=location, alternates=urls,
                      vary=("Accept", "Accept-Language"))
    state = get_state()
    # Once the dumps exist the description carries their checksums: another representation.
    with_sums = dumps.is_current(state.store_dir, dumps.default_dir(state.store_dir), _version())

    def render() -> tuple[bytes, str]:
        quads = _cached(("void-quads", location, with_sums), _void_quads(location, with_sums))
        return serialize(quads, fmt), fmt.content_type
    return _serve((path, fmt.name, with_sums), render, location=location, alternates=urls)


def _home_jsonld() -> dict[str, Any]:
    """schema.org Dataset markup (what dataset search engines read)."""
    return {"@context": {"@vocab": SCHEMA}, "@type": "Dataset", "@id": _base() + "dataset",
            "name": void.TITLE["en"], "alternateName": void.TITLE["es"], "description": void.DESCRIPTION["en"],
            "license": str(void.CC_BY), "inLanguage": ["es", "en"], "url": _absolute("/dataset"),
            "keywords": list(void.KEYWORDS["en"]), "dateModified": _version().modified.isoformat(),
            "creator": {"@type": "Organization", "name": void.PUBLISHER["en"]},
            "distribution": [{"@type": "DataDownload", "encodingFormat": f.media_type,
                              "contentUrl": _absolute("/dumps/" + f.name)} for f in dumps.dump_files()]}


def _dataset_jsonld() -> dict[str, Any]:
    return {**_home_jsonld(), "variableMeasured": f"{_void_stats().triples} triples"}


@bp.get("/dataset")
@bp.get("/dataset.<ext>")
def dataset(ext: str | None = None) -> Response:
    if ext is not None and ext not in BY_EXTENSION:
        raise NotDescribed(f"/dataset.{ext} is not a document of this site.")
    return _dataset_response("/dataset", ext, PAGE_FORMATS)


@bp.get("/.well-known/void")
def well_known_void() -> Response:
    """RFC 5785 discovery (VoID §7.2): the dataset's description, Turtle unless asked otherwise."""
    return _dataset_response("/.well-known/void", None, VOID_FORMATS)


# --- Dumps ------------------------------------------------------------------------------

_writers: dict[tuple[str, str], threading.Thread] = {}
_writers_lock = threading.Lock()
_writer_errors: dict[tuple[str, str], str] = {}


def _write_in_background(store_dir: Path, folder: Path, version: dumps.StoreVersion) -> None:
    try:
        dumps.ensure_dumps(store_dir, folder, version)
    except OSError as exc:
        _writer_errors[(str(store_dir), version.tag)] = exc.strerror or str(exc)


def _dumps_dir() -> Path:
    """The folder of current dumps, written first if needed.

    Writing runs in a thread of its own: a small store's dumps are ready within
    ``DUMP_WAIT`` seconds and served at once; a large store's (about 30 s for a million
    quads) keep being written while the client is told 503 with ``Retry-After``, so no
    request outlives a worker timeout. ``paradip-kg export`` after a build avoids the wait.
    """
    state = get_state()
    folder = dumps.default_dir(state.store_dir)
    version = _version()
    if dumps.is_current(state.store_dir, folder, version):
        return folder
    key = (str(state.store_dir), version.tag)
    with _writers_lock:
        if key in _writer_errors:
            raise ServiceUnavailable(f"The dumps cannot be written beside the store ({_writer_errors[key]}); "
                                     "run `paradip-kg export` where the store is.")
        writer = _writers.get(key)
        if writer is None or not writer.is_alive():
            writer = threading.Thread(target=_write_in_background, args=(state.store_dir, folder, version),
                                      name="paradip-dumps", daemon=True)
            _writers[key] = writer
            writer.start()
    writer.join(DUMP_WAIT)
    if dumps.is_current(state.store_dir, folder, version):
        return folder
    if key in _writer_errors:
        raise ServiceUnavailable(f"The dumps cannot be written beside the store ({_writer_errors[key]}); "
                                 "run `paradip-kg export` where the store is.")
    raise ServiceUnavailable("The dumps of this version of the graph are being written; try again shortly.",
                             retry_after=30)


@bp.get("/dumps/")
def dumps_index() -> Response:
    folder = _dumps_dir()
    sums = dumps.read_sums(folder)
    files = [{"name": f.name, "url": _absolute("/dumps/" + f.name), "media_type": f.media_type, "graph": f.graph,
              "encoding": f.encoding, "bytes": (folder / f.name).stat().st_size, "sha256": sums.get(f.name, "")}
             for f in dumps.dump_files()]
    formats = (HTML, conneg.BY_NAME["json"])
    fmt = _choose(formats)
    if fmt is HTML:
        lang = page_language()
        return _serve(("dumps", "html", lang), lambda: (render_template(
            "dataset.html", lang=lang, mode="dumps", files=files, sums_url=_absolute("/dumps/SHA256SUMS"),
            stats=_void_stats(), alternates=[], jsonld=None), HTML.content_type), location=None, alternates=[],
            vary=("Accept", "Accept-Language"))
    body = json.dumps({"files": files, "checksums": _absolute("/dumps/SHA256SUMS")}, indent=2)
    return _serve(("dumps", "json"), lambda: (body, "application/json"), location=None, alternates=[])


@bp.get("/dumps/<name>")
def dump_file(name: str) -> Response:
    known = {f.name: f for f in dumps.dump_files()}
    if name not in known and name != dumps.SUMS:
        raise NotDescribed(f"There is no dump file {name!r}; see /dumps/.")
    folder = _dumps_dir()
    path = folder / name
    version = _version()
    if name == dumps.SUMS:
        mimetype, digest = "text/plain", dumps.sha256_file(path)
    else:
        item = known[name]
        mimetype = "application/gzip" if item.encoding == "gzip" else item.media_type
        digest = dumps.read_sums(folder).get(name) or dumps.sha256_file(path)
    response = send_file(path, mimetype=mimetype, etag=digest[:32], last_modified=version.modified,
                         conditional=True, download_name=name, max_age=None)
    response.headers["Cache-Control"] = str(get_state().settings["cache_control"])
    # RFC 9530: the checksum of the bytes, for clients that check it on the fly.
    response.headers["Repr-Digest"] = "sha-256=:" + base64.b64encode(bytes.fromhex(digest)).decode() + ":"
    return response


# --- Discovery: sitemap, robots, home ------------------------------------------------------

def _page_urls() -> list[str]:
    """The page of every IRI of ours that is a subject in the store, sorted."""
    def make() -> list[str]:
        base = _base()
        pages = []
        # Filtering and sorting in Python: the engine's STRSTARTS over every quad and its ORDER BY
        # took 19 s and 265 s on a 1M-quad store; this takes about 3 s.
        for row in _store().query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"):  # type: ignore[union-attr]
            subject = row["s"]
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(base):
                continue
            rest = subject.value[len(base):]
            if "#" in rest or not rest.startswith(("id/", "vocab/")):
                continue
            pages.append("/page/" + (iri_to_uri(rest[3:]) if rest.startswith("id/") else iri_to_uri(rest)))
        return sorted(pages)
    return _cached(("sitemap",), make)


STATIC_PAGES = ("/", "/dataset", "/ontology", "/vocab", "/shapes", "/dumps/", "/sparql")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@bp.get("/sitemap.xml")
@bp.get("/sitemap-<int:number>.xml")
def sitemap(number: int | None = None) -> Response:
    """A sitemap (sitemaps.org 0.9); past 50,000 URLs, a sitemap index of numbered sitemaps."""
    urls = list(STATIC_PAGES) + [f"/graph/{k}" for k in GRAPHS] + _page_urls()
    chunks = [urls[i:i + SITEMAP_LIMIT] for i in range(0, len(urls), SITEMAP_LIMIT)]
    lastmod = _version().modified.date().isoformat()

    def render() -> tuple[str, str]:
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        if number is None and len(chunks) > 1:
            items = "".join(f"  <sitemap><loc>{_xml(_absolute(f'/sitemap-{i}.xml'))}</loc>"
                            f"<lastmod>{lastmod}</lastmod></sitemap>\n" for i in range(1, len(chunks) + 1))
            return head + f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</sitemapindex>\n', \
                "application/xml; charset=utf-8"
        chunk = chunks[(number or 1) - 1]
        items = "".join(f"  <url><loc>{_xml(_absolute(u))}</loc><lastmod>{lastmod}</lastmod></url>\n" for u in chunk)
        return head + f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</urlset>\n', \
            "application/xml; charset=utf-8"

    if number is not None and not 1 <= number <= len(chunks):
        raise NotDescribed(f"There is no sitemap number {number}.")
    return _serve(("sitemap", number), render, location=None, alternates=[], vary=())


@bp.get("/robots.txt")
def robots() -> Response:
    def render() -> tuple[str, str]:
        return ("User-agent: *\n"
                "Allow: /\n"
                "# Queries are for people and programs, not for crawlers: they are costly and endless.\n"
                f"Disallow: {_local('/sparql')}\n"
                f"Disallow: {_local('/validate')}\n"
                f"Sitemap: {_absolute('/sitemap.xml')}\n"), "text/plain; charset=utf-8"
    return _serve(("robots",), render, location=None, alternates=[], vary=())


def _figures() -> dict[str, int]:
    def make() -> dict[str, int]:
        out = {}
        for name, text in FIGURES.items():
            result = run_on_store(_store(), text)
            out[name] = int(result.rows[0]["n"].value) if result.rows else 0  # type: ignore[union-attr]
        return out
    return _cached(("figures",), make)


@bp.get("/")
def home() -> Response:
    lang = page_language()
    fmt = _choose((HTML, *RDF_DOC_FORMATS))
    if fmt is not HTML:  # a harvester at the root: send it to the dataset's description
        response = redirect(_absolute(f"/dataset.{fmt.extension}"), 303)
        response.vary.add("Accept")
        return response

    def render() -> tuple[str, str]:
        manifest = get_state().manifest()
        triples = manifest.total if manifest is not None else _void_stats().triples
        labels = Labels(_store(), lang)
        examples = _cached(("examples",), lambda: void.examples(_store()))
        return render_template("home.html", lang=lang, triples=triples, figures=_figures(), jsonld=_home_jsonld(),
                               examples=[(iri, labels.label(ox.NamedNode(iri))) for iri in examples]), \
            HTML.content_type
    return _serve(("home", lang), render, location=None, alternates=[(_absolute("/dataset.ttl"),
                                                                      conneg.BY_NAME["turtle"])],
                  vary=("Accept", "Accept-Language"))
