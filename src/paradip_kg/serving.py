"""Run the web application under gunicorn (never Flask's development server).

:func:`serve` embeds gunicorn (``BaseApplication``): gevent workers (a slow client costs a
greenlet, not a worker; incomplete requests are closed after ``request_read_timeout``), each
calling ``create_app(settings)`` after the fork, each with its pool of query children (see
:mod:`paradip_kg.sparql.pool`). It binds 127.0.0.1 unless told otherwise. Logs go to the
process's stdout (access) and stderr (errors): never give a server a pipe nobody reads.

Given RDF files, it builds them as the data graph of a fresh temporary store, with the
project's ontology, vocabularies and shapes (:func:`built_files`: inference, validation,
search index, as ``paradip-kg build``), serves that one instead of the bundled store, and
removes it on exit. TriG and N-Quads files keep their graph names: they are loaded as they are
(:func:`load_files`), and the default graph of ``/sparql`` is then the union of all graphs.
A syntax error names the file, line and column.

``python -m paradip_kg.serving [FILE...] [--host H] [--port P] [--workers N]`` does the
same as ``paradip-kg serve``.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import logging
import math
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from gunicorn.app.base import BaseApplication

from paradip_kg import settings as settings_module
from paradip_kg.errors import InputError, PortTaken
from paradip_kg.rdf.parse import as_format, guess_format, read_file, read_quads
from paradip_kg.store.disk import Manifest, manifest_path


def load_files(files: Sequence[Path], store_dir: Path) -> Manifest:
    """Parse ``files`` into a new store at ``store_dir``; write its manifest and return it.

    Raises:
        RdfSyntaxError: a file is not valid RDF (names the file, line and column).
    """
    store = ox.Store(str(store_dir))
    digest = hashlib.sha256()
    for path in files:
        data = read_file(path)
        digest.update(str(path.resolve()).encode() + b"\0" + data + b"\0")
        store.bulk_extend(read_quads(data, guess_format(path), str(path), base_iri=path.resolve().as_uri(),
                                     own_blank_nodes=True))  # each file's blank nodes stay its own
    store.flush()
    counts: dict[str, int] = {}
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        counts[row["g"].value] = int(row["n"].value)
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if default:
        counts["default"] = default
    del store
    manifest = Manifest(content_hash=digest.hexdigest(), built_at=datetime.now(UTC).isoformat(),
                        triples=counts)
    manifest.write(manifest_path(store_dir))
    return manifest


def built_files(files: Sequence[Path], project_dir: Path, store_dir: Path, inference: str | None = None) -> str:
    """Build ``files`` as the data graph of a store at ``store_dir``, with the project's ontology,
    vocabularies and shapes, the way ``paradip-kg build`` builds data/ (inference, validation, search
    index): so their pages, documents, home page and search work as for the bundled graph. Violations
    are reported, not fatal: a user serves a file to look at it. Returns the line that says what is served.

    Raises:
        RdfSyntaxError: a file is not valid RDF (names the file, line and column).
        BuildFailed: the files and the ontology are inconsistent.
    """
    from paradip_kg.build import build

    manifest, _ = build(project_dir, store_dir, progress=lambda line: print(line, file=sys.stderr),
                        fail_on_violations=False, inference=inference, data_files=files)
    violations = manifest.results.get("Violation", 0)
    verdict = "it conforms to the shapes" if not violations else \
        f"{violations} violation(s) of the shapes (paradip-kg validate FILE... for the report)"
    if not any((project_dir / folder).is_dir() for folder in ("ontology", "shapes")):
        verdict = (f"the project folder {project_dir} has no ontology/ or shapes/ (run from a checkout, or set "
                   "--project-dir / PARADIP_PROJECT_DIR), so nothing was inferred or validated")
    return (f"paradip-kg: serving {len(files)} file(s) as the data graph with the project's ontology and "
            f"vocabularies, {manifest.total} triples with the inferred ones, from a temporary store {store_dir}; "
            f"{verdict}")


def ensure_store(values: Mapping[str, Any]) -> None:
    """Build the bundled store if there is none (``paradip-kg build``)."""
    store_dir = Path(values["store"])
    if store_dir.exists():
        return
    from paradip_kg.build import build

    print(f"paradip-kg: no store at {store_dir}; building it first", file=sys.stderr)
    build(Path(values["project_dir"]), store_dir, progress=lambda message: print(message, file=sys.stderr))


def check_port(host: str, port: int) -> None:
    """Refuse at once, in one line, an address another program listens on (gunicorn would retry
    for five seconds and print "Connection in use" without a word of how to choose another).

    Raises:
        PortTaken: the address is in use.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise PortTaken(f"{host}:{port} is already in use by another program; choose another port "
                            f"with --port N (or PARADIP_PORT=N)") from None


def worker_class() -> type:
    """gunicorn's gevent worker, with the request read timeout on every connection's socket.

    A connection costs a greenlet, not a worker, until its request is complete: a client that
    sends half a request holds nobody (docs/security.md, "Slow clients"). gunicorn gives the
    request line and headers ``keepalive`` seconds in all (then it closes the connection, as for
    an idle kept-alive one); the socket timeout set here bounds each read of a body and each
    write of an answer by the same ``request_read_timeout``.
    """
    from gunicorn.workers.ggevent import GeventWorker

    class ReadTimeoutWorker(GeventWorker):
        def handle(self, listener: Any, client: Any, addr: Any) -> None:
            client.setblocking(1)
            client.settimeout(float(self.cfg.keepalive))
            super(GeventWorker, self).handle(listener, client, addr)  # GeventWorker's own would unset it

    return ReadTimeoutWorker


def gunicorn_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """gunicorn settings for ``values``: gevent workers (:func:`worker_class`), bounded connections
    and header sizes, a worker timeout above the longest request (a query, a validation, or a
    write: its wait for the write lock plus its own work)."""
    longest = max(float(values["query_timeout"]), float(values["validation_timeout"]),
                  float(values.get("write_timeout", 0)) + 60)
    read_timeout = max(1, math.ceil(float(values.get("request_read_timeout") or 10)))
    return {
        "bind": f"{values['host']}:{values['port']}",
        "workers": int(values["workers"]),
        "worker_class": worker_class(),
        "worker_connections": int(values.get("max_connections") or 1000),
        # The whole request line and headers must arrive within this many seconds (gevent workers
        # time the header read by `keepalive`); an idle kept-alive connection is closed after it too.
        "keepalive": read_timeout,
        # Header sizes (gunicorn answers 400 past them); the body's is the app's max_request_bytes (413).
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        # gunicorn's control socket lives in the user's home folder by default: two servers would
        # share it, and stopping one removes the other's. We do not use gunicornc, so none.
        "control_socket_disable": True,
        # gunicorn kills a worker silent for `timeout` s: it must outlast any request.
        "timeout": max(30, math.ceil(longest) + 30),
        "graceful_timeout": 10,
        "loglevel": str(values["log_level"]),
        "accesslog": "-",
        "errorlog": "-",
        # The query length is checked by the app (max_query_length, 413); a GET carrying a
        # long query must reach it rather than stop at gunicorn's 4 KB request-line limit.
        "limit_request_line": 0,
        "post_worker_init": _start_query_process,
        "worker_exit": _stop_query_processes,
    }


def _start_query_process(worker: Any) -> None:
    """Start the worker's query child at once, so the first query does not wait for it."""
    from paradip_kg.web.state import EXTENSION

    state = worker.wsgi.extensions.get(EXTENSION)
    if state is not None and state.store_dir.exists():
        state.runner().start()


def _stop_query_processes(server: Any, worker: Any) -> None:
    """Stop the worker's child processes; then, on a clean stop, end the worker at once.

    The worker would go on to Python's finalization, where a native destructor (the Oxigraph
    stores') crashed it with SIGSEGV under `serve FILE` (issue 16): its work is done and its
    children stopped, so a clean exit skips that. Any other exit (a boot error) takes the usual path.
    """
    from paradip_kg.web.state import EXTENSION

    state = getattr(worker, "wsgi", None) and worker.wsgi.extensions.get(EXTENSION)
    if state is not None:
        state.close()
    ending = sys.exc_info()[1]  # gunicorn calls this hook in a `finally`, while the worker's SystemExit unwinds
    if isinstance(ending, SystemExit) and ending.code in (0, None):
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


class GunicornServer(BaseApplication):
    """gunicorn running ``create_app(overrides)`` in each worker."""

    def __init__(self, overrides: Mapping[str, Any], options: Mapping[str, Any]) -> None:
        self.overrides = dict(overrides)
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # e.g. control_socket_disable: gunicorn 25.1 and later
                self.cfg.set(key, value)

    def load(self) -> Any:
        from paradip_kg.web.app import create_app

        return create_app(self.overrides)


def serve(files: Sequence[Path] = (), settings: Mapping[str, Any] | None = None, *, host: str | None = None,
          port: int | None = None, workers: int | None = None) -> None:
    """Serve the bundled store, or ``files`` loaded into a temporary store, under gunicorn.

    Args:
        files: RDF files to serve instead of the bundled graph (format from the extension).
        settings: setting overrides (see :mod:`paradip_kg.settings`); ``host``, ``port``,
            ``workers`` win over them.

    Runs until gunicorn stops (SIGINT, SIGTERM); a temporary store is removed then.

    Raises:
        RdfSyntaxError: one of ``files`` is not valid RDF.
    """
    overrides = {k: v for k, v in dict(settings or {}).items() if k in settings_module.BY_NAME}
    for key, value in (("host", host), ("port", port), ("workers", workers)):
        if value is not None:
            overrides[key] = value
    temp_dir: Path | None = None
    try:
        if files:
            temp_dir = Path(tempfile.mkdtemp(prefix="paradip-kg-serve-"))
            store_dir = temp_dir / "store"
            paths = [Path(f) for f in files]
            if any(as_format(guess_format(p)).quads for p in paths):
                manifest = load_files(paths, store_dir)
                print(f"paradip-kg: serving {len(files)} file(s), {manifest.total} triples with their graph names, "
                      f"from a temporary store {store_dir}; the default graph of /sparql is the union of all graphs, "
                      "and the pages read only the graphs a build makes (give Turtle, N-Triples, RDF/XML or "
                      "JSON-LD files for pages, inference and validation)", file=sys.stderr)
                overrides.update(store=str(store_dir), union_default_graph=True)
            else:
                given = settings_module.load(overrides)
                print(built_files(paths, Path(given["project_dir"]), store_dir, str(given["inference_engine"])),
                      file=sys.stderr)
                overrides.update(store=str(store_dir))
        values = settings_module.load(overrides)
        check_port(str(values["host"]), int(values["port"]))
        if not files:
            ensure_store(values)
        GunicornServer(overrides, gunicorn_options(values)).run()
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paradip_kg.serving", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="RDF files to serve instead of the bundled graph")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int)
    args = parser.parse_args(argv)
    try:
        serve(args.files, host=args.host, port=args.port, workers=args.workers)
    except InputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
