"""The server under hostile load (issue 18): its figures under attack as ratios to its own idle figures, one run.

    .venv/bin/python bench/bench_hostile.py                      # the bundled store, a 60 s soak
    .venv/bin/python bench/bench_hostile.py --soak 600           # the issue's 10-minute soak
    .venv/bin/python bench/bench_hostile.py --store var/world-1M --memory-only   # RSS serving a 1M store

One server (``python -m paradip_kg.serving``, the default settings but ``--workers`` and
``query_timeout`` = ``--timeout``), then, in turn:

1. **idle**: ``--n`` cheap requests, one at a time: p50, p95, p99. The cheap requests are the
   small queries a site asks again and again (``ASK {}``, counts, a few labels; their answers
   are kept after their first run, so they never wait for a query child) and the home page;
2. **slow sockets**: ``--slow`` connections that send half a request and stall; the cheap
   requests again (p95);
3. **runaways**: 4 four-way cross products at once; the cheap requests meanwhile (p99); when
   each runaway was answered and with what (503 at the timeout, ± 1 s);
4. **crowd**: ``--clients`` clients at once on the cheap requests for ``--seconds``:
   answers/s, p99, errors; then the same against a hello-world app under the same gunicorn
   configuration (:func:`paradip_kg.serving.gunicorn_options`), the throughput baseline;
5. **soak**: ``--soak`` seconds of mixed load (cheap requests, pages, a runaway every few
   seconds, slow sockets coming and going); RSS of the whole process tree every 5 s.

With ``--memory-only`` it starts the server on ``--store`` with ``store_in_memory = yes``, waits
for the copies, and prints RSS and PSS (proportional: shared pages counted once) of the whole
tree, and of each role; then again after every example query has run twice, as many at a time
as the server has query children (a forked child's pages become its own as it reads the copy).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.processes import descendants, pss_bytes, rss_bytes, tree_rss  # noqa: E402
from support.servers import Server, free_port, start_server, stop_server  # noqa: E402

PDO = "https://w3id.org/paradip/ontology#"
CHEAP = ["ASK {}", f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{PDO}InternationalAgreement> }}",
         "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 5",
         f"SELECT ?a ?d WHERE {{ ?a <{PDO}startDate> ?d }} ORDER BY ?d LIMIT 3"]
CHEAP_PATHS = [*("/sparql?" + urlencode({"query": q}) for q in CHEAP), "/"]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def get(url: str, timeout: float = 10.0) -> tuple[int, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json, text/html"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        with error:
            status = error.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def cheap_times(base: str, n: int) -> tuple[list[float], int]:
    times, errors = [], 0
    for i in range(n):
        status, seconds = get(base + CHEAP_PATHS[i % len(CHEAP_PATHS)])
        if status == 200:
            times.append(seconds)
        else:
            errors += 1
    return times, errors


def half_requests(base: str, count: int) -> list[socket.socket]:
    address = urlsplit(base)
    socks = []
    for _ in range(count):
        try:
            sock = socket.create_connection((address.hostname, address.port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            socks.append(sock)
        except OSError:
            break
    return socks


def crowd(base: str, clients: int, seconds: float, paths: list[str]) -> tuple[int, int, float]:
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            status, t = get(base + paths[i % len(paths)])
            i += 1
            with lock:
                if status == 200:
                    times.append(t)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(times), errors[0], pct(times, 0.99)


def runaways(base: str, count: int) -> tuple[list[threading.Thread], list[tuple[int, float]]]:
    results: list[tuple[int, float]] = []

    def one() -> None:
        results.append(get(base + "/sparql?" + urlencode({"query": RUNAWAY}), timeout=120))

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


def hello(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def hello_server(port: int, workers: int) -> int:
    """A hello-world app under the gunicorn configuration of ``paradip-kg serve`` (the baseline)."""
    from gunicorn.app.base import BaseApplication

    from paradip_kg import settings
    from paradip_kg.serving import gunicorn_options

    options = gunicorn_options(settings.load({"port": port, "workers": workers}))
    options.pop("post_worker_init"), options.pop("worker_exit")

    class Hello(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return hello

    Hello().run()
    return 0


def role(pid: int, master: int) -> str:
    if pid == master:
        return "master"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    if "--fork-server" in command:
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            forked = b"--fork-server" in Path(f"/proc/{parent}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            forked = False
        return "query children forked from the copy" if forked else "in-memory copy (fork server)"
    if "sparql.runner" in command:
        return "query children (forked or disk)"
    if "shacl.runner" in command:
        return "validation children"
    return "gunicorn workers"


def memory_report(server: Server) -> None:
    master = server.process.pid
    by_role: dict[str, list[int]] = {}
    for pid in descendants(master):
        entry = by_role.setdefault(role(pid, master), [0, 0, 0])
        entry[0] += 1
        entry[1] += rss_bytes(pid)
        entry[2] += pss_bytes(pid)
    mib = 1 << 20
    print("| process | count | RSS (MiB) | PSS (MiB) |\n|---|---|---|---|")
    for name, (count, rss, pss) in sorted(by_role.items()):
        print(f"| {name} | {count} | {rss / mib:.0f} | {pss / mib:.0f} |")
    total_rss = sum(v[1] for v in by_role.values())
    total_pss = sum(v[2] for v in by_role.values())
    print(f"| **whole tree** | {sum(v[0] for v in by_role.values())} | {total_rss / mib:.0f} | {total_pss / mib:.0f} |")


def use_every_child(base: str, clients: int, rounds: int = 2) -> list[int]:
    """Every example query ``rounds`` times, ``clients`` at a time (each text new, so each is computed):
    every query child of every worker reads the copy, as a served store's children do over time."""
    from paradip_kg.web.sparql_page import load_examples

    texts = [f"{e.text}\n# use {r}" for r in range(rounds) for e in load_examples()]
    with ThreadPoolExecutor(clients) as pool:
        return [status for status, _ in pool.map(lambda t: get(f"{base}/sparql?{urlencode({'query': t})}", 600),
                                                 texts)]


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a built store (default: build the bundled one in a temp folder)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0, help="query_timeout of the server")
    parser.add_argument("--n", type=int, default=200, help="cheap requests per phase")
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the crowd phase")
    parser.add_argument("--soak", type=float, default=60.0, help="seconds of mixed load (the issue asks 600)")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--hello-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hello_server:
        return hello_server(args.hello_server, args.workers)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp_name:
        tmp = Path(tmp_name)
        store = args.store
        if store is None:
            from paradip_kg.build import build

            store = tmp / "store"
            build(ROOT, store)
        env = {"PARADIP_STORE": str(store.resolve()), "PARADIP_QUERY_TIMEOUT": str(args.timeout),
               "PARADIP_LOG_LEVEL": "warning"}
        if args.memory_only:
            env["PARADIP_STORE_IN_MEMORY"] = "yes"
        server = start_server(tmp, env=env, workers=args.workers, log=tmp / "server.log", timeout=600)
        try:
            if args.memory_only:
                copied = wait_for(lambda: server.log_tail(1_000_000).count("copied into memory") >= args.workers, 900)
                get(server.url + CHEAP_PATHS[1], timeout=120)  # a query child forked from each copy
                print(f"copies loaded: {copied}; load average {os.getloadavg()}")
                memory_report(server)
                from paradip_kg import settings

                clients = args.workers * settings.load()["query_workers"]  # the query children of the server
                statuses = use_every_child(server.url, clients)
                print(f"\nafter every example query, twice, {clients} at a time (answers "
                      f"{dict(sorted(Counter(statuses).items()))}); load average {os.getloadavg()}")
                memory_report(server)
                return 0
            return run(server, args)
        finally:
            stop_server(server)


def run(server: Server, args: argparse.Namespace) -> int:
    base = server.url
    cheap_times(base, len(CHEAP_PATHS) * 2)  # warm: the small answers are kept from here on
    idle, idle_errors = cheap_times(base, args.n)
    idle95, idle99 = pct(idle, 0.95), pct(idle, 0.99)
    rows: list[tuple[str, str, str]] = [
        ("idle cheap p50 / p95 / p99", f"{statistics.median(idle) * 1000:.1f} / {idle95 * 1000:.1f} / "
         f"{idle99 * 1000:.1f} ms, {idle_errors} errors", "baseline")]

    socks = half_requests(base, args.slow)
    time.sleep(0.5)
    slow, slow_errors = cheap_times(base, args.n // 2)
    for sock in socks:
        sock.close()
    rows.append((f"cheap p95 with {len(socks)} slow sockets", f"{pct(slow, 0.95) * 1000:.1f} ms, "
                 f"{slow_errors} errors", f"{pct(slow, 0.95) / idle95:.2f}x idle p95"))

    threads, results = runaways(base, 4)
    during: list[float] = []
    errors = 0
    while any(t.is_alive() for t in threads):
        times, errs = cheap_times(base, len(CHEAP_PATHS))
        during += times
        errors += errs
    answered = sorted(seconds for _, seconds in results)
    rows.append(("cheap p99 while 4 runaway queries run", f"{pct(during, 0.99) * 1000:.1f} ms over {len(during)}, "
                 f"{errors} errors", f"{pct(during, 0.99) / idle99:.2f}x idle p99"))
    off = max(abs(s - args.timeout) for s in answered)
    statuses = ", ".join(f"{status} at {s:.1f} s" for status, s in sorted(results, key=lambda r: r[1]))
    rows.append(("runaway queries answered", statuses, f"timeout {args.timeout:g} s: off by {off:.2f} s at most"))

    n, errs, p99 = crowd(base, args.clients, args.seconds, CHEAP_PATHS[:-1])
    port = free_port()
    hello_proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--hello-server", str(port),
                                   "--workers", str(args.workers)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
    try:
        hello_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(hello_url + "/", 1)[0] == 200, 30)
        hn, herrs, hp99 = crowd(hello_url, args.clients, args.seconds, ["/"])
    finally:
        hello_proc.terminate()
        hello_proc.wait(20)
    rows.append((f"{args.clients} clients on cheap queries, {args.seconds:g} s",
                 f"{n / args.seconds:.0f}/s, p99 {p99 * 1000:.0f} ms, {errs} errors "
                 f"(hello world: {hn / args.seconds:.0f}/s, p99 {hp99 * 1000:.0f} ms, {herrs} errors)",
                 f"{n / hn:.2f}x hello-world throughput"))

    rss = soak(base, server, args.soak, args.timeout)
    mib = 1 << 20
    rows.append((f"RSS of the whole tree over a {args.soak:g} s soak of mixed load",
                 " → ".join(f"{r / mib:.0f}" for r in rss) + " MiB",
                 f"last/first {rss[-1] / rss[0]:.2f}x, max/first {max(rss) / rss[0]:.2f}x"))
    print(f"load average {os.getloadavg()}, {os.cpu_count()} cores")
    print("| figure | measured | ratio |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


def soak(base: str, server: Server, seconds: float, timeout: float) -> list[int]:
    stop = time.monotonic() + seconds
    samples: list[int] = []  # the first after 5 s of the load: every child the load needs is up
    done = threading.Event()

    def mixed() -> None:
        i = 0
        while not done.is_set():
            get(base + CHEAP_PATHS[i % len(CHEAP_PATHS)])
            if i % 7 == 0:
                get(base + "/sparql?" + urlencode({"query": f"ASK {{ ?s ?p ?o }} # {i}"}))  # new, not kept
            i += 1

    def attacks() -> None:
        while not done.is_set():
            socks = half_requests(base, 50)
            get(base + "/sparql?" + urlencode({"query": RUNAWAY}), timeout=timeout + 30)
            for sock in socks:
                sock.close()

    threads = [threading.Thread(target=mixed) for _ in range(4)] + [threading.Thread(target=attacks)]
    for thread in threads:
        thread.start()
    while time.monotonic() < stop or len(samples) < 2:
        time.sleep(5.0)
        samples.append(tree_rss(server.process.pid))
    done.set()
    for thread in threads:
        thread.join(timeout + 60)
    return samples


if __name__ == "__main__":
    sys.exit(main())
