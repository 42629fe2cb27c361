"""Where things are: the base of our IRIs, URLs on the serving host, and where a page links an IRI.

The server answers for the IRIs under the ``base_iri`` setting (``https://w3id.org/paradip/``)
on whatever host it runs: ``<base>id/x`` is served at ``/id/x`` of this host. Behind
``trusted_proxies`` reverse proxies, werkzeug's ProxyFix (installed by this module's blueprint)
makes redirects and links use the forwarded host, scheme and prefix.

The blueprint ``bp`` has no routes: it installs the proxy fix and gives the templates
:func:`link_for` and :func:`sparql_link`.
"""

from __future__ import annotations

import re
from typing import cast
from urllib.parse import urlencode

from flask import Blueprint, Flask, request
from flask.blueprints import BlueprintSetupState
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.urls import iri_to_uri

from paradip_kg.rdf.formats import Format
from paradip_kg.web.state import get_state

bp = Blueprint("urls", __name__)


@bp.record_once
def _install_proxy_fix(state: BlueprintSetupState) -> None:
    """Trust X-Forwarded-For/-Proto/-Host/-Port/-Prefix from ``trusted_proxies`` proxies."""
    app = cast(Flask, state.app)  # registered on a Flask app (the setup state types it as its sansio base)
    hops = int(app.config.get("PARADIP", {}).get("trusted_proxies", 0) or 0)
    if hops > 0:
        # Flask's documented way to add WSGI middleware; its stub declares wsgi_app a method.
        proxied = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
        app.wsgi_app = proxied  # type: ignore[method-assign]  # assigning the middleware is Flask's own recipe


def base() -> str:
    """The base of our IRIs (setting ``base_iri``), ending in ``/`` or ``#``."""
    value = str(get_state().settings["base_iri"])
    return value if value.endswith(("/", "#")) else value + "/"


def local(path: str) -> str:
    """A path on this site (behind a proxy prefix too)."""
    return request.script_root + path


def absolute(path: str) -> str:
    """An absolute URL on the serving host (the forwarded one behind a trusted proxy)."""
    return request.host_url.rstrip("/") + request.script_root + path


def alternates(path: str, formats: tuple[Format, ...]) -> list[tuple[str, Format]]:
    """The URL of each representation of the document at ``path``: ``path.ext`` per format."""
    return [(absolute(f"{path}.{f.extension}"), f) for f in formats]


@bp.app_template_global()
def link_for(iri: str) -> str | None:
    """Where a page links an IRI: ours stay on this host, http(s) ones go out, others are not links."""
    ours = base()
    if iri.startswith(ours):
        return local("/" + iri_to_uri(iri[len(ours):]))
    if re.match(r"https?://", iri, re.IGNORECASE):
        return iri
    return None


@bp.app_template_global()
def sparql_link(query: str) -> str:
    """The query page, running ``query``."""
    return local("/sparql?" + urlencode({"query": query}))
