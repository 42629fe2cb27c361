"""Writes: SPARQL Update and Graph Store changes, validated before they are committed.

One write, whichever door it came in by (``/update``, the Graph Store Protocol, a test):

    take the write lock (one writer at a time, across processes)      writes/live.py
      │ open the writer's copy ``<store>.writes/live`` (kept open since the last write; rebuilt
      │   from the head if a crash left it dirty)
      │ apply the asserted change → the delta: quads added and removed  writes/operations.py, delta.py
      │ refuse changes to reserved graphs (403)                         writes/graphs.py
      │ re-infer what the change can affect → the inferred delta        writes/affected.py, context.py, reinfer.py
      │ validate what the change can affect → 422 with the report       writes/revalidate.py
      │ record the write in the provenance graph                        writes/provenance.py
      │ journal what it added and removed (paradip-kg restore)          writes/journal.py
      ▼ publish: a snapshot of live (hard links), then HEAD renamed onto it (fsync'd)   store/head.py
      then the search index follows the delta                          store/search_index.py
    answer

This module is that transaction (:func:`commit`) and its doors (:func:`sparql_update`,
:func:`replace_graph`, :func:`add_to_graph`, :func:`drop_graph`). Readers never open ``live``:
they open the snapshot HEAD names (:func:`paradip_kg.store.head.read_head`), so they see the
state before a write or after it, never a mix, and a ``kill -9`` at any point leaves HEAD on the
last published state. A write is acknowledged only after HEAD is durable. Nothing is committed
on any error: the writer's copy stays marked dirty and the next write rebuilds it from HEAD.
"""

from __future__ import annotations

import gc
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from paradip_kg.errors import ChangeTooWide, WriteForbidden, WriteRejected
from paradip_kg.namespaces import ID
from paradip_kg.shacl.results import Report
from paradip_kg.store.head import Head, built_head, read_head, snapshots_dir, write_head
from paradip_kg.store.search_index import keep_in_step
from paradip_kg.writes.affected import Affected, affected
from paradip_kg.writes.delta import Delta
from paradip_kg.writes.graphs import TYPE, subject_of, writable
from paradip_kg.writes.journal import record
from paradip_kg.writes.live import collect_snapshots, keep_live, mark_live, open_live, release, writer_lock
from paradip_kg.writes.operations import Change, DropGraph, GraphStoreChange, check_update, update_change
from paradip_kg.writes.provenance import provenance
from paradip_kg.writes.reinfer import reinfer
from paradip_kg.writes.revalidate import revalidate
from paradip_kg.writes.schema import schema_of


@dataclass
class WriteResult:
    version: str
    sequence: int
    graphs: list[str]
    added: int
    removed: int
    inferred_added: int = 0
    inferred_removed: int = 0
    activity: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    focus_nodes: int = 0
    full_validation: bool = False
    created: bool = False
    warnings: int = 0  # results below Violation (warnings, infos) about what the change affects
    # The validation report of an accepted write (its warnings and infos), if it was validated.
    report: Report | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The write's summary (every field but the report)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "report"}


@dataclass
class _Staged:
    """A change applied, inferred, validated and logged on the writer's copy, and snapshotted."""

    delta: Delta
    inferred: Delta
    hit: Affected | None
    report: Report
    focus_count: int
    sequence: int
    snapshot: str
    activity: str
    base: str  # the content hash of the build under the writes (HEAD records it)
    ended: datetime
    commit_started: float


def commit(store_dir: Path, change: Change, *, agent: str, operation: str, timeout: float = 30.0,
           also_writes: frozenset[str] = frozenset()) -> WriteResult:
    """Run ``change(live) -> Delta`` under the lock, then infer, validate, log and publish.
    ``also_writes``: harvested graphs this change may write (:func:`paradip_kg.writes.graphs.writable`)."""
    with writer_lock(store_dir, timeout):
        outcome = _write_locked(store_dir, change, agent=agent, operation=operation, timeout=timeout,
                                also_writes=also_writes)
        # The writer's read-write store stays open in this process (writes/live.py keeps it for
        # the next write); another process that wants to write asks this one to close it.
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _forget_frames(exc: BaseException) -> BaseException:
    """Drop the tracebacks of ``exc`` and its causes: they hold the frames that hold the store."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def _write_locked(store_dir: Path, change: Change, *, agent: str, operation: str,
                  timeout: float = 30.0, also_writes: frozenset[str] = frozenset()) -> WriteResult | BaseException:
    """The write under the lock; its error is returned, not raised (its frames already forgotten)."""
    seconds: dict[str, float] = {}
    head = read_head(store_dir)
    live: ox.Store | None = None
    try:
        t = time.perf_counter()
        live = open_live(store_dir, head, timeout)
        seconds["open"] = time.perf_counter() - t
        staged = _stage_on(store_dir, head, live, change, agent=agent, operation=operation, seconds=seconds,
                           started=datetime.now(UTC).replace(microsecond=0), also_writes=also_writes)
        if staged is None:  # nothing changed: nothing to publish
            keep_live(store_dir, live, head.tag)
            return WriteResult(version=head.tag[:16], sequence=head.sequence, graphs=[], added=0, removed=0,
                               seconds={k: round(v, 4) for k, v in seconds.items()})
        record(store_dir, staged.sequence, staged.base, staged.delta, agent=agent, operation=operation)  # undo log
        write_head(store_dir, staged.snapshot, staged.sequence, staged.base, staged.ended)  # the commit point
        new_head = read_head(store_dir)
        keep_live(store_dir, live, new_head.tag)
        seconds["commit"] = time.perf_counter() - staged.commit_started
        collect_snapshots(store_dir, staged.snapshot)
        t = time.perf_counter()
        keep_in_step(store_dir, [(d.added, d.removed) for d in (staged.delta, staged.inferred)], new_head.tag)
        seconds["index"] = time.perf_counter() - t
    except BaseException as exc:  # live stays marked dirty: the next write rebuilds it from HEAD
        live = None  # this frame's reference to the writer's store: it must close
        outcome = _forget_frames(exc)
        release(store_dir)
        gc.collect()  # reference cycles of the failed steps may still hold the store open
        return outcome
    delta, inferred = staged.delta, staged.inferred
    return WriteResult(version=new_head.tag[:16], sequence=staged.sequence, graphs=delta.graphs(),
                       added=len(delta.added), removed=len(delta.removed),
                       inferred_added=len(inferred.added), inferred_removed=len(inferred.removed),
                       activity=staged.activity, seconds={k: round(v, 4) for k, v in seconds.items()},
                       focus_nodes=staged.focus_count, full_validation=staged.focus_count < 0 or staged.hit is None,
                       warnings=len(staged.report.results), report=staged.report)


def _stage_on(store_dir: Path, head: Head, live: ox.Store, change: Change, *, agent: str, operation: str,
              seconds: dict[str, float], started: datetime,
              also_writes: frozenset[str] = frozenset()) -> _Staged | None:
    """Apply ``change`` to the writer's copy, re-infer, validate, log and snapshot it (None: the
    change changed nothing)."""
    mark_live(store_dir, "dirty")  # from here on, live may differ from HEAD until published
    t = time.perf_counter()
    delta = change(live)
    seconds["apply"] = time.perf_counter() - t
    forbidden = [g for g in delta.graphs() if not writable(g, also_writes)]
    if forbidden or any(isinstance(q.graph_name, ox.DefaultGraph) for q in delta.quads()):
        raise WriteForbidden("these graphs are maintained by paradip-kg and cannot be written: "
                             + ", ".join(forbidden or ["the unnamed default graph"]))
    if not delta:
        return None
    tbox_key = built_head(store_dir).tag
    t = time.perf_counter()
    inferred, hit = reinfer(live, delta, tbox_key)
    seconds["infer"] = time.perf_counter() - t
    t = time.perf_counter()
    schema = schema_of(live, tbox_key)
    extra = {subject_of(q) for q in inferred.quads() if q.predicate == TYPE or q.predicate in schema.read}
    if hit is not None:  # reinfer's nodes follow what the rules read back; validation, what the shapes do
        try:
            hit = affected(live, delta.quads(), schema.terms, schema.reached,
                           also=[q for q in inferred.quads() if q.predicate in schema.reached])
        except ChangeTooWide:
            hit = None
    report, focus_count = revalidate(live, hit, extra, tbox_key)
    seconds["validate"] = time.perf_counter() - t
    if not report.conforms:
        raise WriteRejected(f"the change breaks {report.counts()['Violation']} shape constraint(s); "
                            "nothing was written", report)
    commit_started = time.perf_counter()
    sequence = head.sequence + 1
    ended = datetime.now(UTC).replace(microsecond=0)
    activity = f"{ID}write/{sequence}-{uuid.uuid4().hex[:8]}"
    live.extend(provenance(activity, agent, operation, started, ended, delta, inferred))
    # No flush first: the backup (a RocksDB checkpoint) holds what the copy holds either way, and
    # a flush of its own cost 20-40 ms a write here.
    snapshot = f"{sequence:08d}-{uuid.uuid4().hex[:6]}"
    snapshots = snapshots_dir(store_dir)
    snapshots.mkdir(exist_ok=True)
    t = time.perf_counter()
    live.backup(str(snapshots / snapshot))
    seconds["snapshot"] = time.perf_counter() - t  # part of "commit"
    return _Staged(delta, inferred, hit, report, focus_count, sequence, snapshot, activity, tbox_key, ended,
                   commit_started)


# --- The doors --------------------------------------------------------------------------------------


def sparql_update(store_dir: Path, text: str, *, agent: str, base_iri: str | None = None,
                  allow_load: bool = False, allow_service: bool = False, timeout: float = 30.0) -> WriteResult:
    """Run a SPARQL 1.1 Update; the unnamed default graph is the data graph."""
    blanked = check_update(text, allow_load, allow_service)
    return commit(store_dir, update_change(text, base_iri, blanked), agent=agent, operation="SPARQL Update",
                  timeout=timeout)


def _graph_store_write(store_dir: Path, graph: str, data: Graph | Iterable[ox.Triple], *, agent: str,
                       timeout: float, replace: bool) -> WriteResult:
    change = GraphStoreChange(graph, data, replace)
    result = commit(store_dir, change, agent=agent, operation="Graph Store PUT" if replace else "Graph Store POST",
                    timeout=timeout)
    result.created = change.created
    return result


def replace_graph(store_dir: Path, graph: str, data: Graph | Iterable[ox.Triple], *, agent: str,
                  timeout: float = 30.0) -> WriteResult:
    """Graph Store PUT: ``graph`` holds exactly ``data`` afterwards."""
    return _graph_store_write(store_dir, graph, data, agent=agent, timeout=timeout, replace=True)


def add_to_graph(store_dir: Path, graph: str, data: Graph | Iterable[ox.Triple], *, agent: str,
                 timeout: float = 30.0) -> WriteResult:
    """Graph Store POST: ``data`` merged into ``graph``."""
    return _graph_store_write(store_dir, graph, data, agent=agent, timeout=timeout, replace=False)


def drop_graph(store_dir: Path, graph: str, *, agent: str, timeout: float = 30.0) -> WriteResult:
    """Graph Store DELETE: ``graph`` and its triples are gone; GraphNotFound if there is none."""
    return commit(store_dir, DropGraph(graph), agent=agent, operation="Graph Store DELETE", timeout=timeout)
