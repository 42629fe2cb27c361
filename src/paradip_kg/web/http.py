"""Validators and conditional GET: one recipe for every response made from the published state.

Whatever a page, document, query result or fragment says depends only on the published state
(the build, or the last accepted write) and on the request (host, path, format, language, …).
So its entity tag is the state's version with the variant that made the representation, and
its ``Last-Modified`` is the time of that state:

    version()                  the published state's :class:`~paradip_kg.publish.dumps.StoreVersion`,
                               read once per request
    validator(*variant)        the :class:`Validator` of one representation (host and script root included)
    Validator.current()        whether the client's copy is current: ``If-None-Match`` (weak comparison),
                               else ``If-Modified-Since`` (RFC 9110 §13.1, §13.2.2); GET and HEAD only
    headers(response, v, …)    ETag, Last-Modified, Cache-Control (setting ``cache_control``), Vary,
                               Content-Location and Link on a response, a 304 as much as a 200
    serve(variant, render, …)  the usual case: 304 when the client's copy is current, else ``render()``
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Response, g, request

from paradip_kg.publish.dumps import StoreVersion
from paradip_kg.rdf.formats import Format
from paradip_kg.web.state import get_state

Render = Callable[[], tuple[bytes | str, str]]  # → (body, Content-Type)


def version() -> StoreVersion:
    """The published state's version, read once per request (it names ETags, Last-Modified and caches)."""
    if "paradip_store_version" not in g:
        head = get_state().head()
        g.paradip_store_version = StoreVersion(head.tag, head.modified)
    version: StoreVersion = g.paradip_store_version
    return version


@dataclass(frozen=True)
class Validator:
    """The entity tag and modification time of one representation."""

    etag: str
    modified: datetime

    def current(self) -> bool:
        """Whether the client already holds this representation (then the answer is 304)."""
        if request.method not in ("GET", "HEAD"):
            return False
        if request.if_none_match:  # RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since
            return request.if_none_match.contains_weak(self.etag)
        since = request.if_modified_since
        return since is not None and self.modified <= since


def validator(*variant: object) -> Validator:
    """The validator of the representation named by ``variant`` (its path, format, language, …)
    on this host, for the published state."""
    state = version()
    return Validator(state.etag(request.host_url, request.script_root, *map(str, variant)), state.modified)


def cache_control() -> str:
    """The Cache-Control of responses made from the published state (setting ``cache_control``)."""
    return str(get_state().settings["cache_control"])


def alternate_links(alternates: Iterable[tuple[str, Format]]) -> list[str]:
    """``Link`` values naming the other representations of a resource (``rel="alternate"``)."""
    return [f'<{url}>; rel="alternate"; type="{fmt.media_type}"' for url, fmt in alternates]


def headers(response: Response, v: Validator, *, vary: Iterable[str] = ("Accept",), location: str | None = None,
            alternates: Iterable[tuple[str, Format]] = (), links: Iterable[str] = ()) -> Response:
    """Put the representation's headers on ``response`` (a 304 carries the same ones, RFC 9110 §15.4.5)."""
    response.set_etag(v.etag)
    response.last_modified = v.modified
    response.headers["Cache-Control"] = cache_control()
    for header in vary:
        response.vary.add(header)
    if location:
        response.headers["Content-Location"] = location
    values = [*alternate_links(alternates), *links]
    if values:
        response.headers["Link"] = ", ".join(values)
    return response


def revalidate_if(stale: bool, response: Response) -> Response:
    """``response``, told to every cache to ask again before reusing it (``no-cache``) when it was drawn
    from the state before the published one (``web/overview.py``): its entity tag changes once the
    published state's counts are kept."""
    if stale:
        response.headers["Cache-Control"] = "no-cache"
    return response


def serve(variant: tuple[object, ...], render: Render, *, location: str | None = None,
          alternates: Iterable[tuple[str, Format]] = (), vary: Iterable[str] = ("Accept",)) -> Response:
    """Answer with a representation: 304 if the client's copy is current, else ``render()``."""
    v = validator(*variant)
    alternates = list(alternates)
    if v.current():
        return headers(Response(status=304), v, vary=vary, location=location, alternates=alternates)
    body, content_type = render()
    return headers(Response(body, content_type=content_type), v, vary=vary, location=location,
                   alternates=alternates)
