"""The documentation of the SHACL shapes: each shape's targets and what it requires, in es and en.

    shapes_doc(store, lang) → ShapesDoc

Each constraint parameter becomes a sentence fragment in both languages (:class:`Requirement`),
with the shapes' own messages beside them; each shape lists the shapes that use it. Each shape
gets an ``anchor`` (its local name), so ``/shapes#AgreementShape`` lands on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.namespaces import SHAPES
from paradip_kg.publish.docs.reader import Reader, Ref, Text, Token, anchor, list_items, load_graph
from paradip_kg.publish.labels import qname

SH = "http://www.w3.org/ns/shacl#"

@dataclass
class Requirement:
    """One constraint of a shape, said in Spanish and in English."""

    es: list[Token]
    en: list[Token]


@dataclass
class PropertyShapeDoc:
    iri: str
    anchor: str
    name: Text
    description: Text
    path: list[Token]
    severity: str
    requirements: list[Requirement]
    message_es: str
    message_en: str


@dataclass
class ShapeDoc:
    iri: str
    anchor: str
    name: Text
    description: Text
    severity: str
    targets: list[Requirement]
    requirements: list[Requirement]
    properties: list[PropertyShapeDoc]
    sparql: list[tuple[Text, str]]  # (message, SELECT query)
    used_by: list[Ref]
    message_es: str
    message_en: str


@dataclass
class ShapesDoc:
    iri: str
    title: Text
    comment: Text
    shapes: list[ShapeDoc]


def _sh(local: str) -> URIRef:
    return URIRef(SH + local)


SEVERITIES = {SH + "Violation": ("Violación", "Violation"), SH + "Warning": ("Advertencia", "Warning"),
              SH + "Info": ("Información", "Info")}
NODE_KINDS = {
    "IRI": ("un IRI", "an IRI"), "BlankNode": ("un nodo anónimo", "a blank node"),
    "Literal": ("un literal", "a literal"), "BlankNodeOrIRI": ("un IRI o nodo anónimo", "an IRI or blank node"),
    "BlankNodeOrLiteral": ("un nodo anónimo o literal", "a blank node or literal"),
    "IRIOrLiteral": ("un IRI o literal", "an IRI or literal"),
}


def _both(es: list[Token], en: list[Token]) -> Requirement:
    return Requirement(es, en)


class _ShapeReader:
    def __init__(self, g: Graph, labels: Graph, lang: str) -> None:
        self.g = g
        self.readers = {code: Reader(g, code, labels) for code in i18n.LANGUAGES}
        self.reader = self.readers[lang]

    def ref(self, term: Node, code: str) -> Token:
        if isinstance(term, Literal):
            return f"“{term}”"
        if isinstance(term, BNode):
            return "[…]"
        return self.readers[code].ref(term)

    def refs(self, terms: Iterable[Node], code: str, word: str) -> list[Token]:
        out: list[Token] = []
        for i, term in enumerate(terms):
            if i:
                out.append(f" {word} ")
            out.append(self.ref(term, code))
        return out

    def path(self, node: Node, code: str) -> list[Token]:
        g = self.g
        if isinstance(node, URIRef):
            return [self.ref(node, code)]
        inverse = g.value(node, _sh("inversePath"))
        if inverse is not None:
            return ["^"] + self.path(inverse, code)
        alternative = g.value(node, _sh("alternativePath"))
        if alternative is not None:
            out: list[Token] = ["("]
            for i, item in enumerate(self.readers[code].items(alternative)):
                out += ([" | "] if i else []) + self.path(item, code)
            return out + [")"]
        for predicate, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            inner = g.value(node, _sh(predicate))
            if inner is not None:
                return self.path(inner, code) + [mark]
        items = self.readers[code].items(node)
        if items:
            out = []
            for i, item in enumerate(items):
                out += (["/"] if i else []) + self.path(item, code)
            return out
        return ["[…]"]

    def requirements(self, shape: Node) -> list[Requirement]:
        """Each constraint parameter of ``shape``, as a sentence fragment in es and en."""
        g, out = self.g, []

        def value(local: str) -> Node | None:
            return g.value(shape, _sh(local))

        def lst(local: str) -> list[Node]:
            node = value(local)
            return self.reader.items(node) if node is not None else []

        n = value("minCount")
        if n is not None:
            out.append(_both([f"al menos {n} valor{'es' if str(n) != '1' else ''}"],
                             [f"at least {n} value{'s' if str(n) != '1' else ''}"]))
        n = value("maxCount")
        if n is not None:
            out.append(_both([f"como máximo {n} valor{'es' if str(n) != '1' else ''}"],
                             [f"at most {n} value{'s' if str(n) != '1' else ''}"]))
        for local, es, en in (("datatype", "de tipo ", "of datatype "), ("class", "instancia de ", "an instance of "),
                              ("node", "conforme a la forma ", "conforming to the shape "),
                              ("hasValue", "incluye el valor ", "includes the value "),
                              ("equals", "igual a los valores de ", "equal to the values of "),
                              ("disjoint", "distinto de los valores de ", "disjoint from the values of "),
                              ("lessThan", "menor que los valores de ", "less than the values of "),
                              ("lessThanOrEquals", "menor o igual que los valores de ",
                               "less than or equal to the values of ")):
            for target in g.objects(shape, _sh(local)):
                out.append(_both([es, self.ref(target, "es")], [en, self.ref(target, "en")]))
        kind = value("nodeKind")
        if kind is not None:
            words = NODE_KINDS.get(anchor(str(kind)), (qname(str(kind)), qname(str(kind))))
            out.append(_both([f"cada valor es {words[0]}"], [f"each value is {words[1]}"]))
        for local, es, en in (("minInclusive", "≥", "≥"), ("maxInclusive", "≤", "≤"), ("minExclusive", ">", ">"),
                              ("maxExclusive", "<", "<"), ("minLength", "longitud mínima", "minimum length"),
                              ("maxLength", "longitud máxima", "maximum length")):
            v = value(local)
            if v is not None:
                out.append(_both([f"{es} {v}"], [f"{en} {v}"]))
        pattern = value("pattern")
        if pattern is not None:
            flags = value("flags")
            suffix = f" ({flags})" if flags is not None else ""
            out.append(_both([f"coincide con la expresión regular {pattern}{suffix}"],
                             [f"matches the regular expression {pattern}{suffix}"]))
        langs = lst("languageIn")
        if langs:
            codes = ", ".join(str(x) for x in langs)
            out.append(_both([f"en idioma {codes}"], [f"in language {codes}"]))
        if str(value("uniqueLang")).lower() == "true":
            out.append(_both(["como máximo un valor por idioma"], ["at most one value per language"]))
        members = lst("in")
        if members:
            out.append(_both(["uno de: ", *self.refs(members, "es", ",")],
                             ["one of: ", *self.refs(members, "en", ",")]))
        for local, es, en, w_es, w_en in (("or", "conforme a alguna de ", "conforming to one of ", "o", "or"),
                                          ("and", "conforme a todas ", "conforming to all of ", "y", "and"),
                                          ("xone", "conforme a exactamente una de ", "conforming to exactly one of ",
                                           "o", "or")):
            items = lst(local)
            if items:
                out.append(_both([es, *self.refs(items, "es", w_es)], [en, *self.refs(items, "en", w_en)]))
        negated = value("not")
        if negated is not None:
            out.append(_both(["no conforme a ", self.ref(negated, "es")],
                             ["not conforming to ", self.ref(negated, "en")]))
        qualified = value("qualifiedValueShape")
        if qualified is not None:
            for local, es, en in (("qualifiedMinCount", "al menos", "at least"),
                                  ("qualifiedMaxCount", "como máximo", "at most")):
                n = value(local)
                if n is not None:
                    out.append(_both([f"{es} {n} valores conformes a ", self.ref(qualified, "es")],
                                     [f"{en} {n} values conforming to ", self.ref(qualified, "en")]))
        if str(value("closed")).lower() == "true":
            out.append(_both(["cerrada: ninguna propiedad fuera de las declaradas"],
                             ["closed: no properties other than the declared ones"]))
        return out

    def targets(self, shape: Node) -> list[Requirement]:
        g, out = self.g, []
        for local, es, en in (("targetClass", "cada instancia de ", "every instance of "),
                              ("targetNode", "el nodo ", "the node "),
                              ("targetSubjectsOf", "cada sujeto de ", "every subject of "),
                              ("targetObjectsOf", "cada objeto de ", "every object of ")):
            for target in sorted(g.objects(shape, _sh(local)), key=str):
                out.append(_both([es, self.ref(target, "es")], [en, self.ref(target, "en")]))
        return out

    def messages(self, shape: Node) -> tuple[str, str]:
        literals = g_literals(self.g, shape, _sh("message"))
        found = i18n.by_language((i18n.base(lit.language), str(lit)) for lit in literals)
        return found.get("es", ""), found.get("en", "")

    def severity(self, shape: Node) -> str:
        return str(self.g.value(shape, _sh("severity")) or SH + "Violation")


def g_literals(g: Graph, s: Node, p: URIRef) -> list[Literal]:
    return sorted((o for o in g.objects(s, p) if isinstance(o, Literal)), key=str)


def shapes_doc(store: ox.Store, lang: str) -> ShapesDoc:
    """Every node shape of the shapes graph: its targets, requirements, property shapes and messages."""
    g = load_graph(store, "shapes")
    labels = load_graph(store, "ontology", "vocab", "shapes")
    sr = _ShapeReader(g, labels, lang)
    reader = sr.reader
    shape_type, property_type = _sh("NodeShape"), _sh("PropertyShape")
    node_shapes = sorted({s for s in g.subjects(RDF.type, shape_type)} |
                         {s for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
                          for s in g.subjects(_sh(p), None) if (s, RDF.type, property_type) not in g}, key=str)
    refs_to: dict[Node, set[Node]] = {}
    for owner in node_shapes:
        for shape in _shapes_used(g, owner):
            refs_to.setdefault(shape, set()).add(owner)
        for prop in g.objects(owner, _sh("property")):
            for shape in _shapes_used(g, prop):
                refs_to.setdefault(shape, set()).add(owner)

    docs: list[ShapeDoc] = []
    for shape in node_shapes:
        properties = []
        for prop in sorted(g.objects(shape, _sh("property")), key=str):
            es, en = sr.messages(prop)
            path = g.value(prop, _sh("path"))
            properties.append(PropertyShapeDoc(
                iri=str(prop) if isinstance(prop, URIRef) else "",
                anchor=anchor(str(prop)) if isinstance(prop, URIRef) else "",
                name=reader.texts(prop, _sh("name")), description=reader.texts(prop, _sh("description")),
                path=sr.path(path, lang) if path is not None else [], severity=_severity(sr.severity(prop), lang),
                requirements=sr.requirements(prop), message_es=es, message_en=en))
        sparql = []
        for constraint in g.objects(shape, _sh("sparql")):
            message = reader.texts(constraint, _sh("message"))
            if not message:
                message = reader.texts(shape, _sh("message"))
            sparql.append((message, str(g.value(constraint, _sh("select")) or g.value(constraint, _sh("ask")) or "")))
        es, en = sr.messages(shape)
        name = reader.texts(shape, _sh("name"), RDFS.label)
        docs.append(ShapeDoc(
            iri=str(shape) if isinstance(shape, URIRef) else "", anchor=anchor(str(shape)),
            name=name if name else Text(qname(str(shape))), description=reader.texts(shape, _sh("description")),
            severity=_severity(sr.severity(shape), lang), targets=sr.targets(shape),
            requirements=sr.requirements(shape), properties=properties, sparql=sparql,
            used_by=reader.refs(refs_to.get(shape, set())), message_es=es, message_en=en))
    docs.sort(key=lambda d: (not d.targets, d.name.main.lower()))
    graph_iri = URIRef(str(SHAPES)[:-1])
    return ShapesDoc(str(graph_iri), reader.texts(graph_iri, DCTERMS.title, RDFS.label),
                     reader.texts(graph_iri, RDFS.comment, DCTERMS.description), docs)


def _shapes_used(g: Graph, shape: Node) -> set[Node]:
    used: set[Node] = set(g.objects(shape, _sh("node"))) | set(g.objects(shape, _sh("qualifiedValueShape")))
    for local in ("or", "and", "xone"):
        for lst in g.objects(shape, _sh(local)):
            used |= set(list_items(g, lst))
    return {u for u in used if isinstance(u, URIRef)}


def _severity(iri: str, lang: str) -> str:
    return i18n.text(SEVERITIES.get(iri, (qname(iri), qname(iri))), lang)
