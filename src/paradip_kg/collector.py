"""CPython's cyclic garbage collector, paused while a build holds millions of long-lived objects.

A build at ~1M triples keeps some 2.3M pyoxigraph triples in lists and dicts until it ends, and
makes few reference cycles. The cyclic collector walks every container it tracks at each full
collection, and such a build triggers dozens of them, each walking everything the build holds: they
were about a third of its time (docs/benchmarks.md, "The collector paused for the build").
Reference counting frees objects as before; only the cycles made meanwhile wait, and are collected
once the build returns.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def paused(func: Callable[P, R]) -> Callable[P, R]:
    """``func`` run with the cyclic collector off, turned on again when it returns or raises (left
    alone if it was already off: a caller that turned it off keeps it off)."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return func(*args, **kwargs)
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            gc.enable()

    return run
