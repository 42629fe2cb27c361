"""IRIs used by paradip-kg, named once.

Our ontology terms live in :class:`PDO`, a ``DefinedNamespace`` with ``_fail = True``:
a typo such as ``PDO.hasPartty`` raises ``AttributeError`` instead of minting a new IRI.
A test checks that every term named here is declared in ``ontology/paradiplomacy.ttl``
and the other way round.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/paradip/"

ID = Namespace(BASE + "id/")
VOCAB = Namespace(BASE + "vocab/")
GRAPH = Namespace(BASE + "graph/")
SHAPES = Namespace(BASE + "shapes#")
DATASET = URIRef(BASE + "dataset")
ONTOLOGY = URIRef(BASE + "ontology")


class PDO(DefinedNamespace):
    """The paradiplomacy ontology, ``https://w3id.org/paradip/ontology#``."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # Actors
    Actor: URIRef
    GovernmentOrganisation: URIRef
    NationState: URIRef
    SubnationalGovernment: URIRef
    StateGovernment: URIRef
    MunicipalGovernment: URIRef
    FederalAgency: URIRef
    MunicipalUnit: URIRef
    NonStateActor: URIRef
    NonGovernmentalOrganisation: URIRef
    CivilSocietyOrganisation: URIRef
    Company: URIRef
    InternationalOrganisation: URIRef
    Scholar: URIRef
    # Places
    Place: URIRef
    Territory: URIRef
    Country: URIRef
    State: URIRef
    Municipality: URIRef
    Locality: URIRef
    # Agreements
    Agreement: URIRef
    InternationalAgreement: URIRef
    NationalAgreement: URIRef
    SisterCityAgreement: URIRef
    DecentralizedCooperationAgreement: URIRef
    InterinstitutionalAgreement: URIRef
    # Instruments, programmes, plans
    LegalInstrument: URIRef
    Law: URIRef
    Regulation: URIRef
    Programme: URIRef
    DevelopmentPlan: URIRef
    InternationalAgenda: URIRef
    # Theories, concepts, context, works
    Theory: URIRef
    Concept: URIRef
    ContextualDriver: URIRef
    ScholarlyWork: URIRef
    # Claims and sources
    StatisticalClaim: URIRef
    SourceDocument: URIRef
    Unit: URIRef

    # Object properties
    locatedIn: URIRef
    governs: URIRef
    governedBy: URIRef
    hasSeat: URIRef
    seatOf: URIRef
    hasParty: URIRef
    partyTo: URIRef
    twinnedWith: URIRef
    scope: URIRef
    theme: URIRef
    framing: URIRef
    alignedWith: URIRef
    legalBasis: URIRef
    regulates: URIRef
    issuedBy: URIRef
    administeredBy: URIRef
    unitOf: URIRef
    proposedBy: URIRef
    presentedIn: URIRef
    framedBy: URIRef
    practises: URIRef
    drivenBy: URIRef
    about: URIRef
    unit: URIRef
    # Datatype properties
    startDate: URIRef
    approvalDate: URIRef
    creationDate: URIRef
    reformDate: URIRef
    foundingDate: URIRef
    inegiCode: URIRef
    isoCountryCode: URIRef
    sourceLabel: URIRef
    tableRow: URIRef
    value: URIRef
    referenceDate: URIRef
    claimText: URIRef
    measure: URIRef
    publicationYear: URIRef
    # The log of accepted writes (graph/writes)
    GraphChange: URIRef
    changedGraph: URIRef
    triplesAdded: URIRef
    triplesRemoved: URIRef
    inferredAdded: URIRef
    inferredRemoved: URIRef
    addedStatements: URIRef
    removedStatements: URIRef


# Named graphs of the store. The default graph of the SPARQL endpoint is the union
# of DEFAULT_GRAPHS; the others are reachable by name only.
GRAPHS = {
    "ontology": GRAPH["ontology"],
    "vocab": GRAPH["vocab"],
    "data": GRAPH["data"],
    "inferred": GRAPH["inferred"],
    "shapes": GRAPH["shapes"],
    # External claims harvested from Wikidata, in Wikidata's own terms (harvest/), and their
    # comparison with the registry (publish/reconciliation.py): by name only, never facts.
    "wikidata": GRAPH["wikidata"],
    "reconciliation": GRAPH["reconciliation"],
}
DEFAULT_GRAPHS = ("ontology", "vocab", "data", "inferred")

# Prefixes bound in every serialization, query page and CLI output.
PREFIXES: dict[str, str] = {
    "pdo": str(PDO._NS),
    "pdid": str(ID),
    "pdv": str(VOCAB),
    "pdsh": str(SHAPES),
    "pdg": str(GRAPH),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "m8g": "http://data.europa.eu/m8g/",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sdg": "http://metadata.un.org/sdg/",
    "wd": "http://www.wikidata.org/entity/",
    # Wikidata's own prefixes, as WDQS predefines them, for the harvested graph (docs/wikidata.md)
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "pr": "http://www.wikidata.org/prop/reference/",
    "wikibase": "http://wikiba.se/ontology#",
    "pdr": "https://w3id.org/paradip/reconciliation#",
}


def sparql_prologue() -> str:
    """PREFIX lines for every prefix above, for queries written by hand."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
