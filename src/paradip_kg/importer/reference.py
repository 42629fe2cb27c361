"""The reference data an imported row may point to: countries, Mexican states and source documents (data/*.ttl).

The countries (all of ISO 3166-1) and Mexican states (all of ISO 3166-2:MX) come from the
generated gazetteer ``data/gazetteer.ttl`` (:mod:`paradip_kg.importer.gazetteer`); the sources
from ``data/sources.ttl``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from paradip_kg import settings as settings_mod
from paradip_kg.errors import InputError
from paradip_kg.importer.columns import fold
from paradip_kg.namespaces import ID, PDO
from paradip_kg.rdf.parse import load_folder


@dataclass(frozen=True)
class MexicanState:
    iri: URIRef
    label_es: str
    label_en: str
    names: frozenset[str]  # folded labels and alternative labels, to recognise it by name


@dataclass(frozen=True)
class Reference:
    """What an imported row may point to: the shared reference data in data/*.ttl."""

    countries: dict[str, URIRef]
    states: dict[str, MexicanState]  # INEGI CVE_ENT → state
    sources: frozenset[URIRef]
    described: frozenset[URIRef]  # subjects the reference data already types (their labels live there)
    graph: Graph | None = None  # the reference data itself, when it was read from files

    @classmethod
    def load(cls, data_dir: Path) -> Reference:
        """Read countries (ISO code), Mexican states (INEGI code) and source documents from ``data_dir``."""
        if not data_dir.is_dir():
            raise InputError(f"reference data not found: {data_dir} is not a folder "
                             "(it holds the countries, states and sources an agreement table refers to; "
                             "run from the project folder or set PARADIP_PROJECT_DIR)")
        graph = load_folder(data_dir)
        return replace(cls.from_graph(graph), graph=graph)

    @classmethod
    def from_graph(cls, graph: Graph, described: frozenset[URIRef] | None = None) -> Reference:
        """The reference data in ``graph``; ``described``, the typed subjects, when the caller knows them
        (the build passes the countries, states and sources it parsed, and every typed subject)."""
        countries = {str(code): iri for iri in graph.subjects(RDF.type, PDO.Country)
                     for code in graph.objects(iri, PDO.isoCountryCode) if isinstance(iri, URIRef)}
        states: dict[str, MexicanState] = {}
        for iri in graph.subjects(RDF.type, PDO.State):
            if not isinstance(iri, URIRef) or not str(iri).startswith(str(ID["state/mx-"])):
                continue
            labels = {lit.language: str(lit) for lit in graph.objects(iri, RDFS.label) if isinstance(lit, Literal)}
            names = [*graph.objects(iri, RDFS.label), *graph.objects(iri, SKOS.altLabel)]
            for code in graph.objects(iri, PDO.inegiCode):
                states[str(code)] = MexicanState(iri, labels.get("es", str(code)), labels.get("en", str(code)),
                                                 frozenset(fold(str(n)) for n in names))
        sources = frozenset(s for s in graph.subjects(RDF.type, PDO.SourceDocument) if isinstance(s, URIRef))
        if described is None:
            described = frozenset(s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef))
        return cls(countries, states, sources, described)


def default_data_dir() -> Path:
    """The data/ folder of the configured project (setting ``project_dir``)."""
    return Path(settings_mod.load()["project_dir"]) / "data"
