"""SHACL validation with pyshacl, and a report people can act on.

:func:`validate` runs pyshacl and turns its ``sh:ValidationReport`` graph into a
:class:`Report`: one :class:`Result` per ``sh:result``, with the shape's name and the
message in each language the shapes give, so the CLI and the web can speak es or en.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from paradip_kg.errors import ShapesError

SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


# Lexical forms of the XSD Gregorian datatypes (XML Schema 1.1 Part 2, 3.3.11-3.3.15). rdflib has
# no converter for them, so pySHACL's sh:datatype accepted any text ("22"^^xsd:gYear); owlrl
# registers stricter ones (which also reject time zones) as a side effect of inference, so the
# verdict depended on what ran before in the process. One definition instead, applied at import
# (literals are checked when they are created) and again before each validation.
_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
GREGORIAN = {
    XSD.gYear: _YEAR + _ZONE,
    XSD.gYearMonth: _YEAR + r"-(0[1-9]|1[0-2])" + _ZONE,
    XSD.gMonth: r"--(0[1-9]|1[0-2])" + _ZONE,
    XSD.gDay: r"---(0[1-9]|[12][0-9]|3[01])" + _ZONE,
    XSD.gMonthDay: r"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _ZONE,
}


def _lexical_check(datatype: URIRef, pattern: str) -> Any:
    compiled = re.compile(f"^{pattern}$")

    def check(text: str) -> str:
        if not compiled.match(text):
            raise ValueError(f"{text!r} is not a valid {datatype}")
        return text

    return check


_GREGORIAN_CHECKS = {datatype: _lexical_check(datatype, pattern) for datatype, pattern in GREGORIAN.items()}


def check_gregorian_literals() -> None:
    """Make rdflib flag ill-formed xsd:gYear, gYearMonth, gMonth, gDay and gMonthDay literals."""
    from rdflib.term import _toPythonMapping

    _toPythonMapping.update(_GREGORIAN_CHECKS)


check_gregorian_literals()


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
    details: list[Result] = field(default_factory=list)
    component_iri: Node | None = None

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
            component_iri=report.value(node, SH.sourceConstraintComponent),
        ))
    return results


@lru_cache(maxsize=512)
def _translated_query(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces))


def _use_prepared_queries() -> None:
    """Make rdflib translate each SPARQL text once per process, not once per call.

    pyshacl runs a SHACL-SPARQL constraint by handing rdflib the same query text once per focus
    node, and rdflib parses it every time (pyparsing, about 0.25 s a query): on the bundled graph
    that was nine tenths of the validation time. This registers, under rdflib's plugin name
    ``sparql``, a processor that keeps the translated algebra of recent texts; the algebra of a
    prepared query is meant to be evaluated again with other initial bindings.
    """
    from rdflib import plugin
    from rdflib.query import Processor

    plugin.register("sparql", Processor, "paradip_kg.shacl.engine", "PreparingSPARQLProcessor")


def _make_processor() -> type:
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    class PreparingSPARQLProcessor(SPARQLProcessor):
        """rdflib's SPARQL processor with the translations of query texts cached."""

        def query(self, strOrQuery: Any, initBindings: Any = None, initNs: Any = None, base: str | None = None,  # noqa: N803
                  DEBUG: bool = False) -> Any:  # noqa: N803
            if isinstance(strOrQuery, str):
                namespaces = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
                strOrQuery = _translated_query(strOrQuery, base, namespaces)
            return super().query(strOrQuery, initBindings, initNs, base, DEBUG)

    return PreparingSPARQLProcessor


PreparingSPARQLProcessor = _make_processor()


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None, inference: str = "none",
             focus_nodes: list[URIRef] | None = None, shape_iris: list[URIRef] | None = None,
             allow_warnings: bool = False, do_owl_imports: bool = False) -> Report:
    """Validate ``data`` against ``shapes`` with pyshacl.

    Args:
        data: the graph to check (pyshacl works on a copy when inference is on).
        shapes: the SHACL shapes graph.
        ontology: mixed into the data before inference (``ont_graph``).
        inference: ``none``, ``rdfs`` or ``owlrl``.
        focus_nodes, shape_iris: narrow the run to these nodes or shapes.
        allow_warnings: warnings and infos do not break conformance.
        do_owl_imports: let pyshacl fetch what the shapes ``owl:imports`` (never the data's).
    """
    import pyshacl

    _use_prepared_queries()
    check_gregorian_literals()
    # pyshacl adds to the shapes graph it is given (e.g. owl:Class rdfs:subClassOf rdfs:Class):
    # give it a copy, so that what the build stores is what shapes/ says.
    shapes_copy = Graph()
    for prefix, namespace in shapes.namespaces():
        shapes_copy.bind(prefix, namespace)
    for triple in shapes:
        shapes_copy.add(triple)
    conforms, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes_copy, ont_graph=ontology,
        inference=None if inference == "none" else inference,
        advanced=True, allow_warnings=allow_warnings, allow_infos=True,
        focus_nodes=focus_nodes, use_shapes=shape_iris, meta_shacl=False, iterate_rules=False,
        do_owl_imports=do_owl_imports,
    )
    if not isinstance(report_graph, Graph):  # a pyshacl ValidationFailure: the shapes cannot be run
        raise ShapesError(f"the shapes cannot be used: {getattr(report_graph, 'message', report_graph)}")
    return Report(conforms=bool(conforms), results=read_results(report_graph, shapes), graph=report_graph)


def meta_validate(shapes: Graph) -> Report:
    """Check a shapes graph against the SHACL-for-SHACL shapes that pyshacl ships."""
    from pyshacl.entrypoints import meta_validate as _meta

    conforms, report_graph, _ = _meta(shapes)
    return Report(conforms=bool(conforms), results=read_results(report_graph, Graph()), graph=report_graph)


__all__ = ["Report", "Result", "ShapesError", "validate", "meta_validate", "pick"]
