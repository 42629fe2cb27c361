"""Search: the index the build writes, its ranking on the bundled graph (accents, case, es/en),
/search as HTML and JSON, escaping, and the index kept in step with accepted writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import Graph

from paradip_kg.namespaces import GRAPHS
from paradip_kg.store import search_index
from paradip_kg.store.disk import Manifest, manifest_path
from paradip_kg.writes.commit import sparql_update
from support.apps import app_on
from support.stores import copy_store, write_graphs_store
from support.writes import agreement

ID = "https://w3id.org/paradip/id/"
WICHITA_LOCALITY = ID + "locality/us-wichita"
WICHITA_AGREEMENT = ID + "agreement/mx-23005--us-wichita"
CANCUN = ID + "locality/mx-230050001"
TWINNING = ID + "concept/twinning"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
DATA = ox.NamedNode(str(GRAPHS["data"]))


def hits(client, q: str, lang: str = "es", **params: str) -> list[dict]:
    response = client.get("/search", query_string={"q": q, "lang": lang, **params},
                          headers={"Accept": "application/json"})
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    found: list[dict] = response.get_json()["hits"]
    return found


def iris(found: list[dict]) -> list[str]:
    return [h["iri"] for h in found]


# --- The index the build writes --------------------------------------------------------------------------


def test_the_build_writes_the_index_beside_the_store(bundled_store: Path) -> None:
    path = search_index.index_path(bundled_store)
    assert path.exists()
    conn = search_index.connect(path)
    try:
        about = search_index.info(conn)
    finally:
        conn.close()
    manifest = Manifest.read(manifest_path(bundled_store))
    assert manifest is not None and about.tag == manifest.content_hash
    assert about.entries > 500  # every label and alternative label of every graph but the shapes


# --- Ranking on the bundled graph ------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["Wichita", "wichita", "WICHITA", "  wichita "])
def test_exact_label_first_any_case(bundled_app: Flask, q: str) -> None:
    found = hits(bundled_app.test_client(), q)
    assert found[0]["iri"] == WICHITA_LOCALITY and found[0]["match"] == "exact"
    assert WICHITA_AGREEMENT in iris(found) and ID + "government/us-wichita" in iris(found)


@pytest.mark.parametrize("q", ["Cancún", "cancun", "CANCUN", "CANCÚN", "cancún"])
def test_accents_do_not_matter(bundled_app: Flask, q: str) -> None:
    found = hits(bundled_app.test_client(), q)
    assert found[0]["iri"] == CANCUN and found[0]["label"] == "Cancún"


def test_spanish_and_english_labels_find_the_same_thing_named_in_the_readers_language(bundled_app: Flask) -> None:
    client = bundled_app.test_client()
    by_english = hits(client, "twinning", lang="es")
    by_spanish = hits(client, "hermanamiento", lang="en")
    assert TWINNING in iris(by_english)[:3] and TWINNING in iris(by_spanish)[:3]
    es = next(h for h in by_english if h["iri"] == TWINNING)
    en = next(h for h in by_spanish if h["iri"] == TWINNING)
    assert es["label"] == "Hermanamiento" and es["matched"] == "Twinning" and es["match"] == "exact"
    assert en["label"] == "Twinning" and en["matched"] == "Hermanamiento"


def test_exact_before_prefix_before_words(bundled_app: Flask) -> None:
    found = hits(bundled_app.test_client(), "mar del plata")
    kinds = [h["match"] for h in found]
    assert kinds == sorted(kinds, key=["exact", "prefix", "words"].index)
    assert found[0]["iri"] == ID + "locality/ar-mar-del-plata"
    assert ID + "agreement/mx-23005--ar-mar-del-plata" in iris(found)  # "Hermanamiento … – Mar del Plata": words


def test_a_word_prefix_finds_as_one_types(bundled_app: Flask) -> None:
    found = hits(bundled_app.test_client(), "wich")
    assert found[0]["iri"] == WICHITA_LOCALITY and found[0]["match"] == "prefix"


def test_hits_carry_the_stated_type(bundled_app: Flask) -> None:
    found = {h["iri"]: h for h in hits(bundled_app.test_client(), "wichita")}
    assert found[WICHITA_AGREEMENT]["type"] == "https://w3id.org/paradip/ontology#SisterCityAgreement"
    assert found[WICHITA_LOCALITY]["type"] == "https://w3id.org/paradip/ontology#Locality"


def test_nothing_found_is_an_empty_list(bundled_app: Flask) -> None:
    assert hits(bundled_app.test_client(), "zzzxqj") == []
    assert hits(bundled_app.test_client(), "\"*:()") == []  # FTS5 syntax in the query is only text


# --- The ranking rules, on a graph made for them -----------------------------------------------------------


def _index(tmp_path: Path, triples: list[tuple[str, str, ox.Literal]]) -> search_index.sqlite3.Connection:
    store = ox.Store()
    for s, p, o in triples:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, DATA))
    path = tmp_path / "index.sqlite"
    search_index.write_index(store, path, "t")
    return search_index.connect(path)


def test_a_name_before_an_alternative_name_and_the_readers_language_first(tmp_path: Path) -> None:
    conn = _index(tmp_path, [
        ("http://example.org/alt", ALT_LABEL, ox.Literal("Puerto", language="es")),
        ("http://example.org/alt", RDFS_LABEL, ox.Literal("Otro sitio", language="es")),
        ("http://example.org/name-en", RDFS_LABEL, ox.Literal("Puerto", language="en")),
        ("http://example.org/name-es", RDFS_LABEL, ox.Literal("Puerto", language="es")),
        ("http://example.org/prefix", RDFS_LABEL, ox.Literal("Puerto Rico", language="es")),
        ("http://example.org/words", RDFS_LABEL, ox.Literal("El puerto", language="es")),
    ])
    ranked = [h.iri.rsplit("/", 1)[-1] for h in search_index.search(conn, "puerto", "es")]
    assert ranked == ["name-es", "name-en", "alt", "prefix", "words"]
    ranked_en = [h.iri.rsplit("/", 1)[-1] for h in search_index.search(conn, "puerto", "en")]
    assert ranked_en[:2] == ["name-en", "name-es"]
    alt = next(h for h in search_index.search(conn, "puerto", "es") if h.iri.endswith("/alt"))
    assert alt.label == "Otro sitio" and alt.matched == "Puerto"  # named by its name, found by its other one
    conn.close()


# --- /search over HTTP -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "params", "mimetype"), [
    pytest.param({"Accept": "application/json"}, {}, "application/json", id="accept-json"),
    pytest.param({"Accept": "text/html"}, {"format": "json"}, "application/json", id="format-param-wins"),
    pytest.param({"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, {}, "text/html", id="browser"),
    pytest.param({}, {}, "text/html", id="no-accept"),
])
def test_content_negotiation(bundled_app: Flask, headers: dict, params: dict, mimetype: str) -> None:
    response = bundled_app.test_client().get("/search", query_string={"q": "Wichita", **params}, headers=headers)
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in response.headers.get("Vary", "")
    if mimetype == "application/json":
        body = json.loads(response.data)
        assert body["hits"][0] == {"iri": WICHITA_LOCALITY, "label": "Wichita",
                                   "type": "https://w3id.org/paradip/ontology#Locality",
                                   "matched": "Wichita", "match": "exact"}
        assert body["index"]["current"] is True
    else:
        page = response.get_data(as_text=True)
        assert 'href="/id/locality/us-wichita"' in page and 'role="search"' in page


@pytest.mark.parametrize(("query", "status"), [
    pytest.param({"q": "x", "limit": "0"}, 400, id="limit-zero"),
    pytest.param({"q": "x", "limit": "abc"}, 400, id="limit-text"),
    pytest.param({"q": "x" * 201}, 400, id="too-long"),
])
def test_bad_requests_are_400(bundled_app: Flask, query: dict, status: int) -> None:
    assert bundled_app.test_client().get("/search", query_string=query).status_code == status


def test_not_acceptable(bundled_app: Flask) -> None:
    assert bundled_app.test_client().get("/search?q=x", headers={"Accept": "image/png"}).status_code == 406


def test_limit(bundled_app: Flask) -> None:
    assert len(hits(bundled_app.test_client(), "benito", limit="2")) == 2


def test_the_page_is_in_the_site_layout_in_both_languages(bundled_app: Flask) -> None:
    client = bundled_app.test_client()
    es = client.get("/search?q=wichita&lang=es").get_data(as_text=True)
    en = client.get("/search?q=wichita&lang=en").get_data(as_text=True)
    assert '<html lang="es">' in es and "Resultados" in es and "Gobierno municipal de Wichita" in es
    assert '<html lang="en">' in en and "Results" in en and "Municipal government of Wichita" in en
    assert 'class="site-search"' in es  # the header's search box


def test_the_query_and_the_labels_are_escaped(tmp_path: Path) -> None:
    hostile = '<img src=x onerror="alert(1)">Ciudad'
    data = Graph().parse(data=f'<{ID}locality/x> <{RDFS_LABEL}> "{hostile.replace(chr(34), chr(92) + chr(34))}"@es .',
                         format="turtle")
    store = write_graphs_store(tmp_path / "store", {"data": data}, "hostile")
    assert not search_index.index_path(store).exists()  # indexed by the app, on first use
    with app_on(store) as app:
        client = app.test_client()
        page = client.get("/search", query_string={"q": "<script>alert(1)</script> ciudad"}).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        page = client.get("/search", query_string={"q": "ciudad"}).get_data(as_text=True)
        assert "<img src=x" not in page and "&lt;img src=x onerror=" in page
        body = client.get("/search?q=ciudad&format=json").get_json()
        assert body["hits"][0]["label"] == hostile  # JSON carries the text as it is


# --- Writes ------------------------------------------------------------------------------------------------


def test_the_index_follows_a_delta(tmp_path: Path) -> None:
    conn = _index(tmp_path, [("http://example.org/a", RDFS_LABEL, ox.Literal("Viejo nombre", language="es"))])
    conn.close()
    path = tmp_path / "index.sqlite"
    a, label = ox.NamedNode("http://example.org/a"), ox.NamedNode(RDFS_LABEL)
    old = ox.Quad(a, label, ox.Literal("Viejo nombre", language="es"), DATA)
    new = ox.Quad(a, label, ox.Literal("Nuevo nombre", language="es"), DATA)
    other = ox.Quad(ox.NamedNode("http://example.org/b"), label, ox.Literal("Otro", language="es"), DATA)
    assert search_index.apply_delta(path, [new, other], [old], "t2")
    conn = search_index.connect(path)
    assert [h.iri for h in search_index.search(conn, "nuevo", "es")] == ["http://example.org/a"]
    assert search_index.search(conn, "viejo", "es") == []
    assert search_index.info(conn).tag == "t2"
    # the count the index keeps is the entries it holds (kept by the delta, not counted again)
    assert search_index.info(conn).entries == conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 2
    conn.close()


def test_an_accepted_write_is_found_at_once(bundled_store: Path, tmp_path: Path) -> None:
    store = copy_store(bundled_store, tmp_path)
    shutil.copy(search_index.index_path(bundled_store), search_index.index_path(store))
    sparql_update(store, agreement("búsqueda"), agent="test")
    with app_on(store) as app:
        response = app.test_client().get("/search?q=acuerdo de prueba busqueda&format=json")
        body = response.get_json()
    assert body["index"]["current"] is True  # the build's index, kept in step: not rebuilt by the app
    assert body["hits"][0]["iri"] == ID + "agreement/test-búsqueda"
    assert body["hits"][0]["type"] == "https://w3id.org/paradip/ontology#SisterCityAgreement"


def test_the_labels_read_are_counted_as_they_are_read(tmp_path: Path) -> None:
    """What the build's live line shows while the index is written (its `search` stage)."""
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/t{i}"), ox.NamedNode(RDFS_LABEL),
                         ox.Literal(f"Lugar {i}", language="es"), DATA) for i in range(25_000))
    heard: list[int] = []
    made = search_index.write_index(store, tmp_path / "index.sqlite", "t", tick=heard.append)
    assert heard == [10_000, 20_000, 25_000] and made.entries == 25_000


def test_the_index_holds_the_labels_and_stated_types_of_the_named_graphs_only(tmp_path: Path) -> None:
    """Labels of every named graph but the shapes graph (not the default graph, not a blank node
    or a non-literal); types as stated, not as inferred; the same rows whatever order the store
    gives its quads in."""
    ex, rdf_type = "http://example.org/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    shapes, inferred = ox.NamedNode(str(GRAPHS["shapes"])), ox.NamedNode(str(GRAPHS["inferred"]))
    quads = [
        ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(RDFS_LABEL), ox.Literal("Alfa", language="es"), DATA),
        ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ALT_LABEL), ox.Literal("Alfa", language="es"), inferred),
        ox.Quad(ox.NamedNode(ex + "b"), ox.NamedNode(RDFS_LABEL), ox.Literal("Beta"), ox.DefaultGraph()),
        ox.Quad(ox.NamedNode(ex + "c"), ox.NamedNode(RDFS_LABEL), ox.Literal("Gamma"), shapes),
        ox.Quad(ox.BlankNode("d"), ox.NamedNode(RDFS_LABEL), ox.Literal("Delta"), DATA),
        ox.Quad(ox.NamedNode(ex + "e"), ox.NamedNode(RDFS_LABEL), ox.NamedNode(ex + "not-a-label"), DATA),
        ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(rdf_type), ox.NamedNode(ex + "Stated"), DATA),
        ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(rdf_type), ox.NamedNode(ex + "Inferred"), inferred),
        ox.Quad(ox.NamedNode(ex + "c"), ox.NamedNode(rdf_type), ox.NamedNode(ex + "Shape"), shapes),
    ]
    tables = []
    for order in (quads, quads[::-1]):
        store = ox.Store()
        for quad in order:
            store.add(quad)
        path = tmp_path / f"index-{len(tables)}.sqlite"
        search_index.write_index(store, path, "t")
        conn = search_index.connect(path)
        rows = conn.execute("SELECT id, iri, predicate, graph, text, lang, weight FROM entries ORDER BY id").fetchall()
        tables.append((rows, sorted(conn.execute("SELECT iri, type, graph FROM types").fetchall())))
        conn.close()
    entries, types = tables[0]
    assert [(iri, graph) for _id, iri, _p, graph, *_ in entries] == [(ex + "a", DATA.value), (ex + "a", inferred.value)]
    assert [weight for *_, weight in entries] == [0, 1]  # the name first
    assert types == [(ex + "a", ex + "Stated", DATA.value)]
    assert tables[1] == tables[0]
