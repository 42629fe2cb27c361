"""The embedded Oxigraph store on disk as a :class:`~paradip_kg.backends.base.Backend` (setting ``backend = oxigraph``).

The store folder is the one ``paradip-kg build`` writes (setting ``store``); accepted writes
publish snapshots beside it, and :func:`paradip_kg.store.head.read_head` names the newest
published state. :class:`EmbeddedBackend` re-reads that head only when the manifest or HEAD file
changes (one ``stat`` each per call), opens the state read-only (again when a write or build moves
it), and gives each thread its own query child process
(:class:`~paradip_kg.sparql.runner.QueryRunner`), killed past ``query_timeout``. It is the one
backend that takes writes (:mod:`paradip_kg.writes.commit` writes to the store folder).

Setting ``store_in_memory`` (``auto``, ``yes``, ``no``): each query child also copies the
published state into memory and answers from the copy once loaded
(:mod:`paradip_kg.sparql.in_memory`); ``auto`` does so while the built store's quads (its manifest
says how many) times the gunicorn workers (one query child each) stay under
:data:`AUTO_MEMORY_QUADS`: memory multiplies with the query children, so a big graph is served
from memory with few workers.

After a fork (gunicorn with ``preload``) the store handle and the children belong to the parent:
the child of the fork opens and starts its own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.backends.base import Backend
from paradip_kg.errors import NotAvailable
from paradip_kg.sparql.runner import QueryRunner
from paradip_kg.store.disk import Manifest, manifest_path
from paradip_kg.store.head import Head, head_path, read_head

# Quads x query children up to which ``store_in_memory = auto`` serves from memory: a copy costs
# ~0.34 GiB of RSS per million quads (845 MiB for 2.5M), so the copies stay near 2 GiB
# (docs/benchmarks.md, "World scale: serving").
AUTO_MEMORY_QUADS = 6_000_000


def wants_memory(setting: str, manifest: Manifest | None, children: int = 1) -> bool:
    """Whether the query children copy the store into memory, for ``store_in_memory = setting``
    and ``children`` query children (the gunicorn workers)."""
    if setting == "yes":
        return True
    if setting == "no":
        return False
    quads = sum(manifest.triples.values()) if manifest is not None else None
    return quads is not None and quads * max(children, 1) <= AUTO_MEMORY_QUADS


class EmbeddedBackend(Backend):
    """The built store at ``store_dir`` (and the snapshots of its accepted writes)."""

    name = "oxigraph"
    writable = True

    def __init__(self, store_dir: Path, default_graphs: Sequence[str] = (), union: bool = False,
                 in_memory: str = "auto", workers: int = 1) -> None:
        super().__init__(default_graphs, union)
        self.store_dir = Path(store_dir)
        self.in_memory, self.workers = in_memory, workers
        self._store: tuple[Path, ox.Store] | None = None
        self._head: tuple[list[Any], Head] | None = None
        self._pid = os.getpid()
        self._local = threading.local()
        self._runners: list[QueryRunner] = []

    def _check_pid(self) -> None:
        if self._pid != os.getpid():
            self._pid, self._store, self._runners = os.getpid(), None, []
            self._local = threading.local()

    def head(self) -> Head:
        """The newest published state (the build, or the last accepted write), re-read only when
        the manifest or HEAD file changes."""
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
        except OSError as exc:
            raise NotAvailable(f"The knowledge graph is not available: {exc}") from None
        if key[0] is None:  # no manifest: the folder's files name it, so do not cache
            return head
        self._head = (key, head)
        return head

    def store(self) -> ox.Store:
        """The newest published state, opened read-only; reopened when a write or build moves it."""
        self._check_pid()
        head = self.head()
        with self._lock:
            if self._store is None or self._store[0] != head.path:
                try:
                    self._store = (head.path, ox.Store.read_only(str(head.path)))
                except OSError as exc:
                    raise NotAvailable(f"The knowledge graph is not available: {exc}") from None
            return self._store[1]

    def runner(self) -> QueryRunner:
        """This thread's query child process (started on first use)."""
        self._check_pid()
        runner: QueryRunner | None = getattr(self._local, "runner", None)
        if runner is None:
            if not self.store_dir.exists():
                raise NotAvailable(f"The knowledge graph is not available: no store at {self.store_dir}; "
                                   "run `paradip-kg build` first")
            runner = QueryRunner(self.store_dir, self.default_graphs, self.union,
                                 in_memory=wants_memory(self.in_memory, self.manifest(), self.workers))
            self._local.runner = runner
            with self._lock:
                self._runners.append(runner)
        return runner

    def manifest(self) -> Manifest | None:
        return Manifest.read(manifest_path(self.store_dir))

    def close(self) -> None:
        """Stop the query children of this process (those of a parent before a fork are not ours)."""
        with self._lock:
            runners, self._runners = self._runners, []
        if self._pid == os.getpid():
            for runner in runners:
                runner.stop()
        self._local = threading.local()
