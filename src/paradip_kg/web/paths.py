"""IRIs from request paths: which IRI a ``/id/…``, ``/vocab/…``, ``/page/…`` or ``/data/…`` path names.

A path reaches Flask decoded; the IRI it names may have been written encoded or not
(``a%2Fb`` and ``a/b``, ``é`` and ``%C3%A9``). :class:`RequestPath` keeps both forms and
:meth:`RequestPath.resolve` tries each candidate IRI against the store; a trailing ``.ttl``
(or another document extension) is split off only when the IRI without it is the one described.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

import pyoxigraph as ox
from flask import request
from werkzeug.urls import iri_to_uri

from paradip_kg.publish.describe import exists
from paradip_kg.rdf.formats import Format
from paradip_kg.web import urls
from paradip_kg.web.conneg import HTML
from paradip_kg.web.documents import BY_EXTENSION, PAGE_FORMATS, RDF_DOC_FORMATS
from paradip_kg.web.state import get_state

MAX_RAW_PATH = 4096  # longer request paths are matched in their decoded form only
_SUB_DELIMS = "/:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class RequestPath:
    """The variable part of a request path, decoded (as Flask routes it) and as the client sent it.

    ``a%2Fb`` and ``a/b`` differ only in the raw request line (pubby#5, LodView#6), so both
    are kept; ``raw`` is None when the server does not pass the raw line on.
    """

    decoded: str
    raw: str | None

    @classmethod
    def of(cls, rest: str) -> RequestPath:
        """``rest`` as routed, with the form the client sent found in the raw request line."""
        line = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
        line = line.split("?", 1)[0]
        if "://" in line:  # an absolute-form request target
            line = "/" + line.split("://", 1)[1].partition("/")[2]
        if len(line) <= MAX_RAW_PATH:  # each slash is a possible start: bounded work per request
            for i in (j + 1 for j, c in enumerate(line) if c == "/"):
                if unquote(line[i:]) == rest:
                    return cls(rest, line[i:])
        return cls(rest, None)

    def split_extension(self, formats: tuple[Format, ...]) -> tuple[RequestPath, str | None]:
        """(the path without its extension, the extension) when it ends in the extension of one of
        ``formats``; else (self, None)."""
        stem, dot, ext = self.decoded.rpartition(".")
        if dot and ext in BY_EXTENSION and BY_EXTENSION[ext] in formats and stem and not stem.endswith("/"):
            raw = self.raw[:-len(ext) - 1] if self.raw and self.raw.endswith("." + ext) else None
            return RequestPath(stem, raw), ext
        return self, None

    def under(self, prefix: str) -> RequestPath | None:
        """The part after ``prefix`` (``vocab/``), or None if the path does not start with it."""
        if not self.decoded.startswith(prefix):
            return None
        raw = self.raw[len(prefix):] if self.raw and self.raw.startswith(prefix) else None
        return RequestPath(self.decoded[len(prefix):], raw)

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
        store = get_state().store()
        for iri in self.candidates(prefix):
            if exists(store, ox.NamedNode(iri)):
                return iri
        return None


def split_extension(path: str, formats: tuple[Format, ...] = PAGE_FORMATS) -> tuple[str, str | None]:
    """(``path`` without a document extension, the extension or None): ``ontology.ttl`` → (``ontology``, ``ttl``)."""
    rest, ext = RequestPath(path, None).split_extension(formats)
    return rest.decoded, ext


def page_rest(iri: str) -> str:
    """``{rest}`` of ``/page/{rest}`` and ``/data/{rest}`` for one of our IRIs, encoded for a URL:
    things drop ``id/`` (``<base>id/x`` → ``x``); vocabulary IRIs keep ``vocab/``."""
    path = iri_to_uri(iri[len(urls.base()):])
    return path[len("id/"):] if path.startswith("id/") else path


def iri_prefix(rest: RequestPath) -> tuple[str, RequestPath]:
    """(IRI prefix, remainder) for a /page/ or /data/ path: ``vocab/…`` or a thing's ``id/…``."""
    vocab = rest.under("vocab/")
    return (urls.base() + "vocab/", vocab) if vocab is not None else (urls.base() + "id/", rest)


def document_urls(iri: str) -> list[tuple[str, Format]]:
    """The page of ``iri`` (HTML first) and its RDF document in each format."""
    rest = page_rest(iri)
    return [(urls.absolute(f"/page/{rest}"), HTML)] + [(urls.absolute(f"/data/{rest}.{f.extension}"), f)
                                                       for f in RDF_DOC_FORMATS]
