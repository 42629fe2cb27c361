"""Reading a write request into a change: a function of the writer's copy that returns its delta.

Two doors lead here. A SPARQL 1.1 Update (:func:`check_update`, then :func:`update_change`):
INSERT DATA or DELETE DATA alone is read from the request itself, at the cost of the change;
DELETE/INSERT … WHERE as a query of its pattern and its templates instantiated
(:mod:`paradip_kg.writes.modify`), at the cost of the change; anything else (CLEAR, DROP, COPY, …)
runs on the writer's copy, with the data graph as the default graph, and the change is the
difference of the store before and after, at the cost of the store (docs/writes.md, "What each
kind of update costs"). A Graph Store Protocol request
(:class:`GraphStoreChange`, :class:`DropGraph`): a graph replaced by, merged with or emptied
of an rdflib graph's triples.

Nothing here commits: :mod:`paradip_kg.writes.commit` runs the change under the write lock,
then infers, validates and publishes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import islice

import pyoxigraph as ox
from rdflib import Graph

from paradip_kg.errors import BulkDeleteRefused, GraphNotFound, InputError, QuerySyntaxError, WriteForbidden
from paradip_kg.rdf.terms import oxigraph_triple
from paradip_kg.sparql.inspect import OPAQUE, WORD, check_nesting
from paradip_kg.writes.delta import Delta, all_quads, apply, graph_quads
from paradip_kg.writes.graphs import DATA_GRAPH, writable
from paradip_kg.writes.modify import modify_delta

Change = Callable[[ox.Store], Delta]  # runs on the writer's copy, returns what it changed

# --- SPARQL Update ---------------------------------------------------------------------------------

_DATA_ONLY_WORDS = {"DATA", "PREFIX", "BASE", "GRAPH", "A", "TRUE", "FALSE"}

# Language tags, and prefixed names with their escapes (pdid:agreement\/x): no keywords in them.
_NOT_KEYWORDS = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*|(?<![\w?$])[A-Za-z_]?[\w.-]*:(?:[\w.:%-]|\\.)*")


def blank_opaque(text: str) -> str:
    """``text`` with comments, strings, IRIs, language tags and prefixed names blanked, positions kept."""
    blanked = OPAQUE.sub(lambda m: " " * len(m.group()), text)
    return _NOT_KEYWORDS.sub(lambda m: " " * len(m.group()), blanked)


def data_only(text: str, blanked: str) -> str | None:
    """``INSERT`` or ``DELETE`` when the update is only INSERT DATA (or only DELETE DATA) operations."""
    words = {m.group(1).upper() for m in WORD.finditer(blanked)}
    for verb in ("INSERT", "DELETE"):
        if verb in words and words <= _DATA_ONLY_WORDS | {verb} and re.search(rf"\b{verb}\s+DATA\b", blanked, re.I):
            return verb
    return None


def check_update(text: str, allow_load: bool = False, allow_service: bool = False) -> str:
    """Refuse what an update may not do before anything runs; return ``text`` blanked of its opaque parts."""
    check_nesting(text)
    blanked = blank_opaque(text)
    words = {m.group(1).upper() for m in WORD.finditer(re.sub(r"(?i)\bPREFIX\s+[^\s:]*:", " ", blanked))}
    if "LOAD" in words and not allow_load:
        raise InputError("LOAD is turned off: updates do not fetch documents from the network "
                         "(the operator can allow it with the allow_load setting).")
    if "SERVICE" in words and not allow_service:
        raise InputError("SERVICE is turned off: updates do not reach other servers "
                         "(the operator can allow it with the allow_service setting).")
    return blanked


def in_data_graph(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """Quads of the unnamed graph moved to the data graph (in writes, the default graph is the data graph)."""
    data = ox.NamedNode(DATA_GRAPH)
    return {ox.Quad(q.subject, q.predicate, q.object, data) if isinstance(q.graph_name, ox.DefaultGraph) else q
            for q in quads}


def _parse_data(text: str, base_iri: str | None) -> set[ox.Quad]:
    """The quads of INSERT DATA operations, parsed by Oxigraph into a scratch in-memory store."""
    scratch = ox.Store()
    try:
        scratch.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    return in_data_graph(scratch.quads_for_pattern(None, None, None, None))


def refuse_triple_terms(delta: Delta) -> None:
    """RDF 1.2 triple terms (``<<( s p o )>>``) cannot be inferred over nor validated (owlrl and
    pyshacl read rdflib graphs, which have none): a change that brings one is refused."""
    for quad in delta.quads():
        if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
            raise InputError("Triple terms (RDF 1.2 quoted triples) are not supported in writes: "
                             "state the triple itself, or describe it with a resource of its own.")


def update_delta(live: ox.Store, text: str, base_iri: str | None, blanked: str) -> Delta:
    """Run a SPARQL update on ``live`` and return what it changed.

    INSERT DATA or DELETE DATA alone: the quads are read from the request (cost of the change).
    DELETE/INSERT … WHERE and DELETE WHERE: the WHERE pattern is queried and the templates
    instantiated (:mod:`paradip_kg.writes.modify`; cost of the change and of the pattern).
    Anything else (CLEAR, DROP, COPY, …) runs on the writer's copy with the data graph as the
    default graph, and the change is the difference of the store before and after (cost of the store).
    """
    verb = data_only(text, blanked)
    if verb == "INSERT":
        quads = _parse_data(text, base_iri)
        delta = Delta(added={q for q in quads if q not in live})
        refuse_triple_terms(delta)
        apply(live, delta)
        return delta
    if verb == "DELETE":
        # The same operations with INSERT in place of DELETE give the quads to delete.
        chars = list(text)
        for match in re.finditer(r"\bDELETE(?=\s+DATA\b)", blanked, re.I):
            chars[match.start():match.end()] = "INSERT"
        quads = _parse_data("".join(chars), base_iri)
        delta = Delta(removed={q for q in quads if q in live})
        apply(live, delta)
        return delta
    modified = modify_delta(live, text, blanked, base_iri)  # DELETE/INSERT … WHERE: the cost of the change
    if modified is not None:
        refuse_triple_terms(modified)
        return modified
    return diff_delta(live, text, base_iri)


def diff_delta(live: ox.Store, text: str, base_iri: str | None) -> Delta:
    """Run any SPARQL update on ``live`` (the data graph as its default graph) and return what it
    changed: the difference of the store before and after."""
    before = all_quads(live)
    data = ox.NamedNode(DATA_GRAPH)
    live.update(f"ADD GRAPH <{DATA_GRAPH}> TO DEFAULT")
    try:
        live.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    after_default = set(live.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    live.update("CLEAR DEFAULT")
    after = all_quads(live)
    before_data = {q for q in before if q.graph_name == data}
    # The data graph changed through the default graph and through its name: both count.
    via_default = {ox.Quad(q.subject, q.predicate, q.object, data) for q in after_default}
    named_data = {q for q in after if q.graph_name == data}
    new_data = (before_data & via_default & named_data) | (via_default - before_data) | (named_data - before_data)
    others_before = before - before_data
    others_after = after - named_data
    delta = Delta(added=(new_data - before_data) | (others_after - others_before),
                  removed=(before_data - new_data) | (others_before - others_after))
    refuse_triple_terms(delta)
    live.clear_graph(data)
    live.extend(new_data)
    return delta


def update_change(text: str, base_iri: str | None, blanked: str) -> Change:
    """The change a SPARQL Update makes (``blanked``: what :func:`check_update` returned)."""
    return lambda live: update_delta(live, text, base_iri, blanked)


# --- Graph Store Protocol ----------------------------------------------------------------------------


def check_graph(graph: str) -> None:
    """WriteForbidden when ``graph`` is reserved (:func:`paradip_kg.writes.graphs.writable`)."""
    if not writable(graph):
        raise WriteForbidden(f"the graph <{graph}> is maintained by paradip-kg and cannot be written")


def quads_of(graph: str, data: Graph | Iterable[ox.Triple]) -> set[ox.Quad]:
    """The triples of ``data`` (rdflib or Oxigraph ones) as quads of ``graph``."""
    g = ox.NamedNode(graph)
    quads: set[ox.Quad] = set()
    for triple in data:
        if isinstance(triple, ox.Triple):
            quads.add(ox.Quad(triple.subject, triple.predicate, triple.object, g))
        else:
            t = oxigraph_triple(*triple)
            quads.add(ox.Quad(t.subject, t.predicate, t.object, g))
    return quads


class GraphStoreChange:
    """Graph Store PUT (``replace``: the graph holds exactly ``data`` afterwards) or POST
    (``data`` merged into the graph). ``created`` tells, once it ran, whether the graph was new."""

    def __init__(self, graph: str, data: Graph | Iterable[ox.Triple], replace: bool) -> None:
        check_graph(graph)
        self.graph, self.replace = graph, replace
        self.new = quads_of(graph, data)
        self.created = False

    def __call__(self, live: ox.Store) -> Delta:
        name = ox.NamedNode(self.graph)
        self.created = not live.contains_named_graph(name) and not any(live.quads_for_pattern(None, None, None, name))
        if self.replace:
            old = graph_quads(live, self.graph)
            delta = Delta(added=self.new - old, removed=old - self.new,
                          created={self.graph} if self.created else set())
        else:
            delta = Delta(added={q for q in self.new if q not in live})
        apply(live, delta)
        if self.created and self.replace:
            live.add_graph(name)
        return delta


class DropGraph:
    """Graph Store DELETE: the graph and its triples are gone; GraphNotFound if there is none."""

    def __init__(self, graph: str) -> None:
        check_graph(graph)
        self.graph = graph

    def __call__(self, live: ox.Store) -> Delta:
        name = ox.NamedNode(self.graph)
        if not live.contains_named_graph(name):
            raise GraphNotFound(f"there is no graph <{self.graph}>")
        delta = Delta(removed=graph_quads(live, self.graph))
        apply(live, delta)
        if self.graph != DATA_GRAPH:
            live.remove_graph(name)
        return delta


# --- Bulk removal of the data graph ---------------------------------------------------------------


def guarded(change: Change, share: float) -> Change:
    """``change``, refused (BulkDeleteRefused, nothing written) when it removes more than ``share``
    of the data graph's quads (setting ``bulk_delete_share``; 1 or more: no guard).

    Counting the data graph costs nothing for a write that removes nothing from it, and for one
    that does, at most the quads that decide it (about ``removed / share``), not the whole graph."""
    if share >= 1:
        return change

    def run(live: ox.Store) -> Delta:
        delta = change(live)
        data = ox.NamedNode(DATA_GRAPH)
        removed = sum(1 for q in delta.removed if q.graph_name == data)
        if not removed:
            return delta
        added = sum(1 for q in delta.added if q.graph_name == data)
        # before = after + removed - added; refused when removed > share * before, that is when
        # before < removed / share: count the graph as it is now only that far.
        enough = max(int(removed / share) - removed + added + 1, 0) if share > 0 else None
        after = sum(1 for _ in islice(live.quads_for_pattern(None, None, None, data), enough))
        before = after + removed - added  # exact whenever it decides a refusal
        if removed > share * before:
            raise BulkDeleteRefused(removed, before, share)
        return delta

    return run
