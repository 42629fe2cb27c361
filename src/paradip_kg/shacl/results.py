"""What a validation found: a :class:`Report` of :class:`Result` objects, read from the report graph.

:func:`read_results` reads each ``sh:result`` of a ``sh:ValidationReport`` graph (and, nested,
its ``sh:detail`` causes) with the shape's name and its message in every language the shapes
give, so the CLI and the web can speak es or en. The report graph stays the reference: narrowing
or explaining a report changes the graph and reads the results again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph
from rdflib.namespace import SH
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.shacl.messages import SEVERITY_ORDER, literal_texts, shape_messages, shape_names
from paradip_kg.shacl.terms import local_name

FAIL_ON = ("violation", "warning", "info")  # the least severe result that fails a run (``--fail-on``)
# How severe each severity is for FAIL_ON. A custom severity (SHACL 2.1.5 allows any IRI) cannot be
# ranked below a violation without saying so: it fails at every level.
SEVERITY_RANK = {"Violation": 0, "Warning": 1, "Info": 2}


def fail_on_of(fail_on: str | None, allow_warnings: bool = False) -> str:
    """The ``fail_on`` level a run uses: the one given, else ``violation`` with ``allow_warnings``,
    else ``warning`` (what the build requires)."""
    if fail_on is None:
        return "violation" if allow_warnings else "warning"
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    return fail_on


@dataclass
class Result:
    focus: Node
    path: Node | None
    value: Node | None
    severity: str
    component: str
    shape: Node | None
    messages: dict[str, str] = field(default_factory=dict)
    shape_names: dict[str, str] = field(default_factory=dict)
    shape_descriptions: dict[str, str] = field(default_factory=dict)
    details: list[Result] = field(default_factory=list)
    component_iri: Node | None = None

    def message(self, lang: str = "es") -> str:
        return i18n.pick_text(self.messages, lang)

    def shape_name(self, lang: str = "es") -> str:
        return i18n.pick_text(self.shape_names, lang) or local_name(self.shape)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """(focus, path, component, severity, value): how results are compared across engines."""
        return (str(self.focus), str(self.path or ""), self.component, self.severity, str(self.value or ""))


@dataclass
class Report:
    conforms: bool
    results: list[Result]
    graph: Graph

    def counts(self) -> dict[str, int]:
        """Results per severity: the three of SHACL always, custom ones by their local name."""
        counts = {"Violation": 0, "Warning": 0, "Info": 0}
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    @property
    def spec_conforms(self) -> bool:
        """``sh:conforms`` as SHACL defines it (3.6.1): true only when there is no result at all,
        whatever the severities (pyshacl judges by the focus shape's severity instead)."""
        return not self.results

    def fails(self, fail_on: str = "warning") -> bool:
        """True when a result at least as severe as ``fail_on`` (one of :data:`FAIL_ON`) is there;
        a custom severity fails at every level."""
        limit = FAIL_ON.index(fail_on_of(fail_on))
        return any(SEVERITY_RANK.get(r.severity, 0) <= limit for r in self.results)

    def blocking(self, allow_warnings: bool = False) -> bool:
        """True when the report should fail a build or a command (violations and custom
        severities always; warnings unless ``allow_warnings``)."""
        return self.fails("violation" if allow_warnings else "warning")

    def text(self, lang: str = "es", limit: int | None = None) -> str:
        """A plain-text report, one result per paragraph, worst first (for errors; the
        reports people read are drawn by :mod:`paradip_kg.shacl.render`)."""
        lines = []
        results = sorted(self.results, key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), str(r.shape), str(r.focus)))
        for r in results[:limit]:
            lines.append(f"[{r.severity}] {r.shape_name(lang)} ({local_name(r.shape)}, {r.component})")
            lines.append(f"  {i18n.text(('nodo', 'focus'), lang)}: {r.focus}")
            if r.path is not None:
                lines.append(f"  {i18n.text(('ruta', 'path'), lang)}: {r.path}")
            if r.value is not None:
                lines.append(f"  {i18n.text(('valor', 'value'), lang)}: {r.value}")
            lines.append(f"  {r.message(lang)}")
        if limit is not None and len(results) > limit:
            lines.append(f"... {len(results) - limit} more")
        c = self.counts()
        head = i18n.text(("Conforma", "Conforms") if self.conforms else ("No conforma", "Does not conform"), lang)
        lines.insert(0, f"{head}: " + ", ".join(f"{n} {s}" for s, n in c.items()))
        return "\n".join(lines)


def read_results(report: Graph, shapes: Graph, nodes: Iterable[Node] | None = None) -> list[Result]:
    """The ``sh:result`` (or ``sh:detail``) nodes of a report graph as :class:`Result` objects.

    Raises:
        ValueError: a result without its ``sh:focusNode`` (SHACL 3.6.2.1 requires exactly one).
    """
    if nodes is None:
        nodes = [r for report_node in report.subjects(SH.conforms, None)
                 for r in report.objects(report_node, SH.result)]
    results = []
    for node in nodes:
        focus = report.value(node, SH.focusNode)
        if focus is None:
            raise ValueError(f"the validation result {node} has no sh:focusNode")
        shape = report.value(node, SH.sourceShape)
        messages = literal_texts(report.objects(node, SH.resultMessage))
        if shape is not None:
            # pyshacl copies one message; the shapes may hold more languages.
            for key, text in shape_messages(shapes, shape).items():
                messages.setdefault(key, text)
        results.append(Result(
            focus=focus,
            path=report.value(node, SH.resultPath),
            value=report.value(node, SH.value),
            severity=local_name(report.value(node, SH.resultSeverity)),
            component=local_name(report.value(node, SH.sourceConstraintComponent)),
            shape=shape,
            messages=messages,
            shape_names=shape_names(shapes, shape),
            shape_descriptions=literal_texts(shapes.objects(shape, SH.description)) if shape is not None else {},
            details=read_results(report, shapes, list(report.objects(node, SH.detail))),
            component_iri=report.value(node, SH.sourceConstraintComponent),
        ))
    return results


def copy_description(source: Graph, node: Node, target: Graph) -> None:
    """Copy the triples about ``node`` and, recursively, about the blank nodes it points to
    (and the ``sh:detail`` results it nests)."""
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            if isinstance(o, BNode) or p == SH.detail:
                todo.append(o)


def drop_description(graph: Graph, node: Node) -> None:
    """Remove the triples about ``node`` and, recursively, about the blank nodes it points to
    (a result left out of a report takes its details and paths with it)."""
    described = Graph()
    copy_description(graph, node, described)
    for triple in described:
        graph.remove(triple)
