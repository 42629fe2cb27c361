"""The home page's charts at world scale: the rewritten queries answer as their first forms did,
and a graph too big to draw whole is drawn around its most connected governments.

docs/benchmarks.md ("The home page at ~1M"): over ~40,000 agreements read from disk the first forms
took 66 s a language and the page timed out (WORKER TIMEOUT at 120 s). The rewritten queries read
each fact once and join it (tests/support/chart_first_forms.py keeps the first forms, the oracle);
the selector lists the governments party to the most agreements; without a choice, past
``queries.DRAW_EVERY`` agreements, the network and the map draw the agreements of the
``queries.HUBS`` governments with the most agreements. Each is checked here on the bundled graph
and on a ~5k world beside it, and the page itself the way a visitor meets it.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS, ID
from paradip_kg.publish.charts import queries
from support import chart_first_forms as first

DEFAULT = [ox.NamedNode(str(GRAPHS[name])) for name in DEFAULT_GRAPHS]
BENITO_JUAREZ = str(ID["government/mx-23005"])
CHARTS = first.CHARTS  # each chart: (its first form, its query now)


def rows(store: ox.Store, text: str) -> list[tuple[str, ...]]:
    """The rows of a query as strings, sorted (ties may come in any order)."""
    return sorted(tuple(str(t) if t is not None else "" for t in row)
                  for row in store.query(text, default_graph=DEFAULT))


@pytest.fixture(scope="module")
def bundled(bundled_store: Path) -> ox.Store:
    return ox.Store.read_only(str(bundled_store))


def stores(bundled: ox.Store, world: ox.Store) -> list[ox.Store]:
    return [bundled, world]


@pytest.mark.parametrize("focus", [None, BENITO_JUAREZ])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_the_charts_answer_as_their_first_forms(bundled: ox.Store, world_store: ox.Store, chart: str,
                                               focus: str | None) -> None:
    old, new = CHARTS[chart]
    for store in stores(bundled, world_store):
        found = rows(store, new("es", focus))
        assert found == rows(store, old("es", focus)), chart
        assert found or chart in ("by-theme", "by-sdg")  # the essay states no theme and no SDG for Tabla 1
    # the world gives the counting charts something to count beyond the bundled graph
    assert len(rows(world_store, queries.query_by_country("en"))) > len(rows(bundled, queries.query_by_country("en")))


def most_connected(store: ox.Store, count: int, within: str = "") -> list[str]:
    """The ``count`` parties with the most agreements, ties by IRI: worked out in Python."""
    pairs = {(a.value, p.value) for a, p in store.query(
        "SELECT ?a ?p WHERE { ?a <https://w3id.org/paradip/ontology#hasParty> ?p }", default_graph=DEFAULT)}
    counted = Counter(p for _, p in pairs if p.startswith(within))
    return sorted(counted, key=lambda p: (-counted[p], p))[:count]


def test_the_selector_lists_the_governments_with_the_most_agreements(bundled: ox.Store,
                                                                      world_store: ox.Store) -> None:
    """The first ``n`` governments by agreements (ties by IRI), each as the first form names it."""
    prefix = str(ID["government/"])
    for store in stores(bundled, world_store):
        everyone = {row[0]: row for row in rows(store, first.query_governments("es"))}
        for n in (3, 5, queries.CHOICES):
            chosen = rows(store, queries.query_governments("es", n))
            expected = most_connected(store, n, prefix)
            assert sorted(row[0] for row in chosen) == sorted(f"<{iri}>" for iri in expected)
            assert all(row == everyone[row[0]] for row in chosen)
        one = rows(store, queries.query_government("es", BENITO_JUAREZ))
        assert one == [everyone[f"<{BENITO_JUAREZ}>"]]
        assert rows(store, queries.query_government("es", str(ID["government/nowhere"]))) == []


@pytest.mark.parametrize("chart", ["network", "map"])
def test_past_the_limit_the_network_and_map_draw_the_most_connected(world_store: ox.Store, chart: str) -> None:
    """Without a focus, ``hubs`` keeps the first form's rows whose agreement has one of the ``hubs``
    parties with the most agreements."""
    old, new = CHARTS[chart]
    hubs = most_connected(world_store, queries.HUBS)
    theirs = {f"<{a.value}>" for a, in world_store.query(
        "SELECT DISTINCT ?a WHERE { VALUES ?hub { " + " ".join(f"<{h}>" for h in hubs) + " } "
        "?a <https://w3id.org/paradip/ontology#hasParty> ?hub }", default_graph=DEFAULT)}
    everything = rows(world_store, old("en"))
    agreement = 3 if chart == "network" else 2  # the column of ?agreement
    expected = [row for row in everything if row[agreement] in theirs]
    found = rows(world_store, new("en", None, None, queries.HUBS))
    assert found == expected
    assert 0 < len(found) < len(everything)


def home(client: Any, query: str = "") -> str:
    response = client.get(f"/?lang=en{query}", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return str(response.get_data(as_text=True))


def figure(page: str, slug: str) -> str:
    start = page.index(f'id="chart-{slug}"')
    return page[start:page.index("</figure>", start)]


def chart_query(fragment: str) -> str:
    href = html.unescape(re.search(r'class="chart-query" href="([^"]+)"', fragment).group(1))  # type: ignore[union-attr]
    return parse_qs(urlsplit(href).query)["query"][0]


def test_a_graph_past_the_limit_is_drawn_around_its_hubs_as_a_visitor_sees_it(
        make_app: Callable[..., Any], bundled_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled graph, with the limits set below its size: the page says what it draws, the
    network's and the map's links run the capped query, the selector lists the first governments and
    says so, and a government past them can still be chosen (from the address, as its list links it)."""
    monkeypatch.setattr(queries, "DRAW_EVERY", 5)
    monkeypatch.setattr(queries, "HUBS", 2)
    monkeypatch.setattr(queries, "CHOICES", 3)
    client = make_app(store=str(bundled_store)).test_client()
    page = home(client)
    network = figure(page, "network")
    assert "The network of the 2 governments with the most agreements" in network
    assert "drawn here are those of the 2 governments with the most agreements" in network
    every = re.search(r'<option value="" selected>Every agreement \((\d+)\)</option>', page)
    assert every and f"The graph has {every.group(1)} agreements" in network  # the page's one count
    text = chart_query(network)
    assert "LIMIT 2" in text
    answer = client.get("/sparql", query_string={"query": text}, headers={"Accept": "application/sparql-results+json"})
    bindings = answer.get_json()["results"]["bindings"]
    agreements = {b["agreement"]["value"] for b in bindings}
    assert 0 < len(agreements) and network.count('<line class="edge') == len(agreements)
    assert "LIMIT 2" in chart_query(figure(page, "map"))
    options = re.findall(r'<option value="([^"]*)"', page)
    assert options[0] == "" and len(options) == 1 + 3
    assert "The list shows the 3 governments with the most agreements" in page
    others = {g.value[len(str(ID["government/"])):] for g, in ox.Store.read_only(str(bundled_store)).query(
        "SELECT DISTINCT ?g WHERE { ?a <https://w3id.org/paradip/ontology#hasParty> ?g }", default_graph=DEFAULT)
        if g.value.startswith(str(ID["government/"]))} - set(options)
    assert others, "the bundled graph has governments past the first 3"
    key = sorted(others)[0]
    chosen = home(client, f"&municipality={key}")
    assert f'<option value="{key}" selected>' in chosen
    assert client.get("/?municipality=nowhere", headers={"Accept": "text/html"}).status_code == 404
    for injected in ("%3E%20%3Chttp://x%3E", "a%0Ab", "a%3Eb", "..%2Fx"):  # nothing a key puts into the query
        assert client.get(f"/?municipality={injected}", headers={"Accept": "text/html"}).status_code == 404


def test_the_bench_compares_every_chart_with_its_first_form(world_store: ox.Store) -> None:
    """bench/bench_home.py's table on the world sample: every chart, both choices, the rows checked
    equal to the first form's (it asserts), and the total."""
    import bench_home  # bench/, on the path through the world_store fixture

    lines = bench_home.queries_table(world_store, with_first=True)
    assert sum(1 for line in lines if line.startswith("| ") and " | none | " in line) == len(CHARTS)
    assert lines[-1].startswith("| **all, one language** |")


def test_the_hosts_a_client_sends_neither_rerun_the_charts_nor_grow_the_worker(
        make_app: Callable[..., Any], bundled_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The charts' links carry the host, so their HTML is kept per host; a client choosing the Host
    header must not make the worker run the chart queries again (6–8 s at ~1M) or keep every variant."""
    from collections import OrderedDict

    from paradip_kg.web import home as home_page
    from paradip_kg.web.state import get_state

    app = make_app(store=str(bundled_store))
    client = app.test_client()
    from paradip_kg.publish.charts import kept

    ran: list[str] = []  # the chart queries the worker asked for: of the rows kept beside the store, or of the store
    real_load, real_bindings = kept.load_one, home_page._bindings
    monkeypatch.setattr(kept, "load_one", lambda path, tag, text: ran.append(text) or real_load(path, tag, text))
    monkeypatch.setattr(home_page, "_bindings", lambda store, text: ran.append(text) or real_bindings(store, text))
    for i in range(home_page.RECENT_CHARTS + 8):
        response = client.get("/?lang=en", base_url=f"http://host-{i}.example", headers={"Accept": "text/html"})
        assert response.status_code == 200
        assert f"http://host-{i}.example/" in response.get_data(as_text=True)  # its links name the host asked
    assert ran and len(ran) == len(set(ran))  # every chart query ran once, for the first host
    for chosen in ("mx-23005", "us-wichita"):
        assert client.get(f"/?lang=en&municipality={chosen}", headers={"Accept": "text/html"}).status_code == 200
    with app.app_context():
        state = get_state()
        for family in ("home-charts", "home-section"):
            assert 0 < len(state.cached(("recent", family), OrderedDict)) <= home_page.RECENT_CHARTS
