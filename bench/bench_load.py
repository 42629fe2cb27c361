"""Mixed load on the real server: p50/p99 latency and throughput per request kind, at several
concurrency levels, quiet and with a runaway query always in flight.

The mix is what a public endpoint sees (also used by ``tests/test_soak.py``): cheap SPARQL
queries (the example queries of ``src/paradip_kg/queries/*.rq``, GET and form POST), resource
pages (``/page/…`` for IRIs read from ``/sitemap.xml``), ``/id/…`` answered 303,
``/data/….ttl``, the home page, ``/ontology``, ``/.well-known/void``, ``/fragments`` (HTML and
Turtle) and validations (``POST /validate``: conforming, non-conforming with uploaded shapes,
malformed → 400, wrong media type → 415). Runaway queries (cartesian products, stopped after
``query_timeout`` → 503) come from one extra client thread that keeps one in flight at all
times in the "runaway" runs; the quiet runs have none.

For each concurrency level (``--clients``, client threads, a new connection per request as the
sync workers close them) the same ``--requests`` requests, in the same seeded order, are sent
to the server (gunicorn, ``--workers`` sync workers, ``python -m paradip_kg.serving`` on a
free loopback port, ``query_timeout`` ``--query-timeout`` s). Every request has a client
timeout; every status is checked against what the API documents. Figures are also given as
ratios to the baseline measured in the same run: the p50 of a cheap query with 1 client, quiet.

    .venv/bin/python bench/bench_load.py                          # builds the bundled graph into a temp dir
    .venv/bin/python bench/bench_load.py --store var/store --clients 1,4,16 --requests 300

The server's log goes to a file in the temporary folder (a pipe nobody reads stalls a server).
The machine's load average is printed with each table: on a shared machine, read the figures
with it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:  # the server helpers are shared with the tests (tests/support)
    sys.path.insert(0, str(ROOT / "tests"))

from support import servers  # noqa: E402
from support.servers import Server, stop_server  # noqa: E402

HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON_RESULTS = "application/sparql-results+json, text/turtle;q=0.9"  # SELECT/ASK, and CONSTRUCT/DESCRIBE
CLIENT_TIMEOUT = 20.0  # seconds; every request has one (a runaway is answered after query_timeout)
BASELINE = "query: cheap"

# A cartesian product of five triple patterns: ~n^5 rows to count. COUNT streams, so the
# query burns CPU without holding memory until the server stops it.
RUNAWAY_QUERIES = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }",
    "SELECT (COUNT(?c) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?p ?q }",
    "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?p ?q }",
)

VALID_TTL = b"""@prefix ex: <http://example.org/soak/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:thing a ex:Thing ; rdfs:label "Cosa"@es , "Thing"@en ; ex:code "A1" .
"""
NONCONFORMING_TTL = b"""@prefix ex: <http://example.org/soak/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:thing a ex:Thing ; rdfs:label "Cosa sin codigo"@es .
"""
SHAPES_TTL = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/soak/> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:code ; sh:minCount 1 ; sh:message "The code is missing."@en ] .
"""
MALFORMED_TTL = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n"


@dataclass(frozen=True)
class Request:
    """One request of the mix and the statuses the API documents for it."""

    kind: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    expect: frozenset[int] = frozenset({200})
    check: str = ""  # "id-html", "id-data", "conforms", "not-conforms": extra checks of the answer


@dataclass
class Result:
    kind: str
    status: int | None
    started: float
    seconds: float
    error: str = ""  # a connection error, a timeout, an unexpected status or a failed check

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 50 values is the largest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * pct // 100) - 1))]


def send(base_url: str, request: Request, timeout: float = CLIENT_TIMEOUT) -> Result:
    """Send ``request`` on a new connection (no redirects followed) and check its answer."""
    parts = urlsplit(base_url)
    started = time.monotonic()
    status: int | None = None
    error = ""
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        headers = dict(request.headers)
        if request.body is not None:
            headers.setdefault("Content-Length", str(len(request.body)))
        connection.request(request.method, request.path, body=request.body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        status = response.status
        if status not in request.expect:
            error = f"status {status}: {body[:300]!r}"
        else:
            error = _check(request, response, body)
    except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
        error = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    return Result(request.kind, status, started, time.monotonic() - started, error)


def _check(request: Request, response: http.client.HTTPResponse, body: bytes) -> str:
    location = response.getheader("Location") or ""
    if request.check == "id-html" and "/page/" not in location:
        return f"303 to {location!r}, not to a page"
    if request.check == "id-data" and not ("/data/" in location and location.endswith(".ttl")):
        return f"303 to {location!r}, not to a Turtle document"
    if request.check in ("conforms", "not-conforms"):
        wanted = "true" if request.check == "conforms" else "false"
        if response.getheader("X-Paradip-Conforms") != wanted:
            return f"X-Paradip-Conforms {response.getheader('X-Paradip-Conforms')!r}, expected {wanted}"
    if response.status == 503 and b"timed out" not in body:
        return f"503 that is not a query timeout: {body[:300]!r}"
    return ""


def page_paths(base_url: str, limit: int = 40) -> list[str]:
    """Up to ``limit`` resource pages (``/page/…``) from the sitemap, spread over it."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=CLIENT_TIMEOUT)
    try:
        connection.request("GET", "/sitemap.xml")
        text = connection.getresponse().read().decode("utf-8")
    finally:
        connection.close()
    pages = [urlsplit(u).path for u in re.findall(r"<loc>([^<]+)</loc>", text) if "/page/" in u]
    if not pages:
        raise RuntimeError("the sitemap lists no resource pages")
    step = max(1, len(pages) // limit)
    return pages[::step][:limit]


def example_queries() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "src/paradip_kg/queries").glob("*.rq"))]


class Mix:
    """The request mix (without runaways): a weighted, seeded, repeatable sequence."""

    # kind → weight per 50 requests
    WEIGHTS = {"query: cheap": 15, "page": 8, "id: 303": 4, "data: ttl": 4, "home": 3, "ontology": 2,
               "void": 2, "fragments": 4, "validate: conforming": 3, "validate: non-conforming": 2,
               "validate: malformed (400)": 2, "validate: wrong type (415)": 1}

    def __init__(self, pages: list[str], seed: int = 7) -> None:
        self.pages = pages
        self.queries = example_queries()
        self.random = random.Random(seed)
        self._count = 0

    def one(self, kind: str) -> Request:
        r = self.random
        self._count += 1
        if kind == "query: cheap":
            query = r.choice(self.queries + ["ASK { ?s ?p ?o }"])
            if self._count % 2:
                return Request(kind, "GET", "/sparql?" + urlencode({"query": query}), (("Accept", JSON_RESULTS),))
            return Request(kind, "POST", "/sparql", (("Accept", JSON_RESULTS),
                                                     ("Content-Type", "application/x-www-form-urlencoded")),
                           urlencode({"query": query}).encode())
        if kind == "page":
            return Request(kind, "GET", r.choice(self.pages), (("Accept", HTML_ACCEPT),))
        if kind == "id: 303":
            rest = r.choice(self.pages)[len("/page/"):]
            thing = ("/" + rest) if rest.startswith("vocab/") else "/id/" + rest
            if self._count % 2:
                return Request(kind, "GET", thing, (("Accept", HTML_ACCEPT),), expect=frozenset({303}), check="id-html")
            return Request(kind, "GET", thing, (("Accept", "text/turtle"),), expect=frozenset({303}), check="id-data")
        if kind == "data: ttl":
            return Request(kind, "GET", "/data/" + r.choice(self.pages)[len("/page/"):] + ".ttl")
        if kind == "home":
            return Request(kind, "GET", "/", (("Accept", HTML_ACCEPT),))
        if kind == "ontology":
            return Request(kind, "GET", "/ontology", (("Accept", HTML_ACCEPT),))
        if kind == "void":
            return Request(kind, "GET", "/.well-known/void", (("Accept", "text/turtle"),))
        if kind == "fragments":
            predicate = r.choice(["", "http://www.w3.org/2000/01/rdf-schema#label",
                                  "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"])
            accept = HTML_ACCEPT if self._count % 2 else "text/turtle"
            return Request(kind, "GET", "/fragments?" + urlencode({"predicate": predicate} if predicate else {}),
                           (("Accept", accept),))
        json_accept = (("Accept", "application/json"),)
        if kind == "validate: conforming":
            return Request(kind, "POST", "/validate", json_accept + (("Content-Type", "text/turtle"),), VALID_TTL,
                           check="conforms")
        if kind == "validate: non-conforming":
            boundary = "soakboundary7"
            body = b"".join(
                b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"" + name.encode()
                + b"\"; filename=\"" + name.encode() + b".ttl\"\r\nContent-Type: text/turtle\r\n\r\n" + data + b"\r\n"
                for name, data in (("data", NONCONFORMING_TTL), ("shapes", SHAPES_TTL))
            ) + b"--" + boundary.encode() + b"--\r\n"
            return Request(kind, "POST", "/validate?output=csv",
                           (("Content-Type", f"multipart/form-data; boundary={boundary}"),), body,
                           check="not-conforms")
        if kind == "validate: malformed (400)":
            return Request(kind, "POST", "/validate", json_accept + (("Content-Type", "text/turtle"),), MALFORMED_TTL,
                           expect=frozenset({400}))
        if kind == "validate: wrong type (415)":
            return Request(kind, "POST", "/validate", json_accept + (("Content-Type", "image/png"),), b"\x89PNG",
                           expect=frozenset({415}))
        raise KeyError(kind)

    def sequence(self, count: int) -> list[Request]:
        """``count`` requests in the mix's proportions, shuffled (same seed, same sequence)."""
        kinds = [k for k, w in self.WEIGHTS.items() for _ in range(w)]
        out = [self.one(kinds[i % len(kinds)]) for i in range(count)]
        self.random.shuffle(out)
        return out

    def warmup(self) -> list[Request]:
        """Every kind, and every page, at least once (fills the per-version caches)."""
        out = [self.one(k) for k in self.WEIGHTS for _ in range(2)]
        out += [Request("page", "GET", p, (("Accept", HTML_ACCEPT),)) for p in self.pages]
        out += [Request("query: cheap", "GET", "/sparql?" + urlencode({"query": q}), (("Accept", JSON_RESULTS),))
                for q in self.queries]
        return out


def runaway(index: int) -> Request:
    query = RUNAWAY_QUERIES[index % len(RUNAWAY_QUERIES)]
    return Request("query: runaway (503)", "GET", "/sparql?query=" + quote(query), (("Accept", JSON_RESULTS),),
                   expect=frozenset({503}))


def run_clients(base_url: str, requests: list[Request], clients: int, deadline: float) -> list[Result]:
    """Send ``requests`` from ``clients`` threads (each takes the next one); stop at ``deadline``."""
    results: list[Result] = []
    lock = threading.Lock()
    queue: Iterator[Request] = iter(requests)

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                request = next(queue, None)
            if request is None:
                return
            result = send(base_url, request)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=worker, name=f"client-{i}", daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + CLIENT_TIMEOUT)
    return results


class RunawayLoop:
    """One thread that keeps one runaway query in flight until stopped (``with RunawayLoop(...)``)."""

    def __init__(self, base_url: str, limit: int | None = None) -> None:
        self.base_url, self.limit = base_url, limit
        self.results: list[Result] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="runaway", daemon=True)

    def _loop(self) -> None:
        index = 0
        while not self._stop.is_set() and (self.limit is None or index < self.limit):
            self.results.append(send(self.base_url, runaway(index)))
            index += 1

    def __enter__(self) -> RunawayLoop:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(CLIENT_TIMEOUT + 5)

    def wait(self, timeout: float) -> None:
        self._thread.join(timeout)

    def in_flight(self, start: float, end: float) -> bool:
        """Whether a runaway was being answered during all of [start, end]."""
        return any(r.started <= start and end <= r.ended for r in self.results)


def start_server(store: Path, tmp: Path, workers: int, query_timeout: float) -> Server:
    env = {"PARADIP_STORE": str(store), "PARADIP_QUERY_TIMEOUT": str(query_timeout),
           "PARADIP_VALIDATION_REPORTS_DIR": str(tmp / "reports"), "PARADIP_LOG_LEVEL": "warning"}
    return servers.start_server(tmp, env=env, workers=workers)


# --- the benchmark -------------------------------------------------------------------------


@dataclass
class Run:
    clients: int
    runaway: bool
    seconds: float
    results: list[Result]
    runaways: list[Result]
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the machine's load average at the end of the run


def one_run(server: Server, mix_requests: list[Request], clients: int, with_runaway: bool) -> Run:
    started = time.monotonic()
    deadline = started + 600
    if with_runaway:
        with RunawayLoop(server.url) as loop:
            time.sleep(0.3)  # the first runaway is running
            started = time.monotonic()
            results = run_clients(server.url, mix_requests, clients, deadline)
            seconds = time.monotonic() - started  # the mix's time, not the last runaway's tail
        runaways = loop.results
    else:
        results, runaways = run_clients(server.url, mix_requests, clients, deadline), []
        seconds = time.monotonic() - started
    return Run(clients, with_runaway, seconds, results, runaways, os.getloadavg())


def report(runs: list[Run]) -> None:
    base_run = next(r for r in runs if r.clients == min(x.clients for x in runs) and not r.runaway)
    baseline = percentile([x.seconds for x in base_run.results if x.kind == BASELINE and not x.error], 50)
    print(f"\nbaseline: p50 of a cheap query, {base_run.clients} client, quiet = {baseline * 1000:.1f} ms")
    for run in runs:
        errors = [r for r in run.results + run.runaways if r.error]
        label = "one runaway query always in flight" if run.runaway else "quiet"
        print(f"\n{run.clients} client(s), {label}: {len(run.results)} requests in {run.seconds:.1f} s = "
              f"{len(run.results) / run.seconds:.1f} req/s; errors {len(errors)}"
              f"{f', runaways answered 503: {sum(1 for r in run.runaways if r.status == 503)}' if run.runaway else ''}"
              f" (load average {' '.join(f'{x:.2f}' for x in run.load)})")
        print(f"  {'kind':30} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'p50 ×base':>10} {'p99 ×base':>10}")
        kinds = list(Mix.WEIGHTS) + (["query: runaway (503)"] if run.runaway else [])
        for kind in kinds:
            times = [r.seconds for r in run.results + run.runaways if r.kind == kind]
            if not times:
                continue
            p50, p99 = percentile(times, 50), percentile(times, 99)
            print(f"  {kind:30} {len(times):4d} {p50 * 1000:8.1f} {p99 * 1000:8.1f} {p50 / baseline:10.1f} "
                  f"{p99 / baseline:10.1f}")
        for error in errors[:5]:
            print(f"  error: {error.kind}: {error.error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a built store (default: build the bundled graph)")
    parser.add_argument("--clients", default="1,4,16", help="concurrency levels, comma-separated")
    parser.add_argument("--requests", type=int, default=300, help="requests per run (runaways not counted)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--query-timeout", type=float, default=2.0)
    parser.add_argument("--no-runaway", action="store_true", help="quiet runs only")
    args = parser.parse_args()
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="paradip-bench-load-"))
    try:
        store = args.store
        if store is None:
            from paradip_kg.build import build

            store = tmp / "store"
            started = time.perf_counter()
            build(ROOT, store)
            print(f"built the bundled graph in {time.perf_counter() - started:.1f} s")
        server = start_server(store.resolve(), tmp, args.workers, args.query_timeout)
        try:
            pages = page_paths(server.url)
            mix = Mix(pages)
            warm = run_clients(server.url, mix.warmup(), 2, time.monotonic() + 300)
            bad = [r for r in warm if r.error]
            if bad:
                raise RuntimeError(f"warm-up errors: {[(r.kind, r.error) for r in bad[:5]]}")
            print(f"server: {args.workers} sync workers, query_timeout {args.query_timeout:g} s; "
                  f"{len(pages)} resource pages from the sitemap; {len(warm)} warm-up requests")
            requests = mix.sequence(args.requests)
            runs = []
            for clients in levels:
                for with_runaway in ((False,) if args.no_runaway else (False, True)):
                    runs.append(one_run(server, requests, clients, with_runaway))
            report(runs)
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
