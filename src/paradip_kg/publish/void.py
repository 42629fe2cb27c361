"""What the dataset's description counts: VoID statistics, read from the store once per version.

    collect(store, base_iri)                      → VoidStats
    load_or_collect(store, store_dir, base, ver)  → VoidStats, kept beside the store for that version

What the counts mean (``docs/linked-data.md`` says the same):

- ``void:triples`` of the dataset counts the triples of its five named graphs, a triple held by
  two graphs counting twice: it is the number of lines of the N-Quads dump. Each named graph is
  a ``void:subset`` with its own count.
- property partitions count triples the same way, so they add up to ``void:triples``; class
  partitions give ``void:entities``, the distinct subjects typed with the class in any graph.
- ``void:entities`` of the dataset is the number of distinct subjects whose IRI starts with the
  ``void:uriSpace`` (the base IRI).
- linksets count the distinct triples (in any graph but the shapes) from a subject of ours to an
  IRI of the target (:data:`LINK_TARGETS`): Wikidata entities, the UN SDG KOS; for INEGI, which
  publishes no IRIs, the links are the ``pdo:inegiCode`` CVEGEO codes of its Marco Geoestadístico.

The description itself (VoID + DCAT) is :mod:`paradip_kg.publish.description`.
Source: VoID (W3C IG Note 2011, https://www.w3.org/TR/void/).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS

from paradip_kg.namespaces import DEFAULT_GRAPHS, GRAPHS, PDO, PREFIXES
from paradip_kg.sparql.local import run_on_store


@dataclass(frozen=True)
class LinkTarget:
    """A dataset we link to, recognised by the IRIs (or identifier property) of its links."""

    key: str
    title: str
    homepage: str
    uri_space: str
    namespaces: tuple[str, ...]
    literal_predicates: tuple[str, ...] = ()
    note_es: str = ""
    note_en: str = ""


LINK_TARGETS: tuple[LinkTarget, ...] = (
    LinkTarget("wikidata", "Wikidata", "https://www.wikidata.org/", PREFIXES["wd"],
               (PREFIXES["wd"], "https://www.wikidata.org/entity/", "https://www.wikidata.org/wiki/")),
    LinkTarget("inegi", "INEGI — Marco Geoestadístico (AGEEML)", "https://www.inegi.org.mx/app/ageeml/", "",
               ("https://www.inegi.org.mx/", "http://www.inegi.org.mx/"), (str(PDO.inegiCode),),
               "INEGI no publica IRIs: los enlaces son las claves geoestadísticas (CVEGEO) de pdo:inegiCode.",
               "INEGI publishes no IRIs: the links are the geostatistical keys (CVEGEO) of pdo:inegiCode."),
    LinkTarget("sdg", "UN SDG KOS (Sustainable Development Goals)", "http://metadata.un.org/sdg/",
               PREFIXES["sdg"], (PREFIXES["sdg"], "https://metadata.un.org/sdg/")),
)


@dataclass
class Linkset:
    target: LinkTarget
    predicate: str
    triples: int


@dataclass
class VoidStats:
    triples: int
    graph_triples: dict[str, int]
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int]
    properties: dict[str, int]
    linksets: list[Linkset] = field(default_factory=list)
    vocabularies: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    created: str = ""


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT query
    return solutions


def _count(store: ox.Store, query: str, key: str) -> dict[str, int]:
    """``key`` → ``?n`` of a grouped count (both bound in every row of these queries)."""
    counts: dict[str, int] = {}
    for row in _select(store, query):
        term, n = row[key], row["n"]
        if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) and isinstance(n, ox.Literal):
            counts[term.value] = int(n.value)
    return counts


_DEFAULT = tuple(ox.NamedNode(str(GRAPHS[k])) for k in DEFAULT_GRAPHS)


def collect(store: ox.Store, base_iri: str) -> VoidStats:
    """Every count of the description, from the store.

    The store's engine does the aggregates; string tests (is this IRI ours? a Wikidata
    entity?) run in Python over the distinct subjects and objects, which is an order of
    magnitude faster than ``FILTER(STRSTARTS(STR(?s), …))`` over every quad (measured on a
    1M-quad store: 24 s for the entity count as a filter, 3 s this way).
    """
    names = {str(v): k for k, v in GRAPHS.items()}
    graph_triples = {names.get(k, k): n for k, n in _count(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", "g").items()}
    stats = VoidStats(
        triples=sum(graph_triples.values()), graph_triples={k: graph_triples.get(k, 0) for k in GRAPHS},
        entities=0, distinct_subjects=0, distinct_objects=0,
        classes=_count(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?c)) } "
                              "GROUP BY ?c", "c"),
        properties=_count(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p", "p"))
    for row in _select(store, "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"):
        stats.distinct_subjects += 1
        subject = row["s"]
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(base_iri):
            stats.entities += 1
    targets: dict[str, list[ox.NamedNode]] = {t.key: [] for t in LINK_TARGETS}
    for row in _select(store, "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
        stats.distinct_objects += 1
        obj = row["o"]
        if isinstance(obj, ox.NamedNode):
            for target in LINK_TARGETS:
                if obj.value.startswith(target.namespaces):
                    targets[target.key].append(obj)
    for target in LINK_TARGETS:
        stats.linksets += _linksets(store, base_iri, target, targets[target.key])
    used = set(stats.properties) | set(stats.classes)
    stats.vocabularies = sorted({ns for ns in PREFIXES.values() if any(term.startswith(ns) for term in used)})
    stats.examples = examples(store)
    for quad in store.quads_for_pattern(ox.NamedNode(str(PDO._NS)[:-1]), ox.NamedNode(str(DCTERMS.created)), None,
                                        ox.NamedNode(str(GRAPHS["ontology"]))):
        if isinstance(quad.object, ox.Literal):
            stats.created = quad.object.value
    return stats


def _linksets(store: ox.Store, base_iri: str, target: LinkTarget, objects: list[ox.NamedNode]) -> list[Linkset]:
    """Distinct links from a subject of ours to ``objects`` (and, for identifier properties, to
    literals), counted per link predicate; one empty linkset when there are none."""
    seen: set[ox.Triple] = set()
    counts: dict[str, int] = {}

    def add(quad: ox.Quad) -> None:
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(base_iri) \
                and quad.triple not in seen:
            seen.add(quad.triple)
            counts[quad.predicate.value] = counts.get(quad.predicate.value, 0) + 1

    for obj in objects:
        for graph in _DEFAULT:
            for quad in store.quads_for_pattern(None, None, obj, graph):
                add(quad)
    for predicate in target.literal_predicates:
        for graph in _DEFAULT:
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, graph):
                if isinstance(quad.object, ox.Literal):
                    add(quad)
    found = [Linkset(target, p, counts[p]) for p in sorted(counts)]
    return found or [Linkset(target, "", 0)]


def load_or_collect(store: ox.Store, store_dir: Path, base_iri: str, version: str) -> VoidStats:
    """:func:`collect`, kept in ``<store>.void.json`` beside the store's manifest, so workers and
    restarts of the same store version share it (on a 1M-quad store it takes seconds).
    A store folder that cannot be written to just means computing it again."""
    path = store_dir.with_name(store_dir.name + ".void.json")
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("version") == version and saved.get("base_iri") == base_iri:
            return _from_json(saved["stats"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    stats = collect(store, base_iri)
    try:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": version, "base_iri": base_iri, "stats": _to_json(stats)}),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return stats


def _to_json(stats: VoidStats) -> dict:
    out = asdict(stats)
    out["linksets"] = [{"target": ls.target.key, "predicate": ls.predicate, "triples": ls.triples}
                       for ls in stats.linksets]
    return out


def _from_json(data: dict) -> VoidStats:
    by_key = {t.key: t for t in LINK_TARGETS}
    linksets = [Linkset(by_key[ls["target"]], ls["predicate"], ls["triples"]) for ls in data.pop("linksets")]
    return VoidStats(**data, linksets=linksets)


EXAMPLE_CLASSES = (PDO.MunicipalGovernment, PDO.SisterCityAgreement, PDO.Locality, PDO.Theory)


def example_query(cls: object) -> str:
    """The first IRI (by its string, as Python sorts) typed ``cls`` in the data or inferred graph."""
    graphs = " ".join(f"<{GRAPHS[g]}>" for g in ("data", "inferred"))
    return (f"SELECT (MIN(STR(?s)) AS ?first) WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s a <{cls}> }} "
            "FILTER(isIRI(?s)) }")


def examples(store: ox.Store, ask: Callable[[str], list[dict[str, Any]]] | None = None) -> list[str]:
    """One typical resource of each of a few classes, the first by IRI (stable across builds).
    ``ask``: a query text's rows (the pages keep them per state); else run on ``store``."""
    found = []
    for cls in EXAMPLE_CLASSES:
        text = example_query(cls)
        rows = ask(text) if ask is not None else run_on_store(store, text).rows
        first = rows[0].get("first") if rows else None
        if first is not None:
            found.append(first.value)
    return found
