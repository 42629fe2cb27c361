"""The SHACL shapes (shapes/paradiplomacy-shapes.ttl): well formed, documented, and exact.

- Every case in ``tests/shape_cases/`` is validated the way its header says. A valid case
  conforms with no result at all; an invalid case gives exactly the (source shape, constraint
  component) pairs of its ``# expect: <shape> <component>`` lines, whatever their severity.
- Cases are self-contained data (they state the superclasses they rely on) and are validated
  on their asserted triples alone. The valid cases and the invalid cases with
  ``# expect-entailed:`` lines are also validated, when the ontology exists, the way the build
  validates (the data with the ontology and its OWL RL entailments). Those lines give the
  expected pairs under entailment (the same as ``# expect`` for at least one case per
  SHACL-SPARQL rule), or
  ``# expect-entailed: nothing`` (an rdfs:range of the ontology entails the type a sh:class
  constraint asks for) or ``# expect-entailed: inconsistent`` (owlrl finds the ontology and the
  data inconsistent, so the build stops before SHACL).
- Every constraint of the shapes is exercised by at least one invalid case.
- The bundled knowledge graph (ontology, vocab/, data/ and the imported tables) conforms.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "shapes" / "paradiplomacy-shapes.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "paradiplomacy.ttl"
CASES = ROOT / "tests" / "shape_cases"
PDSH = Namespace("https://w3id.org/paradip/shapes#")
SHAPES_GRAPH = URIRef("https://w3id.org/paradip/shapes")

SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
# Constraint parameter -> the component it belongs to (SHACL 1.0, sections 4 and 5).
COMPONENTS = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.equals: "EqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
    SH.closed: "ClosedConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}
# Parameters whose value is a shape: every such shape must be named too.
SHAPE_VALUED = (SH.property, SH.node, SH.qualifiedValueShape, SH["not"])
SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
Pair = tuple[str, str]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def prepared_queries() -> Iterator[None]:
    """Parse each SHACL-SPARQL query once instead of once per focus node.

    pyshacl hands rdflib the same query text for every focus node, with ``$this`` in
    ``initBindings``; rdflib parses it again each time, which was 3/4 of the run time. A
    translated query is meant to be reused with other bindings (``prepareQuery``), so this
    changes the speed, not the results.
    """
    original = sparql_processor.SPARQLProcessor.query
    prepared: dict[Any, Any] = {}

    def query(self: Any, query: Any, initBindings: Mapping[str, Any] | None = None,  # noqa: N803
              initNs: Mapping[str, Any] | None = None, base: str | None = None, DEBUG: bool = False) -> Any:  # noqa: N803
        if isinstance(query, str):
            key = (query, base, frozenset((initNs or {}).items()))
            if key not in prepared:
                prepared[key] = translateQuery(parseQuery(query), base, initNs)
            query = prepared[key]
        return original(self, query, initBindings, initNs, base, DEBUG)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparql_processor.SPARQLProcessor, "query", query)
        yield


def local(term: object) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@cache
def ontology() -> Graph | None:
    return Graph().parse(ONTOLOGY_FILE, format="turtle") if ONTOLOGY_FILE.exists() else None


@cache
def ontology_axioms() -> Graph:
    """The ontology less what cannot entail anything about data: annotations and declarations.

    owlrl's time grows with the triples it is given; these are about half of the ontology and
    only ever entail statements about the ontology's own terms, which no shape targets.
    """
    onto = ontology()
    assert onto is not None
    declarations = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology}
    annotations = (str(DCTERMS), str(SKOS), "http://purl.org/vocab/vann/")
    axioms = Graph()
    for s, p, o in onto:
        if isinstance(o, Literal) or p == RDFS.isDefinedBy or (p == RDF.type and o in declarations):
            continue
        if str(p).startswith(annotations):
            continue
        axioms.add((s, p, o))
    return axioms


def entailed(data: Graph) -> tuple[Graph, list[str]]:
    """``data`` with the ontology and their OWL RL entailments (filtered as the build does)."""
    from paradip_kg.inference.closure import infer

    onto = ontology()
    assert onto is not None
    closure_input = Graph()
    for triple in data:
        closure_input.add(triple)
    for triple in ontology_axioms():
        closure_input.add(triple)
    inferred, errors = infer(closure_input)
    union = Graph()
    for graph in (data, onto, inferred):
        for triple in graph:
            union.add(triple)
    return union, errors


def run(data: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes(), inference=None, advanced=True,
                                           allow_warnings=False, allow_infos=False)
    assert isinstance(report, Graph), report
    return bool(conforms), report


def results(report: Graph) -> list[tuple[str, str, str, str]]:
    """(source shape, component, severity, focus) of each top-level result."""
    out = []
    for result in report.objects(None, SH.result):
        severity = report.value(result, SH.resultSeverity)
        assert severity in SEVERITIES
        out.append((local(report.value(result, SH.sourceShape)),
                    local(report.value(result, SH.sourceConstraintComponent)),
                    local(severity), str(report.value(result, SH.focusNode))))
    return out


def header(path: Path, key: str) -> list[str]:
    """The values of the ``# key: value`` lines at the top of a case file."""
    values = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(f"# {key}:"):
            values.append(line.split(":", 1)[1].strip())
    return values


def pairs(lines: list[str]) -> set[Pair]:
    out = set()
    for line in lines:
        shape, component = line.split()[:2]
        out.add((shape, component))
    return out


def case_params(kind: str) -> list[Any]:
    return [pytest.param(path, id=path.name) for path in sorted((CASES / kind).glob("*.ttl"))]


def entailed_outcome(path: Path) -> str | set[Pair]:
    """What a case gives under entailment: 'nothing', 'inconsistent' or a set of pairs."""
    lines = header(path, "expect-entailed")
    if not lines:
        return pairs(header(path, "expect")) if "invalid" in path.parts else set()
    first = lines[0].split()[0]
    if first in ("nothing", "inconsistent"):
        return first
    return pairs(lines)


def needs_entailed_run(path: Path) -> bool:
    """Cases also validated with the entailments: the valid ones and those with ``expect-entailed``.

    Valid cases show that inference creates no false positive. Invalid cases say what they give
    under entailment when it differs, and at least one case per SHACL-SPARQL rule (the rules are
    written to hold on the transitive, inverse and owl:sameAs closure) repeats its expectation.
    The OWL RL closure costs up to a second a case, so the other cases, whose constraints only
    look at the focus node and its values, are checked on asserted data only.
    """
    return "invalid" not in path.parts or bool(header(path, "expect-entailed"))


def test_every_sparql_rule_is_checked_with_entailments() -> None:
    rules = {shape for shape, component in constraint_pairs(shapes()) if component == "SPARQLConstraintComponent"}
    checked = set()
    for path in sorted((CASES / "invalid").glob("*.ttl")):
        outcome = entailed_outcome(path)
        if header(path, "expect-entailed") and isinstance(outcome, set):
            checked |= {shape for shape, component in outcome if component == "SPARQLConstraintComponent"}
    assert rules - checked == set()


def shape_nodes(g: Graph) -> set[Any]:
    """Every node used as a shape: typed as one, or the value of a shape-valued parameter."""
    nodes: set[Any] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        nodes.update(g.subjects(RDF.type, kind))
    for parameter in SHAPE_VALUED:
        nodes.update(g.objects(None, parameter))
    for parameter in SHAPE_LISTS:
        for head in g.objects(None, parameter):
            nodes.update(Collection(g, head))
    nodes.update(g.subjects(SH.path, None))
    return nodes


def constraint_pairs(g: Graph) -> set[Pair]:
    """The (shape, component) pairs a report can name as top-level results.

    Value shapes used only through sh:node, sh:or or sh:qualifiedValueShape report through the
    shape that uses them (their failures appear under sh:detail), so they are left out.
    """
    reachable = {s for s in g.subjects() if any((s, t, None) in g for t in TARGETS)}
    reachable |= {ps for s in set(reachable) for ps in g.objects(s, SH.property)}
    out = set()
    for shape in reachable:
        for parameter, component in COMPONENTS.items():
            if (shape, parameter, None) in g:
                out.add((local(shape), component))
    return out


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", case_params("valid"))
def test_valid_case_conforms(path: Path) -> None:
    conforms, report = run(Graph().parse(path, format="turtle"))
    assert results(report) == [] and conforms


@pytest.mark.parametrize("path", case_params("invalid"))
def test_invalid_case_gives_exactly_its_results(path: Path) -> None:
    expected = pairs(header(path, "expect"))
    assert expected, f"{path.name} has no '# expect: <shape> <component>' line"
    conforms, report = run(Graph().parse(path, format="turtle"))
    assert not conforms
    assert {(shape, component) for shape, component, _, _ in results(report)} == expected


def entailed_params() -> list[Any]:
    """Cases whose entailed outcome only documents the ontology (a range masks the constraint,
    or the data becomes inconsistent) are marked slow: ``-m "not slow"`` leaves them out."""
    params = []
    for path in sorted((CASES / "valid").glob("*.ttl")) + sorted((CASES / "invalid").glob("*.ttl")):
        if needs_entailed_run(path):
            marks = [pytest.mark.slow] if entailed_outcome(path) in ("nothing", "inconsistent") else []
            params.append(pytest.param(path, id=path.name, marks=marks))
    return params


@pytest.mark.parametrize("path", entailed_params())
def test_case_with_entailments_as_the_build_validates(path: Path) -> None:
    if ontology() is None:
        pytest.skip("ontology/paradiplomacy.ttl does not exist yet")
    expected = entailed_outcome(path)
    data, errors = entailed(Graph().parse(path, format="turtle"))
    if expected == "inconsistent":
        assert errors, "owlrl was expected to find the case inconsistent with the ontology"
        return
    assert errors == []
    conforms, report = run(data)
    got = {(shape, component) for shape, component, _, _ in results(report)}
    assert got == (set() if expected == "nothing" else expected)
    assert conforms == (not got)


def test_every_constraint_has_an_invalid_case() -> None:
    covered: set[Pair] = set()
    for path in sorted((CASES / "invalid").glob("*.ttl")):
        covered |= pairs(header(path, "expect"))
    missing = constraint_pairs(shapes()) - covered
    assert not missing, f"constraints without an invalid case: {sorted(missing)}"


def test_expectations_name_real_shapes_and_components() -> None:
    known = constraint_pairs(shapes())
    for path in sorted((CASES / "invalid").glob("*.ttl")):
        wrong = (pairs(header(path, "expect")) | pairs(
            [line for line in header(path, "expect-entailed") if line.split()[0] not in ("nothing", "inconsistent")]
        )) - known
        assert not wrong, f"{path.name}: no such shape constraint {sorted(wrong)}"


# ---------------------------------------------------------------------------------------------
# The shapes graph itself
# ---------------------------------------------------------------------------------------------

def test_shapes_pass_meta_shacl() -> None:
    from pyshacl.entrypoints import meta_validate

    conforms, _, text = meta_validate(shapes())
    assert conforms, text


def _languages(g: Graph, node: Any, prop: URIRef) -> list[str]:
    return sorted(lit.language or "" for lit in g.objects(node, prop) if isinstance(lit, Literal))


def test_every_shape_is_a_named_bilingual_iri() -> None:
    g = shapes()
    nodes = shape_nodes(g) | set(g.subjects(RDF.type, SH.SPARQLConstraint)) | set(g.objects(None, SH.sparql))
    assert len(nodes) > 50
    for node in nodes:
        assert isinstance(node, URIRef) and str(node).startswith(str(PDSH)), f"unnamed shape or constraint: {node!r}"
        for prop in (SH.name, SH.description):
            assert _languages(g, node, prop) == ["en", "es"], \
                f"{local(node)}: {local(prop)} must be given once in es and once in en"


def test_every_constraint_has_messages_in_es_and_en() -> None:
    """One sh:message per language on every shape that carries a constraint.

    A SHACL-SPARQL rule's messages sit on the node shape that holds it (a shape's sh:message
    applies to all its results): Apache Jena 4.5 rejects a sh:SPARQLConstraint with more than
    one sh:message ("More than one match"), and both pySHACL and Jena report the shape's.
    """
    g = shapes()
    for node in shape_nodes(g):
        if any((node, parameter, None) in g for parameter in COMPONENTS):
            assert _languages(g, node, SH.message) == ["en", "es"], f"{local(node)}: sh:message es and en"
    for constraint in set(g.objects(None, SH.sparql)):
        assert _languages(g, constraint, SH.message) == [], f"{local(constraint)}: messages go on its node shape"


def test_severities_are_explicit_where_results_come_from() -> None:
    """Results carry the severity of the shape that reports them: say it on each of them."""
    g = shapes()
    reporting = {s for s in g.subjects() if any((s, t, None) in g for t in TARGETS)}
    reporting |= {ps for s in set(reporting) for ps in g.objects(s, SH.property)}
    for node in reporting:
        constrained = any((node, parameter, None) in g for parameter in COMPONENTS)
        if constrained:
            assert g.value(node, SH.severity) in SEVERITIES, f"{local(node)} has no sh:severity"


def test_one_sparql_constraint_per_node_shape() -> None:
    """So that (sourceShape, SPARQLConstraintComponent) names one rule in a report."""
    g = shapes()
    for shape in set(g.subjects(SH.sparql, None)):
        assert len(list(g.objects(shape, SH.sparql))) == 1, local(shape)


def test_shapes_graph_is_described() -> None:
    g = shapes()
    assert _languages(g, SHAPES_GRAPH, DCTERMS.title) == ["en", "es"]
    assert g.value(SHAPES_GRAPH, OWL.versionInfo) is not None
    comments = {lit.language: str(lit) for lit in g.objects(SHAPES_GRAPH, RDFS.comment)}
    assert set(comments) == {"es", "en"}
    for word in ("sh:Violation", "sh:Warning", "sh:Info"):
        assert word in comments["es"] and word in comments["en"]


def test_sparql_prefixes_are_declared_and_queries_parse() -> None:
    g = shapes()
    declared = {str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace)) for d in g.objects(SHAPES_GRAPH, SH.declare)}
    for constraint in set(g.objects(None, SH.sparql)):
        assert g.value(constraint, SH.prefixes) == SHAPES_GRAPH, local(constraint)
        text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in declared.items()) + str(g.value(constraint, SH.select))
        translateQuery(parseQuery(text))


def test_no_blank_node_shapes_anywhere() -> None:
    g = shapes()
    for node in shape_nodes(g):
        assert not isinstance(node, BNode)


# ---------------------------------------------------------------------------------------------
# The bundled knowledge graph
# ---------------------------------------------------------------------------------------------

def test_bundled_knowledge_graph_conforms() -> None:
    data_files = sorted((ROOT / "data").glob("*.ttl"))
    sources = ROOT / "data" / "sources"
    if ontology() is None or not data_files:
        pytest.skip("ontology/paradiplomacy.ttl or data/*.ttl do not exist yet")
    from paradip_kg.inference.closure import infer
    from paradip_kg.rdf.parse import load_folder

    asserted = Graph()
    for folder in ("ontology", "vocab", "data"):
        load_folder(ROOT / folder, asserted)
    if sources.is_dir() and any(sources.glob("*.csv")):
        from paradip_kg.importer.table import load_tables

        for triple in load_tables(sources):
            asserted.add(triple)
    start = time.perf_counter()
    inferred, errors = infer(asserted)
    assert errors == [], errors
    for triple in inferred:
        asserted.add(triple)
    _, report = run(asserted)
    found = results(report)
    seconds = time.perf_counter() - start
    blocking = sorted(r for r in found if r[2] in ("Violation", "Warning"))
    print(f"bundled graph: {len(asserted)} triples, inference + validation {seconds:.1f} s, "
          f"{len(found) - len(blocking)} Info results")
    assert not blocking, "\n".join(" ".join(r) for r in blocking)
