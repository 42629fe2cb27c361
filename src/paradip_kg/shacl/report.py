"""What a validation report looks like to people and to programs.

:func:`build_view` turns a :class:`~paradip_kg.shacl.engine.Report` into a :class:`ReportView`:
the verdict with counts per severity, one row per rule (shape, path, constraint) with its count
and first examples, the results grouped by focus node with labels, and every message, shape name
and description in the reader's language. Every rendering is drawn from that one view:

    text    the CLI's default: verdict, rules, then problems per focus node
    table   one line per result, aligned columns
    turtle  the ``sh:ValidationReport`` graph (Turtle)
    jsonld  the same graph as JSON-LD
    json    a summary documented in docs/validation.md (``SUMMARY_VERSION``)
    csv     one row per result (nested ``sh:detail`` causes too, pointing to their parent row)

The HTML report of the web service renders the same view with a template.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SDO, SH, SKOS, NamespaceManager
from rdflib.term import Node

from paradip_kg.namespaces import PREFIXES
from paradip_kg.shacl.engine import SEVERITY_ORDER, Report, Result, _by_lang, pick

OUTPUTS = ("text", "table", "turtle", "jsonld", "json", "csv")
SUMMARY_VERSION = 1
SEVERITIES = ("Violation", "Warning", "Info")
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SDO.name, DCTERMS.title, FOAF.name)
EXAMPLES_PER_RULE = 3
# Local names shown after a prefix; "/" is allowed for the eye (pdid:agreement/mx-23005--us-wichita).
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/~%]*$")

# Words of the reports, in the two languages of the project.
TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "Violation": "Violación", "Warning": "Advertencia", "Info": "Consejo",
        "Violation_plural": "violaciones", "Warning_plural": "advertencias", "Info_plural": "consejos",
        "success": "Conforma", "warning": "Conforma, con advertencias", "failure": "No conforma",
        "rules": "Reglas", "by_focus": "Problemas por nodo", "focus": "nodo", "path": "ruta", "value": "valor",
        "message": "mensaje", "shape": "forma", "constraint": "restricción", "count": "número",
        "examples": "p. ej.", "detail": "causa", "technical": "detalle técnico", "severity": "gravedad",
        "engine": "motor", "inference": "inferencia", "allow_warnings": "advertencias permitidas",
        "yes": "sí", "no": "no", "more": "{n} más", "no_results": "Sin resultados: los datos cumplen todas las formas.",
        "shapes": "formas", "description": "descripción", "label": "etiqueta",
    },
    "en": {
        "Violation": "Violation", "Warning": "Warning", "Info": "Info",
        "Violation_plural": "violations", "Warning_plural": "warnings", "Info_plural": "infos",
        "success": "Conforms", "warning": "Conforms, with warnings", "failure": "Does not conform",
        "rules": "Rules", "by_focus": "Problems by focus node", "focus": "focus", "path": "path", "value": "value",
        "message": "message", "shape": "shape", "constraint": "constraint", "count": "count",
        "examples": "e.g.", "detail": "cause", "technical": "technical detail", "severity": "severity",
        "engine": "engine", "inference": "inference", "allow_warnings": "warnings allowed",
        "yes": "yes", "no": "no", "more": "{n} more", "no_results": "No results: the data conforms to every shape.",
        "shapes": "shapes", "description": "description", "label": "label",
    },
}

# A plain explanation of each SHACL Core constraint component, for results whose shape has no
# sh:message in the reader's language (engines only speak English). {name} is the value of the
# parameter sh:name of the source shape. https://www.w3.org/TR/shacl/#core-components
COMPONENT_TEXTS: dict[str, dict[str, str]] = {
    "ClassConstraintComponent": {"es": "El valor debe ser una instancia de {class}.",
                                 "en": "The value must be an instance of {class}."},
    "DatatypeConstraintComponent": {"es": "El valor debe ser un literal bien formado de tipo {datatype}.",
                                    "en": "The value must be a well-formed literal of datatype {datatype}."},
    "NodeKindConstraintComponent": {"es": "El valor debe ser de la clase de nodo {nodeKind}.",
                                    "en": "The value must be of node kind {nodeKind}."},
    "MinCountConstraintComponent": {"es": "Se requieren al menos {minCount} valor(es).",
                                    "en": "At least {minCount} value(s) are required."},
    "MaxCountConstraintComponent": {"es": "Se admiten como mucho {maxCount} valor(es).",
                                    "en": "At most {maxCount} value(s) are allowed."},
    "MinExclusiveConstraintComponent": {"es": "El valor debe ser mayor que {minExclusive}.",
                                        "en": "The value must be greater than {minExclusive}."},
    "MinInclusiveConstraintComponent": {"es": "El valor debe ser mayor o igual que {minInclusive}.",
                                        "en": "The value must be at least {minInclusive}."},
    "MaxExclusiveConstraintComponent": {"es": "El valor debe ser menor que {maxExclusive}.",
                                        "en": "The value must be less than {maxExclusive}."},
    "MaxInclusiveConstraintComponent": {"es": "El valor debe ser menor o igual que {maxInclusive}.",
                                        "en": "The value must be at most {maxInclusive}."},
    "MinLengthConstraintComponent": {"es": "El valor debe tener al menos {minLength} caracteres.",
                                     "en": "The value must have at least {minLength} characters."},
    "MaxLengthConstraintComponent": {"es": "El valor debe tener como mucho {maxLength} caracteres.",
                                     "en": "The value must have at most {maxLength} characters."},
    "PatternConstraintComponent": {"es": "El valor debe seguir la expresión regular {pattern}.",
                                   "en": "The value must match the regular expression {pattern}."},
    "LanguageInConstraintComponent": {"es": "La etiqueta de idioma debe ser una de: {languageIn}.",
                                      "en": "The language tag must be one of: {languageIn}."},
    "UniqueLangConstraintComponent": {"es": "Hay más de un valor con la misma etiqueta de idioma.",
                                      "en": "More than one value has the same language tag."},
    "EqualsConstraintComponent": {"es": "Los valores deben ser los mismos que los de {equals}.",
                                  "en": "The values must equal those of {equals}."},
    "DisjointConstraintComponent": {"es": "Los valores no pueden coincidir con los de {disjoint}.",
                                    "en": "The values must not be shared with {disjoint}."},
    "LessThanConstraintComponent": {"es": "El valor debe ser menor que los de {lessThan}.",
                                    "en": "The value must be less than those of {lessThan}."},
    "LessThanOrEqualsConstraintComponent": {"es": "El valor debe ser menor o igual que los de {lessThanOrEquals}.",
                                            "en": "The value must be at most those of {lessThanOrEquals}."},
    "NotConstraintComponent": {"es": "El valor no debe cumplir la forma {not}.",
                               "en": "The value must not conform to the shape {not}."},
    "AndConstraintComponent": {"es": "El valor debe cumplir todas las formas: {and}.",
                               "en": "The value must conform to every shape: {and}."},
    "OrConstraintComponent": {"es": "El valor debe cumplir al menos una de las formas: {or}.",
                              "en": "The value must conform to at least one of the shapes: {or}."},
    "XoneConstraintComponent": {"es": "El valor debe cumplir exactamente una de las formas: {xone}.",
                                "en": "The value must conform to exactly one of the shapes: {xone}."},
    "NodeConstraintComponent": {"es": "El valor no cumple la forma {node}; véanse las causas.",
                                "en": "The value does not conform to the shape {node}; see the causes."},
    "PropertyConstraintComponent": {"es": "El valor no cumple la forma de propiedad {property}.",
                                    "en": "The value does not conform to the property shape {property}."},
    "QualifiedMinCountConstraintComponent": {
        "es": "Se requieren al menos {qualifiedMinCount} valor(es) que cumplan {qualifiedValueShape}.",
        "en": "At least {qualifiedMinCount} value(s) conforming to {qualifiedValueShape} are required."},
    "QualifiedMaxCountConstraintComponent": {
        "es": "Se admiten como mucho {qualifiedMaxCount} valor(es) que cumplan {qualifiedValueShape}.",
        "en": "At most {qualifiedMaxCount} value(s) conforming to {qualifiedValueShape} are allowed."},
    "ClosedConstraintComponent": {"es": "La propiedad no está permitida: la forma es cerrada (sh:closed).",
                                  "en": "The property is not allowed: the shape is closed (sh:closed)."},
    "HasValueConstraintComponent": {"es": "Falta el valor obligatorio {hasValue}.",
                                    "en": "The required value {hasValue} is missing."},
    "InConstraintComponent": {"es": "El valor debe ser uno de: {in}.", "en": "The value must be one of: {in}."},
    "SPARQLConstraintComponent": {"es": "No cumple la restricción SPARQL de la forma.",
                                  "en": "Fails the shape's SPARQL constraint."},
}


def texts(lang: str) -> dict[str, str]:
    """The report words in ``lang`` (Spanish when the language is not one of ours)."""
    return TEXTS.get(lang, TEXTS["es"])


def namespace_manager(*graphs: Graph) -> NamespaceManager:
    """Prefixes of the project, then those the given graphs declare."""
    nsm = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        nsm.bind(prefix, iri, override=True, replace=True)
    for g in graphs:
        for prefix, iri in g.namespaces():
            if prefix and prefix not in PREFIXES and str(iri) not in PREFIXES.values():
                nsm.bind(prefix, iri, override=False)
    return nsm


def term_text(term: Node | None, nsm: NamespaceManager) -> str:
    """A term as a reader expects it: ``pdo:hasParty``, ``<http://…>``, ``"1951-13-45"^^xsd:date``."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        iri = str(term)
        best = max(((prefix, str(ns)) for prefix, ns in nsm.namespaces() if prefix and iri.startswith(str(ns))),
                   key=lambda item: len(item[1]), default=None)
        if best is not None and LOCAL_NAME.match(iri[len(best[1]):]):
            return f"{best[0]}:{iri[len(best[1]):]}"
        return f"<{iri}>"
    if isinstance(term, Literal):
        text = json.dumps(str(term), ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{term_text(term.datatype, nsm)}"
        return text
    return f"_:{term}"


def path_text(path: Node | None, graph: Graph, nsm: NamespaceManager) -> str:
    """A SHACL property path in SPARQL syntax (``^pdo:partyTo``, ``pdo:governs/pdo:inegiCode``)."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return term_text(path, nsm)
    if (path, RDF.first, None) in graph:
        return "/".join(_path_part(p, graph, nsm) for p in Collection(graph, path))
    for prop, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+"),
                      (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return fmt.format(_path_part(inner, graph, nsm))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(_path_part(p, graph, nsm) for p in Collection(graph, alternatives))
    return term_text(path, nsm)


def _path_part(path: Node, graph: Graph, nsm: NamespaceManager) -> str:
    text = path_text(path, graph, nsm)
    return text if isinstance(path, URIRef) else f"({text})"


def label_of(node: Node | None, graph: Graph | None, lang: str) -> str:
    """The label of ``node`` in ``graph`` in ``lang`` (or another language), or ``""``."""
    if node is None or graph is None or isinstance(node, Literal):
        return ""
    for prop in LABEL_PROPERTIES:
        found = _by_lang(graph.objects(node, prop))
        if found:
            return pick(found, lang)
    return ""


def term_json(term: Node | None) -> dict[str, str] | None:
    """A term as in SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
    return out


def constraint_label(component_iri: str) -> str:
    """A constraint component as the parameter people write: ``sh:minCount``, ``sh:or``, ``sh:sparql``."""
    if component_iri.startswith(str(SH)) and component_iri.endswith("ConstraintComponent"):
        name = component_iri[len(str(SH)):-len("ConstraintComponent")]
        return "sh:" + (name.lower() if name.isupper() else name[:1].lower() + name[1:])
    return component_iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _id(term: Node | None) -> str | None:
    """An IRI as itself, a blank node as ``_:id``, nothing as None."""
    if term is None:
        return None
    return f"_:{term}" if isinstance(term, BNode) else str(term)


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
            "severity": self.severity, "focus": _id(self.focus), "focus_label": self.focus_label or None,
            "path": self.path_text or None, "value": term_json(self.value), "message": self.message,
            "technical_message": self.technical or None, "shape": _id(self.shape), "shape_name": self.shape_name,
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
            "severity": self.severity, "shape": _id(self.shape), "shape_name": self.name,
            "node_shape": self.parent_text or None, "path": self.path_text or None, "component": self.component_iri,
            "description": self.description or None, "message": self.message, "count": self.count,
            "examples": [_id(r.focus) for r in self.examples],
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
    conforms: bool
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
        return f"{t[self.verdict]}: {counts}"


def verdict_of(report: Report, allow_warnings: bool) -> str:
    """``failure`` (blocking results), ``warning`` (warnings tolerated) or ``success``."""
    if report.blocking(allow_warnings):
        return "failure"
    return "warning" if report.counts()["Warning"] else "success"


def named_shape(shape: Node | None, shapes: Graph) -> Node | None:
    """The node shape a (property) shape belongs to: up the sh:property links, to the top."""
    seen: set[Node] = set()
    while shape is not None and shape not in seen:
        seen.add(shape)
        parents = sorted(shapes.subjects(SH.property, shape), key=str)
        if not parents:
            break
        shape = parents[0]
    return shape


def _list_items(graph: Graph, head: Node) -> list[Node]:
    try:
        return list(Collection(graph, head))
    except Exception:  # not a well-formed list: show the node itself
        return [head]


def technical_text(result: Result, shapes: Graph, nsm: NamespaceManager, lang: str) -> str:
    """A plain explanation of the failed constraint in ``lang``, with the shape's parameters."""
    template = COMPONENT_TEXTS.get(result.component, {}).get(lang) or COMPONENT_TEXTS.get(result.component, {}).get("en")
    if template is None or result.shape is None:
        return ""
    shape = result.shape
    values: dict[str, str] = {}
    for name in ("class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
                 "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "equals", "disjoint",
                 "lessThan", "lessThanOrEquals", "not", "node", "property", "qualifiedMinCount",
                 "qualifiedMaxCount", "qualifiedValueShape", "hasValue"):
        found = [o for o in shapes.objects(shape, SH[name])]
        values[name] = ", ".join(str(o) if isinstance(o, Literal) and name != "hasValue" else _shape_ref(o, shapes, nsm, lang)
                                 for o in found) or "?"
    for name in ("and", "or", "xone", "in", "languageIn"):
        head = shapes.value(shape, SH[name])
        items = _list_items(shapes, head) if head is not None else []
        values[name] = ", ".join(str(o) if isinstance(o, Literal) else _shape_ref(o, shapes, nsm, lang)
                                 for o in items) or "?"
    return template.format(**values)


def _shape_ref(node: Node, shapes: Graph, nsm: NamespaceManager, lang: str) -> str:
    """A shape (or class, or value) named for a reader: its sh:name, else its IRI, else a summary."""
    names = _by_lang(shapes.objects(node, SH.name))
    if names:
        return f"{pick(names, lang)} ({term_text(node, nsm)})" if isinstance(node, URIRef) else pick(names, lang)
    if isinstance(node, BNode):
        parts = [f"{term_text(p, nsm)} {term_text(o, nsm)}" for p, o in shapes.predicate_objects(node)
                 if p not in (RDF.type, SH.message, SH.description, SH.name)]
        return "[" + " ; ".join(sorted(parts)) + "]"
    return term_text(node, nsm)


def _message(result: Result, lang: str) -> tuple[str, str]:
    """The curated message in ``lang`` (or the best other one) and the engine's untagged message."""
    tagged = {k: v for k, v in result.messages.items() if k}
    engine = result.messages.get("", "")
    if tagged:
        primary = lang.split("-")[0]
        for key in (lang, primary):
            if key in tagged:
                return tagged[key], engine
        for key, text in tagged.items():
            if key.split("-")[0] == primary:
                return text, engine
        return pick(tagged, lang), engine
    return "", engine


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
        curated, engine = _message(result, lang)
        explained = technical_text(result, shapes, nsm, lang)
        if curated:
            message = curated
            technical = " · ".join(x for x in (explained, engine if engine != curated else "") if x)
        else:
            message = explained or engine
            technical = engine if explained else ""
        descriptions = _by_lang(shapes.objects(result.shape, SH.description)) if result.shape is not None else {}
        for constraint in shapes.objects(result.shape, SH.sparql) if result.shape is not None else ():
            for key, text in _by_lang(shapes.objects(constraint, SH.description)).items():
                descriptions.setdefault(key, text)
        p_text = path_text(result.path, report.graph if (result.path, None, None) in report.graph else shapes, nsm) \
            if result.path is not None else ""
        key = (_id(result.shape) or "", p_text, str(result.component_iri or result.component), result.severity)
        return ResultView(
            severity=result.severity, severity_label=t.get(result.severity, result.severity),
            focus=result.focus, focus_text=term_text(result.focus, nsm), focus_label=label_of(result.focus, data, lang),
            path=result.path, path_text=p_text, value=result.value, value_text=term_text(result.value, nsm),
            message=message, technical=technical, shape=result.shape,
            shape_text=(term_text(result.shape, nsm) if isinstance(result.shape, URIRef)
                        else _shape_ref(result.shape, shapes, nsm, lang) if result.shape is not None else ""),
            shape_name=result.shape_name(lang) if result.shape_names or isinstance(result.shape, URIRef) else "",
            rule_key=key, component=result.component, component_iri=str(result.component_iri or result.component),
            description=pick(descriptions, lang) if descriptions else "",
            details=sorted((view(d) for d in result.details), key=_sort_key),
        )

    results = sorted((view(r) for r in report.results), key=_sort_key)
    for r in results:
        rule = rules.get(r.rule_key)
        if rule is None:
            parent = named_shape(r.shape, shapes)
            parent_names = _by_lang(shapes.objects(parent, SH.name)) if parent is not None else {}
            rule = rules[r.rule_key] = RuleView(
                key=r.rule_key, severity=r.severity, severity_label=r.severity_label, shape=r.shape,
                shape_text=r.shape_text, name=r.shape_name or (pick(parent_names, lang) if parent_names else ""),
                parent_text=term_text(parent, nsm) if isinstance(parent, URIRef) and parent != r.shape else "",
                parent_name=pick(parent_names, lang) if parent_names and parent != r.shape else "",
                path_text=r.path_text, component=r.component, component_iri=r.component_iri,
                description=r.description, message=r.message)
        rule.results.append(r)
    rule_list = sorted(rules.values(), key=lambda x: (SEVERITY_ORDER.get(x.severity, 9), -x.count,
                                                      x.parent_text or x.shape_text, x.path_text, x.component))

    by_focus: dict[Node, list[ResultView]] = {}
    for r in results:
        by_focus.setdefault(r.focus, []).append(r)
    groups = [FocusGroup(focus=focus, focus_text=items[0].focus_text, label=items[0].focus_label,
                         types=sorted(term_text(t_, nsm) for t_ in data.objects(focus, RDF.type)) if data is not None else [],
                         results=items) for focus, items in by_focus.items()]
    groups.sort(key=lambda g: (SEVERITY_ORDER.get(g.severity, 9), -len(g.results), g.focus_text))

    allow_warnings = bool(options.get("allow_warnings", False))
    return ReportView(report=report, lang=lang, conforms=report.conforms, verdict=verdict_of(report, allow_warnings),
                      counts=report.counts(), results=results, rules=rule_list, groups=groups, options=options,
                      notices=list(notices), nsm=nsm)


# --- renderings -------------------------------------------------------------------------------

def render_text(view: ReportView, limit: int | None = None) -> str:
    """The CLI's report: verdict, one line per rule, then the problems of each focus node."""
    t = view.words
    lines = [view.verdict_text()]
    run = _run_line(view)
    if run:
        lines.append(run)
    lines.extend(f"! {n}" for n in view.notices)
    if not view.results:
        lines += ["", t["no_results"]]
        return "\n".join(lines) + "\n"
    lines += ["", f"{t['rules']} ({len(view.rules)})"]
    for rule in view.rules:
        title = " › ".join(x for x in (rule.parent_name, rule.name) if x) or rule.shape_text or rule.parent_text
        ref = rule.shape_text or rule.parent_text
        lines.append(f"  {rule.count:>5} × {rule.severity_label}  {title}" + (f" ({ref})" if ref and ref not in title else ""))
        lines.append(f"          {t['path']}: {rule.path_text or '—'} · {t['constraint']}: {rule.constraint}")
        if rule.description:
            lines.append(f"          {rule.description}")
        lines.append(f"          {t['examples']} " + ", ".join(r.focus_text for r in rule.examples)
                     + (f" … ({t['more'].format(n=rule.count - len(rule.examples))})" if rule.count > len(rule.examples) else ""))
    lines += ["", f"{t['by_focus']} ({len(view.groups)})"]
    shown = 0
    for group in view.groups:
        if limit is not None and shown >= limit:
            break
        lines.append(f"{group.focus_text}" + (f" — {group.label}" if group.label else ""))
        for r in group.results:
            if limit is not None and shown >= limit:
                break
            shown += 1
            lines.extend(_result_lines(r, t, "  "))
    if limit is not None and shown < view.total:
        lines.append(f"… {t['more'].format(n=view.total - shown)}")
    return "\n".join(lines) + "\n"


def _run_line(view: ReportView) -> str:
    t = view.words
    o = view.options
    parts = []
    if o.get("engine"):
        parts.append(f"{t['engine']}: {o['engine']}")
    if o.get("inference"):
        parts.append(f"{t['inference']}: {o['inference']}")
    if "allow_warnings" in o:
        parts.append(f"{t['allow_warnings']}: {t['yes'] if o['allow_warnings'] else t['no']}")
    return " · ".join(parts)


def _result_lines(r: ResultView, t: dict[str, str], indent: str) -> list[str]:
    head = f"{indent}[{r.severity_label}] "
    if r.path_text:
        head += f"{r.path_text}: "
    lines = [head + r.message]
    if r.value is not None:
        lines.append(f"{indent}    {t['value']}: {r.value_text}")
    ref = r.shape_text or r.shape_name
    lines.append(f"{indent}    {t['shape']}: {ref} · {t['constraint']}: {r.constraint}")
    if r.technical:
        lines.append(f"{indent}    {t['technical']}: {r.technical}")
    for d in r.details:
        lines.append(f"{indent}    {t['detail']} ({d.focus_text}):")
        lines.extend(_result_lines(d, t, indent + "      "))
    return lines


def render_table(view: ReportView, width: int = 48) -> str:
    """One line per result, in aligned columns (long cells are cut with …)."""
    t = view.words
    header = [t["severity"], t["focus"], t["path"], t["value"], t["message"]]
    rows = [[r.severity_label, r.focus_text, r.path_text, r.value_text, r.message] for r in view.results]

    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[cut(c) for c in row] for row in [header] + rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    out = [view.verdict_text()]
    for n, row in enumerate(cells):
        out.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"


def report_graph(view: ReportView) -> Graph:
    """The ``sh:ValidationReport`` graph, with the project's prefixes bound."""
    graph = view.report.graph
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def render_turtle(view: ReportView) -> str:
    return report_graph(view).serialize(format="turtle")


def render_jsonld(view: ReportView) -> str:
    context = {"sh": str(SH), "xsd": PREFIXES["xsd"], "rdf": PREFIXES["rdf"], "rdfs": PREFIXES["rdfs"]}
    return report_graph(view).serialize(format="json-ld", context=context, indent=2) + "\n"


def summary(view: ReportView) -> dict[str, Any]:
    """The JSON summary (docs/validation.md describes every key)."""
    return {
        "summary_version": SUMMARY_VERSION,
        "conforms": view.conforms,
        "verdict": view.verdict,
        "counts": view.counts,
        "total": view.total,
        "lang": view.lang,
        "options": view.options,
        "notices": view.notices,
        "rules": [rule.as_json() for rule in view.rules],
        "results": [r.as_json() for r in view.results],
    }


def render_json(view: ReportView) -> str:
    return json.dumps(summary(view), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("row", "detail_of", "severity", "focus_node", "focus_label", "result_path", "value", "message",
               "source_shape", "shape_name", "constraint_component", "description", "technical_message")


def render_csv(view: ReportView) -> str:
    """One row per result; nested causes (sh:detail) follow their result with ``detail_of`` set."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    counter = 0

    def write(r: ResultView, parent: int | None) -> None:
        nonlocal counter
        counter += 1
        row = counter
        writer.writerow([row, parent or "", r.severity, _id(r.focus), r.focus_label, r.path_text,
                         "" if r.value is None else str(r.value), r.message, _id(r.shape) or "", r.shape_name,
                         r.component_iri, r.description, r.technical])
        for d in r.details:
            write(d, row)

    for r in view.results:
        write(r, None)
    return out.getvalue()


RENDERERS = {
    "text": render_text,
    "table": render_table,
    "turtle": render_turtle,
    "jsonld": render_jsonld,
    "json": render_json,
    "csv": render_csv,
}


def render(view: ReportView, output: str) -> str:
    """The report in one of :data:`OUTPUTS`."""
    try:
        return RENDERERS[output](view)
    except KeyError:
        raise ValueError(f"unknown report format {output!r}; use one of {', '.join(OUTPUTS)}") from None


__all__ = ["OUTPUTS", "ReportView", "ResultView", "RuleView", "FocusGroup", "build_view", "render", "summary",
           "term_text", "path_text", "label_of", "texts", "constraint_label", "named_shape", "SEVERITIES",
           "CSV_COLUMNS", "SUMMARY_VERSION"]
