"""The dataset describes itself (VoID, DCAT), ships deterministic dumps with checksums, and
can be discovered (sitemap, robots). Counts are checked against the store with queries of
their own, not with the code under test."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish import dumps
from paradip_kg.store.head import open_store
from support.apps import FORWARDED
from support.ld import BASE, write_ld_store
from support.rdf import store_graph

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef(BASE + "dataset")


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)  # type: ignore[index]


def void_of(client: FlaskClient, path: str = "/.well-known/void", accept: str = "text/turtle") -> Graph:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}[accept]
    return Graph().parse(data=response.data, format=fmt)


def number(g: Graph, subject: URIRef, predicate: URIRef) -> int:
    value = g.value(subject, predicate)
    assert isinstance(value, Literal) and value.datatype == XSD.integer, (subject, predicate, value)
    return int(value)


# --- VoID and DCAT ---------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "accept"), [pytest.param("/.well-known/void", "text/turtle", id="well-known"),
                                              pytest.param("/dataset", "application/ld+json", id="dataset-jsonld"),
                                              pytest.param("/dataset.rdf", "application/rdf+xml", id="dataset-rdfxml")])
def test_void_counts_match_the_store(ld_client: FlaskClient, ld_store: Path, path: str, accept: str) -> None:
    g = void_of(ld_client, path, accept)
    store = open_store(ld_store)
    assert (DATASET, RDF.type, VOID.Dataset) in g and (DATASET, RDF.type, DCAT.Dataset) in g
    total = count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert number(g, DATASET, VOID.triples) == total
    for key, name in GRAPHS.items():
        assert (DATASET, VOID.subset, URIRef(str(name))) in g
        assert number(g, URIRef(str(name)), VOID.triples) == len(store_graph(ld_store, (key,))), key
    assert number(g, DATASET, VOID.entities) == count(
        store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
               f'FILTER(STRSTARTS(STR(?s), "{BASE}")) }}')
    classes = {g.value(part, VOID["class"]): number(g, part, VOID.entities)
               for part in g.objects(DATASET, VOID.classPartition)}
    assert classes[URIRef(BASE + "ontology#MunicipalGovernment")] == 2
    assert classes[URIRef(BASE + "ontology#Actor")] == 2  # inferred types count
    for cls, n in classes.items():
        assert n == count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} }}"), cls
    properties = {g.value(part, VOID.property): number(g, part, VOID.triples)
                  for part in g.objects(DATASET, VOID.propertyPartition)}
    assert sum(properties.values()) == total
    assert properties[URIRef(BASE + "ontology#locatedIn")] == 60
    assert number(g, DATASET, VOID.classes) == len(classes)
    assert number(g, DATASET, VOID.properties) == len(properties)


def test_void_access_and_metadata(ld_client: FlaskClient) -> None:
    g = void_of(ld_client)
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert g.value(DATASET, VOID.uriSpace) == Literal(BASE)
    assert g.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    titles = {t.language for t in g.objects(DATASET, DCTERMS.title)}
    descriptions = {t.language for t in g.objects(DATASET, DCTERMS.description)}
    assert titles == descriptions == {"es", "en"}
    publisher = g.value(DATASET, DCTERMS.publisher)
    assert publisher is not None and g.value(publisher, FOAF.name) is not None
    assert g.value(DATASET, DCTERMS.created) == Literal("2026-11-25", datatype=XSD.date)
    assert str(g.value(DATASET, DCTERMS.modified)).startswith("2026-02-03T04:05:06")
    vocabularies = {str(v) for v in g.objects(DATASET, VOID.vocabulary)}
    assert {BASE + "ontology#", "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#",
            "https://schema.org/"} <= vocabularies
    assert set(g.objects(DATASET, VOID.exampleResource)) >= {URIRef(BASE + "id/agreement/mx-23005--us-wichita")}
    dump = g.value(DATASET, VOID.dataDump)
    with ld_client.get(str(dump).replace("http://localhost", "")) as response:
        assert response.status_code == 200 and gzip.decompress(response.data)
    # the document says it describes the dataset
    assert (None, FOAF.primaryTopic, DATASET) in g


def linksets(g: Graph) -> dict[tuple[str, str], int]:
    out = {}
    for ls in g.subjects(RDF.type, VOID.Linkset):
        target = str(g.value(ls, VOID.objectsTarget)).rsplit("-", 1)[-1]
        predicate = str(g.value(ls, VOID.linkPredicate) or "")
        out[(target, predicate)] = number(g, ls, VOID.triples)
        assert g.value(ls, VOID.subjectsTarget) == DATASET
    return out


def test_linksets_to_wikidata_inegi_and_the_sdg_kos(ld_client: FlaskClient) -> None:
    # Counted by hand from the fixture: three schema:sameAs to Wikidata, one INEGI code,
    # the SDG scheme's top concept and one agreement aligned with SDG 11.
    assert linksets(void_of(ld_client)) == {
        ("wikidata", "https://schema.org/sameAs"): 3,
        ("inegi", BASE + "ontology#inegiCode"): 1,
        ("sdg", "http://www.w3.org/2004/02/skos/core#hasTopConcept"): 1,
        ("sdg", BASE + "ontology#alignedWith"): 1,
    }


def test_dcat_distributions_resolve(ld_client: FlaskClient) -> None:
    g = void_of(ld_client)
    distributions = list(g.objects(DATASET, DCAT.distribution))
    downloads = [d for d in distributions if g.value(d, DCAT.downloadURL) is not None]
    assert len(downloads) == len(dumps.dump_files())
    for dist in downloads:
        url = str(g.value(dist, DCAT.downloadURL))
        media_type = str(g.value(dist, DCAT.mediaType)).rsplit("media-types/", 1)[1]
        with ld_client.get(url.replace("http://localhost", "")) as response:
            assert response.status_code == 200, url
            assert response.mimetype == ("application/gzip" if url.endswith(".gz") else media_type)
    service = [d for d in distributions if g.value(d, DCAT.accessService) is not None]
    assert service and g.value(g.value(service[0], DCAT.accessService), DCAT.endpointURL) == URIRef(
        "http://localhost/sparql")


def test_void_carries_checksums_once_the_dumps_exist(ld_client: FlaskClient, ld_store: Path) -> None:
    ld_client.get("/dumps/").close()
    g = void_of(ld_client)
    sums = dumps.read_sums(dumps.default_dir(ld_store))
    seen = 0
    for dist in g.objects(DATASET, DCAT.distribution):
        checksum = g.value(dist, SPDX.checksum)
        if checksum is not None:
            name = str(g.value(dist, DCAT.downloadURL)).rsplit("/", 1)[1]
            assert str(g.value(checksum, SPDX.checksumValue)) == sums[name]
            seen += 1
    assert seen == len(dumps.dump_files())


def test_void_follows_the_forwarded_host(make_app: Callable[..., Flask], ld_store: Path) -> None:
    client = make_app(store=str(ld_store), trusted_proxies=1).test_client()
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle", **FORWARDED})
    g = Graph().parse(data=response.data, format="turtle")
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://data.example.org/kg/sparql")
    assert b"localhost" not in response.data


def test_void_of_the_bundled_graph(make_app: Callable[..., Flask], bundled_store: Path) -> None:
    client = make_app(store=str(bundled_store)).test_client()
    g = void_of(client)
    store = open_store(bundled_store)
    assert number(g, DATASET, VOID.triples) == count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    found = linksets(g)
    wikidata = count(store, 'SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } '
                            f'FILTER(?g != <{BASE}graph/shapes> && STRSTARTS(STR(?s), "{BASE}") && isIRI(?o) && '
                            'STRSTARTS(STR(?o), "http://www.wikidata.org/entity/")) } }')
    assert sum(n for (target, _), n in found.items() if target == "wikidata") == wikidata > 0
    assert sum(n for (target, _), n in found.items() if target == "inegi") > 0
    assert sum(n for (target, _), n in found.items() if target == "sdg") > 0


# --- Dumps ---------------------------------------------------------------------------------

def test_two_exports_are_byte_identical(ld_store: Path, tmp_path: Path) -> None:
    a = dumps.write_dumps(ld_store, tmp_path / "a")
    b = dumps.write_dumps(ld_store, tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_two_builds_of_the_same_data_dump_the_same_bytes(tmp_path: Path) -> None:
    """Blank node labels differ from one store to the next; the canonical dumps do not."""
    one, two = write_ld_store(tmp_path / "one" / "store"), write_ld_store(tmp_path / "two" / "store")
    labels = [{q.subject.value for q in open_store(s).quads_for_pattern(None, None, None, None)
               if isinstance(q.subject, ox.BlankNode)} for s in (one, two)]
    assert labels[0] != labels[1]
    a, b = dumps.write_dumps(one, tmp_path / "a"), dumps.write_dumps(two, tmp_path / "b")
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name
    assert b"_:c14n0" in gzip.decompress((tmp_path / "a" / dumps.NQUADS).read_bytes())


def test_checksums_verify(ld_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    dumps.write_dumps(ld_store, out)
    sums = dumps.read_sums(out)
    assert set(sums) == {f.name for f in dumps.dump_files()}
    for name, digest in sums.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):  # the tool the file is written for
        result = subprocess.run(["sha256sum", "-c", dumps.SUMS], cwd=out, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_dumps_hold_the_store(ld_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    dumps.write_dumps(ld_store, out)
    ds = Dataset()
    ds.parse(data=gzip.decompress((out / dumps.NQUADS).read_bytes()), format="nquads")
    for key, name in GRAPHS.items():
        expected = store_graph(ld_store, (key,))
        from_nquads = Graph()
        for s, p, o, _ in ds.quads((None, None, None, URIRef(str(name)))):
            from_nquads.add((s, p, o))
        assert isomorphic(from_nquads, expected), key
        assert isomorphic(Graph().parse(out / f"paradip-kg-{key}.ttl", format="turtle"), expected), key
        assert isomorphic(Graph().parse(out / f"paradip-kg-{key}.jsonld", format="json-ld"), expected), key


def test_served_dumps_are_written_beside_the_store_on_first_request(make_app: Callable[..., Flask],
                                                                   tmp_path: Path) -> None:
    store = write_ld_store(tmp_path / "var" / "store")
    folder = tmp_path / "var" / "dumps"
    assert not folder.exists()
    client = make_app(store=str(store)).test_client()
    index = client.get("/dumps/", headers={"Accept": "application/json"})
    assert index.status_code == 200 and folder.is_dir()
    files = {f["name"]: f for f in index.get_json()["files"]}
    assert set(files) == {f.name for f in dumps.dump_files()}
    offline = dumps.write_dumps(store, tmp_path / "offline")  # `paradip-kg export` writes the same bytes
    for path in offline:
        assert path.read_bytes() == (folder / path.name).read_bytes(), path.name
        if path.name in files:
            assert files[path.name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
            assert files[path.name]["bytes"] == path.stat().st_size


def test_a_stale_dump_is_rewritten(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    store = write_ld_store(tmp_path / "store")
    folder = dumps.default_dir(store)
    dumps.write_dumps(store, folder)
    (folder / dumps.VERSION).write_text("an older store\n")
    (folder / dumps.NQUADS).write_bytes(b"stale")
    client = make_app(store=str(store)).test_client()
    with client.get("/dumps/" + dumps.NQUADS) as response:
        assert response.status_code == 200 and gzip.decompress(response.data)
    assert dumps.is_current(store, folder)


def test_cli_export_matches_the_server(make_app: Callable[..., Flask], bundled_store: Path, tmp_path: Path) -> None:
    """`paradip-kg export` (offline) and /dumps/ (on first request) give the same bytes."""
    from paradip_kg.cli import cli

    result = CliRunner().invoke(cli, ["--store", str(bundled_store), "--project-dir", str(Path(__file__).parents[1]),
                                      "export", "-o", str(tmp_path / "cli")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    client = make_app(store=str(bundled_store)).test_client()
    for item in [*dumps.dump_files()]:
        with client.get("/dumps/" + item.name) as response:
            assert response.status_code == 200
            assert response.data == (tmp_path / "cli" / item.name).read_bytes(), item.name
    with client.get("/dumps/" + dumps.SUMS) as response:
        assert response.data == (tmp_path / "cli" / dumps.SUMS).read_bytes()


DUMP_FILES = [pytest.param(f.name, id=f.name) for f in dumps.dump_files()] + [pytest.param(dumps.SUMS, id="sums")]


@pytest.mark.parametrize("name", DUMP_FILES)
def test_dump_files_have_validators_and_digests(ld_client: FlaskClient, ld_store: Path, name: str) -> None:
    with ld_client.get("/dumps/" + name) as first:
        assert first.status_code == 200
        body = first.data
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        digest = first.headers["Repr-Digest"]
    import base64

    assert digest == "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    if name != dumps.SUMS:
        assert dumps.read_sums(dumps.default_dir(ld_store))[name] == hashlib.sha256(body).hexdigest()
    assert modified == "Tue, 03 Feb 2026 04:05:06 GMT"
    with ld_client.get("/dumps/" + name, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
    with ld_client.get("/dumps/" + name, headers={"If-Modified-Since": modified}) as since:
        assert since.status_code == 304


def test_unknown_dump_file_is_404(ld_client: FlaskClient) -> None:
    assert ld_client.get("/dumps/../store.manifest.json").status_code == 404
    assert ld_client.get("/dumps/VERSION", headers={"Accept": "application/json"}).status_code == 404


def test_dumps_index_page(ld_client: FlaskClient) -> None:
    response = ld_client.get("/dumps/", headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "sha256sum -c SHA256SUMS" in html
    for item in dumps.dump_files():
        assert f'/dumps/{item.name}"' in html


# --- Discovery -------------------------------------------------------------------------------

def test_sitemap_lists_every_page(ld_client: FlaskClient, ld_store: Path) -> None:
    response = ld_client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(response.data)
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert all(loc and loc.startswith("http://localhost/") for loc in locs)
    assert all(u.findtext("s:lastmod", namespaces=ns) == "2026-02-03" for u in root.findall("s:url", ns))
    subjects = {str(s) for s in store_graph(ld_store).subjects() if str(s).startswith(BASE + "id/")}
    expected = {"http://localhost/page/" + s[len(BASE + "id/"):].replace("é", "%C3%A9") for s in subjects}
    assert expected <= set(locs)
    assert "http://localhost/page/vocab/theme/economic" in locs
    assert "http://localhost/ontology" in locs and "http://localhost/dataset" in locs
    assert not any("#" in loc for loc in locs if loc)
    for loc in locs[:20]:
        assert ld_client.get(loc.replace("http://localhost", ""), headers={"Accept": "text/html"}).status_code == 200


def test_sitemap_index_past_the_limit(ld_client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from paradip_kg.web import dataset

    monkeypatch.setattr(dataset, "SITEMAP_LIMIT", 10)
    index = ET.fromstring(ld_client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    parts = [s.findtext("s:loc", namespaces=ns) for s in index.findall("s:sitemap", ns)]
    assert len(parts) > 1 and parts[0] == "http://localhost/sitemap-1.xml"
    first = ET.fromstring(ld_client.get("/sitemap-1.xml").data)
    assert len(first.findall("s:url", ns)) == 10
    assert ld_client.get(f"/sitemap-{len(parts) + 1}.xml", headers={"Accept": "application/json"}).status_code == 404


def test_robots_txt(ld_client: FlaskClient, make_app: Callable[..., Flask], ld_store: Path) -> None:
    text = ld_client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in text and "Disallow: /sparql" in text
    proxied = make_app(store=str(ld_store), trusted_proxies=1).test_client()
    text = proxied.get("/robots.txt", headers=FORWARDED).get_data(as_text=True)
    assert "Sitemap: https://data.example.org/kg/sitemap.xml" in text and "Disallow: /kg/sparql" in text


def test_rapper_reads_the_dumps(ld_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "dumps"
    dumps.write_dumps(ld_store, out)
    (out / "all.nq").write_bytes(gzip.decompress((out / dumps.NQUADS).read_bytes()))
    files = [(f"paradip-kg-{key}.ttl", "turtle") for key in GRAPHS] + [("all.nq", "nquads")]
    for name, syntax in files:
        result = subprocess.run(["rapper", "-q", "-c", "-i", syntax, str(out / name)], capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stderr)


def test_dumps_being_written_answer_503_with_retry_after(make_app: Callable[..., Flask], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from paradip_kg.web import dataset

    store = write_ld_store(tmp_path / "store")
    release = threading.Event()
    real = dumps.ensure_dumps

    def slow(*args, **kwargs):  # a large store: writing outlasts the request's wait
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(dumps, "ensure_dumps", slow)
    monkeypatch.setattr(dataset, "DUMP_WAIT", 0.05)
    client = make_app(store=str(store)).test_client()
    busy = client.get("/dumps/", headers={"Accept": "application/json"})
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "30"
    assert "being written" in busy.get_json()["message"]
    release.set()
    monkeypatch.setattr(dataset, "DUMP_WAIT", 10.0)
    assert client.get("/dumps/", headers={"Accept": "application/json"}).status_code == 200


def test_unwritable_dumps_folder_says_what_to_do(make_app: Callable[..., Flask], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    store = write_ld_store(tmp_path / "store")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(dumps, "ensure_dumps", read_only)
    client = make_app(store=str(store)).test_client()
    response = client.get("/dumps/" + dumps.NQUADS, headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert "paradip-kg export" in response.get_json()["message"]
