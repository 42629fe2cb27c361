"""``/sparql/vocabulary.json``: what the query editor completes, read from the published graph.

The editor (``static/sparql-editor.js``) completes prefixes, and the classes, properties and
concepts of the ontology and vocabulary graphs, by their prefixed name or by their Spanish and
English labels. This answers them once per published state (the app's cache) as::

    {"prefixes": {"pdo": "https://w3id.org/paradip/ontology#", ...},
     "terms": [{"iri": ..., "curie": "pdo:Agreement", "kind": "class",
                "labels": {"es": "Acuerdo", "en": "Agreement"}, "comments": {"es": ..., "en": ...}}, ...]}

Prefixes are the project's (:data:`paradip_kg.namespaces.PREFIXES`), the ones ``/sparql`` and
``paradip-kg query`` predeclare.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from paradip_kg.namespaces import GRAPHS, PREFIXES
from paradip_kg.sparql.execute import run_query
from paradip_kg.web.sparql_page import curie
from paradip_kg.web.state import get_state

bp = Blueprint("query_vocabulary", __name__)

KINDS = {"owl:Class": "class", "rdfs:Class": "class", "owl:ObjectProperty": "property",
         "owl:DatatypeProperty": "property", "owl:AnnotationProperty": "property", "rdf:Property": "property",
         "skos:Concept": "concept", "skos:ConceptScheme": "scheme"}
LANGS = ("es", "en")


def vocabulary_query() -> str:
    kinds = " ".join(f'({t} "{k}")' for t, k in KINDS.items())
    graphs = ", ".join(f"<{GRAPHS[g]}>" for g in ("ontology", "vocab"))
    return f"""SELECT ?term ?kind ?label ?comment WHERE {{
  VALUES (?type ?kind) {{ {kinds} }}
  GRAPH ?g {{ ?term a ?type }}
  FILTER(?g IN ({graphs}) && isIRI(?term))
  OPTIONAL {{ GRAPH ?g {{ ?term rdfs:label|skos:prefLabel ?label }} }}
  OPTIONAL {{ GRAPH ?g {{ ?term rdfs:comment|skos:definition ?comment }} }}
}}"""


def build_vocabulary(store: Any) -> dict[str, Any]:
    """The terms to complete, sorted by prefixed name; only terms under a project prefix."""
    terms: dict[str, dict[str, Any]] = {}
    for row in run_query(store, vocabulary_query(), PREFIXES):
        iri = row["term"].value
        name = curie(iri)
        if name is None or not name.split(":", 1)[1]:
            continue
        term = terms.setdefault(iri, {"iri": iri, "curie": name, "kind": row["kind"].value, "labels": {},
                                      "comments": {}})
        if term["kind"] == "property" and row["kind"].value == "class":
            term["kind"] = "class"
        for key, field in (("label", "labels"), ("comment", "comments")):
            literal = row[key]
            if literal is not None and (literal.language or "") in LANGS and literal.language not in term[field]:
                term[field][literal.language] = literal.value
    return {"prefixes": dict(PREFIXES), "terms": sorted(terms.values(), key=lambda t: t["curie"])}


@bp.get("/sparql/vocabulary.json")
def vocabulary() -> Response:
    """The prefixes and terms the query editor completes."""
    state = get_state()
    data = state.cached(("web.query_vocabulary",), lambda: build_vocabulary(state.store()))
    response = jsonify(data)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
