"""GET /context.jsonld: the project's JSON-LD @context (``https://w3id.org/paradip/context.jsonld``).

Every JSON-LD answer of the app names it in a ``Link`` header (rel ``…/json-ld#context``) and carries
it inline (:mod:`paradip_kg.rdf.jsonld_context`): the documents of :mod:`paradip_kg.web.documents`,
the dumps, CONSTRUCT/DESCRIBE results (:func:`paradip_kg.sparql.results.serialize_rdf`) and SHACL
reports (:func:`paradip_kg.shacl.render.render_jsonld`).
"""

from __future__ import annotations

from flask import Blueprint, Response

from paradip_kg.rdf.jsonld_context import LINK_REL, context_document
from paradip_kg.web import urls

bp = Blueprint("context", __name__)
JSONLD_TYPE = "application/ld+json"


@bp.get("/context.jsonld")
def jsonld_context() -> Response:
    response = Response(context_document(), content_type=JSONLD_TYPE)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.after_app_request
def link_context(response: Response) -> Response:
    """Name the context on every JSON-LD answer (a reader finds it without reading the body)."""
    if response.mimetype == JSONLD_TYPE and response.status_code < 400:
        link = f'<{urls.absolute("/context.jsonld")}>; rel="{LINK_REL}"; type="{JSONLD_TYPE}"'
        existing = response.headers.get("Link")
        response.headers["Link"] = f"{existing}, {link}" if existing else link
    return response
