"""The SPARQL 1.1 Protocol client of a remote store (Virtuoso, QLever, Fuseki, GraphDB, Oxigraph server).

:class:`RemoteStore` talks the SPARQL 1.1 Protocol through SPARQLWrapper: queries as form
POSTs (``application/x-www-form-urlencoded``) with an explicit ``Accept`` — Virtuoso 7 hangs on
a direct ``application/sparql-query`` POST and answers HTML when no Accept is sent — and
updates as form POSTs (``update=``) to the update endpoint, with HTTP Digest or Basic
authentication, whichever the server asks for. The ways a request fails become our errors
(QuerySyntaxError, QueryTimeout, RemoteStoreError). Loading whole graphs into the store is
:mod:`paradip_kg.backends.loading`; serving from it is :mod:`paradip_kg.backends.remote`.

Dataset. The embedded store's default graph is the union of our graphs ontology, vocab, data
and inferred, and every graph of the store is reachable by name. A remote store also holds
graphs that are not ours (Virtuoso keeps its own system graphs), and Virtuoso, given only
``default-graph-uri``, still lets ``GRAPH ?g`` reach every graph it has. So a query without
FROM / FROM NAMED and without a protocol dataset is sent with ``default-graph-uri`` for each
of our default graphs *and* ``named-graph-uri`` for each of our graphs: the same dataset as
the embedded store, on any store that follows the protocol. A query with FROM / FROM NAMED is
sent as it is. A protocol dataset from the client is passed on; where it names default graphs
but no named graph, a named graph that cannot exist (:data:`NO_NAMED_GRAPH`) is added, because
Virtuoso would otherwise expose all its graphs by name where the protocol says there are none.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.client import HTTPResponse
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import INSERT, POST, SELECT, URLENCODED, SPARQLWrapper

from paradip_kg import __version__
from paradip_kg.errors import ParadipError, QuerySyntaxError, QueryTimeout, RemoteStoreError
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.sparql.inspect import inspect_query

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Named in the protocol dataset when the client named default graphs only (see the module doc).
NO_NAMED_GRAPH = "urn:x-paradip:no-named-graph"


@dataclass(frozen=True)
class RemoteResponse:
    """The store's answer as it came: the body bytes and its Content-Type."""

    body: bytes
    content_type: str
    seconds: float = 0.0

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()



class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper builds the protocol requests; we send them with our own opener.

    SPARQLWrapper's Digest support installs a process-wide urllib opener, and its query-type
    sniffing warns on queries it cannot read: here the opener is private to the store, and
    the query form comes from :func:`paradip_kg.sparql.inspect.inspect_query`.
    """

    def __init__(self, endpoint: str, update_endpoint: str, opener: urllib.request.OpenerDirector) -> None:
        super().__init__(endpoint, updateEndpoint=update_endpoint, agent=f"paradip-kg/{__version__}")
        self._opener = opener
        self.accept = SPARQL_JSON
        self.request_timeout: float | None = None
        self.setOnlyConneg(True)  # no format=/output= parameters: Virtuoso lets them override Accept
        self.setMethod(POST)
        self.setRequestMethod(URLENCODED)

    def _parseQueryType(self, query: str) -> str | None:  # noqa: N802 (SPARQLWrapper's name)
        shape = inspect_query(query)
        if shape.update:
            return INSERT  # any update form: SPARQLWrapper only asks "is it an update?"
        return shape.form or SELECT

    def _getAcceptHeader(self) -> str:  # noqa: N802
        return self.accept

    def send(self) -> HTTPResponse:
        request = self._createRequest()
        if self.request_timeout is None:
            response: HTTPResponse = self._opener.open(request)
        else:
            response = self._opener.open(request, timeout=self.request_timeout)
        return response


class RemoteStore:
    """A SPARQL 1.1 store reached over HTTP.

    Args:
        endpoint: the query endpoint (Virtuoso: ``http://host:8890/sparql``).
        update_endpoint: the update endpoint (Virtuoso: ``http://host:8890/sparql-auth``, with
            Digest authentication); default: ``endpoint``.
        user, password: credentials for HTTP Digest or Basic authentication (the server's
            challenge decides which). The password is never logged nor shown by ``repr``.
        timeout: seconds a query may take (client side) before :class:`QueryTimeout`.
        update_timeout: seconds one update request may take.
        default_graphs: the graphs whose union is the default graph; default: ours.
        named_graphs: the graphs reachable by name; default: all of ours.
        chunk_triples: most triples sent in one update request (triples sharing blank nodes
            are never split, so one request may hold more).
        graph_store: a SPARQL 1.1 Graph Store Protocol endpoint (Virtuoso:
            ``http://host:8890/sparql-graph-crud-auth``); when given,
            :func:`~paradip_kg.backends.loading.load_graphs` uploads N-Triples there (about 10×
            faster than INSERT DATA on Virtuoso) instead of sending SPARQL updates. Updates
            (MOVE, DROP) still go to ``update_endpoint``.
        upload_chunk_triples: most triples in one Graph Store upload.
    """

    def __init__(self, endpoint: str, update_endpoint: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: float = 30.0, update_timeout: float = 300.0,
                 default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
                 chunk_triples: int = 500, graph_store: str | None = None,
                 upload_chunk_triples: int = 50_000) -> None:
        if not endpoint:
            raise ValueError("a remote store needs an endpoint URL")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.user = user or None
        self._password = password or None
        self.timeout = timeout
        self.update_timeout = update_timeout
        self.default_graphs = tuple(default_graphs if default_graphs is not None
                                    else (str(GRAPHS[k]) for k in DEFAULT_GRAPHS))
        self.named_graphs = tuple(named_graphs if named_graphs is not None else (str(g) for g in GRAPHS.values()))
        self.chunk_triples = max(1, int(chunk_triples))
        self.graph_store = graph_store or None
        self.upload_chunk_triples = max(1, int(upload_chunk_triples))
        self._opener = self._build_opener()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], **kwargs: Any) -> RemoteStore:
        """A store from the ``remote_*`` settings (see :mod:`paradip_kg.settings`)."""
        if not settings.get("remote_endpoint"):
            raise ParadipError("no remote store configured: set remote_endpoint (PARADIP_REMOTE_ENDPOINT)")
        kwargs.setdefault("timeout", float(settings.get("query_timeout") or 30.0))
        kwargs.setdefault("graph_store", settings.get("remote_graph_store") or None)
        return cls(str(settings["remote_endpoint"]), settings.get("remote_update_endpoint") or None,
                   settings.get("remote_user") or None, settings.get("remote_password") or None, **kwargs)

    def __repr__(self) -> str:
        auth = f", user={self.user!r}, password=***" if self.user else ""
        gsp = f", graph_store={self.graph_store!r}" if self.graph_store else ""
        return f"RemoteStore({self.endpoint!r}, update_endpoint={self.update_endpoint!r}{gsp}{auth})"

    def _build_opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self.user and self._password is not None:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, [u for u in (self.endpoint, self.update_endpoint, self.graph_store) if u],
                                 self.user, self._password)
            handlers += [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
        return urllib.request.build_opener(*handlers)

    # --- Queries ----------------------------------------------------------------------------

    def protocol_dataset(self, text: str, default_graphs: Sequence[str] | None = None,
                         named_graphs: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
        """The ``default-graph-uri`` and ``named-graph-uri`` values to send with ``text``."""
        if default_graphs is not None or named_graphs is not None:
            defaults, names = list(default_graphs or ()), list(named_graphs or ())
            if defaults and not names:
                names = [NO_NAMED_GRAPH]
            return defaults, names
        if inspect_query(text).has_dataset:
            return [], []
        return list(self.default_graphs), list(self.named_graphs)

    def query(self, text: str, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, accept: str = SPARQL_JSON,
              timeout: float | None = None) -> RemoteResponse:
        """Run a query; return the store's answer as bytes and Content-Type, for passing through.

        ``default_graphs`` / ``named_graphs``: a protocol dataset from the client (None: none
        given; then our dataset applies unless the query has FROM / FROM NAMED).
        Raises QuerySyntaxError (the store's message) for a query it rejects, QueryTimeout after
        ``timeout`` seconds (default: the store's), RemoteStoreError otherwise.
        """
        wrapper = self._wrapper(accept, self.timeout if timeout is None else timeout)
        wrapper.setQuery(text)
        defaults, names = self.protocol_dataset(text, default_graphs, named_graphs)
        for iri in defaults:
            wrapper.addParameter("default-graph-uri", iri)
        for iri in names:
            wrapper.addParameter("named-graph-uri", iri)
        return self._send(wrapper, "query")

    def update(self, text: str, timeout: float | None = None) -> RemoteResponse:
        """Run a SPARQL 1.1 Update on the update endpoint."""
        wrapper = self._wrapper(SPARQL_JSON + ", text/plain;q=0.5, */*;q=0.1",
                                self.update_timeout if timeout is None else timeout)
        wrapper.setQuery(text)
        if not wrapper.isSparqlUpdateRequest():
            raise ValueError("not a SPARQL update")
        return self._send(wrapper, "update")

    def _wrapper(self, accept: str, timeout: float | None) -> _Wrapper:
        wrapper = _Wrapper(self.endpoint, self.update_endpoint, self._opener)
        wrapper.accept = accept
        wrapper.request_timeout = timeout if timeout and timeout > 0 else None
        return wrapper

    def _send(self, wrapper: _Wrapper, what: str) -> RemoteResponse:
        url = self.update_endpoint if what == "update" else self.endpoint
        return self._exchange(wrapper.send, what, url, wrapper.request_timeout)

    def _exchange(self, send: Callable[[], HTTPResponse], what: str, url: str,
                  timeout: float | None) -> RemoteResponse:
        """Send one request; map the ways it can fail onto our errors."""
        started = time.monotonic()
        try:
            with send() as response:
                body = response.read()
                headers = response.headers
        except urllib.error.HTTPError as exc:
            message = _error_text(exc)
            if exc.code == 400:
                raise QuerySyntaxError(f"The store rejected the {what}: {message}") from None
            if exc.code in (401, 403):
                raise RemoteStoreError(f"The store at {url} refused the {what} (HTTP {exc.code}): check "
                                       "remote_user and remote_password, and that the endpoint allows "
                                       f"{'queries' if what == 'query' else 'writes'}.") from None
            if exc.code in (503, 504) or "timeout" in message.lower() or "S1T00" in message:
                raise QueryTimeout(f"The store stopped the {what} (HTTP {exc.code}): {message}") from None
            raise RemoteStoreError(f"The store at {url} failed the {what} (HTTP {exc.code}): {message}") from None
        except TimeoutError:
            raise QueryTimeout(f"The store at {url} did not answer the {what} within {timeout or 0:g} s.") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise QueryTimeout(f"The store at {url} did not answer the {what} within "
                                   f"{timeout or 0:g} s.") from None
            raise RemoteStoreError(f"Cannot reach the store at {url}: {exc.reason}") from None
        except (ConnectionError, OSError) as exc:
            raise RemoteStoreError(f"Cannot reach the store at {url}: {exc}") from None
        # Virtuoso's "anytime" queries: past its MaxQueryExecutionTime it answers 200 with
        # partial results and says so only in these headers. Partial answers are not answers.
        state = headers.get("X-SQL-State", "")
        if state:
            raise QueryTimeout(f"The store cut the {what} short ({state}: {headers.get('X-SQL-Message', '')}).")
        return RemoteResponse(body, headers.get("Content-Type", "application/octet-stream"),
                              time.monotonic() - started)

    def post_graph(self, graph: str, ntriples: bytes, timeout: float | None = None) -> RemoteResponse:
        """Add N-Triples to ``graph`` with the Graph Store Protocol (HTTP POST ``?graph=``)."""
        if not self.graph_store:
            raise RemoteStoreError("no Graph Store Protocol endpoint configured (remote_graph_store)")
        joint = "&" if "?" in self.graph_store else "?"
        url = f"{self.graph_store}{joint}{urlencode({'graph': checked_iri(graph)})}"
        request = urllib.request.Request(url, data=ntriples, method="POST", headers={
            "Content-Type": N_TRIPLES, "Accept": "*/*", "User-Agent": f"paradip-kg/{__version__}"})
        limit = self.update_timeout if timeout is None else timeout
        return self._exchange(lambda: self._opener.open(request, timeout=limit), "upload", self.graph_store, limit)

    def select(self, text: str, default_graphs: Sequence[str] | None = None,
               named_graphs: Sequence[str] | None = None,
               timeout: float | None = None) -> tuple[list[str], list[dict[str, Node]]]:
        """Run a SELECT; return its variables and rows (variable → rdflib term, unbound left out)."""
        response = self.query(text, default_graphs, named_graphs, SPARQL_JSON, timeout)
        data = _json_body(response)
        rows = [{name: json_to_term(value) for name, value in binding.items()}
                for binding in data.get("results", {}).get("bindings", [])]
        return list(data.get("head", {}).get("vars", [])), rows

    def ask(self, text: str, default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
            timeout: float | None = None) -> bool:
        """Run an ASK; return its boolean."""
        response = self.query(text, default_graphs, named_graphs, SPARQL_JSON, timeout)
        return bool(_json_body(response).get("boolean"))

    def construct(self, text: str, default_graphs: Sequence[str] | None = None,
                  named_graphs: Sequence[str] | None = None, timeout: float | None = None) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE; return its triples (asked for as N-Triples)."""
        response = self.query(text, default_graphs, named_graphs, N_TRIPLES, timeout)
        if response.media_type not in (N_TRIPLES, "text/plain", TURTLE):
            raise RemoteStoreError(f"The store answered {response.content_type!r} where N-Triples was asked for.")
        fmt = ox.RdfFormat.TURTLE if response.media_type == TURTLE else ox.RdfFormat.N_TRIPLES
        return [t if isinstance(t, ox.Triple) else t.triple for t in ox.parse(response.body, fmt)]

    def ping(self, timeout: float = 5.0) -> bool:
        """Does the store answer ``ASK {}``?"""
        try:
            self.ask("ASK {}", timeout=timeout)
            return True
        except ParadipError:
            return False

    def count_by_graph(self, graphs: Sequence[str] | None = None) -> dict[str, int]:
        """Triples per named graph of ours (or of ``graphs``), by its short name where it has one
        (like :func:`paradip_kg.store.disk.count_by_graph`); empty graphs are left out.

        One ``COUNT`` per graph: Virtuoso answers the grouped ``GRAPH ?g`` form with a
        ``named-graph-uri`` list a thousand times slower (48 s against 0.04 s at 100k triples).
        """
        names = {str(v): k for k, v in GRAPHS.items()}
        counts: dict[str, int] = {}
        for graph in graphs or self.named_graphs:
            _, rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{checked_iri(graph)}> {{ ?s ?p ?o }} }}",
                                  default_graphs=[], named_graphs=[graph])
            count = int(str(rows[0]["n"])) if rows and "n" in rows[0] else 0
            if count:
                counts[names.get(graph, graph)] = count
        return counts

    def clear_graph(self, graph: str) -> None:
        self.update(f"CLEAR SILENT GRAPH <{checked_iri(graph)}>")


def json_to_term(value: Mapping[str, Any]) -> Node:
    """A SPARQL JSON results term as an rdflib term (also Virtuoso's ``typed-literal``)."""
    kind = value.get("type")
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang")
        if lang:
            return Literal(value["value"], lang=lang)
        datatype = value.get("datatype")
        if datatype and datatype != XSD + "string":
            return Literal(value["value"], datatype=URIRef(datatype))
        return Literal(value["value"])
    raise RemoteStoreError(f"unexpected term in the store's JSON results: {value!r}")


def _json_body(response: RemoteResponse) -> dict[str, Any]:
    if "json" not in response.media_type:
        raise RemoteStoreError(f"The store answered {response.content_type!r} where SPARQL JSON was asked for.")
    try:
        data: dict[str, Any] = json.loads(response.body.decode("utf-8"))
        return data
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RemoteStoreError(f"The store's JSON results do not parse: {exc}") from None


def _error_text(exc: urllib.error.HTTPError, limit: int = 2000) -> str:
    try:
        text = exc.read().decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    finally:
        exc.close()
    text = text or str(exc.reason)
    return text if len(text) <= limit else text[:limit] + " …"


def checked_iri(value: str) -> str:
    """``value``, if it is an IRI (ValueError otherwise): it goes into a query between ``<`` and ``>``."""
    ox.NamedNode(value)  # raises ValueError for anything that is not an IRI
    return value

