"""SHACL validation with pyshacl, and a report people can act on.

:func:`validate` runs pyshacl and turns its ``sh:ValidationReport`` graph into a
:class:`Report`: one :class:`Result` per ``sh:result``, with the shape's name and the
message in each language the shapes give, so the CLI and the web can speak es or en.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def _local(term: Node | None) -> str:
    if term is None:
        return ""
    text = str(term)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


def _by_lang(literals: Iterable[Node]) -> dict[str, str]:
    out: dict[str, str] = {}
    for lit in literals:
        if isinstance(lit, Literal):
            out.setdefault(lit.language or "", str(lit))
    return out


def pick(texts: dict[str, str], lang: str) -> str:
    """The text in ``lang``, else Spanish, else English, else any."""
    for key in (lang, "es", "en", ""):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


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
    details: list["Result"] = field(default_factory=list)

    def message(self, lang: str = "es") -> str:
        return pick(self.messages, lang)

    def shape_name(self, lang: str = "es") -> str:
        return pick(self.shape_names, lang) or _local(self.shape)

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
        counts = {"Violation": 0, "Warning": 0, "Info": 0}
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    def blocking(self, allow_warnings: bool = False) -> bool:
        """True when the report should fail a build or a command."""
        counts = self.counts()
        return counts["Violation"] > 0 or (not allow_warnings and counts["Warning"] > 0)

    def text(self, lang: str = "es", limit: int | None = None) -> str:
        """A plain-text report, one result per paragraph, worst first."""
        lines = []
        results = sorted(self.results, key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), str(r.shape), str(r.focus)))
        for r in results[:limit]:
            lines.append(f"[{r.severity}] {r.shape_name(lang)} ({_local(r.shape)}, {r.component})")
            lines.append(f"  {'nodo' if lang == 'es' else 'focus'}: {r.focus}")
            if r.path is not None:
                lines.append(f"  {'ruta' if lang == 'es' else 'path'}: {r.path}")
            if r.value is not None:
                lines.append(f"  {'valor' if lang == 'es' else 'value'}: {r.value}")
            lines.append(f"  {r.message(lang)}")
        if limit is not None and len(results) > limit:
            lines.append(f"... {len(results) - limit} more")
        c = self.counts()
        head = "Conforma" if lang == "es" and self.conforms else "No conforma" if lang == "es" else \
            "Conforms" if self.conforms else "Does not conform"
        lines.insert(0, f"{head}: {c['Violation']} Violation, {c['Warning']} Warning, {c['Info']} Info")
        return "\n".join(lines)


def read_results(report: Graph, shapes: Graph, nodes: Iterable[Node] | None = None) -> list[Result]:
    """The ``sh:result`` (or ``sh:detail``) nodes of a report graph as :class:`Result` objects."""
    if nodes is None:
        nodes = [r for report_node in report.subjects(SH.conforms, None) for r in report.objects(report_node, SH.result)]
    results = []
    for node in nodes:
        shape = report.value(node, SH.sourceShape)
        messages = _by_lang(report.objects(node, SH.resultMessage))
        if shape is not None:
            # pyshacl copies one message; the shapes may hold more languages.
            for key, text in _by_lang(shapes.objects(shape, SH.message)).items():
                messages.setdefault(key, text)
            constraint = None
            for c in shapes.objects(shape, SH.sparql):
                constraint = c
            if constraint is not None:
                for key, text in _by_lang(shapes.objects(constraint, SH.message)).items():
                    messages.setdefault(key, text)
        results.append(Result(
            focus=report.value(node, SH.focusNode),
            path=report.value(node, SH.resultPath),
            value=report.value(node, SH.value),
            severity=_local(report.value(node, SH.resultSeverity)),
            component=_local(report.value(node, SH.sourceConstraintComponent)),
            shape=shape,
            messages=messages,
            shape_names=_by_lang(shapes.objects(shape, SH.name)) if shape is not None else {},
            shape_descriptions=_by_lang(shapes.objects(shape, SH.description)) if shape is not None else {},
            details=read_results(report, shapes, list(report.objects(node, SH.detail))),
        ))
    return results


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None, inference: str = "none",
             focus_nodes: list[URIRef] | None = None, shape_iris: list[URIRef] | None = None,
             allow_warnings: bool = False) -> Report:
    """Validate ``data`` against ``shapes`` with pyshacl.

    Args:
        data: the graph to check (pyshacl works on a copy when inference is on).
        shapes: the SHACL shapes graph.
        ontology: mixed into the data before inference (``ont_graph``).
        inference: ``none``, ``rdfs`` or ``owlrl``.
        focus_nodes, shape_iris: narrow the run to these nodes or shapes.
        allow_warnings: warnings and infos do not break conformance.
    """
    import pyshacl

    conforms, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology,
        inference=None if inference == "none" else inference,
        advanced=True, allow_warnings=allow_warnings, allow_infos=True,
        focus_nodes=focus_nodes, use_shapes=shape_iris, meta_shacl=False, iterate_rules=False,
    )
    return Report(conforms=bool(conforms), results=read_results(report_graph, shapes), graph=report_graph)


def meta_validate(shapes: Graph) -> Report:
    """Check a shapes graph against the SHACL-for-SHACL shapes that pyshacl ships."""
    from pyshacl.entrypoints import meta_validate as _meta

    conforms, report_graph, _ = _meta(shapes)
    return Report(conforms=bool(conforms), results=read_results(report_graph, Graph()), graph=report_graph)


__all__ = ["Report", "Result", "validate", "meta_validate", "pick"]
