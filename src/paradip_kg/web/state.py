"""What one worker process shares between requests: settings, the store, query runners, caches.

:class:`AppState` lives in ``app.extensions["paradip_kg"]`` (put there by
:func:`paradip_kg.web.app.create_app`) and is reached from a request with :func:`get_state`. The
store is opened lazily and read-only, each thread gets its own query child process, and
:meth:`AppState.cached` keeps values computed from the published state until that state changes:
the place for the caches of the pages (no module keeps one of its own).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import current_app
from werkzeug.exceptions import ServiceUnavailable

from paradip_kg.backends.base import make_backend  # backend switch (docs/remote-store.md)
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.sparql.runner import QueryRunner
from paradip_kg.store.disk import Head, Manifest, head_path, manifest_path, read_head

EXTENSION = "paradip_kg"


class AppState:
    """What one worker process shares between requests: settings, store, query runners."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.settings = dict(values)
        self.store_dir = Path(self.settings["store"])
        self.union_default_graph = bool(self.settings.get("union_default_graph", False))
        self._store: tuple[Path, ox.Store] | None = None
        self._head: tuple[list[Any], Head] | None = None
        self._cache_version: str | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._pid = os.getpid()
        self._local = threading.local()
        self._runners: list[QueryRunner] = []
        self._lock = threading.Lock()
        # backend switch: None for the embedded store; else memory or remote (paradip_kg.backends.base)
        self.backend = make_backend(self.settings, self.default_graphs, self.union_default_graph)

    def _check_pid(self) -> None:
        # After a fork (gunicorn with preload), handles and children belong to the parent.
        if self._pid != os.getpid():
            self._pid, self._store, self._runners = os.getpid(), None, []
            self._local = threading.local()

    @property
    def default_graphs(self) -> tuple[str, ...]:
        """IRIs of the graphs whose union is the default graph (empty: union of all graphs)."""
        return () if self.union_default_graph else tuple(str(GRAPHS[k]) for k in DEFAULT_GRAPHS)

    def head(self) -> Head:
        """The newest published state (the build, or the last accepted write), re-read only when
        the manifest or HEAD file changes (one ``stat`` each per call)."""
        if self.backend is not None:  # backend switch
            return self.backend.head()
        key: list[Any] = []
        for path in (manifest_path(self.store_dir), head_path(self.store_dir)):
            try:
                st = path.stat()
                key.append((st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                key.append(None)
        if self._head is not None and self._head[0] == key:
            return self._head[1]
        try:
            head = read_head(self.store_dir)
        except (FileNotFoundError, OSError) as exc:
            raise ServiceUnavailable(f"The knowledge graph is not available: {exc}") from None
        if key[0] is None:  # no manifest: the folder's files name it, so do not cache
            return head
        self._head = (key, head)
        return head

    def store(self) -> ox.Store:
        """The newest published state, opened read-only; reopened when a write or build moves it."""
        if self.backend is not None:  # backend switch: a Store-like object (paradip_kg.backends.base)
            return self.backend.store()  # type: ignore[no-any-return]
        self._check_pid()
        head = self.head()
        with self._lock:
            if self._store is None or self._store[0] != head.path:
                try:
                    self._store = (head.path, ox.Store.read_only(str(head.path)))
                except OSError as exc:
                    raise ServiceUnavailable(f"The knowledge graph is not available: {exc}") from None
            return self._store[1]

    def runner(self) -> QueryRunner:
        """This thread's query child process (started on first use)."""
        if self.backend is not None:  # backend switch: queries run in-process or at the remote store
            return self.backend.runner()  # type: ignore[return-value]
        self._check_pid()
        runner = getattr(self._local, "runner", None)
        if runner is None:
            if not self.store_dir.exists():
                raise ServiceUnavailable(f"The knowledge graph is not available: no store at {self.store_dir}; "
                                         "run `paradip-kg build` first")
            runner = QueryRunner(self.store_dir, self.default_graphs, self.union_default_graph)
            self._local.runner = runner
            with self._lock:
                self._runners.append(runner)
        return runner

    def manifest(self) -> Manifest | None:
        if self.backend is not None:  # backend switch
            return self.backend.manifest()
        return Manifest.read(manifest_path(self.store_dir))

    def version(self) -> str:
        """A short token that changes whenever the published state does (for ETags and caches)."""
        return self.head().tag[:16]

    def cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """``make()`` computed once per published state and process, under ``key``."""
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

    def close(self) -> None:
        """Stop the child processes of this process."""
        with self._lock:
            runners, self._runners = self._runners, []
        if self._pid == os.getpid():
            for runner in runners:
                runner.stop()
        self._local = threading.local()


def get_state() -> AppState:
    state: AppState = current_app.extensions[EXTENSION]
    return state
