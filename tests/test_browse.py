"""/browse: facets with counts, each value a link that narrows the list; facets combine."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask

from paradip_kg.publish.facets import FacetTable

ID = "https://w3id.org/paradip/id/"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.data
    return response.get_data(as_text=True)


def total(html: str) -> int:
    found = re.search(r'<h2 id="agreements-heading">(\d+) ', html)
    assert found, html[:500]
    return int(found.group(1))


def facet_links(html: str, facet: str) -> dict[str, tuple[str, int]]:
    """value → (href, count) of one facet's links."""
    out = {}
    for href, value, count in re.findall(
            r'<a href="([^"]+)"[^>]*data-facet="' + facet + r'" data-value="([^"]+)">.*?</a>'
            r'\s*<span class="count">(\d+)',
            html, re.S):
        out[unescape(value)] = (unescape(href), int(count))
    return out


def test_every_facet_with_counts(bundled_app: Flask) -> None:
    html = page(bundled_app.test_client(), "/browse?lang=en")
    assert total(html) == 19
    countries = facet_links(html, "country")
    assert countries["MX"][1] == 19 and countries["US"][1] == 3  # Pharr, Mission, Wichita
    decades = facet_links(html, "decade")
    assert sum(n for _, n in decades.values()) == 19 and decades["1980"][1] == 3
    scopes = facet_links(html, "scope")
    assert scopes["national"][1] + scopes["international"][1] == 19
    assert facet_links(html, "kind")["SisterCityAgreement"][1] == 19
    assert facet_links(html, "municipality")["mx-23005"][1] == 19  # Benito Juárez is party to all of Tabla 1
    for facet in ("Country", "Municipality", "Decade", "Scope", "Kind"):
        assert f">{facet}</h2>" in html


def test_a_value_narrows_and_facets_combine(bundled_app: Flask) -> None:
    client = bundled_app.test_client()
    href, count = facet_links(page(client, "/browse"), "country")["US"]
    assert href == "/browse?country=US"
    narrowed = page(client, href)
    assert total(narrowed) == count == 3
    href, count = facet_links(narrowed, "decade")["1980"]
    assert href == "/browse?country=US&decade=1980"
    both = page(client, href)
    assert total(both) == count == 1
    assert 'href="/id/agreement/mx-23005--us-wichita"' in both  # Wichita, 1985
    # the chosen value links back to the list without it
    assert facet_links(both, "decade")["1980"][0] == "/browse?country=US"


def test_values_of_one_facet_are_alternatives(bundled_app: Flask) -> None:
    client = bundled_app.test_client()
    us, cn = (total(page(client, f"/browse?country={c}")) for c in ("US", "CN"))
    assert total(page(client, "/browse?country=US&country=CN")) == us + cn


def test_no_match_and_bad_parameters(bundled_app: Flask) -> None:
    client = bundled_app.test_client()
    assert total(page(client, "/browse?country=ZZ")) == 0
    assert client.get("/browse?colour=red").status_code == 400
    assert client.get("/browse?page=0").status_code == 400


def test_labels_in_the_readers_language(bundled_app: Flask) -> None:
    client = bundled_app.test_client()
    es, en = page(client, "/browse?lang=es"), page(client, "/browse?lang=en")
    assert ">Ámbito</h2>" in es and ">Scope</h2>" in en
    assert "Estados Unidos" in es and "United States" in en


def test_the_table_narrows_and_counts() -> None:
    table = FacetTable([(f"{ID}agreement/{i}", "2000") for i in range(120)],
                       {"decade": [frozenset({"2000"})] * 120}, {})
    assert len(table.narrow({"decade": ["2000"]})) == 120
    assert table.counts(range(10))["decade"]["2000"] == 10


@pytest.mark.parametrize("url", ["/browse?country=%3Cscript%3E", "/browse?decade=%22%3E%3Cb%3E"])
def test_chosen_values_are_escaped(bundled_app: Flask, url: str) -> None:
    html = page(bundled_app.test_client(), url)
    assert "<script>" not in html and '"><b>' not in html


def test_the_build_keeps_the_table_beside_the_store(bundled_store) -> None:
    import pyoxigraph as ox

    from paradip_kg.publish.facets import facet_table, load
    from paradip_kg.store.disk import Manifest, manifest_path
    from paradip_kg.store.search_index import index_path
    manifest = Manifest.read(manifest_path(bundled_store))
    assert manifest is not None
    kept = load(index_path(bundled_store), manifest.content_hash)
    assert kept is not None
    read = facet_table(ox.Store.read_only(str(bundled_store)))
    assert kept.agreements == read.agreements and kept.values == read.values and kept.things == read.things
    assert load(index_path(bundled_store), "another state") is None  # after a write: read from the store again


def test_after_a_write_the_first_reader_keeps_the_table_for_the_other_workers(bundled_store, tmp_path) -> None:
    """After an accepted write the table is read from the store once, by the first worker that
    needs it, and kept for that state beside the store: a second worker (another app on the same
    store) reads it from there, and it shows the written agreement."""
    import shutil

    from paradip_kg.publish.facets import facet_table, load
    from paradip_kg.store.head import open_store, read_head
    from paradip_kg.store.search_index import index_path
    from support.apps import app_on
    from support.stores import copy_store
    from support.writes import agreement

    store = copy_store(bundled_store, tmp_path)
    shutil.copy(index_path(bundled_store), index_path(store))  # the build's index, beside the copy
    token = "browse-token-0123456789abcdefXYZ"
    with app_on(store, write_tokens=f"curator={token}", overview_wait=60) as first:  # the visitor waits
        client = first.test_client()
        before = total(page(client, "/browse"))
        written = client.post("/update", data=agreement("browse").encode(), content_type="application/sparql-update",
                              headers={"Authorization": f"Bearer {token}"})
        assert written.status_code == 200, written.get_data(as_text=True)
        tag = read_head(store).tag
        assert load(index_path(store), tag) is None  # the write did not make the new state's table
        assert total(page(client, "/browse")) == before + 1
    kept = load(index_path(store), tag)
    assert kept is not None
    read = facet_table(open_store(store))
    assert kept.agreements == read.agreements and kept.values == read.values and kept.things == read.things
    with app_on(store) as second:
        assert total(page(second.test_client(), "/browse")) == before + 1


def test_while_the_table_is_refreshed_the_list_before_the_write_is_shown(bundled_store, tmp_path) -> None:
    """After a write, while another worker computes the new state's table (it holds the refresh's
    lock), /browse is drawn at once from the table before, says so, and is not to be reused by
    caches; once the new table is kept, the next visit lists the written agreement."""
    import fcntl
    import shutil
    import time

    from paradip_kg.publish.kept import FACET_TABLE, lock_path
    from paradip_kg.store.search_index import index_path
    from support.apps import app_on
    from support.stores import copy_store
    from support.writes import agreement

    store = copy_store(bundled_store, tmp_path)
    index = index_path(store)
    shutil.copy(index_path(bundled_store), index)
    token = "browse-token-0123456789abcdefXYZ"
    note = "The counts and lists on this page are those of the state published before the latest writes"
    with app_on(store, write_tokens=f"curator={token}", overview_wait=0) as app:
        client = app.test_client()
        before = total(page(client, "/browse?lang=en"))
        written = client.post("/update", data=agreement("browse-stale").encode(),
                              content_type="application/sparql-update", headers={"Authorization": f"Bearer {token}"})
        assert written.status_code == 200, written.get_data(as_text=True)
        with open(lock_path(FACET_TABLE, index), "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # another worker is computing the table
            stale = client.get("/browse?lang=en")
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        text = stale.get_data(as_text=True)
        assert stale.status_code == 200 and note in text and total(text) == before
        assert stale.headers["Cache-Control"] == "no-cache"
        deadline, fresh = time.monotonic() + 60, text
        while note in fresh and time.monotonic() < deadline:
            time.sleep(0.05)
            fresh = page(client, "/browse?lang=en")
        assert note not in fresh and total(fresh) == before + 1
