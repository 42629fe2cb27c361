"""An offline Wikidata: a real SPARQL 1.1 endpoint on a loopback port, over pyoxigraph, for the harvest tests.

It answers GET and form POST (``query=``) with SPARQL JSON results, logs every request (query text,
User-Agent), and can be told to misbehave on the next requests: ``fail(429, retry_after="1")``,
``fail(503)``, or ``stall(seconds)`` (answer nothing for that long: the client's time-out).
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pyoxigraph as ox

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "wikidata" / "cancun-p190.ttl"


@dataclass
class Fault:
    status: int = 0  # 0: stall instead
    retry_after: str | None = None
    stall: float = 0.0


@dataclass
class StandIn:
    store: ox.Store
    url: str = ""
    faults: list[Fault] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, status: int, retry_after: str | None = None, times: int = 1) -> None:
        with self.lock:
            self.faults += [Fault(status, retry_after) for _ in range(times)]

    def stall(self, seconds: float, times: int = 1) -> None:
        with self.lock:
            self.faults += [Fault(0, None, seconds) for _ in range(times)]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.lock:
            fault = self.faults.pop(0) if self.faults else None
            self.agents.append(environ.get("HTTP_USER_AGENT", ""))
        if fault is not None and fault.status:
            headers = [("Content-Type", "text/plain")]
            if fault.retry_after is not None:
                headers.append(("Retry-After", fault.retry_after))
            start_response(f"{fault.status} Injected", headers)
            return [b"injected fault\n"]
        if fault is not None:
            time.sleep(fault.stall)
        if environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            params = urllib.parse.parse_qs(environ["wsgi.input"].read(size).decode("utf-8"))
        else:
            params = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        text = (params.get("query") or [""])[0]
        with self.lock:
            self.queries.append(text)
        try:
            result = self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [str(exc).encode()]
        body = result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
        start_response("200 OK", [("Content-Type", "application/sparql-results+json"),
                                  ("Content-Length", str(len(body)))])
        return [body]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the signature of the base class)
        pass


@contextmanager
def wikidata_standin(fixture: Path | str = FIXTURE) -> Iterator[StandIn]:
    """Serve ``fixture`` (a Turtle file, or Turtle text) as a SPARQL endpoint on 127.0.0.1; yield the stand-in."""
    store = ox.Store()
    if isinstance(fixture, Path):
        store.load(path=str(fixture), format=ox.RdfFormat.TURTLE)
    else:
        store.load(fixture.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    app = StandIn(store)
    server = make_server("127.0.0.1", 0, app, server_class=_Server, handler_class=_Quiet)
    app.url = f"http://127.0.0.1:{server.server_port}/sparql"
    thread = threading.Thread(target=server.serve_forever, name="wikidata-standin", daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
