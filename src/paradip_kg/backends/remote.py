"""A remote SPARQL 1.1 store as a :class:`~paradip_kg.backends.base.Backend` (setting ``backend = remote``).

The store is reached with the protocol client of :mod:`paradip_kg.backends.client` (settings
``remote_*``) and read through :class:`~paradip_kg.backends.remote_store.RemoteOxStore`, a
read-only ``pyoxigraph.Store`` look-alike; it is loaded with ``paradip-kg push``
(:mod:`paradip_kg.backends.push`), never written by the app. ``/sparql`` runs the client's query
at the store through the same :func:`paradip_kg.sparql.execute.execute` as the other backends
(same serializers, same ``result_limit`` cut), with ``query_timeout`` as the HTTP deadline
(503 past it).

The version. Nothing cheap tells a client that a SPARQL store's content changed.
:meth:`RemoteBackend.head` names the content by the triple count of each of our graphs, read
at most every :data:`REMOTE_CHECK_SECONDS` seconds, *and* by a time bucket of
:data:`REMOTE_VERSION_MAX_AGE` seconds: a push that changes a count is seen within 30 s; one
that keeps every count (a literal replaced by another) within 10 minutes, when the bucket
turns over and the ETags and per-process caches (charts, VoID figures) are renewed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paradip_kg.backends.base import Backend, InProcessRunner
from paradip_kg.backends.client import RemoteStore
from paradip_kg.backends.remote_store import RemoteOxStore
from paradip_kg.errors import NotAvailable, ParadipError
from paradip_kg.store.disk import Manifest
from paradip_kg.store.head import Head

REMOTE_CHECK_SECONDS = 30.0  # how often the remote graph counts are read for the version
REMOTE_VERSION_MAX_AGE = 600  # the version turns over at least this often (seconds)


class RemoteRunner(InProcessRunner):
    """Runs /sparql jobs at the remote store: the client's query goes there as it is (plus our
    dataset as protocol parameters), its answer is cut at ``result_limit`` and written by
    :mod:`paradip_kg.sparql.execute`; ``timeout`` is the deadline of every HTTP request it makes."""

    def _store_for(self, timeout: float) -> Any:
        return self.store.with_deadline(timeout)


class RemoteBackend(Backend):
    """A remote SPARQL 1.1 store, read-only (see the module doc for its version)."""

    name = "remote"
    how_to_change = "load the remote store with `paradip-kg push`"

    def __init__(self, remote: RemoteStore, default_graphs: Sequence[str] = (), union: bool = False) -> None:
        super().__init__(default_graphs, union)
        self.remote = remote
        self.ox_store = RemoteOxStore(remote)
        self._checked = 0.0
        self._counts: dict[str, int] | None = None
        self._head: Head | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], default_graphs: Sequence[str] = (),
                      union: bool = False) -> RemoteBackend:
        return cls(RemoteStore.from_settings(settings), default_graphs, union)

    def store(self) -> RemoteOxStore:
        return self.ox_store

    def head(self) -> Head:
        now = time.monotonic()
        bucket = int(time.time()) // REMOTE_VERSION_MAX_AGE
        with self._lock:
            fresh = self._head is not None and now - self._checked < REMOTE_CHECK_SECONDS
            if fresh and self._head is not None and self._head.sequence == bucket:
                return self._head
        try:
            counts = self.remote.count_by_graph()
        except ParadipError as exc:
            raise NotAvailable(f"The remote store does not answer: {exc.message}") from None
        with self._lock:
            tag = hashlib.sha256(f"remote|{self.remote.endpoint}|{sorted(counts.items())}|{bucket}"
                                 .encode()).hexdigest()
            if self._head is None or self._head.tag != tag:
                modified = datetime.now(UTC).replace(microsecond=0)
                # sequence holds the time bucket (the remote store has no write sequence of ours)
                self._head = Head(Path(f"remote:{self.remote.endpoint}"), tag, modified, bucket)
            self._counts, self._checked = counts, now
            return self._head

    def manifest(self) -> Manifest:
        head = self.head()
        return Manifest(content_hash=head.tag, built_at=head.modified.isoformat(), triples=dict(self._counts or {}))

    def runner(self) -> RemoteRunner:
        return RemoteRunner(self.ox_store, self.default_graphs, self.union)
