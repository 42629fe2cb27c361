"""The SPARQL 1.1 Service Description of ``/sparql`` (GET without a query), and its answer.

https://www.w3.org/TR/sparql11-service-description/: the endpoint, the languages and result
formats it speaks, its limits (in words), the default dataset (which graphs the default graph
merges, with their triple counts from the build manifest) and the named graphs; the update
endpoint when writes are on. Served in any RDF format; a browser gets the query page instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from flask import Response, request

from paradip_kg.errors import NotAcceptable
from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS
from paradip_kg.rdf.formats import FORMATS_NS, RDF_FORMATS
from paradip_kg.sparql.results import serialize_rdf
from paradip_kg.web import conneg, http
from paradip_kg.web.language import page_language
from paradip_kg.web.sparql_page import STARTER_QUERY, render_page
from paradip_kg.web.state import AppState, get_state

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD_PREFIXES = {"sd": SD, "formats": FORMATS_NS, "void": "http://rdfs.org/ns/void#",
               "dcterms": "http://purl.org/dc/terms/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
               "pdg": str(GRAPHS["data"]).rsplit("/", 1)[0] + "/"}
FORMATS = (*RDF_FORMATS, conneg.HTML)


def describe_service(overrides: Sequence[str]) -> Response:
    """The Service Description in the negotiated RDF format, or the query page for a browser."""
    state = get_state()
    fmt = conneg.choose(request.accept_mimetypes, overrides, FORMATS)
    if fmt is None:
        raise NotAcceptable("The Service Description is RDF: ask for one of "
                            + ", ".join(f.media_type for f in FORMATS) + ".")
    if fmt is conneg.HTML:
        response = render_page(query=STARTER_QUERY, lang=page_language())
    else:
        validator = http.validator("sd", request.base_url, fmt.name, state.union_default_graph,
                                   *(state.settings[k] for k in ("allow_service", "query_timeout", "result_limit")))
        if validator.current():
            return http.headers(Response(status=304), validator)
        body = serialize_rdf(service_description(state, request.base_url), fmt, SD_PREFIXES)
        response = http.headers(Response(body, content_type=fmt.content_type), validator)
    response.vary.add("Accept")
    return response


def graph_counts(state: AppState) -> dict[str, int]:
    """Triples per graph IRI, from the build manifest (empty when there is none)."""
    manifest = state.manifest()
    counts: dict[str, int] = {}
    for key, value in (manifest.triples if manifest else {}).items():
        counts[str(GRAPHS[key]) if key in GRAPHS else key] = int(value)
    return counts


def named_graphs(state: AppState) -> list[str]:
    return sorted(g.value for g in state.store().named_graphs() if isinstance(g, ox.NamedNode))


def sd(local: str) -> ox.NamedNode:
    return ox.NamedNode(SD + local)


def service_description(state: AppState, endpoint_url: str) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint, as triples."""
    void_triples = ox.NamedNode("http://rdfs.org/ns/void#triples")
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    source = ox.NamedNode("http://purl.org/dc/terms/source")
    service, dataset, default_graph = ox.NamedNode(endpoint_url), ox.BlankNode("dataset"), ox.BlankNode("default")
    settings = state.settings
    triples = [ox.Triple(service, RDF_TYPE, sd("Service")), ox.Triple(service, sd("endpoint"), service),
               ox.Triple(service, sd("supportedLanguage"), sd("SPARQL10Query")),
               ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
               ox.Triple(service, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
               ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/title"),
                         ox.Literal("paradip-kg SPARQL endpoint", language="en")),
               ox.Triple(service, ox.NamedNode("http://purl.org/dc/terms/title"),
                         ox.Literal("Punto de acceso SPARQL de paradip-kg", language="es")),
               ox.Triple(service, comment, ox.Literal(
                   "Queries only (updates go to /update when the operator enables writes). "
                   f"Queries are stopped after {settings['query_timeout']:g} s (HTTP 503); results "
                   f"are cut at {settings['result_limit']} rows or triples, and the header X-Paradip-Truncated "
                   "says when. Dataset IRIs never cause a fetch: a graph that is not in the store is empty.",
                   language="en")),
               ox.Triple(service, sd("defaultDataset"), dataset), ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
               ox.Triple(dataset, sd("defaultGraph"), default_graph),
               ox.Triple(default_graph, RDF_TYPE, sd("Graph"))]
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(f.sd_iri))
                for f in (*conneg.RESULT_FORMATS, *RDF_FORMATS)]
    if settings["allow_service"]:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    if settings.get("write_tokens") and state.backend.writable:  # writes on: /update takes SPARQL 1.1 Update
        update = ox.NamedNode(endpoint_url.rsplit("/sparql", 1)[0] + "/update")
        triples += [ox.Triple(update, RDF_TYPE, sd("Service")), ox.Triple(update, sd("endpoint"), update),
                    ox.Triple(update, sd("supportedLanguage"), sd("SPARQL11Update")),
                    ox.Triple(update, comment, ox.Literal(
                        "Needs a bearer token; each change is validated against the shapes before it is "
                        "committed (422 with the SHACL report otherwise).", language="en"))]
    counts, names = graph_counts(state), named_graphs(state)
    if state.union_default_graph:
        triples.append(ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")))
        triples.append(ox.Triple(default_graph, comment, ox.Literal(
            "The default graph is the union of every graph of the store.", language="en")))
        members = names
    else:
        members = [str(GRAPHS[k]) for k in DEFAULT_GRAPHS]
        triples.append(ox.Triple(default_graph, comment, ox.Literal(
            "The default graph is the union (RDF merge) of the named graphs ontology, vocab, data and inferred "
            "(dcterms:source); each is also reachable by name.", language="en")))
        triples.append(ox.Triple(default_graph, comment, ox.Literal(
            "El grafo por defecto es la unión de los grafos con nombre ontology, vocab, data e inferred "
            "(dcterms:source); cada uno se consulta también por su nombre.", language="es")))
        triples += [ox.Triple(default_graph, source, ox.NamedNode(g)) for g in members]
    if counts and all(g in counts for g in members):
        total = sum(counts[g] for g in members) + (counts.get("default", 0) if state.union_default_graph else 0)
        triples.append(ox.Triple(default_graph, void_triples, ox.Literal(str(total), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))))
    for index, name in enumerate(names):
        node, graph = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(node, RDF_TYPE, sd("NamedGraph")),
                    ox.Triple(node, sd("name"), ox.NamedNode(name)), ox.Triple(node, sd("graph"), graph),
                    ox.Triple(graph, RDF_TYPE, sd("Graph"))]
        if name in counts:
            triples.append(ox.Triple(graph, void_triples, ox.Literal(
                str(counts[name]), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    return triples
