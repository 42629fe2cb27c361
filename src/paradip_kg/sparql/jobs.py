"""Run SPARQL queries in a child process that can be stopped.

pyoxigraph has no query timeout, and a thread cannot be stopped. So each web worker
(and each thread of it) keeps one child process, ``python -m paradip_kg.sparql.jobs``,
that opens the store read-only and answers jobs sent over its stdin/stdout pipes. The
worker waits for the answer at most ``timeout`` seconds; then it kills the child (SIGKILL),
starts a fresh one at once, and raises :class:`~paradip_kg.errors.QueryTimeout` (503).
Other workers keep serving meanwhile, and this one is free again as soon as it answers.

The child serializes the result itself (see :mod:`paradip_kg.sparql.results`), cut at the result
limit, so only bytes cross the pipe. Frames are a 8-byte big-endian length and a pickle:
both ends are this module, and the pipe is private to the two processes.

:func:`inspect_query` reads what the worker must know before running a query (its form,
whether it has FROM/FROM NAMED, whether it calls SERVICE or is an update) with a small
lexer: Oxigraph parses the query again, and its message is the one users see on errors.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from paradip_kg.errors import NotAcceptable, ParadipError, QuerySyntaxError, QueryTimeout

# --- Reading a query before it runs -------------------------------------------------------

# Comments, strings and IRIs, leftmost first: whatever they hold is not a keyword.
_OPAQUE = re.compile(
    r"""\#[^\n\r]*"""
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""'''
    r"""|'(?:[^'\\\n\r]|\\.)*'"""
    r'''|"(?:[^"\\\n\r]|\\.)*"'''
    r"""|<[^<>"{}|^`\\\x00-\x20]*>""",
    re.DOTALL,
)
# A keyword: not part of a prefixed name, a variable or a longer word.
_WORD = re.compile(r"(?<![\w:?$\-])([A-Za-z]+)(?![\w:\-])")
# A prefix declaration once its IRI is gone: the prefix may hold dots ("ex.a:").
_PREFIX_DECL = re.compile(r"(?<![\w:?$\-])PREFIX\s+[^\s:]*:", re.IGNORECASE)
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class QueryShape:
    """What the lexer saw: the query form, dataset clauses, SERVICE, update keywords."""

    form: str | None
    update: bool
    has_dataset: bool
    uses_service: bool

    @property
    def kind(self) -> str | None:
        """``results`` for SELECT/ASK, ``rdf`` for CONSTRUCT/DESCRIBE, None if unknown."""
        if self.form in {"SELECT", "ASK"}:
            return "results"
        if self.form in {"CONSTRUCT", "DESCRIBE"}:
            return "rdf"
        return None


MAX_NESTING = 64  # deepest ( { [ nesting accepted; the engine's recursive parser overflows its stack near 10,000
_BRACKET = re.compile(r"[(){}\[\]]")


def check_nesting(text: str, opaque_stripped: str | None = None) -> None:
    """Refuse a query nested deeper than :data:`MAX_NESTING` (QuerySyntaxError).

    Deeply nested groups crash the query engine (a stack overflow kills the process) and
    deeply nested collections make it run for minutes; no real query needs the depth.
    """
    depth = peak = 0
    for match in _BRACKET.finditer(opaque_stripped if opaque_stripped is not None else _OPAQUE.sub(" ", text)):
        if match.group() in "({[":
            depth += 1
            if depth > peak:
                peak = depth
        elif depth:
            depth -= 1
    if peak > MAX_NESTING:
        raise QuerySyntaxError(f"The query nests brackets {peak} deep; at most {MAX_NESTING} levels are accepted.")


def inspect_query(text: str) -> QueryShape:
    """Read the shape of ``text``; conservative: a stray ``SERVICE`` word counts as a call.

    Raises:
        QuerySyntaxError: the query nests brackets deeper than :data:`MAX_NESTING`.
    """
    opaque = _OPAQUE.sub(" ", text)
    check_nesting(text, opaque)
    stripped = _PREFIX_DECL.sub(" ", opaque)
    words = [m.group(1).upper() for m in _WORD.finditer(stripped)]
    form: str | None = None
    update = False
    for word in words:
        if word in {"BASE", "PREFIX"}:
            continue
        if word in QUERY_FORMS:
            form = word
        elif word in UPDATE_WORDS:
            update = True
        break
    return QueryShape(form=form, update=update, has_dataset="FROM" in words, uses_service="SERVICE" in words)


# --- Jobs and replies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One query to run.

    Args:
        query: the SPARQL text.
        formats: format name per result kind (``results``, ``rdf``); a kind left out is
            not acceptable to the client, and the reply says ``not_acceptable``.
        limit: most rows or triples returned; more is cut and the reply says ``truncated``.
        default_graphs, named_graphs: a dataset from the protocol; None: not given.
        query_dataset: the query has FROM/FROM NAMED, which then wins over the store default.
        base_iri: resolves relative IRIs in the query.
        label_lang: for ``html``, the preferred language of labels looked up for IRIs.
        prefixes: prefixes for RDF formats that abbreviate IRIs.
        store_path: the folder of the newest published state (see :func:`paradip_kg.store.disk.read_head`);
            the child reopens the store when it changes, so a query never mixes two states.
    """

    query: str
    formats: dict[str, str]
    limit: int
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    query_dataset: bool = False
    base_iri: str | None = None
    label_lang: str = "es"
    prefixes: dict[str, str] | None = None
    store_path: str | None = None  # the published state to read (None: the child's --store folder)


@dataclass
class Reply:
    """The answer of the child: a body in the requested format, or an error."""

    kind: str = ""
    format: str = ""
    body: bytes = b""
    table: dict[str, Any] | None = None
    truncated: bool = False
    count: int = 0
    error: str = ""
    message: str = ""
    seconds: float = 0.0


# --- Framing ------------------------------------------------------------------------------

_HEADER = struct.Struct(">Q")


def write_frame(stream: BinaryIO, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: BinaryIO) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    """Read ``size`` bytes from ``fd``; TimeoutError at ``deadline``, EOFError if closed."""
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# --- The worker side ----------------------------------------------------------------------


class QueryRunner:
    """One child process answering jobs, stopped and replaced when a job overruns."""

    def __init__(self, store: Path, default_graphs: Sequence[str] = (), union_default_graph: bool = False,
                 start_timeout: float = 60.0) -> None:
        self.store = store
        self.default_graphs = tuple(default_graphs)
        self.union_default_graph = union_default_graph
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None
        self._ready = False
        self._lock = threading.Lock()

    def _command(self) -> list[str]:
        cmd = [sys.executable, "-m", "paradip_kg.sparql.jobs", "--store", str(self.store)]
        if self.union_default_graph:
            cmd.append("--union")
        for graph in self.default_graphs:
            cmd += ["--default-graph", graph]
        return cmd

    def start(self) -> None:
        """Start the child if none runs (it opens the store while the worker does other things)."""
        if self._proc is None or self._proc.poll() is not None:
            self.stop()
            self._proc = subprocess.Popen(self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          close_fds=True)
            # Killed with the runner if nobody calls stop(): a forgotten app, or interpreter exit.
            self._finalizer = weakref.finalize(self, _terminate, self._proc)
            self._ready = False

    def _wait_ready(self) -> subprocess.Popen[bytes]:
        self.start()
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        if not self._ready:
            try:
                hello = self._receive(proc, time.monotonic() + self.start_timeout)
            except (EOFError, TimeoutError):
                self.stop()
                raise ParadipError("the query engine process did not start; see the server log") from None
            if isinstance(hello, Reply) and hello.error:
                self.stop()
                raise ParadipError(hello.message)
            self._ready = True
        return proc

    @staticmethod
    def _receive(proc: subprocess.Popen[bytes], deadline: float | None) -> Any:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
        return pickle.loads(_read_exact(fd, size, deadline))

    def run(self, job: Job, timeout: float) -> Reply:
        """Run ``job``; raise QueryTimeout after ``timeout`` s, QuerySyntaxError on a bad query."""
        with self._lock:
            proc = self._wait_ready()
            assert proc.stdin is not None
            started = time.monotonic()
            try:
                write_frame(proc.stdin, job)  # type: ignore[arg-type]
                reply: Reply = self._receive(proc, started + timeout if timeout > 0 else None)
            except TimeoutError:
                self.stop()
                self.start()
                raise QueryTimeout(f"The query ran for more than {timeout:g} s and was stopped. "
                                   "Narrow it (a LIMIT, a more selective pattern) or ask the operator "
                                   "for a longer query_timeout.") from None
            except (EOFError, BrokenPipeError, OSError):
                self.stop()
                self.start()
                raise ParadipError("the query engine process ended unexpectedly; see the server log") from None
        reply.seconds = time.monotonic() - started
        return reply_or_raise(reply)

    def stop(self) -> None:
        """Kill the child now (a query may be running: there is nothing to wait for)."""
        self._proc, self._ready = None, False
        if self._finalizer is not None:
            self._finalizer()
            self._finalizer = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None


def reply_or_raise(reply: Reply) -> Reply:
    """``reply``, or the error it carries raised: QuerySyntaxError, NotAcceptable, ParadipError."""
    if reply.error == "syntax":
        raise QuerySyntaxError(reply.message)
    if reply.error == "not_acceptable":
        raise NotAcceptable(reply.kind)
    if reply.error:
        raise ParadipError(reply.message)
    return reply


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass


# --- The child side -----------------------------------------------------------------------


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a runaway query must not outlive it)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def child_main(argv: Sequence[str] | None = None) -> int:
    """Open the store and answer jobs until stdin closes."""
    parser = argparse.ArgumentParser(prog="python -m paradip_kg.sparql.jobs")
    parser.add_argument("--store", required=True)
    parser.add_argument("--union", action="store_true")
    parser.add_argument("--default-graph", action="append", default=[])
    args = parser.parse_args(argv)
    _die_with_parent()
    parent = os.getppid()
    # The protocol owns the real stdout; anything printed goes to stderr (the server log).
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    if os.getppid() != parent:
        return 0
    import pyoxigraph as ox  # the child imports no more than it needs: it must start fast

    from paradip_kg.sparql.results import execute

    path = args.store
    try:
        store = ox.Store.read_only(path)
    except OSError as exc:
        write_frame(channel, Reply(error="store", message=str(exc)))
        return 1
    write_frame(channel, Reply(kind="ready"))
    while True:
        try:
            job = read_frame(requests)
        except EOFError:
            return 0
        if job.store_path and job.store_path != path:  # a write or build published a new state
            try:
                store, path = ox.Store.read_only(job.store_path), job.store_path
            except OSError as exc:
                write_frame(channel, Reply(error="store", message=f"cannot open the store: {exc}"))
                continue
        write_frame(channel, execute(store, job, tuple(args.default_graph), args.union))


if __name__ == "__main__":
    # Run the imported module's function, so that pickled classes are paradip_kg.sparql.jobs.*
    # on both ends, not __main__.*.
    from paradip_kg.sparql.jobs import child_main as _child_main

    sys.exit(_child_main())
