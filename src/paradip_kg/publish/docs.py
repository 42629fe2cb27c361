"""Documentation generated from the graph, in the spirit of pyLODE and Widoco.

    ontology_doc(store, lang)        classes, properties, hierarchy, domains and ranges,
                                     definitions in es and en, alignments, examples from the data
    vocab_doc(store, scheme, lang)   one SKOS concept scheme: concepts, hierarchy, matches, usage
    vocab_index(store, lang)         every concept scheme, with its size
    shapes_doc(store, lang)          every SHACL shape: its targets, and what it requires, in es and en

Each term gets an ``anchor`` (its local name), so ``/ontology#Agreement`` and
``/shapes#AgreementShape`` land on it. The models hold plain data (strings and :class:`Ref`
links); templates render them, and escape everything. Nothing here fails on a missing
annotation: a term without a label is shown by its short name (pyLODE#72).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Union

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.namespaces import GRAPHS, PDO, SHAPES
from paradip_kg.publish.labels import KNOWN_LABELS, Labels, qname
from paradip_kg.rdf.parse import to_rdflib

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Ref:
    """A link to a term: its IRI, the label to show, and its short name."""

    iri: str
    label: str
    short: str


Token = Union[str, Ref]


@dataclass
class Text:
    """A text in the visitor's language, and the same text in the other language when it differs."""

    main: str = ""
    main_lang: str = ""
    other: str = ""
    other_lang: str = ""

    def __bool__(self) -> bool:
        return bool(self.main or self.other)


def load_graph(store: ox.Store, *keys: str) -> Graph:
    """The union of the named graphs ``keys`` as an rdflib Graph."""
    graph = Graph()
    for key in keys:
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[key]))):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph


def anchor(iri: str) -> str:
    """The local name of an IRI: after ``#``, else after the last ``/``."""
    if "#" in iri:
        return iri.rsplit("#", 1)[1]
    return iri.rstrip("/").rsplit("/", 1)[-1]


class _Reader:
    """Labels and texts from one rdflib graph, in one language."""

    def __init__(self, graph: Graph, lang: str, label_graph: Graph | None = None) -> None:
        self.g = graph
        self.labels_from = label_graph if label_graph is not None else graph
        self.lang = lang

    def texts(self, subject: Node, *predicates: URIRef, graph: Graph | None = None) -> Text:
        g = graph if graph is not None else self.g
        literals = [o for p in predicates for o in g.objects(subject, p) if isinstance(o, Literal)]
        if not literals:
            return Text()
        by_lang = i18n.by_language((i18n.base(lit.language), str(lit)) for lit in sorted(literals, key=str))
        main_lang = i18n.pick(sorted(by_lang), self.lang, lambda tag: tag) or ""
        main, other = by_lang[main_lang], i18n.other(self.lang)
        second = by_lang.get(other if main_lang != other else self.lang, "")
        second_lang = (other if main_lang != other else self.lang) if second and second != main else ""
        return Text(main, main_lang, second if second != main else "", second_lang)

    def label(self, term: Node) -> str:
        if isinstance(term, Literal):
            return str(term)
        if isinstance(term, BNode):
            return "[…]"
        text = self.texts(term, SKOS.prefLabel, RDFS.label, URIRef(SH + "name"), DCTERMS.title,
                          graph=self.labels_from)
        if not text.main and self.labels_from is not self.g:
            text = self.texts(term, SKOS.prefLabel, RDFS.label, URIRef(SH + "name"), DCTERMS.title)
        if text.main:
            return text.main
        known = KNOWN_LABELS.get(qname(str(term)))
        if known:
            return i18n.text(known, self.lang)
        return qname(str(term))

    def ref(self, term: Node) -> Ref:
        return Ref(str(term), self.label(term), qname(str(term)))

    def refs(self, terms: Iterable[Node]) -> list[Ref]:
        return sorted({self.ref(t) for t in terms if isinstance(t, URIRef)}, key=lambda r: r.label.lower())

    def items(self, node: Node) -> list[Node]:
        return list_items(self.g, node)


def list_items(g: Graph, node: Node) -> list[Node]:
    """The members of an RDF list, without the ``None`` a broken list ends in; empty when
    ``node`` is not a list. A malformed list documents as empty rather than failing the page."""
    try:
        return [item for item in Collection(g, node) if item is not None]
    except Exception:  # noqa: BLE001 - rdflib raises several kinds on cyclic or broken lists
        return []


# --- Class expressions --------------------------------------------------------------------

_WORDS = {
    "and": ("y", "and"), "or": ("o", "or"), "not": ("no", "not"), "some": ("algún", "some"),
    "only": ("solo", "only"), "value": ("con valor", "value"), "min": ("mínimo", "min"),
    "max": ("máximo", "max"), "exactly": ("exactamente", "exactly"), "self": ("a sí mismo", "self"),
    "one of": ("uno de", "one of"),
}


def _word(key: str, lang: str) -> str:
    return i18n.text(_WORDS[key], lang)


def expression(reader: _Reader, node: Node, depth: int = 0) -> list[Token]:
    """An OWL class expression as words and links (Manchester-like, in the visitor's language)."""
    lang, g = reader.lang, reader.g
    if isinstance(node, URIRef):
        return [reader.ref(node)]
    if isinstance(node, Literal):
        return [str(node)]
    if depth > 6:
        return ["…"]

    def join(members: list[Node], word: str) -> list[Token]:
        out: list[Token] = ["("]
        for i, member in enumerate(members):
            if i:
                out.append(f" {_word(word, lang)} ")
            out += expression(reader, member, depth + 1)
        return out + [")"]

    for predicate, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
        lst = g.value(node, predicate)
        if lst is not None:
            return join(reader.items(lst), word)
    complement = g.value(node, OWL.complementOf)
    if complement is not None:
        return [_word("not", lang) + " "] + expression(reader, complement, depth + 1)
    one_of = g.value(node, OWL.oneOf)
    if one_of is not None:
        out: list[Token] = [_word("one of", lang) + " {"]
        for i, member in enumerate(reader.items(one_of)):
            out += ([", "] if i else []) + expression(reader, member, depth + 1)
        return out + ["}"]
    prop = g.value(node, OWL.onProperty)
    if prop is not None:
        head: list[Token] = expression(reader, prop, depth + 1)
        for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value")):
            target = g.value(node, predicate)
            if target is not None:
                return head + [f" {_word(word, lang)} "] + expression(reader, target, depth + 1)
        for predicate, word in ((OWL.minCardinality, "min"), (OWL.maxCardinality, "max"),
                                (OWL.cardinality, "exactly"), (OWL.minQualifiedCardinality, "min"),
                                (OWL.maxQualifiedCardinality, "max"), (OWL.qualifiedCardinality, "exactly")):
            n = g.value(node, predicate)
            if n is not None:
                tail: list[Token] = []
                on_class = g.value(node, OWL.onClass)
                if on_class is not None:
                    tail = [" "] + expression(reader, on_class, depth + 1)
                return head + [f" {_word(word, lang)} {n}"] + tail
        if g.value(node, OWL.hasSelf) is not None:
            return head + [f" {_word('self', lang)}"]
    return ["[…]"]


# --- The ontology --------------------------------------------------------------------------

@dataclass
class TermDoc:
    iri: str
    anchor: str
    short: str
    kind: str  # class, object, datatype, annotation
    label: Text
    definition: Text
    comment: Text
    examples: list[Text] = field(default_factory=list)
    supers: list[Ref] = field(default_factory=list)
    super_expressions: list[list[Token]] = field(default_factory=list)
    subs: list[Ref] = field(default_factory=list)
    equivalents: list[list[Token]] = field(default_factory=list)
    alignments: list[tuple[str, Ref]] = field(default_factory=list)  # (relation, external term)
    domains: list[list[Token]] = field(default_factory=list)
    ranges: list[list[Token]] = field(default_factory=list)
    inverse: list[Ref] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    in_domain_of: list[Ref] = field(default_factory=list)
    in_range_of: list[Ref] = field(default_factory=list)
    instances: list[Ref] = field(default_factory=list)  # examples from the data
    instance_count: int = 0
    uses: list[tuple[Ref, Token]] = field(default_factory=list)  # (subject, object) examples
    use_count: int = 0


@dataclass
class TreeNode:
    ref: Ref
    anchor: str
    children: list[TreeNode] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    title: Text
    description: Text
    comment: Text
    version: str
    license: str
    created: str
    modified: str
    namespace: str
    prefix: str
    classes: list[TermDoc]
    object_properties: list[TermDoc]
    datatype_properties: list[TermDoc]
    annotation_properties: list[TermDoc]
    tree: list[TreeNode]
    alignments: list[tuple[Ref, str, Ref]]  # (our term, relation, external term)

    @property
    def terms(self) -> list[TermDoc]:
        return self.classes + self.object_properties + self.datatype_properties + self.annotation_properties


CHARACTERISTICS = {
    OWL.TransitiveProperty: ("transitiva", "transitive"), OWL.SymmetricProperty: ("simétrica", "symmetric"),
    OWL.AsymmetricProperty: ("asimétrica", "asymmetric"), OWL.FunctionalProperty: ("funcional", "functional"),
    OWL.InverseFunctionalProperty: ("funcional inversa", "inverse functional"),
    OWL.ReflexiveProperty: ("reflexiva", "reflexive"), OWL.IrreflexiveProperty: ("irreflexiva", "irreflexive"),
}
RELATIONS = {
    RDFS.subClassOf: ("subclase de", "subclass of"), OWL.equivalentClass: ("equivalente a", "equivalent to"),
    RDFS.subPropertyOf: ("subpropiedad de", "subproperty of"),
    OWL.equivalentProperty: ("equivalente a", "equivalent to"),
    SKOS.exactMatch: ("equivalente exacto", "exact match"), SKOS.closeMatch: ("equivalente cercano", "close match"),
    SKOS.broadMatch: ("más amplio", "broad match"), SKOS.narrowMatch: ("más específico", "narrow match"),
    SKOS.relatedMatch: ("relacionado", "related match"), RDFS.seeAlso: ("véase", "see also"),
}


def _ours(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(PDO._NS))


def _uses(store: ox.Store, predicate: str, limit: int = 3) -> tuple[int, list[tuple[Any, Any]]]:
    data = ox.NamedNode(str(GRAPHS["data"]))
    examples = []
    count = 0
    for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, data):
        count += 1
        if len(examples) < limit:
            examples.append((quad.subject, quad.object))
    return count, examples


def _instances(store: ox.Store, cls: str, limit: int = 5) -> tuple[int, list[ox.NamedNode]]:
    rdf_type = ox.NamedNode(str(RDF.type))
    found: list[ox.NamedNode] = []
    seen: set[str] = set()
    for key in ("data", "inferred"):
        for quad in store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls), ox.NamedNode(str(GRAPHS[key]))):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value not in seen:
                seen.add(quad.subject.value)
                if len(found) < limit:
                    found.append(quad.subject)
    return len(seen), found


def ontology_doc(store: ox.Store, lang: str) -> OntologyDoc:
    """The documentation of the ontology graph, in ``lang`` (with the other language alongside)."""
    g = load_graph(store, "ontology")
    labels = load_graph(store, "ontology", "vocab")
    data_labels = _DataLabels(store, lang)
    reader = _Reader(g, lang, labels)
    ont = next((s for s in g.subjects(RDF.type, OWL.Ontology) if isinstance(s, URIRef)), URIRef(str(PDO._NS)[:-1]))

    kinds = {"class": (OWL.Class, RDFS.Class), "object": (OWL.ObjectProperty,), "datatype": (OWL.DatatypeProperty,),
             "annotation": (OWL.AnnotationProperty,)}
    docs: dict[str, list[TermDoc]] = {k: [] for k in kinds}
    for kind, types in kinds.items():
        terms = sorted({s for t in types for s in g.subjects(RDF.type, t) if _ours(s)}, key=str)
        for term in terms:
            docs[kind].append(_term_doc(store, g, reader, data_labels, term, kind))
    for kind in docs:
        docs[kind].sort(key=lambda d: d.label.main.lower())

    alignments: list[tuple[Ref, str, Ref]] = []
    for doc in (d for ds in docs.values() for d in ds):
        for relation, ext in doc.alignments:
            alignments.append((Ref(doc.iri, doc.label.main, doc.short), relation, ext))

    return OntologyDoc(
        iri=str(ont), title=reader.texts(ont, DCTERMS.title, RDFS.label),
        description=reader.texts(ont, DCTERMS.description), comment=reader.texts(ont, RDFS.comment),
        version=str(g.value(ont, OWL.versionInfo) or ""), license=str(g.value(ont, DCTERMS.license) or ""),
        created=str(g.value(ont, DCTERMS.created) or ""), modified=str(g.value(ont, DCTERMS.modified) or ""),
        namespace=str(PDO._NS), prefix="pdo", classes=docs["class"], object_properties=docs["object"],
        datatype_properties=docs["datatype"], annotation_properties=docs["annotation"],
        tree=_class_tree(g, reader, docs["class"]), alignments=alignments)


class _DataLabels:
    """Labels of things in the data (for examples), through :class:`paradip_kg.publish.describe.Labels`."""

    def __init__(self, store: ox.Store, lang: str) -> None:
        self.labels = Labels(store, lang)

    def ref(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Token:
        if isinstance(term, ox.NamedNode):
            return Ref(term.value, self.labels.label(term), qname(term.value))
        return self.labels.label(term)


def _term_doc(store: ox.Store, g: Graph, reader: _Reader, data_labels: _DataLabels, term: URIRef,
              kind: str) -> TermDoc:
    lang = reader.lang
    doc = TermDoc(iri=str(term), anchor=anchor(str(term)), short=qname(str(term)), kind=kind,
                  label=reader.texts(term, RDFS.label, SKOS.prefLabel),
                  definition=reader.texts(term, SKOS.definition, DCTERMS.description),
                  comment=reader.texts(term, RDFS.comment))
    if not doc.label.main:
        doc.label = Text(qname(str(term)))
    examples = [o for o in g.objects(term, SKOS.example) if isinstance(o, Literal)]
    by_lang = [e for e in examples if (e.language or "") in (lang, "")] or examples
    doc.examples = [Text(str(e), e.language or "") for e in sorted(by_lang, key=str)]

    sup_p, eq_p = (RDFS.subClassOf, OWL.equivalentClass) if kind == "class" else (RDFS.subPropertyOf,
                                                                                  OWL.equivalentProperty)
    for sup in g.objects(term, sup_p):
        if isinstance(sup, URIRef):
            doc.supers.append(reader.ref(sup))
        else:
            doc.super_expressions.append(expression(reader, sup))
    doc.supers.sort(key=lambda r: r.label.lower())
    doc.subs = reader.refs(s for s in g.subjects(sup_p, term) if _ours(s))
    doc.equivalents = [expression(reader, e) for e in g.objects(term, eq_p)]
    for relation, words in RELATIONS.items():
        for ext in g.objects(term, relation):
            if isinstance(ext, URIRef) and not _ours(ext):
                doc.alignments.append((i18n.text(words, lang), reader.ref(ext)))

    if kind == "class":
        doc.in_domain_of = reader.refs(p for p in g.subjects(RDFS.domain, term) if _ours(p))
        doc.in_range_of = reader.refs(p for p in g.subjects(RDFS.range, term) if _ours(p))
        doc.instance_count, instances = _instances(store, str(term))
        doc.instances = [t for t in (data_labels.ref(i) for i in instances) if isinstance(t, Ref)]
    else:
        doc.domains = [expression(reader, d) for d in g.objects(term, RDFS.domain)]
        doc.ranges = [expression(reader, r) for r in g.objects(term, RDFS.range)]
        doc.inverse = reader.refs([*g.objects(term, OWL.inverseOf), *g.subjects(OWL.inverseOf, term)])
        doc.characteristics = [i18n.text(words, lang) for t, words in CHARACTERISTICS.items()
                               if (term, RDF.type, t) in g]
        doc.use_count, uses = _uses(store, str(term))
        for s, o in uses:
            subject = data_labels.ref(s)
            if isinstance(subject, Ref):
                doc.uses.append((subject, data_labels.ref(o)))
    return doc


def _class_tree(g: Graph, reader: _Reader, classes: list[TermDoc]) -> list[TreeNode]:
    """Our classes as a forest: roots have no superclass of ours; a class with two parents shows under each."""
    by_iri = {d.iri: d for d in classes}

    def node(iri: str, path: frozenset[str]) -> TreeNode:
        doc = by_iri[iri]
        children = sorted((s for s in {str(x) for x in g.subjects(RDFS.subClassOf, URIRef(iri))}
                           if s in by_iri and s not in path), key=lambda s: by_iri[s].label.main.lower())
        return TreeNode(Ref(iri, doc.label.main, doc.short), doc.anchor,
                        [node(c, path | {c}) for c in children])

    roots = [d.iri for d in classes
             if not any(str(sup) in by_iri for sup in g.objects(URIRef(d.iri), RDFS.subClassOf))]
    return [node(r, frozenset({r})) for r in roots]


# --- SKOS vocabularies ---------------------------------------------------------------------

@dataclass
class ConceptDoc:
    iri: str
    anchor: str
    label: Text
    alt_labels: list[str]
    definition: Text
    scope_note: Text
    notation: str
    broader: list[Ref]
    narrower: list[Ref]
    matches: list[tuple[str, Ref]]
    use_count: int
    uses: list[Ref]
    depth: int = 0


@dataclass
class SchemeDoc:
    iri: str
    title: Text
    description: Text
    license: str
    sources: list[Ref]
    concepts: list[ConceptDoc]
    concept_count: int = 0


def _schemes(g: Graph) -> list[URIRef]:
    return sorted((s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)), key=str)


def vocab_index(store: ox.Store, lang: str) -> list[SchemeDoc]:
    """Every concept scheme of the vocabulary graph (without its concepts), by title."""
    g = load_graph(store, "vocab")
    reader = _Reader(g, lang)
    out = []
    for scheme in _schemes(g):
        members = set(g.subjects(SKOS.inScheme, scheme)) | set(g.subjects(SKOS.topConceptOf, scheme))
        out.append(SchemeDoc(str(scheme), reader.texts(scheme, DCTERMS.title, RDFS.label, SKOS.prefLabel),
                             reader.texts(scheme, DCTERMS.description, RDFS.comment, SKOS.definition),
                             str(g.value(scheme, DCTERMS.license) or ""), [], [], len(members)))
    return sorted(out, key=lambda s: s.title.main.lower())


def vocab_doc(store: ox.Store, scheme_iri: str, lang: str) -> SchemeDoc | None:
    """One concept scheme with its concepts in hierarchy order, or None if there is no such scheme."""
    g = load_graph(store, "vocab")
    scheme = URIRef(scheme_iri)
    if (scheme, RDF.type, SKOS.ConceptScheme) not in g:
        return None
    reader = _Reader(g, lang)
    data_labels = _DataLabels(store, lang)
    members = {m for m in set(g.subjects(SKOS.inScheme, scheme)) | set(g.subjects(SKOS.topConceptOf, scheme))
               if isinstance(m, URIRef)}
    data = ox.NamedNode(str(GRAPHS["data"]))

    def concept(term: URIRef, depth: int) -> ConceptDoc:
        uses: list[Ref] = []
        count = 0
        for quad in store.quads_for_pattern(None, None, ox.NamedNode(str(term)), data):
            count += 1
            if len(uses) < 5:
                ref = data_labels.ref(quad.subject)
                if isinstance(ref, Ref) and ref not in uses:
                    uses.append(ref)
        matches = [(i18n.text(words, lang), reader.ref(o)) for rel, words in RELATIONS.items()
                   if rel not in (RDFS.subClassOf, RDFS.subPropertyOf) for o in g.objects(term, rel)
                   if isinstance(o, URIRef)]
        label = reader.texts(term, SKOS.prefLabel, RDFS.label)
        return ConceptDoc(
            iri=str(term), anchor=anchor(str(term)), label=label if label else Text(qname(str(term))),
            alt_labels=sorted(str(o) for o in g.objects(term, SKOS.altLabel)
                              if isinstance(o, Literal) and (o.language or lang) == lang),
            definition=reader.texts(term, SKOS.definition), scope_note=reader.texts(term, SKOS.scopeNote),
            notation=", ".join(sorted(str(n) for n in g.objects(term, SKOS.notation))),
            broader=reader.refs([*g.objects(term, SKOS.broader), *g.subjects(SKOS.narrower, term)]),
            narrower=reader.refs([*g.objects(term, SKOS.narrower), *g.subjects(SKOS.broader, term)]),
            matches=matches, use_count=count, uses=uses, depth=depth)

    def broader(term: URIRef) -> set[Node]:
        return ({*g.objects(term, SKOS.broader), *g.subjects(SKOS.narrower, term)}) & members

    ordered: list[ConceptDoc] = []
    placed: set[URIRef] = set()

    def walk(term: URIRef, depth: int) -> None:
        if term in placed:
            return
        placed.add(term)
        ordered.append(concept(term, depth))
        children = [m for m in members if term in broader(m)]
        for child in sorted(children, key=lambda m: reader.label(m).lower()):
            walk(child, depth + 1)

    roots = [m for m in members if not broader(m)]
    for root in sorted(roots, key=_concept_order(g, reader)):
        walk(root, 0)
    for rest in sorted(members - placed, key=str):  # cycles in broader: still listed, once
        walk(rest, 0)
    return SchemeDoc(str(scheme), reader.texts(scheme, DCTERMS.title, RDFS.label, SKOS.prefLabel),
                     reader.texts(scheme, DCTERMS.description, RDFS.comment, SKOS.definition),
                     str(g.value(scheme, DCTERMS.license) or ""),
                     [data_labels.ref(ox.NamedNode(str(s))) for s in g.objects(scheme, DCTERMS.source)
                      if isinstance(s, URIRef)],  # type: ignore[misc]
                     ordered, len(members))


def _concept_order(g: Graph, reader: _Reader):
    """Order concepts by notation when they have a numeric one (SDG 1…17), else by label."""
    def key(term: Node) -> tuple:
        notation = str(g.value(term, SKOS.notation) or "")
        local = anchor(str(term))
        numeric = [int(p) if p.isdigit() else 0 for p in (notation or local).split(".")] if \
            (notation or local).replace(".", "").isdigit() else []
        return (0 if numeric else 1, numeric, reader.label(term).lower())
    return key


# --- SHACL shapes --------------------------------------------------------------------------

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
        self.readers = {code: _Reader(g, code, labels) for code in i18n.LANGUAGES}
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
            out.append(_both(["uno de: "] + self.refs(members, "es", ","), ["one of: "] + self.refs(members, "en", ",")))
        for local, es, en, w_es, w_en in (("or", "conforme a alguna de ", "conforming to one of ", "o", "or"),
                                          ("and", "conforme a todas ", "conforming to all of ", "y", "and"),
                                          ("xone", "conforme a exactamente una de ", "conforming to exactly one of ",
                                           "o", "or")):
            items = lst(local)
            if items:
                out.append(_both([es] + self.refs(items, "es", w_es), [en] + self.refs(items, "en", w_en)))
        negated = value("not")
        if negated is not None:
            out.append(_both(["no conforme a ", self.ref(negated, "es")], ["not conforming to ", self.ref(negated, "en")]))
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
                iri=str(prop) if isinstance(prop, URIRef) else "", anchor=anchor(str(prop)) if isinstance(prop, URIRef) else "",
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
