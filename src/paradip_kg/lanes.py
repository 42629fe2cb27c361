"""A lane for heavy work: a fixed number of slots and a short queue, so requests never pile up.

Queries and validations run in child processes (:mod:`paradip_kg.child`); a worker process keeps
a fixed number of them (setting ``query_workers``, like Virtuoso's ``MaxQueryThreads``) and lets
at most ``query_queue`` more requests wait for one. A request that finds every slot taken and
the queue full is refused at once (:class:`~paradip_kg.errors.LaneFull`, 503 with
``Retry-After``); one that waits counts its wait in its own time limit, so a runaway query is
answered 503 at its timeout whether it ran or waited. Pages, static files and fragments never
enter a lane: they do not wait behind heavy work.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from paradip_kg.errors import LaneFull


class Lane:
    """``size`` slots, numbered from 0, and room for ``queue`` waiting requests.

    Args:
        size: how many jobs run at once.
        queue: how many more may wait for a slot.
        what: what runs in it, for the 503's message ("queries").
        retry_after: seconds a refused client is told to wait (``Retry-After``).
    """

    def __init__(self, size: int, queue: int, what: str, retry_after: float) -> None:
        self.size, self.queue, self.what = max(1, size), max(0, queue), what
        self.retry_after = max(1, math.ceil(retry_after))
        self._free = list(range(self.size))
        self._waiting = 0
        self._changed = threading.Condition()

    @property
    def busy(self) -> int:
        """Slots taken now."""
        return self.size - len(self._free)

    @contextmanager
    def slot(self, deadline: float) -> Iterator[int]:
        """Hold a slot (the lowest free one) until the block ends.

        Raises:
            LaneFull: every slot is taken and the queue is full (nothing waited).
            TimeoutError: no slot came free before ``deadline`` (``time.monotonic()``).
        """
        with self._changed:
            if not self._free and self._waiting >= self.queue:
                raise LaneFull(f"All {self.size} {self.what} slots and the queue of {self.queue} are busy; "
                               f"try again in {self.retry_after} s.",
                               headers={"Retry-After": str(self.retry_after)})
            self._waiting += 1
            try:
                while not self._free:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                    self._changed.wait(remaining)
            finally:
                self._waiting -= 1
            self._free.sort()
            index = self._free.pop(0)
        try:
            yield index
        finally:
            with self._changed:
                self._free.append(index)
                self._changed.notify()
