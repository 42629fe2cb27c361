"""The query lane of a worker process: a bounded pool of stoppable query children.

:class:`QueryPool` is what ``/sparql`` runs jobs on (the embedded backend's runner). It holds
``size`` slots (setting ``query_workers``) and a short queue (``query_queue``) in a
:class:`~paradip_kg.lanes.Lane`; each slot has its own child process
(:class:`~paradip_kg.sparql.runner.QueryRunner`), killed and replaced when its job outlives the
time limit. A job's time limit counts its wait for a slot, so a runaway query is answered 503 at
its timeout whether it ran or waited; a job that finds the pool and the queue full is answered
503 with ``Retry-After`` at once.

Small answers are kept (:data:`KEPT_REPLIES`, under :data:`KEPT_BYTES` each) for the published
state they were computed on: asking again (``ASK {}``, a page's chart, a popular example) never
enters the lane.

With ``in_memory``, one fork server per worker process copies the published state into memory
once (:func:`~paradip_kg.sparql.runner.fork_server`) and every slot's child is forked from it, so
a replaced child has the copy at once. The fork shares the copy only until it reads it: Oxigraph's
in-memory store writes to the memory it reads (its locks), so the pages a child reads become its
own, and memory grows with the pool (``EmbeddedBackend.copies``). Until the copy is loaded (and after
a write, until the new state's is), the slots answer from the store on disk.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from paradip_kg.child import Child
from paradip_kg.errors import LaneFull
from paradip_kg.lanes import Lane
from paradip_kg.sparql.jobs import Job, Reply
from paradip_kg.sparql.runner import QueryRunner, fork_server, timed_out

KEPT_REPLIES = 512  # small answers kept per worker process, for the published state
KEPT_BYTES = 64 * 1024


def job_key(job: Job) -> tuple[Any, ...]:
    """What makes two jobs the same question on the same state."""
    return (job.query, tuple(sorted((k, f.name) for k, f in job.formats.items())), job.limit, job.default_graphs,
            job.named_graphs, job.query_dataset, job.base_iri, job.label_lang,
            tuple(sorted((job.prefixes or {}).items())), job.store_path)


class QueryPool:
    """``size`` query children behind a :class:`~paradip_kg.lanes.Lane` (see the module docstring)."""

    def __init__(self, store: Path, default_graphs: Sequence[str] = (), union: bool = False, *, size: int = 2,
                 queue: int = 4, in_memory: bool = False, retry_after: float = 5.0) -> None:
        self.store, self.default_graphs, self.union = Path(store), tuple(default_graphs), union
        self.in_memory = in_memory
        self.lane = Lane(size, queue, "query", retry_after)
        self._disk: list[QueryRunner | None] = [None] * self.lane.size
        self._forked: list[QueryRunner | None] = [None] * self.lane.size
        self._server: tuple[str, Child] | None = None
        self._old_servers: list[Child] = []
        self._replies: OrderedDict[tuple[Any, ...], Reply] = OrderedDict()
        self._lock = threading.Lock()
        self._last = 0

    @property
    def pid(self) -> int | None:
        """The child that ran the last job (or slot 0's)."""
        runner = self._forked[self._last] or self._disk[self._last]
        return runner.pid if runner is not None else None

    def start(self) -> None:
        """Start slot 0's child, and the fork server (it loads the copy meanwhile); then, in the
        background, every slot's child (forked from the copy once loaded), so that memory is
        all taken at start-up rather than under the first crowd."""
        self._runner(0, None).start()
        threading.Thread(target=self._warm, name="query-pool-warm", daemon=True).start()

    def _warm(self, timeout: float = 900.0) -> None:
        deadline = time.monotonic() + timeout
        server = self._server
        if server is not None:
            while not server[1].poll_ready():
                if time.monotonic() > deadline or self._server is not server:
                    return
                time.sleep(0.2)
        with ExitStack() as held:  # the free slots, so that no job runs in one meanwhile
            # Never waiting for a busy one: holding the free slots until a long query ends would make
            # every cheap query of this worker wait for it. A busy slot gets its child with its next job.
            indexes = []
            for _ in range(self.lane.size):
                try:
                    indexes.append(held.enter_context(self.lane.slot(time.monotonic())))
                except (LaneFull, TimeoutError):
                    break
            for index in indexes:
                try:
                    self._runner(index, server[0] if server else None).start()
                except (ChildProcessError, OSError):
                    return

    def stop(self) -> None:
        """Kill every child of the pool."""
        with self._lock:
            runners = [r for r in (*self._disk, *self._forked) if r is not None]
            servers = [s for s in ([self._server[1]] if self._server else []) + self._old_servers]
            self._disk, self._forked = [None] * self.lane.size, [None] * self.lane.size
            self._server, self._old_servers = None, []
        for runner in runners:
            runner.stop()
        for server in servers:
            server.stop()

    def run(self, job: Job, timeout: float) -> Reply:
        """Answer ``job`` from the kept answers, or in a slot's child within ``timeout`` s of now.

        Raises:
            LaneFull: every slot and the queue are taken (503, Retry-After).
            QueryTimeout: no answer within ``timeout`` s, waiting included (503).
        """
        key = job_key(job)
        with self._lock:
            kept = self._replies.get(key)
            if kept is not None:
                self._replies.move_to_end(key)
                return kept
        deadline = time.monotonic() + timeout
        try:
            with self.lane.slot(deadline) as index:
                self._last = index
                reply = self._runner(index, job.store_path).run(job, deadline - time.monotonic(), limit=timeout)
        except TimeoutError:  # no slot came free in time
            raise timed_out(timeout) from None
        if len(reply.body) <= KEPT_BYTES and reply.table is None:
            with self._lock:
                if self._replies and next(iter(self._replies))[-1] != job.store_path:
                    self._replies.clear()  # a new state: the old answers go
                self._replies[key] = reply
                while len(self._replies) > KEPT_REPLIES:
                    self._replies.popitem(last=False)
        return reply

    def _runner(self, index: int, state: str | None) -> QueryRunner:
        """Slot ``index``'s child for a job on ``state``: forked from the copy of that state once
        it is loaded, else one reading the disk."""
        server = self._fork_server(state) if self.in_memory else None
        if server is not None and server.poll_ready():
            forked = self._forked[index]
            if forked is None or forked.forked_from is not server:
                if forked is not None:
                    forked.stop()
                forked = self._forked[index] = QueryRunner(self.store, self.default_graphs, self.union,
                                                           forked_from=server)
                self._retire(index)
            return forked
        disk = self._disk[index]
        if disk is None:
            disk = self._disk[index] = QueryRunner(self.store, self.default_graphs, self.union)
        return disk

    def _fork_server(self, state: str | None) -> Child | None:
        """The fork server of ``state`` (None: the newest one it knows), started if need be."""
        with self._lock:
            if self._server is not None and state in (None, self._server[0]):
                return self._server[1]
            if state is None:
                from paradip_kg.store.head import read_head

                try:
                    state = str(read_head(self.store).path)
                except OSError:
                    return None
            if self._server is not None:
                # A copy still loading is dropped at once (under a stream of writes, at most the
                # copy in use and the newest one loading are held); a loaded one serves until no
                # slot's child is forked from it.
                old = self._server[1]
                if old.ready:
                    self._old_servers.append(old)
                else:
                    old.stop()
            server = fork_server(state, self.default_graphs, self.union)
            server.start()
            self._server = (state, server)
            return server

    def _retire(self, index: int) -> None:
        """Slot ``index`` moved to a forked child: stop its disk child, and the fork servers no
        slot uses any more."""
        disk, self._disk[index] = self._disk[index], None
        if disk is not None:
            disk.stop()
        with self._lock:
            used = {r.forked_from for r in self._forked if r is not None}
            idle = [s for s in self._old_servers if s not in used]
            self._old_servers = [s for s in self._old_servers if s in used]
        for server in idle:
            server.stop()
