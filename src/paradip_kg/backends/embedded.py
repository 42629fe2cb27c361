"""The embedded Oxigraph store on disk as a :class:`~paradip_kg.backends.base.Backend` (setting ``backend = oxigraph``).

The store folder is the one ``paradip-kg build`` writes (setting ``store``); accepted writes
publish snapshots beside it, and :func:`paradip_kg.store.head.read_head` names the newest
published state. :class:`EmbeddedBackend` re-reads that head only when the manifest or HEAD file
changes (one ``stat`` each per call), opens the state read-only (again when a write or build moves
it), and runs ``/sparql`` jobs in the process's pool of query children
(:class:`~paradip_kg.sparql.pool.QueryPool`, setting ``query_workers``), each killed past
``query_timeout``. It is the one backend that takes writes (:mod:`paradip_kg.writes.commit` writes to the store folder).

Setting ``store_in_memory`` (``auto``, ``yes``, ``no``): the pool's children are forked from one
process that copied the published state into memory, and answer from that copy once loaded
(:mod:`paradip_kg.sparql.in_memory`). The copy is shared only until a child reads it: Oxigraph's
in-memory store writes to the memory it reads, so each child that queries ends up with its own.
``auto`` copies while the built store's quads (its manifest says how many) times the processes
that will hold a copy (:meth:`EmbeddedBackend.copies`) stay under :data:`AUTO_MEMORY_QUADS`.

After a fork (gunicorn with ``preload``) the store handle and the children belong to the parent:
the child of the fork opens and starts its own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.backends.base import Backend
from paradip_kg.errors import NotAvailable
from paradip_kg.sparql.pool import QueryPool
from paradip_kg.store.disk import Manifest, manifest_path
from paradip_kg.store.head import Head, head_path, read_head

# Quads x copies up to which ``store_in_memory = auto`` serves from memory: a copy costs ~0.35 GiB
# per million quads (845 MiB for 2.5M), so the copies stay near 2 GiB (docs/benchmarks.md, "World
# scale: serving", "What a copy in memory really costs").
AUTO_MEMORY_QUADS = 6_000_000


def wants_memory(setting: str, manifest: Manifest | None, children: int = 1) -> bool:
    """Whether the query children copy the store into memory, for ``store_in_memory = setting``
    and ``children`` processes that would each hold a copy (:meth:`EmbeddedBackend.copies`)."""
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
                 in_memory: str = "auto", workers: int = 1, query_workers: int = 2, query_queue: int = 4,
                 query_timeout: float = 5.0) -> None:
        super().__init__(default_graphs, union)
        self.store_dir = Path(store_dir)
        self.in_memory, self.workers = in_memory, workers
        self.pool_size, self.pool_queue, self.query_timeout = query_workers, query_queue, query_timeout
        self._store: tuple[Path, ox.Store] | None = None
        self._head: tuple[list[Any], Head] | None = None
        self._pid = os.getpid()
        self._pool: QueryPool | None = None

    def _check_pid(self) -> None:
        if self._pid != os.getpid():
            self._pid, self._store, self._pool = os.getpid(), None, None

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

    def runner(self) -> QueryPool:
        """This process's pool of query children (:mod:`paradip_kg.sparql.pool`; started on first use)."""
        self._check_pid()
        with self._lock:
            if self._pool is None:
                if not self.store_dir.exists():
                    raise NotAvailable(f"The knowledge graph is not available: no store at {self.store_dir}; "
                                       "run `paradip-kg build` first")
                self._pool = QueryPool(self.store_dir, self.default_graphs, self.union, size=self.pool_size,
                                       queue=self.pool_queue, retry_after=self.query_timeout,
                                       in_memory=self.serves_from_memory())
            return self._pool

    def serves_from_memory(self) -> bool:
        """Whether this process's query children answer from a copy in memory (``store_in_memory``)."""
        return wants_memory(self.in_memory, self.manifest(), self.copies())

    def copies(self) -> int:
        """The processes that hold a copy of the store when it is served from memory: in each worker,
        the fork server and every slot's child (a fork's copy becomes its own as it reads it)."""
        return max(self.workers, 1) * (max(self.pool_size, 1) + 1)

    def manifest(self) -> Manifest | None:
        return Manifest.read(manifest_path(self.store_dir))

    def close(self) -> None:
        """Stop the query children of this process (those of a parent before a fork are not ours)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None and self._pid == os.getpid():
            pool.stop()
