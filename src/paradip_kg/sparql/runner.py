"""Run SPARQL queries in a child process that can be stopped (both ends, on :mod:`paradip_kg.child`).

pyoxigraph has no query timeout, and a thread cannot be stopped. So each web worker (and each
thread of it) keeps one child process, ``python -m paradip_kg.sparql.runner``, that opens the
store read-only and answers :class:`~paradip_kg.sparql.jobs.Job` s. The worker waits for the
answer at most ``timeout`` seconds; then the child is killed (SIGKILL), a fresh one started at
once, and :class:`~paradip_kg.errors.QueryTimeout` (503) raised. Other workers keep serving
meanwhile, and this one is free again as soon as it answers.

With ``in_memory`` the child also copies the published state into memory and answers from the
copy once it is loaded (:mod:`paradip_kg.sparql.in_memory`, setting ``store_in_memory``).

The child runs the job and writes its result itself (:func:`paradip_kg.sparql.execute.execute`),
cut at the result limit, so only bytes cross the pipe.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.child import Child, serve
from paradip_kg.errors import ParadipError, QueryTimeout
from paradip_kg.sparql.execute import execute
from paradip_kg.sparql.in_memory import Published
from paradip_kg.sparql.jobs import Job, Reply, reply_or_raise

MODULE = "paradip_kg.sparql.runner"


class QueryRunner:
    """One child process answering jobs, stopped and replaced when a job overruns."""

    def __init__(self, store: Path, default_graphs: Sequence[str] = (), union_default_graph: bool = False,
                 start_timeout: float = 60.0, in_memory: bool = False) -> None:
        args = ["--store", str(store), *(["--union"] if union_default_graph else []),
                *(["--in-memory"] if in_memory else [])]
        self.in_memory = in_memory
        for graph in default_graphs:
            args += ["--default-graph", graph]
        self.child = Child(MODULE, args, name="the query engine process", start_timeout=start_timeout,
                           restart=True)

    def start(self) -> None:
        """Start the child if none runs (it opens the store while the worker does other things)."""
        self.child.start()

    def stop(self) -> None:
        """Kill the child now (a query may be running: there is nothing to wait for)."""
        self.child.stop()

    @property
    def pid(self) -> int | None:
        return self.child.pid

    def run(self, job: Job, timeout: float) -> Reply:
        """Run ``job``; raise QueryTimeout after ``timeout`` s, QuerySyntaxError on a bad query."""
        started = time.monotonic()
        try:
            reply: Reply = self.child.call(job, timeout)
        except TimeoutError:
            raise QueryTimeout(f"The query ran for more than {timeout:g} s and was stopped. "
                               "Narrow it (a LIMIT, a more selective pattern) or ask the operator "
                               "for a longer query_timeout.") from None
        except ChildProcessError as exc:
            raise ParadipError(str(exc)) from None
        reply.seconds = time.monotonic() - started
        return reply_or_raise(reply)


# --- The child side -----------------------------------------------------------------------


class _Jobs:
    """The child's handler of jobs: the state each job names, read-only (or its copy in memory)."""

    def __init__(self, store_dir: str, default_graphs: tuple[str, ...], union: bool, in_memory: bool = False) -> None:
        self.published = Published(store_dir, in_memory)  # OSError: the hello says so
        self.default_graphs, self.union = default_graphs, union

    def __call__(self, job: Job) -> Reply:
        try:  # a job naming a newer state (a write or build published one) reopens the store
            store: ox.Store = self.published.store_for(job.store_path)
        except OSError as exc:
            return Reply(error="store", message=f"cannot open the store: {exc}")
        return execute(store, job, self.default_graphs, self.union)


def child_main(argv: Sequence[str] | None = None) -> int:
    """Open the store and answer jobs until stdin closes."""
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("--store", required=True)
    parser.add_argument("--union", action="store_true")
    parser.add_argument("--default-graph", action="append", default=[])
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args(argv)
    return serve(lambda: _Jobs(args.store, tuple(args.default_graph), args.union, args.in_memory))


if __name__ == "__main__":
    sys.exit(child_main())
