"""The remote-store path against a real Virtuoso 7 (Debian's virtuoso-opensource).

A session fixture installs the package (``scripts/virtuoso.sh install``, idempotent; ``make
test`` already ran it through scripts/test-deps.sh), starts a private server on a free port
of 127.0.0.1 in a temporary folder, and stops it at the end, also when a test fails. The
bundled graph is built and pushed with :func:`paradip_kg.backends.push.push`; then every example query
of ``src/paradip_kg/queries`` and a few of our own must give the same answers from Virtuoso as
from the embedded store, compared as sets of bindings with literals normalised (plain vs
``xsd:string``, numeric lexical forms, numeric datatypes: see docs/remote-store.md).

The first tests need no Virtuoso: chunking, the protocol dataset, errors, authentication and
timeouts, against small servers of their own on 127.0.0.1.
"""

from __future__ import annotations

import base64
import collections
import http.server
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from paradip_kg.backends.client import NO_NAMED_GRAPH, RemoteStore
from paradip_kg.backends.loading import blank_node_groups, insert_requests, load_graphs
from paradip_kg.backends.push import push
from paradip_kg.errors import QuerySyntaxError, QueryTimeout, RemoteStoreError
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.sparql.inspect import inspect_query
from paradip_kg.store.disk import count_by_graph, default_graph_names
from paradip_kg.store.head import open_store
from support.paths import EXAMPLE_QUERIES
from support.rdf import Answer, as_set, canon, canon_triples, canonical_graph
from support.virtuoso import DUPLICATE_ROWS

QUERIES = EXAMPLE_QUERIES
XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/paradip-test/"

# --- Comparing answers ------------------------------------------------------------------------


def local_answer(store: ox.Store, text: str) -> Answer:
    """The embedded store's answer, with the endpoint's dataset (see paradip_kg.sparql.execute)."""
    options = {} if inspect_query(text).has_dataset else {"default_graph": default_graph_names()}
    result = store.query(text, **options)
    form = inspect_query(text).form
    if form == "ASK":
        return bool(result)
    if form == "SELECT":
        names = [v.value for v in result.variables]
        return collections.Counter(frozenset((n, canon(row[n])) for n in names if row[n] is not None)
                                   for row in result)
    return canon_triples(result)


def remote_answer(remote: RemoteStore, text: str, describe_outbound: bool = False) -> Answer:
    form = inspect_query(text).form
    if form == "ASK":
        return remote.ask(text)
    if form == "SELECT":
        _, rows = remote.select(text)
        return collections.Counter(frozenset((n, canon(t)) for n, t in row.items()) for row in rows)
    triples = remote.construct(text)
    if describe_outbound:
        # Virtuoso's DESCRIBE also returns the triples that point at the resource; Oxigraph's
        # only those about it (both are allowed: the spec leaves DESCRIBE to the store).
        described = {ox.NamedNode(iri) for iri in re.findall(r"<([^>]+)>", text.split("DESCRIBE", 1)[1])}
        triples = [t for t in triples if t.subject in described]
    return canon_triples(triples)


# --- Unit tests (no Virtuoso) -------------------------------------------------------------------


def triple(s: str, p: str, o: str) -> ox.Triple:
    def term(x: str) -> Any:
        return ox.BlankNode(x[2:]) if x.startswith("_:") else ox.NamedNode(EX + x)
    return ox.Triple(term(s), term(p), term(o))  # type: ignore[arg-type]


def test_blank_node_groups_keep_connected_triples_together():
    triples = [triple("a", "p", "b"), triple("a", "p", "_:x"), triple("_:x", "p", "_:y"),
               triple("_:y", "p", "c"), triple("_:z", "p", "d"), triple("c", "p", "d")]
    plain, groups = blank_node_groups(triples)
    assert plain == [triples[0], triples[5]]
    assert sorted(len(g) for g in groups) == [1, 3]


def test_insert_requests_chunk_and_never_split_a_blank_node_group():
    triples = [triple(f"s{i}", "p", f"o{i}") for i in range(7)]
    triples += [triple("a", "p", "_:l1"), triple("_:l1", "p", "_:l2"), triple("_:l2", "p", "b")]
    requests = list(insert_requests(triples, EX + "g", 2))
    data = [r for r in requests if r.startswith("INSERT DATA")]
    templates = [r for r in requests if not r.startswith("INSERT DATA")]
    assert len(data) == 4 and all("_:" not in r for r in data)
    assert len(templates) == 1 and templates[0].endswith("WHERE {}") and templates[0].count(" .\n") + 1 >= 3
    for text in requests:  # every request parses as SPARQL Update
        ox.Store().update(text)


def test_insert_requests_escape_literals():
    store = ox.Store()
    tricky = ox.Literal('quote " backslash \\ newline \n tab \t é 😀 \x07')
    quad_source = [ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), tricky),
                   ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("x", language="es")),
                   ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"),
                             ox.Literal("2013-05", datatype=ox.NamedNode(XSD + "gYearMonth")))]
    for text in insert_requests(quad_source, EX + "g", 10):
        store.update(text)
    assert {q.triple for q in store} == set(quad_source)


@pytest.mark.parametrize(("given", "query", "expected"), [
    pytest.param((None, None), "SELECT * WHERE { ?s ?p ?o }",
                 ([str(GRAPHS[k]) for k in DEFAULT_GRAPHS], [str(g) for g in GRAPHS.values()]), id="ours"),
    pytest.param((None, None), "SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }", ([], []), id="query-from"),
    pytest.param((None, None), "SELECT * FROM NAMED <http://x/g> WHERE { GRAPH ?g { ?s ?p ?o } }", ([], []),
                 id="query-from-named"),
    pytest.param((["http://x/d"], None), "SELECT * WHERE { ?s ?p ?o }", (["http://x/d"], [NO_NAMED_GRAPH]),
                 id="client-default-only"),
    pytest.param(([], ["http://x/n"]), "SELECT * WHERE { ?s ?p ?o }", ([], ["http://x/n"]),
                 id="client-named-only"),
    pytest.param((["http://x/d"], ["http://x/n"]), "SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }",
                 (["http://x/d"], ["http://x/n"]), id="client-wins"),
])
def test_protocol_dataset(given, query, expected):
    remote = RemoteStore("http://127.0.0.1:9/sparql")
    defaults, names = remote.protocol_dataset(query, *given)
    assert (defaults, names) == (list(expected[0]), list(expected[1]))


def test_password_is_never_shown():
    remote = RemoteStore("http://127.0.0.1:9/sparql", user="dba", password="s3cret-pw")
    assert "s3cret-pw" not in repr(remote) and "s3cret-pw" not in str(remote)
    assert "password=***" in repr(remote)


def test_unreachable_store_is_a_remote_store_error():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    remote = RemoteStore(f"http://127.0.0.1:{port}/sparql", timeout=5)
    with pytest.raises(RemoteStoreError, match="Cannot reach"):
        remote.ask("ASK {}")
    assert remote.ping() is False


def test_silent_store_times_out():
    with socket.socket() as sock:  # accepts connections (backlog) but never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        remote = RemoteStore(f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", timeout=0.5)
        with pytest.raises(QueryTimeout):
            remote.query("SELECT * WHERE { ?s ?p ?o }")


class FakeStore(http.server.BaseHTTPRequestHandler):
    """A tiny SPARQL endpoint: Basic auth ``u``/``p``, and a Virtuoso-like partial answer."""

    requests: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        FakeStore.requests.append((self.path, dict(self.headers), body))
        if self.path.startswith("/auth") and self.headers.get("Authorization") != \
                "Basic " + base64.b64encode(b"u:p").decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"typed-literal","value":"1",' \
                  b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json; charset=UTF-8")
        if self.path.startswith("/partial"):
            self.send_header("X-SQL-State", "S1TAT")
            self.send_header("X-SQL-Message", "RC...: Returning incomplete results, query interrupted")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_store() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeStore.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_form_post_with_accept_and_our_dataset(fake_store):
    remote = RemoteStore(fake_store + "/sparql")
    response = remote.query("SELECT ?x WHERE { ?x ?p ?o }", accept="application/sparql-results+json")
    assert response.media_type == "application/sparql-results+json"
    _, headers, body = FakeStore.requests[-1]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Accept"] == "application/sparql-results+json"
    sent = body.decode()
    assert sent.count("default-graph-uri=") == len(DEFAULT_GRAPHS) and sent.count("named-graph-uri=") == len(GRAPHS)
    assert "format=" not in sent and "output=" not in sent
    assert remote.select("SELECT ?x WHERE {}")[1] == [{"x": Literal("1", datatype=URIRef(XSD + "integer"))}]


def test_basic_auth_when_the_store_asks(fake_store):
    assert RemoteStore(fake_store + "/auth", user="u", password="p").ask("ASK {}") is False
    with pytest.raises(RemoteStoreError, match="refused"):
        RemoteStore(fake_store + "/auth", user="u", password="wrong").ask("ASK {}")


def test_partial_results_are_a_timeout(fake_store):
    with pytest.raises(QueryTimeout, match="S1TAT"):
        RemoteStore(fake_store + "/partial").query("SELECT * WHERE { ?s ?p ?o }")


# --- Virtuoso -----------------------------------------------------------------------------------


def needs_virtuoso(test: Any) -> Any:
    """Mark a test that runs against the private Virtuoso server."""
    return pytest.mark.server(pytest.mark.slow(test))



# The graphs a build of the repository makes: every named graph but the harvested Wikidata one,
# which only `paradip-kg harvest wikidata` fills (data/harvested/ is not in the repository).
BUILT = [name for name in GRAPHS if name != "wikidata"]


@pytest.fixture(scope="session")
def local(bundled_store: Path) -> ox.Store:
    return open_store(bundled_store)


@needs_virtuoso
def test_server_binds_loopback_only(virtuoso):
    ini = (virtuoso.folder / "virtuoso.ini").read_text()
    ports = re.findall(r"^ServerPort\s*=\s*(\S+)", ini, re.MULTILINE)
    assert len(ports) == 2 and all(p.startswith("127.0.0.1:") for p in ports)
    assert f"127.0.0.1:{virtuoso.port}" in ports
    assert re.search(r"^DirsAllowed\s*=.*" + re.escape(str(virtuoso.folder)), ini, re.MULTILINE)


@needs_virtuoso
def test_push_loads_every_graph(pushed, local):
    remote, result = pushed
    assert result.ok, result.mismatches
    assert set(result.local) == set(BUILT)
    assert remote.count_by_graph() == count_by_graph(local)


@needs_virtuoso
@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in BUILT])
def test_graph_round_trip(pushed, local, name):
    """Each graph comes back from Virtuoso isomorphic to the embedded one (blank nodes included)."""
    remote, _ = pushed
    iri = str(GRAPHS[name])
    mine = canonical_graph(q.triple for q in local.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
    theirs = canonical_graph(remote.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"))
    assert len(theirs) == len(mine) > 0
    assert isomorphic(mine, theirs)


@needs_virtuoso
def test_push_again_replaces_the_graphs(pushed, bundled_store, local):
    remote, _ = pushed
    result = push(bundled_store, remote)
    assert result.ok and remote.count_by_graph() == count_by_graph(local)


@needs_virtuoso
def test_push_through_the_graph_store_protocol(pushed, virtuoso, bundled_store, local):
    """The same graphs, uploaded as N-Triples (small uploads, so blank-node groups are packed)."""
    remote = virtuoso.store("gsp", upload_chunk_triples=300)
    result = push(bundled_store, remote)
    assert result.ok and remote.count_by_graph() == count_by_graph(local)
    iri = str(GRAPHS["shapes"])
    mine = canonical_graph(q.triple for q in local.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
    theirs = canonical_graph(remote.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"))
    assert isomorphic(mine, theirs)


@needs_virtuoso
@pytest.mark.skipif(not QUERIES, reason="no example queries in src/paradip_kg/queries")
@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in QUERIES])
def test_example_query_same_answers(pushed, local, path):
    remote, _ = pushed
    text = path.read_text(encoding="utf-8")
    mine = local_answer(local, text)
    theirs = remote_answer(remote, text, describe_outbound=inspect_query(text).form == "DESCRIBE")
    assert as_set(theirs) == as_set(mine)
    if path.stem not in DUPLICATE_ROWS:
        assert theirs == mine


P = """PREFIX pdo: <https://w3id.org/paradip/ontology#>
PREFIX pdg: <https://w3id.org/paradip/graph/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
"""
OWN_QUERIES = [
    pytest.param(P + "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", id="counts-per-graph"),
    pytest.param(P + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", id="default-graph-size"),
    pytest.param(P + "ASK { ?s a sh:NodeShape }", id="shapes-not-in-default-graph"),
    pytest.param(P + "ASK { GRAPH pdg:shapes { ?s a sh:NodeShape } }", id="shapes-by-name"),
    pytest.param(P + """SELECT ?iso (COUNT(DISTINCT ?agreement) AS ?n) WHERE {
        ?agreement a pdo:Agreement ; pdo:hasParty ?partner .
        FILTER(?partner != <https://w3id.org/paradip/id/government/mx-23005>)
        ?partner pdo:hasSeat/pdo:locatedIn ?country . ?country a pdo:Country ; pdo:isoCountryCode ?iso .
    } GROUP BY ?iso""", id="agreements-by-country"),
    pytest.param(P + """SELECT ?class (COUNT(DISTINCT ?a) AS ?n) WHERE {
        ?a a pdo:Agreement, ?class . ?class rdfs:subClassOf* pdo:Agreement } GROUP BY ?class""",
                 id="agreements-by-class"),
    pytest.param(P + "SELECT ?type (COUNT(*) AS ?n) FROM pdg:data WHERE { ?s a ?type } GROUP BY ?type",
                 id="query-from-data"),
    pytest.param(P + "SELECT ?l (COUNT(*) AS ?n) WHERE { ?s rdfs:label ?x BIND(LANG(?x) AS ?l) } GROUP BY ?l",
                 id="labels-by-language"),
    pytest.param(P + """SELECT ?shape (COUNT(?property) AS ?n) WHERE { GRAPH pdg:shapes {
        ?shape sh:property ?property . ?property sh:path ?path } } GROUP BY ?shape""", id="shape-properties-bnodes"),
    pytest.param(P + """SELECT ?property ?member WHERE { GRAPH pdg:shapes {
        ?property sh:or/rdf:rest*/rdf:first ?member } }""", id="shacl-lists-bnodes"),
    pytest.param(P + """SELECT ?class ?member WHERE { GRAPH pdg:ontology {
        ?class owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?member } }""", id="owl-lists-bnodes"),
    pytest.param(P + """SELECT ?claim ?value WHERE { ?claim pdo:value ?value FILTER(?value > 20) }""",
                 id="numeric-filter"),
    pytest.param(P + """SELECT ?a ?start WHERE { ?a pdo:startDate ?start FILTER(STRSTARTS(STR(?start), "20")) }""",
                 id="dates-by-lexical-form"),
]


@needs_virtuoso
@pytest.mark.parametrize("text", OWN_QUERIES)
def test_own_query_same_answers(pushed, local, text):
    remote, _ = pushed
    mine = local_answer(local, text)
    assert isinstance(mine, bool) or mine, "the query should match something"
    assert remote_answer(remote, text) == mine


@needs_virtuoso
def test_client_dataset_default_only_has_no_named_graphs(pushed, local):
    """default-graph-uri alone: no named graphs (Virtuoso alone would show all its graphs)."""
    remote, _ = pushed
    data = str(GRAPHS["data"])
    text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert remote.select(text, default_graphs=[data])[1] == []
    assert list(local.query(text, default_graph=[ox.NamedNode(data)], named_graphs=[])) == []
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(str(remote.select(count, default_graphs=[data])[1][0]["n"])) == count_by_graph(local)["data"]


@needs_virtuoso
def test_pass_through_formats(pushed):
    remote, _ = pushed
    select = "SELECT ?g WHERE { GRAPH ?g { } }"
    for accept in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv"):
        response = remote.query(select, accept=accept)
        assert response.media_type == accept and response.body
    construct = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 5"
    for accept in ("application/n-triples", "text/turtle"):
        response = remote.query(construct, accept=accept)
        assert response.media_type == accept
        ox.parse(response.body, ox.RdfFormat.from_media_type(accept))


@needs_virtuoso
def test_syntax_error_carries_the_store_message(pushed):
    remote, _ = pushed
    with pytest.raises(QuerySyntaxError, match="SP030|syntax"):
        remote.query("SELECT ?x WHERE { ?x ?p }")


@needs_virtuoso
def test_wrong_password_is_refused(virtuoso):
    remote = RemoteStore(virtuoso.endpoint, virtuoso.update_endpoint, "dba", "not-the-password")
    with pytest.raises(RemoteStoreError, match="refused"):
        remote.update(f"CLEAR SILENT GRAPH <{EX}nothing>")


@needs_virtuoso
@pytest.mark.parametrize("transport", [pytest.param("update", id="sparql-update"),
                                       pytest.param("gsp", id="graph-store-protocol")])
def test_load_graphs_replaces_and_keeps_blank_nodes(virtuoso, transport):
    """Small chunks: blank-node groups stay whole, a second load replaces the first."""
    remote = virtuoso.store(transport, chunk_triples=2, upload_chunk_triples=2)
    graph_iri = EX + "load"
    first = Graph()
    first.parse(data=f"""@prefix ex: <{EX}> .
        ex:a ex:p "one", "2"^^<{XSD}integer>, "tres"@es .
        ex:a ex:list ( ex:x ex:y ex:z ) .
        ex:b ex:q [ ex:r [ ex:s "deep" ] ] .""", format="turtle")
    report = load_graphs(remote, {graph_iri: first})
    assert report.triples[graph_iri] == len(first)
    back = remote.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}",
                            named_graphs=[graph_iri])  # not one of our graphs: name it
    expected = canonical_graph(ox.Triple(*(_to_ox(t) for t in spo)) for spo in first)  # type: ignore[misc]
    assert isomorphic(canonical_graph(back), expected)
    load_graphs(remote, {graph_iri: f"<{EX}c> <{EX}p> \"only\" .\n".encode()})
    assert remote.count_by_graph([graph_iri]) == {graph_iri: 1}
    remote.update(f"DROP SILENT GRAPH <{graph_iri}>")
    assert remote.count_by_graph([graph_iri]) == {}


@needs_virtuoso
def test_failed_load_leaves_the_old_graph(virtuoso):
    remote = virtuoso.store(chunk_triples=1)
    graph_iri = EX + "keep"
    load_graphs(remote, {graph_iri: f"<{EX}a> <{EX}p> \"old\" .\n".encode()})
    first = ox.Triple(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("new"))
    star = ox.Triple(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), first)  # an RDF 1.2 triple term
    with pytest.raises(ValueError, match="RDF-star"):  # cannot be sent: the load stops after one chunk
        load_graphs(remote, {graph_iri: [first, star]})
    assert remote.count_by_graph([graph_iri]) == {graph_iri: 1}
    assert remote.ask(f'ASK {{ <{EX}a> <{EX}p> "old" }}', default_graphs=[graph_iri], named_graphs=[graph_iri])
    staged = remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
                           "\"urn:x-paradip:staging:\")) }", default_graphs=[], named_graphs=[])
    assert staged[1] == []
    remote.update(f"DROP SILENT GRAPH <{graph_iri}>")


def _to_ox(term: Node) -> Any:
    from paradip_kg.rdf.terms import to_oxigraph
    return to_oxigraph(term)
