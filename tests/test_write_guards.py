"""Issue 19, from outside: bulk removal of the data graph needs an explicit request, what a
write removed comes back with `paradip-kg restore`, and `build --discard-writes` discards.

A real server (gunicorn, on a copy of the bundled store) takes the writes; the command line
runs as users run it (a subprocess, or click's runner), on the same store.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from paradip_kg.store.head import open_head, read_head
from paradip_kg.writes.commit import sparql_update
from support.paths import ROOT
from support.servers import Server, start_server, stop_server
from support.stores import copy_store

TOKEN = "guard-token-0123456789abcdefghij"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update", **AUTH}
DATA = "https://w3id.org/paradip/graph/data"
INFERRED = "https://w3id.org/paradip/graph/inferred"
WRITES = "https://w3id.org/paradip/graph/writes"
ELSEWHERE = "https://example.org/graph/elsewhere"
NOTE = "<https://example.org/note/guard> <http://www.w3.org/2000/01/rdf-schema#comment> \"nota\"@es"


@pytest.fixture()
def store(bundled_store: Path, tmp_path: Path) -> Path:
    return copy_store(bundled_store, tmp_path / "copy")


@pytest.fixture()
def server(store: Path, tmp_path: Path) -> Iterator[Server]:
    running = start_server(tmp_path, [], {"PARADIP_STORE": str(store), "PARADIP_WRITE_TOKENS": f"guard={TOKEN}"},
                           workers=1)
    try:
        yield running
    finally:
        stop_server(running)


def call(server: Server, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def graph_lines(server: Server, graph: str) -> set[bytes]:
    """The graph as the server serves it (N-Triples lines, blank nodes as the store labels them)."""
    request = urllib.request.Request(server.url + "/graph-store?" + urlencode({"graph": graph}),
                                     headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return {line for line in response.read().splitlines() if line}


def store_quads(store: Path, graph: str) -> set[ox.Quad]:
    """The published state of one graph, read from the store on disk."""
    opened, _ = open_head(store)
    try:
        return set(opened.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    finally:
        del opened


@pytest.mark.server
def test_bulk_removal_refused_unless_confirmed_then_restored(server: Server, store: Path) -> None:
    data, inferred = graph_lines(server, DATA), store_quads(store, INFERRED)
    assert len(data) > 1000
    sequence = read_head(store).sequence
    refused = [
        ("POST", "/update", b"CLEAR DEFAULT", UPDATE),
        ("POST", "/update", f"MOVE DEFAULT TO <{ELSEWHERE}>".encode(), UPDATE),
        ("POST", "/update", b"DELETE WHERE { ?s ?p ?o }", UPDATE),
        ("POST", "/update", f"DROP GRAPH <{DATA}>".encode(), UPDATE),
        ("DELETE", "/graph-store?default", None, AUTH),
        ("PUT", "/graph-store?default", (NOTE + " .\n").encode(), {"Content-Type": "text/turtle", **AUTH}),
        ("POST", "/update?confirm-bulk-delete=no", b"CLEAR DEFAULT", UPDATE),
    ]
    for method, path, body, headers in refused:
        status, answer = call(server, method, path, body, headers)
        assert status == 409, (method, path, answer)
        assert answer["removed"] >= len(data) * 0.99 and answer["total"] == len(data), answer
        assert "confirm-bulk-delete=yes" in answer["message"]
    # Nothing was written: the same state, the same data, no new write.
    assert read_head(store).sequence == sequence and graph_lines(server, DATA) == data
    # The reader's language, like the other write errors.
    status, answer = call(server, "POST", "/update", b"CLEAR DEFAULT", {**UPDATE, "Accept-Language": "es"})
    assert status == 409 and "no se escribió nada" in answer["message"]
    status, answer = call(server, "POST", "/update", b"CLEAR DEFAULT", {**UPDATE, "Accept-Language": "en"})
    assert status == 409 and "nothing was written" in answer["message"]
    # A small removal needs no confirmation.
    status, answer = call(server, "POST", "/update", f"INSERT DATA {{ {NOTE} }}".encode(), UPDATE)
    assert status == 200, answer
    status, answer = call(server, "POST", "/update", f"DELETE DATA {{ {NOTE} }}".encode(), UPDATE)
    assert status == 200 and answer["removed"] == 1, answer
    # Said explicitly (the parameter, or the header), it is done.
    status, answer = call(server, "POST", "/update?confirm-bulk-delete=yes", b"CLEAR DEFAULT", UPDATE)
    assert status == 200 and answer["removed"] == len(data), answer
    assert graph_lines(server, DATA) == set()
    status, answer = call(server, "POST", "/update", b"INSERT DATA { " + NOTE.encode() + b" }",
                          {**UPDATE, "X-Confirm-Bulk-Delete": "yes"})
    assert status == 200
    # `paradip-kg restore --before N`: the state before the CLEAR, every quad back.
    listed = subprocess.run([sys.executable, "-m", "paradip_kg", "--store", str(store), "restore", "--list"],
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "SPARQL Update" in listed.stdout and f"-{len(data)}" in listed.stdout
    cleared = read_head(store).sequence - 1  # the CLEAR, then the INSERT
    restored = subprocess.run([sys.executable, "-m", "paradip_kg", "--store", str(store), "restore",
                               "--before", str(cleared)], capture_output=True, text=True, timeout=300)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert f"before write {cleared}" in restored.stdout
    assert graph_lines(server, DATA) == data  # the server serves the restored state at once
    assert store_quads(store, INFERRED) == inferred
    query = urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DATA}> {{ ?s ?p ?o }} }}"})
    with urllib.request.urlopen(f"{server.url}/sparql?{query}", timeout=60) as response:
        assert int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"]) == len(data)
    # The restore is a write of its own, in the writes log: it can be undone in turn.
    assert any(b"Restore to before write" in line for line in graph_lines(server, WRITES))
    again = subprocess.run([sys.executable, "-m", "paradip_kg", "--store", str(store), "restore"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert graph_lines(server, DATA) == {(NOTE + " .").encode()}


def test_restore_refuses_what_it_cannot_do(store: Path) -> None:
    from paradip_kg.cli import cli

    result = CliRunner().invoke(cli, ["--store", str(store), "restore"])
    assert result.exit_code == 2 and "no write to undo" in result.output
    sparql_update(store, f"INSERT DATA {{ {NOTE} }}", agent="t")
    result = CliRunner().invoke(cli, ["--store", str(store), "restore", "--before", "5"])
    assert result.exit_code == 2 and "numbered 1 to 1" in result.output
    assert read_head(store).sequence == 1


def test_build_discard_writes_discards_them_every_time(store: Path) -> None:
    """`build --discard-writes` on unchanged files used to say "up to date" and keep the writes."""
    from paradip_kg.build import content_hash
    from paradip_kg.cli import cli
    from paradip_kg.store.disk import Manifest, manifest_path

    # The files have not changed since this store was built; in a working tree where the code
    # (part of the content hash) is being edited, say so again before each run.
    def current() -> None:
        manifest = Manifest.read(manifest_path(store))
        assert manifest is not None
        manifest.content_hash = content_hash(ROOT)
        manifest.write(manifest_path(store))

    built = store_quads(store, DATA)

    def build(*flags: str) -> str:
        result = CliRunner().invoke(cli, ["--store", str(store), "--project-dir", str(ROOT), "build", *flags])
        assert result.exit_code == 0, result.output
        return result.output

    for run in range(2):
        current()
        sparql_update(store, f"INSERT DATA {{ {NOTE} }}", agent=f"run {run}")
        assert read_head(store).sequence == 1
        assert "1 accepted write(s) on top, kept" in build()  # without the flag: kept, and said so
        assert read_head(store).sequence == 1
        output = build("--discard-writes")
        assert "discarded 1 accepted write(s)" in output, output
        head = read_head(store)
        assert head.sequence == 0 and head.path == store
        assert store_quads(store, DATA) == built
    assert "up to date" in build("--discard-writes")
