"""How the terms of a validation report are written for people and for programs.

A report names focus nodes, values, paths, shapes and constraint components; readers expect
them as they would write them (``pdo:hasParty``, ``^pdo:partyTo``, ``"1951-13-45"^^xsd:date``,
``sh:minCount``), programs as SPARQL 1.1 Query Results JSON terms or plain identifiers.
"""

from __future__ import annotations

import json
import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, NamespaceManager
from rdflib.term import Node

from paradip_kg.namespaces import PREFIXES

# Local names shown after a prefix; "/" is allowed for the eye (pdid:agreement/mx-23005--us-wichita).
LOCAL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-/~%]*$")


def local_name(term: Node | None) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), ``""`` for nothing."""
    if term is None:
        return ""
    text = str(term)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


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


def term_id(term: Node | None) -> str | None:
    """An IRI as itself, a blank node as ``_:id``, nothing as None."""
    if term is None:
        return None
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def constraint_label(component_iri: str) -> str:
    """A constraint component as the parameter people write: ``sh:minCount``, ``sh:or``, ``sh:sparql``."""
    if component_iri.startswith(str(SH)) and component_iri.endswith("ConstraintComponent"):
        name = component_iri[len(str(SH)):-len("ConstraintComponent")]
        return "sh:" + (name.lower() if name.isupper() else name[:1].lower() + name[1:])
    return component_iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def list_items(graph: Graph, head: Node) -> list[Node]:
    """The members of an RDF list, or the node itself when it is not a well-formed list."""
    try:
        return list(Collection(graph, head))
    except Exception:  # not a well-formed list: show the node itself
        return [head]


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
