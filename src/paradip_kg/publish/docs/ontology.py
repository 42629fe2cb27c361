"""The documentation of the ontology: classes, properties, hierarchy, domains and ranges, alignments.

    ontology_doc(store, lang) → OntologyDoc

Definitions come in the reader's language with the other language alongside; each class shows
examples of its instances from the data, each property examples of its use. Each term gets an
``anchor`` (its local name), so ``/ontology#Agreement`` lands on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeGuard

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from paradip_kg import i18n
from paradip_kg.i18n import Pair
from paradip_kg.namespaces import GRAPHS, PDO
from paradip_kg.publish.describe import Term
from paradip_kg.publish.docs.expressions import expression
from paradip_kg.publish.docs.reader import RELATIONS, DataLabels, Reader, Ref, Text, Token, anchor, load_graph
from paradip_kg.publish.labels import qname


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


CHARACTERISTICS: dict[URIRef, Pair] = {
    OWL.TransitiveProperty: ("transitiva", "transitive"), OWL.SymmetricProperty: ("simétrica", "symmetric"),
    OWL.AsymmetricProperty: ("asimétrica", "asymmetric"), OWL.FunctionalProperty: ("funcional", "functional"),
    OWL.InverseFunctionalProperty: ("funcional inversa", "inverse functional"),
    OWL.ReflexiveProperty: ("reflexiva", "reflexive"), OWL.IrreflexiveProperty: ("irreflexiva", "irreflexive"),
}


def _ours(term: Node) -> TypeGuard[URIRef]:
    """Whether ``term`` is a term of our ontology (``pdo:``)."""
    return isinstance(term, URIRef) and str(term).startswith(str(PDO._NS))


def _uses(store: ox.Store, predicate: str, limit: int = 3) -> tuple[int, list[tuple[Term, Term]]]:
    """How many times the data uses ``predicate``, and the first ``limit`` (subject, object) pairs."""
    data = ox.NamedNode(str(GRAPHS["data"]))
    examples: list[tuple[Term, Term]] = []
    count = 0
    for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, data):
        count += 1
        subject, obj = quad.subject, quad.object
        # RDF 1.1 data: the build stores no quoted triples
        if len(examples) < limit and not isinstance(subject, ox.Triple) and not isinstance(obj, ox.Triple):
            examples.append((subject, obj))
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
    data_labels = DataLabels(store, lang)
    reader = Reader(g, lang, labels)
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


def _term_doc(store: ox.Store, g: Graph, reader: Reader, data_labels: DataLabels, term: URIRef,
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


def _class_tree(g: Graph, reader: Reader, classes: list[TermDoc]) -> list[TreeNode]:
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
