"""Validating what a change can affect against the shapes (or the whole graph when it reaches too far).

Every shape runs on the affected nodes' context (:func:`paradip_kg.writes.context.validation_context`)
and the report is narrowed to the affected nodes; the look-back shapes (the duplicate-agreement
rule, :data:`paradip_kg.writes.context.LOOK_BACK_SHAPES`) run a second time with the other
agreements of the same parties added, and their results join the report. A report that does
not conform rejects the write (:mod:`paradip_kg.writes.commit`).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import SH

from paradip_kg.errors import ChangeTooWide
from paradip_kg.rdf.terms import to_rdflib
from paradip_kg.shacl.engine import validate
from paradip_kg.shacl.jobs import Job, narrow
from paradip_kg.shacl.results import Report, copy_description, read_results
from paradip_kg.writes.affected import Affected
from paradip_kg.writes.context import LOOK_BACK_SHAPES, validation_context
from paradip_kg.writes.graphs import AssertedGraphs, Node, inferred_quads, rdflib_triple
from paradip_kg.writes.schema import schema_of


def revalidate(store: ox.Store, hit: Affected | None, extra_focus: set[Node], tbox_key: str) -> tuple[Report, int]:
    """Validate the nodes a change can affect (or everything): the report, and the number of
    focus nodes (-1: the whole graph).

    Every shape runs on the affected nodes' forward neighbourhood; the look-back shapes (the
    duplicate-agreement rule) run again with the other agreements of the same parties added.
    Every target in the context is validated and the results narrowed to the affected nodes
    afterwards: pyshacl's own focus option also skips the nested checks (sh:or, sh:node) of
    value nodes outside its list, literals included.
    """
    schema = schema_of(store, tbox_key)
    focus: set[Node] | None = None
    if hit is not None:
        try:
            # The objects of the change are judged only where their inferred types or shape-read
            # triples changed (extra_focus): a triple pointing at a node changes nothing the shapes
            # read about it otherwise (they use no inverse path).
            focus = hit.focus | hit.terms | {n for n in extra_focus if n not in schema.terms}
            data, around = validation_context(store, focus, schema.terms, schema.read, schema.full)
        except ChangeTooWide:
            focus = None
    if focus is None:
        data, around = AssertedGraphs(store).all(), Graph()
        for quad in inferred_quads(store, None):
            data.add(rdflib_triple(quad))
        data += schema.full
    report = validate(data, schema.shapes, allow_warnings=True)
    if focus is None:
        return report, -1
    job = Job(data=data, shapes=schema.shapes, focus=[to_rdflib(n) for n in focus], allow_warnings=True)
    narrow(report, job)
    if len(around):
        looking_back = validate(data + around, schema.shapes, allow_warnings=True, shape_iris=list(LOOK_BACK_SHAPES))
        narrow(looking_back, job)
        _merge_into(report, looking_back, schema.shapes)
    return report, len(focus)


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
