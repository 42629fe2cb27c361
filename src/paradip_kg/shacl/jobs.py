"""One validation run: the :class:`Job`, and :func:`execute`, which runs it wherever it is called.

    shapes ──meta-SHACL (uploaded shapes)──▶ checked shapes
    data + shapes ──engine.validate (pyshacl)──▶ report
    ──explain_logical──▶ the causes of sh:or / sh:xone failures nested as sh:detail
    ──narrow──▶ only the results about the chosen focus nodes and shapes

The CLI executes a job in its own process (:mod:`paradip_kg.shacl.local`); the web sends it to a
child process that can be stopped after ``validation_timeout`` seconds
(:mod:`paradip_kg.shacl.runner`), so a :class:`Job` and the report it gives cross by pickling.
Writes narrow the report of their own runs (:func:`narrow`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from paradip_kg.errors import InputError
from paradip_kg.shacl.engine import meta_validate, validate
from paradip_kg.shacl.inputs import for_meta_shacl, with_imported_prefixes
from paradip_kg.shacl.results import Report, copy_description, drop_description, read_results

# rdflib logs a traceback for every literal whose lexical form does not fit its datatype; for a
# validator such literals are expected input, and sh:datatype reports them.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

INFERENCE = ("none", "rdfs", "owlrl")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
LOGICAL = {SH.OrConstraintComponent: SH["or"], SH.XoneConstraintComponent: SH.xone}


@dataclass
class Job:
    """Everything one validation run needs; it crosses to the child process by pickling."""

    data: Graph
    shapes: Graph
    inference: str = "none"
    focus: Sequence[Node] | None = None  # IRIs, or blank nodes of the data (writes narrow to those too)
    shape_iris: list[URIRef] | None = None
    allow_warnings: bool = False
    meta: bool = True
    follow_imports: bool = False

    # A pickled rdflib literal is rebuilt from its lexical form, and rdflib keeps no lexical form of
    # an ill-typed literal but a normalised one ("none"^^xsd:boolean is read as "false", flagged
    # ill-typed): the flag would be lost on the way to the child, and sh:datatype would pass there.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_ill_typed"] = {name: [t for t in graph if isinstance(t[2], Literal) and t[2].ill_typed]
                               for name, graph in (("data", self.data), ("shapes", self.shapes))}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        ill_typed = state.pop("_ill_typed", {})
        self.__dict__.update(state)
        for name, triples in ill_typed.items():
            graph: Graph = getattr(self, name)
            for s, p, o in triples:
                flagged = Literal(str(o), lang=o.language, datatype=o.datatype)
                flagged._ill_typed = True  # rdflib's own flag, which pyshacl's sh:datatype reads
                graph.remove((s, p, o))
                graph.add((s, p, flagged))


def execute(job: Job) -> Report:
    """Check the shapes, validate, and explain sh:or / sh:xone failures (runs wherever it is called).

    Raises:
        InputError: the shapes are not valid SHACL (with the meta-SHACL report).
    """
    if job.meta:
        meta = meta_validate(for_meta_shacl(job.shapes))
        if not meta.conforms:
            raise InputError("the shapes are not valid SHACL:\n" + meta.text("en", limit=20))
    kwargs: dict[str, Any] = dict(inference=job.inference, allow_warnings=job.allow_warnings,
                                  do_owl_imports=job.follow_imports)
    try:
        report = validate(job.data, with_imported_prefixes(job.shapes), **kwargs)
    except NotImplementedError as exc:  # pyshacl lacks a feature the shapes use ($shapesGraph): not our crash
        raise InputError(f"the shapes cannot be used: pySHACL does not support what they use ({exc})") from None
    except re.error as exc:  # an sh:pattern (or sh:flags) that is no regular expression: the shapes' fault
        raise InputError(f"the shapes cannot be used: an sh:pattern is not a valid regular expression "
                         f"({exc}; pattern {exc.pattern!r})") from None
    except Exception as exc:  # pyshacl refuses some shapes only at run time (e.g. an unknown sh:node)
        from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

        if isinstance(exc, (ReportableRuntimeError, ShapeLoadError, ConstraintLoadError)):
            raise InputError(f"the shapes cannot be used: {getattr(exc, 'message', exc)}") from None
        raise
    explain_logical(report, job)
    if job.focus or job.shape_iris:
        narrow(report, job)
    return report


def narrow(report: Report, job: Job) -> None:
    """Keep the results about ``job.focus`` nodes and from ``job.shape_iris`` (or their property shapes).

    pySHACL's own ``focus_nodes`` also filters the value nodes that nested shapes (sh:node) check,
    and its ``use_shapes`` skips the property shapes of a chosen node shape, so both lose results;
    the whole graph is validated and the report narrowed instead.
    """
    graph = report.graph
    focus, chosen = set(job.focus or ()), set(job.shape_iris or ())

    def owners(shape: Node | None) -> set[Node]:
        found: set[Node] = set()
        while shape is not None and shape not in found:
            found.add(shape)
            parents = sorted(job.shapes.subjects(SH.property, shape), key=str)
            shape = parents[0] if parents else None
        return found

    for node in list(graph.subjects(SH.conforms, None)):
        blocking = False
        for result in list(graph.objects(node, SH.result)):
            keep = (not focus or graph.value(result, SH.focusNode) in focus) and \
                (not chosen or bool(owners(graph.value(result, SH.sourceShape)) & chosen))
            if keep:
                severity = graph.value(result, SH.resultSeverity)
                blocking |= severity == SH.Violation or (severity == SH.Warning and not job.allow_warnings)
            else:
                graph.remove((node, SH.result, result))
                drop_description(graph, result)
        graph.set((node, SH.conforms, Literal(not blocking)))
        report.conforms = not blocking
    report.results = read_results(graph, job.shapes)


def explain_logical(report: Report, job: Job) -> None:
    """Add the reason each member shape failed under every sh:or / sh:xone result, as sh:detail.

    pySHACL nests causes for sh:node only. For sh:or and sh:xone we validate each value node
    against each member shape again (a copy of the shapes graph without targets, the members
    targeting the value nodes) and nest those results under the logical result.
    """
    graph = report.graph
    logical = []
    for component in LOGICAL:
        for r in graph.subjects(SH.sourceConstraintComponent, component):
            shape = graph.value(r, SH.sourceShape)
            value = graph.value(r, SH.value)  # none for a node shape's own sh:or: then the focus node
            value = graph.value(r, SH.focusNode) if value is None else value
            if shape is not None and value is not None:
                logical.append((r, shape, value))
    if not logical:
        return
    probe = Graph()
    for triple in job.shapes:
        if triple[1] in TARGETS or (triple[1] == RDF.type and triple[2] in (RDFS.Class, OWL.Class)):
            continue
        probe.add(triple)
    members_of: dict[Node, list[Node]] = {}
    for r, shape, value in logical:
        members: list[Node] = []
        for prop in LOGICAL.values():
            for head in job.shapes.objects(shape, prop):
                members += list(job.shapes.items(head))
        members_of[r] = members
        for member in members:
            probe.add((member, SH.targetNode, value))
    try:
        causes = validate(job.data, probe, inference=job.inference, allow_warnings=True)
    except Exception:  # explaining is a courtesy; the main report stands on its own
        return
    all_members = {m for ms in members_of.values() for m in ms}
    found: dict[tuple[Node, Node], list[Node]] = {}
    for node in causes.graph.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in causes.graph:
            continue
        source, focus = causes.graph.value(node, SH.sourceShape), causes.graph.value(node, SH.focusNode)
        owner = source if source in all_members else job.shapes.value(None, SH.property, source)
        if owner is not None and focus is not None:
            found.setdefault((owner, focus), []).append(node)
    for r, _shape, value in logical:
        for member in members_of[r]:
            for node in found.get((member, value), []):
                copy_description(causes.graph, node, graph)
                graph.add((r, SH.detail, node))
    report.results = read_results(graph, job.shapes)


__all__ = ["INFERENCE", "Job", "execute", "narrow", "explain_logical"]
