"""The linked-data store's data: a small store in the shape of the bundled one, made for the
dereferencing, page and dump tests. Next to ordinary resources it holds a hub (a country with
:data:`HUB_SIZE` places, for caps and paging), an entailment that leads to a blank node of the
ontology, hostile labels and IRIs that are hard to put in a URL.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from support.stores import write_graphs_store

BASE = "https://w3id.org/paradip/"
HUB_SIZE = 60

LD_PREFIXES = """
@prefix pdo: <https://w3id.org/paradip/ontology#> .
@prefix pdsh: <https://w3id.org/paradip/shapes#> .
@prefix id: <https://w3id.org/paradip/id/> .
@prefix pdv: <https://w3id.org/paradip/vocab/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sdg: <http://metadata.un.org/sdg/> .
@prefix wd: <http://www.wikidata.org/entity/> .
"""

LD_TTL: dict[str, str] = {
    "ontology": """
<https://w3id.org/paradip/ontology> a owl:Ontology ;
    dcterms:title "Ontología de prueba"@es , "Test ontology"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcterms:created "2026-11-25"^^xsd:date ; owl:versionInfo "0.0.1" .
pdo:Actor a owl:Class ; rdfs:label "Actor"@es , "Actor"@en ;
    skos:definition "Agente de las relaciones internacionales."@es , "An agent of international relations."@en .
pdo:MunicipalGovernment a owl:Class ; rdfs:label "Gobierno municipal"@es , "Municipal government"@en ;
    skos:definition "Gobierno de un municipio."@es , "The government of a municipality."@en ;
    rdfs:subClassOf pdo:Actor , schema:GovernmentOrganization .
pdo:Agreement a owl:Class ; rdfs:label "Acuerdo"@es , "Agreement"@en ;
    skos:definition "Instrumento de vinculación."@es , "A linking instrument."@en ;
    rdfs:subClassOf prov:Entity .
pdo:SisterCityAgreement a owl:Class ; rdfs:label "Hermanamiento"@es , "Sister-city agreement"@en ;
    rdfs:subClassOf pdo:Agreement .
pdo:InternationalAgreement a owl:Class ; rdfs:label "Acuerdo internacional"@es , "International agreement"@en ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( pdo:Agreement
        [ a owl:Restriction ; owl:onProperty pdo:scope ;
          owl:hasValue <https://w3id.org/paradip/vocab/scope/international> ] ) ] .
pdo:Place a owl:Class ; rdfs:label "Lugar"@es , "Place"@en .
pdo:Country a owl:Class ; rdfs:label "País"@es , "Country"@en ; rdfs:subClassOf pdo:Place , schema:Country .
pdo:SourceDocument a owl:Class ; rdfs:label "Documento fuente"@es , "Source document"@en .
pdo:hasParty a owl:ObjectProperty ; rdfs:label "tiene parte"@es , "has party"@en ;
    skos:definition "Una parte del acuerdo."@es , "A party to the agreement."@en ;
    rdfs:domain pdo:Agreement ; rdfs:range pdo:Actor ; owl:inverseOf pdo:partyTo .
pdo:partyTo a owl:ObjectProperty ; rdfs:label "parte de"@es , "party to"@en .
pdo:locatedIn a owl:ObjectProperty , owl:TransitiveProperty ; rdfs:label "situado en"@es , "located in"@en ;
    rdfs:domain pdo:Place ; rdfs:range pdo:Place ; rdfs:subPropertyOf schema:containedInPlace .
pdo:theme a owl:ObjectProperty ; rdfs:label "tema"@es , "theme"@en .
pdo:inegiCode a owl:DatatypeProperty ; rdfs:label "clave INEGI"@es , "INEGI code"@en ; rdfs:range xsd:string .
""",
    "vocab": """
pdv:theme a skos:ConceptScheme ; dcterms:title "Temas"@es , "Themes"@en ;
    dcterms:description "Temas de cooperación."@es , "Cooperation themes."@en ;
    skos:hasTopConcept <https://w3id.org/paradip/vocab/theme/economic> .
<https://w3id.org/paradip/vocab/theme/economic> a skos:Concept ;
    skos:prefLabel "Cooperación económica"@es , "Economic cooperation"@en ;
    skos:definition "Asuntos económicos."@es , "Economic matters."@en ;
    skos:inScheme pdv:theme ; skos:topConceptOf pdv:theme ;
    skos:narrower <https://w3id.org/paradip/vocab/theme/trade> .
<https://w3id.org/paradip/vocab/theme/trade> a skos:Concept ; skos:prefLabel "Comercio"@es , "Trade"@en ;
    skos:inScheme pdv:theme ; skos:broader <https://w3id.org/paradip/vocab/theme/economic> .
pdv:sdg a skos:ConceptScheme ; dcterms:title "ODS"@es , "SDGs"@en ; skos:hasTopConcept sdg:11 .
sdg:11 a skos:Concept ; skos:prefLabel "Ciudades sostenibles"@es , "Sustainable cities"@en ;
    skos:notation "11" ; skos:inScheme pdv:sdg .
""",
    "data": """
<https://w3id.org/paradip/id/source/essay> a pdo:SourceDocument ; rdfs:label "El ensayo"@es , "The essay"@en .
<https://w3id.org/paradip/id/government/mx-23005> a pdo:MunicipalGovernment ;
    rdfs:label "Ayuntamiento de Benito Juárez"@es , "Municipal government of Benito Juárez"@en ;
    skos:definition "Gobierno del municipio de Benito Juárez, Quintana Roo."@es ;
    pdo:inegiCode "23005" ; schema:sameAs wd:Q2279198 ;
    prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> ;
    prov:qualifiedAttribution [ a prov:Attribution ; prov:agent <https://w3id.org/paradip/id/source/essay> ;
                                rdfs:comment "nested [ blank ]"@en ] .
<https://w3id.org/paradip/id/government/us-wichita> a pdo:MunicipalGovernment ;
    rdfs:label "Gobierno municipal de Wichita"@es , "Municipal government of Wichita"@en ;
    schema:sameAs wd:Q49266 ; prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> .
<https://w3id.org/paradip/id/agreement/mx-23005--us-wichita> a pdo:SisterCityAgreement ;
    rdfs:label "Hermanamiento Benito Juárez – Wichita"@es , "Benito Juárez – Wichita twinning"@en ;
    pdo:hasParty <https://w3id.org/paradip/id/government/mx-23005> ,
        <https://w3id.org/paradip/id/government/us-wichita> ;
    pdo:theme <https://w3id.org/paradip/vocab/theme/economic> ;
    pdo:alignedWith sdg:11 ;
    prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> .
<https://w3id.org/paradip/id/country/MX> a pdo:Country ; rdfs:label "México"@es , "Mexico"@en ;
    schema:sameAs wd:Q96 ; prov:wasDerivedFrom <https://w3id.org/paradip/id/source/essay> .
<https://w3id.org/paradip/id/test/xss> a pdo:SourceDocument ;
    rdfs:label "<script>alert('x')</script> \\"quoted\\" & more"@en ;
    rdfs:comment "</script><script>alert(2)</script>" ;
    rdfs:seeAlso <javascript:alert(1)> , <https://example.org/ok?a=1&b=2> .
<https://w3id.org/paradip/id/test/a%20b> rdfs:label "percent-encoded space"@en .
<https://w3id.org/paradip/id/test/a%2Fb> rdfs:label "percent-encoded slash"@en .
<https://w3id.org/paradip/id/test/café> rdfs:label "non-ASCII IRI"@en .
<https://w3id.org/paradip/id/test/x+y:z(1)> rdfs:label "plus, colon and parentheses"@en .
<https://w3id.org/paradip/id/test/file.ttl> rdfs:label "a key that ends in .ttl"@en .
""",
    "inferred": """
<https://w3id.org/paradip/id/government/mx-23005> a pdo:Actor , schema:GovernmentOrganization ;
    owl:sameAs <https://w3id.org/paradip/id/government/mx-23005> .
<https://w3id.org/paradip/id/government/us-wichita> a pdo:Actor , schema:GovernmentOrganization ;
    pdo:partyTo <https://w3id.org/paradip/id/agreement/mx-23005--us-wichita> .
<https://w3id.org/paradip/id/government/mx-23005>
    pdo:partyTo <https://w3id.org/paradip/id/agreement/mx-23005--us-wichita> .
<https://w3id.org/paradip/id/agreement/mx-23005--us-wichita> a pdo:Agreement .
<https://w3id.org/paradip/id/country/MX> a pdo:Place , schema:Country .
pdo:MunicipalGovernment rdfs:subClassOf schema:Organization .
""",
    "shapes": """
<https://w3id.org/paradip/shapes> a owl:Ontology ; dcterms:title "Formas de prueba"@es , "Test shapes"@en .
pdsh:AgreementShape a sh:NodeShape ;
    sh:name "Acuerdo"@es , "Agreement"@en ;
    sh:description "Un acuerdo entre actores."@es , "An agreement between actors."@en ;
    sh:targetClass pdo:Agreement ;
    sh:property pdsh:Agreement-hasParty , [ sh:path ( pdo:hasParty rdfs:label ) ; sh:minCount 1 ;
        sh:name "nombre de una parte"@es , "a party's name"@en ; sh:languageIn ( "es" "en" ) ] .
pdsh:Agreement-hasParty a sh:PropertyShape ;
    sh:name "partes"@es , "parties"@en ;
    sh:path pdo:hasParty ; sh:minCount 2 ; sh:class pdo:Actor ; sh:severity sh:Violation ;
    sh:message "Un acuerdo necesita al menos dos partes."@es , "An agreement needs at least two parties."@en .
pdsh:YearValue a sh:NodeShape ; sh:name "Año"@es , "Year"@en ; sh:datatype xsd:gYear .
""",
}


def ld_graphs() -> dict[str, Graph]:
    """The linked-data store's graphs, by key, freshly parsed."""
    graphs = {key: Graph().parse(data=LD_PREFIXES + text, format="turtle") for key, text in LD_TTL.items()}
    # An entailment that leads to a blank node of the ontology (an anonymous class), as owlrl makes them.
    restriction = next(graphs["ontology"].subjects(OWL.onProperty, URIRef("https://w3id.org/paradip/ontology#scope")))
    graphs["inferred"].add((URIRef(BASE + "id/agreement/mx-23005--us-wichita"), RDF.type, restriction))
    hub = URIRef(BASE + "id/country/MX")
    for i in range(HUB_SIZE):  # places in a country: a hub node for caps and paging
        place = URIRef(f"{BASE}id/locality/mx-{i:03d}")
        graphs["data"].add((place, URIRef("https://w3id.org/paradip/ontology#locatedIn"), hub))
        graphs["data"].add((place, URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                            Literal(f"Lugar {i}", lang="es")))
    return graphs


def write_ld_store(store_dir: Path, built_at: str = "2026-02-03T04:05:06+00:00") -> Path:
    """The linked-data store, with its manifest, at ``store_dir``."""
    return write_graphs_store(store_dir, ld_graphs(), content_hash="ld-sample-v1", built_at=built_at)
