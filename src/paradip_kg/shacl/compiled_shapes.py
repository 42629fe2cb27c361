"""A shapes graph read into a plan that :mod:`paradip_kg.shacl.compiled` runs over a whole store.

:func:`compile_shapes` reads every shape of a SHACL shapes graph into :class:`Shape` objects and
lists, in :attr:`Plan.unsupported`, every feature the compiled engine does not implement (a path
that is not a single predicate, sh:closed, a SHACL-SPARQL constraint on a property shape, an
unknown parameter …). A plan with anything unsupported must not be run: the caller falls back to
pyshacl, so a shape is never skipped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

# Parameters read as constraints, and the component each belongs to (SHACL 1.0 sections 4, 5).
COMPONENTS: dict[Node, str] = {
    SH["class"]: "ClassConstraintComponent", SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent", SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent", SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent", SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent", SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent", SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent", SH.uniqueLang: "UniqueLangConstraintComponent",
    SH["or"]: "OrConstraintComponent", SH["and"]: "AndConstraintComponent", SH["not"]: "NotConstraintComponent",
    SH.node: "NodeConstraintComponent", SH.hasValue: "HasValueConstraintComponent", SH["in"]: "InConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}
# Parameters that are read but are not constraints of their own.
AUXILIARY = {SH.flags, SH.qualifiedValueShape, SH.path, SH.property, SH.severity, SH.message, SH.name,
             SH.description, SH.order, SH.group, SH.defaultValue, SH.deactivated,
             SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
# Parameters of SHACL the compiled engine does not run (they make the plan unsupported).
NOT_RUN = {SH.closed, SH.ignoredProperties, SH.xone, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
           SH.qualifiedValueShapesDisjoint, SH.target, SH.rule, SH.js, SH.expression}
# Implemented here: every component but these (they make the plan unsupported).
NOT_IMPLEMENTED = {SH["and"], SH["not"], SH["in"], SH.qualifiedMaxCount, SH.minExclusive, SH.maxExclusive,
                   SH.maxInclusive, SH.minLength, SH.maxLength}


@dataclass(frozen=True)
class Sparql:
    """One SHACL-SPARQL constraint: its node, its SELECT text and the prefixes it declares."""

    node: Node
    select: str
    prefixes: tuple[tuple[str, str], ...]


@dataclass
class Shape:
    """A node or property shape with the parameters the engine runs."""

    node: Node
    path: URIRef | None = None  # a property shape's path (a single predicate)
    severity: URIRef = SH.Violation
    target_classes: list[URIRef] = field(default_factory=list)
    target_subjects_of: list[URIRef] = field(default_factory=list)
    target_objects_of: list[URIRef] = field(default_factory=list)
    target_nodes: list[Node] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    # (parameter, value): one constraint each; sh:or holds a list of shapes, sh:node a shape.
    constraints: list[tuple[Node, Any]] = field(default_factory=list)
    flags: str = ""
    messages: list[Literal] = field(default_factory=list)
    deactivated: bool = False

    @property
    def targeted(self) -> bool:
        return bool(self.target_classes or self.target_subjects_of or self.target_objects_of or self.target_nodes)


@dataclass
class Plan:
    """The shapes with targets, every shape by node, and what could not be compiled."""

    shapes: dict[Node, Shape]
    targeted: list[Shape]
    unsupported: list[str]


def compile_shapes(shapes: Graph) -> Plan:
    """Read ``shapes`` into a :class:`Plan` (see the module docstring for what is refused)."""
    reader = _Reader(shapes)
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target):
        nodes |= set(shapes.subjects(target, None))
    for node in sorted(nodes, key=str):
        reader.shape(node)
    for node in nodes:  # SHACL 2.1.3.3: a shape that is also a class targets its instances
        if {RDFS.Class, OWL.Class} & set(shapes.objects(node, RDF.type)):
            reader.unsupported.append(f"{node} is a class as well as a shape (implicit class target)")
    targeted = [s for s in reader.shapes.values() if s.targeted and not s.deactivated]
    return Plan(shapes=reader.shapes, targeted=targeted, unsupported=reader.unsupported)


class _Reader:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.shapes: dict[Node, Shape] = {}
        self.unsupported: list[str] = []

    def shape(self, node: Node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        g = self.graph
        shape = Shape(node=node)
        self.shapes[node] = shape  # before the parameters: shapes may refer to each other
        for p, o in g.predicate_objects(node):
            if p in NOT_RUN or p in NOT_IMPLEMENTED:
                self.unsupported.append(f"{node}: {p} is not implemented by the compiled engine")
            elif p == SH.path:
                if isinstance(o, URIRef):
                    shape.path = o
                else:
                    self.unsupported.append(f"{node}: only predicate paths are compiled, not {o!r}")
            elif p == SH.severity and isinstance(o, URIRef):
                shape.severity = o
            elif p == SH.message and isinstance(o, Literal):
                shape.messages.append(o)
            elif p == SH.deactivated:
                shape.deactivated = isinstance(o, Literal) and o.toPython() is True
            elif p == SH.flags:
                shape.flags = str(o)
            elif p == SH.targetClass and isinstance(o, URIRef):
                shape.target_classes.append(o)
            elif p == SH.targetSubjectsOf and isinstance(o, URIRef):
                shape.target_subjects_of.append(o)
            elif p == SH.targetObjectsOf and isinstance(o, URIRef):
                shape.target_objects_of.append(o)
            elif p == SH.targetNode:
                shape.target_nodes.append(o)
            elif p == SH.property:
                shape.properties.append(self.shape(o))
            elif p in (SH.node, SH.qualifiedValueShape):
                value = self.shape(o)
                if p == SH.node:
                    shape.constraints.append((p, value))
            elif p == SH["or"]:
                shape.constraints.append((p, [self.shape(member) for member in Collection(g, o)]))
            elif p == SH.languageIn:
                shape.constraints.append((p, [str(tag).lower() for tag in Collection(g, o)]))
            elif p == SH.qualifiedMinCount:
                qualified = g.value(node, SH.qualifiedValueShape)
                if qualified is None:
                    self.unsupported.append(f"{node}: sh:qualifiedMinCount without sh:qualifiedValueShape")
                else:
                    shape.constraints.append((p, (int(str(o)), self.shape(qualified))))
            elif p == SH.sparql:
                shape.constraints.append((p, self.sparql(node, o)))
            elif p in COMPONENTS:
                shape.constraints.append((p, o))
            elif str(p).startswith(str(SH)) and p not in AUXILIARY and p not in (SH.prefixes, SH.declare):
                self.unsupported.append(f"{node}: {p} is not known to the compiled engine")
        if shape.path is None and any(p in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedMinCount)
                                      for p, _ in shape.constraints):
            self.unsupported.append(f"{node}: a count constraint on a node shape")
        if shape.path is not None and any(p == SH.sparql for p, _ in shape.constraints):
            self.unsupported.append(f"{node}: SHACL-SPARQL on a property shape")
        return shape

    def sparql(self, shape: Node, constraint: Node) -> Sparql | None:
        g = self.graph
        select = g.value(constraint, SH.select)
        if select is None or (constraint, SH.ask, None) in g or g.value(constraint, SH.deactivated) is not None:
            self.unsupported.append(f"{shape}: a SHACL-SPARQL constraint other than an active sh:select")
            return None
        prefixes: dict[str, str] = {}
        for source in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(source, SH.declare):
                prefix, namespace = g.value(declaration, SH.prefix), g.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    prefixes[str(prefix)] = str(namespace)
        text = str(select)
        messages = [m for node in (constraint, shape) for m in g.objects(node, SH.message)]
        if any(re.search(r"\{[?$]", str(m)) for m in messages):
            # SHACL 5.3.2: {?var} in a message is replaced by the row's value; not done here
            self.unsupported.append(f"{shape}: a SHACL-SPARQL message with {{?variable}} templates")
            return None
        if (constraint, SH.message, None) in g:
            # messages on the constraint itself would take precedence over the shape's (5.3.2)
            self.unsupported.append(f"{shape}: sh:message on the SHACL-SPARQL constraint itself")
            return None
        if len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1 or not re.search(r"\bWHERE\s*\{", text, re.I):
            # pre-binding does not reach into a subquery (SHACL 5.3.1); the rewrite needs WHERE {
            self.unsupported.append(f"{shape}: a SHACL-SPARQL query with a subquery or without WHERE {{")
            return None
        return Sparql(node=constraint, select=text, prefixes=tuple(sorted(prefixes.items())))
