"""A validation report as people read it: the :class:`ReportView` every rendering is drawn from.

:func:`build_view` turns a :class:`~paradip_kg.shacl.results.Report` into a :class:`ReportView`:
the verdict with counts per severity, one row per rule (shape, path, constraint) with its count
and first examples, the results grouped by focus node with labels, and every message, shape name
and description in the reader's language (:mod:`paradip_kg.shacl.messages`). The renderings are
in :mod:`paradip_kg.shacl.render`; the HTML report of the web service renders the same view with
a template.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, NamespaceManager
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.shacl.messages import (
    SEVERITIES,
    SEVERITY_ORDER,
    curated_message,
    label_of,
    shape_description,
    shape_names,
    shape_ref,
    technical_text,
    texts,
)
from paradip_kg.shacl.results import Report, Result, fail_on_of
from paradip_kg.shacl.terms import (
    constraint_label,
    named_shape,
    namespace_manager,
    path_text,
    term_id,
    term_json,
    term_text,
)

EXAMPLES_PER_RULE = 3


@dataclass
class ResultView:
    """One result as the reader sees it."""

    severity: str
    severity_label: str
    focus: Node
    focus_text: str
    focus_label: str
    path: Node | None
    path_text: str
    value: Node | None
    value_text: str
    message: str
    technical: str
    shape: Node | None
    shape_text: str
    shape_name: str
    rule_key: tuple[str, str, str, str]
    component: str
    component_iri: str
    description: str
    details: list[ResultView] = field(default_factory=list)

    @property
    def constraint(self) -> str:
        return constraint_label(self.component_iri)

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "focus": term_id(self.focus), "focus_label": self.focus_label or None,
            "path": self.path_text or None, "value": term_json(self.value), "message": self.message,
            "technical_message": self.technical or None, "shape": term_id(self.shape), "shape_name": self.shape_name,
            "component": self.component_iri, "description": self.description or None,
            "details": [d.as_json() for d in self.details],
        }


@dataclass
class RuleView:
    """One rule (source shape, path, constraint component, severity) and the results it raised."""

    key: tuple[str, str, str, str]
    severity: str
    severity_label: str
    shape: Node | None
    shape_text: str
    name: str
    parent_text: str
    parent_name: str
    path_text: str
    component: str
    component_iri: str
    description: str
    message: str
    results: list[ResultView] = field(default_factory=list)

    @property
    def constraint(self) -> str:
        return constraint_label(self.component_iri)

    @property
    def count(self) -> int:
        return len(self.results)

    @property
    def examples(self) -> list[ResultView]:
        return self.results[:EXAMPLES_PER_RULE]

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "shape": term_id(self.shape), "shape_name": self.name,
            "node_shape": self.parent_text or None, "path": self.path_text or None, "component": self.component_iri,
            "description": self.description or None, "message": self.message, "count": self.count,
            "examples": [term_id(r.focus) for r in self.examples],
        }


@dataclass
class FocusGroup:
    """Every result about one focus node."""

    focus: Node
    focus_text: str
    label: str
    types: list[str]
    results: list[ResultView]

    @property
    def severity(self) -> str:
        return min((r.severity for r in self.results), key=lambda s: SEVERITY_ORDER.get(s, 9))

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for r in self.results if r.severity == s) for s in SEVERITIES}


@dataclass
class ReportView:
    """A report ready to render: verdict, counts, rules, groups, all in one language."""

    report: Report
    lang: str
    conforms: bool  # sh:conforms as SHACL defines it: no result at all
    verdict: str
    counts: dict[str, int]
    results: list[ResultView]
    rules: list[RuleView]
    groups: list[FocusGroup]
    options: dict[str, Any]
    notices: list[str]
    nsm: NamespaceManager

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def words(self) -> dict[str, str]:
        return texts(self.lang)

    def verdict_text(self) -> str:
        t = self.words
        counts = ", ".join(f"{self.counts[s]} {t[s + '_plural'] if self.counts[s] != 1 else t[s].lower()}"
                           for s in SEVERITIES)
        custom = "".join(f", {n} {s}" for s, n in self.counts.items() if s not in SEVERITIES)  # by its local name
        return f"{t[self.verdict]}: {counts}{custom}"

    @property
    def passes(self) -> bool:
        """Whether the run passes at its ``fail_on`` level (the CLI's exit code 0)."""
        return self.verdict != "failure"


def verdict_of(report: Report, allow_warnings: bool, fail_on: str | None = None) -> str:
    """``failure`` (a result at the ``fail_on`` level or above), ``warning`` (tolerated warnings)
    or ``success`` (nothing, or only tolerated infos)."""
    if report.fails(fail_on_of(fail_on, allow_warnings)):
        return "failure"
    return "warning" if report.counts()["Warning"] else "success"


def _sort_key(r: ResultView) -> tuple[Any, ...]:
    return (SEVERITY_ORDER.get(r.severity, 9), r.focus_text, r.path_text, r.component, r.value_text, r.shape_text)


def build_view(report: Report, shapes: Graph, data: Graph | None = None, lang: str = "es",
               options: dict[str, Any] | None = None, notices: Iterable[str] = ()) -> ReportView:
    """Everything a rendering needs, in ``lang``.

    Args:
        report: the validation report.
        shapes: the shapes graph the data was validated against (names, descriptions, parameters).
        data: the data graph, for the labels and types of focus nodes.
        lang: ``es`` or ``en``.
        options: how the validation ran (engine, inference, allow_warnings…), echoed in the summary.
        notices: sentences for the reader about the run (e.g. owl:imports not followed).
    """
    options = dict(options or {})
    t = texts(lang)
    nsm = namespace_manager(shapes, data) if data is not None else namespace_manager(shapes)
    rules: dict[tuple[str, str, str, str], RuleView] = {}

    def view(result: Result) -> ResultView:
        curated, engine = curated_message(result.messages, lang)
        explained = technical_text(result.component, result.shape, shapes, nsm, lang)
        if curated:
            message = curated
            technical = " · ".join(x for x in (explained, engine if engine != curated else "") if x)
        else:
            message = explained or engine
            technical = engine if explained else ""
        p_text = path_text(result.path, report.graph if (result.path, None, None) in report.graph else shapes, nsm) \
            if result.path is not None else ""
        key = (term_id(result.shape) or "", p_text, str(result.component_iri or result.component), result.severity)
        return ResultView(
            severity=result.severity, severity_label=t.get(result.severity, result.severity),
            focus=result.focus, focus_text=term_text(result.focus, nsm), focus_label=label_of(result.focus, data, lang),
            path=result.path, path_text=p_text, value=result.value, value_text=term_text(result.value, nsm),
            message=message, technical=technical, shape=result.shape,
            shape_text=(term_text(result.shape, nsm) if isinstance(result.shape, URIRef)
                        else shape_ref(result.shape, shapes, nsm, lang) if result.shape is not None else ""),
            shape_name=result.shape_name(lang) if result.shape_names or isinstance(result.shape, URIRef) else "",
            rule_key=key, component=result.component, component_iri=str(result.component_iri or result.component),
            description=shape_description(shapes, result.shape, lang),
            details=sorted((view(d) for d in result.details), key=_sort_key),
        )

    results = sorted((view(r) for r in report.results), key=_sort_key)
    for r in results:
        rule = rules.get(r.rule_key)
        if rule is None:
            parent = named_shape(r.shape, shapes)
            parent_names = shape_names(shapes, parent)
            rule = rules[r.rule_key] = RuleView(
                key=r.rule_key, severity=r.severity, severity_label=r.severity_label, shape=r.shape,
                shape_text=r.shape_text, name=r.shape_name or i18n.pick_text(parent_names, lang),
                parent_text=term_text(parent, nsm) if isinstance(parent, URIRef) and parent != r.shape else "",
                parent_name=i18n.pick_text(parent_names, lang) if parent != r.shape else "",
                path_text=r.path_text, component=r.component, component_iri=r.component_iri,
                description=r.description, message=r.message)
        rule.results.append(r)
    rule_list = sorted(rules.values(), key=lambda x: (SEVERITY_ORDER.get(x.severity, 9), -x.count,
                                                      x.parent_text or x.shape_text, x.path_text, x.component))

    by_focus: dict[Node, list[ResultView]] = {}
    for r in results:
        by_focus.setdefault(r.focus, []).append(r)
    def types(focus: Node) -> list[str]:
        return sorted(term_text(c, nsm) for c in data.objects(focus, RDF.type)) if data is not None else []

    groups = [FocusGroup(focus=focus, focus_text=items[0].focus_text, label=items[0].focus_label, types=types(focus),
                         results=items) for focus, items in by_focus.items()]
    groups.sort(key=lambda g: (SEVERITY_ORDER.get(g.severity, 9), -len(g.results), g.focus_text))

    fail_on = fail_on_of(options.get("fail_on"), bool(options.get("allow_warnings", False)))
    options["fail_on"] = fail_on
    # Every output says sh:conforms as SHACL defines it, from the results (pyshacl's own verdict can
    # be true beside a sh:Violation, when the node shape's severity is sh:Info).
    for node in list(report.graph.subjects(SH.conforms, None)):
        report.graph.set((node, SH.conforms, Literal(report.spec_conforms)))
    return ReportView(report=report, lang=lang, conforms=report.spec_conforms,
                      verdict=verdict_of(report, False, fail_on), counts=report.counts(), results=results,
                      rules=rule_list, groups=groups, options=options,
                      notices=list(notices), nsm=nsm)


__all__ = ["ReportView", "ResultView", "RuleView", "FocusGroup", "build_view", "verdict_of", "EXAMPLES_PER_RULE"]
