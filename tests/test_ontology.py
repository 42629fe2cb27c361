"""The ontology and the SKOS vocabularies: they parse, follow docs/model.md, and are consistent.

Offline: everything is read from the repository (``ontology/``, ``vocab/``, ``data/``).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).parents[1]
try:
    from paradip_kg.namespaces import PDO
except ImportError:  # package not installed: use the source tree
    sys.path.insert(0, str(ROOT / "src"))
    from paradip_kg.namespaces import PDO

ONTOLOGY_FILE = ROOT / "ontology" / "paradiplomacy.ttl"
VOCAB_FILES = sorted((ROOT / "vocab").glob("*.ttl"))
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))
RDF_DIRS = ("ontology", "vocab", "data", "shapes")

ONTOLOGY_IRI = URIRef("https://w3id.org/paradip/ontology")
PDO_NS = str(PDO._NS)
VOCAB = Namespace("https://w3id.org/paradip/vocab/")
SCOPE = Namespace("https://w3id.org/paradip/vocab/scope/")
SDG = Namespace("http://metadata.un.org/sdg/")
ID = Namespace("https://w3id.org/paradip/id/")
VANN = Namespace("http://purl.org/vocab/vann/")
ORG = Namespace("http://www.w3.org/ns/org#")
M8G = Namespace("http://data.europa.eu/m8g/")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@cache
def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def ontology() -> Graph:
    return _parse(ONTOLOGY_FILE)


def vocab() -> Graph:
    g = Graph()
    for path in VOCAB_FILES:
        g += _parse(path)
    return g


def langs(g: Graph, s: URIRef, p: URIRef) -> list[str | None]:
    return [o.language for o in g.objects(s, p) if isinstance(o, Literal)]


def pdo_terms(g: Graph) -> set[URIRef]:
    return {
        s
        for t in TERM_TYPES
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(PDO_NS)
    }


def close(g: Graph) -> Graph:
    """A copy of ``g`` with its OWL 2 RL closure, as the build computes it."""
    out = Graph()
    out += g
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(out)
    return out


# owlrl adds each inconsistency it finds to the graph as
# [ a err:ErrorMessage ; err:error "…" ] (owlrl/Closure.py, Core.closure; ERRNS in Namespaces.py):
# rule cls-nothing2, disjoint classes (cax-dw, cax-adc), sameAs vs differentFrom (eq-diff*),
# asymmetric/irreflexive/disjoint properties, negative assertions, max cardinality, and
# literals that do not match their datatype.
def inconsistencies(closed: Graph) -> list[str]:
    found = [str(m) for node in closed.subjects(RDF.type, ERRNS.ErrorMessage)
             for m in closed.objects(node, ERRNS.error)]
    found += [f"{x} is a member of owl:Nothing" for x in closed.subjects(RDF.type, OWL.Nothing)]
    found += [f"{x} owl:differentFrom itself" for x, _, y in closed.triples((None, OWL.differentFrom, None))
              if x == y]
    return sorted(found)


# ---------------------------------------------------------------------------
# Parsing and the ontology header
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [ONTOLOGY_FILE, *VOCAB_FILES, *DATA_FILES],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_file_parses(path: Path) -> None:
    assert len(_parse(path)) > 0


def test_vocabulary_files_are_there() -> None:
    names = {p.name for p in VOCAB_FILES}
    assert {"themes.ttl", "framings.ttl", "scopes.ttl", "units.ttl", "sdg.ttl"} <= names


def test_ontology_header() -> None:
    g = ontology()
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in g
    assert g.value(o, OWL.versionIRI) == URIRef("https://w3id.org/paradip/ontology/0.1.0")
    assert g.value(o, OWL.versionInfo) == Literal("0.1.0")
    assert sorted(langs(g, o, DCTERMS.title)) == ["en", "es"]
    assert sorted(langs(g, o, DCTERMS.description)) == ["en", "es"]
    assert g.value(o, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(o, DCTERMS.created) == Literal("2026-11-25", datatype=XSD.date)
    assert g.value(o, DCTERMS.modified) == Literal("2026-11-25", datatype=XSD.date)
    assert g.value(o, VANN.preferredNamespacePrefix) == Literal("pdo")
    assert str(g.value(o, VANN.preferredNamespaceUri)) == PDO_NS


@pytest.mark.parametrize("folder", RDF_DIRS)
def test_no_owl_imports(folder: str) -> None:
    """The build never fetches: no file may ask for an import."""
    for path in sorted((ROOT / folder).rglob("*.ttl")):
        g = _parse(path)
        assert not list(g.triples((None, OWL.imports, None))), path


# ---------------------------------------------------------------------------
# Terms: the contract with namespaces.PDO, labels and definitions
# ---------------------------------------------------------------------------

def test_declared_terms_equal_namespace_class() -> None:
    declared = {str(t)[len(PDO_NS):] for t in pdo_terms(ontology())}
    named = set(PDO.__annotations__)
    assert declared - named == set(), "declared in the ontology, missing from PDO"
    assert named - declared == set(), "named in PDO, not declared in the ontology"


def test_no_other_pdo_iris_used() -> None:
    """Every pdo: IRI mentioned anywhere in ontology/vocab is a declared term (no typos)."""
    g = ontology() + vocab()
    declared = pdo_terms(ontology())
    used = {n for t in g for n in t if isinstance(n, URIRef) and str(n).startswith(PDO_NS)}
    assert used - declared == set()


@pytest.mark.parametrize("term", sorted(pdo_terms(ontology())), ids=lambda t: t.fragment)
def test_term_is_labelled_and_defined_in_both_languages(term: URIRef) -> None:
    g = ontology()
    for p in (RDFS.label, SKOS.definition):
        got = langs(g, term, p)
        assert sorted(got) == ["en", "es"], f"{term.fragment} {p}: {got}"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in g


def test_every_term_has_exactly_one_kind() -> None:
    g = ontology()
    for term in pdo_terms(g):
        kinds = [t for t in TERM_TYPES if (term, RDF.type, t) in g]
        assert len(kinds) == 1, (term, kinds)


# ---------------------------------------------------------------------------
# Alignments and axioms from docs/model.md
# ---------------------------------------------------------------------------

SUBCLASS_OF = [
    (PDO.Actor, PROV.Agent), (PDO.Actor, FOAF.Agent),
    (PDO.GovernmentOrganisation, PDO.Actor), (PDO.GovernmentOrganisation, M8G.PublicOrganisation),
    (PDO.GovernmentOrganisation, SCHEMA.GovernmentOrganization),
    (PDO.GovernmentOrganisation, ORG.FormalOrganization),
    (PDO.NationState, PDO.GovernmentOrganisation),
    (PDO.SubnationalGovernment, PDO.GovernmentOrganisation),
    (PDO.StateGovernment, PDO.SubnationalGovernment),
    (PDO.MunicipalGovernment, PDO.SubnationalGovernment),
    (PDO.FederalAgency, PDO.GovernmentOrganisation),
    (PDO.MunicipalUnit, ORG.OrganizationalUnit),
    (PDO.NonStateActor, PDO.Actor), (PDO.NonStateActor, ORG.Organization),
    (PDO.NonGovernmentalOrganisation, PDO.NonStateActor),
    (PDO.CivilSocietyOrganisation, PDO.NonStateActor),
    (PDO.Company, PDO.NonStateActor),
    (PDO.InternationalOrganisation, PDO.Actor), (PDO.InternationalOrganisation, ORG.FormalOrganization),
    (PDO.Scholar, PROV.Person), (PDO.Scholar, FOAF.Person), (PDO.Scholar, SCHEMA.Person),
    (PDO.Place, GEO.Feature), (PDO.Place, WGS.SpatialThing), (PDO.Place, SCHEMA.Place),
    (PDO.Territory, PDO.Place), (PDO.Territory, SCHEMA.AdministrativeArea),
    (PDO.Country, PDO.Territory), (PDO.Country, SCHEMA.Country),
    (PDO.State, PDO.Territory), (PDO.State, SCHEMA.State),
    (PDO.Municipality, PDO.Territory),
    (PDO.Locality, PDO.Place), (PDO.Locality, SCHEMA.City),
    (PDO.Agreement, PROV.Entity),
    (PDO.SisterCityAgreement, PDO.Agreement),
    (PDO.DecentralizedCooperationAgreement, PDO.InternationalAgreement),
    (PDO.InterinstitutionalAgreement, PDO.InternationalAgreement),
    (PDO.LegalInstrument, ELI.LegalResource), (PDO.LegalInstrument, SCHEMA.Legislation),
    (PDO.Law, PDO.LegalInstrument), (PDO.Regulation, PDO.LegalInstrument),
    (PDO.Programme, PROV.Entity), (PDO.DevelopmentPlan, PROV.Entity),
    (PDO.InternationalAgenda, PROV.Entity),
    (PDO.Theory, SKOS.Concept), (PDO.Concept, SKOS.Concept), (PDO.ContextualDriver, SKOS.Concept),
    (PDO.ScholarlyWork, SCHEMA.CreativeWork), (PDO.ScholarlyWork, PROV.Entity),
    (PDO.StatisticalClaim, PROV.Entity),
    (PDO.SourceDocument, PROV.Entity), (PDO.SourceDocument, SCHEMA.CreativeWork),
    (PDO.Unit, SKOS.Concept),
]

SUBPROPERTY_OF = [
    (PDO.locatedIn, SCHEMA.containedInPlace),
    (PDO.hasSeat, SCHEMA.location),
    (PDO.theme, DCTERMS.subject),
    (PDO.issuedBy, DCTERMS.publisher),
    (PDO.unitOf, ORG.unitOf),
    (PDO.proposedBy, DCTERMS.creator),
    (PDO.startDate, SCHEMA.startDate),
    (PDO.inegiCode, DCTERMS.identifier),
]


@pytest.mark.parametrize("sub,sup", SUBCLASS_OF, ids=lambda t: t.n3().rsplit("/", 1)[-1])
def test_subclass_alignment(sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in ontology()


@pytest.mark.parametrize("sub,sup", SUBPROPERTY_OF, ids=lambda t: t.n3().rsplit("/", 1)[-1])
def test_subproperty_alignment(sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in ontology()


def test_property_characteristics() -> None:
    g = ontology()
    assert (PDO.locatedIn, RDF.type, OWL.TransitiveProperty) in g
    assert (PDO.twinnedWith, RDF.type, OWL.SymmetricProperty) in g
    for a, b in [(PDO.governs, PDO.governedBy), (PDO.hasSeat, PDO.seatOf), (PDO.hasParty, PDO.partyTo)]:
        assert (a, OWL.inverseOf, b) in g or (b, OWL.inverseOf, a) in g
    for p in (PDO.inegiCode, PDO.isoCountryCode, PDO.value):
        assert (p, RDF.type, OWL.FunctionalProperty) in g
        assert (p, RDF.type, OWL.DatatypeProperty) in g


def test_disjointness() -> None:
    g = ontology()
    for a, b in [(PDO.NationalAgreement, PDO.InternationalAgreement), (PDO.Place, PDO.Actor),
                 (PDO.Territory, PDO.Locality), (PDO.GovernmentOrganisation, PDO.NonStateActor)]:
        assert (a, OWL.disjointWith, b) in g or (b, OWL.disjointWith, a) in g, (a, b)


@pytest.mark.parametrize("cls,value", [(PDO.InternationalAgreement, SCOPE.international),
                                       (PDO.NationalAgreement, SCOPE.national)])
def test_scope_classes_are_defined_by_has_value(cls: URIRef, value: URIRef) -> None:
    g = ontology()
    (eq,) = list(g.objects(cls, OWL.equivalentClass))
    members = list(g.items(g.value(eq, OWL.intersectionOf)))
    assert PDO.Agreement in members
    (restriction,) = [m for m in members if isinstance(m, BNode)]
    assert g.value(restriction, OWL.onProperty) == PDO.scope
    assert g.value(restriction, OWL.hasValue) == value


# Stricter than OWL 2 RL needs (some of these are allowed in subclass position): the
# ontology uses none of them, and a new use should be a deliberate, reviewed change.
NOT_USED = [OWL.unionOf, OWL.complementOf, OWL.oneOf, OWL.someValuesFrom, OWL.minCardinality,
            OWL.cardinality, OWL.minQualifiedCardinality, OWL.qualifiedCardinality,
            OWL.disjointUnionOf, OWL.hasSelf, OWL.imports]


def test_only_owl2rl_constructs() -> None:
    g = ontology()
    for p in NOT_USED:
        assert not list(g.triples((None, p, None))), p
    assert (None, RDF.type, OWL.ReflexiveProperty) not in g
    for p in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        for value in g.objects(None, p):
            assert int(value) in (0, 1), (p, value)


# ---------------------------------------------------------------------------
# SKOS vocabularies
# ---------------------------------------------------------------------------

def test_every_concept_is_labelled_and_defined_in_both_languages() -> None:
    g = vocab()
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts
    for c in concepts:
        pref = langs(g, c, SKOS.prefLabel)
        assert sorted(pref) == ["en", "es"], (c, pref)  # also: one prefLabel per language
        assert {"en", "es"} <= set(langs(g, c, SKOS.definition)), c


def test_every_concept_is_in_a_declared_scheme() -> None:
    g = vocab()
    schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    for c in g.subjects(RDF.type, SKOS.Concept):
        in_schemes = set(g.objects(c, SKOS.inScheme))
        assert in_schemes and in_schemes <= schemes, c
        for s in g.objects(c, SKOS.topConceptOf):
            assert (s, SKOS.hasTopConcept, c) in g, c
    for s in schemes:
        assert sorted(langs(g, s, DCTERMS.title)) == ["en", "es"], s
        for c in g.objects(s, SKOS.hasTopConcept):
            assert (c, SKOS.topConceptOf, s) in g, c


EXPECTED_CONCEPTS = {
    "scope": {"national", "international"},
    "unit": {"percent", "count"},
    "framing": {"buenos-oficios"},
    "theme": {"economic", "administrative", "environmental", "cultural-promotion", "trade",
              "development", "technical-cooperation", "social", "political"},
}


@pytest.mark.parametrize("scheme", sorted(EXPECTED_CONCEPTS))
def test_scheme_concepts(scheme: str) -> None:
    g = vocab()
    members = {str(c) for c in g.subjects(SKOS.inScheme, VOCAB[scheme])}
    assert members == {str(VOCAB[f"{scheme}/{key}"]) for key in EXPECTED_CONCEPTS[scheme]}


def test_units_are_typed_unit() -> None:
    g = vocab()
    for key in EXPECTED_CONCEPTS["unit"]:
        assert (VOCAB[f"unit/{key}"], RDF.type, PDO.Unit) in g


def test_buenos_oficios_quotes_the_essay_and_warns() -> None:
    g = vocab()
    c = VOCAB["framing/buenos-oficios"]
    notes = {n.language: str(n) for n in g.objects(c, SKOS.scopeNote)}
    assert notes["es"] == ("A pesar de que este proceso tiene antecedentes en Quintana Roo, "
                           "la mayoría de los acuerdos están enmarcados en los \"Buenos Oficios\".")
    assert "Translation" in notes["en"]
    editorial = {n.language: str(n) for n in g.objects(c, SKOS.editorialNote)}
    assert "no debe equipararse" in editorial["es"].lower()
    assert "must not be equated" in editorial["en"]


def test_sdg_scheme_uses_un_iris() -> None:
    g = vocab()
    scheme = VOCAB["sdg"]
    goals = {SDG[str(n)] for n in range(1, 18)}
    targets = {SDG[t] for t in ("11.3", "11.a", "16.6", "16.7", "17.9", "17.16", "17.17")}
    members = set(g.subjects(SKOS.inScheme, scheme))
    assert members == goals | targets
    assert set(g.objects(scheme, SKOS.hasTopConcept)) == goals
    for n in range(1, 18):
        assert g.value(SDG[str(n)], SKOS.notation) == Literal(str(n))
        assert "en" in langs(g, SDG[str(n)], SKOS.altLabel)
    for t in targets:
        goal = SDG[str(t).rsplit("/", 1)[-1].split(".")[0]]
        assert g.value(t, SKOS.broader) == goal
    assert (SDG["11"], SKOS.prefLabel,
            Literal("Make cities and human settlements inclusive, safe, resilient and sustainable",
                    lang="en")) in g
    assert (SDG["16.6"], SKOS.prefLabel,
            Literal("Crear a todos los niveles instituciones eficaces y transparentes que rindan cuentas",
                    lang="es")) in g
    assert not any(str(s).startswith("https://metadata.un.org/") for s in g.subjects())


# ---------------------------------------------------------------------------
# Inference: the whole graph is consistent, and the axioms entail what they should
# ---------------------------------------------------------------------------

def test_ontology_vocab_and_data_are_consistent() -> None:
    g = ontology() + vocab()
    for path in DATA_FILES:
        g += _parse(path)
    assert inconsistencies(close(g)) == []


AGR = ID["agreement/test"]
BJ = ID["government/mx-23005"]
WICHITA = ID["government/us-wichita"]


def _with(turtle: str) -> Graph:
    g = ontology() + vocab()
    g.parse(data="@prefix pdo: <https://w3id.org/paradip/ontology#> .\n"
                 "@prefix pdid: <https://w3id.org/paradip/id/> .\n"
                 "@prefix pdv: <https://w3id.org/paradip/vocab/> .\n" + turtle, format="turtle")
    return g


def test_scope_value_entails_international_agreement() -> None:
    closed = close(_with("""
        <https://w3id.org/paradip/id/agreement/test> a pdo:SisterCityAgreement ;
            pdo:scope <https://w3id.org/paradip/vocab/scope/international> ;
            pdo:hasParty <https://w3id.org/paradip/id/government/mx-23005> ,
                <https://w3id.org/paradip/id/government/us-wichita> .
    """))
    assert inconsistencies(closed) == []
    assert (AGR, RDF.type, PDO.InternationalAgreement) in closed
    assert (AGR, RDF.type, PROV.Entity) in closed
    assert (BJ, RDF.type, PDO.Actor) in closed
    assert (BJ, PDO.partyTo, AGR) in closed
    # An agreement is an instrument, not an organisation (docs/model.md): ORG infers neither.
    assert (AGR, RDF.type, ORG.Organization) not in closed
    assert (AGR, RDF.type, ORG.OrganizationalCollaboration) not in closed
    assert not list(closed.triples((AGR, ORG.hasMember, None)))


def test_decentralised_cooperation_entails_international_scope() -> None:
    closed = close(_with("<https://w3id.org/paradip/id/agreement/test> a pdo:DecentralizedCooperationAgreement ."))
    assert (AGR, PDO.scope, SCOPE.international) in closed
    assert (AGR, RDF.type, PDO.Agreement) in closed


def test_twinning_is_symmetric_and_location_transitive() -> None:
    closed = close(_with("""
        <https://w3id.org/paradip/id/government/mx-23005> a pdo:MunicipalGovernment ;
            pdo:twinnedWith <https://w3id.org/paradip/id/government/us-wichita> ;
            pdo:governs <https://w3id.org/paradip/id/municipality/mx-23005> ;
            pdo:hasSeat <https://w3id.org/paradip/id/locality/mx-230050001> .
        <https://w3id.org/paradip/id/locality/mx-230050001>
            pdo:locatedIn <https://w3id.org/paradip/id/municipality/mx-23005> .
        <https://w3id.org/paradip/id/municipality/mx-23005> pdo:locatedIn <https://w3id.org/paradip/id/state/mx-23> .
        <https://w3id.org/paradip/id/state/mx-23> pdo:locatedIn <https://w3id.org/paradip/id/country/MX> .
    """))
    assert inconsistencies(closed) == []
    assert (WICHITA, PDO.twinnedWith, BJ) in closed
    assert (ID["locality/mx-230050001"], PDO.locatedIn, ID["country/MX"]) in closed
    assert (ID["municipality/mx-23005"], PDO.governedBy, BJ) in closed
    assert (ID["locality/mx-230050001"], PDO.seatOf, BJ) in closed
    assert (BJ, RDF.type, M8G.PublicOrganisation) in closed
    assert (BJ, RDF.type, ORG.Organization) in closed


@pytest.mark.parametrize("turtle", [
    pytest.param("""<https://w3id.org/paradip/id/agreement/test> a pdo:Agreement ;
                        pdo:scope <https://w3id.org/paradip/vocab/scope/national> ,
                            <https://w3id.org/paradip/vocab/scope/international> .""",
                 id="national-and-international"),
    pytest.param("""<https://w3id.org/paradip/id/government/mx-23005> a pdo:MunicipalGovernment .
                    <https://w3id.org/paradip/id/municipality/mx-23005>
                        pdo:governedBy <https://w3id.org/paradip/id/government/mx-23005> .
                    <https://w3id.org/paradip/id/government/mx-23005>
                        pdo:locatedIn <https://w3id.org/paradip/id/state/mx-23> .""",
                 id="government-used-as-place"),
    pytest.param("""<https://w3id.org/paradip/id/x> a pdo:Municipality , pdo:Locality .""",
                 id="territory-and-locality"),
    pytest.param("""<https://w3id.org/paradip/id/x> a pdo:MunicipalGovernment , pdo:Company .""",
                 id="government-and-company"),
])
def test_inconsistencies_are_detected(turtle: str) -> None:
    """The consistency check above is not vacuous: known contradictions are reported."""
    assert inconsistencies(close(_with(turtle))) != []
