"""Hostile and malformed input against every endpoint and the CLI (issue 7).

Every case must answer 4xx (or 503 when a query outlives ``query_timeout``) with a message
body, never a 500 and never a hang. While the corpus runs an audit hook records socket
connects to non-loopback addresses and file opens of hostile targets (``/etc/passwd``...) or
of paths outside the Python installation, the repository and the temp folder; any such
event fails the test.

The query and validation child processes are separate interpreters, so the hook does not
see their opens; their parsers are covered by ``paradip_kg.rdf.parse`` refusing entity
declarations and remote contexts (tested directly below too).
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from paradip_kg.errors import RdfSyntaxError
from paradip_kg.rdf.parse import parse_bytes
from support.apps import app_on
from support.paths import ROOT

HOSTILE = Path(__file__).resolve().parent / "hostile"
MAX_QUERY = 20_000
MAX_BYTES = 1_048_576

# --- the audit hook ------------------------------------------------------------------------

_AUDIT: dict[str, Any] = {"active": False, "events": []}
_HOSTILE_TARGETS = ("/etc/passwd", "/etc/shadow", "/etc/hosts", "/etc/hostname", "/root/.ssh", "/proc/self/environ")
_SYSTEM_OK = ("/dev/", "/proc/", "/sys/", "/etc/mime.types", "/etc/localtime", "/usr/share/zoneinfo",
              "/etc/ssl/", "/usr/lib/", "/usr/share/")


def _allowed_roots() -> tuple[str, ...]:
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(ROOT), tempfile.gettempdir(),
             os.path.realpath(tempfile.gettempdir())}
    return tuple(os.path.realpath(r) + os.sep for r in roots if r)


_ROOTS = _allowed_roots()


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths: local


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if not _AUDIT["active"]:
        return
    if event == "socket.connect":
        if not _is_loopback(args[1] if len(args) > 1 else None):
            _AUDIT["events"].append((event, repr(args[1:])))
    elif event == "open":
        path = args[0]
        if isinstance(path, int):
            return
        if isinstance(path, bytes):
            path = path.decode("utf-8", "replace")
        path = os.path.abspath(os.fspath(path))
        if any(path == t or path.startswith(t + "/") for t in _HOSTILE_TARGETS):
            _AUDIT["events"].append((event, path))
        elif not path.startswith(_ROOTS) and not path.startswith(_SYSTEM_OK):
            _AUDIT["events"].append((event, path))


sys.addaudithook(_audit_hook)  # installed once for the process; inert unless the flag is set


@pytest.fixture()
def audited() -> Iterator[list[tuple[str, str]]]:
    """Record outbound connects and stray opens during the test; fail if any happened."""
    _AUDIT["events"] = []
    _AUDIT["active"] = True
    try:
        yield _AUDIT["events"]
    finally:
        _AUDIT["active"] = False
    assert _AUDIT["events"] == [], f"outbound connection or stray file read: {_AUDIT['events']}"


def test_audit_hook_catches_a_stray_read(tmp_path: Path) -> None:
    """The hook itself works: reading /etc/passwd while active is recorded."""
    _AUDIT["events"] = []
    _AUDIT["active"] = True
    try:
        try:
            open("/etc/passwd", "rb").close()
        except OSError:
            pass
    finally:
        _AUDIT["active"] = False
    assert ("open", "/etc/passwd") in _AUDIT["events"]
    _AUDIT["events"] = []


# --- the apps --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_app(bundled_store: Path) -> Iterator[Flask]:
    with app_on(bundled_store, max_query_length=MAX_QUERY, max_request_bytes=MAX_BYTES) as app:
        yield app


@pytest.fixture(scope="module")
def slow_app(bundled_store: Path) -> Iterator[Flask]:
    with app_on(bundled_store, query_timeout=0.3, validation_timeout=1.0) as app:
        yield app


@pytest.fixture()
def hclient(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


# --- the corpus ------------------------------------------------------------------------------

def _file(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


TURTLE = "text/turtle"
DIRECT = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
DEEP_BRACES = "SELECT * WHERE " + "{" * 2000 + "}" * 2000
DEEP_PARENS = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 2000 + "1" + ")" * 2000 + ") }"
DEEP_LISTS = "SELECT * WHERE { ?s ?p " + "(" * 2000 + ")" * 2000 + " }"
STACK_BREAKER = "SELECT * WHERE " + "{" * 9990 + "}" * 9990
HUGE_QUERY = "SELECT * WHERE { ?s ?p ?o } # " + "x" * (MAX_QUERY + 10)
HUGE_LITERAL = b'<https://w3id.org/paradip/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "' + \
    b"a" * (MAX_BYTES + 100) + b'" .\n'
MANY_TYPES = ", ".join(f"application/x-type-{i};q=0.{i % 10}" for i in range(500))
TRAVERSAL_MARKERS = (b"root:x:", b"[project]", b"def create_app")

# (method, path, request kwargs, allowed statuses)
CASES = [
    # malformed queries
    pytest.param("GET", "/sparql?query=SELEC%20*%20WHERE", {}, {400}, id="sparql-get-malformed"),
    pytest.param("GET", "/sparql?query=", {}, {400}, id="sparql-get-empty-query"),
    pytest.param("POST", "/sparql", {"data": b"SELECT ?x WHERE { ?x ", "content_type": DIRECT}, {400},
                 id="sparql-post-truncated-query"),
    pytest.param("POST", "/sparql", {"data": b"}}}}{{{{", "content_type": DIRECT}, {400}, id="sparql-post-garbage"),
    pytest.param("POST", "/sparql", {"data": b"query=%ZZ%", "content_type": FORM}, {400}, id="sparql-form-bad-percent"),
    pytest.param("GET", "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D&query=ASK%7B%7D", {}, {400},
                 id="sparql-two-queries"),
    pytest.param("POST", "/sparql", {"data": b"INSERT DATA { <a:b> <a:c> <a:d> }", "content_type":
                 "application/sparql-update"}, {400}, id="sparql-update-refused"),
    pytest.param("GET", "/sparql?update=INSERT%20DATA%20%7B%7D", {}, {400}, id="sparql-update-param"),
    pytest.param("GET", "/sparql?query=SELECT%20*%20%7B%20SERVICE%20%3Chttp%3A%2F%2F203.0.113.7%2Fsparql%3E%20"
                 "%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D", {}, {400}, id="sparql-service-refused"),
    pytest.param("GET", "/sparql?query=SELECT%20*%20FROM%20%3Chttp%3A%2F%2F203.0.113.7%2Fg%3E%20"
                 "%7B%3Fs%20%3Fp%20%3Fo%7D", {}, {200, 400}, id="sparql-from-remote-graph-not-fetched"),
    pytest.param("GET", "/sparql?query=SELECT%20*%20%7B%7D&default-graph-uri=not%20an%20iri", {}, {400},
                 id="sparql-bad-default-graph"),
    # enormous queries and deep nesting
    pytest.param("POST", "/sparql", {"data": HUGE_QUERY.encode(), "content_type": DIRECT}, {413},
                 id="sparql-huge-query"),
    pytest.param("GET", "/sparql", {"query_string": {"query": HUGE_QUERY}}, {413}, id="sparql-huge-query-string"),
    pytest.param("POST", "/sparql", {"data": {"query": HUGE_QUERY}}, {413}, id="sparql-huge-form-query"),
    pytest.param("POST", "/sparql", {"data": DEEP_BRACES.encode(), "content_type": DIRECT}, {400},
                 id="sparql-deep-braces"),
    pytest.param("POST", "/sparql", {"data": DEEP_PARENS.encode(), "content_type": DIRECT}, {400},
                 id="sparql-deep-parens"),
    pytest.param("POST", "/sparql", {"data": DEEP_LISTS.encode(), "content_type": DIRECT}, {400},
                 id="sparql-deep-lists"),
    # 9,990 nested groups used to overflow the engine's stack: the child died, the app answered 500
    pytest.param("POST", "/sparql", {"data": STACK_BREAKER.encode(), "content_type": DIRECT}, {400},
                 id="sparql-stack-breaker"),
    pytest.param("GET", "/sparql", {"query_string": {"query": STACK_BREAKER}}, {400}, id="sparql-get-stack-breaker"),
    pytest.param("POST", "/sparql", {"data": ("SELECT * WHERE " + "{" * 9990).encode(), "content_type": DIRECT},
                 {400}, id="sparql-unclosed-deep-braces"),
    pytest.param("POST", "/sparql", {"data": b'SELECT * WHERE { ?s ?p "((((((((((((((((((((((((((((((((((((((((((('
                                     b'((((((((((((((((((((((((((((((((((((((((((((((" }', "content_type": DIRECT},
                 {200}, id="sparql-brackets-inside-a-string-are-fine"),
    pytest.param("POST", "/sparql", {"data": b"a" * (MAX_BYTES + 10), "content_type": DIRECT}, {413},
                 id="sparql-body-past-max-bytes"),
    # invalid UTF-8, content types, truncated bodies
    pytest.param("POST", "/sparql", {"data": b"SELECT * WHERE { ?s ?p \xff\xfe }", "content_type": DIRECT}, {400},
                 id="sparql-invalid-utf8-body"),
    pytest.param("GET", "/sparql?query=SELECT%20%FF%FE", {}, {400}, id="sparql-invalid-utf8-query-string"),
    pytest.param("POST", "/sparql", {"data": b"query=SELECT%20%FF", "content_type": FORM}, {400},
                 id="sparql-invalid-utf8-form"),
    pytest.param("POST", "/sparql", {"data": b"SELECT * {}", "content_type": DIRECT + "; charset=latin-1"}, {400},
                 id="sparql-wrong-charset"),
    pytest.param("POST", "/sparql", {"data": b"SELECT * {}"}, {400, 415}, id="sparql-no-content-type"),
    pytest.param("POST", "/sparql", {"data": b"SELECT * {}", "content_type": "image/png"}, {400, 415},
                 id="sparql-wrong-content-type"),
    pytest.param("POST", "/sparql", {"data": b"SELECT * {}", "content_type": ";;;/"}, {400, 415},
                 id="sparql-garbage-content-type"),
    pytest.param("POST", "/validate", {"data": b'<https://w3id.org/paradip/id/x> <http://p> "tr',
                                        "content_type": TURTLE}, {400}, id="validate-truncated-turtle"),
    pytest.param("POST", "/validate", {"data": _file("invalid_utf8.ttl"), "content_type": TURTLE}, {400},
                 id="validate-invalid-utf8"),
    pytest.param("POST", "/validate", {"data": b"@prefix x: <a:b> .", "content_type": "image/png"}, {400, 415},
                 id="validate-wrong-content-type"),
    pytest.param("POST", "/validate", {"data": b"@prefix x: <a:b> ."}, {400, 415}, id="validate-no-content-type"),
    pytest.param("POST", "/validate", {"data": b"", "content_type": TURTLE}, {400}, id="validate-empty-body"),
    pytest.param("POST", "/validate", {"data": b"--xx\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nabc",
                                        "content_type": "multipart/form-data; boundary=xx"}, {400},
                 id="validate-truncated-multipart"),
    pytest.param("POST", "/validate", {"data": b"@prefix x: <a:b> .", "content_type": "multipart/form-data"},
                 {400}, id="validate-multipart-no-boundary"),
    pytest.param("POST", "/validate?data_format=klingon", {"data": b"x", "content_type": TURTLE}, {400},
                 id="validate-unknown-format"),
    # RDF/XML entities, JSON-LD remote contexts, huge literals
    pytest.param("POST", "/validate", {"data": _file("xxe.rdf"), "content_type": "application/rdf+xml"}, {400},
                 id="validate-xxe"),
    pytest.param("POST", "/validate", {"data": _file("billion_laughs.rdf"), "content_type": "application/rdf+xml"},
                 {400}, id="validate-billion-laughs"),
    pytest.param("POST", "/validate", {"data": _file("doctype_only.rdf"), "content_type": "application/rdf+xml"},
                 {200, 400}, id="validate-external-dtd-not-fetched"),
    pytest.param("POST", "/validate", {"data": _file("remote_context.jsonld"), "content_type": "application/ld+json"},
                 {400}, id="validate-jsonld-remote-context"),
    pytest.param("POST", "/validate", {"data": HUGE_LITERAL, "content_type": TURTLE}, {413},
                 id="validate-huge-literal"),
    pytest.param("POST", "/validate", {"data": {"data_text": HUGE_LITERAL.decode()}}, {413},
                 id="validate-huge-form-field"),
    pytest.param("GET", "/validate", {"query_string": {"focus": "x" * (MAX_QUERY + 10)}}, {200, 400, 413},
                 id="validate-long-query-string"),
    pytest.param("GET", "/validate/reports/..%2f..%2fetc%2fpasswd", {}, {400, 404}, id="validate-report-traversal"),
    # path traversal in IRIs
    pytest.param("GET", "/id/../../etc/passwd", {}, {400, 404}, id="id-dotdot"),
    pytest.param("GET", "/id/%2e%2e%2f%2e%2e%2fetc%2fpasswd", {}, {400, 404}, id="id-encoded-dotdot"),
    pytest.param("GET", "/page/..%2f..%2f..%2fpyproject.toml", {}, {400, 404}, id="page-encoded-dotdot"),
    pytest.param("GET", "/data/%2e%2e/%2e%2e/etc/passwd", {}, {400, 404}, id="data-encoded-dotdot"),
    pytest.param("GET", "/id/%00", {}, {400, 404}, id="id-nul"),
    pytest.param("GET", "/id/" + "a/" * 2000, {}, {400, 404, 414}, id="id-very-long"),
    pytest.param("GET", "/dumps/../store", {}, {400, 404}, id="dumps-dotdot"),
    pytest.param("GET", "/dumps/..%2fmanifest.json", {}, {400, 404}, id="dumps-encoded-dotdot"),
    pytest.param("GET", "/dumps/%2e%2e%2f%2e%2e%2fetc%2fpasswd", {}, {400, 404}, id="dumps-etc-passwd"),
    pytest.param("GET", "/static/../web/__init__.py", {}, {400, 404}, id="static-dotdot"),
    pytest.param("GET", "/static/..%2f..%2f..%2fpyproject.toml", {}, {400, 404}, id="static-encoded-dotdot"),
    pytest.param("GET", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", {}, {400, 404}, id="static-etc-passwd"),
    pytest.param("GET", "/graph/..%2f..%2fetc%2fpasswd", {}, {400, 404}, id="graph-dotdot"),
    pytest.param("GET", "/ontology.%2e%2e", {}, {400, 404, 406}, id="ontology-bad-ext"),
    pytest.param("GET", "/sparql/examples/..%2f..%2fcli.rq", {}, {400, 404}, id="examples-dotdot"),
    pytest.param("GET", "/sitemap-99999999999999999999.xml", {}, {400, 404}, id="sitemap-huge-number"),
    # odd Accept and Accept-Language headers
    pytest.param("GET", "/sparql?query=ASK%7B%7D", {"headers": {"Accept": "*/*;q=0"}}, {200, 406},
                 id="sparql-accept-nothing"),
    pytest.param("GET", "/sparql?query=ASK%7B%7D", {"headers": {"Accept": "text/html;q=abc, ;;, /,"}},
                 {200, 406}, id="sparql-accept-garbage"),
    pytest.param("GET", "/sparql?query=ASK%7B%7D", {"headers": {"Accept": MANY_TYPES}}, {200, 406},
                 id="sparql-accept-500-types"),
    pytest.param("GET", "/sparql?query=ASK%7B%7D&format=%00%FF", {}, {200, 400, 406}, id="sparql-format-garbage"),
    pytest.param("GET", "/id/country/MX", {"headers": {"Accept": "*/*;q=0"}}, {303, 406}, id="id-accept-nothing"),
    pytest.param("GET", "/page/country/MX", {"headers": {"Accept-Language": "q=abc;;,,*;q=-1, zz-ZZZZ;q=2"}},
                 {200, 404}, id="page-accept-language-garbage"),
    pytest.param("GET", "/data/country/MX", {"headers": {"Accept": "\x00\x01garbage/\x7f"}}, {200, 404, 406},
                 id="data-accept-control-chars"),
    pytest.param("GET", "/", {"headers": {"Accept": MANY_TYPES, "Accept-Language": ",".join(["x"] * 500)}},
                 {200, 406}, id="home-500-types"),
    pytest.param("GET", "/validate", {"headers": {"Accept": "text/html;q=abc"}}, {200, 406},
                 id="validate-accept-q-abc"),
    pytest.param("GET", "/dataset", {"headers": {"Accept": "application/*;q=0, */*;q=0"}}, {200, 406},
                 id="dataset-accept-zero"),
    pytest.param("GET", "/dumps/", {"headers": {"Accept": "text/html;level=\"unterminated"}}, {200, 406},
                 id="dumps-accept-unterminated-quote"),
]


def _check(response: Any, allowed: set[int]) -> None:
    status = response.status_code
    assert status != 500 and status < 500 or status == 503, (status, response.get_data()[:500])
    assert status in allowed, (status, response.get_data()[:500])
    body = response.get_data()
    if status >= 400:
        assert body.strip(), "an error needs a message body"
    for marker in TRAVERSAL_MARKERS:
        assert marker not in body, f"a file leaked through: {marker!r}"


@pytest.mark.parametrize(("method", "path", "kwargs", "allowed"), CASES)
def test_hostile_request(hclient: FlaskClient, audited: list[Any], method: str, path: str,
                         kwargs: dict[str, Any], allowed: set[int]) -> None:
    response = hclient.open(path, method=method, **kwargs)
    _check(response, allowed)


CARTESIAN = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_cartesian_product_times_out(slow_app: Flask, audited: list[Any], method: str) -> None:
    client = slow_app.test_client()
    if method == "GET":
        response = client.get("/sparql", query_string={"query": CARTESIAN})
    else:
        response = client.post("/sparql", data=CARTESIAN.encode(), content_type=DIRECT)
    assert response.status_code == 503, response.get_data()[:300]
    assert response.get_data().strip()
    # a cheap query still answers afterwards
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_deeply_nested_jsonld_is_bounded(slow_app: Flask, audited: list[Any]) -> None:
    """50,000 nested JSON-LD objects take the parser minutes: the validation timeout stops it."""
    n = 50_000
    body = b'{"@id":"a:s","a:p":' + b'{"a:p":' * n + b"1" + b"}" * n + b"}"
    response = slow_app.test_client().post("/validate", data=body, content_type="application/ld+json")
    assert response.status_code in {400, 413, 503}, response.get_data()[:300]
    assert response.get_data().strip()


# --- the parsers, directly (same process, so the hook sees everything) -------------------------

@pytest.mark.parametrize(("name", "fmt"), [
    pytest.param("xxe.rdf", "xml", id="xxe"),
    pytest.param("billion_laughs.rdf", "xml", id="billion-laughs"),
    pytest.param("remote_context.jsonld", "json-ld", id="jsonld-remote-context"),
    pytest.param("truncated.ttl", "turtle", id="truncated"),
    pytest.param("invalid_utf8.ttl", "turtle", id="invalid-utf8"),
    pytest.param("garbage.nt", "nt", id="garbage-nt"),
])
def test_parser_refuses_hostile_file(audited: list[Any], name: str, fmt: str) -> None:
    with pytest.raises(RdfSyntaxError) as info:
        parse_bytes(_file(name), fmt, name)
    assert name in info.value.message


@pytest.mark.parametrize(("fmt", "data"), [
    pytest.param("json-ld", b'{"@id":"a:s","a:p":' + b'{"a:p":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
                 id="jsonld-50000-deep"),
    pytest.param("xml", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:a="a:">'
                 b'<rdf:Description rdf:about="a:s">' + b"<a:p><rdf:Description>" * 50_000
                 + b"</rdf:Description></a:p>" * 50_000 + b"</rdf:Description></rdf:RDF>", id="rdfxml-50000-deep"),
])
def test_parser_refuses_deep_nesting(audited: list[Any], fmt: str, data: bytes) -> None:
    """These used to overflow the C stack and kill the process (the web worker parses uploads)."""
    with pytest.raises(RdfSyntaxError, match="levels deep"):
        parse_bytes(data, fmt, "deep")


# --- the CLI ---------------------------------------------------------------------------------

CLI_FILES = [
    pytest.param("xxe.rdf", False, id="xxe"),
    pytest.param("billion_laughs.rdf", False, id="billion-laughs"),
    pytest.param("remote_context.jsonld", False, id="jsonld-remote-context"),
    pytest.param("truncated.ttl", True, id="truncated"),
    pytest.param("invalid_utf8.ttl", True, id="invalid-utf8"),
    pytest.param("garbage.nt", True, id="garbage-nt"),
]


@pytest.mark.parametrize(("name", "has_position"), CLI_FILES)
def test_cli_validate_hostile_file(bundled_store: Path, audited: list[Any], name: str, has_position: bool) -> None:
    from paradip_kg.cli import cli

    result = CliRunner().invoke(cli, ["--store", str(bundled_store), "--project-dir", str(ROOT), "validate",
                                      str(HOSTILE / name)])
    assert result.exit_code == 2, result.output
    output = result.output + (result.stderr if hasattr(result, "stderr") and result.stderr_bytes is not None else "")
    assert name in output
    if has_position:
        assert "line " in output and "column " in output, output


@pytest.mark.parametrize("text", [
    pytest.param("SELEC * WHERE", id="typo"),
    pytest.param("}}}{{{", id="garbage"),
    pytest.param(DEEP_BRACES, id="deep-braces"),
    pytest.param(STACK_BREAKER, id="stack-breaker"),
    pytest.param("INSERT DATA { <a:b> <a:c> <a:d> }", id="update"),
])
def test_cli_query_garbage(bundled_store: Path, audited: list[Any], text: str) -> None:
    from paradip_kg.cli import cli

    result = CliRunner().invoke(cli, ["--store", str(bundled_store), "--project-dir", str(ROOT), "query", text])
    assert result.exit_code == 2, (result.exit_code, result.output[:500])
    assert "error" in result.output.lower()


# --- security headers ------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "headers"), [
    pytest.param("/", {"Accept": "text/html"}, id="home"),
    pytest.param("/page/country/MX", {"Accept": "text/html"}, id="page"),
    pytest.param("/sparql?query=ASK%7B%7D", {}, id="sparql-json"),
    pytest.param("/sparql?query=SELEC", {"Accept": "text/html"}, id="sparql-error-html"),
    pytest.param("/id/../../etc/passwd", {}, id="not-found"),
    pytest.param("/validate", {"Accept": "text/html"}, id="validate-form"),
])
def test_security_headers(hclient: FlaskClient, path: str, headers: dict[str, str]) -> None:
    response = hclient.get(path, headers=headers)
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "object-src 'none'" in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy")
    assert response.headers.get("X-Frame-Options") == "DENY"
