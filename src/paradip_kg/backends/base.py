"""The stores the app can serve from, behind the subset of ``pyoxigraph.Store`` it uses.

Setting ``backend`` (:mod:`paradip_kg.settings`) picks one:

- ``oxigraph`` (default): the embedded Oxigraph store on disk, opened read-only by
  :class:`paradip_kg.web.AppState` itself; nothing here.
- ``memory``: :class:`MemoryBackend`, a ``pyoxigraph.Store()`` in this process's memory,
  filled from the project's files through the build pipeline (parse, import, OWL RL
  inference, SHACL validation) or from a list of RDF files. For tests and demos.
  Queries of ``/sparql`` run in-process: there is **no hard query timeout**.
- ``remote``: :class:`RemoteBackend`, a SPARQL 1.1 store reached over HTTP
  (:class:`paradip_kg.backends.remote.RemoteStore`, settings ``remote_*``), read-only.
  :class:`RemoteOxStore` quacks like ``pyoxigraph.Store``: ``query`` sends the query with
  the endpoint's dataset as protocol parameters and hands back real pyoxigraph results,
  ``quads_for_pattern`` and ``named_graphs`` become queries. ``/sparql`` runs the client's
  query through the same :func:`paradip_kg.sparql.results.execute` (same serializers, same
  ``result_limit`` cut), with ``query_timeout`` as the HTTP deadline (503 past it).

Each backend gives the app what the embedded store's files give it otherwise: a
:class:`~paradip_kg.store.disk.Head` (``version()``, ETags, Last-Modified), a
:class:`~paradip_kg.store.disk.Manifest` (triples per graph) and a query runner for ``/sparql``.

The remote version. Nothing cheap tells a client that a SPARQL store's content changed.
:meth:`RemoteBackend.head` names the content by the triple count of each of our graphs, read
at most every :data:`REMOTE_CHECK_SECONDS` seconds, *and* by a time bucket of
:data:`REMOTE_VERSION_MAX_AGE` seconds: a push that changes a count is seen within 30 s; one
that keeps every count (a literal replaced by another) within 10 minutes, when the bucket
turns over and the ETags and per-process caches (charts, VoID figures) are renewed.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from paradip_kg.backends.remote import NO_NAMED_GRAPH, SPARQL_XML, RemoteStore
from paradip_kg.errors import BuildFailed, NotAvailable, ParadipError, QuerySyntaxError, QueryTimeout, ReadOnlyBackend
from paradip_kg.namespaces import GRAPHS
from paradip_kg.sparql.jobs import Job, Reply, inspect_query, reply_or_raise
from paradip_kg.store.disk import Head, Manifest

BACKENDS = ("oxigraph", "memory", "remote")
# The default graph of a request whose dataset names no default graph: a graph nobody has, so
# the default graph is empty (a store given no default-graph-uri would use all its graphs).
EMPTY_GRAPH = "urn:x-paradip:empty-default-graph"
REMOTE_CHECK_SECONDS = 30.0  # how often the remote graph counts are read for the version
REMOTE_VERSION_MAX_AGE = 600  # the version turns over at least this often (seconds)
PAGE_ROWS = 10_000  # quads_for_pattern reads this many rows per request (Virtuoso's default cap)
SUBJECT_CACHE_SECONDS = 5.0  # how long RemoteOxStore keeps the quads of a subject it was asked about
SUBJECT_CACHE_SIZE = 4096  # most subjects kept

_BNODE_XML = re.compile(r"<bnode>([^<]*)</bnode>")
VIRTUOSO_NODE = "nodeID://"


def _names(graphs: Any) -> list[str] | None:
    """pyoxigraph's ``default_graph`` / ``named_graphs`` option as graph IRIs (None: not given).

    ``ox.DefaultGraph()`` is the remote store's default graph, which holds nothing of ours:
    it is left out (an empty list means an empty graph, see :data:`EMPTY_GRAPH`).
    """
    if graphs is None:
        return None
    if isinstance(graphs, (ox.NamedNode, ox.BlankNode, ox.DefaultGraph)):
        graphs = [graphs]
    return [g.value for g in graphs if isinstance(g, ox.NamedNode)]


# --- Terms between pyoxigraph and the remote store ------------------------------------------


def _encode_bnode(label: str) -> str:
    """A blank-node label of the remote store as a valid pyoxigraph label (reversible)."""
    return "r" + html.unescape(label).encode("utf-8").hex()


def _decode_bnode(node: ox.BlankNode) -> str | None:
    value = node.value
    if not value.startswith("r"):
        return None
    try:
        return bytes.fromhex(value[1:]).decode("utf-8")
    except ValueError:
        return None


def term_text(term: Any) -> str:
    """A term for a query pattern. A blank node read from Virtuoso is named ``<nodeID://…>``,
    which Virtuoso resolves to that node (in a triple pattern; not in VALUES)."""
    if isinstance(term, ox.BlankNode):
        label = _decode_bnode(term)
        if label is not None and label.startswith(VIRTUOSO_NODE):
            return f"<{label}>"
        raise ValueError(f"the remote store cannot be asked about blank node {term}")
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise ValueError(f"cannot send {term!r} to the remote store")


def parse_xml_results(body: bytes) -> Any:
    """SPARQL XML results as pyoxigraph's QuerySolutions / QueryBoolean; blank-node labels that
    pyoxigraph refuses (Virtuoso's ``nodeID://b10011``) are encoded (see :func:`term_text`)."""
    text = body.decode("utf-8")
    text = _BNODE_XML.sub(lambda m: f"<bnode>{_encode_bnode(m.group(1))}</bnode>", text)
    return ox.parse_query_results(text.encode("utf-8"), ox.QueryResultsFormat.XML)


# --- The remote store as a pyoxigraph Store ---------------------------------------------------


class RemoteOxStore:
    """A :class:`~paradip_kg.backends.remote.RemoteStore` that answers like a read-only ``pyoxigraph.Store``.

    Args:
        remote: the client.
        deadline: ``time.monotonic()`` after which no request may run (None: each request
            gets the client's timeout). See :meth:`with_deadline`.
    """

    def __init__(self, remote: RemoteStore, deadline: float | None = None,
                 subjects: _SubjectCache | None = None) -> None:
        self.remote = remote
        self.deadline = deadline
        self._subjects = subjects if subjects is not None else _SubjectCache()

    def with_deadline(self, seconds: float) -> RemoteOxStore:
        """The same store, every request of which must end within ``seconds`` from now."""
        return RemoteOxStore(self.remote, time.monotonic() + seconds if seconds and seconds > 0 else None,
                             self._subjects)

    def __repr__(self) -> str:
        return f"RemoteOxStore({self.remote!r})"

    def _timeout(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise QueryTimeout("The query ran out of time at the remote store (query_timeout).")
        return left

    def dataset(self, text: str, default_graph: Any = None, named_graphs: Any = None,
                use_default_graph_as_union: bool = False) -> tuple[list[str] | None, list[str] | None]:
        """The protocol dataset matching pyoxigraph's options on a store holding only our graphs.

        pyoxigraph: no option → the default graph is the store's (empty: our triples are all
        in named graphs) and every graph is named, unless the query has FROM; ``default_graph``
        alone → those graphs, every graph still named; ``named_graphs`` alone → the store's
        default graph; the union option → every graph is the default graph.
        """
        defaults, names = _names(default_graph), _names(named_graphs)
        ours = list(self.remote.named_graphs)
        if use_default_graph_as_union:
            defaults = ours
        if defaults is None and names is None:
            if inspect_query(text).has_dataset:
                return None, None  # sent as it is: the query's FROM / FROM NAMED
            return [EMPTY_GRAPH], ours
        if names is None:
            names = ours
        return (defaults or [EMPTY_GRAPH]), (names or [NO_NAMED_GRAPH])

    def query(self, query: str, *, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None,
              default_graph: Any = None, named_graphs: Any = None, use_default_graph_as_union: bool = False,
              **unsupported: Any) -> Any:
        """Run a query at the remote store; return pyoxigraph's QuerySolutions or QueryBoolean
        (SELECT, ASK), or a list of ``ox.Triple`` (CONSTRUCT, DESCRIBE).

        Raises SyntaxError, with Oxigraph's message, for a query that is not standard SPARQL
        1.1 (:func:`check_syntax`; also when the store rejects it), QueryTimeout past the deadline, RemoteStoreError when the store fails.
        """
        if unsupported:
            raise TypeError(f"RemoteOxStore.query() does not take {', '.join(sorted(unsupported))}")
        check_syntax(query, base_iri, prefixes)
        defaults, names = self.dataset(query, default_graph, named_graphs, use_default_graph_as_union)
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())
        if base_iri:
            prologue = f"BASE <{base_iri}>\n" + prologue
        text = prologue + query
        form = inspect_query(query).form
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                return self.remote.construct(text, defaults, names, timeout=self._timeout())
            response = self.remote.query(text, defaults, names, accept=SPARQL_XML, timeout=self._timeout())
        except QuerySyntaxError as exc:
            raise SyntaxError(exc.message) from None
        if "xml" not in response.media_type:
            raise ParadipError(f"The remote store answered {response.content_type!r} where SPARQL XML "
                               "results were asked for.")
        return parse_xml_results(response.body)

    def _select(self, text: str, defaults: list[str], names: list[str]) -> Iterator[Any]:
        response = self.remote.query(text, defaults, names, accept=SPARQL_XML, timeout=self._timeout())
        return iter(parse_xml_results(response.body))

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any,  # noqa: A002 (pyoxigraph's name)
                          graph_name: Any = None) -> Iterator[ox.Quad]:
        """The quads matching the pattern (None: any), read in pages of :data:`PAGE_ROWS`."""
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())  # our triples are all in named graphs
        if subject is not None and not isinstance(object, ox.Literal):
            # Pages ask about one subject dozens of times (labels, per graph, per property): one
            # request reads all its quads, kept a few seconds. (Not for literal objects, which
            # the store matches by value.)
            quads = self._subject_quads(subject)
            if quads is not None:
                return iter([q for q in quads if (predicate is None or q.predicate == predicate)
                             and (object is None or q.object == object)
                             and (graph_name is None or q.graph_name == graph_name)])
        terms = {}
        for name, term in (("s", subject), ("p", predicate), ("o", object)):
            terms[name] = "?" + name if term is None else term_text(term)
        if graph_name is None:
            graph, names = "?g", list(self.remote.named_graphs)
        else:
            graph, names = term_text(graph_name), [graph_name.value]
        wanted = [t for t in (terms["s"], terms["p"], terms["o"], graph) if t.startswith("?")]
        pattern = f"GRAPH {graph} {{ {terms['s']} {terms['p']} {terms['o']} }}"
        fixed = {"s": subject, "p": predicate, "o": object}

        def pages() -> Iterator[ox.Quad]:
            offset = 0
            while True:
                select = f"SELECT {' '.join(wanted) or '*'} WHERE {{ {pattern} }} LIMIT {PAGE_ROWS}"
                if offset:
                    select += f" OFFSET {offset}"
                if not wanted:  # a fully bound pattern: ASK
                    response = self.remote.query(f"ASK {{ {pattern} }}", [EMPTY_GRAPH], names,
                                                 accept=SPARQL_XML, timeout=self._timeout())
                    if bool(parse_xml_results(response.body)):
                        yield ox.Quad(subject, predicate, object, graph_name)
                    return
                rows = list(self._select(select, [EMPTY_GRAPH], names))
                for row in rows:
                    yield ox.Quad(*(fixed[k] if fixed[k] is not None else row[k] for k in ("s", "p", "o")),
                                  graph_name if graph_name is not None else row["g"])
                if len(rows) < PAGE_ROWS:
                    return
                offset += PAGE_ROWS

        return pages()

    def _subject_quads(self, subject: Any) -> list[ox.Quad] | None:
        """Every quad of ``subject`` in our graphs (None: too many to keep)."""
        key = str(subject)
        found = self._subjects.get(key)
        if found is not None:
            return found
        rows = list(self._select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {term_text(subject)} ?p ?o }} }} "
                                 f"LIMIT {PAGE_ROWS}", [EMPTY_GRAPH], list(self.remote.named_graphs)))
        if len(rows) >= PAGE_ROWS:
            return None
        quads = [ox.Quad(subject, row["p"], row["o"], row["g"]) for row in rows]
        self._subjects.put(key, quads)
        return quads

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """Our graphs that hold triples at the remote store."""
        found = []
        for graph in self.remote.named_graphs:
            response = self.remote.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", [EMPTY_GRAPH], [graph],
                                         accept=SPARQL_XML, timeout=self._timeout())
            if bool(parse_xml_results(response.body)):
                found.append(ox.NamedNode(graph))
        return iter(found)

    def contains_named_graph(self, graph_name: Any) -> bool:
        return any(g == graph_name for g in self.named_graphs())

    def count_by_graph(self) -> dict[str, int]:
        return self.remote.count_by_graph()

    def __len__(self) -> int:
        return sum(self.count_by_graph().values())

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise ReadOnlyBackend("The app serves the remote store read-only: load it with `paradip-kg push` "
                              "(see docs/remote-store.md).")

    add = remove = extend = bulk_extend = update = load = bulk_load = clear = clear_graph = \
        add_graph = remove_graph = _read_only


class _SubjectCache:
    """Quads by subject, each kept :data:`SUBJECT_CACHE_SECONDS`; at most :data:`SUBJECT_CACHE_SIZE`."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[float, list[ox.Quad]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> list[ox.Quad] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > SUBJECT_CACHE_SECONDS:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, quads: list[ox.Quad]) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), quads)
            self._items.move_to_end(key)
            while len(self._items) > SUBJECT_CACHE_SIZE:
                self._items.popitem(last=False)


# --- Runners for /sparql --------------------------------------------------------------------


class InProcessRunner:
    """Runs /sparql jobs in this process (the memory backend): no child, **no hard timeout**."""

    def __init__(self, store: Any, default_graphs: Sequence[str], union: bool) -> None:
        self.store, self.default_graphs, self.union = store, tuple(default_graphs), union

    def start(self) -> None:
        """Nothing to start (the interface of :class:`paradip_kg.sparql.runner.QueryRunner`)."""

    def stop(self) -> None:
        """Nothing to stop."""

    pid = None

    def run(self, job: Job, timeout: float) -> Reply:
        from paradip_kg.sparql.results import execute

        started = time.monotonic()
        reply = execute(self._store_for(timeout), job, self.default_graphs, self.union)
        reply.seconds = time.monotonic() - started
        return reply_or_raise(reply)

    def _store_for(self, timeout: float) -> Any:
        return self.store


class RemoteRunner(InProcessRunner):
    """Runs /sparql jobs at the remote store: the client's query goes there as it is (plus our
    dataset as protocol parameters), its answer is cut at ``result_limit`` and written by
    :mod:`paradip_kg.sparql.results`; ``timeout`` is the deadline of every HTTP request it makes."""

    def _store_for(self, timeout: float) -> Any:
        return self.store.with_deadline(timeout)


_EMPTY = ox.Store()


def check_syntax(text: str, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None) -> None:
    """Refuse, with Oxigraph's message, a query that is not standard SPARQL 1.1 before it
    reaches the remote store: the same errors as the embedded endpoint, and none of the
    store's own extensions (Virtuoso's ``DEFINE get:soft`` fetches documents from the web).
    Parsing is eager in pyoxigraph and evaluation lazy: on an empty store this only parses."""
    _EMPTY.query(text, base_iri=base_iri, prefixes=dict(prefixes) if prefixes else None)  # SyntaxError


# --- Backends ---------------------------------------------------------------------------------


@dataclass
class Backend(ABC):
    """What :class:`paradip_kg.web.AppState` asks of a store other than the embedded one."""

    name: str
    default_graphs: tuple[str, ...] = ()
    union: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @abstractmethod
    def store(self) -> Any:
        """The store object the pages and queries read (quacks like a read-only pyoxigraph Store)."""

    @abstractmethod
    def head(self) -> Head:
        """The version of what the store holds now (ETags and caches)."""

    def manifest(self) -> Manifest | None:
        return None

    def runner(self) -> InProcessRunner:
        return InProcessRunner(self.store(), self.default_graphs, self.union)


class MemoryBackend(Backend):
    """A ``pyoxigraph.Store()`` in memory, filled once, on first use.

    Build it with :meth:`from_project` (the build pipeline: parse, import, inference,
    validation; the graphs of :data:`paradip_kg.namespaces.GRAPHS`), :meth:`from_files` (RDF files; quad
    formats keep their graphs, triples go to the default graph) or :meth:`from_store`.
    """

    def __init__(self, loader: Any, basis: str, default_graphs: Sequence[str] = (), union: bool = False) -> None:
        super().__init__("memory", tuple(default_graphs), union)
        self._loader = loader
        self._basis = basis
        self._store: ox.Store | None = None
        self._head: Head | None = None
        self._counts: dict[str, int] = {}

    @classmethod
    def from_project(cls, project_dir: Path, **kwargs: Any) -> MemoryBackend:
        project_dir = Path(project_dir)

        def load() -> ox.Store:
            # The stages of paradip_kg.build.build, in the same order: pyshacl adds a few
            # triples to the shapes graph it validates with, and the built store keeps them.
            from paradip_kg.build import load_sources
            from paradip_kg.inference.closure import infer
            from paradip_kg.shacl.engine import validate
            from paradip_kg.store.disk import graph_quads

            src = load_sources(project_dir)
            asserted = src.union()
            inferred, errors = infer(asserted)
            if errors:
                raise BuildFailed("the ontology and data are inconsistent:\n" + "\n".join(errors))
            for triple in inferred:
                asserted.add(triple)
            report = validate(asserted, src.shapes, allow_warnings=True)
            if report.counts()["Violation"]:
                raise BuildFailed("the knowledge graph does not conform to the shapes", report)
            store = ox.Store()
            for key, graph in (("ontology", src.ontology), ("vocab", src.vocab), ("data", src.data),
                               ("inferred", inferred), ("shapes", src.shapes)):
                store.bulk_extend(graph_quads(graph, str(GRAPHS[key])))
            return store

        from paradip_kg.build import content_hash

        return cls(load, "project|" + content_hash(project_dir), **kwargs)

    @classmethod
    def from_files(cls, files: Sequence[Path], **kwargs: Any) -> MemoryBackend:
        from paradip_kg.rdf.parse import guess_format, read_file, read_quads

        paths = [Path(f) for f in files]
        digest = hashlib.sha256()
        for path in paths:
            digest.update(str(path.resolve()).encode() + b"\0" + read_file(path) + b"\0")

        def load() -> ox.Store:
            store = ox.Store()
            for path in paths:
                store.bulk_extend(read_quads(read_file(path), guess_format(path), str(path),
                                             base_iri=path.resolve().as_uri()))
            return store

        return cls(load, "files|" + digest.hexdigest(), **kwargs)

    @classmethod
    def from_store(cls, store: ox.Store, **kwargs: Any) -> MemoryBackend:
        return cls(lambda: store, f"store|{id(store)}|{time.time()}", **kwargs)

    def store(self) -> ox.Store:
        with self._lock:
            if self._store is None:
                store = self._loader()
                counts: dict[str, int] = {}
                names = {str(v): k for k, v in GRAPHS.items()}
                for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
                    counts[names.get(row["g"].value, row["g"].value)] = int(row["n"].value)
                loaded = datetime.now(UTC).replace(microsecond=0)
                tag = hashlib.sha256(f"{self._basis}|{sorted(counts.items())}".encode()).hexdigest()
                self._store, self._counts = store, counts
                self._head = Head(Path(":memory:"), tag, loaded)
            return self._store

    def head(self) -> Head:
        self.store()
        assert self._head is not None
        return self._head

    def manifest(self) -> Manifest:
        head = self.head()
        return Manifest(content_hash=head.tag, built_at=head.modified.isoformat(), triples=dict(self._counts))


class RemoteBackend(Backend):
    """A remote SPARQL 1.1 store, read-only (see the module doc for its version)."""

    def __init__(self, remote: RemoteStore, default_graphs: Sequence[str] = (), union: bool = False) -> None:
        super().__init__("remote", tuple(default_graphs), union)
        self.remote = remote
        self.ox_store = RemoteOxStore(remote)
        self._checked = 0.0
        self._counts: dict[str, int] | None = None
        self._head: Head | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], default_graphs: Sequence[str] = (),
                      union: bool = False) -> RemoteBackend:
        return cls(RemoteStore.from_settings(settings), default_graphs, union)

    def store(self) -> RemoteOxStore:
        return self.ox_store

    def head(self) -> Head:
        now = time.monotonic()
        bucket = int(time.time()) // REMOTE_VERSION_MAX_AGE
        with self._lock:
            fresh = self._head is not None and now - self._checked < REMOTE_CHECK_SECONDS
            if fresh and self._head is not None and self._head.sequence == bucket:
                return self._head
        try:
            counts = self.remote.count_by_graph()
        except ParadipError as exc:
            raise NotAvailable(f"The remote store does not answer: {exc.message}") from None
        with self._lock:
            tag = hashlib.sha256(f"remote|{self.remote.endpoint}|{sorted(counts.items())}|{bucket}"
                                 .encode()).hexdigest()
            if self._head is None or self._head.tag != tag:
                modified = datetime.now(UTC).replace(microsecond=0)
                # sequence holds the time bucket (the remote store has no write sequence of ours)
                self._head = Head(Path(f"remote:{self.remote.endpoint}"), tag, modified, bucket)
            self._counts, self._checked = counts, now
            return self._head

    def manifest(self) -> Manifest:
        head = self.head()
        return Manifest(content_hash=head.tag, built_at=head.modified.isoformat(), triples=dict(self._counts or {}))

    def runner(self) -> RemoteRunner:
        return RemoteRunner(self.ox_store, self.default_graphs, self.union)


def make_backend(settings: Mapping[str, Any], default_graphs: Sequence[str] = (),
                 union: bool = False) -> Backend | None:
    """The backend the settings name; None for the embedded store (``oxigraph``)."""
    name = str(settings.get("backend") or "oxigraph").strip().lower()
    if name == "oxigraph":
        return None
    if name == "memory":
        return MemoryBackend.from_project(Path(str(settings.get("project_dir") or ".")),
                                          default_graphs=default_graphs, union=union)
    if name == "remote":
        return RemoteBackend.from_settings(settings, default_graphs, union)
    raise ValueError(f"unknown backend {name!r}: use one of {', '.join(BACKENDS)}")


def open_backend_store(settings: Mapping[str, Any]) -> Any:
    """For the CLI: the Store-like object of a non-default backend (None: the embedded store)."""
    backend = make_backend(settings)
    return None if backend is None else backend.store()


__all__ = ["BACKENDS", "Backend", "InProcessRunner", "MemoryBackend", "RemoteBackend", "RemoteOxStore",
           "RemoteRunner", "make_backend", "open_backend_store"]
