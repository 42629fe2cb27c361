"""What a validation report says in the reader's language: severities, words, messages, names.

A result's message is the shape's own ``sh:message`` in the reader's language when the shapes
give one (pySHACL copies only one of them into the report); otherwise a plain explanation of the
failed constraint component, with the shape's parameters (:data:`COMPONENT_TEXTS`), and the
engine's English message as the technical detail. Shape names, descriptions and the labels of
focus nodes are picked the same way (:func:`paradip_kg.i18n.pick_text`): the reader's language,
else Spanish, else English, else untagged, else any.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SDO, SH, SKOS, NamespaceManager
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.shacl.terms import list_items, term_text

SEVERITIES = ("Violation", "Warning", "Info")
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SDO.name, DCTERMS.title, FOAF.name)

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
        "fail_on": "falla desde",
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
        "fail_on": "fails on",
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
    return TEXTS[i18n.supported(lang)]


def literal_texts(literals: Iterable[Node]) -> dict[str, str]:
    """The first text of each language tag among ``literals`` (``""`` for untagged ones)."""
    return i18n.by_language((lit.language, str(lit)) for lit in literals if isinstance(lit, Literal))


def curated_message(messages: dict[str, str], lang: str) -> tuple[str, str]:
    """The shapes' message that best suits ``lang`` and the engine's untagged message.

    pySHACL writes its own message without a language tag; a tagged one comes from the shapes.
    """
    tagged = {k: v for k, v in messages.items() if k}
    return i18n.pick_text(tagged, lang), messages.get("", "")


def shape_messages(shapes: Graph, shape: Node) -> dict[str, str]:
    """The ``sh:message`` of a shape in each language, then those of its SPARQL constraint."""
    messages = literal_texts(shapes.objects(shape, SH.message))
    constraint = None
    for c in shapes.objects(shape, SH.sparql):
        constraint = c
    if constraint is not None:
        for key, text in literal_texts(shapes.objects(constraint, SH.message)).items():
            messages.setdefault(key, text)
    return messages


def shape_names(shapes: Graph, shape: Node | None) -> dict[str, str]:
    """The ``sh:name`` of a shape in each language."""
    return literal_texts(shapes.objects(shape, SH.name)) if shape is not None else {}


def shape_description(shapes: Graph, shape: Node | None, lang: str) -> str:
    """The ``sh:description`` of a shape (or else of its SPARQL constraints) in ``lang``."""
    if shape is None:
        return ""
    descriptions = literal_texts(shapes.objects(shape, SH.description))
    for constraint in shapes.objects(shape, SH.sparql):
        for key, text in literal_texts(shapes.objects(constraint, SH.description)).items():
            descriptions.setdefault(key, text)
    return i18n.pick_text(descriptions, lang)


def label_of(node: Node | None, graph: Graph | None, lang: str) -> str:
    """The label of ``node`` in ``graph`` in ``lang`` (or another language), or ``""``."""
    if node is None or graph is None or isinstance(node, Literal):
        return ""
    for prop in LABEL_PROPERTIES:
        found = literal_texts(graph.objects(node, prop))
        if found:
            return i18n.pick_text(found, lang)
    return ""


def technical_text(component: str, shape: Node | None, shapes: Graph, nsm: NamespaceManager, lang: str) -> str:
    """A plain explanation of the failed constraint in ``lang``, with the shape's parameters."""
    templates = COMPONENT_TEXTS.get(component, {})
    template = templates.get(lang) or templates.get("en")
    if template is None or shape is None:
        return ""
    values: dict[str, str] = {}
    for name in ("class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
                 "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "equals", "disjoint",
                 "lessThan", "lessThanOrEquals", "not", "node", "property", "qualifiedMinCount",
                 "qualifiedMaxCount", "qualifiedValueShape", "hasValue"):
        found = [o for o in shapes.objects(shape, SH[name])]
        values[name] = ", ".join(str(o) if isinstance(o, Literal) and name != "hasValue"
                                 else shape_ref(o, shapes, nsm, lang) for o in found) or "?"
    for name in ("and", "or", "xone", "in", "languageIn"):
        head = shapes.value(shape, SH[name])
        items = list_items(shapes, head) if head is not None else []
        values[name] = ", ".join(str(o) if isinstance(o, Literal) else shape_ref(o, shapes, nsm, lang)
                                 for o in items) or "?"
    return template.format(**values)


def shape_ref(node: Node, shapes: Graph, nsm: NamespaceManager, lang: str) -> str:
    """A shape (or class, or value) named for a reader: its sh:name, else its IRI, else a summary."""
    names = literal_texts(shapes.objects(node, SH.name))
    if names:
        name = i18n.pick_text(names, lang)
        return f"{name} ({term_text(node, nsm)})" if isinstance(node, URIRef) else name
    if isinstance(node, BNode):
        parts = [f"{term_text(p, nsm)} {term_text(o, nsm)}" for p, o in shapes.predicate_objects(node)
                 if p not in (RDF.type, SH.message, SH.description, SH.name)]
        return "[" + " ; ".join(sorted(parts)) + "]"
    return term_text(node, nsm)
