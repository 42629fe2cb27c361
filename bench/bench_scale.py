"""The knowledge graph at scale: ~10k, ~100k and ~1M triples of synthetic paradiplomacy data.

    .venv/bin/python bench/bench_scale.py --sizes 10k,100k,1M          # what docs/benchmarks.md records
    .venv/bin/python bench/bench_scale.py --sizes 10k --writes 5        # a quick look

For each size (``--sizes``; ``k``/``M`` suffixes) it:

1. **build, stage by stage** — writes a synthetic project (the project's real ontology,
   vocabularies and shapes; the data from ``bench/synthetic.py``, IRIs under
   ``https://w3id.org/paradip/synthetic/``) and runs the stages of ``paradip-kg build``
   (:mod:`paradip_kg.build`: parse → infer (owlrl) → validate (pyshacl) → store (Oxigraph)) one
   by one in a child process. A stage that runs past ``--stage-budget`` seconds is stopped and
   reported as such; a stage whose time, extrapolated linearly from the previous size in this
   run, would exceed the budget is not started (owlrl and pyshacl grow at least linearly, so
   the extrapolation is a lower bound) and the output says so. When infer is not run, validate
   is not either (it validates the entailed graph) and store writes the graphs without them.
2. **the served store (store-only path)** — the same at every size, as bench_sparql_http.py
   and bench_virtuoso.py do for large graphs: the bundled graph's built store (ontology, vocab,
   data, inferred, shapes; the ``store`` setting, else built into the temp folder) plus the
   generator's synthetic data and inferred graphs, bulk-loaded into a fresh Oxigraph store.
   So the example queries about the real graph return their rows from a store of that size,
   and the aggregate ones run over the synthetic mass.
3. **full validation** — one validation of that whole store, the path a write takes when its
   change reaches too far (:func:`paradip_kg.writes.revalidate.revalidate` without focus nodes), in a
   child process under the same budget.
4. **queries over HTTP** — our app (gunicorn, ``--workers`` sync workers, ``python -m
   paradip_kg.serving`` on a free loopback port) answers every example query
   (``src/paradip_kg/queries/*.rq``) up to ``--repeat`` times (fewer, at least 3, past
   ``--query-budget`` seconds) from 1 client, then from ``--clients`` concurrent clients:
   p50/p99 latency and requests/s. The server's memory (RSS of the gunicorn process tree,
   summed from /proc) is sampled throughout.
5. **Virtuoso, same run** — the same store pushed into a private Virtuoso (``scripts/virtuoso.sh``
   on a free loopback port, started once, stopped at the end) with :func:`paradip_kg.backends.push.push`
   over the Graph Store Protocol, then the same queries, same clients, through
   :class:`paradip_kg.backends.client.RemoteStore` (form POST, our dataset, SPARQL JSON / N-Triples).
   Printed per query: ours / Virtuoso (below 1: ours is faster).
6. **writes with validation** — ``--writes`` small INSERT DATA updates, each a new synthetic
   agreement between two existing synthetic governments (modelled on the generator's, with the
   scope their countries call for), through :func:`paradip_kg.writes.commit.sparql_update`: writes/s,
   median seconds per stage, focus nodes. The first write also copies the store into the
   writer's copy and loads the T-box: it is reported apart. Validation on write covers what
   the change can affect, so its cost should not grow with the graph: compare it with the
   full validation of step 3.

Two things about :mod:`paradip_kg.writes.commit` as measured here (2026-11-26): an INSERT DATA whose
literals carry language tags (``"…"@es``) is not recognised as data-only (the tags read as
keywords), so it takes the general update path, which diffs the whole store before and after
(``apply`` grows with the store); and a write can leave the writer's store open until Python's
cycle collector runs, so that the next write in the same process fails on the store's lock
("lock hold by current process") — ``--gc-between-writes`` runs ``gc.collect()`` (untimed)
before each write.

The run recorded in docs/benchmarks.md ("Scale"):

    .venv/bin/python bench/bench_scale.py --sizes 10k,100k,1M --stage-budget 600 --writes 10 \
        --write-budget 180 --query-budget 3 --gc-between-writes

Every figure is also printed as a ratio to a baseline of the same run: the first size, or
Virtuoso. The machine's load average is printed with each table. Temporary files live in one
temp folder, removed at the end; every server started is stopped, on failure too.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))  # the process helpers are shared with the tests (tests/support)

import synthetic  # noqa: E402
from bench_sparql_http import percentile, start_server  # noqa: E402
from paradip_kg.sparql.inspect import inspect_query  # noqa: E402
from paradip_kg.store.disk import Manifest, manifest_path, remove_store  # noqa: E402
from support.processes import tree_pss, tree_rss  # noqa: E402
from support.servers import free_port  # noqa: E402

SCRIPT = ROOT / "scripts" / "virtuoso.sh"
STAGES = ("parse", "infer", "validate", "store")
AGENT = "bench-scale"


def out(text: str = "") -> None:
    print(text, flush=True)


def note(text: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else (
        f"{size // 1000}k" if size % 1000 == 0 else str(size))


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def ratio(value: float | None, base: float | None) -> str:
    if value is None or base is None or base <= 0:
        return "–"
    return f"{value / base:.2f}×"


# --- Memory: RSS of a process tree, from /proc (tests/support/processes.py) -------------------------


class Sampler:
    """Samples tree_rss(pid) every ``every`` seconds in a thread; keeps the peak and the last value
    (and, with ``pss``, the peak of tree_pss: what the tree really holds, shared pages counted once)."""

    def __init__(self, pid: int, every: float = 0.25, pss: bool = False) -> None:
        self.pid, self.every, self.pss = pid, every, pss
        self.peak = self.last = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.last = tree_rss(self.pid)
            self.peak = max(self.peak, self.last)
            if self.pss:
                self.peak_pss = max(self.peak_pss, tree_pss(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self.last = self.peak = tree_rss(self.pid)
        self.peak_pss = tree_pss(self.pid) if self.pss else 0
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def mib(n: float | None) -> str:
    return "–" if n is None else f"{n / 2**20:,.0f}"


# --- Child processes: build stages, full validation ------------------------------------------------


def _emit(path: Path, **record: Any) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def child_build(size: int, workdir: Path, events: Path, skip: set[str]) -> None:
    from rdflib import Graph

    from bench_build import synthetic_project
    from paradip_kg.build import load_sources
    from paradip_kg.inference.closure import infer
    from paradip_kg.shacl.engine import validate
    from paradip_kg.store.disk import write_store

    t = time.perf_counter()
    project = synthetic_project(workdir, size)
    _emit(events, event="ready", seconds=time.perf_counter() - t)
    _emit(events, event="start", stage="parse")
    t = time.perf_counter()
    src = load_sources(project)
    _emit(events, event="done", stage="parse", seconds=time.perf_counter() - t, input=len(src.data),
          note=f"{len(src.ontology) + len(src.vocab) + len(src.data) + len(src.shapes)} triples parsed")
    inferred = Graph()
    if "infer" not in skip:
        _emit(events, event="start", stage="infer")
        t = time.perf_counter()
        asserted = src.union()
        inferred, errors = infer(asserted)
        _emit(events, event="done", stage="infer", seconds=time.perf_counter() - t,
              note=f"{len(inferred)} entailed" + (f", {len(errors)} inconsistencies" if errors else ""))
        if "validate" not in skip:
            _emit(events, event="start", stage="validate")
            t = time.perf_counter()
            for triple in inferred:
                asserted.add(triple)
            report = validate(asserted, src.shapes, allow_warnings=True)
            counts = report.counts()
            _emit(events, event="done", stage="validate", seconds=time.perf_counter() - t,
                  note=f"{counts['Violation']} violations, {counts['Warning']} warnings")
        del asserted
    _emit(events, event="start", stage="store")
    t = time.perf_counter()
    write_store(workdir / "built-store", {"ontology": src.ontology, "vocab": src.vocab, "data": src.data,
                                          "inferred": inferred, "shapes": src.shapes})
    _emit(events, event="done", stage="store", seconds=time.perf_counter() - t,
          note="" if "infer" not in skip else "without entailments (infer not run)")


def child_full_validation(store_dir: Path, events: Path) -> None:
    from paradip_kg.store.head import built_head
    from paradip_kg.writes.revalidate import revalidate

    store = ox.Store.read_only(str(store_dir))
    _emit(events, event="start", stage="full-validation")
    t = time.perf_counter()
    report, _ = revalidate(store, None, set(), built_head(store_dir).tag)
    counts = report.counts()
    _emit(events, event="done", stage="full-validation", seconds=time.perf_counter() - t,
          note=f"{counts['Violation']} violations, {counts['Warning']} warnings")


def run_child(args: list[str], events: Path, budget: float,
              log: Path) -> tuple[dict[str, dict[str, Any]], str | None, int]:
    """Run this script as a child; stop it when a stage runs past ``budget`` s.

    Returns the finished stages (name → record), the stage it was stopped in (or a failure
    message), and the child's peak RSS in bytes.
    """
    events.write_text("")
    with log.open("wb") as sink:
        child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], stdout=sink,
                                 stderr=subprocess.STDOUT)
    done: dict[str, dict[str, Any]] = {}
    current, since, stopped = None, time.monotonic(), None
    status, rusage = None, None
    try:
        while True:
            pid, status, rusage = os.wait4(child.pid, os.WNOHANG)
            for line in events.read_text().splitlines():
                record = json.loads(line)
                if record["event"] == "start" and record["stage"] != current and record["stage"] not in done:
                    current, since = record["stage"], time.monotonic()
                elif record["event"] == "done" and record["stage"] not in done:
                    done[record["stage"]] = record
                    current = None
            if pid:
                child.returncode = os.waitstatus_to_exitcode(status)
                break
            if current is not None and time.monotonic() - since > budget:
                stopped = current
                child.kill()
                pid, status, rusage = os.wait4(child.pid, 0)
                child.returncode = -9
                break
            time.sleep(0.5)
    finally:
        if child.returncode is None:
            child.kill()
            os.wait4(child.pid, 0)
    peak = int(rusage.ru_maxrss) * 1024 if rusage is not None else 0
    if stopped is None and child.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        stopped = "failed: " + " | ".join(tail)
    return done, stopped, peak


# --- The served store -------------------------------------------------------------------------------


def bundled_quads(tmp: Path) -> list[ox.Quad]:
    from paradip_kg.settings import load as load_settings
    from paradip_kg.store.head import open_store

    configured = Path(load_settings()["store"])
    if not configured.is_absolute():
        configured = ROOT / configured
    if not configured.exists():
        from paradip_kg.build import build

        configured = tmp / "bundled"
        build(ROOT, configured)
    store = open_store(configured)
    writes = "https://w3id.org/paradip/graph/writes"
    return [q for q in store.quads_for_pattern(None, None, None, None)
            if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == writes)]


def make_store(store_dir: Path, bundled: list[ox.Quad], size: int) -> int:
    store = ox.Store(str(store_dir))
    store.bulk_extend(bundled)
    store.bulk_extend(synthetic.generate(size))
    store.flush()
    store.optimize()
    count = len(store)
    del store
    Manifest(content_hash=f"bench-scale-{size}-{time.time_ns()}", built_at=datetime.now(UTC).isoformat(),
             triples={"bundled": len(bundled), "synthetic": count - len(bundled)}).write(manifest_path(store_dir))
    return count


# --- Load: one callable, N clients ----------------------------------------------------------------


@dataclass
class Timing:
    p50: float = 0.0
    p99: float = 0.0
    rps: float = 0.0
    samples: int = 0
    errors: int = 0
    size: int = 0  # bytes of the last answer
    error: str = ""


def _one_line(exc: BaseException) -> str:
    """An error as one short table-safe line (Virtuoso's messages quote the query, newlines and all)."""
    return " ".join(f"{type(exc).__name__}: {exc}".split()).replace("|", "/")[:160]


def hammer(fetch: Callable[[], int], repeat: int, clients: int, budget: float) -> Timing:
    """Call ``fetch`` (returns the answer's bytes, raises on failure) up to ``repeat`` times from
    ``clients`` threads; after 3 calls, stop once ``budget`` seconds are spent."""
    timing = Timing()
    try:
        timing.size = fetch()  # warm-up
    except Exception as exc:  # noqa: BLE001 — reported, not hidden
        timing.error = _one_line(exc)
    latencies: list[float] = []
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + budget

    def one(i: int) -> None:
        if i >= 3 and time.perf_counter() > deadline:
            return
        t = time.perf_counter()
        ok = True
        try:
            fetch()
        except Exception as exc:  # noqa: BLE001
            ok = False
            timing.error = timing.error or _one_line(exc)
        with lock:
            latencies.append(time.perf_counter() - t)
            timing.errors += not ok

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(repeat)))
    wall = time.perf_counter() - started
    if latencies:
        timing.p50, timing.p99 = percentile(latencies, 50), percentile(latencies, 99)
        timing.samples, timing.rps = len(latencies), len(latencies) / wall
    return timing


def ours_fetcher(url: str, text: str) -> Callable[[], int]:
    """One GET of ``text`` per call. Each call's text ends in its own comment (``# run N``): the
    server keeps small answers per published state (sparql/pool.py), and a kept answer is not the
    query's cost, which is what is compared with Virtuoso (it keeps none)."""
    accept = "text/turtle" if inspect_query(text).kind == "rdf" else "application/sparql-results+json"
    runs = itertools.count()

    def fetch() -> int:
        request_url = url + "?query=" + quote(f"{text}\n# run {next(runs)}\n")
        request = urllib.request.Request(request_url, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=300) as response:
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        return len(body)

    return fetch


def virtuoso_fetcher(remote: Any, text: str) -> Callable[[], int]:
    from paradip_kg.backends.client import N_TRIPLES, SPARQL_JSON

    accept = N_TRIPLES if inspect_query(text).kind == "rdf" else SPARQL_JSON

    def fetch() -> int:
        return len(remote.query(text, accept=accept).body)

    return fetch


# --- One size ---------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    size: int
    quads: int = 0
    generate_s: float = 0.0
    build: dict[str, float] = field(default_factory=dict)  # stage → seconds (finished stages)
    build_input: int = 0
    build_peak: int = 0
    build_skipped: dict[str, str] = field(default_factory=dict)  # stage → why it has no figure
    full_validation: float | None = None
    full_validation_note: str = ""
    full_validation_peak: int = 0
    ours: dict[int, dict[str, Timing]] = field(default_factory=dict)  # clients → query → timing
    virtuoso: dict[int, dict[str, Timing]] = field(default_factory=dict)
    server_idle: int = 0
    server_peak: int = 0
    virtuoso_peak: int = 0
    push_s: float | None = None
    writes_per_s: float | None = None
    write_stages: dict[str, float] = field(default_factory=dict)
    first_write: dict[str, float] = field(default_factory=dict)
    write_focus: float | None = None
    seconds: float = 0.0


class Virtuoso:
    """A private Virtuoso on a free loopback port (scripts/virtuoso.sh); stop() on the way out."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started = False
        self.remote: Any = None
        self.error = ""

    def start(self) -> None:
        from paradip_kg.backends.client import RemoteStore

        try:
            subprocess.run([str(SCRIPT), "install"], check=True, capture_output=True)
            port = free_port()
            self.started = True  # from here on, stop() must run
            t = time.perf_counter()
            subprocess.run([str(SCRIPT), "start", str(self.folder), str(port)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            note(f"Virtuoso started in {time.perf_counter() - t:.1f} s on 127.0.0.1:{port}")
            base = f"http://127.0.0.1:{port}"
            self.remote = RemoteStore(base + "/sparql", base + "/sparql-auth", "dba", "dba", timeout=300,
                                      graph_store=base + "/sparql-graph-crud-auth")
        except Exception as exc:  # noqa: BLE001
            self.error = f"{type(exc).__name__}: {exc}"
            stderr = getattr(exc, "stderr", b"") or b""
            self.error += " " + stderr.decode(errors="replace")[-500:]

    def pid(self) -> int | None:
        try:
            return int((self.folder / "virtuoso.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        if self.started:
            subprocess.run([str(SCRIPT), "stop", str(self.folder)], check=False)
            self.started = False


def build_stages(result: SizeResult, previous: SizeResult | None, args: argparse.Namespace, tmp: Path) -> None:
    """Step 1: the build's stages in a child process, within the per-stage budget."""
    skip: set[str] = set()
    reasons: dict[str, str] = {}
    if previous is not None:
        factor = result.size / previous.size
        for stage in ("infer", "validate"):
            if stage in previous.build:
                guess = previous.build[stage] * factor
                if guess > args.stage_budget:
                    skip.add(stage)
                    reasons[stage] = (f"not run: ≥ {guess:,.0f} s extrapolated linearly from {label(previous.size)} "
                                      f"({previous.build[stage]:.1f} s) > --stage-budget {args.stage_budget:g} s")
            else:
                skip.add(stage)
                why = previous.build_skipped.get(stage, "?")
                reasons[stage] = f"not run: no figure at {label(previous.size)} ({why})"
    if "infer" in skip and "validate" not in skip:
        skip.add("validate")
        reasons["validate"] = "not run: it validates the entailed graph and infer was not run"
    workdir = tmp / f"build-{result.size}"
    workdir.mkdir()
    note(f"{label(result.size)}: build stages in a child process (skip: {sorted(skip) or 'none'})")
    done, stopped, peak = run_child(["--_child", "build", str(result.size), str(workdir), ",".join(sorted(skip))],
                                    workdir / "events.jsonl", args.stage_budget, workdir / "child.log")
    shutil.rmtree(workdir, ignore_errors=True)
    result.build = {k: v["seconds"] for k, v in done.items()}
    result.build_input = int(done.get("parse", {}).get("input", 0))
    result.build_peak = peak
    skipped: dict[str, str] = dict(reasons)
    if stopped:
        skipped[stopped] = (f"stopped after {args.stage_budget:g} s (--stage-budget)"
                            if not stopped.startswith("failed")
                            else stopped)
    for stage in STAGES:
        if stage not in done and stage not in skipped:
            skipped[stage] = "not reached"
    result.build_skipped = skipped
    out(f"\n### Build stages ({result.build_input:,} input data triples; child peak RSS {mib(peak)} MiB; "
        f"load {load()})\n")
    out("| stage | seconds | input triples/s | note |")
    out("|---|---:|---:|---|")
    for stage in STAGES:
        if stage in done:
            s = done[stage]["seconds"]
            out(f"| {stage} | {s:.2f} | {result.build_input / max(s, 1e-9):,.0f} | {done[stage].get('note', '')} |")
        else:
            out(f"| {stage} | – | – | {skipped[stage]} |")


def full_validation(result: SizeResult, previous: SizeResult | None, store_dir: Path, args: argparse.Namespace,
                    tmp: Path) -> None:
    """Step 3: one validation of the whole served store, in a child process, within the budget."""
    if previous is not None:
        if previous.full_validation is None:
            result.full_validation_note = f"not run: it did not finish within the budget at {label(previous.size)}"
        else:
            guess = previous.full_validation * result.quads / previous.quads
            if guess > args.stage_budget:
                result.full_validation_note = (f"not run: ≥ {guess:,.0f} s extrapolated linearly from "
                                               f"{label(previous.size)} ({previous.full_validation:.1f} s) > "
                                               f"--stage-budget {args.stage_budget:g} s")
    if not result.full_validation_note:
        note(f"{label(result.size)}: full validation in a child process")
        events = tmp / f"fullval-{result.size}.jsonl"
        done, stopped, peak = run_child(["--_child", "fullval", str(store_dir), str(events)], events, args.stage_budget,
                                        tmp / f"fullval-{result.size}.log")
        result.full_validation_peak = peak
        if "full-validation" in done:
            result.full_validation = done["full-validation"]["seconds"]
            result.full_validation_note = done["full-validation"].get("note", "")
        else:
            result.full_validation_note = (f"stopped after {args.stage_budget:g} s (--stage-budget)"
                                           if stopped == "full-validation" else str(stopped))
    value = f"{result.full_validation:.2f} s" if result.full_validation is not None else "–"
    out(f"\nfull validation of the store ({result.quads:,} quads, writes.revalidate without focus): {value}; "
        f"{result.full_validation_note}; child peak RSS {mib(result.full_validation_peak)} MiB")


def query_table(result: SizeResult, clients_list: list[int]) -> None:
    for clients in clients_list:
        ours, theirs = result.ours.get(clients, {}), result.virtuoso.get(clients, {})
        out(f"\n### Example queries over HTTP, {clients} client{'s' if clients > 1 else ''} "
            f"(ours: gunicorn; Virtuoso: its /sparql endpoint)\n")
        out("| query | ours bytes | ours p50 ms | ours p99 ms | ours req/s | Virtuoso bytes | Virtuoso p50 ms | "
            "Virtuoso p99 ms | Virtuoso req/s | p50 ours/Virtuoso | req/s ours/Virtuoso |")
        out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        p50_ratios, rps_ratios = [], []
        for slug, o in ours.items():
            v = theirs.get(slug)
            flag = f" (errors: {o.errors}; {o.error})" if o.errors or o.error else ""
            if v is None:
                out(f"| {slug}{flag} | {o.size} | {o.p50 * 1000:.1f} | {o.p99 * 1000:.1f} | {o.rps:.1f} "
                    "| – | – | – | – | – | – |")
                continue
            vflag = f" (Virtuoso errors: {v.errors}; {v.error})" if v.errors or v.error else ""
            if not (o.errors or v.errors):
                p50_ratios.append(o.p50 / max(v.p50, 1e-9))
                rps_ratios.append(o.rps / max(v.rps, 1e-9))
            out(f"| {slug}{flag}{vflag} | {o.size} | {o.p50 * 1000:.1f} | {o.p99 * 1000:.1f} | {o.rps:.1f} | "
                f"{v.size} | {v.p50 * 1000:.1f} | {v.p99 * 1000:.1f} | {v.rps:.1f} | {ratio(o.p50, v.p50)} | "
                f"{ratio(o.rps, v.rps)} |")
        total_o = sum(t.p50 for t in ours.values())
        out(f"\nsum of p50s: ours {total_o * 1000:.1f} ms" + (
            f", Virtuoso {sum(t.p50 for t in theirs.values()) * 1000:.1f} ms; geometric mean ours/Virtuoso: "
            f"p50 {statistics.geometric_mean(p50_ratios):.2f}×, req/s {statistics.geometric_mean(rps_ratios):.2f}×"
            if p50_ratios else ""))


def queries(result: SizeResult, store_dir: Path, virtuoso: Virtuoso, args: argparse.Namespace, tmp: Path) -> None:
    """Steps 4 and 5."""
    from paradip_kg.web.sparql_page import load_examples

    examples = [(e.slug, e.text) for e in load_examples()]
    clients_list = [1] + ([args.clients] if args.clients > 1 else [])
    note(f"{label(result.size)}: our server")
    process, url = start_server(store_dir, args.workers, tmp / f"server-{result.size}.log")
    try:
        result.server_idle = tree_rss(process.pid)
        with Sampler(process.pid) as sampler:
            for clients in clients_list:
                result.ours[clients] = {slug: hammer(ours_fetcher(url, text), args.repeat, clients, args.query_budget)
                                        for slug, text in examples}
        result.server_peak = sampler.peak
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if virtuoso.remote is not None:
        from paradip_kg.backends.push import push

        note(f"{label(result.size)}: push to Virtuoso")
        try:
            t = time.perf_counter()
            pushed = push(store_dir, virtuoso.remote)
            result.push_s = time.perf_counter() - t
            total = sum(pushed.local.values())
            out(f"\npush to Virtuoso (Graph Store Protocol): {result.push_s:.1f} s, {total / result.push_s:,.0f} "
                f"triples/s; counts {'equal' if pushed.ok else 'differ: ' + str(pushed.mismatches)}")
            pid = virtuoso.pid()
            note(f"{label(result.size)}: queries on Virtuoso")
            with Sampler(pid or os.getpid()) as sampler:
                for clients in clients_list:
                    result.virtuoso[clients] = {
                        slug: hammer(virtuoso_fetcher(virtuoso.remote, text), args.repeat, clients, args.query_budget)
                        for slug, text in examples}
            result.virtuoso_peak = sampler.peak if pid else 0
        except Exception as exc:  # noqa: BLE001
            out(f"\nVirtuoso: not measured at this size ({type(exc).__name__}: {exc})")
    else:
        out(f"\nVirtuoso: not measured ({virtuoso.error})")
    query_table(result, clients_list)
    out(f"\nmemory (RSS, /proc): our server (gunicorn master + {args.workers} workers) {mib(result.server_idle)} MiB "
        f"after start, peak {mib(result.server_peak)} MiB during the queries; Virtuoso peak "
        f"{mib(result.virtuoso_peak) if result.virtuoso_peak else '–'} MiB (load {load()})")


def agreement_update(size: int, n: int, rng: random.Random, store: ox.Store) -> str:
    """INSERT DATA of one new synthetic agreement between two existing synthetic governments,
    with the scope their countries call for, and a pair of parties no agreement has yet."""
    agreements = max(10, int(size * 0.84) // synthetic.PER_AGREEMENT)
    governments = max(4, agreements // 4)
    states = max(2, governments // synthetic.MUNICIPALITIES_PER_STATE)
    countries = max(2, min(190, states // 8))
    g = synthetic.SYNTHETIC + "government/g"
    while True:
        first, second = rng.sample(range(governments), 2)
        taken = store.query(f"ASK {{ GRAPH ?g {{ ?a <{synthetic.PDO}hasParty> <{g}{first}>, <{g}{second}> }} }}")
        if not bool(taken):
            break
    scope = "national" if (first % states) % countries == (second % states) % countries else "international"
    a = f"{synthetic.SYNTHETIC}agreement/bench-write-{n}-{rng.randrange(10**9)}"
    year = rng.randrange(1960, 2025)
    return f"""PREFIX pdo: <{synthetic.PDO}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA {{ GRAPH <{synthetic.GRAPH}data> {{
  <{a}> a pdo:Agreement, pdo:SisterCityAgreement ;
    pdo:hasParty <{g}{first}>, <{g}{second}> ;
    pdo:scope <{synthetic.VOCAB}scope/{scope}> ;
    pdo:startDate "{year}"^^xsd:gYear ;
    pdo:theme <{synthetic.VOCAB}theme/{rng.choice(synthetic.THEMES)}> ;
    pdo:alignedWith <http://metadata.un.org/sdg/{rng.choice(synthetic.SDG_TARGETS)}> ;
    prov:wasDerivedFrom <{synthetic.SYNTHETIC}source> ;
    rdfs:label "Hermanamiento sintético de prueba {n}"@es, "Synthetic bench twinning {n}"@en .
}} }}"""


def writes(result: SizeResult, store_dir: Path, args: argparse.Namespace) -> None:
    """Step 6."""
    try:
        from paradip_kg.writes.commit import sparql_update
    except Exception as exc:  # noqa: BLE001
        out(f"\nwrites: not measured (paradip_kg.writes.commit cannot be imported: {type(exc).__name__}: {exc})")
        return
    from paradip_kg.store.head import open_store

    note(f"{label(result.size)}: {args.writes} writes")
    rng = random.Random(result.size)
    rows: list[Any] = []
    wall = 0.0
    try:
        for n in range(args.writes + 1):
            if n > 3 and wall > args.write_budget:
                break  # over budget: the writes so far are the sample
            reader = open_store(store_dir)
            text = agreement_update(result.size, n, rng, reader)
            del reader
            if args.gc_between_writes:
                gc.collect()  # see --gc-between-writes
            t = time.perf_counter()
            rows.append(sparql_update(store_dir, text, agent=AGENT))
            if n:
                wall += time.perf_counter() - t
    except Exception as exc:  # noqa: BLE001
        message = f"{type(exc).__name__}: {exc}"
        report = getattr(exc, "report", None)
        if report is not None and hasattr(report, "text"):
            message += " — " + report.text(lang="en", limit=3).replace("\n", " ")[:600]
        out(f"\nwrites: not measured (write {len(rows)} failed: {message})")
        return
    first, steady = rows[0], rows[1:]
    result.first_write = dict(first.seconds)
    stages = sorted({k for r in steady for k in r.seconds}, key=lambda k: list(first.seconds).index(k)
                    if k in first.seconds else 99)
    result.write_stages = {k: statistics.median(r.seconds.get(k, 0.0) for r in steady) for k in stages}
    result.writes_per_s = len(steady) / wall if wall else None
    result.write_focus = statistics.median(r.focus_nodes for r in steady)
    full = sum(r.full_validation for r in steady)
    out(f"\n### Writes with validation ({len(steady)} INSERT DATA writes after a first one; load {load()})\n")
    out("(each: one new agreement, 11 triples, labels with language tags, as a client sends it)\n")
    out(f"{result.writes_per_s:.3g} writes/s; median focus nodes {result.write_focus:g}; "
        f"{full} of {len(steady)} fell back to full validation; "
        f"each added {statistics.median(r.added for r in steady):g} "
        f"triples and {statistics.median(r.inferred_added for r in steady):g} inferred\n")
    out("| stage | first write s | median s (writes 2…) |")
    out("|---|---:|---:|")
    for stage in stages:
        out(f"| {stage} | {first.seconds.get(stage, 0.0):.3f} | {result.write_stages[stage]:.3f} |")
    out(f"| total | {sum(first.seconds.values()):.3f} | {sum(result.write_stages.values()):.3f} |")
    if result.full_validation is not None and result.write_stages.get("validate"):
        out(f"\nvalidate on write / full validation of the store: "
            f"{result.write_stages['validate'] / result.full_validation:.4f} "
            f"(full validation is {result.full_validation / result.write_stages['validate']:,.0f}× one write's)")


def one_size(size: int, previous: SizeResult | None, bundled: list[ox.Quad], virtuoso: Virtuoso,
             args: argparse.Namespace, tmp: Path) -> SizeResult:
    started = time.perf_counter()
    result = SizeResult(size)
    out(f"\n## ~{label(size)} synthetic triples (load average {load()} at the start)")
    if not args.only_writes:
        build_stages(result, previous, args, tmp)
    store_dir = tmp / f"store-{size}"
    note(f"{label(size)}: served store")
    t = time.perf_counter()
    result.quads = make_store(store_dir, bundled, size)
    result.generate_s = time.perf_counter() - t
    out(f"\nserved store (store-only path): {result.quads:,} quads ({len(bundled):,} of the bundled graph + "
        f"synthetic), generated and bulk-loaded in {result.generate_s:.1f} s")
    if not args.only_writes:
        full_validation(result, previous, store_dir, args, tmp)
        queries(result, store_dir, virtuoso, args, tmp)
    if args.writes:
        writes(result, store_dir, args)
    remove_store(store_dir)  # the store, its builds and the files beside it (the writes)
    result.seconds = time.perf_counter() - started
    out(f"\n~{label(size)} done in {result.seconds:.0f} s")
    return result


def summary(results: list[SizeResult], clients: int) -> None:
    base = results[0]
    out(f"\n## Summary: ratio to ~{label(base.size)} (same run)\n")
    out("| figure | " + " | ".join(f"~{label(r.size)}" for r in results) + " | " +
        " | ".join(f"~{label(r.size)} / ~{label(base.size)}" for r in results[1:]) + " |")
    out("|---|" + "---:|" * (2 * len(results) - 1))

    def row(name: str, get: Callable[[SizeResult], float | None], fmt: str = "{:,.2f}") -> None:
        values = [get(r) for r in results]
        cells = ["–" if v is None else fmt.format(v) for v in values]
        ratios = [ratio(v, values[0]) for v in values[1:]]
        out(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")

    def sum_p50(r: SizeResult, engine: str, n: int) -> float | None:
        timings = getattr(r, engine).get(n)
        return sum(t.p50 for t in timings.values()) * 1000 if timings else None

    def total_rps(r: SizeResult, engine: str, n: int) -> float | None:
        timings = getattr(r, engine).get(n)
        return statistics.geometric_mean([t.rps for t in timings.values()]) if timings else None

    row("quads served", lambda r: r.quads, "{:,.0f}")
    for stage in STAGES:
        row(f"build: {stage} s", lambda r, s=stage: r.build.get(s))
    row("served store: generate + bulk load s", lambda r: r.generate_s)
    row("full validation s", lambda r: r.full_validation)
    for n in sorted({1, clients}):
        row(f"ours: sum of p50 ms, {n} client(s)", lambda r, n=n: sum_p50(r, "ours", n), "{:,.1f}")
        row(f"ours: geo. mean req/s, {n} client(s)", lambda r, n=n: total_rps(r, "ours", n), "{:,.1f}")
        row(f"Virtuoso: sum of p50 ms, {n} client(s)", lambda r, n=n: sum_p50(r, "virtuoso", n), "{:,.1f}")
        row(f"Virtuoso: geo. mean req/s, {n} client(s)", lambda r, n=n: total_rps(r, "virtuoso", n), "{:,.1f}")
    row("our server peak RSS MiB", lambda r: r.server_peak / 2**20 if r.server_peak else None, "{:,.0f}")
    row("Virtuoso peak RSS MiB", lambda r: r.virtuoso_peak / 2**20 if r.virtuoso_peak else None, "{:,.0f}")
    row("push to Virtuoso s", lambda r: r.push_s)
    row("writes/s", lambda r: r.writes_per_s, "{:.3g}")
    row("write: validate s (median)", lambda r: r.write_stages.get("validate"), "{:.3f}")
    row("write: infer s (median)", lambda r: r.write_stages.get("infer"), "{:.3f}")
    row("write: total s (median)", lambda r: sum(r.write_stages.values()) or None, "{:.3f}")
    row("write: focus nodes (median)", lambda r: r.write_focus, "{:g}")
    row("wall time of the size s", lambda r: r.seconds, "{:,.0f}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--_child"]:
        if argv[1] == "build":
            child_build(int(argv[2]), Path(argv[3]), Path(argv[3]) / "events.jsonl",
                        set(filter(None, argv[4].split(","))))
        else:
            child_full_validation(Path(argv[2]), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes in triples (k, M suffixes)")
    parser.add_argument("--stage-budget", type=float, default=600.0,
                        help="seconds a build stage or a full validation may take (default 600)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients of the second round")
    parser.add_argument("--repeat", type=int, default=20, help="requests per query and round")
    parser.add_argument("--query-budget", type=float, default=5.0, help="seconds per query and round, after 3 requests")
    parser.add_argument("--writes", type=int, default=20, help="timed writes per size (after a first one); 0: none")
    parser.add_argument("--write-budget", type=float, default=300.0,
                        help="seconds of timed writes per size, after 3 writes (default 300)")
    parser.add_argument("--gc-between-writes", action="store_true",
                        help="gc.collect() before each write (untimed). Early versions of paradip_kg.writes.commit "
                             "left the "
                             "writer's store open in a reference cycle; writes now collect it themselves")
    parser.add_argument("--no-virtuoso", action="store_true", help="skip the Virtuoso side")
    parser.add_argument("--only-writes", action="store_true",
                        help="only the served store and the writes "
                             "(no build stages, full validation, queries, Virtuoso)")
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="paradip-bench-scale-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the finally below cleans up
    virtuoso = Virtuoso(tmp / "virtuoso")
    started = time.perf_counter()
    out(f"# bench_scale: sizes {', '.join(label(s) for s in sizes)}\n")
    out(f"machine: {os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {sys.version.split()[0]}, pyoxigraph {ox.__version__}; load average {load()}; "
        f"{args.workers} gunicorn workers, 1 and {args.clients} clients, up to {args.repeat} requests a query "
        f"(budget {args.query_budget:g} s), stage budget {args.stage_budget:g} s, {args.writes} writes")
    results: list[SizeResult] = []
    try:
        bundled = bundled_quads(tmp)
        if not args.no_virtuoso and not args.only_writes:
            virtuoso.start()
        else:
            virtuoso.error = "--no-virtuoso"
        for size in sizes:
            try:
                results.append(one_size(size, results[-1] if results else None, bundled, virtuoso, args, tmp))
            except Exception:  # noqa: BLE001 — the sizes measured so far still get their summary
                out(f"\n~{label(size)}: FAILED\n```\n{traceback.format_exc()}```")
                break
        if results:
            summary(results, args.clients)
        out(f"\ntotal wall time {time.perf_counter() - started:,.0f} s; load average at the end {load()}")
    finally:
        virtuoso.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
