"""A published state of the store copied into memory, for the query child (setting ``store_in_memory``).

Oxigraph answers the heavy example queries 5–12× faster from an in-memory ``pyoxigraph.Store()``
than from its on-disk store read-only (docs/benchmarks.md, "World scale: serving"), at about
0.4–0.65 GB of RSS per million quads. So the query child (:mod:`paradip_kg.sparql.runner`) may
keep one copy of the published state in memory.

:class:`Published` gives each job the store of the state the job names, whole, never a mix:

- the on-disk state, opened read-only at once (the child says hello without waiting for a copy,
  so start-up stays fast), answers the jobs until the copy of *that same state* is loaded;
- the copy is loaded by a background thread; it is swapped in with one assignment of a
  ``(path, store)`` pair, which a job reads once, so a job sees the old pair or the new one;
- a job that names a newer state (a write or build published one, see
  :mod:`paradip_kg.store.head`) drops the old copy at once (only one copy is ever held, so
  memory does not double during a reload), is answered from the new state on disk, and starts
  the copy of the new state. Under a stream of writes the copy lags and the disk answers:
  slower, never stale.
"""

from __future__ import annotations

import sys
import threading
import time

import pyoxigraph as ox

COPIED = "paradip-kg query process: copied into memory"  # the log line benchmarks wait for


def load_copy(disk: ox.Store) -> ox.Store:
    """Every quad of ``disk`` in a fresh in-memory store (bulk: no transaction log)."""
    memory = ox.Store()
    memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    return memory


class Published:
    """The newest state a job named: on disk, and (with ``in_memory``) a copy in memory once loaded."""

    def __init__(self, path: str, in_memory: bool) -> None:
        self.in_memory = in_memory
        self.disk = (path, ox.Store.read_only(path))  # OSError: the child's hello says so
        self.memory: tuple[str, ox.Store] | None = None
        self._wanted = path  # the state whose copy the loader should make
        self._loading = False
        self._lock = threading.Lock()
        self._loaded = threading.Condition(self._lock)
        self.load_seconds: float | None = None
        if in_memory:
            self._start_loader()

    @classmethod
    def preloaded(cls, path: str) -> Published:
        """The state at ``path`` with its copy loaded now, in this thread, and no loader thread
        ever (the fork server: it forks only while single-threaded, see :mod:`paradip_kg.child`).
        A newer state named later is answered from disk."""
        state = cls(path, in_memory=False)
        started = time.monotonic()
        state.memory = (path, load_copy(state.disk[1]))
        state.load_seconds = time.monotonic() - started
        print(f"{COPIED} {path} in {state.load_seconds:.1f} s (the forked query children start with it)",
              file=sys.stderr, flush=True)
        return state

    def store_for(self, path: str | None) -> ox.Store:
        """The store of the state at ``path`` (None: the newest one seen): its copy if loaded, else disk.

        Raises OSError when a newer state cannot be opened.
        """
        if path and path != self.disk[0]:
            self.disk = (path, ox.Store.read_only(path))
            with self._lock:
                self.memory = None  # the old copy goes now: never two copies at once
                self._wanted = path
            if self.in_memory:
                self._start_loader()
        memory = self.memory  # one read: the pair is replaced whole, never changed in place
        if memory is not None and memory[0] == self.disk[0]:
            return memory[1]
        return self.disk[1]

    def wait_loaded(self, timeout: float) -> bool:
        """Wait until the copy of the newest state is in memory (tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._loaded:
            while self.memory is None or self.memory[0] != self.disk[0]:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._loaded.wait(remaining)
        return True

    def _start_loader(self) -> None:
        with self._lock:
            if self._loading:
                return  # the running loader looks at _wanted again when it is done
            self._loading = True
        threading.Thread(target=self._load, name="store-in-memory", daemon=True).start()

    def _load(self) -> None:
        while True:
            with self._lock:
                path = self._wanted
            started = time.monotonic()
            try:
                copy = load_copy(ox.Store.read_only(path))
            except OSError:
                copy = None  # a snapshot gone meanwhile: the disk keeps answering
            with self._lock:  # one critical section: a newer state named meanwhile cannot slip between
                stale = path != self._wanted
                if not stale:
                    self._publish(path, copy, started)
                    return
            copy = None  # a newer state was named while loading: free this copy (outside the lock), load that one

    def _publish(self, path: str, copy: ox.Store | None, started: float) -> None:
        """Swap the copy in and wake the waiters (called with the lock held)."""
        if copy is not None:
            self.memory = (path, copy)
            self.load_seconds = time.monotonic() - started
            # To the server log (the child's stderr): when queries start reading memory.
            print(f"{COPIED} {path} in {self.load_seconds:.1f} s", file=sys.stderr, flush=True)
        self._loading = False
        self._loaded.notify_all()
