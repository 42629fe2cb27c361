"""The remote SPARQL store as a read-only ``pyoxigraph.Store`` look-alike: :class:`RemoteOxStore`.

The pages, the VoID figures and ``/sparql`` read a store through the few ``pyoxigraph.Store``
methods they use. :class:`RemoteOxStore` gives those over the SPARQL 1.1 Protocol client
(:class:`~paradip_kg.backends.client.RemoteStore`): ``query`` sends the query with the
endpoint's dataset as protocol parameters and hands back real pyoxigraph results (SPARQL XML
parsed by pyoxigraph; Virtuoso's blank-node labels encoded so pyoxigraph takes them),
``quads_for_pattern`` and ``named_graphs`` become queries, read in pages. A query that is not
standard SPARQL 1.1 is refused before it leaves (:func:`check_syntax`). Writes raise
:class:`~paradip_kg.errors.ReadOnlyBackend`.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from paradip_kg.backends.client import NO_NAMED_GRAPH, SPARQL_XML, RemoteStore
from paradip_kg.errors import ParadipError, QuerySyntaxError, QueryTimeout, ReadOnlyBackend
from paradip_kg.sparql.inspect import inspect_query

# The default graph of a request whose dataset names no default graph: a graph nobody has, so
# the default graph is empty (a store given no default-graph-uri would use all its graphs).
EMPTY_GRAPH = "urn:x-paradip:empty-default-graph"
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
    """A :class:`~paradip_kg.backends.client.RemoteStore` that answers like a read-only ``pyoxigraph.Store``.

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
        1.1 (:func:`check_syntax`; also when the store rejects it), QueryTimeout past the
        deadline, RemoteStoreError when the store fails.
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
                    s, p, o = (fixed[k] if fixed[k] is not None else row[k] for k in ("s", "p", "o"))
                    yield ox.Quad(s, p, o, graph_name if graph_name is not None else row["g"])
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


_EMPTY = ox.Store()


def check_syntax(text: str, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None) -> None:
    """Refuse, with Oxigraph's message, a query that is not standard SPARQL 1.1 before it
    reaches the remote store: the same errors as the embedded endpoint, and none of the
    store's own extensions (Virtuoso's ``DEFINE get:soft`` fetches documents from the web).
    Parsing is eager in pyoxigraph and evaluation lazy: on an empty store this only parses."""
    _EMPTY.query(text, base_iri=base_iri, prefixes=dict(prefixes) if prefixes else None)  # SyntaxError
