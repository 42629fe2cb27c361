"""The dataset describes itself: VoID and DCAT, at the dataset IRI and at ``/.well-known/void``.

    void_graph(stats, base_iri, site, …) → rdflib Graph: the description, links on the serving host

The counts come from :mod:`paradip_kg.publish.void`; the titles, description, keywords and
publisher are said in Spanish and English (:data:`TITLE`, …, also used by the home page's
schema.org markup).

Sources: VoID (W3C IG Note 2011, https://www.w3.org/TR/void/), DCAT 3 (W3C Rec 2024,
https://www.w3.org/TR/vocab-dcat-3/).
"""

from __future__ import annotations

from datetime import datetime

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from paradip_kg import i18n
from paradip_kg.namespaces import GRAPHS, PREFIXES
from paradip_kg.publish.dumps import dump_files
from paradip_kg.publish.void import LINK_TARGETS, VoidStats
from paradip_kg.rdf.formats import BY_MEDIA_TYPE

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
LANGUAGE_IRIS = {"es": URIRef("http://id.loc.gov/vocabulary/iso639-1/es"),
                 "en": URIRef("http://id.loc.gov/vocabulary/iso639-1/en")}

TITLE = {"es": "Grafo de conocimiento de la paradiplomacia (paradip-kg)",
         "en": "Paradiplomacy knowledge graph (paradip-kg)"}
DESCRIPTION = {
    "es": "Datos abiertos y enlazados sobre la acción internacional de los gobiernos subnacionales: "
          "los hermanamientos y acuerdos de cooperación de los municipios (empezando por Benito Juárez, "
          "Cancún, Quintana Roo), las partes, los territorios y las sedes, las leyes y programas que los "
          "enmarcan, los planes municipales de desarrollo que el ensayo dice alineados con la Agenda 2030 "
          "y las teorías que cita el ensayo. Cada hecho "
          "lleva su fuente (prov:wasDerivedFrom); las inferencias OWL 2 RL están en un grafo aparte.",
    "en": "Open linked data on the international action of subnational governments: the twinnings and "
          "cooperation agreements of municipalities (starting with Benito Juárez, Cancún, Quintana Roo), "
          "their parties, territories and seats, the laws and programmes that frame them, the municipal "
          "development plans the essay says are aligned with the 2030 Agenda, and the theories the essay "
          "cites. Every fact carries its "
          "source (prov:wasDerivedFrom); OWL 2 RL inferences are kept in a graph of their own.",
}
KEYWORDS = {"es": ("paradiplomacia", "hermanamientos", "ciudades hermanas", "cooperación descentralizada",
                   "gobiernos locales", "México", "Agenda 2030"),
            "en": ("paradiplomacy", "twinning", "sister cities", "decentralised cooperation",
                   "local governments", "Mexico", "2030 Agenda")}
PUBLISHER = {"es": "Proyecto paradip-kg", "en": "The paradip-kg project"}
GRAPH_TITLES = {
    "ontology": ("La ontología (pdo:)", "The ontology (pdo:)"),
    "vocab": ("Los vocabularios SKOS", "The SKOS vocabularies"),
    "data": ("Los datos declarados, con sus fuentes", "The stated data, with their sources"),
    "inferred": ("Las inferencias OWL 2 RL", "The OWL 2 RL inferences"),
    "shapes": ("Las formas SHACL", "The SHACL shapes"),
    "wikidata": ("Afirmaciones externas de Wikidata (P190), tal como sus editores las dan",
                 "External claims from Wikidata (P190), as its editors state them"),
    "reconciliation": ("La conciliación del registro con Wikidata, par por par",
                       "The reconciliation of the registry with Wikidata, pair by pair"),
}


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _slug(iri: str) -> str:
    short = iri
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            short = f"{prefix}-{iri[len(ns):]}"
            break
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in short)


def void_graph(stats: VoidStats, base_iri: str, site: str, modified: datetime,
               document_url: str | None = None, checksums: dict[str, str] | None = None) -> Graph:
    """The VoID + DCAT description of the dataset.

    Args:
        stats: the counts, from :func:`collect`.
        base_iri: the base of our IRIs; the dataset is ``base_iri + "dataset"``.
        site: the serving site's root URL (ends with ``/``): the SPARQL endpoint, the dumps and
            the pages live there.
        modified: when the store was built.
        document_url: the URL of the document this graph is served as, if any: it is said to be
            a ``void:DatasetDescription`` of the dataset.
        checksums: file name → SHA-256 of the dumps, when they have been written: each
            distribution then carries its ``spdx:checksum`` (as DCAT 3 advises).
    """
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("void", VOID)
    g.bind("spdx", SPDX)
    ds = URIRef(base_iri + "dataset")

    def local(name: str) -> URIRef:
        return URIRef(f"{ds}#{name}")

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    for lang in i18n.LANGUAGES:
        g.add((ds, DCTERMS.title, Literal(TITLE[lang], lang=lang)))
        g.add((ds, DCTERMS.description, Literal(DESCRIPTION[lang], lang=lang)))
        for word in KEYWORDS[lang]:
            g.add((ds, DCAT.keyword, Literal(word, lang=lang)))
        g.add((ds, DCTERMS.language, LANGUAGE_IRIS[lang]))
    g.add((ds, DCTERMS.license, CC_BY))
    publisher = local("publisher")
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    for lang in i18n.LANGUAGES:
        g.add((publisher, FOAF.name, Literal(PUBLISHER[lang], lang=lang)))
    g.add((publisher, FOAF.homepage, URIRef(site)))
    if stats.created:
        g.add((ds, DCTERMS.created, Literal(stats.created, datatype=XSD.date)))
    g.add((ds, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.dateTime)))
    g.add((ds, DCAT.landingPage, URIRef(site)))
    g.add((ds, FOAF.homepage, URIRef(site)))

    # VoID: access, size, structure.
    g.add((ds, VOID.sparqlEndpoint, URIRef(site + "sparql")))
    g.add((ds, VOID.uriSpace, Literal(base_iri)))
    g.add((ds, VOID.rootResource, URIRef(base_iri + "ontology")))
    for example in stats.examples:
        g.add((ds, VOID.exampleResource, URIRef(example)))
    g.add((ds, VOID.dataDump, URIRef(site + "dumps/" + dump_files()[0].name)))
    for vocabulary in stats.vocabularies:
        g.add((ds, VOID.vocabulary, URIRef(vocabulary)))
    for fmt in ("Turtle", "JSON-LD", "RDF_XML", "N-Triples", "N-Quads"):
        g.add((ds, VOID.feature, FORMATS[fmt]))
    g.add((ds, VOID.triples, _int(stats.triples)))
    g.add((ds, VOID.entities, _int(stats.entities)))
    g.add((ds, VOID.distinctSubjects, _int(stats.distinct_subjects)))
    g.add((ds, VOID.distinctObjects, _int(stats.distinct_objects)))
    g.add((ds, VOID.classes, _int(len(stats.classes))))
    g.add((ds, VOID.properties, _int(len(stats.properties))))
    for cls in sorted(stats.classes):
        part = local("class-" + _slug(cls))
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, _int(stats.classes[cls])))
    for prop in sorted(stats.properties):
        part = local("property-" + _slug(prop))
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, _int(stats.properties[prop])))

    # Named graphs: subsets with their own size and dumps.
    files = dump_files()
    for key, name in GRAPHS.items():
        sub = URIRef(str(name))
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        es, en = GRAPH_TITLES[key]
        g.add((sub, DCTERMS.title, Literal(es, lang="es")))
        g.add((sub, DCTERMS.title, Literal(en, lang="en")))
        g.add((sub, VOID.triples, _int(stats.graph_triples.get(key, 0))))
        g.add((sub, DCTERMS.license, CC_BY))
        for f in files:
            if f.graph == key:
                g.add((sub, VOID.dataDump, URIRef(site + "dumps/" + f.name)))
        g.add((sub, FOAF.page, URIRef(site + "graph/" + key)))

    # Linksets.
    for target in LINK_TARGETS:
        other = local("target-" + target.key)
        g.add((other, RDF.type, VOID.Dataset))
        g.add((other, DCTERMS.title, Literal(target.title)))
        g.add((other, FOAF.homepage, URIRef(target.homepage)))
        if target.uri_space:
            g.add((other, VOID.uriSpace, Literal(target.uri_space)))
    for ls in stats.linksets:
        node = local(f"links-{ls.target.key}" + (f"-{_slug(ls.predicate)}" if ls.predicate else ""))
        g.add((ds, VOID.subset, node))
        g.add((node, RDF.type, VOID.Linkset))
        g.add((node, VOID.subjectsTarget, ds))
        g.add((node, VOID.objectsTarget, local("target-" + ls.target.key)))
        g.add((node, VOID.target, ds))
        g.add((node, VOID.target, local("target-" + ls.target.key)))
        if ls.predicate:
            g.add((node, VOID.linkPredicate, URIRef(ls.predicate)))
        g.add((node, VOID.triples, _int(ls.triples)))
        if ls.target.note_en and ls.predicate in ls.target.literal_predicates:
            g.add((node, RDFS.comment, Literal(ls.target.note_es, lang="es")))
            g.add((node, RDFS.comment, Literal(ls.target.note_en, lang="en")))

    # DCAT: the dumps and the SPARQL service.
    service = local("sparql")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, URIRef(site + "sparql")))
    g.add((service, DCAT.servesDataset, ds))
    g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((service, DCTERMS.title, Literal("SPARQL 1.1", lang="en")))
    g.add((service, DCTERMS.license, CC_BY))
    for f in files:
        dist = local("dump-" + f.name.replace(".", "-"))
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, URIRef(site + "dumps/" + f.name)))
        g.add((dist, DCAT.accessURL, URIRef(site + "dumps/")))
        g.add((dist, DCAT.mediaType, URIRef(IANA + f.media_type)))
        if f.encoding:
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/" + f.encoding)))
        what = ("todos los grafos", "every graph") if f.graph is None else (f"grafo {f.graph}", f"graph {f.graph}")
        label = BY_MEDIA_TYPE[f.media_type].label + (f" ({f.encoding})" if f.encoding else "")
        g.add((dist, DCTERMS.title, Literal(f"{label}, {what[0]}", lang="es")))
        g.add((dist, DCTERMS.title, Literal(f"{label}, {what[1]}", lang="en")))
        g.add((dist, DCTERMS.license, CC_BY))
        g.add((dist, RDFS.seeAlso, URIRef(site + "dumps/SHA256SUMS")))
        if checksums and f.name in checksums:
            checksum = local("sha256-" + f.name.replace(".", "-"))
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(checksums[f.name], datatype=XSD.hexBinary)))
    api = local("sparql-distribution")
    g.add((ds, DCAT.distribution, api))
    g.add((api, RDF.type, DCAT.Distribution))
    g.add((api, DCAT.accessURL, URIRef(site + "sparql")))
    g.add((api, DCAT.accessService, service))
    g.add((api, DCTERMS.title, Literal("Punto SPARQL", lang="es")))
    g.add((api, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))

    if document_url:
        doc = URIRef(document_url)
        g.add((doc, RDF.type, VOID.DatasetDescription))
        g.add((doc, FOAF.primaryTopic, ds))
        g.add((doc, DCTERMS.license, CC_BY))
    return g
