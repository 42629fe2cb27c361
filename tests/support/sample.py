"""The sample store's data: a small store in the shape of the bundled one (graphs ontology,
vocab, data, inferred, shapes), written with ``store.disk.write_store``; fast to write, and
independent of the build pipeline. Its source document's label carries markup, for the
escaping checks.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from support.stores import write_graphs_store

PREFIXES_TTL = """
@prefix pdo: <https://w3id.org/paradip/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sdg: <http://metadata.un.org/sdg/> .
@prefix id: <https://w3id.org/paradip/id/> .
@prefix v: <https://w3id.org/paradip/vocab/> .
"""

SAMPLE_TTL: dict[str, str] = {
    "ontology": """
pdo:Agreement a <http://www.w3.org/2002/07/owl#Class> ; rdfs:label "Acuerdo"@es , "Agreement"@en .
pdo:Country a <http://www.w3.org/2002/07/owl#Class> ; rdfs:label "País"@es , "Country"@en .
""",
    "vocab": """
<https://w3id.org/paradip/vocab/scope/national> a skos:Concept ; skos:prefLabel "Nacional"@es , "National"@en .
<https://w3id.org/paradip/vocab/scope/international> a skos:Concept ;
    skos:prefLabel "Internacional"@es , "International"@en .
<https://w3id.org/paradip/vocab/sdg> a skos:ConceptScheme ; skos:hasTopConcept sdg:11 , sdg:17 .
sdg:11 a skos:Concept ; skos:notation "11" ; skos:prefLabel "Ciudades y comunidades sostenibles"@es .
sdg:17 a skos:Concept ; skos:notation "17" ; skos:prefLabel "Alianzas para lograr los objetivos"@es .
<http://metadata.un.org/sdg/11.3> a skos:Concept ; skos:notation "11.3" ; skos:broader sdg:11 .
""",
    "data": """
<https://w3id.org/paradip/id/government/mx-23005> a pdo:MunicipalGovernment ;
    rdfs:label "Gobierno municipal de Benito Juárez"@es , "Municipal government of Benito Juárez"@en ;
    pdo:governs <https://w3id.org/paradip/id/municipality/mx-23005> ;
    pdo:hasSeat <https://w3id.org/paradip/id/locality/mx-230050001> ;
    pdo:twinnedWith <https://w3id.org/paradip/id/government/us-wichita> ;
    prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> .
<https://w3id.org/paradip/id/government/us-wichita> a pdo:MunicipalGovernment ;
    rdfs:label "Gobierno municipal de Wichita"@es , "Municipal government of Wichita"@en ;
    pdo:hasSeat <https://w3id.org/paradip/id/locality/us-wichita> .
<https://w3id.org/paradip/id/government/mx-31050> a pdo:MunicipalGovernment ;
    rdfs:label "Gobierno municipal de Mérida (Yucatán)"@es , "Municipal government of Mérida (Yucatán)"@en ;
    pdo:governs <https://w3id.org/paradip/id/municipality/mx-31050> ;
    pdo:hasSeat <https://w3id.org/paradip/id/locality/mx-merida> .
<https://w3id.org/paradip/id/agreement/mx-23005--us-wichita> a pdo:Agreement , pdo:SisterCityAgreement ;
    rdfs:label "Hermanamiento Benito Juárez – Wichita"@es , "Benito Juárez – Wichita twinning"@en ;
    pdo:hasParty <https://w3id.org/paradip/id/government/mx-23005> ,
        <https://w3id.org/paradip/id/government/us-wichita> ;
    pdo:scope <https://w3id.org/paradip/vocab/scope/international> ;
    pdo:alignedWith <http://metadata.un.org/sdg/11.3> ;
    pdo:startDate "1985"^^xsd:gYear ; pdo:tableRow 1 ;
    prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> .
<https://w3id.org/paradip/id/agreement/mx-23005--mx-31050> a pdo:Agreement , pdo:SisterCityAgreement ;
    rdfs:label "Hermanamiento Benito Juárez – Mérida"@es , "Benito Juárez – Mérida twinning"@en ;
    pdo:hasParty <https://w3id.org/paradip/id/government/mx-23005> , <https://w3id.org/paradip/id/government/mx-31050> ;
    pdo:scope <https://w3id.org/paradip/vocab/scope/national> ;
    pdo:startDate "2021-12"^^xsd:gYearMonth ; pdo:tableRow 19 ;
    prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> .
<https://w3id.org/paradip/id/locality/mx-230050001> a pdo:Locality ; rdfs:label "Cancún"@es , "Cancún"@en ;
    pdo:inegiCode "230050001" ; pdo:locatedIn <https://w3id.org/paradip/id/municipality/mx-23005> .
<https://w3id.org/paradip/id/municipality/mx-23005> a pdo:Municipality ; rdfs:label "Benito Juárez"@es ;
    pdo:inegiCode "23005" ; pdo:locatedIn <https://w3id.org/paradip/id/state/mx-23> .
<https://w3id.org/paradip/id/municipality/mx-31050> a pdo:Municipality ; rdfs:label "Mérida"@es ;
    pdo:inegiCode "31050" ; pdo:locatedIn <https://w3id.org/paradip/id/state/mx-31> .
<https://w3id.org/paradip/id/state/mx-23> a pdo:State ; rdfs:label "Quintana Roo"@es ; pdo:inegiCode "23" ;
    pdo:locatedIn <https://w3id.org/paradip/id/country/MX> .
<https://w3id.org/paradip/id/state/mx-31> a pdo:State ; rdfs:label "Yucatán"@es ; pdo:inegiCode "31" ;
    pdo:locatedIn <https://w3id.org/paradip/id/country/MX> .
<https://w3id.org/paradip/id/locality/mx-merida> a pdo:Locality ; rdfs:label "Mérida"@es ;
    pdo:locatedIn <https://w3id.org/paradip/id/municipality/mx-31050> .
<https://w3id.org/paradip/id/locality/us-wichita> a pdo:Locality ; rdfs:label "Wichita"@es , "Wichita"@en ;
    pdo:locatedIn <https://w3id.org/paradip/id/country/US> .
<https://w3id.org/paradip/id/country/MX> a pdo:Country ; rdfs:label "México"@es , "Mexico"@en ;
    pdo:isoCountryCode "MX" .
<https://w3id.org/paradip/id/country/US> a pdo:Country ; rdfs:label "Estados Unidos"@es , "United States"@en ;
    pdo:isoCountryCode "US" .
<https://w3id.org/paradip/id/theory/complex-interdependence> a pdo:Theory ;
    rdfs:label "Interdependencia compleja"@es , "Complex interdependence"@en ;
    pdo:proposedBy <https://w3id.org/paradip/id/person/robert-keohane> ;
    pdo:presentedIn <https://w3id.org/paradip/id/work/power-and-interdependence-1977> .
<https://w3id.org/paradip/id/work/power-and-interdependence-1977> pdo:publicationYear "1977"^^xsd:gYear .
<https://w3id.org/paradip/id/person/robert-keohane> a pdo:Scholar ; rdfs:label "Robert Keohane" .
<https://w3id.org/paradip/id/concept/paradiplomacy> a pdo:Concept ; rdfs:label "Paradiplomacia"@es ;
    pdo:framedBy <https://w3id.org/paradip/id/theory/complex-interdependence> .
<https://w3id.org/paradip/id/regulation/bj-reglamento> a pdo:Regulation , pdo:LegalInstrument ;
    rdfs:label "Reglamento de Ciudades Hermanas"@es ;
    pdo:issuedBy <https://w3id.org/paradip/id/government/mx-23005> ;
    pdo:regulates <https://w3id.org/paradip/id/unit/mx-23005-comite> ;
    pdo:creationDate "2013-05"^^xsd:gYearMonth ; pdo:reformDate "2020-11"^^xsd:gYearMonth .
<https://w3id.org/paradip/id/programme/promehcid> a pdo:Programme ; rdfs:label "PROMEHCID"@es ;
    pdo:administeredBy <https://w3id.org/paradip/id/agency/mx-sre> .
<https://w3id.org/paradip/id/claim/bj-agreements-19> a pdo:StatisticalClaim ;
    rdfs:label "Benito Juárez tiene 19 hermanamientos"@es ;
    pdo:value "19"^^xsd:decimal ; pdo:unit <https://w3id.org/paradip/vocab/unit/count> ;
    pdo:referenceDate "2022"^^xsd:gYear ;
    pdo:about <https://w3id.org/paradip/id/government/mx-23005> ;
    dcterms:source <https://w3id.org/paradip/id/source/essay> .
<https://w3id.org/paradip/id/source/essay> a pdo:SourceDocument ;
    rdfs:label "Ensayo <script>alert('x')</script> & fuente"@es , "The essay"@en .
""",
    "inferred": """
<https://w3id.org/paradip/id/agreement/mx-23005--us-wichita> a pdo:InternationalAgreement .
<https://w3id.org/paradip/id/agreement/mx-23005--mx-31050> a pdo:NationalAgreement .
<https://w3id.org/paradip/id/government/us-wichita> pdo:twinnedWith <https://w3id.org/paradip/id/government/mx-23005> ;
    pdo:partyTo <https://w3id.org/paradip/id/agreement/mx-23005--us-wichita> .
<https://w3id.org/paradip/id/locality/mx-230050001> pdo:locatedIn <https://w3id.org/paradip/id/state/mx-23> ,
    <https://w3id.org/paradip/id/country/MX> .
""",
    "shapes": """
<https://w3id.org/paradip/shapes#AgreementShape> a <http://www.w3.org/ns/shacl#NodeShape> ;
    <http://www.w3.org/ns/shacl#targetClass> pdo:Agreement .
""",
}


def sample_graphs() -> dict[str, Graph]:
    """The sample store's graphs, by key, freshly parsed (a caller may change them)."""
    return {key: Graph().parse(data=PREFIXES_TTL + text, format="turtle") for key, text in SAMPLE_TTL.items()}


def write_sample_store(store_dir: Path) -> Path:
    """The sample store, with its manifest, at ``store_dir``."""
    return write_graphs_store(store_dir, sample_graphs(), content_hash="sample")
