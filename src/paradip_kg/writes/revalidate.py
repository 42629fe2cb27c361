"""Validating what a change can affect against the shapes (or the whole graph when it reaches too far).

The affected nodes' context (:func:`paradip_kg.writes.context.validation_context`) is validated
for them alone; the look-back shapes (the duplicate-agreement rule,
:data:`paradip_kg.writes.context.LOOK_BACK_SHAPES`) run a second time with the other agreements
of the same parties added, and their results join the report. A report that does not conform
rejects the write (:mod:`paradip_kg.writes.commit`).

Two engines, the same answers (tests/test_writes_scale.py holds them equal):

- ``compiled`` (the default when the shapes compile, :attr:`paradip_kg.writes.schema.Schema.plan`):
  the context goes into an in-memory Oxigraph store and :mod:`paradip_kg.shacl.compiled` runs
  every shape on the affected nodes that are its targets, and on nothing else. The shapes were
  compiled once for the build, so a write pays for its own few nodes only (milliseconds);
- ``pyshacl``, the oracle: the context as an rdflib graph, every target in it validated and the
  report narrowed to the affected nodes afterwards (pyshacl's own focus option also skips the
  nested checks, sh:or and sh:node, of value nodes outside its list, literals included). It
  reads the shapes graph again on every run: a few hundred milliseconds a write.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from paradip_kg.errors import ChangeTooWide
from paradip_kg.rdf.terms import to_rdflib
from paradip_kg.shacl.compiled import Found, Run, blocking, report_graph, validate_store
from paradip_kg.shacl.compiled_data import DataGraph
from paradip_kg.shacl.compiled_shapes import Plan
from paradip_kg.shacl.engine import validate
from paradip_kg.shacl.jobs import Job, narrow
from paradip_kg.shacl.results import Report, copy_description, read_results
from paradip_kg.writes.affected import Affected
from paradip_kg.writes.context import LOOK_BACK_SHAPES, OxTriple, validation_context
from paradip_kg.writes.graphs import INFERRED_GRAPH, TBOX_GRAPHS, AssertedGraphs, Node, inferred_quads, rdflib_triple
from paradip_kg.writes.schema import Schema, schema_of

ENGINES = ("auto", "compiled", "pyshacl")


def revalidate(store: ox.Store, hit: Affected | None, extra_focus: set[Node], tbox_key: str,
               engine: str = "auto") -> tuple[Report, int]:
    """Validate the nodes a change can affect (or everything): the report, and the number of
    focus nodes (-1: the whole graph).

    ``engine``: ``compiled``, ``pyshacl``, or ``auto`` (compiled when the shapes compile).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; one of {', '.join(ENGINES)}")
    schema = schema_of(store, tbox_key)
    compiled = schema.plan if engine in ("auto", "compiled") else None
    if engine == "compiled" and compiled is None:
        raise ValueError("the shapes do not compile: only pyshacl can validate them")
    focus: set[Node] | None = None
    if hit is not None:
        try:
            # The objects of the change are judged only where their inferred types or shape-read
            # triples changed (extra_focus): a triple pointing at a node changes nothing the shapes
            # read about it otherwise (they use no inverse path).
            focus = hit.focus | hit.terms | {n for n in extra_focus if n not in schema.terms}
            data, around = validation_context(store, focus, schema.terms, schema.read, schema.tbox_triples,
                                              schema.reached)
        except ChangeTooWide:
            focus = None
    if focus is None:
        return _whole(store, schema, compiled), -1
    if compiled is not None:
        report = _compiled(compiled, schema.shapes, data, focus)
        if around:
            _merge_into(report, _compiled(compiled, schema.shapes, data | around, focus, LOOK_BACK_SHAPES),
                        schema.shapes)
        return report, len(focus)
    graph = _rdflib(data)
    report = validate(graph, schema.shapes, allow_warnings=True)
    job = Job(data=graph, shapes=schema.shapes, focus=[to_rdflib(n) for n in focus], allow_warnings=True)
    narrow(report, job)
    if around:
        looking_back = validate(graph + _rdflib(around), schema.shapes, allow_warnings=True,
                                shape_iris=list(LOOK_BACK_SHAPES))
        narrow(looking_back, job)
        _merge_into(report, looking_back, schema.shapes)
    return report, len(focus)


def _whole(store: ox.Store, schema: Schema, plan: Plan | None) -> Report:
    """The whole graph validated: asserted data, inferred triples and the T-box."""
    graphs = AssertedGraphs(store)
    if plan is not None:
        names = [*graphs.asserted, ox.NamedNode(INFERRED_GRAPH), *(ox.NamedNode(g) for g in TBOX_GRAPHS)]
        return validate_store(store, schema.shapes, names, allow_warnings=True, plan=plan)
    data = graphs.all()
    for quad in inferred_quads(store, None):
        data.add(rdflib_triple(quad))
    data += schema.full
    return validate(data, schema.shapes, allow_warnings=True)


def _rdflib(triples: Iterable[OxTriple]) -> Graph:
    graph = Graph()
    for s, p, o in triples:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def _compiled(plan: Plan, shapes: Graph, triples: Iterable[OxTriple], focus: set[Node],
              shape_iris: Iterable[URIRef] | None = None) -> Report:
    """The results of the compiled shapes about ``focus`` in the graph of ``triples``: each shape
    runs on the focus nodes among its targets only."""
    context = ox.Store()
    context.extend(ox.Quad(s, p, o) for s, p, o in triples)
    run = Run(plan, DataGraph(context))
    chosen = None if shape_iris is None else set(shape_iris)
    found: list[Found] = []
    for shape in plan.targeted:
        if chosen is not None and shape.node not in chosen:
            continue
        nodes = run.focus_nodes(shape) & focus
        if nodes:
            found += run.shape_results(shape, nodes)
    conforms = not blocking(found, allow_warnings=True)
    graph = report_graph(found, conforms)
    return Report(conforms=conforms, results=read_results(graph, shapes), graph=graph)


def _merge_into(report: Report, other: Report, shapes: Graph) -> None:
    """Add the results of ``other`` (a second run's report) to ``report``, each result once."""
    target = next(report.graph.subjects(SH.conforms, None))
    source = next(other.graph.subjects(SH.conforms, None))
    known = {(r.key, str(r.shape)) for r in report.results}
    nodes = list(other.graph.objects(source, SH.result))
    for result, found in zip(nodes, read_results(other.graph, shapes, nodes), strict=True):
        if (found.key, str(found.shape)) in known:
            continue
        report.graph.add((target, SH.result, result))
        described = Graph()
        copy_description(other.graph, result, described)
        report.graph += described
        report.results.append(found)
    report.conforms = not any(r.severity == "Violation" for r in report.results)
    report.graph.set((target, SH.conforms, Literal(report.conforms)))
