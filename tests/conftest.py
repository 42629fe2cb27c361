"""Shared fixtures, one instance each for every test module that asks (built from tests/support).

Stores (session-scoped: built or written once, read by every module):
- ``bundled_store``: the repository's graph, built once per session.
- ``sample_store``: a small store in the shape of the bundled one (support/sample.py).
- ``ld_store``: the linked-data store of the dereferencing, page and dump tests (support/ld.py).
- ``world_store``: the bundled store plus a ~5k world and its entailments, in memory (bench/world.py).

Apps (each closed at teardown, which stops its query and validation child processes):
- ``make_app(**settings)``: apps on the sample store with settings overridden (``store=...``
  too); ``app`` and ``client`` are the default ones.
- ``sample_app``, ``bundled_app`` (module-scoped): one app for a module's read-only tests, on
  the sample or the bundled store: one query child process for the module.
- ``ld_app``, ``ld_client``: an app on ``ld_store`` with ``result_limit`` 40.

Remote store (session-scoped, for tests/test_virtuoso.py and tests/test_backends.py):
- ``virtuoso``: a private Virtuoso on 127.0.0.1; ``pushed``: the bundled graph pushed into it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from paradip_kg.backends.client import RemoteStore
from paradip_kg.backends.push import PushResult, push
from support.apps import Apps, app_on
from support.ld import write_ld_store
from support.sample import write_sample_store
from support.stores import build_bundled
from support.virtuoso import Virtuoso, running_virtuoso

# --- Stores --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the repository's ontology/, vocab/, data/ and shapes/."""
    return build_bundled(tmp_path_factory.mktemp("bundled") / "store")


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store in the shape of the bundled one, with its manifest."""
    return write_sample_store(tmp_path_factory.mktemp("sample") / "store")


@pytest.fixture(scope="session")
def ld_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ld_store(tmp_path_factory.mktemp("ld") / "store")


# --- Apps ----------------------------------------------------------------------------------------


@pytest.fixture()
def make_app(sample_store: Path) -> Iterator[Apps]:
    """A factory of apps on the sample store: ``make_app(result_limit=2, ...)``."""
    apps = Apps(store=sample_store)
    yield apps
    apps.close()


@pytest.fixture()
def app(make_app: Apps) -> Flask:
    return make_app()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def sample_app(sample_store: Path) -> Iterator[Flask]:
    """One app on the sample store for a module's read-only tests."""
    with app_on(sample_store) as made:
        yield made


@pytest.fixture(scope="module")
def bundled_app(bundled_store: Path) -> Iterator[Flask]:
    """One app on the bundled store for a module's read-only tests."""
    with app_on(bundled_store) as made:
        yield made


@pytest.fixture()
def ld_app(make_app: Apps, ld_store: Path) -> Flask:
    return make_app(store=ld_store, result_limit=40)


@pytest.fixture()
def ld_client(ld_app: Flask) -> FlaskClient:
    return ld_app.test_client()


# --- A remote store ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A private Virtuoso on 127.0.0.1, in a temporary folder; stopped at the end of the session."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def pushed(virtuoso: Virtuoso, bundled_store: Path) -> tuple[RemoteStore, PushResult]:
    """The bundled graph, built and pushed into Virtuoso."""
    remote = virtuoso.store()
    return remote, push(bundled_store, remote)


@pytest.fixture(scope="session")
def world_store(tmp_path_factory: pytest.TempPathFactory, bundled_store: Path) -> ox.Store:
    """The bundled store, plus a ~5k world with its entailments (as bench/bench_world_serve.py makes it)."""
    import sys

    from support.paths import ROOT

    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    import world  # bench/world.py
    from bench_world_serve import entailed_quads

    bundled = list(ox.Store.read_only(str(bundled_store)).quads_for_pattern(None, None, None, None))
    data = list(world.generate(5000))
    store = ox.Store()
    for part in (bundled, data, entailed_quads(bundled, data)):
        store.bulk_extend(part)
    return store
