"""Writes: SPARQL Update and Graph Store changes, validated before they are committed.

One write, whichever door it came in by (``/update``, the Graph Store Protocol, a test):

    take the write lock (one writer at a time, across processes: ``fcntl.flock``)
      │ open the writer's copy ``<store>.writes/live`` (rebuilt from the head if a crash left it dirty)
      │ apply the asserted change                       → the delta: quads added and removed
      │ refuse changes to reserved graphs (403)
      │ re-infer what the change can affect (owlrl)     → the inferred delta
      │ validate what the change can affect (pyshacl)   → 422 with the report; nothing committed
      │ record the write in the provenance graph
      ▼ publish: a snapshot of live (hard links), then HEAD renamed onto it (fsync'd)
    answer

Readers never open ``live``: they open the snapshot HEAD names (:func:`store.read_head`), so
they see the state before a write or after it, never a mix, and a ``kill -9`` at any point
leaves HEAD on the last published state. A write is acknowledged only after HEAD is durable.

What a change can affect (:func:`affected`): the subjects it touches, every node whose
outgoing paths reach them (shapes and rules look forward from a node), and the IRIs it
points at (their inverse and range entailments). Inference and validation run on those
nodes' neighbourhood only; past the caps below, the whole graph is re-inferred and
re-validated instead, so the answer is the same either way (tests/test_writes.py checks
incremental against full results).
"""

from __future__ import annotations

import fcntl
import gc
import itertools
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from paradip_kg.errors import (
    ChangeTooWide,
    GraphNotFound,
    Inconsistent,
    InputError,
    QuerySyntaxError,
    WriteBusy,
    WriteForbidden,
    WriteRejected,
)
from paradip_kg.namespaces import GRAPH, GRAPHS, ID, PDO, SHAPES
from paradip_kg.rdf.parse import to_rdflib
from paradip_kg.sparql.inspect import OPAQUE, WORD, check_nesting
from paradip_kg.store.disk import Head, read_head, to_oxigraph, write_head, writes_dir

DATA_GRAPH = str(GRAPHS["data"])
WRITES_GRAPH = str(GRAPH["writes"])
RESERVED_GRAPHS = frozenset({*(str(GRAPHS[k]) for k in ("ontology", "vocab", "inferred", "shapes")), WRITES_GRAPH})
TBOX_GRAPHS = (str(GRAPHS["ontology"]), str(GRAPHS["vocab"]))
INFERRED_GRAPH = str(GRAPHS["inferred"])
SHAPES_GRAPH = str(GRAPHS["shapes"])

BACKWARD_DEPTH = 4  # how far back from a changed subject nodes may depend on it
FORWARD_DEPTH = 6  # how far forward a node's shapes and rules look (agreement → party → government → territory → state → country)
MAX_AFFECTED = 2_000  # more affected nodes than this: re-infer and re-validate everything
MAX_CONTEXT = 200_000  # more context triples than this: likewise
KEEP_SNAPSHOTS = 3  # published snapshots kept besides HEAD's ...
SNAPSHOT_GRACE = 120.0  # ... and any younger than this many seconds (a reader may still be opening it)
MAX_LOGGED_QUADS = 2_000  # the provenance record holds the changed quads up to this many


@dataclass
class WriteResult:
    version: str
    sequence: int
    graphs: list[str]
    added: int
    removed: int
    inferred_added: int = 0
    inferred_removed: int = 0
    activity: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    focus_nodes: int = 0
    full_validation: bool = False
    created: bool = False
    warnings: int = 0  # results below Violation (warnings, infos) about what the change affects

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def report(self) -> Any:
        """The validation report of an accepted write (its warnings and infos), if it was validated."""
        return getattr(self, "_report", None)


def writable(graph: str) -> bool:
    """Whether writes may change ``graph`` (the data graph and any graph that is not reserved)."""
    return graph not in RESERVED_GRAPHS


# --- Locking and the writer's copy -------------------------------------------------------------


@contextmanager
def writer_lock(store_dir: Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the store's write lock (exclusive across processes); WriteBusy after ``timeout`` s."""
    folder = writes_dir(store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriteBusy(f"another write held the store for more than {timeout:g} s; try again") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _open_live(store_dir: Path, head: Head) -> ox.Store:
    """The writer's read-write copy, equal to ``head``; rebuilt from it when it is not."""
    folder = writes_dir(store_dir)
    live, marker = folder / "live", folder / "LIVE"
    current = marker.read_text(encoding="utf-8").strip() if marker.exists() else ""
    if current != head.tag or not live.is_dir():
        if live.exists():
            shutil.rmtree(live)
        ox.Store.read_only(str(head.path)).backup(str(live))
        marker.write_text(head.tag + "\n", encoding="utf-8")
    return ox.Store(str(live))


def _mark_live(store_dir: Path, name: str) -> None:
    (writes_dir(store_dir) / "LIVE").write_text(name + "\n", encoding="utf-8")


def _collect_snapshots(store_dir: Path, keep: str) -> None:
    folder = writes_dir(store_dir) / "snapshots"
    names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    now = time.time()
    for name in names[:-KEEP_SNAPSHOTS]:
        path = folder / name
        if name != keep and now - path.stat().st_mtime > SNAPSHOT_GRACE:
            shutil.rmtree(path, ignore_errors=True)


# --- Deltas ---------------------------------------------------------------------------------------


@dataclass
class Delta:
    added: set[ox.Quad] = field(default_factory=set)
    removed: set[ox.Quad] = field(default_factory=set)
    created: set[str] = field(default_factory=set)  # empty named graphs created (Graph Store PUT)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.created)

    def graphs(self) -> list[str]:
        return sorted({q.graph_name.value for q in self.added | self.removed
                       if isinstance(q.graph_name, ox.NamedNode)} | self.created)


def _graph_quads(store: ox.Store, graph: str) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def _all_quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


def _apply(store: ox.Store, delta: Delta) -> None:
    for quad in delta.removed:
        store.remove(quad)
    if delta.added:
        store.extend(delta.added)


def _in_data_graph(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """Quads of the unnamed graph moved to the data graph (in writes, the default graph is the data graph)."""
    data = ox.NamedNode(DATA_GRAPH)
    return {ox.Quad(q.subject, q.predicate, q.object, data) if isinstance(q.graph_name, ox.DefaultGraph) else q
            for q in quads}


_DATA_ONLY_WORDS = {"DATA", "PREFIX", "BASE", "GRAPH", "A", "TRUE", "FALSE"}


# Language tags, and prefixed names with their escapes (pdid:agreement\/x): no keywords in them.
_NOT_KEYWORDS = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*|(?<![\w?$])[A-Za-z_]?[\w.-]*:(?:[\w.:%-]|\\.)*")


def _blank_opaque(text: str) -> str:
    """``text`` with comments, strings, IRIs, language tags and prefixed names blanked, positions kept."""
    blanked = OPAQUE.sub(lambda m: " " * len(m.group()), text)
    return _NOT_KEYWORDS.sub(lambda m: " " * len(m.group()), blanked)


def _data_only(text: str, blanked: str) -> str | None:
    """``INSERT`` or ``DELETE`` when the update is only INSERT DATA (or only DELETE DATA) operations."""
    words = {m.group(1).upper() for m in WORD.finditer(blanked)}
    for verb in ("INSERT", "DELETE"):
        if verb in words and words <= _DATA_ONLY_WORDS | {verb} and re.search(rf"\b{verb}\s+DATA\b", blanked, re.I):
            return verb
    return None


def _parse_data(text: str, base_iri: str | None) -> set[ox.Quad]:
    """The quads of INSERT DATA operations, parsed by Oxigraph into a scratch in-memory store."""
    scratch = ox.Store()
    try:
        scratch.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    return _in_data_graph(scratch.quads_for_pattern(None, None, None, None))


def check_update(text: str, allow_load: bool = False, allow_service: bool = False) -> str:
    """Refuse what an update may not do before anything runs; return ``text`` blanked of its opaque parts."""
    check_nesting(text)
    blanked = _blank_opaque(text)
    words = {m.group(1).upper() for m in WORD.finditer(re.sub(r"(?i)\bPREFIX\s+[^\s:]*:", " ", blanked))}
    if "LOAD" in words and not allow_load:
        raise InputError("LOAD is turned off: updates do not fetch documents from the network "
                         "(the operator can allow it with the allow_load setting).")
    if "SERVICE" in words and not allow_service:
        raise InputError("SERVICE is turned off: updates do not reach other servers "
                         "(the operator can allow it with the allow_service setting).")
    return blanked


def update_delta(live: ox.Store, text: str, base_iri: str | None, blanked: str) -> Delta:
    """Run a SPARQL update on ``live`` and return what it changed.

    INSERT DATA or DELETE DATA alone: the quads are read from the request (cost of the change).
    Anything else runs on the writer's copy with the data graph as the default graph, and the
    change is the difference of the store before and after (cost of the store).
    """
    verb = _data_only(text, blanked)
    if verb == "INSERT":
        quads = _parse_data(text, base_iri)
        delta = Delta(added={q for q in quads if q not in live})
        _apply(live, delta)
        return delta
    if verb == "DELETE":
        # The same operations with INSERT in place of DELETE give the quads to delete.
        chars = list(text)
        for match in re.finditer(r"\bDELETE(?=\s+DATA\b)", blanked, re.I):
            chars[match.start():match.end()] = "INSERT"
        quads = _parse_data("".join(chars), base_iri)
        delta = Delta(removed={q for q in quads if q in live})
        _apply(live, delta)
        return delta
    before = _all_quads(live)
    data = ox.NamedNode(DATA_GRAPH)
    live.update(f"ADD GRAPH <{DATA_GRAPH}> TO DEFAULT")
    try:
        live.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    after_default = set(live.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    live.update("CLEAR DEFAULT")
    after = _all_quads(live)
    before_data = {q for q in before if q.graph_name == data}
    # The data graph changed through the default graph and through its name: both count.
    via_default = {ox.Quad(q.subject, q.predicate, q.object, data) for q in after_default}
    named_data = {q for q in after if q.graph_name == data}
    new_data = (before_data & via_default & named_data) | (via_default - before_data) | (named_data - before_data)
    others_before = before - before_data
    others_after = after - named_data
    delta = Delta(added=(new_data - before_data) | (others_after - others_before),
                  removed=(before_data - new_data) | (others_before - others_after))
    live.clear_graph(data)
    live.extend(new_data)
    return delta


# --- What a change can affect --------------------------------------------------------------------


Node = ox.NamedNode | ox.BlankNode


class _Graphs:
    """Reads the graphs that hold asserted instance data (all but the T-box, shapes, inferences and log)."""

    def __init__(self, store: ox.Store) -> None:
        skip = {*TBOX_GRAPHS, SHAPES_GRAPH, WRITES_GRAPH, INFERRED_GRAPH}
        self.store = store
        self.asserted = [g for g in store.named_graphs() if g.value not in skip]
        self.inferred = ox.NamedNode(INFERRED_GRAPH)

    def out(self, node: Node) -> Iterator[ox.Quad]:
        for g in self.asserted:
            yield from self.store.quads_for_pattern(node, None, None, g)

    def into(self, node: Node, predicate: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        for g in self.asserted:
            yield from self.store.quads_for_pattern(None, predicate, node, g)

    def inferred_about(self, node: Node) -> Iterator[ox.Quad]:
        yield from self.store.quads_for_pattern(node, None, None, self.inferred)


_TYPE = ox.NamedNode(str(RDF.type))
# Shape constraints that look back from a node's objects: the duplicate-agreement rule finds
# other agreements through the parties (pdsh:AgreementDuplicateConstraint).
LOOK_BACK = (ox.NamedNode(str(PDO.hasParty)),)
LOOK_BACK_SHAPES = (SHAPES.AgreementDuplicateShape,)
MAX_REFERRERS = 1_000  # an object with more referrers is a hub: its own entailments are only added to


@dataclass
class Affected:
    focus: set[Node]  # changed subjects and the nodes whose outgoing paths reach them
    objects: set[Node]  # IRIs the change points at (inverse and range entailments)
    terms: set[Node] = field(default_factory=set)  # changed subjects that are T-box terms (validated, not re-inferred)


def _tbox_terms(store: ox.Store) -> set[Node]:
    terms: set[Node] = set()
    for g in TBOX_GRAPHS:
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
            if isinstance(quad.subject, (ox.NamedNode, ox.BlankNode)):
                terms.add(quad.subject)
    return terms


def affected(store: ox.Store, changed: Iterable[ox.Quad], tbox: set[Node]) -> Affected:
    """The nodes a change can affect (see the module's docstring); ChangeTooWide past MAX_AFFECTED.

    Shapes and rules look forward from a node along asserted links (the shapes use no inverse
    property), so a node depends on the change when an asserted path leads from it to a
    changed subject.
    """
    graphs = _Graphs(store)
    subjects: set[Node] = set()
    objects: set[Node] = set()
    terms: set[Node] = set()
    for quad in changed:
        if quad.subject not in tbox:
            subjects.add(quad.subject)
        else:  # data about a vocabulary concept or an ontology term
            terms.add(quad.subject)
        if isinstance(quad.object, (ox.NamedNode, ox.BlankNode)) and quad.object not in tbox and quad.predicate != _TYPE:
            objects.add(quad.object)
    focus = set(subjects)
    frontier = set(subjects)
    for _ in range(BACKWARD_DEPTH):
        nxt: set[Node] = set()
        for node in frontier:
            for quad in graphs.into(node):
                if quad.subject not in focus and quad.subject not in tbox:
                    nxt.add(quad.subject)
        focus |= nxt
        if len(focus) > MAX_AFFECTED:
            raise ChangeTooWide
        frontier = nxt
        if not frontier:
            break
    return Affected(focus=focus, objects=objects - focus, terms=terms)


class _Triples:
    def __init__(self) -> None:
        self.items: set[tuple[Any, Any, Any]] = set()

    def add(self, quad: ox.Quad) -> None:
        self.items.add((quad.subject, quad.predicate, quad.object))
        if len(self.items) > MAX_CONTEXT:
            raise ChangeTooWide

    def graph(self) -> Graph:
        graph = Graph()
        for s, p, o in self.items:
            graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
        return graph


def forward(graphs: _Graphs, nodes: set[Node], tbox: set[Node], into: _Triples,
            follow: frozenset[ox.NamedNode] | None = None) -> set[Node]:
    """Add the asserted triples reachable from ``nodes`` (FORWARD_DEPTH steps, along the
    predicates in ``follow`` past the first step, or all) to ``into``; return the nodes seen."""
    seen: set[Node] = set()
    frontier = set(nodes)
    for depth in range(FORWARD_DEPTH):
        nxt: set[Node] = set()
        for node in frontier:
            seen.add(node)
            for quad in graphs.out(node):
                into.add(quad)
                obj = quad.object
                if isinstance(obj, (ox.NamedNode, ox.BlankNode)) and quad.predicate != _TYPE and obj not in tbox \
                        and (follow is None or depth == 0 or quad.predicate in follow):
                    nxt.add(obj)
        frontier = nxt - seen
        if not frontier:
            break
    return seen


def inference_context(store: ox.Store, hit: Affected, tbox: set[Node]) -> tuple[Graph, set[Node]]:
    """The asserted triples the entailments of the affected nodes rest on, and the objects whose
    entailments it holds in full (those with few referrers: all of them are in the context)."""
    graphs = _Graphs(store)
    triples = _Triples()
    forward(graphs, hit.focus | hit.objects, tbox, triples)
    complete: set[Node] = set()
    for obj in hit.objects:
        referrers = list(itertools.islice(graphs.into(obj), MAX_REFERRERS + 1))
        if len(referrers) <= MAX_REFERRERS:
            complete.add(obj)
            for quad in referrers:
                triples.add(quad)
    for node in hit.focus:  # inverse and range entailments of focus nodes rest on their referrers
        for quad in graphs.into(node):
            triples.add(quad)
    return triples.graph(), complete


def validation_context(store: ox.Store, focus: set[Node], tbox: set[Node], read: frozenset[ox.NamedNode],
                       full: Graph) -> tuple[Graph, Graph]:
    """The triples the shapes read for ``focus``: its triples and its values' (one step), then
    onward along the predicates the shapes read (``read``), with the inferred triples of every
    node reached (types above all) and the vocabulary's triples about the concepts they use;
    and, apart, what the look-back rules read as well: the other agreements of the same
    parties, with their parties and types only."""
    graphs = _Graphs(store)
    triples = _Triples()
    seen = forward(graphs, focus, tbox, triples, follow=read)
    for node in seen:
        for quad in graphs.inferred_about(node):
            triples.add(quad)
    # The values at the edge (not followed, or reached through an inference) need their types
    # for sh:class.
    edge = {o for _, _, o in triples.items if isinstance(o, (ox.NamedNode, ox.BlankNode))} - seen - tbox
    for node in edge:
        for quad in (*graphs.out(node), *graphs.inferred_about(node)):
            if quad.predicate == _TYPE:
                triples.add(quad)
    around = _Triples()
    for node in focus:
        for predicate in LOOK_BACK:
            for quad in graphs.out(node):
                if quad.predicate == predicate and isinstance(quad.object, (ox.NamedNode, ox.BlankNode)):
                    for other in graphs.into(quad.object, predicate):
                        for fact in (*graphs.out(other.subject), *graphs.inferred_about(other.subject)):
                            if fact.predicate in (predicate, _TYPE):
                                around.add(fact)
    graph = triples.graph()
    graph += full.triples((None, RDFS.subClassOf, None))  # sh:class also follows rdfs:subClassOf
    for term in {o for p, o in graph.predicate_objects() if p != RDF.type and not isinstance(o, Literal)}:
        for triple in full.triples((term, None, None)):  # e.g. vocab/scope/national is a skos:Concept
            graph.add(triple)
    return graph, around.graph()


def shape_predicates(shapes: Graph) -> frozenset[ox.NamedNode]:
    """Every predicate the shapes can read past a focus node: those in sh:path expressions
    and those named in SHACL-SPARQL queries (prefixed with the project's prefixes, or full IRIs)."""
    from rdflib.namespace import SH

    from paradip_kg.namespaces import PREFIXES

    found: set[str] = set()
    path_links = {SH.alternativePath, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath,
                  RDF.first, RDF.rest}
    todo = list(shapes.objects(None, SH.path))
    while todo:
        node = todo.pop()
        if isinstance(node, URIRef):
            found.add(str(node))
        for p, o in shapes.predicate_objects(node):
            if p in path_links:
                todo.append(o)
    for query in shapes.objects(None, SH.select):
        text = str(query)
        found.update(m.group(1) for m in re.finditer(r"<([^<>\s]+)>", text))
        for prefix, local in re.findall(r"(?<![\w<])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", text):
            if prefix in PREFIXES:
                found.add(PREFIXES[prefix] + local)
    return frozenset(ox.NamedNode(iri) for iri in found if iri.startswith(("http://", "https://", "urn:")))


# --- Inference and validation of the affected part ------------------------------------------------


_TBOX_CACHE: dict[str, tuple[Any, Graph, set[Node], Graph, frozenset[ox.NamedNode]]] = {}


def _tbox(store: ox.Store, key: str) -> tuple[Any, Graph, set[Node], Graph, frozenset[ox.NamedNode]]:
    """(compiled T-box for :mod:`paradip_kg.inference.incremental`, ontology + vocabularies, T-box terms, shapes,
    the predicates the shapes read), from the store once per build (writes cannot change them)."""
    from paradip_kg.inference.incremental import TBox

    if key not in _TBOX_CACHE:
        full, closure, shapes = Graph(), Graph(), Graph()
        for g in TBOX_GRAPHS:
            for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                full.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        terms = _tbox_terms(store)
        for triple in full:
            closure.add(triple)
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)):
            if quad.subject in terms:  # the owlrl closure of the T-box, as the build computed it
                closure.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(SHAPES_GRAPH)):
            shapes.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        _TBOX_CACHE.clear()
        _TBOX_CACHE[key] = (TBox.from_graph(closure), full, terms, shapes, shape_predicates(shapes))
    return _TBOX_CACHE[key]


def _entailed(tbox: Any, data: Graph) -> tuple[Graph, list[str]]:
    from paradip_kg.inference.incremental import entail

    triples, errors = entail(tbox, set(data))
    entailed = Graph()
    for triple in triples:
        entailed.add(triple)
    return entailed, errors


def _asserted_graph(store: ox.Store) -> Graph:
    graph = Graph()
    for g in _Graphs(store).asserted:
        for quad in store.quads_for_pattern(None, None, None, g):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def _inferred_quads(store: ox.Store, subjects: set[Node] | None) -> set[ox.Quad]:
    g = ox.NamedNode(INFERRED_GRAPH)
    if subjects is None:
        return set(store.quads_for_pattern(None, None, None, g))
    found: set[ox.Quad] = set()
    for s in subjects:
        found.update(store.quads_for_pattern(s, None, None, g))
    return found


def _as_inferred(graph: Graph, subjects: set[Node] | None) -> set[ox.Quad]:
    g = ox.NamedNode(INFERRED_GRAPH)
    quads = set()
    for s, p, o in graph:
        subject = to_oxigraph(s)
        if subjects is None or subject in subjects:
            quads.add(ox.Quad(subject, to_oxigraph(p), to_oxigraph(o), g))  # type: ignore[arg-type]
    return quads


def reinfer(store: ox.Store, delta: Delta, tbox_key: str) -> tuple[Delta, Affected | None]:
    """Bring the inferred graph in line with ``delta`` (already applied); return the inferred delta
    and the affected nodes (None: the whole graph was re-inferred).

    The inferred triples about the affected nodes are replaced by their entailments in the
    context; those about an object of the change are replaced when all its referrers are in
    the context, and only added to when it is a hub (a change cannot remove what its other
    referrers support).
    """
    lean, _full, terms, _shapes, _read = _tbox(store, tbox_key)
    try:
        hit = affected(store, delta.added | delta.removed, terms)
        data, complete = inference_context(store, hit, terms)
    except ChangeTooWide:
        hit = None
    if hit is None:
        data = _asserted_graph(store)
    entailed, errors = _entailed(lean, data)
    if errors:
        raise Inconsistent("the change makes the graph inconsistent with the ontology: " + "; ".join(errors[:5]),
                           None)
    asserted_here = set(data)
    fresh = {q for q in _as_inferred(entailed, None)
             if (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) not in asserted_here}
    if hit is None:
        old = _inferred_quads(store, None)
        inferred_delta = Delta(added=fresh - old, removed=old - fresh)
    else:
        replaced = hit.focus | complete
        new = {q for q in fresh if q.subject in replaced}
        old = _inferred_quads(store, replaced)
        added_only = {q for q in fresh if q.subject in hit.objects - complete}
        inferred_delta = Delta(added=(new - old) | {q for q in added_only if q not in store}, removed=old - new)
    _apply(store, inferred_delta)
    return inferred_delta, hit


def revalidate(store: ox.Store, hit: Affected | None, extra_focus: set[Node], tbox_key: str) -> tuple[Any, int]:
    """Validate the nodes a change can affect (or everything): the report, and the number of
    focus nodes (-1: the whole graph).

    Every shape runs on the affected nodes' forward neighbourhood; the look-back shapes (the
    duplicate-agreement rule) run again with the other agreements of the same parties added.
    Every target in the context is validated and the results narrowed to the affected nodes
    afterwards: pyshacl's own focus option also skips the nested checks (sh:or, sh:node) of
    value nodes outside its list, literals included.
    """
    from paradip_kg.shacl.engine import validate
    from paradip_kg.shacl.jobs import Job, narrow

    _lean, full, terms, shapes, read = _tbox(store, tbox_key)
    focus: set[Node] | None = None
    if hit is not None:
        try:
            # The objects of the change are judged only where their inferred types or shape-read
            # triples changed (extra_focus): a triple pointing at a node changes nothing the shapes
            # read about it otherwise (they use no inverse path).
            focus = hit.focus | hit.terms | {n for n in extra_focus if n not in terms}
            data, around = validation_context(store, focus, terms, read, full)
        except ChangeTooWide:
            focus = None
    if focus is None:
        data, around = _asserted_graph(store), Graph()
        for quad in _inferred_quads(store, None):
            data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        data += full
    report = validate(data, shapes, allow_warnings=True)
    if focus is None:
        return report, -1
    job = Job(data=data, shapes=shapes, focus=[to_rdflib(n) for n in focus], allow_warnings=True)  # type: ignore[misc]
    narrow(report, job)
    if len(around):
        looking_back = validate(data + around, shapes, allow_warnings=True, shape_iris=list(LOOK_BACK_SHAPES))
        narrow(looking_back, job)
        _merge_into(report, looking_back, job)
    return report, len(focus)


def _merge_into(report: Any, other: Any, job: Any) -> None:
    """Add the results of ``other`` (a second run's report) to ``report``, each result once."""
    from rdflib.namespace import SH

    from paradip_kg.shacl.results import read_results

    target = next(report.graph.subjects(SH.conforms, None))
    source = next(other.graph.subjects(SH.conforms, None))
    known = {(r.key, str(r.shape)) for r in report.results}
    nodes = list(other.graph.objects(source, SH.result))
    for result, found in zip(nodes, read_results(other.graph, job.shapes, nodes)):
        if (found.key, str(found.shape)) in known:
            continue
        report.graph.add((target, SH.result, result))
        report.graph += _described(other.graph, result)
        report.results.append(found)
    report.conforms = not any(r.severity == "Violation" for r in report.results)
    report.graph.set((target, SH.conforms, Literal(report.conforms)))


def _described(graph: Graph, node: Any) -> Graph:
    from paradip_kg.shacl.results import copy_description

    out = Graph()
    copy_description(graph, node, out)
    return out


# --- Provenance -----------------------------------------------------------------------------------

PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def _nquads(quads: Iterable[ox.Quad]) -> str:
    return "".join(sorted(f"{q}\n".replace(" .\n", " .\n") for q in quads))


def provenance(activity: str, agent: str, operation: str, started: datetime, ended: datetime,
               delta: Delta, inferred: Delta) -> list[ox.Quad]:
    """The record of one accepted write, in the writes graph (PROV-O)."""
    g = ox.NamedNode(WRITES_GRAPH)
    act = ox.NamedNode(activity)
    who = ox.NamedNode(str(ID) + "agent/" + re.sub(r"[^A-Za-z0-9._-]", "-", agent or "anonymous"))

    def lit(value: Any, dt: str | None = None) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD_NS + dt)) if dt else ox.Literal(str(value))

    quads = [
        ox.Quad(act, _TYPE, ox.NamedNode(PROV + "Activity"), g),
        ox.Quad(act, _TYPE, ox.NamedNode(str(PDO.GraphChange)), g),
        ox.Quad(act, ox.NamedNode(PROV + "wasAssociatedWith"), who, g),
        ox.Quad(who, _TYPE, ox.NamedNode(PROV + "Agent"), g),
        ox.Quad(who, ox.NamedNode(RDFS_LABEL), lit(agent or "anonymous"), g),
        ox.Quad(act, ox.NamedNode(PROV + "startedAtTime"), lit(started.isoformat(), "dateTime"), g),
        ox.Quad(act, ox.NamedNode(PROV + "endedAtTime"), lit(ended.isoformat(), "dateTime"), g),
        ox.Quad(act, ox.NamedNode(DCT + "description"), lit(operation), g),
        ox.Quad(act, ox.NamedNode(str(PDO.triplesAdded)), lit(len(delta.added), "integer"), g),
        ox.Quad(act, ox.NamedNode(str(PDO.triplesRemoved)), lit(len(delta.removed), "integer"), g),
        ox.Quad(act, ox.NamedNode(str(PDO.inferredAdded)), lit(len(inferred.added), "integer"), g),
        ox.Quad(act, ox.NamedNode(str(PDO.inferredRemoved)), lit(len(inferred.removed), "integer"), g),
    ]
    for graph in delta.graphs():
        quads.append(ox.Quad(act, ox.NamedNode(str(PDO.changedGraph)), ox.NamedNode(graph), g))
    if len(delta.added) + len(delta.removed) <= MAX_LOGGED_QUADS:
        if delta.added:
            quads.append(ox.Quad(act, ox.NamedNode(str(PDO.addedStatements)), lit(_nquads(delta.added)), g))
        if delta.removed:
            quads.append(ox.Quad(act, ox.NamedNode(str(PDO.removedStatements)), lit(_nquads(delta.removed)), g))
    return quads


# --- The write --------------------------------------------------------------------------------------


def _commit(store_dir: Path, change: Any, *, agent: str, operation: str, timeout: float = 30.0) -> WriteResult:
    """Run ``change(live) -> Delta`` under the lock, then infer, validate, log and publish."""
    with writer_lock(store_dir, timeout):
        outcome = _write_locked(store_dir, change, agent=agent, operation=operation)
        # The writer's read-write store is closed by now (it lived in _write_locked's frame only):
        # the next writer, maybe another process, can open it as soon as the lock is released.
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _forget_frames(exc: BaseException) -> BaseException:
    """Drop the tracebacks of ``exc`` and its causes: they hold the frames that hold the store."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def _write_locked(store_dir: Path, change: Any, *, agent: str, operation: str) -> WriteResult | BaseException:
    started = datetime.now(UTC).replace(microsecond=0)
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    head = read_head(store_dir)
    live: ox.Store | None = _open_live(store_dir, head)
    seconds["open"] = time.perf_counter() - t
    _mark_live(store_dir, "dirty")  # from here on, live may differ from HEAD until published
    try:
        t = time.perf_counter()
        delta: Delta = change(live)
        seconds["apply"] = time.perf_counter() - t
        forbidden = [g for g in delta.graphs() if not writable(g)]
        if forbidden or any(isinstance(q.graph_name, ox.DefaultGraph) for q in delta.added | delta.removed):
            raise WriteForbidden("these graphs are maintained by paradip-kg and cannot be written: "
                                 + ", ".join(forbidden or ["the unnamed default graph"]))
        if not delta:
            live = None
            gc.collect()
            _mark_live(store_dir, head.tag)
            return WriteResult(version=head.tag[:16], sequence=head.sequence, graphs=[], added=0, removed=0,
                               seconds={k: round(v, 4) for k, v in seconds.items()})
        tbox_key = _base_tag(store_dir)
        t = time.perf_counter()
        inferred, hit = reinfer(live, delta, tbox_key)
        seconds["infer"] = time.perf_counter() - t
        t = time.perf_counter()
        read = _tbox(live, tbox_key)[4]
        extra = {q.subject for q in inferred.added | inferred.removed if q.predicate == _TYPE or q.predicate in read}
        report, focus_count = revalidate(live, hit, extra, tbox_key)
        seconds["validate"] = time.perf_counter() - t
        if not report.conforms:
            raise WriteRejected(f"the change breaks {report.counts()['Violation']} shape constraint(s); "
                                "nothing was written", report)
        t = time.perf_counter()
        sequence = head.sequence + 1
        ended = datetime.now(UTC).replace(microsecond=0)
        activity = f"{ID}write/{sequence}-{uuid.uuid4().hex[:8]}"
        live.extend(provenance(activity, agent, operation, started, ended, delta, inferred))
        live.flush()
        name = f"{sequence:08d}-{uuid.uuid4().hex[:6]}"
        snapshots = writes_dir(store_dir) / "snapshots"
        snapshots.mkdir(exist_ok=True)
        live.backup(str(snapshots / name))
        live = None
        gc.collect()  # pyshacl leaves reference cycles that hold frames that hold the store
        write_head(store_dir, name, sequence, tbox_key, ended)  # the commit point
        new_head = read_head(store_dir)
        _mark_live(store_dir, new_head.tag)
        seconds["commit"] = time.perf_counter() - t
        _collect_snapshots(store_dir, name)
    except BaseException as exc:  # live stays marked dirty: the next write rebuilds it from HEAD
        live = None
        outcome = _forget_frames(exc)
        gc.collect()  # reference cycles of the failed steps may still hold the store open
        return outcome
    result = WriteResult(version=new_head.tag[:16], sequence=sequence, graphs=delta.graphs(),
                         added=len(delta.added), removed=len(delta.removed),
                         inferred_added=len(inferred.added), inferred_removed=len(inferred.removed),
                         activity=activity, seconds={k: round(v, 4) for k, v in seconds.items()},
                         focus_nodes=focus_count, full_validation=focus_count < 0 or hit is None,
                         warnings=len(report.results))
    result._report = report  # type: ignore[attr-defined]
    return result


def _base_tag(store_dir: Path) -> str:
    """The content hash of the build under the writes (HEAD records it as ``base``)."""
    from paradip_kg.store.disk import _built_head

    return _built_head(store_dir).tag


def sparql_update(store_dir: Path, text: str, *, agent: str, base_iri: str | None = None,
                  allow_load: bool = False, allow_service: bool = False, timeout: float = 30.0) -> WriteResult:
    """Run a SPARQL 1.1 Update; the unnamed default graph is the data graph."""
    blanked = check_update(text, allow_load, allow_service)
    return _commit(store_dir, lambda live: update_delta(live, text, base_iri, blanked), agent=agent,
                   operation="SPARQL Update", timeout=timeout)


def _quads_of(graph: str, data: Graph | Iterable[ox.Triple]) -> set[ox.Quad]:
    g = ox.NamedNode(graph)
    quads: set[ox.Quad] = set()
    for triple in data:
        if isinstance(triple, ox.Triple):
            quads.add(ox.Quad(triple.subject, triple.predicate, triple.object, g))
        else:
            s, p, o = triple
            quads.add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), g))  # type: ignore[arg-type]
    return quads


def _check_graph(graph: str) -> None:
    if not writable(graph):
        raise WriteForbidden(f"the graph <{graph}> is maintained by paradip-kg and cannot be written")


def _graph_store_write(store_dir: Path, graph: str, data: Graph | Iterable[ox.Triple], *, agent: str,
                       timeout: float, replace: bool) -> WriteResult:
    _check_graph(graph)
    new = _quads_of(graph, data)
    created = False

    def change(live: ox.Store) -> Delta:
        nonlocal created
        name = ox.NamedNode(graph)
        created = not live.contains_named_graph(name) and not any(live.quads_for_pattern(None, None, None, name))
        if replace:
            old = _graph_quads(live, graph)
            delta = Delta(added=new - old, removed=old - new, created={graph} if created else set())
        else:
            delta = Delta(added={q for q in new if q not in live})
        _apply(live, delta)
        if created and replace:
            live.add_graph(name)
        return delta

    result = _commit(store_dir, change, agent=agent, operation="Graph Store PUT" if replace else "Graph Store POST",
                     timeout=timeout)
    result.created = created
    return result


def replace_graph(store_dir: Path, graph: str, data: Graph | Iterable[ox.Triple], *, agent: str,
                  timeout: float = 30.0) -> WriteResult:
    """Graph Store PUT: ``graph`` holds exactly ``data`` afterwards."""
    return _graph_store_write(store_dir, graph, data, agent=agent, timeout=timeout, replace=True)


def add_to_graph(store_dir: Path, graph: str, data: Graph | Iterable[ox.Triple], *, agent: str,
                 timeout: float = 30.0) -> WriteResult:
    """Graph Store POST: ``data`` merged into ``graph``."""
    return _graph_store_write(store_dir, graph, data, agent=agent, timeout=timeout, replace=False)


def drop_graph(store_dir: Path, graph: str, *, agent: str, timeout: float = 30.0) -> WriteResult:
    """Graph Store DELETE: ``graph`` and its triples are gone; GraphNotFound if there is none."""
    _check_graph(graph)

    def change(live: ox.Store) -> Delta:
        name = ox.NamedNode(graph)
        if not live.contains_named_graph(name):
            raise GraphNotFound(f"there is no graph <{graph}>")
        delta = Delta(removed=_graph_quads(live, graph))
        _apply(live, delta)
        if graph != DATA_GRAPH:
            live.remove_graph(name)
        return delta

    return _commit(store_dir, change, agent=agent, operation="Graph Store DELETE", timeout=timeout)
