"""Dereferenceable IRIs: a thing's IRI sends the client on to its page or its RDF document.

    /id/{path}            303 → /page/{path} (HTML) or /data/{path}.{ttl,jsonld,rdf,nt,trig,nq}
    /vocab/{scheme}[/{c}] 303 → /page/vocab/… or /data/vocab/…     ("Cool URIs", W3C IG Note 2008)
    /page/{path}          the HTML page (:mod:`.resource_page`; a concept scheme's is its vocabulary)
    /data/{path}[.ext]    the RDF document, paged (``?page=``) for hub nodes

Every representation has its own URL; negotiated responses say which one they are
(``Content-Location``), list the others (``Link: <…>; rel="alternate"``) and vary on
``Accept``. ``?output=`` and a file extension override the header. IRIs we do not describe
get 404 in the client's format.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from paradip_kg import i18n
from paradip_kg.publish import describe
from paradip_kg.rdf.formats import Format
from paradip_kg.web import http, urls
from paradip_kg.web.conneg import HTML
from paradip_kg.web.documents import PAGE_FORMATS, RDF_DOC_FORMATS, choose, not_found, serialize
from paradip_kg.web.language import page_language
from paradip_kg.web.paths import RequestPath, document_urls, iri_prefix
from paradip_kg.web.resource_page import render_page
from paradip_kg.web.state import get_state

bp = Blueprint("resources", __name__)
HAS_NEXT_KEPT = 10_000  # (IRI, page, size) → whether a next page exists, kept per published state


@bp.get("/id/<path:rest>")
def thing(rest: str) -> BaseResponse:
    return _see_other(urls.base() + "id/", RequestPath.of(rest))


@bp.get("/vocab/<path:rest>")
def concept(rest: str) -> BaseResponse:
    return _see_other(urls.base() + "vocab/", RequestPath.of(rest))


def _see_other(prefix: str, rest: RequestPath) -> BaseResponse:
    """303 See Other from a thing's IRI to the document the client wants (httpRange-14)."""
    iri = rest.resolve(prefix)
    extension = None
    if iri is None:  # /id/x.ttl: the document of /id/x in Turtle
        stem, extension = rest.split_extension(PAGE_FORMATS)
        iri = stem.resolve(prefix) if extension else None
    if iri is None:
        return not_found(f"<{rest.candidates(prefix)[0]}>", choose(PAGE_FORMATS))
    fmt = choose(PAGE_FORMATS, extension)
    alternates = document_urls(iri)
    target = next(url for url, f in alternates if f is fmt)
    lang = request.args.get("lang")
    if fmt is HTML and lang in i18n.LANGUAGES:
        target += "?" + urlencode({"lang": lang})
    response = redirect(target, 303)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = http.cache_control()
    response.headers["Link"] = ", ".join(http.alternate_links(alternates))
    return response


@bp.get("/page/<path:rest>")
def page(rest: str) -> Response:
    prefix, remainder = iri_prefix(RequestPath.of(rest))
    iri = remainder.resolve(prefix)
    fmt = choose(PAGE_FORMATS)
    if iri is None:
        return not_found(f"<{remainder.candidates(prefix)[0]}>", fmt)
    alternates = document_urls(iri)
    if fmt is not HTML:  # ?output=ttl on a page: the document itself, which says where it lives
        return _data_response(iri, fmt, alternates)
    lang = page_language()
    return http.serve(("page", iri, lang), lambda: (render_page(iri, lang, alternates), HTML.content_type),
                      location=alternates[0][0], alternates=alternates, vary=("Accept", "Accept-Language"))


@bp.get("/data/<path:rest>")
def data(rest: str) -> Response:
    whole = RequestPath.of(rest)
    stem, extension = whole.split_extension(RDF_DOC_FORMATS)
    prefix, remainder = iri_prefix(stem)
    iri = remainder.resolve(prefix)
    if iri is None and extension:  # a key that really ends in ".ttl"
        prefix_whole, remainder_whole = iri_prefix(whole)
        iri = remainder_whole.resolve(prefix_whole)
        if iri is not None:
            extension = None
    fmt = choose(RDF_DOC_FORMATS, extension)
    if iri is None:
        return not_found(f"<{remainder.candidates(prefix)[0]}>", fmt)
    return _data_response(iri, fmt, document_urls(iri))


def _data_response(iri: str, fmt: Format, alternates: list[tuple[str, Format]]) -> Response:
    """The RDF document of ``iri``, page ``?page=`` of at most ``result_limit`` quads, with
    ``Link: rel="next"``/``"prev"`` between pages (a hub node is never sent whole)."""
    arg = request.args.get("page", "1")
    number = int(arg) if arg.isdigit() and int(arg) > 0 else 1
    state = get_state()
    size = int(state.settings["result_limit"])
    base_location = next(u for u, f in alternates if f is fmt)
    location = base_location + (f"?page={number}" if number > 1 else "")
    v = http.validator("data", iri, fmt.name, number, size)
    has_next_of: dict[tuple[str, int, int], bool] = state.cached(("resources", "has-next"), dict)
    key = (iri, number, size)
    if key in has_next_of and v.current():  # a revalidation reads nothing from the store
        response = Response(status=304)
        has_next = has_next_of[key]
    else:
        doc = describe.document(state.store(), iri, number, size)
        if number > 1 and not doc.quads:
            return not_found(f"Page {number} of <{iri}>", fmt)
        if len(has_next_of) > HAS_NEXT_KEPT:
            has_next_of.clear()
        has_next_of[key] = has_next = doc.has_next
        response = Response(status=304) if v.current() else Response(serialize(doc.quads, fmt),
                                                                     content_type=fmt.content_type)
    links = []
    if has_next:
        links.append(f'<{base_location}?page={number + 1}>; rel="next"')
    if number > 1:
        links.append(f'<{base_location}' + (f"?page={number - 1}" if number > 2 else "") + '>; rel="prev"')
    return http.headers(response, v, location=location, alternates=alternates, links=links)
