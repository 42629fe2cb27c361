"""What one worker process shares between requests: the settings, the backend, and the caches.

:class:`AppState` lives in ``app.extensions["paradip_kg"]`` (put there by
:func:`paradip_kg.web.app.create_app`) and is reached from a request with :func:`get_state`. It
asks its backend (:mod:`paradip_kg.backends`, chosen by the setting ``backend``) for the store,
the head (the version behind ETags and caches), the manifest and the query runner; writes go
only to a backend that takes them (the embedded one).

:meth:`AppState.cached` is the one place the pages keep what they computed: values made from
the published state, kept until that state changes (a write, a build, a push seen at the
remote store), or, with ``per_version=False``, kept for the process's life (bounded). No module
keeps a cache of its own.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app

from paradip_kg.backends.base import Backend, Runner
from paradip_kg.backends.configured import make_backend
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.publish.charts import kept
from paradip_kg.shacl.runner import ValidationPool
from paradip_kg.store import search_index
from paradip_kg.store.disk import Manifest
from paradip_kg.store.head import Head
from paradip_kg.web.budget import Budget

EXTENSION = "paradip_kg"
PATH_SETTINGS = ("store", "project_dir", "validation_reports_dir")
LOG = logging.getLogger(__name__)
T = TypeVar("T")
LASTING_SIZE = 256  # most values kept across versions (per_version=False), least recently used dropped


class AppState:
    """What one worker process shares between requests: settings, backend, caches."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.settings = dict(values)
        # Relative folders are the working folder's, as the user gave them (`var/store`); made absolute
        # once, here, because Flask's send_file resolves a relative path against the package folder.
        # Links are kept, not followed: the store's link names its newest build (store/disk.py).
        for name in PATH_SETTINGS:
            if self.settings.get(name):
                self.settings[name] = os.path.abspath(self.settings[name])
        self.store_dir = Path(self.settings["store"])
        self.union_default_graph = bool(self.settings.get("union_default_graph", False))
        self.backend: Backend = make_backend(self.settings, self.default_graphs, self.union_default_graph)
        self._cache_version: str | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._lasting: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._validations: ValidationPool | None = None
        self._closers: list[Callable[[], None]] = []
        self.budget = Budget(float(self.settings.get("query_budget") or 0))  # query seconds per client a minute

    @property
    def default_graphs(self) -> tuple[str, ...]:
        """IRIs of the graphs whose union is the default graph (empty: union of all graphs)."""
        return () if self.union_default_graph else tuple(str(GRAPHS[k]) for k in DEFAULT_GRAPHS)

    def head(self) -> Head:
        """The newest published state (NotAvailable, 503, when there is none)."""
        return self.backend.head()

    def store(self) -> Any:
        """The store the pages read: a ``pyoxigraph.Store``, or the remote store's look-alike."""
        return self.backend.store()

    def runner(self) -> Runner:
        """What runs this thread's ``/sparql`` jobs."""
        return self.backend.runner()

    def validation_runner(self) -> ValidationPool:
        """This process's ``/validate`` children, a bounded pool (started on first use; a fork gets its own)."""
        with self._lock:
            if self._pid != os.getpid():  # forked (gunicorn --preload): the parent's children are not ours
                self._pid, self._validations = os.getpid(), None
            if self._validations is None:
                # Validations (pyshacl, ~100 MiB a child) get half the query lane's children, at least one.
                self._validations = ValidationPool(max(1, int(self.settings.get("query_workers") or 2) // 2),
                                                   int(self.settings.get("query_queue", 4)),
                                                   retry_after=float(self.settings.get("validation_timeout") or 30))
            return self._validations

    def manifest(self) -> Manifest | None:
        return self.backend.manifest()

    def kept_beside(self) -> tuple[Path, str] | None:
        """Where the pages keep what they read from the store for the published state, for the other
        workers (the search index, :mod:`paradip_kg.publish.kept`), and that state's tag; None: this
        backend keeps nothing beside its store (only the embedded one does)."""
        if self.settings.get("backend") != "oxigraph":
            return None
        return search_index.index_path(self.store_dir), self.head().tag

    def version(self) -> str:
        """A short token that changes whenever the published state does (for ETags and caches)."""
        return self.head().tag[:16]

    def check_writable(self) -> None:
        """Refuse a write (ReadOnlyBackend, 405) unless the backend takes writes."""
        self.backend.check_writable()

    def cached(self, key: tuple[Any, ...], make: Callable[[], Any], *, per_version: bool = True) -> Any:
        """``make()`` computed once per process under ``key``: for the current published state
        (``per_version``, the default), or kept across states (the :data:`LASTING_SIZE` most
        recently used), for values that do not depend on the store."""
        if not per_version:
            with self._lock:
                if key in self._lasting:
                    self._lasting.move_to_end(key)
                    return self._lasting[key]
            value = make()
            with self._lock:
                self._lasting[key] = value
                while len(self._lasting) > LASTING_SIZE:
                    self._lasting.popitem(last=False)
            return value
        version = self.version()
        with self._lock:
            if self._cache_version != version:
                self._cache_version, self._cache = version, {}
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            if self._cache_version == version:
                # Two requests that raced both get the first value kept: a cached holder (the
                # dump writers of web/dataset.py) must be one object per state.
                value = self._cache.setdefault(key, value)
        return value

    def kept_rows(self, text: str, ask: Callable[[], list[dict[str, Any]]],
                  tag: str | None = None) -> list[dict[str, Any]]:
        """The rows of ``text``, a costly query over the whole graph, once per published state: those
        kept beside the store for the state ``tag`` (by the build, :mod:`paradip_kg.publish.kept`, by a
        refresh after a write, ``web/overview.py``, or by the first worker that asked), else ``ask()``'s.
        ``tag``: the state the page is drawn from (None: the published one); ``ask()``'s rows are
        kept for the others only when that is the published one, whose store ``ask`` reads."""
        def make() -> list[dict[str, Any]]:
            beside = self.kept_beside()
            drawn = tag or (beside[1] if beside else None)
            found = kept.load_one(beside[0], drawn, text) if beside and drawn else None
            if found is not None:
                return found
            found = off_the_loop(ask)
            if beside and drawn == beside[1] and beside[0].exists():
                try:
                    kept.save(beside[0], drawn, {text: found})
                except (OSError, sqlite3.Error) as exc:
                    LOG.info("rows not kept in %s: %s", beside[0], exc)
            return found
        rows: list[dict[str, Any]] = self.cached_once(("kept rows", tag, text), make)
        return rows

    def cached_once(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """:meth:`cached`, with ``make()`` run by one request at a time: one that comes while another
        makes the value (off the worker's loop, :func:`off_the_loop`) waits for it, and does not
        start the same seconds of work again."""
        lock: threading.Lock = self.cached(("once", *key), threading.Lock)  # one per state and key
        with lock:
            return self.cached(key, make)

    def recent(self, family: str, key: tuple[Any, ...], make: Callable[[], Any], size: int) -> Any:
        """``make()`` kept for the current published state among the ``size`` most recently used
        values of ``family``: for values keyed by what a client sends (a government's key, the
        Host header), which :meth:`cached` would keep without bound."""
        kept: OrderedDict[tuple[Any, ...], Any] = self.cached(("recent", family), OrderedDict)
        with self._lock:
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        value = make()
        with self._lock:
            kept[key] = value
            while len(kept) > size:
                kept.popitem(last=False)
        return value

    def on_close(self, stop: Callable[[], None]) -> None:
        """Call ``stop()`` when this state closes (a child process a page started, say)."""
        with self._lock:
            self._closers.append(stop)

    def close(self) -> None:
        """Stop the child processes of this process (query and validation children, and those
        registered with :meth:`on_close`)."""
        with self._lock:
            closers, self._closers = self._closers, []
        for stop in closers:
            stop()
        self.backend.close()
        with self._lock:
            pool, self._validations = self._validations, None
        if pool is not None and self._pid == os.getpid():
            pool.stop()


def off_the_loop(work: Callable[[], T]) -> T:
    """``work()``, in a thread of gevent's pool when this process runs gevent (the server's workers):
    Oxigraph releases the GIL while it evaluates a query, so the worker's other connections go on
    while a page computes what it keeps per state (seconds at ~1M). Elsewhere (tests, the CLI) here."""
    if "gevent" not in sys.modules:
        return work()
    from gevent import get_hub, monkey

    if not monkey.is_module_patched("socket"):
        return work()
    result: T = get_hub().threadpool.apply(work)
    return result


def get_state() -> AppState:
    state: AppState = current_app.extensions[EXTENSION]
    return state
