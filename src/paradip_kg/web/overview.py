"""Which state a page's counts and lists are drawn from, and bringing them up to date after a write.

The build keeps beside the store what the pages over the whole graph read
(:class:`~paradip_kg.publish.kept.Kept`): the rows of the home page's queries over every agreement,
as one complete set, for the home page and /about (``HOME_ROWS``), and the table of agreements and
their facet values for /browse (``FACET_TABLE``). A write publishes
a new state, for which nobody has them yet; at ~1M triples they take 6–10 s to compute. So the first
visitor after a write does not wait for them. :func:`drawn_state` starts one **refresh**, which
computes them on the new state in a process of its own (:func:`~paradip_kg.publish.kept.start_again`)
and keeps them.
Visitors wait for it until ``overview_wait`` seconds (setting) after it started. Past that, the page
is drawn from what was kept for the state before, and says so (:attr:`Drawn.stale`). Its entity tag
names the state it is drawn from, and caches are told to ask again (``no-cache``), so the first visit
after the refresh gets the new counts.

One refresh of each kind runs at a time per store, across the server's workers: its process holds
a lock file beside the search index (``fcntl.flock``), and one that finds it held leaves the work to
the holder. A refresh ends after one state; a visit that finds what is kept older than the published
state again (more writes meanwhile) starts the next one.
"""

from __future__ import annotations

import logging
import math
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import g

from paradip_kg.publish.kept import HOME_ROWS, Kept, start_again
from paradip_kg.store.head import Head
from paradip_kg.web.state import AppState, get_state

LOG = logging.getLogger(__name__)
WAIT_FOR_NOTHING_KEPT = 600.0  # seconds a page with nothing kept to draw from waits for the refresh
RESTART_AFTER = 5.0  # seconds before a refresh of the same state that ended without keeping it starts again


@dataclass(frozen=True)
class Drawn:
    """The state the counts of a page are drawn from.

    Attributes:
        tag: that state's tag (the published one's, unless ``stale``).
        stale: an older state than the published one: a refresh is under way.
    """

    tag: str
    stale: bool = False


def drawn_state(what: Kept = HOME_ROWS) -> Drawn:
    """The state this request's page draws ``what`` from (see the module docstring), decided once
    per request."""
    drawn: dict[str, Drawn] = g.setdefault("paradip_drawn", {})
    if what.name not in drawn:
        drawn[what.name] = _drawn_state(what)
    return drawn[what.name]


def _drawn_state(what: Kept) -> Drawn:
    state = get_state()
    head = state.head()
    beside = state.kept_beside()
    if beside is None:  # a backend that keeps nothing beside its store: the store answers, as it is
        return Drawn(head.tag)
    shared = refresher(state, what)
    if shared.fresh == head.tag:  # known to be kept: no need to read the index again
        return Drawn(head.tag)
    index = beside[0]
    if not index.exists():  # no search index (a store copied without one): nothing to keep beside it
        return Drawn(head.tag)
    found = what.kept_tag(index)
    if found != head.tag:
        wait, started = shared.start(index, head)
        # A visitor waits until overview_wait after the refresh started, not a new overview_wait each.
        # With nothing kept to draw from, the page would compute the same: it waits for the refresh.
        until = started + float(state.settings["overview_wait"]) if found is not None else math.inf
        if wait(min(max(0.0, until - time.monotonic()), WAIT_FOR_NOTHING_KEPT)):
            found = what.kept_tag(index)
    if found == head.tag:
        shared.fresh = head.tag
        return Drawn(head.tag)
    if found is None:  # nothing kept (another worker refreshes, or the index is damaged): the page asks
        return Drawn(head.tag)
    return Drawn(found, stale=True)


class Refresher:
    """This process's refresh of one :class:`~paradip_kg.publish.kept.Kept`: at most one child at a
    time (see the module docstring)."""

    def __init__(self, what: Kept) -> None:
        self.what = what
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._tag: str | None = None
        self._started = 0.0
        self.fresh: str | None = None  # the newest state this process saw it kept for

    def start(self, index: Path, head: Head) -> tuple[Callable[[float], bool], float]:
        """Start the refresh for ``head`` unless one runs: ``wait(seconds)`` → whether it ended, and
        when it started (``time.monotonic``). One running for an older state is not waited for."""
        with self._lock:
            child = self._child
            if child is not None and child.poll() is None:
                if self._tag == head.tag:
                    return _waiting(child), self._started
                return (lambda _seconds: False), self._started
            if child is not None and self._tag == head.tag and time.monotonic() - self._started < RESTART_AFTER:
                # It ended without keeping this state (it failed, or another process holds the work):
                # not again at once, or every visit meanwhile would start a process.
                return (lambda _seconds: True), self._started
            if child is not None and child.returncode:
                LOG.warning("%s not refreshed for %s (exit status %s; see above)", self.what.name,
                            (self._tag or "")[:16], child.returncode)
            self._tag, self._started = head.tag, time.monotonic()
            self._child = start_again(self.what, index, head.tag, head.path)
            return _waiting(self._child), self._started

    def stop(self) -> None:
        """Kill a refresh still running (the app closes)."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()


def _waiting(child: subprocess.Popen[bytes]) -> Callable[[float], bool]:
    def wait(seconds: float) -> bool:  # cooperative under gevent (its subprocess module)
        try:
            child.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True
    return wait


def refresher(state: AppState, what: Kept) -> Refresher:
    def make() -> Refresher:
        made = Refresher(what)
        state.on_close(made.stop)
        return made
    found: Refresher = state.cached(("refresher", what.name), make, per_version=False)
    return found
