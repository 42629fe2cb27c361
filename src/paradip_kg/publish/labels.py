"""Labels of IRIs in the visitor's language: from the graph, built in for common properties, or short names.

    qname(iri)                    pdo:Agreement for an IRI in a known namespace
    Labels(store, lang).label(t)  the graph's label in ``lang`` (picked by :mod:`paradip_kg.i18n`),
                                  else a built-in one (:data:`KNOWN_LABELS`), else the short name
    in_language_order(terms, lang) values with the visitor's language first

Labels are read from the graphs things are described from (:data:`describe.DEFAULT_GRAPHS`);
the first label predicate that has any label wins (``skos:prefLabel`` over ``rdfs:label``, …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from paradip_kg import i18n
from paradip_kg.i18n import Pair
from paradip_kg.namespaces import PREFIXES
from paradip_kg.publish.describe import DEFAULT_GRAPHS, DESCRIPTION_PREDICATES, LABEL_PREDICATES, Term

# Labels of the external properties pages show most, for which no graph has labels.
KNOWN_LABELS: dict[str, Pair] = {
    "rdf:type": ("tipo", "type"),
    "rdfs:label": ("etiqueta", "label"),
    "rdfs:comment": ("comentario", "comment"),
    "rdfs:seeAlso": ("véase también", "see also"),
    "rdfs:isDefinedBy": ("definido por", "defined by"),
    "rdfs:subClassOf": ("subclase de", "subclass of"),
    "rdfs:subPropertyOf": ("subpropiedad de", "subproperty of"),
    "rdfs:domain": ("dominio", "domain"),
    "rdfs:range": ("rango", "range"),
    "owl:sameAs": ("el mismo que", "same as"),
    "owl:equivalentClass": ("clase equivalente", "equivalent class"),
    "owl:inverseOf": ("inversa de", "inverse of"),
    "skos:prefLabel": ("nombre preferente", "preferred label"),
    "skos:altLabel": ("otro nombre", "alternative label"),
    "skos:definition": ("definición", "definition"),
    "skos:scopeNote": ("nota de alcance", "scope note"),
    "skos:example": ("ejemplo", "example"),
    "skos:notation": ("notación", "notation"),
    "skos:inScheme": ("en el esquema", "in scheme"),
    "skos:topConceptOf": ("concepto principal de", "top concept of"),
    "skos:hasTopConcept": ("concepto principal", "top concept"),
    "skos:broader": ("concepto más amplio", "broader concept"),
    "skos:narrower": ("concepto más específico", "narrower concept"),
    "skos:related": ("relacionado", "related"),
    "skos:exactMatch": ("equivalente exacto", "exact match"),
    "skos:closeMatch": ("equivalente cercano", "close match"),
    "prov:wasDerivedFrom": ("derivado de", "derived from"),
    "prov:hadPrimarySource": ("fuente primaria", "primary source"),
    "dcterms:source": ("fuente", "source"),
    "dcterms:title": ("título", "title"),
    "dcterms:description": ("descripción", "description"),
    "dcterms:license": ("licencia", "licence"),
    "dcterms:identifier": ("identificador", "identifier"),
    "dcterms:subject": ("tema", "subject"),
    "dcterms:created": ("creado", "created"),
    "dcterms:modified": ("modificado", "modified"),
    "dcterms:publisher": ("editor", "publisher"),
    "dcterms:creator": ("autor", "creator"),
    "schema:name": ("nombre", "name"),
    "schema:sameAs": ("el mismo que", "same as"),
    "schema:url": ("URL", "URL"),
    "foaf:page": ("página", "page"),
    "foaf:homepage": ("página principal", "home page"),
}


def qname(iri: str) -> str:
    """``pdo:Agreement`` for an IRI in a known namespace, else the IRI."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def pick(literals: Iterable[Term], lang: str) -> ox.Literal | None:
    """The literal that best suits ``lang`` (:func:`paradip_kg.i18n.pick`); of equals, the first by value."""
    candidates = sorted((lit for lit in literals if isinstance(lit, ox.Literal)), key=lambda lit: lit.value)
    return i18n.pick(candidates, lang, lambda lit: lit.language)


def in_language_order(terms: Iterable[Term], lang: str) -> list[Term]:
    """Values with the visitor's language first (IRIs and blank nodes count as in every language)."""
    def key(term: Term) -> tuple[int, str]:
        if isinstance(term, ox.Literal):
            return (i18n.rank(term.language, lang), term.value)
        return (0, str(term))
    return sorted(terms, key=key)


class Labels:
    """Labels of IRIs in one language, read once per IRI and kept for the request."""

    def __init__(self, store: ox.Store, lang: str) -> None:
        self.store = store
        self.lang = i18n.supported(lang)
        self._cache: dict[str, str | None] = {}

    def literals(self, iri: ox.NamedNode, predicates: Sequence[ox.NamedNode]) -> list[ox.Literal]:
        found: list[ox.Literal] = []
        for predicate in predicates:
            for graph in DEFAULT_GRAPHS:
                for quad in self.store.quads_for_pattern(iri, predicate, None, graph):
                    if isinstance(quad.object, ox.Literal) and quad.object not in found:
                        found.append(quad.object)
            if found:  # the first predicate that has any wins: prefLabel over label, …
                return found
        return found

    def stated(self, term: Term) -> str | None:
        """The label the graph gives ``term``, or None."""
        if not isinstance(term, ox.NamedNode):
            return None
        key = term.value
        if key not in self._cache:
            best = pick(self.literals(term, LABEL_PREDICATES), self.lang)
            self._cache[key] = best.value if best is not None else None
        return self._cache[key]

    def label(self, term: Term) -> str:
        """A label for any term: the graph's, a built-in one for common properties, or its short name."""
        if isinstance(term, ox.Literal):
            return term.value
        if isinstance(term, ox.BlankNode):
            return "[…]"
        stated = self.stated(term)
        if stated:
            return stated
        known = KNOWN_LABELS.get(qname(term.value))
        if known:
            return i18n.text(known, self.lang)
        short = qname(term.value)
        if short != term.value and short.startswith("pdid:"):
            return short[len("pdid:"):]
        return short

    def description(self, iri: ox.NamedNode) -> str | None:
        best = pick(self.literals(iri, DESCRIPTION_PREDICATES), self.lang)
        return best.value if best is not None else None
