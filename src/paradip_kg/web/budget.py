"""A fair share of query time per client (setting ``query_budget``), as WDQS gives each client.

Each client (its address: ``request.remote_addr``, which names the real client only behind
``trusted_proxies`` proxies, see :mod:`paradip_kg.web.urls`) may spend
``query_budget`` seconds of query time in any minute, counted per worker process. A query is
charged what it took (a stopped one, its whole time limit); a client whose last minute holds its
budget gets 429 with ``Retry-After`` (when enough of it falls out of the minute) and a message in
the visitor's language, before anything runs. 0, the default, turns it off.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from paradip_kg.errors import OverBudget
from paradip_kg.i18n import text

WINDOW = 60.0  # seconds
MOST_CLIENTS = 10_000  # clients remembered at once; the ones quiet the longest are forgotten first
MESSAGE = ("Has usado {spent:.0f} s de consultas en el último minuto; el límite por cliente es {budget:g} s por "
           "minuto. Vuelve a intentarlo en {wait} s.",
           "You used {spent:.0f} s of query time in the last minute; each client may use {budget:g} s a minute. "
           "Try again in {wait} s.")


class Budget:
    """Query seconds spent per client over the last :data:`WINDOW` seconds."""

    def __init__(self, seconds_per_minute: float) -> None:
        self.budget = float(seconds_per_minute)
        self._spent: dict[str, deque[tuple[float, float]]] = {}
        self._lock = threading.Lock()

    @property
    def on(self) -> bool:
        return self.budget > 0

    def check(self, client: str, language: Callable[[], str]) -> None:
        """Raise OverBudget (429, Retry-After, the message in ``language()``) if ``client`` spent
        its budget in the last minute."""
        if not self.on:
            return
        now = time.monotonic()
        with self._lock:
            spent = self._window(client, now)
            total = sum(seconds for _, seconds in spent)
            if total < self.budget:
                return
            # The wait: until the oldest charges that put the client over have left the minute.
            over, wait = total - self.budget, WINDOW
            for at, seconds in spent:
                over -= seconds
                if over < 0:
                    wait = at + WINDOW - now
                    break
        retry = max(1, math.ceil(wait))
        raise OverBudget(text(MESSAGE, language()).format(spent=total, budget=self.budget, wait=retry),
                         headers={"Retry-After": str(retry)})

    def charge(self, client: str, seconds: float) -> None:
        """Count ``seconds`` of query time against ``client``."""
        if not self.on:
            return
        now = time.monotonic()
        with self._lock:
            self._window(client, now).append((now, seconds))
            if len(self._spent) > MOST_CLIENTS:
                quiet = min(self._spent, key=lambda c: self._spent[c][-1][0] if self._spent[c] else 0.0)
                del self._spent[quiet]

    def _window(self, client: str, now: float) -> deque[tuple[float, float]]:
        spent = self._spent.setdefault(client, deque())
        while spent and spent[0][0] < now - WINDOW:
            spent.popleft()
        return spent
