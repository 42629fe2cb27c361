"""A bounded soak test (issue 7): a real gunicorn server under a mixed concurrent load.

The server (2 gunicorn workers, ``query_timeout`` 3 s, a queue with room for every client, the
sample store, log to a file) is started with :func:`support.servers.start_server` on a free
127.0.0.1 port. Eight client threads send the request mix of ``bench/bench_load.py`` — cheap
example queries, resource pages, ``/id/`` 303s, ``/data/….ttl``, the home page, ``/ontology``,
``/.well-known/void``, ``/fragments``, validations (conforming, non-conforming, malformed → 400,
wrong media type → 415) — from seven threads, while the eighth keeps one runaway query (a
cartesian product, stopped → 503) in flight. A warm-up phase is followed by four load phases of
a fixed number of requests, all under a hard wall-clock bound.

It asserts:

1. no errors: every answer has the status the API documents (200, 303, 400, 415; 503 only for
   the runaway queries, and only as "query timed out"); no connection error, no client timeout;
2. runaway queries do not starve cheap ones: the p99 latency of the cheap queries that ran
   entirely while a runaway query was in flight stays under :data:`CHEAP_P99_BOUND`;
3. memory does not grow: the RSS of the whole server process tree (gunicorn master, workers,
   and their query and validation child processes) at the end of each load phase is within
   :data:`RSS_TOLERANCE` of its value after the warm-up.

The figures (statuses per kind, p50/p99 per kind, RSS per phase) are printed to the terminal
even when pytest captures output, so the suite's log shows them.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import processes
from support.paths import ROOT
from support.servers import Server, start_server, stop_server

sys.path.insert(0, str(ROOT / "bench"))
from bench_load import CLIENT_TIMEOUT, Mix, Result, RunawayLoop, page_paths, percentile, run_clients  # noqa: E402

pytestmark = [pytest.mark.server, pytest.mark.slow]

QUERY_TIMEOUT = 3.0
CLIENTS = 7  # mix clients; the runaway thread makes eight
REQUESTS_PER_PHASE = 245  # mix requests per load phase (35 per client)
RUNAWAYS_PER_PHASE = 5  # one at a time: ~5 × query_timeout of runaway load per phase
PHASES = 4
WALL_CLOCK_BOUND = 150.0  # seconds for warm-up and all phases; past it the test fails
# A cheap query that had to wait for a runaway's worker would wait until the runaway is
# stopped: up to query_timeout (3 s), so the slowest 1 % would be near 3 s. With one of the
# two workers held by the runaway, the other serves the seven mix clients, so a cheap query
# may queue behind up to six requests (a validation takes ~0.1-0.6 s here): p99 0.4-1.1 s was
# seen on this shared 2-core machine at load average 3-6. 2 s is above that queueing and
# well below the 3 s of a cheap query stuck behind a runaway.
CHEAP_P99_BOUND = 2.0
# Memory: after the warm-up every cache is filled; later phases may only add noise (allocator
# arenas, a query child replaced after each runaway). +15 % or +30 MB, whichever is larger.
RSS_TOLERANCE = (0.15, 30 * 1024 * 1024)


# --- the process tree's memory --------------------------------------------------------------


def _role(pid: int, master: int) -> str:
    if pid == master:
        return "master"
    command = processes.command_line(pid)
    if command is None:
        return "gone"
    if "paradip_kg.sparql.runner" in command:
        return "query children"
    if "paradip_kg.shacl.runner" in command:
        return "validation children"
    return "workers"


def tree_rss(master: int) -> dict[str, int]:
    """RSS in bytes of ``master`` and all its descendants, by role, and their total."""
    by_role: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for pid in processes.descendants(master):
        role = _role(pid, master)
        by_role[role] += processes.rss_bytes(pid)
        counts[role] += 1
    out = {f"{role} ({counts[role]})": value for role, value in sorted(by_role.items())}
    out["total"] = sum(by_role.values())
    return out


# --- the test -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def soak_server(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("soak")
    running = start_server(tmp, [], {"PARADIP_STORE": str(sample_store), "PARADIP_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
                                     "PARADIP_VALIDATION_REPORTS_DIR": str(tmp / "reports"),
                                     "PARADIP_LOG_LEVEL": "warning",
                                     # Room in the queue for every client at once: seven clients may all send
                                     # a validation to one worker (one validation slot there), and a 503 Busy,
                                     # right when the pool is full, is not what this test looks for.
                                     "PARADIP_QUERY_QUEUE": str(CLIENTS + 1)}, workers=2)
    yield running
    stop_server(running)


def _settle(server: Server) -> None:
    time.sleep(1.0)  # let a query child replaced after the last runaway start up
    assert server.process.poll() is None, server.log.read_text()[-3000:]


def _print_kinds(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    print(f"  {'kind':30} {'n':>4} {'statuses':24} {'p50 ms':>8} {'p99 ms':>8}")
    for kind in sorted({r.kind for r in results}):
        mine = [r for r in results if r.kind == kind]
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(Counter(str(r.status) for r in mine).items()))
        times = [r.seconds for r in mine]
        print(f"  {kind:30} {len(mine):4d} {statuses:24} {percentile(times, 50) * 1000:8.1f} "
              f"{percentile(times, 99) * 1000:8.1f}")


def test_soak(soak_server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    deadline = started + WALL_CLOCK_BOUND
    url = soak_server.url
    mix = Mix(page_paths(url))
    pid = soak_server.process.pid

    # Warm-up: every kind and page, and one runaway (its query child is replaced once).
    warm = run_clients(url, mix.warmup(), 2, deadline)
    with RunawayLoop(url, limit=1) as loop:
        loop.wait(QUERY_TIMEOUT + CLIENT_TIMEOUT)
    warm += loop.results
    _settle(soak_server)
    rss = [("after warm-up", tree_rss(pid))]

    results: list[Result] = []
    cheap_during_runaway: list[float] = []
    planned = 0
    for phase in range(1, PHASES + 1):
        requests = mix.sequence(REQUESTS_PER_PHASE)
        planned += len(requests) + RUNAWAYS_PER_PHASE
        with RunawayLoop(url, limit=RUNAWAYS_PER_PHASE) as loop:
            time.sleep(0.3)  # the first runaway is running
            phase_results = run_clients(url, requests, CLIENTS, deadline)
            loop.wait(max(0.0, deadline - time.monotonic()))
        cheap_during_runaway += [r.seconds for r in phase_results
                                 if r.kind == "query: cheap" and loop.in_flight(r.started, r.ended)]
        results += phase_results + loop.results
        _settle(soak_server)
        rss.append((f"after phase {phase}", tree_rss(pid)))
    elapsed = time.monotonic() - started

    # The figures, in the suite's log whatever the capture setting.
    with capsys.disabled():
        print(f"\nsoak: {len(warm)} warm-up + {len(results)} load requests in {elapsed:.1f} s "
              f"(load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
        _print_kinds("load phases: statuses and latency per kind", results)
        print(f"\ncheap queries entirely during a runaway: n={len(cheap_during_runaway)}, "
              f"p50 {percentile(cheap_during_runaway, 50) * 1000:.1f} ms, "
              f"p99 {percentile(cheap_during_runaway, 99) * 1000:.1f} ms (bound {CHEAP_P99_BOUND * 1000:.0f} ms)")
        print("\nRSS of the server's process tree (MiB)")
        for name, sample in rss:
            parts = ", ".join(f"{k} {v / 2**20:.1f}" for k, v in sample.items() if k != "total")
            print(f"  {name:16} total {sample['total'] / 2**20:7.1f}  ({parts})")

    # 0. Everything planned was sent within the wall-clock bound.
    assert elapsed < WALL_CLOCK_BOUND and len(results) == planned, (
        f"{len(results)} of {planned} requests done in {elapsed:.1f} s (bound {WALL_CLOCK_BOUND:.0f} s)")
    # 1. No errors: only documented statuses, and 503 only for the runaways.
    errors = [(r.kind, r.status, r.error) for r in warm + results if r.error]
    assert not errors, f"{len(errors)} errors, first ones: {errors[:10]}"
    assert all(r.status == 503 for r in results if r.kind.startswith("query: runaway"))
    assert sum(1 for r in results if r.status == 503) == PHASES * RUNAWAYS_PER_PHASE
    # 2. Runaways did not starve cheap queries.
    assert len(cheap_during_runaway) >= 20, "too few cheap queries overlapped a runaway to judge"
    p99 = percentile(cheap_during_runaway, 99)
    assert p99 < CHEAP_P99_BOUND, f"cheap query p99 {p99:.2f} s while a runaway ran (bound {CHEAP_P99_BOUND} s)"
    # 3. Memory did not grow after the warm-up.
    base = rss[0][1]["total"]
    allowed = base + max(base * RSS_TOLERANCE[0], RSS_TOLERANCE[1])
    for name, sample in rss[1:]:
        assert sample["total"] <= allowed, (
            f"RSS {name} {sample['total'] / 2**20:.1f} MiB > {allowed / 2**20:.1f} MiB allowed "
            f"(after warm-up {base / 2**20:.1f} MiB)")
