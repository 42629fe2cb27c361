"""The home page's rows over every agreement, kept beside the store (publish/charts/kept.py).

At ~1M triples the queries behind the charts of every agreement take seconds; the build runs them
once and keeps their rows in the search index, for its state. Here: the kept rows are the store's
answers, term for term; a fresh worker draws the home page in both languages without asking the
store one of them, and draws the same page as when nothing was kept; after a write the page counts
the new agreement, and the rows the first worker read are kept for the next one. While the rows of
the new state are being computed (web/overview.py), the page is drawn from the state before and
says so.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib.namespace import RDF

from paradip_kg.namespaces import GRAPHS
from paradip_kg.publish import void
from paradip_kg.publish.charts import kept, queries
from paradip_kg.sparql import local
from paradip_kg.sparql.local import run_on_store
from paradip_kg.store import search_index
from paradip_kg.store.head import open_store, read_head
from support.apps import app_on
from support.stores import copy_store
from support.writes import agreement

TOKEN = "kept-rows-token-0123456789abcdef"
HTML = {"Accept": "text/html"}
STALE_EN = "The counts and lists on this page are those of the state published before the latest writes"
STALE_ES = "Los conteos y las listas de esta página son los del estado publicado antes de las últimas escrituras"


def copy_with_index(bundled_store: Path, folder: Path) -> Path:
    """A copy of the bundled store with its search index (where the build keeps the rows)."""
    target = copy_store(bundled_store, folder)
    shutil.copy(search_index.index_path(bundled_store), search_index.index_path(target))
    return target


@pytest.fixture()
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The queries the pages run on the store in this process (every one goes through ``run_query``)."""
    ran: list[str] = []
    real = local.run_query

    def run_query(store: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        ran.append(text)
        return real(store, text, *args, **kwargs)
    monkeypatch.setattr(local, "run_query", run_query)
    yield ran


def test_the_build_keeps_the_stores_answers_term_for_term(bundled_store: Path) -> None:
    store = open_store(bundled_store)
    index, tag = search_index.index_path(bundled_store), read_head(bundled_store).tag
    found = kept.overview_rows(store)
    assert queries.count_agreements() in found and len(found) >= 16  # 8 charts and the selector, 2 languages
    for text, rows in found.items():
        again = kept.load_one(index, tag, text)
        assert again is not None, text
        assert again == rows == run_on_store(store, text).rows, text
    assert kept.load_one(index, "another state", queries.count_agreements()) is None
    assert kept.load_one(index, tag, "SELECT * WHERE { ?never ?asked ?this }") is None


@pytest.mark.parametrize("term", [
    ox.NamedNode("https://w3id.org/paradip/id/government/mx-23005"), ox.BlankNode("b0"), ox.Literal("plain"),
    ox.Literal('comillas " y\nsaltos', language="es"), ox.Literal("1995", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#gYear")), ox.Literal("19", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), None])
def test_a_kept_term_is_the_term(term: Any, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    kept.save(index, "t", {"q": [{"x": term}]})
    again = kept.load_one(index, "t", "q")
    assert again == [{"x": term}]
    assert type(again[0]["x"]) is type(term)


def first_by_python(store: ox.Store, cls: object) -> str | None:
    """The examples' first form: every subject typed ``cls`` in the data and inferred graphs, sorted."""
    found = sorted(q.subject.value for g in ("data", "inferred")
                   for q in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(cls)),
                                                    ox.NamedNode(str(GRAPHS[g])))
                   if isinstance(q.subject, ox.NamedNode))
    return found[0] if found else None


def test_the_examples_are_the_first_iris_as_python_sorts_them(bundled_store: Path, world_store: ox.Store) -> None:
    for store in (open_store(bundled_store), world_store):
        expected = [f for f in (first_by_python(store, cls) for cls in void.EXAMPLE_CLASSES) if f is not None]
        assert void.examples(store) == expected and len(expected) == 4


def test_a_fresh_worker_draws_the_home_page_without_asking_the_store(
        bundled_store: Path, tmp_path: Path, asked: list[str]) -> None:
    with app_on(bundled_store) as app:
        client = app.test_client()
        pages = {lang: client.get(f"/?lang={lang}", headers=HTML) for lang in ("es", "en")}
        assert all(page.status_code == 200 for page in pages.values())
        assert asked == []  # its figures, examples, charts and selector: all from the kept rows
        chosen = client.get("/?lang=en&municipality=mx-23005", headers=HTML)
        assert chosen.status_code == 200 and asked  # a choice asks the store (its rows are few)

    # The same page as a worker draws from the store's answers, with nothing kept.
    bare = copy_store(bundled_store, tmp_path / "bare")
    assert not search_index.index_path(bare).exists()
    asked.clear()
    with app_on(bare) as app:
        client = app.test_client()
        for lang, page in pages.items():
            assert client.get(f"/?lang={lang}", headers=HTML).get_data(as_text=True) == page.get_data(as_text=True)
    assert asked


def total_kept(store_dir: Path) -> int | None:
    rows = kept.load_one(search_index.index_path(store_dir), read_head(store_dir).tag, queries.count_agreements())
    return None if rows is None else sum(int(row["agreements"].value) for row in rows)


def test_after_a_write_the_page_counts_it_and_the_next_worker_reads_what_the_first_kept(
        bundled_store: Path, tmp_path: Path, asked: list[str]) -> None:
    store_dir = copy_with_index(bundled_store, tmp_path)
    before = total_kept(store_dir)
    assert before is not None and before > 0

    def draw(client: Any) -> str:
        return str(client.get("/?lang=en", headers=HTML).get_data(as_text=True))
    # The visitor after the write waits for the new state's rows (up to overview_wait, long here).
    with app_on(store_dir, write_tokens=f"curator={TOKEN}", overview_wait=60) as app:
        client = app.test_client()
        first = draw(client)
        response = client.post("/update", data=agreement("kept-rows").encode(), headers={
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert total_kept(store_dir) is None  # the build's rows were for the state before the write
        after = draw(client)
        assert after != first and STALE_EN not in after
        assert total_kept(store_dir) == before + 1  # the refresh (a process of its own) kept the new rows
    asked.clear()
    with app_on(store_dir) as app:  # another worker on the same state
        assert draw(app.test_client()) == after
    assert asked == []


def agreements_shown(page: str) -> int:
    """The home page's first figure: the agreements it counts."""
    import re

    found = re.search(r'<ul class="ld-figures">\s*<li><strong>(\d+)</strong>', page)
    assert found, "the home page shows no figures"
    return int(found.group(1))


def test_after_a_write_the_page_shows_the_counts_before_until_the_new_ones_are_kept(
        bundled_store: Path, tmp_path: Path, asked: list[str]) -> None:
    """The first visitor after a write does not wait for the new state's rows (seconds at ~1M): while
    another worker refreshes them (it holds the refresh's lock), the page is drawn from the build's
    rows at once, says so, and is not to be reused by caches; once they are kept, the next visit
    counts the write, under a new entity tag."""
    import fcntl
    import time

    from paradip_kg.publish.kept import HOME_ROWS, lock_path

    store_dir = copy_with_index(bundled_store, tmp_path)
    index = search_index.index_path(store_dir)
    before = total_kept(store_dir)
    assert before is not None
    with app_on(store_dir, write_tokens=f"curator={TOKEN}", overview_wait=0) as app:
        client = app.test_client()
        first = client.get("/?lang=en", headers=HTML)
        assert agreements_shown(first.get_data(as_text=True)) == before
        response = client.post("/update", data=agreement("kept-rows-stale").encode(), headers={
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
        assert response.status_code == 200, response.get_data(as_text=True)
        asked.clear()
        with open(lock_path(HOME_ROWS, index), "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # another worker is refreshing the rows
            stale = client.get("/?lang=en", headers=HTML)
            about = client.get("/about?lang=es", headers=HTML)
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        page = stale.get_data(as_text=True)
        assert stale.status_code == 200 and STALE_EN in page
        assert agreements_shown(page) == before  # the build's counts, the write not yet in them
        assert asked == []  # drawn at once: no query of the store waited for
        assert stale.headers["Cache-Control"] == "no-cache" and stale.headers["ETag"] != first.headers["ETag"]
        assert about.status_code == 200 and STALE_ES in about.get_data(as_text=True)
        # The lock is free: the next visit refreshes (in the background; overview_wait is 0 here).
        deadline, fresh = time.monotonic() + 60, stale
        while STALE_EN in fresh.get_data(as_text=True) and time.monotonic() < deadline:
            time.sleep(0.05)
            fresh = client.get("/?lang=en", headers=HTML)
        page = fresh.get_data(as_text=True)
        assert STALE_EN not in page and agreements_shown(page) == before + 1
        assert fresh.headers["Cache-Control"] != "no-cache"
        again = client.get("/?lang=en", headers={**HTML, "If-None-Match": stale.headers["ETag"]})
        assert again.status_code == 200  # the stale copy is not current any more
        assert client.get("/?lang=en", headers={**HTML, "If-None-Match": fresh.headers["ETag"]}).status_code == 304
        assert STALE_ES not in client.get("/about?lang=es", headers=HTML).get_data(as_text=True)
    assert total_kept(store_dir) == before + 1


def test_only_two_states_rows_are_kept(tmp_path: Path) -> None:
    """The complete set stays until another complete set takes its place; of the states after it,
    only the newest one's rows are held."""
    index = tmp_path / "index.sqlite"
    row = [{"n": ox.Literal("1")}]
    kept.save(index, "built", {"a": row, "b": row}, complete=True)
    kept.save(index, "write 1", {"a": row})
    assert kept.complete_tag(index) == "built" and kept.load_one(index, "write 1", "a") == row
    kept.save(index, "write 2", {"b": row})
    assert kept.load_one(index, "write 1", "a") is None  # an older partial state went
    assert kept.load_one(index, "built", "a") == row and kept.load_one(index, "write 2", "b") == row
    kept.save(index, "write 2", {"a": row}, complete=True)
    assert kept.complete_tag(index) == "write 2" and kept.load_one(index, "built", "a") is None
    assert kept.load_one(index, "write 2", "b") == row  # the rows kept before the set was complete stay
    kept.save(index, "write 2", {"c": row})  # a partial save of the complete state keeps it complete
    assert kept.complete_tag(index) == "write 2"
    assert kept.complete_tag(tmp_path / "missing.sqlite") is None


def test_rows_that_cannot_be_kept_are_still_served(bundled_store: Path, tmp_path: Path, asked: list[str]) -> None:
    """A search index that is not one (a damaged file): the page is drawn from the store's answers."""
    store_dir = copy_with_index(bundled_store, tmp_path)
    search_index.index_path(store_dir).write_bytes(b"not a database " * 100)
    with app_on(store_dir) as app:
        page = app.test_client().get("/?lang=es", headers=HTML)
        assert page.status_code == 200 and asked
        assert "Acuerdos por" in page.get_data(as_text=True)


GEVENT_WORKER = r"""
from gevent import monkey
monkey.patch_all()  # as gunicorn's gevent worker does
import json, time
import gevent, pyoxigraph as ox
from paradip_kg.web.state import off_the_loop

store = ox.Store()
store.bulk_extend([ox.Quad(ox.NamedNode(f"urn:x:s{i}"), ox.NamedNode("urn:x:p"), ox.Literal(f"value {i}"),
                           ox.DefaultGraph()) for i in range(1500)])
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?t ?p ?u FILTER(STR(?o) < STR(?u)) }"  # ~1M pairs
ticks = []

def tick():
    while True:
        ticks.append(time.monotonic())
        gevent.sleep(0.01)

gevent.spawn(tick)
gevent.sleep(0.05)
"""  # a gevent worker's loop with a greenlet ticking every 10 ms, and a slow query to run
OFF_THE_LOOP = GEVENT_WORKER + r"""
out = {}
for name, run in (("in the loop", lambda work: work()), ("off the loop", off_the_loop)):
    start, began = len(ticks), time.monotonic()
    n = run(lambda: int(next(iter(store.query(SLOW)))["n"].value))
    out[name] = {"seconds": time.monotonic() - began, "ticks": len(ticks) - start, "n": n}
print(json.dumps(out))
"""


def test_what_a_page_keeps_per_state_is_computed_off_the_workers_loop(tmp_path: Path) -> None:
    """In a gevent worker (the server's), a page's costly query runs in a thread of gevent's pool:
    another connection of the same worker is served meanwhile (here: a greenlet ticking every 10 ms),
    where the same query run in the loop stops it."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", OFF_THE_LOOP], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    here, off = out["in the loop"], out["off the loop"]
    assert here["n"] == off["n"] > 0
    assert here["seconds"] > 0.1 and here["ticks"] <= 1  # the loop stood still
    assert off["ticks"] >= off["seconds"] / 0.01 / 4  # it went on (a quarter of its ticks at least)


REFRESH_UNDER_GEVENT = GEVENT_WORKER + r"""
import sys
from pathlib import Path
from paradip_kg.publish.kept import HOME_ROWS, start_again
from paradip_kg.web.overview import _waiting

began = time.monotonic()
wait = _waiting(start_again(HOME_ROWS, Path(sys.argv[1]), "a newer state", Path(sys.argv[2])))
at_once = wait(0)
start = len(ticks)
ended = wait(120)
print(json.dumps({"at once": at_once, "ended": ended, "ticks": len(ticks) - start,
                  "seconds": time.monotonic() - began}))
"""


def test_a_refresh_runs_beside_the_workers_loop_and_can_be_waited_for(bundled_store: Path, tmp_path: Path) -> None:
    """Under gevent (the server's workers), the refresh after a write is a child process started
    from the request's greenlet: starting it returns at once, the worker's loop goes on while it runs,
    a visitor can wait for it a while, and it keeps the rows. (Started from a thread of gevent's
    pool, gevent's subprocess module refuses: its child watchers live on the main loop.)"""
    import json
    import subprocess
    import sys

    store_dir = copy_with_index(bundled_store, tmp_path / "copy")
    index = search_index.index_path(store_dir)
    done = subprocess.run([sys.executable, "-c", REFRESH_UNDER_GEVENT, str(index), str(store_dir)],
                          capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["at once"] is False and out["ended"] is True
    assert out["ticks"] >= out["seconds"] / 0.01 / 4  # the loop went on meanwhile
    assert kept.complete_tag(index) == "a newer state"
    assert kept.load_one(index, "a newer state", queries.count_agreements())


def test_a_refresh_leaves_the_work_to_the_process_that_holds_its_lock(bundled_store: Path, tmp_path: Path) -> None:
    import fcntl

    from paradip_kg.publish.kept import HOME_ROWS, lock_path, start_again

    store_dir = copy_with_index(bundled_store, tmp_path / "copy")
    index = search_index.index_path(store_dir)
    with open(lock_path(HOME_ROWS, index), "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        assert start_again(HOME_ROWS, index, "a newer state", store_dir).wait(60) == 0
    assert kept.complete_tag(index) == read_head(store_dir).tag  # the build's set, untouched


def test_a_failure_of_the_home_page_queries_stops_the_build_with_its_error(tmp_path: Path) -> None:
    from paradip_kg.publish.kept import ChartRows
    from paradip_kg.store.disk import Manifest

    rows = ChartRows(tmp_path / "no-store-here")  # the thread fails to open it
    with pytest.raises(OSError):
        rows.keep(tmp_path / "no-store-here", Manifest(content_hash="x", built_at="", triples={}))


def test_requests_that_come_while_the_rows_are_made_wait_for_them(bundled_store: Path, tmp_path: Path) -> None:
    """Off the loop, a second visitor can arrive while the first one's queries run: it waits for
    their rows instead of running the same seconds of queries again."""
    import threading
    import time

    from paradip_kg.web.state import get_state

    bare = copy_store(bundled_store, tmp_path)  # nothing kept beside it
    calls: list[float] = []

    def ask() -> list[dict[str, Any]]:
        calls.append(time.monotonic())
        time.sleep(0.3)
        return [{"n": ox.Literal("1")}]

    with app_on(bare) as app:
        with app.app_context():
            state = get_state()
        found: list[Any] = []
        visitors = [threading.Thread(target=lambda: found.append(state.kept_rows("SELECT 1", ask))) for _ in range(4)]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join()
    assert len(calls) == 1 and found == [[{"n": ox.Literal("1")}]] * 4


def test_a_query_whose_languages_differ_only_by_its_title_is_asked_once(bundled_store: Path,
                                                                          asked: list[str]) -> None:
    """The region chart's query is the same in both languages but for its title comment: the build
    and the refresh ask it once, and keep its rows under both texts."""
    es, en = queries.query_by_region("es"), queries.query_by_region("en")
    assert es != en and kept.untitled(es) == kept.untitled(en)
    found = kept.overview_rows(open_store(bundled_store))
    assert found[es] == found[en] == run_on_store(open_store(bundled_store), en).rows
    assert sum(1 for text in asked if kept.untitled(text) == kept.untitled(es)) == 2  # once here, once to check


def test_visits_while_another_process_refreshes_start_no_process_each(bundled_store: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """While another worker holds the refresh's lock, this worker's refresh ends at once without
    keeping anything; the visits that follow within a few seconds do not start a process each."""
    import fcntl

    from paradip_kg.publish.kept import HOME_ROWS, lock_path
    from paradip_kg.web import overview

    store_dir = copy_with_index(bundled_store, tmp_path)
    index = search_index.index_path(store_dir)
    started: list[Any] = []  # the refresh processes this worker started
    real = overview.start_again

    def counted(*args: Any) -> Any:
        started.append(real(*args))
        return started[-1]
    monkeypatch.setattr(overview, "start_again", counted)
    with app_on(store_dir, write_tokens=f"curator={TOKEN}", overview_wait=0) as app:
        client = app.test_client()
        response = client.post("/update", data=agreement("kept-rows-busy").encode(), headers={
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
        assert response.status_code == 200, response.get_data(as_text=True)
        with open(lock_path(HOME_ROWS, index), "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            pages = [client.get("/?lang=en", headers=HTML)]
            assert len(started) == 1 and started[0].wait(60) == 0  # it ended at once, the work left to the holder
            pages += [client.get("/?lang=en", headers=HTML) for _ in range(4)]
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    assert all(p.status_code == 200 and STALE_EN in p.get_data(as_text=True) for p in pages)
    assert len(started) == 1
