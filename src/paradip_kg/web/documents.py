"""RDF documents over HTTP: which formats a resource offers, which one a request gets, the bytes.

    PAGE_FORMATS, RDF_DOC_FORMATS    what pages and documents are offered as (HTML first: people browse IRIs)
    choose(formats, extension)       the format of this request: the extension, else ``?output=`` (or
                                     ``format``/``results``), else Accept; 406 when nothing fits
    serialize(quads, fmt)            quads in a quad format; their triples, without repeats, in a triple format
                                     (JSON-LD with the project's @context inline)
    not_found(what, fmt)             404 in the client's format
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
from flask import Response, request

from paradip_kg.errors import NotAcceptable, NotDescribed
from paradip_kg.publish.dumps import prefixes_for
from paradip_kg.rdf.formats import JSONLD, NQUADS, NTRIPLES, RDFXML, TRIG, TURTLE, Format
from paradip_kg.rdf.jsonld_context import with_context
from paradip_kg.web import conneg
from paradip_kg.web.conneg import HTML
from paradip_kg.web.http import Render

RDF_DOC_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES, TRIG, NQUADS)
PAGE_FORMATS: tuple[Format, ...] = (HTML, *RDF_DOC_FORMATS)  # HTML wins a tie (*/*): people browse IRIs
BY_EXTENSION: dict[str, Format] = {f.extension: f for f in PAGE_FORMATS}


def overrides() -> list[str]:
    """The values of the request's format-overriding parameters (:data:`conneg.OVERRIDE_PARAMS`)."""
    return [v for name in conneg.OVERRIDE_PARAMS for v in request.args.getlist(name)]


def choose(formats: tuple[Format, ...], extension: str | None = None) -> Format:
    """The extension if there is one, else ``?output=``, else the Accept header; 406 if nothing fits."""
    if extension is not None:
        return BY_EXTENSION[extension]
    fmt = conneg.choose(request.accept_mimetypes, overrides(), formats)
    if fmt is None:
        raise NotAcceptable("No representation of this resource matches the Accept header; this one has "
                            + ", ".join(f.media_type for f in formats) + ".")
    return fmt


def serialize(quads: Iterable[ox.Quad], fmt: Format) -> bytes:
    """Quads in a quad format; their triples (without repeats) in a triple format."""
    statements: list[Any] = list(quads)
    if not fmt.quads:
        statements = list(dict.fromkeys(q.triple for q in statements))
    body = ox.serialize(statements, format=fmt.rdf_format, prefixes=prefixes_for(statements)) or b""
    return with_context(body) if fmt is JSONLD else body  # the project's @context, inline (rdf/jsonld_context.py)


def rdf(quads: Callable[[], Iterable[ox.Quad]], fmt: Format) -> Render:
    """A renderer (for :func:`paradip_kg.web.http.serve`) of the quads ``quads()`` in ``fmt``."""
    return lambda: (serialize(quads(), fmt), fmt.content_type)


def not_found(what: str, fmt: Format) -> Response:
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
