"""Issue 19, from outside: one nesting limit for every RDF format, dumps that deep or symmetric
writes cannot break, the /validate time limit over the whole request, 413 for a chunked body.

Every test here talks to a real server (gunicorn, on a copy of the bundled store) or runs the
real command line; the deep inputs are the ones the audit sent (Turtle collections and
blank-node property lists, TriG, N-Triples triple terms), past the limit and just under it.
"""

from __future__ import annotations

import gzip
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from paradip_kg.rdf.parse import MAX_NESTING
from support.paths import ROOT
from support.servers import Server, start_server, stop_server
from support.stores import copy_store

pytestmark = pytest.mark.server

TOKEN = "deep-token-0123456789abcdefghij"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "https://example.org/deep/"
NOTES = "https://example.org/graph/deep-notes"
MAX_BYTES = 8 * 1024 * 1024
TIMEOUT = 3.0  # validation_timeout of the server


def collection(depth: int) -> bytes:
    """A Turtle triple whose object is a collection nested ``depth`` deep: ((((1))))."""
    return f"<{EX}s> <{EX}p> ".encode() + b"(" * depth + b" 1 " + b")" * depth + b" .\n"


def property_lists(depth: int) -> bytes:
    """A Turtle triple whose object is a blank-node property list nested ``depth`` deep."""
    return f"<{EX}s> <{EX}p> ".encode() + f"[ <{EX}p> ".encode() * depth + b"1" + b" ]" * depth + b" .\n"


def trig(depth: int) -> bytes:
    return f"<{EX}g> {{ ".encode() + collection(depth) + b"}\n"


def triple_terms(depth: int) -> bytes:
    """N-Triples 1.2: a triple term nested ``depth`` deep (each level is two brackets, ``<<(``)."""
    inner = f"<{EX}s> <{EX}p> <{EX}o>"
    for _ in range(depth):
        inner = f"<{EX}s> <{EX}p> <<( {inner} )>>"
    return (inner + " .\n").encode()


DEEP = [
    pytest.param(collection(100_000), "text/turtle", id="turtle-collection-1e5"),
    pytest.param(property_lists(MAX_NESTING + 1), "text/turtle", id="turtle-bnode-lists-257"),
    pytest.param(collection(3_000), "text/turtle", id="turtle-collection-3000"),
    pytest.param(triple_terms(MAX_NESTING), "application/n-triples", id="ntriples-triple-terms"),
]


@pytest.fixture(scope="module")
def server(bundled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("deep")
    store = copy_store(bundled_store, tmp)
    running = start_server(tmp, [], {"PARADIP_STORE": str(store), "PARADIP_WRITE_TOKENS": f"deep={TOKEN}",
                                     "PARADIP_MAX_REQUEST_BYTES": str(MAX_BYTES),
                                     "PARADIP_VALIDATION_TIMEOUT": str(TIMEOUT)}, workers=1)
    try:
        yield running
    finally:
        stop_server(running)


def call(server: Server, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(server.url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def dump_quads(server: Server, bound: float = 60) -> list[bytes]:
    """The N-Quads dump, waited for (the server writes it in the background, 503 meanwhile)."""
    deadline = time.monotonic() + bound
    while True:
        status, body = call(server, "GET", "/dumps/paradip-kg.nq.gz")
        if status == 200:
            return gzip.decompress(body).splitlines()
        assert status == 503 and time.monotonic() < deadline, (status, body[:300], server.log_tail())
        time.sleep(0.5)


def names_the_limit(body: bytes) -> None:
    text = json.loads(body)["message"]
    assert "nesting limit" in text and str(MAX_NESTING) in text and "line 1" in text, text


@pytest.mark.parametrize(("data", "media_type"), DEEP)
def test_deep_rdf_refused_by_validate_and_graph_store(server: Server, data: bytes, media_type: str) -> None:
    started = time.monotonic()
    status, body = call(server, "POST", "/validate", data, {"Content-Type": media_type, "Accept": "application/json"})
    assert status == 400, body[:500]
    names_the_limit(body)
    status, body = call(server, "PUT", "/graph-store?" + urlencode({"graph": NOTES}), data,
                        {"Content-Type": media_type, **AUTH})
    assert status == 400, body[:500]
    names_the_limit(body)
    assert time.monotonic() - started < 10  # refused before any work, not after a minute under the write lock


def test_deep_trig_refused_by_validate(server: Server) -> None:
    status, body = call(server, "POST", "/validate", trig(MAX_NESTING + 1),
                        {"Content-Type": "application/trig", "Accept": "application/json"})
    assert status == 400
    names_the_limit(body)


def test_deep_update_refused(server: Server) -> None:
    """/update takes SPARQL, nested no deeper than the query limit (64), which is below the RDF one."""
    text = f"INSERT DATA {{ GRAPH <{NOTES}> {{ ".encode() + collection(MAX_NESTING + 1) + b" } }"
    status, body = call(server, "POST", "/update", text, {"Content-Type": "application/sparql-update", **AUTH})
    assert status == 400, body[:300]
    assert "levels are accepted" in json.loads(body)["message"]


def test_dumps_answer_after_a_refused_deep_write_and_after_writes_at_the_limit(server: Server) -> None:
    before = dump_quads(server)
    status, _ = call(server, "PUT", "/graph-store?" + urlencode({"graph": NOTES}), collection(100_000),
                     {"Content-Type": "text/turtle", **AUTH})
    assert status == 400
    assert dump_quads(server) == before  # the refused write changed nothing, and the dumps still answer
    # Just under the limit: nested collections and property lists; a long flat list (a chain of
    # 3,000 blank nodes, which RDFC-1.0 alone took minutes over, and crashed past ~10^5); and a
    # clique of blank nodes (RDFC-1.0 is factorial in such ties).
    flat = f"<{EX}flat> <{EX}p> (".encode() + b" 1" * 3_000 + b" ) .\n"
    clique = "".join(f"_:k{i} <{EX}knows> _:k{j} .\n" for i in range(10) for j in range(10) if i != j).encode()
    body = collection(MAX_NESTING - 1) + property_lists(MAX_NESTING - 1) + flat + clique
    status, answer = call(server, "PUT", "/graph-store?" + urlencode({"graph": NOTES}), body,
                          {"Content-Type": "text/turtle", **AUTH})
    assert status in (200, 201), answer[:500]
    started = time.monotonic()
    lines = dump_quads(server)
    assert time.monotonic() - started < 60
    ours = [line for line in lines if line.endswith(f"<{NOTES}> .".encode())]
    expected = 2 * (MAX_NESTING - 1) + 1 + (MAX_NESTING - 1) + 1 + 2 * 3_000 + 1 + 90
    assert len(ours) == expected
    # Canonical: the same quads dumped again give the same bytes, and they parse back.
    assert dump_quads(server) == lines
    assert len(list(ox.parse(b"\n".join(ours) + b"\n", format=ox.RdfFormat.N_QUADS))) == expected
    status, _ = call(server, "GET", "/dumps/")
    assert status == 200
    status, _ = call(server, "DELETE", "/graph-store?" + urlencode({"graph": NOTES}), headers=AUTH)
    assert status == 200


def test_validate_times_out_while_parsing(server: Server) -> None:
    """The time limit covers the request from parsing on: a body that takes far longer than the
    limit to load is answered 503 at about the limit, not after its parse plus the limit."""
    objects = ", ".join(str(i) for i in range(600_000))
    body = f"<{EX}s> <{EX}p> {objects} .\n".encode()
    assert len(body) < MAX_BYTES
    started = time.monotonic()
    status, answer = call(server, "POST", "/validate", body, {"Content-Type": "text/turtle",
                                                              "Accept": "application/json"}, timeout=120)
    elapsed = time.monotonic() - started
    assert status == 503, answer[:300]
    assert f"{TIMEOUT:g} s" in json.loads(answer)["message"]
    assert elapsed < TIMEOUT + 4, elapsed  # loading 600,000 triples into rdflib takes tens of seconds here


def _chunked(server: Server, path: str, size: int, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST ``size`` bytes of Turtle with Transfer-Encoding: chunked (no Content-Length)."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    line = f"<{EX}s> <{EX}p> \"{'x' * 100}\" .\n".encode()

    def body() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            yield line * 1000
            sent += len(line) * 1000

    try:
        connection.request("POST", path, body=body(), headers={"Content-Type": "text/turtle", **headers},
                           encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.read()
    except (BrokenPipeError, ConnectionResetError):  # the server answered and closed before the end
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/validate", "/graph-store?" + urlencode({"graph": NOTES})])
def test_chunked_body_over_the_limit_gets_413(server: Server, path: str) -> None:
    status, body = _chunked(server, path, MAX_BYTES + 200_000, AUTH)
    assert status == 413, body[:300]
    assert str(MAX_BYTES) in json.loads(body)["message"]


def test_chunked_body_under_the_limit_is_read(server: Server) -> None:
    status, body = _chunked(server, "/validate", 100_000, {"Accept": "application/json"})
    assert status == 200, body[:300]


def test_cli_validate_refuses_deep_files(bundled_store: Path, tmp_path: Path) -> None:
    from paradip_kg.cli import cli

    for name, data in (("deep.ttl", collection(100_000)), ("deep.trig", trig(MAX_NESTING + 1)),
                       ("deep.nt", triple_terms(MAX_NESTING))):
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["--store", str(bundled_store), "--project-dir", str(ROOT), "validate",
                                          str(path)])
        assert result.exit_code == 2, result.output
        assert "nesting limit" in result.output and str(MAX_NESTING) in result.output and name in result.output


def test_line_formats_nest_only_in_triple_terms(tmp_path: Path) -> None:
    """N-Triples and N-Quads nest only in triple terms (two levels for each ``<<(``): a file with
    thousands of brackets (and ``<<``) in its literals is read, not refused, and the limit holds at its
    edge: 128 triple terms deep (256 levels) is read, one deeper is refused with its line."""
    from paradip_kg.errors import RdfSyntaxError
    from paradip_kg.rdf.parse import check_nesting, read_quads

    names = "".join(f'<{EX}c{i}> <{EX}name> "Ciudad ({i}) [{{x}}] ((( <<" .\n' for i in range(2_000)).encode()
    quads = names.replace(b" .\n", f" <{NOTES}> .\n".encode())
    for data, fmt in ((names, "nt"), (quads, "nq")):
        check_nesting(data, fmt, f"names.{fmt}")
        assert len(read_quads(data, fmt, f"names.{fmt}")) == 2_000
    half = MAX_NESTING // 2
    check_nesting(triple_terms(half), "nt", "edge.nt")  # 2 × 128 = the limit, accepted
    assert len(read_quads(triple_terms(half), "nt", "edge.nt")) == 1
    with pytest.raises(RdfSyntaxError) as refused:
        check_nesting(names + triple_terms(half + 1), "nt", "deeper.nt")
    assert "nesting limit" in str(refused.value) and "line 2001" in str(refused.value), refused.value
