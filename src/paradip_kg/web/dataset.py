"""The dataset as a whole: its description (VoID + DCAT), its dumps, and what crawlers read.

    /dataset[.ext]        VoID + DCAT (also at /.well-known/void, Turtle first: RFC 5785, VoID §7.2)
    /dumps/               the dump files, with SHA256SUMS, written on first request if missing
    /dumps/{name}         one dump file, with its checksum (``Repr-Digest``, RFC 9530)
    /sitemap.xml          every page (sitemaps.org 0.9; an index of numbered sitemaps past 50,000 URLs)
    /robots.txt

The counts of the description are read once per published state (:func:`void_stats`, kept
beside the store so that workers and restarts share them).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, send_file
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.urls import iri_to_uri

from paradip_kg import i18n
from paradip_kg.errors import NotDescribed
from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish import description, dumps, void
from paradip_kg.rdf.formats import Format
from paradip_kg.rdf.terms import to_oxigraph
from paradip_kg.web import conneg, http, urls
from paradip_kg.web.conneg import HTML
from paradip_kg.web.documents import BY_EXTENSION, PAGE_FORMATS, RDF_DOC_FORMATS, choose, serialize
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

bp = Blueprint("dataset", __name__)

VOID_FORMATS: tuple[Format, ...] = (*RDF_DOC_FORMATS, HTML)  # /.well-known/void is for machines first
SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org protocol)
DUMP_WAIT = 20.0  # seconds a request waits for dumps being written before it is answered 503
SCHEMA = "https://schema.org/"
# The pages a crawler may read; /sparql and /validate run work for whoever asks, so robots.txt
# keeps crawlers out of them, and the sitemap must not list them (a sitemap URL that robots.txt
# disallows is an error in every search console).
STATIC_PAGES = ("/", "/dataset", "/ontology", "/vocab", "/shapes", "/dumps/")


def _cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    return get_state().cached(("dataset", *key), make)


# --- The description: VoID and DCAT -------------------------------------------------------

def void_stats() -> void.VoidStats:
    """The counts of the dataset's description, for the published state."""
    state = get_state()
    stats: void.VoidStats = _cached(("void-stats",), lambda: void.load_or_collect(
        state.store(), state.store_dir, urls.base(), http.version().tag))
    return stats


def _void_quads(document_url: str, with_sums: bool) -> Callable[[], list[ox.Quad]]:
    def make() -> list[ox.Quad]:
        folder = dumps.default_dir(get_state().store_dir)
        sums = dumps.read_sums(folder) if with_sums else {}
        g = description.void_graph(void_stats(), urls.base(), urls.absolute("/"), http.version().modified,
                                   document_url, sums)
        quads = []
        for s, p, o in g:
            subject, predicate = to_oxigraph(s), to_oxigraph(p)
            assert not isinstance(subject, ox.Literal) and isinstance(predicate, ox.NamedNode)  # rdflib's triples
            quads.append(ox.Quad(subject, predicate, to_oxigraph(o)))
        return sorted(quads, key=lambda q: str(q.triple))
    return make


def _dataset_response(path: str, ext: str | None, formats: tuple[Format, ...]) -> Response:
    fmt = choose(formats, ext)
    alternates = urls.alternates("/dataset", PAGE_FORMATS)
    location = next(u for u, f in alternates if f is fmt)
    if fmt is HTML:
        lang = page_language()

        def html() -> tuple[str, str]:
            return render_template("dataset.html", lang=lang, mode="dataset", stats=void_stats(),
                                   files=dumps.dump_files(), dataset_iri=urls.base() + "dataset",
                                   alternates=alternates, targets=void.LINK_TARGETS,
                                   jsonld=_dataset_jsonld()), HTML.content_type
        return http.serve((path, "html", lang), html, location=location, alternates=alternates,
                          vary=("Accept", "Accept-Language"))
    state = get_state()
    # Once the dumps exist the description carries their checksums: another representation.
    with_sums = dumps.is_current(state.store_dir, dumps.default_dir(state.store_dir), http.version())

    def render() -> tuple[bytes, str]:
        quads = _cached(("void-quads", location, with_sums), _void_quads(location, with_sums))
        return serialize(quads, fmt), fmt.content_type
    return http.serve((path, fmt.name, with_sums), render, location=location, alternates=alternates)


def home_jsonld() -> dict[str, Any]:
    """schema.org Dataset markup (what dataset search engines read)."""
    return {"@context": {"@vocab": SCHEMA}, "@type": "Dataset", "@id": urls.base() + "dataset",
            "name": description.TITLE["en"], "alternateName": description.TITLE["es"],
            "description": description.DESCRIPTION["en"], "license": str(description.CC_BY),
            "inLanguage": list(i18n.LANGUAGES), "url": urls.absolute("/dataset"),
            "keywords": list(description.KEYWORDS["en"]), "dateModified": http.version().modified.isoformat(),
            "creator": {"@type": "Organization", "name": description.PUBLISHER["en"]},
            "distribution": [{"@type": "DataDownload", "encodingFormat": f.media_type,
                              "contentUrl": urls.absolute("/dumps/" + f.name)} for f in dumps.dump_files()]}


def _dataset_jsonld() -> dict[str, Any]:
    return {**home_jsonld(), "variableMeasured": f"{void_stats().triples} triples"}


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

@dataclass
class _Writers:
    """The threads writing this published state's dumps, and why writing failed (kept in the app state)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: dict[str, threading.Thread] = field(default_factory=dict)  # store folder → its writer
    errors: dict[str, str] = field(default_factory=dict)  # store folder → the error

    def write(self, store_dir: Path, folder: Path, version: dumps.StoreVersion) -> None:
        try:
            dumps.ensure_dumps(store_dir, folder, version)
        except OSError as exc:
            self.errors[str(store_dir)] = exc.strerror or str(exc)


def _unwritable(error: str) -> ServiceUnavailable:
    return ServiceUnavailable(f"The dumps cannot be written beside the store ({error}); "
                              "run `paradip-kg export` where the store is.")


def _dumps_dir() -> Path:
    """The folder of current dumps, written first if needed.

    Writing runs in a thread of its own: a small store's dumps are ready within
    ``DUMP_WAIT`` seconds and served at once; a large store's (about 30 s for a million
    quads) keep being written while the client is told 503 with ``Retry-After``, so no
    request outlives a worker timeout. ``paradip-kg export`` after a build avoids the wait.
    """
    state = get_state()
    folder = dumps.default_dir(state.store_dir)
    version = http.version()
    if dumps.is_current(state.store_dir, folder, version):
        return folder
    writers: _Writers = _cached(("dump-writers",), _Writers)
    key = str(state.store_dir)
    with writers.lock:
        if key in writers.errors:
            raise _unwritable(writers.errors[key])
        writer = writers.threads.get(key)
        if writer is None or not writer.is_alive():
            writer = threading.Thread(target=writers.write, args=(state.store_dir, folder, version),
                                      name="paradip-dumps", daemon=True)
            writers.threads[key] = writer
            writer.start()
    writer.join(DUMP_WAIT)
    if dumps.is_current(state.store_dir, folder, version):
        return folder
    if key in writers.errors:
        raise _unwritable(writers.errors[key])
    raise ServiceUnavailable("The dumps of this version of the graph are being written; try again shortly.",
                             retry_after=30)


@bp.get("/dumps/")
def dumps_index() -> Response:
    folder = _dumps_dir()
    sums = dumps.read_sums(folder)
    files = [{"name": f.name, "url": urls.absolute("/dumps/" + f.name), "media_type": f.media_type,
              "graph": f.graph, "encoding": f.encoding, "bytes": (folder / f.name).stat().st_size,
              "sha256": sums.get(f.name, "")} for f in dumps.dump_files()]
    fmt = choose((HTML, conneg.BY_NAME["json"]))
    if fmt is HTML:
        lang = page_language()
        return http.serve(("dumps", "html", lang), lambda: (render_template(
            "dataset.html", lang=lang, mode="dumps", files=files, sums_url=urls.absolute("/dumps/SHA256SUMS"),
            stats=void_stats(), alternates=[], jsonld=None), HTML.content_type), vary=("Accept", "Accept-Language"))
    body = json.dumps({"files": files, "checksums": urls.absolute("/dumps/SHA256SUMS")}, indent=2)
    return http.serve(("dumps", "json"), lambda: (body, "application/json"))


@bp.get("/dumps/<name>")
def dump_file(name: str) -> Response:
    known = {f.name: f for f in dumps.dump_files()}
    if name not in known and name != dumps.SUMS:
        raise NotDescribed(f"There is no dump file {name!r}; see /dumps/.")
    folder = _dumps_dir()
    path = folder / name
    if name == dumps.SUMS:
        mimetype, digest = "text/plain", dumps.sha256_file(path)
    else:
        item = known[name]
        mimetype = "application/gzip" if item.encoding == "gzip" else item.media_type
        digest = dumps.read_sums(folder).get(name) or dumps.sha256_file(path)
    # The file's own checksum is its entity tag: send_file answers the conditional request.
    response = send_file(path, mimetype=mimetype, etag=digest[:32], last_modified=http.version().modified,
                         conditional=True, download_name=name, max_age=None)
    response.headers["Cache-Control"] = http.cache_control()
    # RFC 9530: the checksum of the bytes, for clients that check it on the fly.
    response.headers["Repr-Digest"] = "sha-256=:" + base64.b64encode(bytes.fromhex(digest)).decode() + ":"
    return response


# --- Discovery: sitemap, robots -----------------------------------------------------------

def _page_urls() -> list[str]:
    """The page of every IRI of ours that is a subject in the store, sorted."""
    def make() -> list[str]:
        ours = urls.base()
        pages = []
        # Filtering and sorting in Python: the engine's STRSTARTS over every quad and its ORDER BY
        # took 19 s and 265 s on a 1M-quad store; this takes about 3 s.
        subjects = get_state().store().query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(subjects, ox.QuerySolutions)  # a SELECT query
        for row in subjects:
            subject = row["s"]
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(ours):
                continue
            rest = subject.value[len(ours):]
            if "#" in rest or not rest.startswith(("id/", "vocab/")):
                continue
            pages.append("/page/" + (iri_to_uri(rest[3:]) if rest.startswith("id/") else iri_to_uri(rest)))
        return sorted(pages)
    pages: list[str] = _cached(("sitemap",), make)
    return pages


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@bp.get("/sitemap.xml")
@bp.get("/sitemap-<int:number>.xml")
def sitemap(number: int | None = None) -> Response:
    """A sitemap (sitemaps.org 0.9); past 50,000 URLs, a sitemap index of numbered sitemaps."""
    pages = list(STATIC_PAGES) + [f"/graph/{k}" for k in GRAPHS] + _page_urls()
    chunks = [pages[i:i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)]
    lastmod = http.version().modified.date().isoformat()
    xml = "application/xml; charset=utf-8"

    def render() -> tuple[str, str]:
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        if number is None and len(chunks) > 1:
            items = "".join(f"  <sitemap><loc>{_xml(urls.absolute(f'/sitemap-{i}.xml'))}</loc>"
                            f"<lastmod>{lastmod}</lastmod></sitemap>\n" for i in range(1, len(chunks) + 1))
            return head + f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}' \
                          '</sitemapindex>\n', xml
        chunk = chunks[(number or 1) - 1]
        items = "".join(f"  <url><loc>{_xml(urls.absolute(u))}</loc><lastmod>{lastmod}</lastmod></url>\n"
                        for u in chunk)
        return head + f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</urlset>\n', xml

    if number is not None and not 1 <= number <= len(chunks):
        raise NotDescribed(f"There is no sitemap number {number}.")
    return http.serve(("sitemap", number), render, vary=())


@bp.get("/robots.txt")
def robots() -> Response:
    def render() -> tuple[str, str]:
        # Disallow lines first: parsers that take the first matching rule (Python's robotparser,
        # older crawlers) and those that take the longest (RFC 9309) then agree.
        return ("User-agent: *\n"
                "# Queries are for people and programs, not for crawlers: they are costly and endless.\n"
                f"Disallow: {urls.local('/sparql')}\n"
                f"Disallow: {urls.local('/validate')}\n"
                "Allow: /\n"
                f"Sitemap: {urls.absolute('/sitemap.xml')}\n"), "text/plain; charset=utf-8"
    return http.serve(("robots",), render, vary=())
