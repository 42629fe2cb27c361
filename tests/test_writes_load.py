"""Writes under load (issues 6 and 7): concurrent writers and readers on a real gunicorn server,
and ``kill -9`` of the whole server in the middle of the load.

The server (``python -m paradip_kg.serving``, what ``paradip-kg serve`` runs: :data:`WORKERS`
sync workers, writes on with a token) runs in its own session, on a copy of the bundled store,
on a free 127.0.0.1 port. In each round, :data:`WRITERS` threads ``POST /update`` new
sister-city agreements (8 triples each, a distinct pair of existing governments for each write;
in round 1 the last writer's first write, and every :data:`DUPLICATE_EVERY`-th after it,
repeats the parties of a twinning of the bundled graph: a duplicate the shapes reject with
422; that writer gets a head start so that the 422 most likely comes before the kill), while
:data:`READERS` threads query ``/sparql`` over and over (:data:`READ_PAUSE` s apart). Then the
whole process group (gunicorn master, workers, their query children) gets SIGKILL:

- round 1, "mid-write": :data:`KILL_DELAY` s after the round's second acknowledged write, when
  the next write is being applied, inferred or validated;
- round 2, "mid-commit": as soon as a new snapshot folder appears under
  ``<store>.writes/snapshots`` (a write is being published and HEAD is not yet renamed onto it);
- round 3, if rounds 1 and 2 took less than :data:`THIRD_ROUND_BEFORE` s: "after-commit": as soon
  as HEAD names a new snapshot (the write is committed, and its answer most likely not yet sent).

A round whose moment does not come within :data:`ROUND_BOUND` s (a slow machine) is killed
then anyway. After each kill the store is checked directly (no server running), then the
server is restarted on the same store and the same checks are made over HTTP; each round runs
on the server restarted after the previous one, and after the last restart one more write
must be accepted. Every request has a client timeout, and the whole test a hard bound
(:data:`WALL_CLOCK_BOUND`).

What is asserted:

1. No acknowledged write (200) is lost: each is present with its 8 triples, its entailed
   ``pdo:InternationalAgreement`` type and one ``prov:Activity`` naming it in the writes log.
2. No partial write is visible, ever. Every read (one SPARQL query, so one published state)
   checks the invariant that holds in every published state: the test agreements in the data
   graph, the ones named by an activity of the writes log (one each) and the ones with their
   inferred type are the same set, each agreement has exactly 8 triples, and the log holds
   nothing else. After a kill a write that was in flight may be present or absent, but whole.
3. A write that was refused (422, or 503 when the write lock stayed busy), or never reached the
   server, is absent. Answers are 200, 422 for the intended duplicates only, or 503.
4. Reads are monotonic and see acknowledged writes: a query sent after a write was acknowledged
   sees it, and a reader never sees an agreement disappear.
5. HEAD's sequence equals the number of writes in the store; the restarted server takes writes
   (no stale lock, no dirty writer's copy in the way); no server process survives the test.

The figures (acknowledged, rejected, in flight at the kill, reads and invariant checks per
round) are printed to the terminal even when pytest captures output.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from paradip_kg.store.head import read_head, writes_dir
from support import servers
from support.servers import Server, kill_group, stop_server
from support.stores import copy_store
from support.writes import agreement

pytestmark = [pytest.mark.server, pytest.mark.slow]

TOKEN = "load-token-0123456789abcdefXYZ"
WRITERS = 3
READERS = 2
WORKERS = 4  # > WRITERS: a sync worker waiting for the write lock cannot serve a reader
DUPLICATE_EVERY = 4  # round 1: the last writer's 1st, 5th... writes are intended duplicates (422)
DUPLICATE_HEAD_START = 0.5  # round 1: seconds the other writers wait
KILL_DELAY = 0.8  # mid-write: seconds after the last acknowledged write awaited
KILLS = [("r1", "mid-write", 2), ("r2", "mid-commit", 1), ("r3", "after-commit", 1)]  # round, moment, acks before
THIRD_ROUND_BEFORE = 60.0  # round 3 runs only if rounds 1 and 2 ended within this many seconds
ROUND_BOUND = 25.0  # seconds of load per round at most: then the kill comes, whatever the moment
WALL_CLOCK_BOUND = 140.0  # the whole test, server starts included (hard: asserted)
WRITE_TIMEOUT = 60.0  # the server's write_timeout: a write queued longer gets 503 (not acknowledged)
WRITE_CLIENT_TIMEOUT = WRITE_TIMEOUT + 40  # a queued write gets its answer (200, 422, 503) before this
READ_CLIENT_TIMEOUT = 20.0
READ_PAUSE = 0.1  # between a reader's queries: leaves the 2 cores some room for the writes
LOAD_CHECKS = 3  # invariant checks by the readers under load before a kill (the round asserts >= 5 with the
# two after it): the kill waits for them too, or a fast first write can bring it after only two reads

PDO = "https://w3id.org/paradip/ontology#"
ID = "https://w3id.org/paradip/id/"
DATA = "https://w3id.org/paradip/graph/data"
INFERRED = "https://w3id.org/paradip/graph/inferred"
WRITES = "https://w3id.org/paradip/graph/writes"
PREFIX = f"{ID}agreement/test-load-"

# One query, so one published state: per test agreement its triples in the data graph, its
# inferred scope classes, the activities of the log that name it (or "other" for any activity
# that does not name a test agreement).
INVARIANT = f"""PREFIX pdo: <{PDO}>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?kind ?a (COUNT(*) AS ?n) WHERE {{
  {{ GRAPH <{DATA}> {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?s), "{PREFIX}"))
     BIND ("data" AS ?kind) BIND (STR(?s) AS ?a) }}
  UNION
  {{ GRAPH <{INFERRED}> {{ ?s a ?c }} FILTER (?c IN (pdo:InternationalAgreement, pdo:NationalAgreement))
     FILTER (STRSTARTS(STR(?s), "{PREFIX}")) BIND ("inferred" AS ?kind) BIND (STR(?s) AS ?a) }}
  UNION
  {{ GRAPH <{WRITES}> {{ ?w a prov:Activity OPTIONAL {{ ?w pdo:addedStatements ?added }} }}
     BIND (COALESCE(STRAFTER(?added, "<{PREFIX}"), "") AS ?rest)
     BIND ("log" AS ?kind) BIND (IF(?rest = "", "other", CONCAT("{PREFIX}", STRBEFORE(?rest, ">"))) AS ?a) }}
}} GROUP BY ?kind ?a"""


# --- The server in its own process group -------------------------------------------------------


def start_server(tmp: Path, store: Path) -> Server:
    """``python -m paradip_kg.serving`` on ``store`` as a session leader, so one ``killpg`` reaches
    master, workers and query children."""
    env = {"PARADIP_STORE": str(store), "PARADIP_WRITE_TOKENS": f"loader={TOKEN}", "PARADIP_LOG_LEVEL": "warning",
           "PARADIP_QUERY_TIMEOUT": str(READ_CLIENT_TIMEOUT - 5), "PARADIP_WRITE_TIMEOUT": str(WRITE_TIMEOUT)}
    return servers.start_server(tmp, env=env, workers=WORKERS, own_group=True)


# --- Requests ------------------------------------------------------------------------------------


def post_update(url: str, text: str) -> tuple[int, str]:
    request = urllib.request.Request(url + "/update", data=text.encode(), method="POST", headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=WRITE_CLIENT_TIMEOUT) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode(errors="replace")


def sparql_rows(url: str, query: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(url + "/sparql?" + urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=READ_CLIENT_TIMEOUT) as answer:
        return json.loads(answer.read())["results"]["bindings"]  # type: ignore[no-any-return]


@dataclass
class State:
    """What one read (or a direct look at the store) saw."""

    data: dict[str, int] = field(default_factory=dict)  # agreement → triples in the data graph
    inferred: dict[str, int] = field(default_factory=dict)  # agreement → inferred scope classes
    logged: dict[str, int] = field(default_factory=dict)  # agreement (or "other") → activities

    @classmethod
    def of(cls, rows: list[tuple[str, str, int]]) -> State:
        state = cls()
        for kind, a, n in rows:
            getattr(state, {"data": "data", "inferred": "inferred", "log": "logged"}[kind])[a] = n
        return state

    def problems(self) -> list[str]:
        """Broken invariants: empty in every published state."""
        out = []
        partial = {a: n for a, n in self.data.items() if n != 8}
        if partial:
            out.append(f"agreements without exactly 8 triples: {partial}")
        if set(self.data) != set(self.logged) or set(self.data) != set(self.inferred):
            out.append(f"data {sorted(self.data)} / log {sorted(self.logged)} / "
                       f"inferred {sorted(self.inferred)} differ")
        if any(n != 1 for n in self.logged.values()) or any(n != 1 for n in self.inferred.values()):
            out.append(f"log records {self.logged}, inferred types {self.inferred}: one each expected")
        return out


def state_over_http(url: str) -> State:
    return State.of([(r["kind"]["value"], r["a"]["value"], int(r["n"]["value"])) for r in sparql_rows(url, INVARIANT)])


def state_in_store(store: Path) -> tuple[State, int]:
    """The published state read directly (no server), and HEAD's sequence."""
    head = read_head(store)
    rows = ox.Store.read_only(str(head.path)).query(INVARIANT)
    return State.of([(r["kind"].value, r["a"].value, int(r["n"].value)) for r in rows]), head.sequence


# --- The load --------------------------------------------------------------------------------------


@dataclass
class Write:
    iri: str
    parties: tuple[str, str]
    duplicate: bool
    started: float
    ended: float = 0.0
    status: int | None = None
    error: str = ""
    body: str = ""


class Pairs:
    """Party pairs for new agreements, each used once across the whole test, and duplicates."""

    def __init__(self, store: Path) -> None:
        db = ox.Store.read_only(str(read_head(store).path))
        governments = sorted({r["g"].value.rsplit("/", 1)[1] for r in db.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?x {{ ?g a <{PDO}MunicipalGovernment> }} }}")})
        parties: dict[str, set[str]] = defaultdict(set)
        twinnings: set[str] = set()
        for r in db.query(f"""SELECT ?a ?p ?twinning WHERE {{ GRAPH <{DATA}> {{ ?a <{PDO}hasParty> ?p }}
                BIND (EXISTS {{ GRAPH ?x {{ ?a a <{PDO}SisterCityAgreement> }} }} AS ?twinning) }}"""):
            parties[r["a"].value].add(r["p"].value.rsplit("/", 1)[1])
            if r["twinning"].value == "true":
                twinnings.add(r["a"].value)
        existing = {frozenset(p) for p in parties.values()}
        mexican = [g for g in governments if g.startswith("mx-")]
        foreign = [g for g in governments if not g.startswith("mx-")]
        # International pairs (a Mexican and a foreign municipality) that no agreement has yet,
        # interleaved so that consecutive writes touch different governments.
        self.new = [(m, f) for i in range(len(foreign)) for j, m in enumerate(mexican)
                    for f in [foreign[(i + j) % len(foreign)]] if frozenset((m, f)) not in existing]
        # Twinnings of the bundled graph: another one with the same parties is a duplicate (422).
        self.duplicates = sorted({tuple(sorted(p)) for a, p in parties.items() if a in twinnings and len(p) == 2})
        assert len(self.new) >= 40 and self.duplicates, (governments, existing)
        self._new, self._dup = iter(self.new), itertools.cycle(self.duplicates)
        self._lock = threading.Lock()

    def next(self, duplicate: bool) -> tuple[str, str]:
        with self._lock:
            return next(self._dup if duplicate else self._new)  # type: ignore[return-value]


@dataclass
class Round:
    name: str
    writes: list[Write] = field(default_factory=list)
    acked: dict[str, float] = field(default_factory=dict)  # agreement → when its 200 arrived
    reads: int = 0
    checks: int = 0
    problems: list[str] = field(default_factory=list)
    killed_at: float = 0.0
    kill_note: str = ""

    def __post_init__(self) -> None:
        self.lock = threading.Lock()


def writer(url: str, number: int, run: Round, pairs: Pairs, stop: threading.Event, killed: threading.Event,
           wait: float) -> None:
    if stop.wait(wait):
        return
    for seq in itertools.count():
        if stop.is_set():
            return
        # Round 1 only: the last writer starts with a duplicate (a 422 costs the lock a validation).
        duplicate = run.name == "r1" and number == WRITERS - 1 and seq % DUPLICATE_EVERY == 0
        key = f"load-{run.name}-w{number}-{seq}"
        a, b = pairs.next(duplicate)
        write = Write(f"{ID}agreement/test-{key}", (a, b), duplicate, time.monotonic())
        with run.lock:
            run.writes.append(write)
        try:
            write.status, write.body = post_update(url, agreement(key, a=a, b=b))
        except (OSError, http.client.HTTPException) as exc:
            write.error = repr(exc)
        write.ended = time.monotonic()
        if write.status == 200:
            with run.lock:
                run.acked[write.iri] = write.ended
                if json.loads(write.body).get("added") != 8:
                    run.problems.append(f"{write.iri}: acknowledged with {write.body[:200]}")
        if write.error:
            if not killed.is_set():
                with run.lock:
                    run.problems.append(f"writer {number}: {write.error} before the kill")
            return


def reader(url: str, run: Round, stop: threading.Event, killed: threading.Event) -> None:
    last: set[str] = set()
    while not stop.is_set():
        with run.lock:
            acked_before = set(run.acked)
        try:
            state = state_over_http(url)
        except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
            if not killed.is_set():
                with run.lock:
                    run.problems.append(f"read failed before the kill: {exc!r}")
            return
        seen = set(state.data)
        problems = state.problems()
        if acked_before - seen:
            problems.append(f"acknowledged before the query, not seen: {sorted(acked_before - seen)}")
        if last - seen:
            problems.append(f"seen before, gone: {sorted(last - seen)}")
        last = seen
        with run.lock:
            run.reads += 1
            run.checks += 1
            run.problems += problems
        stop.wait(READ_PAUSE)


def head_snapshot(store: Path) -> str | None:
    try:
        return json.loads((writes_dir(store) / "HEAD").read_text(encoding="utf-8")).get("snapshot")  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def new_snapshot(store: Path, before: set[str]) -> bool:
    """A snapshot folder not there at the round's start and not (yet) named by HEAD."""
    head = head_snapshot(store)
    try:
        names = set(os.listdir(writes_dir(store) / "snapshots"))
    except OSError:
        return False
    return bool(names - before - {head})


def load_round(server: Server, store: Path, run: Round, pairs: Pairs, mode: str, acks: int, deadline: float) -> None:
    """Writers and readers until the kill; SIGKILL the whole server at the moment ``mode`` says,
    once ``acks`` writes of the round were acknowledged."""
    stop, killed = threading.Event(), threading.Event()
    snapshots = writes_dir(store) / "snapshots"
    # In round 1 the last writer (its first write is a duplicate) gets a head start, so that it
    # most likely takes the write lock first: a 422 is answered before the kill.
    head_start = [DUPLICATE_HEAD_START if run.name == "r1" and n < WRITERS - 1 else 0.0 for n in range(WRITERS)]
    threads = [threading.Thread(target=writer, args=(server.url, n, run, pairs, stop, killed, head_start[n]),
                                daemon=True) for n in range(WRITERS)]
    threads += [threading.Thread(target=reader, args=(server.url, run, stop, killed), daemon=True)
                for _ in range(READERS)]
    for t in threads:
        t.start()
    bound = min(deadline, time.monotonic() + ROUND_BOUND)
    try:
        while (len(run.acked) < acks or run.checks < LOAD_CHECKS) and time.monotonic() < bound:
            time.sleep(0.01)
        if mode == "mid-write":  # the next write is being applied, inferred or validated
            time.sleep(KILL_DELAY)
            run.kill_note = f"mid-write: {KILL_DELAY} s after ack #{len(run.acked)}"
        elif mode == "mid-commit":  # a snapshot is being published, HEAD not yet renamed onto it
            before = set(os.listdir(snapshots)) if snapshots.is_dir() else set()  # the published ones
            while not new_snapshot(store, before) and time.monotonic() < bound:
                time.sleep(0.002)
            run.kill_note = "mid-commit: " + ("a new snapshot folder, HEAD not yet on it" if time.monotonic() < bound
                                              else "no snapshot seen before the round's bound")
        else:  # after-commit: HEAD was just renamed, the answer is (most likely) not sent yet
            head = head_snapshot(store)
            while head_snapshot(store) == head and time.monotonic() < bound:
                time.sleep(0.002)
            run.kill_note = "after-commit: " + ("HEAD just moved" if time.monotonic() < bound
                                                else "HEAD did not move before the round's bound")
    finally:
        killed.set()
        run.killed_at = time.monotonic()
        left = kill_group(server)
        stop.set()
        for t in threads:
            t.join(WRITE_CLIENT_TIMEOUT + 5)
    assert not left, f"server processes survived SIGKILL: {left}"
    assert not any(t.is_alive() for t in threads), "a client thread did not stop"


def check_after_kill(store: Path, url: str | None, run: Round, seen_before: set[str]) -> tuple[State, set[str]]:
    """The state after the kill (directly, or over HTTP when ``url``): whole, every acknowledged
    write in it, nothing refused or unsent in it, only in-flight writes undecided."""
    if url is None:
        state, sequence = state_in_store(store)
    else:
        state, sequence = state_over_http(url), read_head(store).sequence
    where = "over HTTP after the restart" if url else "in the store after the kill"
    assert not state.problems(), f"{where}: {state.problems()}"
    present = set(state.data)
    assert sequence == len(present), f"{where}: HEAD sequence {sequence}, {len(present)} writes present"
    assert seen_before <= present, f"{where}: writes of earlier rounds lost: {sorted(seen_before - present)}"
    lost = set(run.acked) - present
    assert not lost, f"{where}: acknowledged writes lost: {sorted(lost)}"
    mine = {w.iri: w for w in run.writes}
    for iri in present - seen_before:
        w = mine.get(iri)
        assert w is not None, f"{where}: {iri} was never sent"
        assert w.status == 200 or (w.status is None and w.started < run.killed_at), (
            f"{where}: {iri} present but it was answered {w.status} / {w.error}")
    return state, present


def report(rounds: list[Round], present: set[str], timings: list[str], elapsed: float) -> None:
    print(f"\nwrites under load: {WRITERS} writers, {READERS} readers, {WORKERS} workers, {elapsed:.1f} s "
          f"({', '.join(timings)}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    for run in rounds:
        statuses: dict[str, int] = defaultdict(int)
        for w in run.writes:
            statuses[str(w.status) if w.status else ("in flight at the kill" if w.started < run.killed_at
                                                     else "after the kill")] += 1
        in_flight = [w for w in run.writes if w.status is None and w.started < run.killed_at]
        landed = sum(1 for w in in_flight if w.iri in present)
        acked = sorted(w.ended - w.started for w in run.writes if w.status == 200)
        print(f"  {run.name}, kill {run.kill_note or '(not reached)'}: {len(run.writes)} writes sent: "
              f"{len(run.acked)} acknowledged, {statuses.get('422', 0)} rejected with 422 "
              f"({sum(1 for w in run.writes if w.status == 422 and w.duplicate)} of them intended duplicates), "
              f"{statuses.get('503', 0)} busy (503), {len(in_flight)} in flight at the kill ({landed} of them "
              f"committed), {statuses.get('after the kill', 0)} sent after it; "
              f"acknowledged in {acked[0] if acked else 0:.1f}-{acked[-1] if acked else 0:.1f} s; "
              f"{run.reads} reads, {run.checks} invariant checks, {len(run.problems)} problems")
    print(f"  in the store at the end: {len(present)} test writes")


def test_writes_under_load_survive_kill_9(bundled_store: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    deadline = started + WALL_CLOCK_BOUND
    store = copy_store(bundled_store, tmp_path)
    pairs = Pairs(store)
    rounds: list[Round] = []
    present: set[str] = set()
    servers: list[Server] = []
    timings: list[str] = []
    try:
        t = time.monotonic()
        server = start_server(tmp_path, store)
        servers.append(server)
        timings.append(f"start {time.monotonic() - t:.1f} s")
        for number, (name, mode, acks) in enumerate(KILLS):
            if number >= 2 and time.monotonic() - started > THIRD_ROUND_BEFORE:
                timings.append(f"{name} skipped: too little time left")
                break  # two kills are required; a third one if time allows
            run = Round(name)
            rounds.append(run)
            t = time.monotonic()
            load_round(server, store, run, pairs, mode, acks, deadline)
            timings.append(f"{name} load {time.monotonic() - t:.1f} s")
            assert not run.problems, f"{name}: {run.problems[:10]}"
            _, direct = check_after_kill(store, None, run, present)
            run.checks += 1
            t = time.monotonic()
            server = start_server(tmp_path, store)
            servers.append(server)
            timings.append(f"restart {time.monotonic() - t:.1f} s")
            _, over_http = check_after_kill(store, server.url, run, present)
            run.checks += 1
            assert over_http == direct
            present = direct

        # The restarted server takes a new write, and shows it whole.
        a, b = pairs.next(False)
        status, body = post_update(server.url, agreement("load-final", a=a, b=b))
        assert status == 200, body
        assert json.loads(body)["added"] == 8
        final = state_over_http(server.url)
        assert not final.problems() and set(final.data) == present | {f"{PREFIX}final"}
        present = set(final.data)
        left = stop_server(server)
        assert not left, f"server processes left after SIGTERM and SIGKILL: {left}"
    finally:
        for s in servers:
            kill_group(s)
        with capsys.disabled():
            report(rounds, present, timings, time.monotonic() - started)
    elapsed = time.monotonic() - started

    assert elapsed < WALL_CLOCK_BOUND, f"{elapsed:.1f} s > {WALL_CLOCK_BOUND} s"
    assert len(rounds) >= 2
    for run in rounds:
        # 200, 422 for the intended duplicates only, or 503 (the write lock was busy for
        # write_timeout s: documented, not acknowledged, and checked absent like a 422).
        unexpected = [(w.iri, w.parties, w.status, w.body[:300]) for w in run.writes
                      if w.status is not None and w.status not in (200, 503) and not (w.status == 422 and w.duplicate)]
        assert not unexpected, f"{run.name}: unexpected answers: {unexpected[:5]}"
        assert all(w.status == 422 for w in run.writes if w.duplicate and w.status is not None)
        assert run.acked and run.checks >= 5, (run.name, len(run.acked), run.checks)
