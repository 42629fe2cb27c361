"""Validation that scales: every constraint of the shapes run over the whole data graph at once.

pyshacl (:mod:`paradip_kg.shacl.engine`) walks focus node by focus node and runs each SHACL-SPARQL
query once per focus node on rdflib: about 1,000 triples a second, 516 s for a 30k-triple world.
Here the data graph is a pyoxigraph store (:class:`~paradip_kg.shacl.compiled_data.DataGraph`)
and each shape × constraint is evaluated once for all its focus nodes: the values of a path are
read for the whole graph in one pass over Oxigraph's index, and each SHACL-SPARQL constraint is one
whole-graph query (:mod:`paradip_kg.shacl.compiled_sparql`). The result is the same
:class:`~paradip_kg.shacl.results.Report` pyshacl gives (its report graph is written the way
pyshacl writes it, and read back by :func:`~paradip_kg.shacl.results.read_results`), so the CLI and
the web render it unchanged.

The shapes are compiled first (:mod:`paradip_kg.shacl.compiled_shapes`); a shapes graph that uses
something this engine does not implement is validated by pyshacl instead, never half-checked.
Oracle: pyshacl, in tests/test_shacl_compiled.py. Where they differ by design (SHACL's comparison
semantics for sh:minInclusive; SPARQL's in the SHACL-SPARQL queries) the test says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from paradip_kg.rdf.terms import to_oxigraph, to_rdflib
from paradip_kg.shacl.compiled_data import DataGraph, Graphs, Term, has_datatype, well_formed
from paradip_kg.shacl.compiled_shapes import COMPONENTS, Plan, Shape, compile_shapes
from paradip_kg.shacl.compiled_sparql import run_sparql
from paradip_kg.shacl.results import Report, read_results

# The parameters, named once: rdflib's Namespace attribute lookup is slow in a loop.
CLASS, DATATYPE, NODE_KIND, PATTERN, LANGUAGE_IN = SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.languageIn
MIN_COUNT, MAX_COUNT, HAS_VALUE, UNIQUE_LANG = SH.minCount, SH.maxCount, SH.hasValue, SH.uniqueLang
QUALIFIED_MIN_COUNT, MIN_INCLUSIVE = SH.qualifiedMinCount, SH.minInclusive
NODE, OR, SPARQL = SH.node, SH["or"], SH.sparql
NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (ox.NamedNode,), SH.Literal: (ox.Literal,), SH.BlankNode: (ox.BlankNode,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode), SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal)}
NUMERIC = {str(XSD[name]) for name in (
    "integer", "decimal", "float", "double", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte")}


@dataclass
class Found:
    """One validation result before it is written into the report graph."""

    focus: Term
    shape: Shape
    component: str
    path: ox.NamedNode | None = None
    value: Term | None = None
    details: list[Found] = field(default_factory=list)
    constraint: Any = None  # the sh:SPARQLConstraint node of a SHACL-SPARQL result


class Run:
    """One validation of a :class:`DataGraph` against a compiled :class:`Plan`."""

    def __init__(self, plan: Plan, data: DataGraph, hand_plans: bool = True) -> None:
        self.plan = plan
        self.data = data
        self.hand_plans = hand_plans  # False: every SHACL-SPARQL query as written (for the tests)
        self._nested: dict[tuple[Any, Term], list[Found]] = {}
        self._tests: dict[tuple[int, Node, int], Callable[[Term], bool]] = {}
        self._simple: dict[int, list[Callable[[Term], bool]] | None] = {}

    def focus_nodes(self, shape: Shape) -> set[Term]:
        """SHACL 2.1.3: the union of the shape's targets in the data graph."""
        nodes: set[Term] = {to_oxigraph(n) for n in shape.target_nodes}
        for cls in shape.target_classes:
            nodes |= self.data.instances(ox.NamedNode(str(cls)))
        for predicate in shape.target_subjects_of:
            nodes |= self.data.subjects_of(ox.NamedNode(str(predicate)))
        for predicate in shape.target_objects_of:
            nodes |= self.data.objects_of(ox.NamedNode(str(predicate)))
        return nodes

    def validate(self) -> list[Found]:
        found: list[Found] = []
        for shape in self.plan.targeted:
            focus = self.focus_nodes(shape)
            found += self.shape_results(shape, focus)
        return found

    def shape_results(self, shape: Shape, focus: Iterable[Term]) -> list[Found]:
        """Every result of ``shape`` (and its property shapes) on the focus nodes ``focus``."""
        if shape.deactivated:
            return []
        if shape.path is not None:
            return self.property_results(shape, focus)
        focus = set(focus)
        out: list[Found] = []
        for parameter, argument in shape.constraints:
            if parameter == SPARQL:
                out += [Found(focus=this, shape=shape, component="SPARQLConstraintComponent", path=path,
                              value=value, constraint=argument.node)
                        for this, path, value in run_sparql(self.data, argument, shape, focus, self.hand_plans)]
            else:
                out += self.value_results(shape, parameter, argument, ((node, node) for node in focus), None)
        for prop in shape.properties:
            out += self.property_results(prop, focus)
        return out

    def property_results(self, shape: Shape, focus: Iterable[Term]) -> list[Found]:
        """The results of a property shape: count constraints per focus node, the rest per value.

        Each constraint is one loop over the focus nodes (or their values), its test chosen once:
        that loop is the whole cost of a constraint on a large graph."""
        if shape.deactivated:
            return []
        assert shape.path is not None
        path = ox.NamedNode(str(shape.path))
        table = self.data.values(path)
        focus = list(focus)
        empty: list[Term] = []
        out: list[Found] = []
        for parameter, argument in shape.constraints:
            component = COMPONENTS[parameter]
            if parameter == MIN_COUNT:
                least = int(argument)
                out += [Found(n, shape, component, path) for n in focus if len(table.get(n, empty)) < least]
            elif parameter == MAX_COUNT:
                most = int(argument)
                out += [Found(n, shape, component, path) for n in focus if len(table.get(n, empty)) > most]
            elif parameter == HAS_VALUE:
                wanted = to_oxigraph(argument)
                out += [Found(n, shape, component, path) for n in focus if wanted not in table.get(n, empty)]
            elif parameter == QUALIFIED_MIN_COUNT:
                count, qualified = argument
                out += [Found(n, shape, component, path) for n in focus
                        if sum(1 for v in table.get(n, empty) if self.conforms(qualified, v)) < count]
            elif parameter == UNIQUE_LANG:
                if _true(argument):
                    out += [Found(n, shape, component, path) for n in focus
                            for _ in _repeated_languages(table.get(n, empty))]
            else:
                pairs = ((n, v) for n in focus for v in table.get(n, empty))
                out += self.value_results(shape, parameter, argument, pairs, path)
        for prop in shape.properties:  # a property shape's own sh:property: SHACL 2.3.1, on its values
            for node in focus:
                out += self.property_results(prop, table.get(node, empty))
        return out

    def value_results(self, shape: Shape, parameter: Node, argument: Any, pairs: Iterable[tuple[Term, Term]],
                      path: ox.NamedNode | None) -> list[Found]:
        """The results of a constraint that looks at one value node at a time, over (focus, value) pairs."""
        component = COMPONENTS[parameter]
        if parameter == NODE:
            out = []
            for focus, value in pairs:
                nested = self.nested(argument, value)
                if nested:
                    out.append(Found(focus, shape, component, path, value, details=nested))
            return out
        key = (id(shape), parameter, id(argument))  # the plan's objects live as long as the run
        ok = self._tests.get(key)
        if ok is None:
            ok = self._tests[key] = self.value_test(parameter, argument, shape.flags)
        return [Found(focus, shape, component, path, value) for focus, value in pairs if not ok(value)]

    def value_test(self, parameter: Node, argument: Any, flags: str) -> Callable[[Term], bool]:
        """Whether a value node satisfies one constraint (sh:or, sh:class, sh:datatype …)."""
        if parameter == OR:
            return lambda value: any(self.conforms(member, value) for member in argument)
        if parameter == CLASS:
            members = self.data.instances(ox.NamedNode(str(argument)))
            return members.__contains__
        if parameter == DATATYPE:
            datatype = str(argument)
            return lambda value: has_datatype(value, datatype)
        if parameter == NODE_KIND:
            kinds = NODE_KINDS[argument]
            return lambda value: isinstance(value, kinds)
        if parameter == PATTERN:
            regex = _regex(str(argument), flags)
            return lambda value: not isinstance(value, ox.BlankNode) and regex.search(value.value) is not None
        if parameter == LANGUAGE_IN:
            return lambda value: isinstance(value, ox.Literal) and bool(value.language) and any(
                _lang_matches(value.language or "", tag) for tag in argument)
        if parameter == MIN_INCLUSIVE:
            return lambda value: _compare(value, argument) in (0, 1)
        raise ValueError(f"the compiled engine cannot check {parameter}")  # refused by compile_shapes

    def nested(self, shape: Shape, value: Term) -> list[Found]:
        """The results of validating ``value`` against ``shape`` (for sh:node, sh:or, qualified shapes)."""
        key = (shape.node, value)
        found = self._nested.get(key)
        if found is None:
            self._nested[key] = []  # a shape that refers back to itself: assume it conforms meanwhile
            found = self._nested[key] = self.shape_results(shape, {value})
        return found

    def conforms(self, shape: Shape, value: Term) -> bool:
        if id(shape) not in self._simple:
            self._simple[id(shape)] = self.simple_tests(shape)
        tests = self._simple[id(shape)]
        if tests is not None:  # a value shape of value tests only: no results to build
            return all(test(value) for test in tests)
        return not self.nested(shape, value)

    def simple_tests(self, shape: Shape) -> list[Callable[[Term], bool]] | None:
        """The tests of a node shape made of value constraints only (sh:datatype, sh:class …), or None."""
        if shape.path is not None or shape.properties or shape.deactivated or any(
                parameter in (NODE, SPARQL) for parameter, _ in shape.constraints):
            return None
        return [self.value_test(parameter, argument, shape.flags) for parameter, argument in shape.constraints]


def _true(argument: Any) -> bool:
    return isinstance(argument, Literal) and argument.toPython() is True


def _repeated_languages(values: Sequence[Term]) -> list[str]:
    seen: dict[str, int] = {}
    for value in values:
        if isinstance(value, ox.Literal) and value.language:
            seen[value.language.lower()] = seen.get(value.language.lower(), 0) + 1
    return [lang for lang, n in seen.items() if n > 1]


def _lang_matches(tag: str, range_: str) -> bool:
    """SPARQL langMatches (RFC 4647 basic filtering)."""
    tag, range_ = tag.lower(), range_.lower()
    return range_ == "*" or tag == range_ or tag.startswith(range_ + "-")


_REGEX_CACHE: dict[tuple[str, str], re.Pattern[str]] = {}


def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    compiled = _REGEX_CACHE.get((pattern, flags))
    if compiled is None:
        bits = (re.IGNORECASE if "i" in flags else 0) | (re.DOTALL if "s" in flags else 0) | (
            re.MULTILINE if "m" in flags else 0) | (re.VERBOSE if "x" in flags else 0)
        compiled = _REGEX_CACHE[(pattern, flags)] = re.compile(pattern, bits)
    return compiled


def _compare(value: Term, bound: Any) -> int | None:
    """-1, 0 or 1 as SPARQL's ``<``/``=``/``>`` would order value and bound; None: a type error.

    SHACL 4.3 compares with SPARQL's operators, under which a string and a number are not
    comparable (a type error, so a violation). rdflib orders them anyway (``"unknown" > 5``), and
    pyshacl then passes such a value: the oracle test documents the difference.
    """
    if not isinstance(value, ox.Literal) or not isinstance(bound, Literal) or value.language:
        return None
    if value.datatype.value in NUMERIC and str(bound.datatype) in NUMERIC and well_formed(value):
        from decimal import Decimal, InvalidOperation

        try:
            a, b = Decimal(value.value), Decimal(str(bound))
        except InvalidOperation:
            return None
        return (a > b) - (a < b)
    return None


# --- the report --------------------------------------------------------------------------------

def report_graph(found: Iterable[Found], conforms: bool) -> Graph:
    """The ``sh:ValidationReport`` graph of the results, written as pyshacl writes it."""
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    for item in found:
        graph.add((report, SH.result, _write_result(graph, item)))
    return graph


def _write_result(graph: Graph, item: Found) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, to_rdflib(item.focus)))
    if item.path is not None:
        graph.add((node, SH.resultPath, to_rdflib(item.path)))
    if item.value is not None:
        graph.add((node, SH.value, to_rdflib(item.value)))
    graph.add((node, SH.resultSeverity, item.shape.severity))
    graph.add((node, SH.sourceConstraintComponent, SH[item.component]))
    graph.add((node, SH.sourceShape, item.shape.node))
    if item.constraint is not None:
        graph.add((node, SH.sourceConstraint, item.constraint))
    for message in item.shape.messages:
        graph.add((node, SH.resultMessage, message))
    for detail in item.details:
        graph.add((node, SH.detail, _write_result(graph, detail)))
    return node


def blocking(found: Iterable[Found], allow_warnings: bool) -> bool:
    severities = {item.shape.severity for item in found}
    return SH.Violation in severities or (not allow_warnings and SH.Warning in severities)


# --- entry points --------------------------------------------------------------------------------

def validate_store(store: ox.Store, shapes: Graph, graphs: Graphs | None = None, allow_warnings: bool = False,
                   plan: Plan | None = None) -> Report:
    """Validate the data graph held in ``store`` (its default graph, or the union of ``graphs``).

    A shapes graph the compiled engine cannot run entirely is validated by pyshacl instead.
    """
    plan = plan or compile_shapes(shapes)
    data = DataGraph(store, graphs)
    if plan.unsupported:
        from paradip_kg.shacl.engine import validate as pyshacl_validate

        return pyshacl_validate(_as_rdflib(data), shapes, allow_warnings=allow_warnings)
    found = Run(plan, data).validate()
    graph = report_graph(found, conforms=not blocking(found, allow_warnings))
    return Report(conforms=not blocking(found, allow_warnings), results=read_results(graph, shapes), graph=graph)


def validate_graph(data: Graph, shapes: Graph, allow_warnings: bool = False) -> Report:
    """Validate an rdflib graph with the compiled engine (it is copied into an in-memory store)."""
    return validate_parts([data], shapes, allow_warnings=allow_warnings)


def validate_parts(parts: Iterable[Graph | Iterable[ox.Triple]], shapes: Graph,
                   allow_warnings: bool = False) -> Report:
    """Validate the union of ``parts`` (rdflib graphs or pyoxigraph triples), as the build does:
    they are loaded into one in-memory store (a triple in two parts counts once)."""
    plan = compile_shapes(shapes)
    store = ox.Store()
    for part in parts:
        if isinstance(part, Graph):
            store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                              for s, p, o in part)
        else:
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in part)
    return validate_store(store, shapes, allow_warnings=allow_warnings, plan=plan)


def _as_rdflib(data: DataGraph) -> Graph:
    graph = Graph()
    for quad in data.triples(None, None, None):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


__all__ = ["validate_store", "validate_graph", "validate_parts", "Run", "Found", "report_graph"]
