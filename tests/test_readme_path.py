"""The README's path, as a new user walks it: a fresh folder, `paradip-kg build`, `paradip-kg serve`.

The project's files are copied into a temporary folder; `paradip-kg build` and then
`paradip-kg serve` run there with every setting at its default (the store is the relative
``var/store``, the host 127.0.0.1; only the port is a free one, ``--port`` as the README says).
Then the test follows what a visitor and a harvester follow: every same-origin link of the home
page in Spanish and in English and of the pages those links reach, every URL of
``/sitemap.xml``, and every dump VoID names. None may answer 404 or 5xx. The crawl is bounded
(:data:`MAX_URLS`), and only 127.0.0.1 is ever asked.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import VOID

from support.paths import ROOT
from support.servers import Server, start_server, stop_server

PROJECT_FOLDERS = ("ontology", "vocab", "data", "shapes")
MAX_URLS = 3000  # the bundled graph's site has about 1,500; a runaway crawl stops here
pytestmark = pytest.mark.server


class Links(HTMLParser):
    """The ``href`` and ``src`` values of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def links_of(html: str, base: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return [urllib.parse.urljoin(base, link).split("#")[0] for link in parser.found]


def user_env() -> dict[str, str]:
    """This process's environment without any ``PARADIP_…`` variable: every setting at its default."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PARADIP_")}


def fetch(url: str, accept: str = "*/*", language: str = "es") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept, "Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The README's two commands in a fresh copy of the project's files."""
    folder = tmp_path_factory.mktemp("fresh")
    for name in PROJECT_FOLDERS:
        shutil.copytree(ROOT / name, folder / name)
    built = subprocess.run([sys.executable, "-m", "paradip_kg", "build"], cwd=folder, env=user_env(),
                           capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr
    assert (folder / "var" / "store").is_dir(), "`paradip-kg build` made no var/store"
    server = start_server(folder, workers=1, cwd=folder, defaults=True)
    try:
        yield server
    finally:
        stop_server(server)


def same_origin(url: str, server: Server) -> bool:
    return url.startswith(server.url + "/")


def test_every_link_of_the_home_page_and_the_sitemap_answers(served: Server) -> None:
    status, _, sitemap = fetch(served.url + "/sitemap.xml")
    assert status == 200
    listed = [part.split("</loc>")[0] for part in sitemap.decode().split("<loc>")[1:]]
    assert listed, "the sitemap lists nothing"
    # The sitemap's URLs name the host the request came to: all of them must be ours.
    assert all(same_origin(url, served) for url in listed), [u for u in listed if not same_origin(u, served)][:5]

    to_visit: list[tuple[str, str, str]] = []  # (url, language, where it was found)
    for language in ("es", "en"):
        status, _, home = fetch(served.url + "/", "text/html", language)
        assert status == 200
        page_links = [u for u in links_of(home.decode(), served.url + "/") if same_origin(u, served)]
        assert len(page_links) > 10, f"the {language} home page links almost nothing"
        to_visit += [(url, language, f"/ ({language})") for url in page_links]
    to_visit += [(url, "es", "/sitemap.xml") for url in listed]

    seen: set[str] = set()
    broken: list[str] = []
    while to_visit:
        url, language, found_on = to_visit.pop(0)
        if url in seen:
            continue
        seen.add(url)
        assert len(seen) <= MAX_URLS, f"more than {MAX_URLS} URLs: the crawl is not bounded by the site"
        status, kind, body = fetch(url, "text/html,*/*;q=0.8", language)
        if status == 404 or status >= 500:
            broken.append(f"{status} {url} (linked from {found_on})")
            continue
        # One step further from the pages the home page links (the ontology, the SPARQL page with
        # its examples, the downloads): their own links, once.
        if found_on.startswith("/ (") and kind.startswith("text/html"):
            to_visit += [(link, language, url) for link in links_of(body.decode(), url)
                         if same_origin(link, served) and link not in seen]
    assert not broken, f"{len(broken)} of {len(seen)} links are broken:\n" + "\n".join(broken[:30])
    assert len(seen) > len(listed), len(seen)


def test_every_dump_voids_names_answers_parses_and_matches_its_checksum(served: Server) -> None:
    status, _, void = fetch(served.url + "/.well-known/void", "text/turtle")
    assert status == 200
    graph = Graph().parse(data=void.decode(), format="turtle")
    dumps = sorted({str(o) for o in graph.objects(None, VOID.dataDump)})
    assert dumps, "VoID names no dump"
    local = [u.replace(u.split("/dumps/")[0], served.url, 1) if "/dumps/" in u else u for u in dumps]
    status, _, sums = fetch(served.url + "/dumps/SHA256SUMS", "text/plain")
    assert status == 200
    stated = {name.strip(): digest for digest, name in (line.split(maxsplit=1) for line in sums.decode().splitlines())}
    for url in local:
        assert same_origin(url, served), url
        status, _, body = fetch(url)
        assert status == 200, (url, status, body[:300])
        name = url.rsplit("/", 1)[1]
        assert hashlib.sha256(body).hexdigest() == stated[name], url
        if name.endswith(".nq.gz"):
            Dataset().parse(data=gzip.decompress(body).decode(), format="nquads")
        elif name.endswith(".ttl"):
            Graph().parse(data=body.decode(), format="turtle")
        elif name.endswith(".jsonld"):
            Graph().parse(data=body.decode(), format="json-ld")
