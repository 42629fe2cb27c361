"""The HTML page of a thing: its stated and inferred facts, its referrers, its sources, in es or en.

The page shows a :class:`~paradip_kg.publish.describe.Description` (capped at :data:`VALUE_CAP`
values and :data:`INVERSE_CAP` referrers per property, each cap linking to the query that lists
them all) with labels in the page's language, and carries schema.org JSON-LD for search
engines. An agreement's page opens with its one-line summary (:mod:`paradip_kg.publish.summary`),
also the page's ``<meta name="description">``. A concept scheme's page is the documentation of that vocabulary.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import render_template

from paradip_kg import i18n
from paradip_kg.errors import NotDescribed
from paradip_kg.namespaces import PREFIXES
from paradip_kg.publish import describe
from paradip_kg.publish import labels as labelling
from paradip_kg.publish.docs.reader import anchor
from paradip_kg.publish.docs.vocab import SchemeDoc, vocab_doc
from paradip_kg.publish.labels import Labels, qname
from paradip_kg.publish.summary import agreement_summary
from paradip_kg.rdf.formats import Format
from paradip_kg.web import urls
from paradip_kg.web.state import get_state

VALUE_CAP = 200  # values of one property shown on a page
INVERSE_CAP = 25  # referrers through one property shown on a page
SCHEMA = "https://schema.org/"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_TYPE = PREFIXES["rdf"] + "type"


def _term_view(term: Any, labels: Labels) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"kind": "iri", "iri": term.value, "href": urls.link_for(term.value), "label": labels.label(term),
                "short": qname(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "id": term.value}
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        shown = None if datatype in (XSD_STRING, RDF_LANG_STRING, "") else qname(datatype)
        return {"kind": "literal", "value": term.value, "lang": term.language or "", "datatype": shown}
    return {"kind": "literal", "value": str(term), "lang": "", "datatype": None}


def _groups_view(groups: list[describe.Group], labels: Labels, iri: str | None = None,
                 inverse: bool = False) -> list[dict[str, Any]]:
    out = []
    for group in groups:
        values = labelling.in_language_order([v.term for v in group.values], labels.lang)
        flags = {str(v.term): v.inferred for v in group.values}
        more = None
        if group.capped and iri:
            pattern = f"?x <{group.predicate.value}> <{iri}>" if inverse else f"<{iri}> <{group.predicate.value}> ?x"
            more = urls.sparql_link(f"SELECT DISTINCT ?x WHERE {{ {pattern} }}")
        out.append({"predicate": _term_view(group.predicate, labels), "total": group.total, "more": more,
                    "values": [dict(_term_view(t, labels), inferred=flags[str(t)]) for t in values]})
    return sorted(out, key=lambda g: (g["predicate"]["iri"] != RDF_TYPE,
                                      g["predicate"]["label"].lower()))


def schema_org(desc: describe.Description, labels: Labels, page_url: str) -> dict[str, Any]:
    """JSON-LD for search engines: schema.org types and properties the ontology aligns us with
    (inference has added them), names in both languages, the sources as ``isBasedOn``."""
    def value(term: Any) -> Any:
        if isinstance(term, ox.NamedNode):
            return {"@id": term.value}
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype and term.datatype.value not in (XSD_STRING,):
                return {"@value": term.value, "@type": term.datatype.value}
            return term.value
        return None

    types = sorted({t.term.value[len(SCHEMA):] for t in desc.types
                    if isinstance(t.term, ox.NamedNode) and t.term.value.startswith(SCHEMA)})
    out: dict[str, Any] = {"@context": {"@vocab": SCHEMA}, "@id": desc.iri.value, "@type": types or ["Thing"],
                           "url": page_url}
    names = labels.literals(desc.iri, describe.LABEL_PREDICATES)
    if names:
        out["name"] = [value(n) for n in names]
    descriptions = labels.literals(desc.iri, describe.DESCRIPTION_PREDICATES)
    if descriptions:
        out["description"] = [value(d) for d in descriptions]
    same = [v.term.value for g in desc.stated + desc.inferred for v in g.values
            if g.predicate.value in (PREFIXES["owl"] + "sameAs", SCHEMA + "sameAs", PREFIXES["skos"] + "exactMatch")
            and isinstance(v.term, ox.NamedNode)]
    if same:
        out["sameAs"] = sorted(set(same))
    for group in desc.stated + desc.inferred:
        name = group.predicate.value
        if name.startswith(SCHEMA) and name[len(SCHEMA):] not in ("name", "description", "sameAs"):
            values = [value(v.term) for v in group.values if value(v.term) is not None]
            if values:
                # A key set above as one value ("url": the page; the data's schema:url) becomes a list.
                existing = out.get(name[len(SCHEMA):], [])
                out[name[len(SCHEMA):]] = (existing if isinstance(existing, list) else [existing]) + values
    if desc.sources:
        out["isBasedOn"] = [{"@id": s.value} for s in desc.sources]
    return out


def render_page(iri: str, lang: str, alternates: list[tuple[str, Format]]) -> str:
    """The HTML page of ``iri`` (a concept scheme's page is its vocabulary documentation)."""
    store = get_state().store()
    if describe.is_scheme(store, ox.NamedNode(iri)):
        return _render_scheme(iri, lang, alternates)
    desc = describe.describe(store, iri, VALUE_CAP, INVERSE_CAP)
    if desc is None:
        raise NotDescribed(f"<{iri}> is not described here.")
    labels = Labels(store, lang)
    node = ox.NamedNode(iri)
    other = Labels(store, i18n.other(lang))
    blank = {bid: _groups_view(groups, labels) for bid, groups in desc.blank.items()}
    schemes = [v.term.value for g in desc.stated for v in g.values
               if g.predicate.value == PREFIXES["skos"] + "inScheme" and isinstance(v.term, ox.NamedNode)]
    return render_template(
        "resource.html", lang=lang, iri=iri, label=labels.label(node), other_label=other.stated(node),
        description=labels.description(node), types=[dict(_term_view(t.term, labels), inferred=t.inferred)
                                                     for t in desc.types],
        stated=_groups_view(desc.stated, labels, iri), inferred=_groups_view(desc.inferred, labels, iri),
        inverse=_groups_view(desc.inverse, labels, iri, inverse=True), blank=blank,
        stated_count=desc.stated_count, inferred_count=desc.inferred_count,
        sources=[_term_view(s, labels) for s in desc.sources], alternates=alternates,
        describe_query=f"DESCRIBE <{iri}>", jsonld=schema_org(desc, labels, alternates[0][0]),
        summary=agreement_summary(store, iri, labels),
        schemes=[(s, anchor(iri)) for s in schemes])


def _render_scheme(iri: str, lang: str, alternates: list[tuple[str, Format]]) -> str:
    state = get_state()
    scheme = state.cached(("resource_page", "scheme", iri, lang), lambda: vocab_doc(state.store(), iri, lang))
    return render_template("vocab.html", lang=lang, scheme=scheme, schemes=None, alternates=alternates,
                           jsonld=_scheme_jsonld(scheme, alternates[0][0]))


def _scheme_jsonld(scheme: SchemeDoc, url: str) -> dict[str, Any]:
    return {"@context": {"@vocab": SCHEMA}, "@type": "DefinedTermSet", "@id": scheme.iri, "url": url,
            "name": scheme.title.main, "description": scheme.description.main,
            "hasDefinedTerm": [{"@type": "DefinedTerm", "@id": c.iri, "name": c.label.main,
                                "description": c.definition.main} for c in scheme.concepts[:VALUE_CAP]]}
