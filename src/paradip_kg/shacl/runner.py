"""Run validations in a child process that can be stopped (both ends, on :mod:`paradip_kg.child`).

A thread cannot be stopped, so the web runs validations in a child process of its own,
``python -m paradip_kg.shacl.runner``, which keeps pyshacl imported and rdflib's translated
SPARQL warm between jobs. A job that outlives its time limit gets the child killed (SIGKILL) and
:class:`~paradip_kg.errors.ValidationTimeout` (503) raised; the next job starts a fresh child.
The web app keeps one runner per worker thread
(``AppState.validation_runner``); the CLI validates in its own process (:func:`paradip_kg.shacl.jobs.execute`).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from paradip_kg.child import Child, Handler, serve
from paradip_kg.errors import InputError, ParadipError, ValidationTimeout
from paradip_kg.lanes import Lane
from paradip_kg.shacl.jobs import Job, execute
from paradip_kg.shacl.results import Report

MODULE = "paradip_kg.shacl.runner"


class ValidationRunner:
    """One child process that runs :func:`~paradip_kg.shacl.jobs.execute` on the jobs it is sent, one at a time."""

    def __init__(self) -> None:
        self.child = Child(MODULE, name="the validation process")

    def stop(self) -> None:
        """Kill the child, if any."""
        self.child.stop()

    def run(self, job: Job, timeout: float, limit: float | None = None) -> Report:
        """:func:`~paradip_kg.shacl.jobs.execute` ``job`` in the child, stopped after ``timeout`` seconds
        (``limit``: the whole time limit the message names, when the job waited for a slot first).

        Raises:
            ValidationTimeout: the validation took longer than ``timeout`` (HTTP 503).
            InputError: the shapes are not usable.
            ParadipError: the child failed (HTTP 500).
        """
        try:
            kind, answer = self.child.call(job, max(timeout, 0.001))
        except TimeoutError:
            raise timed_out(limit or timeout) from None
        except ChildProcessError as exc:
            raise ParadipError(str(exc)) from None
        if kind == "ok":
            report: Report = answer
            return report
        if kind == "input":
            raise InputError(answer)
        raise ParadipError(f"the validation failed: {answer}")


def timed_out(limit: float) -> ValidationTimeout:
    return ValidationTimeout(f"the validation did not finish within {limit:g} s and was stopped; "
                             "validate a smaller file, narrow it to some focus nodes or shapes, or run "
                             "`paradip-kg validate` on your machine")


class ValidationPool:
    """The validation lane of a worker process: ``size`` validation children behind a
    :class:`~paradip_kg.lanes.Lane` and a short queue (503 with Retry-After when both are full);
    the wait for a child counts in the time limit."""

    def __init__(self, size: int = 2, queue: int = 4, retry_after: float = 30.0) -> None:
        self.lane = Lane(size, queue, "validation", retry_after)
        self.runners = [ValidationRunner() for _ in range(self.lane.size)]

    def stop(self) -> None:
        """Kill every child of the pool."""
        for runner in self.runners:
            runner.stop()

    def run(self, job: Job, timeout: float) -> Report:
        """As :meth:`ValidationRunner.run`, in a free slot's child (LaneFull: none, and no room to wait)."""
        deadline = time.monotonic() + timeout
        try:
            with self.lane.slot(deadline) as index:
                return self.runners[index].run(job, deadline - time.monotonic(), limit=timeout)
        except TimeoutError:
            raise timed_out(timeout) from None


# --- The child side -----------------------------------------------------------------------


def handle(job: Job) -> tuple[str, Any]:
    """Execute one job: ``("ok", report)``, ``("input", message)`` or ``("error", message)``."""
    try:
        return ("ok", execute(job))
    except InputError as exc:
        return ("input", exc.message)
    except Exception as exc:  # noqa: BLE001 - the parent turns it into a 500
        return ("error", f"{type(exc).__name__}: {exc}")


def _setup() -> Handler:
    import pyshacl  # noqa: F401  (imported once, before the first job)

    return handle


if __name__ == "__main__":  # the child of ValidationRunner
    sys.exit(serve(_setup))
