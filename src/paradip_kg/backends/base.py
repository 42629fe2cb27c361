"""What the app asks of the store it serves from: the :class:`Backend` interface.

Setting ``backend`` (:mod:`paradip_kg.settings`) picks one
(:func:`paradip_kg.backends.configured.make_backend`):

- ``oxigraph`` (default): :class:`~paradip_kg.backends.embedded.EmbeddedBackend`, the embedded
  Oxigraph store on disk, opened read-only; queries of ``/sparql`` run in a child process that
  is killed past ``query_timeout``. The only backend that takes writes.
- ``memory``: :class:`~paradip_kg.backends.memory.MemoryBackend`, a ``pyoxigraph.Store()`` in
  this process's memory, filled from the project's files through the build pipeline or from RDF
  files. For tests and demos: queries run in-process, with **no hard query timeout**.
- ``remote``: :class:`~paradip_kg.backends.remote.RemoteBackend`, a SPARQL 1.1 store reached over
  HTTP, read-only (loaded with ``paradip-kg push``).

Each gives the app a store (``pyoxigraph.Store`` or a read-only look-alike), a
:class:`~paradip_kg.store.head.Head` (``version()``, ETags, Last-Modified, the caches), a
:class:`~paradip_kg.store.disk.Manifest` (triples per graph) and a :class:`Runner` for ``/sparql``.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from paradip_kg.errors import ReadOnlyBackend
from paradip_kg.sparql.execute import execute
from paradip_kg.sparql.jobs import Job, Reply, reply_or_raise
from paradip_kg.store.disk import Manifest
from paradip_kg.store.head import Head


class Runner(Protocol):
    """What runs the jobs of ``/sparql`` (:class:`paradip_kg.sparql.runner.QueryRunner` is one)."""

    @property
    def pid(self) -> int | None:
        """The child process that runs the queries (None: they run in this process)."""

    def start(self) -> None:
        """Get ready to run jobs (start a child process, if it uses one)."""

    def stop(self) -> None:
        """Stop what :meth:`start` started."""

    def run(self, job: Job, timeout: float) -> Reply:
        """Run ``job`` within ``timeout`` seconds; raise the errors of :func:`reply_or_raise`."""


class Backend(ABC):
    """A store the app serves from (see the module docstring for the three kinds).

    Args:
        default_graphs: IRIs of the graphs whose union is the default graph of ``/sparql``
            (empty: the union of all graphs, with ``union``).
        union: the default graph is the union of every graph of the store.
    """

    name: ClassVar[str]
    writable: ClassVar[bool] = False
    # A read-only backend: how its content changes instead (said to whoever tries to write).
    how_to_change: ClassVar[str] = ""

    def __init__(self, default_graphs: Sequence[str] = (), union: bool = False) -> None:
        self.default_graphs = tuple(default_graphs)
        self.union = union
        self._lock = threading.Lock()

    @abstractmethod
    def store(self) -> Any:
        """The store the pages and queries read (``pyoxigraph.Store`` or a read-only look-alike)."""

    @abstractmethod
    def head(self) -> Head:
        """The version of what the store holds now (ETags and caches)."""

    def manifest(self) -> Manifest | None:
        """Triples per graph and how the content was made (None: nothing says)."""
        return None

    def runner(self) -> Runner:
        """What runs this thread's ``/sparql`` jobs: in this process, on :meth:`store`."""
        return InProcessRunner(self.store(), self.default_graphs, self.union)

    def check_writable(self) -> None:
        """Refuse a write (ReadOnlyBackend, 405) unless this backend takes writes."""
        if not self.writable:
            raise ReadOnlyBackend(f"This server reads the {self.name} backend and accepts no writes: "
                                  f"{self.how_to_change} (see docs/remote-store.md).")

    def close(self) -> None:
        """Stop the child processes this backend started in this process."""
        return None  # none but the embedded backend's


class InProcessRunner:
    """Runs ``/sparql`` jobs in this process, on a store object: no child, **no hard timeout**."""

    pid = None

    def __init__(self, store: Any, default_graphs: Sequence[str], union: bool) -> None:
        self.store, self.default_graphs, self.union = store, tuple(default_graphs), union

    def start(self) -> None:
        """Nothing to start."""

    def stop(self) -> None:
        """Nothing to stop."""

    def run(self, job: Job, timeout: float) -> Reply:
        started = time.monotonic()
        reply = execute(self._store_for(timeout), job, self.default_graphs, self.union)
        reply.seconds = time.monotonic() - started
        return reply_or_raise(reply)

    def _store_for(self, timeout: float) -> Any:
        """The store one job runs on (the remote backend's carries the job's deadline)."""
        return self.store
