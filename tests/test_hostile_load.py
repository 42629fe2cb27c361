"""Attacks on load, made from outside against the real server (issue 18): slow sockets, runaway
queries, a full query lane, a client past its budget; and no outbound connection or file read
from hostile input, checked with a canary listener on loopback.

Each test asserts what the server does, not how fast: the times are bench/bench_hostile.py's.
Every wait is bounded (generous bounds only, the machine may be busy).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest

from support.servers import Server, start_server, stop_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUERY_TIMEOUT = 2.0
READ_TIMEOUT = 2.0
BUDGET = 1.5  # seconds of query time a client may use per minute: one runaway spends it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, bundled_store: Path) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("hostile-load")
    running = start_server(tmp, workers=1, env={
        "PARADIP_STORE": str(bundled_store), "PARADIP_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
        "PARADIP_QUERY_WORKERS": "2", "PARADIP_QUERY_QUEUE": "1",
        "PARADIP_REQUEST_READ_TIMEOUT": str(READ_TIMEOUT), "PARADIP_QUERY_BUDGET": str(BUDGET),
        "PARADIP_TRUSTED_PROXIES": "1"})
    yield running
    stop_server(running)


_clients = iter(range(1, 1 << 20))


def client_address() -> str:
    """A fresh client address (the server trusts one proxy, so X-Forwarded-For names the client)."""
    n = next(_clients)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def fetch(server: Server, path: str, timeout: float = 30.0, client: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(server.url + path, headers={
        "X-Forwarded-For": client or client_address(), "Accept": "application/sparql-results+json",
        **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def query(server: Server, text: str, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
    return fetch(server, "/sparql?" + urlencode({"query": text}), **kwargs)


def in_threads(count: int, work: Any) -> tuple[list[threading.Thread], list[Any]]:
    results: list[Any] = []

    def run() -> None:
        results.append(work())

    threads = [threading.Thread(target=run, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


def half_requests(server: Server, count: int) -> list[socket.socket]:
    address = urlsplit(server.url)
    socks = []
    for _ in range(count):
        sock = socket.create_connection((address.hostname, address.port), timeout=10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never the blank line that ends the headers
        socks.append(sock)
    return socks


def test_slow_sockets_cost_the_others_nothing_and_are_closed(server: Server) -> None:
    socks = half_requests(server, 150)
    try:
        # Pages, a new cheap query, fragments and VoID are answered while 150 requests hang half-sent.
        for n in range(5):
            assert query(server, f"ASK {{ ?s ?p ?o }} # {n} {time.monotonic()}", timeout=10)[0] == 200
        for path in ("/", "/fragments", "/.well-known/void"):
            assert fetch(server, path, timeout=10, headers={"Accept": "text/html"})[0] == 200, path
        # The server ends each incomplete request after request_read_timeout: it closes them.
        socks[0].settimeout(READ_TIMEOUT + 20)
        answer = b""
        while chunk := socks[0].recv(4096):  # socket.timeout past the bound: the test fails
            answer += chunk
        assert b" 200 " not in answer.split(b"\r\n", 1)[0]
    finally:
        for sock in socks:
            sock.close()


def test_a_slow_body_is_closed_and_holds_nobody(server: Server) -> None:
    address = urlsplit(server.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=READ_TIMEOUT + 20)
    try:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 200\r\n\r\nASK {")  # 5 of the 200 bytes announced
        assert query(server, f"ASK {{ ?s ?p ?o }} # {time.monotonic()}", timeout=10)[0] == 200
        answer = b""
        while chunk := sock.recv(4096):  # an error answer or a close, within the bound
            answer += chunk
        assert b" 200 " not in answer.split(b"\r\n", 1)[0]
    finally:
        sock.close()


def test_runaway_queries_stop_at_their_timeout_while_cheap_ones_answer(server: Server) -> None:
    assert query(server, "ASK {}")[0] == 200  # a small answer: kept, it never enters the lane again
    threads, results = in_threads(2, lambda: query(server, RUNAWAY, timeout=QUERY_TIMEOUT + 30))
    time.sleep(0.3)
    try:
        for _ in range(5):
            assert query(server, "ASK {}", timeout=10)[0] == 200
            assert fetch(server, "/", timeout=10, headers={"Accept": "text/html"})[0] == 200
            assert fetch(server, "/fragments?predicate=" + quote("http://www.w3.org/2000/01/rdf-schema#label"),
                         timeout=10, headers={"Accept": "text/turtle"})[0] == 200
    finally:
        for thread in threads:
            thread.join(QUERY_TIMEOUT + 40)
    assert [status for status, _, _ in results] == [503, 503]
    assert all(json.loads(body)["error"] == "Query timed out" for _, _, body in results)
    # The children that ran them were replaced: a new query runs.
    assert query(server, f"ASK {{ ?s ?p ?o }} # {time.monotonic()}")[0] == 200


def test_a_full_lane_answers_503_with_retry_after_at_once(server: Server) -> None:
    # Two runaways take both children, a third the one place in the queue ...
    threads, results = in_threads(3, lambda: query(server, RUNAWAY, timeout=QUERY_TIMEOUT + 30))
    time.sleep(0.5)
    try:
        started = time.monotonic()
        status, headers, body = query(server, f"ASK {{ ?s ?p ?o }} # {started}", timeout=30)
        waited = time.monotonic() - started
    finally:
        for thread in threads:
            thread.join(QUERY_TIMEOUT * 3 + 40)
    # ... so the next one is refused, without waiting for a child (well under the query timeout).
    assert status == 503 and json.loads(body)["error"] == "Busy", body
    assert int(headers["Retry-After"]) >= 1
    assert waited < QUERY_TIMEOUT
    assert sorted(status for status, _, _ in results) == [503, 503, 503]


def test_a_client_past_its_budget_gets_429_in_its_language(server: Server) -> None:
    greedy, other = client_address(), client_address()
    assert query(server, RUNAWAY, client=greedy, timeout=QUERY_TIMEOUT + 30)[0] == 503  # spends 2 s of 1.5
    status, headers, body = query(server, f"ASK {{ ?s ?p ?o }} # {time.monotonic()}", client=greedy)
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
    assert "minuto" in json.loads(body)["message"]  # Spanish by default
    status, _, body = query(server, f"ASK {{ ?s ?p ?o }} # {time.monotonic()}", client=greedy,
                            headers={"Accept-Language": "en"})
    assert status == 429 and "a minute" in json.loads(body)["message"]
    # Another client is not charged for it.
    assert query(server, f"ASK {{ ?s ?p ?o }} # {time.monotonic()}", client=other)[0] == 200


# --- Nothing reaches out: a canary listener on loopback ------------------------------------------


@pytest.fixture
def canary() -> Iterator[tuple[str, list[bytes]]]:
    """A listener on a loopback port that records every connection made to it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    hits: list[bytes] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                hits.append(conn.recv(1024))
            except OSError:
                hits.append(b"")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", hits
    done.set()
    thread.join(5)
    listener.close()


def test_no_outbound_connection_from_hostile_input(server: Server, canary: tuple[str, list[bytes]]) -> None:
    url, hits = canary
    turtle, jsonld, rdfxml = "text/turtle", "application/ld+json", "application/rdf+xml"
    for text in (f"SELECT * {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}", f"SELECT * FROM <{url}/g> {{ ?s ?p ?o }}",
                 f"LOAD <{url}/data.ttl>"):
        assert query(server, text)[0] in (200, 400), text
    assert fetch(server, "/sparql?" + urlencode({"query": "SELECT * { ?s ?p ?o } LIMIT 1",
                                                 "default-graph-uri": f"{url}/g"}))[0] in (200, 400)
    writes = urllib.request.Request(server.url + "/update", data=urlencode({"update": f"LOAD <{url}/x>"}).encode(),
                                    headers={"Authorization": "Bearer not-a-token"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(writes, timeout=30)
    refused.value.close()
    assert refused.value.code in (401, 403, 405)
    bodies = {
        turtle: f"@prefix owl: <http://www.w3.org/2002/07/owl#> . <{url}/o> owl:imports <{url}/imported> .",
        jsonld: json.dumps({"@context": f"{url}/context.jsonld", "@id": "https://w3id.org/paradip/id/x",
                            "name": "x"}),
        rdfxml: (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}/entity">]>'
                 '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="http://x/">'
                 '<rdf:Description rdf:about="http://x/a"><x:p>&e;</x:p></rdf:Description></rdf:RDF>'),
    }
    for media_type, body in bodies.items():
        post = urllib.request.Request(server.url + "/validate", data=body.encode(),
                                      headers={"Content-Type": media_type, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(post, timeout=60) as response:
                assert response.status == 200
        except urllib.error.HTTPError as error:
            error.close()
            assert error.code == 400, (media_type, error.code)
    time.sleep(0.5)
    assert hits == []


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd", "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/dumps/..%252f..%252f..%252fetc%252fpasswd",
    "/static/..%c0%af..%c0%af..%c0%afetc%c0%afpasswd", "/page/..%2f..%2f..%2f..%2fetc%2fpasswd",
])
def test_no_traversal_from_outside(server: Server, path: str) -> None:
    address = urlsplit(server.url)
    conn = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)  # sent as written, not normalised
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status in (400, 403, 404), (path, response.status)
    assert b"root:" not in body
