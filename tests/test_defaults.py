"""The product as a user runs it: the README's layout, every setting at its default.

Other tests give the app absolute store paths and call its internals. A user runs
``make serve`` in a checkout: the store is the relative ``var/store``, the project folder is
``.``, no ``PARADIP_…`` variable is set, and they follow links. Every dump answered 500 under
those defaults (Flask's ``send_file`` resolved the relative path against the package folder)
and no test saw it. These tests lay out a checkout in a temporary folder (the repository's
ontology/, vocab/, data/ and shapes/, and the session's built store as ``var/store``) and run
the app there with nothing overridden.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
from gunicorn.config import Config

from paradip_kg.web.app import create_app
from support.apps import close_app
from support.paths import ROOT
from support.servers import start_server, stop_server
from support.stores import copy_store

PROJECT_FOLDERS = ("ontology", "vocab", "data", "shapes")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory, bundled_store: Path) -> Path:
    """A folder laid out like a checkout after ``make build``: project folders and var/store."""
    folder = tmp_path_factory.mktemp("checkout")
    for name in PROJECT_FOLDERS:
        shutil.copytree(ROOT / name, folder / name)
    copy_store(bundled_store, folder / "var")
    assert (folder / "var" / "store").is_dir()
    return folder


@pytest.fixture
def default_client(checkout: Path, monkeypatch: pytest.MonkeyPatch):
    """The app as `paradip-kg serve` makes it in the checkout: no setting given at all."""
    for name in list(os.environ):
        if name.startswith("PARADIP_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(checkout)
    app = create_app({"TESTING": True})
    try:
        yield app.test_client()
    finally:
        close_app(app)


def test_every_dump_answers_under_the_default_relative_store(default_client) -> None:
    index = default_client.get("/dumps/", headers={"Accept": "application/json"})
    assert index.status_code == 200, index.get_data(as_text=True)
    listing = json.loads(index.get_data())
    with default_client.get("/dumps/SHA256SUMS") as sums:
        assert sums.status_code == 200
        stated = {name.strip(): digest for digest, name in
                  (line.split(maxsplit=1) for line in sums.get_data(as_text=True).splitlines())}
    assert listing["files"]
    for item in listing["files"]:
        path = "/dumps/" + item["name"]
        with default_client.get(path) as response:
            assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
            digest = hashlib.sha256(response.get_data()).hexdigest()
        assert digest == stated[item["name"]] == item["sha256"], path


def test_links_of_the_dataset_description_answer(default_client) -> None:
    """VoID and DCAT link the dumps and the endpoint: a harvester follows them."""
    description = default_client.get("/dataset", headers={"Accept": "application/n-triples"})
    assert description.status_code == 200
    local = sorted({line.split()[2].strip("<>") for line in description.get_data(as_text=True).splitlines()
                    if "/dumps/" in line and line.split()[2].startswith("<")})
    assert local, "the description links no dump"
    for url in local:
        path = "/" + url.split("/", 3)[3]
        with default_client.get(path) as response:
            assert response.status_code == 200, url


def test_the_sitemap_lists_only_what_robots_txt_allows(default_client) -> None:
    robots = RobotFileParser()
    robots.parse(default_client.get("/robots.txt").get_data(as_text=True).splitlines())
    sitemap = default_client.get("/sitemap.xml").get_data(as_text=True)
    urls = [part.split("</loc>")[0] for part in sitemap.split("<loc>")[1:]]
    assert urls
    refused = [u for u in urls if not robots.can_fetch("*", u)]
    assert not refused, f"the sitemap lists URLs robots.txt disallows: {refused[:5]}"
    assert not robots.can_fetch("*", "http://localhost/sparql?query=ASK%7B%7D")  # crawlers run no queries


@pytest.mark.server
def test_the_served_dumps_answer_under_the_defaults(checkout: Path, tmp_path: Path) -> None:
    """`paradip-kg serve` in the checkout with no setting: the dump links of /dumps/ answer 200.

    And the server makes no gunicorn control socket: at its default place in the user's home
    folder, two servers would share one and stopping either would remove it for the other."""
    control = Path(Config().control_socket)
    existed = control.exists()
    server = start_server(tmp_path, workers=1, cwd=checkout, defaults=True)
    try:
        assert existed or not control.exists(), f"the server made a control socket at {control}"
        with urllib.request.urlopen(urllib.request.Request(
                server.url + "/dumps/", headers={"Accept": "application/json"}), timeout=60) as response:
            listing = json.loads(response.read())
        for item in listing["files"]:
            local = server.url + "/dumps/" + item["name"]
            with urllib.request.urlopen(local, timeout=60) as response:
                assert response.status == 200
                assert hashlib.sha256(response.read()).hexdigest() == item["sha256"]
    finally:
        stop_server(server)


@pytest.mark.server
def test_a_taken_port_is_said_in_one_line(tmp_path: Path, checkout: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "paradip_kg.serving", "--port", str(port)], cwd=checkout,
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"error: 127.0.0.1:{port} is already in use by another program; choose another port "
                     "with --port N (or PARADIP_PORT=N)"], result.stderr


def test_a_store_this_checkout_did_not_build_is_never_rebuilt(checkout: Path, sample_store: Path,
                                                               tmp_path: Path) -> None:
    """`paradip-kg query` (like `serve`, `stats`, `export`) on a store built from other files uses
    it as it is and says so; only `paradip-kg build` replaces it (it once replaced a 1M-quad store
    with the bundled graph)."""
    other = copy_store(sample_store, tmp_path / "other")
    before = sorted(p.name for p in other.iterdir())
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    result = subprocess.run([sys.executable, "-m", "paradip_kg", "--store", str(other), "query", "-o", "csv", count],
                            cwd=checkout, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    served = int(result.stdout.splitlines()[1])
    manifest = json.loads((other.parent / "store.manifest.json").read_text())
    assert served == sum(manifest["triples"].values())  # the sample store's quads, not the bundled graph's
    assert manifest["content_hash"] == "sample"
    assert sorted(p.name for p in other.iterdir()) == before


@pytest.mark.server
def test_serving_two_files_keeps_each_files_blank_nodes(tmp_path: Path) -> None:
    """`paradip-kg serve a.ttl b.ttl`: `_:x` in each file is a node of its own (an RDF merge)."""
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text('_:x <http://example.org/p> "from a" .\n', encoding="utf-8")
    b.write_text('_:x <http://example.org/p> "from b" .\n', encoding="utf-8")
    server = start_server(tmp_path, files=[a, b], workers=1)
    try:
        query = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <http://example.org/p> ?o }"
        request = urllib.request.Request(server.endpoint + "?" + urllib.parse.urlencode({"query": query}),
                                         headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.read().decode().splitlines()[1] == "2"
    finally:
        stop_server(server)


WICHITA_TABLE = ("source_row,reporting_country,reporting_name,reporting_admin_area,kind,partner_name,partner_country,"
                 "partner_admin_area,start_date,source\n"
                 "1,US,Wichita,Kansas,hermanamiento,Orléans,FR,,1985,essay\n"
                 "2,US,Wichita,Kansas,hermanamiento,Pharr,US,Texas,2001,essay\n")


def _get(url: str, accept: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.mark.server
def test_serving_a_users_file_gives_its_pages_home_search_and_inference(checkout: Path, tmp_path: Path) -> None:
    """`paradip-kg import` of another municipality's table, then `paradip-kg serve out.ttl`, in the
    checkout with the defaults: the file's pages and documents answer (they were 404), the home page
    counts its agreements (it said 0), search finds its places, and its entailments are there."""
    table, out = tmp_path / "wichita.csv", tmp_path / "out.ttl"
    table.write_text(WICHITA_TABLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARADIP_")}
    result = subprocess.run([sys.executable, "-m", "paradip_kg", "import", str(table), "-o", str(out)], cwd=checkout,
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    server = start_server(tmp_path, files=[out], workers=1, cwd=checkout, defaults=True, timeout=300)
    try:
        agreement = "agreement/us-wichita--fr-orleans"
        status, page = _get(f"{server.url}/page/{agreement}", "text/html")
        assert status == 200 and "Orléans" in page, page[:300]
        status, document = _get(f"{server.url}/data/{agreement}.ttl", "text/turtle")
        assert status == 200 and "us-wichita" in document
        status, home = _get(server.url + "/?lang=en", "text/html")
        assert status == 200 and "<strong>2</strong>agreements" in home
        status, found = _get(server.url + "/search?q=wichita", "application/json")
        assert status == 200 and any(hit["iri"].endswith("government/us-wichita") for hit in json.loads(found)["hits"])
        ask = urllib.parse.urlencode({"query": "ASK { GRAPH <https://w3id.org/paradip/graph/inferred> "
                                               f"{{ <https://w3id.org/paradip/id/{agreement}> ?p ?o }} }}"})
        status, answer = _get(f"{server.url}/sparql?{ask}", "application/sparql-results+json")
        assert status == 200 and json.loads(answer)["boolean"] is True  # inference ran over the file
    finally:
        stop_server(server)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert "as the data graph" in log and "it conforms to the shapes" in log, log[-2000:]


# --- a rebuild while the server runs ----------------------------------------------------------------

NEW_THING = "https://w3id.org/paradip/id/test/rebuilt-thing"
NEW_THING_TTL = (f'<{NEW_THING}> <http://www.w3.org/2000/01/rdf-schema#label> "Cosa reconstruida"@es, '
                 '"Rebuilt thing"@en .\n')


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _sparql_sees(server_url: str) -> bool:
    query = urllib.parse.urlencode({"query": f"ASK {{ <{NEW_THING}> ?p ?o }}"})
    request = urllib.request.Request(f"{server_url}/sparql?{query}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return bool(json.loads(response.read())["boolean"])


@pytest.fixture
def own_checkout(tmp_path: Path) -> Path:
    """A checkout of its own, built with `paradip-kg build` (the test rebuilds it)."""
    folder = tmp_path / "checkout"
    for name in PROJECT_FOLDERS:
        shutil.copytree(ROOT / name, folder / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARADIP_")}
    built = subprocess.run([sys.executable, "-m", "paradip_kg", "build"], cwd=folder, env=env,
                           capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr
    return folder


def _rebuild_with_a_new_thing(folder: Path) -> None:
    (folder / "data" / "zz-rebuilt.ttl").write_text(NEW_THING_TTL, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARADIP_")}
    built = subprocess.run([sys.executable, "-m", "paradip_kg", "build"], cwd=folder, env=env,
                           capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stderr


@pytest.mark.server
def test_sigterm_after_a_rebuild_is_a_clean_exit_0(own_checkout: Path, tmp_path: Path) -> None:
    """SIGTERM after a `paradip-kg build` under a running server once took 10 s and a worker died
    with SIGSEGV: the stop must be clean, prompt and exit 0."""
    server = start_server(tmp_path, workers=2, cwd=own_checkout, defaults=True, own_group=True)
    try:
        assert _status(server.url + "/") == 200 and not _sparql_sees(server.url)
        _rebuild_with_a_new_thing(own_checkout)
        for _ in range(3):  # the workers meet the rebuilt store
            _status(server.url + "/page/test/rebuilt-thing")
            _sparql_sees(server.url)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        left = stop_server(server)
    log = server.log_tail(20000)
    assert code == 0, log
    assert "SIGSEGV" not in log and "signal 11" not in log, log
    assert took < 10, f"the stop took {took:.1f} s"
    assert not left


@pytest.mark.server
def test_after_a_rebuild_the_page_and_sparql_agree_at_every_moment(own_checkout: Path, tmp_path: Path) -> None:
    """`paradip-kg build` under a running server: the pages once read the new folder's files by the
    old one's names (RocksDB 'Sst file size mismatch', 500) while /sparql kept the old build. A build
    is a new folder published by one rename of the store's link: old or new, the same everywhere."""
    server = start_server(tmp_path, workers=1, cwd=own_checkout, defaults=True, own_group=True)
    try:
        assert _status(server.url + "/page/test/rebuilt-thing") == 404 and not _sparql_sees(server.url)
        _rebuild_with_a_new_thing(own_checkout)
        seen = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            page = _status(server.url + "/page/test/rebuilt-thing")
            seen.append((page, _sparql_sees(server.url)))
            time.sleep(0.5)
    finally:
        stop_server(server)
    assert all(page < 500 for page, _ in seen), seen[:5]  # old or new, never broken
    assert all((page == 200) == sees for page, sees in seen), seen[:5]  # and the same one everywhere
    assert seen[-1] == (200, True), seen  # the new build, in the end


@pytest.mark.server
def test_sigterm_of_serve_files_is_a_clean_exit_0(tmp_path: Path) -> None:
    """`paradip-kg serve FILE` then SIGTERM: every worker died with SIGSEGV in Python's finalization
    (gunicorn logged "was sent SIGSEGV!"), though the master said exit 0."""
    data = tmp_path / "mine.nt"
    data.write_text('<http://example.org/a> <http://example.org/p> "x" .\n', encoding="utf-8")
    server = start_server(tmp_path, files=[data], workers=2, own_group=True)
    try:
        with urllib.request.urlopen(server.endpoint + "?query=ASK%7B%7D", timeout=60) as response:
            assert response.status == 200
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=30)
    finally:
        left = stop_server(server)
    log = server.log_tail(20000)
    assert code == 0 and "SIGSEGV" not in log and "Worker exiting" in log, log
    assert not left


@pytest.mark.parametrize("command", [["build"], ["serve", "--port", "0"]])
def test_outside_a_project_build_and_serve_say_so_and_publish_nothing(tmp_path: Path, command: list[str]) -> None:
    """`paradip-kg build` (or `serve`, which builds first) run in a folder that is not a project
    once built and published an empty graph, exit 0. It must refuse, name the folder, and write no store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARADIP_")}
    result = subprocess.run([sys.executable, "-m", "paradip_kg", *command], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert "is not a paradip-kg project" in result.stderr and "--project-dir" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no var/, no store
