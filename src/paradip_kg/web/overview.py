"""Which state the home page's counts are drawn from, and bringing them up to date after a write.

The build keeps the rows of the home page's queries over every agreement beside the store, as one
complete set (:mod:`paradip_kg.publish.charts.kept`). A write publishes a new state, whose rows
nobody has yet, and at ~1M triples its 33 queries take about 7 s. So the first visitor after a write
does not wait for them all. :func:`drawn_state` starts one **refresh**, which runs the queries on the
new state in a thread of its own (off the worker's loop) and keeps them as the new complete set.
Visitors wait for it until ``overview_wait`` seconds (setting) after it started. Past that, the home
page and /about are drawn from the complete set kept for the state before, and say so
(:attr:`Drawn.stale`). Their entity tags name the state they are drawn from, and caches are told to
ask again (``no-cache``), so the first visit after the refresh gets the new counts.

One refresh runs at a time per store, across the server's workers: the refresh holds a lock file
beside the search index (``fcntl.flock``), and a worker that finds it held leaves the work to the
holder. A refresh ends after one state; a visit that finds the set older than the published state
again (more writes meanwhile) starts the next one.
"""

from __future__ import annotations

import fcntl
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import g

from paradip_kg.publish.charts import kept
from paradip_kg.store.head import Head
from paradip_kg.web.state import AppState, get_state, in_the_background

LOG = logging.getLogger(__name__)
WAIT_FOR_NOTHING_KEPT = 600.0  # seconds a page with no complete set to draw from waits for the refresh


@dataclass(frozen=True)
class Drawn:
    """The state the counts of a page are drawn from.

    Attributes:
        tag: that state's tag (the published one's, unless ``stale``).
        stale: an older state than the published one: a refresh is under way.
    """

    tag: str
    stale: bool = False


def drawn_state() -> Drawn:
    """The state this request's home page or /about draws its counts from (see the module docstring),
    decided once per request."""
    if "paradip_drawn" not in g:
        g.paradip_drawn = _drawn_state()
    drawn: Drawn = g.paradip_drawn
    return drawn


def _drawn_state() -> Drawn:
    state = get_state()
    head = state.head()
    beside = state.kept_beside()
    if beside is None:  # a backend that keeps nothing beside its store: the store answers, as it is
        return Drawn(head.tag)
    shared = refresher(state)
    if shared.fresh == head.tag:  # known complete: no need to read the index again
        return Drawn(head.tag)
    index = beside[0]
    if not index.exists():  # no search index (a store copied without one): nothing to keep beside it
        return Drawn(head.tag)
    complete = kept.complete_tag(index)
    if complete != head.tag:
        wait, started = shared.start(index, head)
        # A visitor waits until overview_wait after the refresh started, not a new overview_wait each.
        # With nothing kept to draw from, the page would ask the same queries: it waits for the refresh.
        until = started + float(state.settings["overview_wait"]) if complete is not None else math.inf
        if wait(min(max(0.0, until - time.monotonic()), WAIT_FOR_NOTHING_KEPT)):
            complete = kept.complete_tag(index)
    if complete == head.tag:
        shared.fresh = head.tag
        return Drawn(head.tag)
    if complete is None:  # nothing kept (another worker refreshes, or the index is damaged): the page asks
        return Drawn(head.tag)
    return Drawn(complete, stale=True)


class Refresher:
    """This process's refresh of the kept rows: at most one at a time (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wait: Callable[[float], bool] | None = None
        self._tag: str | None = None
        self._started = 0.0
        self.fresh: str | None = None  # the newest state whose complete set this process saw kept

    def start(self, index: Path, head: Head) -> tuple[Callable[[float], bool], float]:
        """Start the refresh of ``head``'s rows unless one runs: ``wait(seconds)`` → whether it ended,
        and when it started (``time.monotonic``). One running for an older state is not waited for."""
        with self._lock:
            if self._wait is not None and not self._wait(0):
                if self._tag == head.tag:
                    return self._wait, self._started
                return (lambda _seconds: False), self._started
            self._tag, self._started = head.tag, time.monotonic()
            self._wait = in_the_background(lambda: refresh(index, head))
            return self._wait, self._started


def refresher(state: AppState) -> Refresher:
    found: Refresher = state.cached(("overview refresher",), Refresher, per_version=False)
    return found


def refresh(index: Path, head: Head) -> bool:
    """Run the home page's queries on ``head`` and keep their rows in ``index`` as the complete set,
    unless another process holds the refresh's lock or the set is already ``head``'s. Returns
    whether this call kept them. Errors are logged: the page goes on with the set it has."""
    try:
        with open(index.with_name(index.name + ".refresh.lock"), "a+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # another worker refreshes
            try:
                if kept.complete_tag(index) == head.tag:
                    return False
                store = ox.Store.read_only(str(head.path))
                found = kept.overview_rows(store)
                kept.save(index, head.tag, found, complete=True)
                LOG.info("home page rows kept for %s (%d queries)", head.tag[:16], len(found))
                return True
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    except Exception as exc:  # noqa: BLE001 (a thread of its own: nothing above it would see the error)
        LOG.warning("home page rows not refreshed for %s: %s", head.tag[:16], exc)
        return False
