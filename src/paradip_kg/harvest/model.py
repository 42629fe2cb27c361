"""SPARQL JSON bindings → triples in Wikidata's own RDF model, and the PROV record of a harvest.

Kept as Wikidata writes them, so that a query written for WDQS runs on the harvested graph:
``wdt:P190`` direct claims; ``p:P190`` → statement (its Wikidata IRI) → ``ps:P190``, ``pq:P580``,
``pq:P582``, ``wikibase:rank``, ``prov:wasDerivedFrom`` → reference node → its ``pr:`` values;
labels as ``rdfs:label`` and ``schema:name``; ``wdt:P17``, ``wdt:P131``, ``wdt:P625``, ``wdt:P3801``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pyoxigraph as ox

from paradip_kg.namespaces import GRAPHS, ID

WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
WIKIBASE = "http://wikiba.se/ontology#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA_NAME = "http://schema.org/name"  # Wikidata's schema: is http
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
WIKIDATA_GRAPH = str(GRAPHS["wikidata"])

Binding = dict[str, dict[str, str]]


def term(value: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One SPARQL JSON results value as a pyoxigraph term."""
    kind = value.get("type")
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


def node(value: dict[str, str]) -> ox.NamedNode | ox.BlankNode:
    found = term(value)
    if isinstance(found, ox.Literal):
        raise ValueError(f"a literal where a resource belongs: {value.get('value')!r}")
    return found


def statement_triples(row: Binding) -> list[ox.Triple]:
    """A P190 statement: ``place p:P190 st``, ``st ps:P190 twin``, its rank and qualifiers."""
    place, statement, twin = node(row["place"]), node(row["statement"]), node(row["twin"])
    out = [ox.Triple(place, ox.NamedNode(P + "P190"), statement),
           ox.Triple(statement, ox.NamedNode(PS + "P190"), twin)]
    if "rank" in row:
        out.append(ox.Triple(statement, ox.NamedNode(WIKIBASE + "rank"), node(row["rank"])))
    for var, prop in (("start", "P580"), ("end", "P582")):
        if var in row:
            out.append(ox.Triple(statement, ox.NamedNode(PQ + prop), term(row[var])))
    return out


def direct_triple(row: Binding) -> ox.Triple:
    return ox.Triple(node(row["place"]), ox.NamedNode(WDT + "P190"), node(row["twin"]))


def predicate(value: dict[str, str]) -> ox.NamedNode:
    if value.get("type") != "uri":
        raise ValueError(f"a predicate that is not an IRI: {value.get('value')!r}")
    return ox.NamedNode(value["value"])


def reference_triples(row: Binding) -> list[ox.Triple]:
    statement, reference = node(row["statement"]), node(row["reference"])
    return [ox.Triple(statement, ox.NamedNode(PROV + "wasDerivedFrom"), reference),
            ox.Triple(reference, predicate(row["property"]), term(row["value"]))]


def label_triples(row: Binding) -> list[ox.Triple]:
    item, label = node(row["item"]), term(row["label"])
    return [ox.Triple(item, ox.NamedNode(RDFS + "label"), label), ox.Triple(item, ox.NamedNode(SCHEMA_NAME), label)]


def place_triple(row: Binding) -> ox.Triple:
    return ox.Triple(node(row["item"]), predicate(row["property"]), term(row["value"]))


def _lit(value: str, datatype: str | None = None) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)) if datatype else ox.Literal(value)


def provenance(*, started: datetime, ended: datetime, endpoint: str, selection: str, queries: Iterable[str],
               statements: Iterable[ox.NamedNode | ox.BlankNode], user_agent: str) -> list[ox.Triple]:
    """The harvest as a ``prov:Activity``: when, from which endpoint, with which queries; the graph as
    the ``prov:Entity`` it generated, its statements as external claims that the activity retrieved."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    activity = ox.NamedNode(f"{ID}harvest/wikidata-{stamp}")
    graph, service = ox.NamedNode(WIKIDATA_GRAPH), ox.NamedNode(endpoint)
    a = ox.NamedNode(RDF_TYPE)
    out = [
        ox.Triple(activity, a, ox.NamedNode(PROV + "Activity")),
        ox.Triple(activity, ox.NamedNode(RDFS + "label"), _lit(f"Harvest of Wikidata P190 twinnings ({selection})")),
        ox.Triple(activity, ox.NamedNode(PROV + "startedAtTime"), _lit(started.isoformat(), "dateTime")),
        ox.Triple(activity, ox.NamedNode(PROV + "endedAtTime"), _lit(ended.isoformat(), "dateTime")),
        ox.Triple(activity, ox.NamedNode(PROV + "used"), service),
        ox.Triple(activity, ox.NamedNode(PROV + "wasAssociatedWith"), ox.NamedNode(f"{ID}agent/paradip-kg-harvest")),
        ox.Triple(ox.NamedNode(f"{ID}agent/paradip-kg-harvest"), a, ox.NamedNode(PROV + "SoftwareAgent")),
        ox.Triple(ox.NamedNode(f"{ID}agent/paradip-kg-harvest"), ox.NamedNode(RDFS + "label"), _lit(user_agent)),
        ox.Triple(service, a, ox.NamedNode(PROV + "Entity")),
        ox.Triple(graph, a, ox.NamedNode(PROV + "Entity")),
        ox.Triple(graph, ox.NamedNode(PROV + "wasGeneratedBy"), activity),
        ox.Triple(graph, ox.NamedNode(PROV + "generatedAtTime"), _lit(ended.isoformat(), "dateTime")),
        ox.Triple(graph, ox.NamedNode(PROV + "wasDerivedFrom"), service),
        ox.Triple(graph, ox.NamedNode(DCT + "description"),
                  _lit("External claims: P190 (twinned administrative body) statements as Wikidata's editors "
                       "state them, retrieved from the endpoint above; not facts of the paradip-kg graph.")),
    ]
    for n, text in enumerate(dict.fromkeys(queries), 1):
        query = ox.NamedNode(f"{activity.value}/query/{n}")
        out += [ox.Triple(activity, ox.NamedNode(PROV + "used"), query),
                ox.Triple(query, a, ox.NamedNode(PROV + "Plan")),
                ox.Triple(query, ox.NamedNode(PROV + "value"), _lit(text))]
    for statement in statements:
        out.append(ox.Triple(statement, ox.NamedNode(PROV + "wasGeneratedBy"), activity))
    return out
