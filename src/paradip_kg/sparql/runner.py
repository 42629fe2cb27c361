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

from paradip_kg.child import Child, ForkedChild, Handler, fork_handler, serve
from paradip_kg.errors import ParadipError, QueryTimeout
from paradip_kg.sparql.execute import execute
from paradip_kg.sparql.in_memory import Published
from paradip_kg.sparql.jobs import Job, Reply, reply_or_raise

MODULE = "paradip_kg.sparql.runner"


def child_args(store: Path | str, default_graphs: Sequence[str] = (), union_default_graph: bool = False) -> list[str]:
    """The command-line arguments of a query child (or fork server) for this store."""
    args = ["--store", str(store), *(["--union"] if union_default_graph else [])]
    for graph in default_graphs:
        args += ["--default-graph", graph]
    return args


def fork_server(state: Path | str, default_graphs: Sequence[str] = (), union_default_graph: bool = False,
                start_timeout: float = 600.0) -> Child:
    """A process that copies the state at ``state`` into memory once and forks query children
    that start with the copy (:func:`paradip_kg.child.fork_handler`); it says hello once loaded."""
    return Child(MODULE, [*child_args(state, default_graphs, union_default_graph), "--fork-server"],
                 name="the in-memory query process", start_timeout=start_timeout)


class QueryRunner:
    """One child process answering jobs, stopped and replaced when a job overruns.

    ``forked_from``: a :func:`fork_server`; the child is then forked from it (sharing its copy
    of the store in memory) instead of started afresh.
    """

    def __init__(self, store: Path, default_graphs: Sequence[str] = (), union_default_graph: bool = False,
                 start_timeout: float = 60.0, in_memory: bool = False, forked_from: Child | None = None) -> None:
        args = [*child_args(store, default_graphs, union_default_graph), *(["--in-memory"] if in_memory else [])]
        self.in_memory = in_memory or forked_from is not None
        self.forked_from = forked_from
        self.child: Child | ForkedChild = (
            Child(MODULE, args, name="the query engine process", start_timeout=start_timeout, restart=True)
            if forked_from is None else ForkedChild(forked_from, name="the query engine process", restart=True))

    def start(self) -> None:
        """Start the child if none runs (it opens the store while the worker does other things)."""
        self.child.start()

    def stop(self) -> None:
        """Kill the child now (a query may be running: there is nothing to wait for)."""
        self.child.stop()

    @property
    def pid(self) -> int | None:
        return self.child.pid

    def run(self, job: Job, timeout: float, limit: float | None = None) -> Reply:
        """Run ``job``; raise QueryTimeout after ``timeout`` s (``limit``: the query's whole time
        limit, which the message names, when it waited for a slot first), QuerySyntaxError on a
        bad query."""
        started = time.monotonic()
        try:
            reply: Reply = self.child.call(job, max(timeout, 0.001))
        except TimeoutError:
            raise timed_out(limit or timeout) from None
        except ChildProcessError as exc:
            raise ParadipError(str(exc)) from None
        reply.seconds = time.monotonic() - started
        return reply_or_raise(reply)


def timed_out(limit: float) -> QueryTimeout:
    return QueryTimeout(f"The query ran for more than {limit:g} s and was stopped. "
                        "Narrow it (a LIMIT, a more selective pattern) or ask the operator "
                        "for a longer query_timeout.")


# --- The child side -----------------------------------------------------------------------


class _Jobs:
    """The child's handler of jobs: the state each job names, read-only (or its copy in memory)."""

    def __init__(self, store_dir: str, default_graphs: tuple[str, ...], union: bool, in_memory: bool = False,
                 published: Published | None = None) -> None:
        self.published = published or Published(store_dir, in_memory)  # OSError: the hello says so
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
    parser.add_argument("--fork-server", action="store_true",
                        help="load the store into memory once, then fork children that share it")
    args = parser.parse_args(argv)
    graphs = tuple(args.default_graph)
    if args.fork_server:
        def setup() -> Handler:
            published = Published.preloaded(args.store)  # OSError: the hello says so
            return fork_handler(lambda: _Jobs(args.store, graphs, args.union, published=published))

        return serve(setup)
    return serve(lambda: _Jobs(args.store, graphs, args.union, args.in_memory))


if __name__ == "__main__":
    sys.exit(child_main())
