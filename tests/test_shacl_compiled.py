"""The compiled SHACL engine (shacl/compiled*) gives pyshacl's results, as sets of
(focus, path, component, severity, value, source shape), on:

- every case of tests/shape_cases/ (validated as tests/test_shapes.py does: the asserted triples),
  and the cases with ``# expect-entailed`` lines with the ontology and their OWL RL entailments;
- every file of tests/validation_corpus/ (with the project's context mixed in, as
  `paradip-kg validate` does);
- the bundled graph and a ~10k world sample (bench/world.py) with violations of many kinds planted
  in it, each validated as the build validates (data, ontology and owlrl entailments);

and refuses (falls back to pyshacl) shapes it does not implement. Values are compared as the
store holds them: Oxigraph keeps valid literals of the XSD numeric types in canonical form
("01"^^xsd:integer is stored as "1"), which is what the build publishes, so pyshacl's values are
put through a store before comparing.

Where the two differ by design it is said and tested here, not copied: a SHACL-SPARQL query runs
on Oxigraph, which follows SPARQL's operator semantics, where pyshacl's runs on rdflib's
(:func:`test_sparql_comparison_follows_the_spec`). The project's shapes never meet that case (every
file above agrees).
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from paradip_kg import settings
from paradip_kg.build import load_sources
from paradip_kg.inference.closure import infer
from paradip_kg.rdf.terms import to_oxigraph
from paradip_kg.shacl.compiled import Run, validate_graph, validate_store
from paradip_kg.shacl.compiled_data import DataGraph
from paradip_kg.shacl.compiled_plans import PLANS, text_key
from paradip_kg.shacl.compiled_shapes import compile_shapes
from paradip_kg.shacl.engine import validate
from paradip_kg.shacl.inputs import load_data, mix_in, project_context
from paradip_kg.shacl.results import Report

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "shape_cases"
CORPUS = ROOT / "tests" / "validation_corpus"
sys.path.insert(0, str(ROOT / "bench"))
import world  # noqa: E402

PDO = Namespace("https://w3id.org/paradip/ontology#")
W = world.WORLD
Key = tuple[str, str, str, str, str, str]
logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # ill-formed literals are on purpose in the cases


@cache
def shapes() -> Graph:
    return Graph().parse(ROOT / "shapes" / "paradiplomacy-shapes.ttl", format="turtle")


def canonical(node: object) -> str:
    """A value as an Oxigraph store holds it (see the module docstring)."""
    if node is None:
        return ""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), to_oxigraph(node)))  # type: ignore[arg-type]
    return str(next(iter(store)).object)


def keys(report: Report) -> set[Key]:
    return {(str(r.focus), str(r.path or ""), r.component, r.severity, canonical(r.value), str(r.shape))
            for r in report.results}


def assert_same(data: Graph, allow_warnings: bool = False) -> tuple[Report, Report]:
    oracle = validate(data, shapes(), allow_warnings=allow_warnings)
    ours = validate_graph(data, shapes(), allow_warnings=allow_warnings)
    theirs, mine = keys(oracle), keys(ours)
    assert mine == theirs, f"only pyshacl: {sorted(theirs - mine)}\nonly compiled: {sorted(mine - theirs)}"
    assert ours.conforms == oracle.conforms
    return oracle, ours


def entailed(data: Graph) -> Graph:
    """``data`` with the ontology and the OWL RL entailments of both, as the build validates."""
    union = Graph()
    for triple in (*data, *Graph().parse(ROOT / "ontology" / "paradiplomacy.ttl", format="turtle")):
        union.add(triple)
    inferred, errors = infer(union)
    assert errors == []
    for triple in inferred:
        union.add(triple)
    return union


def test_the_project_shapes_compile_entirely() -> None:
    plan = compile_shapes(shapes())
    assert plan.unsupported == []
    assert len(plan.targeted) > 30


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{p.parent.name}/{p.name}")
                                  for p in sorted(CASES.glob("*/*.ttl"))])
def test_shape_case(path: Path) -> None:
    assert_same(Graph().parse(path, format="turtle"))


def _entailed_cases() -> list[object]:
    out = []
    for path in sorted((CASES / "invalid").glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.startswith("# expect-entailed:")]
        if lines and lines[0].split(":", 1)[1].split()[0] not in ("nothing", "inconsistent"):
            out.append(pytest.param(path, id=path.name))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", _entailed_cases())
def test_shape_case_with_entailments(path: Path) -> None:
    oracle, _ = assert_same(entailed(Graph().parse(path, format="turtle")))
    assert oracle.results  # an invalid case stays invalid


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{p.parent.name}/{p.name}")
                                  for p in sorted(CORPUS.glob("*/*")) if p.suffix != ".json"])
def test_validation_corpus(path: Path) -> None:
    assert_same(mix_in(load_data([path]), project_context(ROOT)))


def build_input(project: Path) -> Graph:
    """What `paradip-kg build` validates: ontology, vocab and data with their entailments."""
    sources = load_sources(project)
    union = sources.union()
    inferred, errors = infer(union)
    assert errors == []
    for triple in inferred:
        union.add(triple)
    return union


@pytest.mark.slow
def test_bundled_graph() -> None:
    oracle, ours = assert_same(build_input(ROOT), allow_warnings=True)
    assert ours.conforms and oracle.conforms


# --- a world sample with violations planted in it ----------------------------------------------

def _planted_world(project: Path) -> set[str]:
    """Write a ~10k world whose data breaks many rules; return the IRIs of the things planted."""
    quads = list(world.generate(10_000, 0))
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    by_predicate: dict[str, list[tuple[ox.Term, ox.Term, ox.Term]]] = {}
    for t in sorted(triples, key=str):
        by_predicate.setdefault(t[1].value, []).append(t)

    def first(predicate: URIRef, value: object = None, skip: int = 0) -> tuple[ox.Term, ox.Term, ox.Term]:
        found = [t for t in by_predicate[str(predicate)] if value is None or t[2] == value]
        return found[skip]

    def iri(text: str) -> ox.NamedNode:
        return ox.NamedNode(text)

    def typed(text: str, datatype: URIRef) -> ox.Literal:
        return ox.Literal(text, datatype=iri(str(datatype)))

    planted: set[str] = set()
    national, international = (iri(world.VOCAB + "scope/" + s) for s in ("national", "international"))
    # scope against the parties' countries (the two SHACL-SPARQL country rules), on sister-city
    # agreements (a decentralized cooperation agreement is international by its class)
    sister = {t[0] for t in by_predicate[str(RDF.type)] if t[2] == iri(str(PDO.SisterCityAgreement))}
    for scope, other in ((national, international), (international, national)):
        s, p, o = next(t for t in by_predicate[str(PDO.scope)] if t[2] == scope and t[0] in sister)
        triples.discard((s, p, o))
        triples.add((s, p, other))
        planted.add(s.value)
    agreements = [t[0] for t in by_predicate[str(PDO.scope)]]
    a1, a2, a3, a4, a5 = agreements[5:10]
    # a duplicate of an agreement under another IRI
    dup = iri(W + "agreement/planted-duplicate")
    triples |= {(dup, p, o) for s, p, o in list(triples) if s == a1 and p != iri(str(PDO.tableRow))}
    planted |= {dup.value, a1.value}
    # dates: in the future, ill-formed, a second one
    for s, p, o in [t for t in triples if t[0] in (a2, a3) and t[1] == iri(str(PDO.startDate))]:
        triples.discard((s, p, o))
    triples.add((a2, iri(str(PDO.startDate)), typed("2999", XSD.gYear)))
    triples.add((a3, iri(str(PDO.startDate)), typed("1985-13", XSD.gYearMonth)))
    triples.add((a3, iri(str(PDO.startDate)), typed("1986", XSD.gYear)))
    # table rows: zero, a string, two
    triples.add((a4, iri(str(PDO.tableRow)), typed("0", XSD.integer)))
    triples.add((a5, iri(str(PDO.tableRow)), ox.Literal("siete")))
    planted |= {a2.value, a3.value, a4.value, a5.value}
    # an alignment with a theme (not an SDG nor an agenda), and an agreement with one party only
    government = first(PDO.hasSeat)[0]
    triples.add((agreements[11], iri(str(PDO.alignedWith)), iri(world.VOCAB + "theme/trade")))
    for t in [t for t in triples if t[0] == agreements[12] and t[1] == iri(str(PDO.hasParty))][:1]:
        triples.discard(t)
    planted |= {agreements[11].value, agreements[12].value}
    # labels and sources missing, two labels in one language
    s, p, o = first(RDFS.label, skip=40)
    triples.discard((s, p, o))
    planted.add(s.value)
    s, p, o = first(URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), skip=70)
    for t in [t for t in triples if t[0] == s and t[1] == p]:
        triples.discard(t)
    planted.add(s.value)
    s, p, o = first(RDFS.label, skip=101)
    triples.add((s, p, ox.Literal("otra etiqueta", language="es")))
    triples.add((s, p, ox.Literal("another label", language="en")))
    planted.add(s.value)
    # codes: an ISO code of three letters, an INEGI code that does not nest
    s, p, o = first(PDO.isoCountryCode, skip=1)
    triples.discard((s, p, o))
    triples.add((s, p, ox.Literal("XXA")))
    planted.add(s.value)
    s, p, o = first(PDO.inegiCode, skip=3)
    if len(o.value) == 5:  # a municipality: its localities stop nesting too
        planted |= {t[0].value for t in triples if t[1] == p and t[2].value.startswith(o.value)}
    triples.discard((s, p, o))
    triples.add((s, p, ox.Literal("3" + o.value[1:] if o.value[0] != "3" else "4" + o.value[1:])))
    planted |= {t[0].value for t in triples if t[1] == p and t[2].value.startswith(o.value[:2])}
    planted.add(s.value)
    # self-twinning, and founding after the start
    triples.add((government, iri(str(PDO.twinnedWith)), government))
    planted.add(government.value)
    party = next(t[2] for t in triples if t[0] == agreements[13] and t[1] == iri(str(PDO.hasParty)))
    triples.add((party, iri(str(PDO.foundingDate)), typed("2024", XSD.gYear)))
    planted |= {agreements[13].value, party.value}
    planted |= {t[0].value for t in triples if t[1] == iri(str(PDO.hasParty)) and t[2] == party}

    for folder in ("ontology", "vocab", "shapes", "data"):
        shutil.copytree(ROOT / folder, project / folder)
    ox.serialize([ox.Triple(*t) for t in triples], str(project / "data" / "world.nt"), ox.RdfFormat.N_TRIPLES)
    return planted


@pytest.mark.slow
def test_world_sample_with_planted_violations(tmp_path: Path) -> None:
    planted = _planted_world(tmp_path / "project")
    data = build_input(tmp_path / "project")
    started = time.perf_counter()
    oracle = validate(data, shapes(), allow_warnings=True)
    middle = time.perf_counter()
    ours = validate_graph(data, shapes(), allow_warnings=True)
    assert _found(data, True) == _found(data, False)  # the hand-written plans give the queries' rows
    print(f"{len(data)} triples: pyshacl {middle - started:.1f} s, compiled {time.perf_counter() - middle:.1f} s")
    theirs, mine = keys(oracle), keys(ours)
    assert mine == theirs, f"only pyshacl: {sorted(theirs - mine)}\nonly compiled: {sorted(mine - theirs)}"
    components = {(k[5].rsplit("#", 1)[-1], k[2]) for k in mine if k[3] != "Info"}
    assert len(components) >= 12, components  # many kinds of violation, SHACL-SPARQL ones among them
    assert sum(c == "SPARQLConstraintComponent" for _, c in components) >= 5, components
    unplanted = {k for k in mine if k[3] != "Info" and k[0] not in planted}
    assert not unplanted, sorted(unplanted)


# --- where the compiled engine differs from pyshacl, or must refuse -------------------------------

def test_sparql_comparison_follows_the_spec() -> None:
    """In a SHACL-SPARQL query, ``"unknown" > 5`` is a type error (SPARQL 17.3: no operator
    compares a string with a number), so FILTER drops the row. rdflib says true, and pyshacl
    reports a false violation; the compiled engine (Oxigraph) does not."""
    shape_graph = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://w3id.org/paradip/synthetic/test/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql ex:Big .
        ex:Big a sh:SPARQLConstraint ;
            sh:select "SELECT $this ?value WHERE { $this ex:n ?value . FILTER (?value > 5) }" ;
            sh:prefixes ex:Prefixes .
        ex:Prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "https://w3id.org/paradip/synthetic/test/" ] .
    """, format="turtle")
    data = Graph().parse(data="""@prefix ex: <https://w3id.org/paradip/synthetic/test/> .
        ex:a a ex:C ; ex:n "unknown" , 7 , 3 .""", format="turtle")
    assert sorted(str(r.value) for r in validate(data, shape_graph).results) == ["7", "unknown"]  # rdflib's
    assert sorted(str(r.value) for r in validate_graph(data, shape_graph).results) == ["7"]


def test_min_inclusive_follows_sparql_comparison() -> None:
    """SHACL 4.3.3 compares with SPARQL's ``>=``: a date, a string, a tagged string or an IRI
    against the integer 1 is a type error, so a violation (pyshacl agrees here)."""
    g = Graph()
    ex = Namespace("https://w3id.org/paradip/synthetic/test/")
    g.add((ex.s, RDF.type, ex.C))
    g.add((ex.s, ex.row, Literal("2021-01-01", datatype=XSD.date)))
    g.add((ex.s, ex.row, Literal(5)))
    g.add((ex.s, ex.row, Literal(0)))
    g.add((ex.s, ex.row, Literal("unknown")))
    g.add((ex.s, ex.row, Literal("abc", lang="en")))
    g.add((ex.s, ex.row, ex.iri))
    shape_graph = Graph()
    shape_graph.add((ex.Shape, RDF.type, SH.NodeShape))
    shape_graph.add((ex.Shape, SH.targetClass, ex.C))
    shape_graph.add((ex.Shape, SH.property, ex.Prop))
    shape_graph.add((ex.Prop, SH.path, ex.row))
    shape_graph.add((ex.Prop, SH.minInclusive, Literal(1)))
    expected = {"2021-01-01", "0", "unknown", "abc", str(ex.iri)}
    assert {str(r.value) for r in validate_graph(g, shape_graph).results} == expected
    assert {str(r.value) for r in validate(g, shape_graph).results} == expected


def test_unsupported_shapes_fall_back_to_pyshacl() -> None:
    """sh:closed and a sequence path are not compiled: the plan says so and pyshacl validates."""
    ex = Namespace("https://w3id.org/paradip/synthetic/test/")
    shape_graph = Graph().parse(data=f"""
        @prefix sh: <{SH}> . @prefix ex: <{ex}> .
        ex:Closed a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( <{RDF.type}> ) .
        ex:Seq a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ( ex:a ex:b ) ; sh:minCount 1 ] .
    """, format="turtle")
    plan = compile_shapes(shape_graph)
    assert any("closed" in reason for reason in plan.unsupported)
    assert any("predicate paths" in reason for reason in plan.unsupported)
    g = Graph()
    g.add((ex.s, RDF.type, ex.C))
    g.add((ex.s, ex.other, Literal("x")))
    report = validate_graph(g, shape_graph)
    assert {r.component for r in report.results} == {"ClosedConstraintComponent", "MinCountConstraintComponent"}


def test_sparql_message_templates_are_refused() -> None:
    """{?value} in a SHACL-SPARQL message is filled from each row (SHACL 5.3.2), which the compiled
    engine does not do: such shapes go to pyshacl."""
    shape_graph = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://w3id.org/paradip/synthetic/test/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql ex:Big ; sh:message "{?value} is big"@en .
        ex:Big a sh:SPARQLConstraint ; sh:select "SELECT $this ?value WHERE { $this ?p ?value }" .
    """, format="turtle")
    assert any("templates" in reason for reason in compile_shapes(shape_graph).unsupported)


def test_store_with_named_graphs_is_read_as_their_union() -> None:
    """The data graph may be named graphs of a store (the build's), read as one graph: a triple
    stated in two of them counts once (sh:maxCount)."""
    case = CASES / "valid"
    path = sorted(case.glob("*.ttl"))[0]
    data = Graph().parse(path, format="turtle")
    store = ox.Store()
    g1, g2 = ox.NamedNode("urn:x:g1"), ox.NamedNode("urn:x:g2")
    for n, (s, p, o) in enumerate(data):
        for graph in (g1, g2) if n % 3 == 0 else ((g1,) if n % 2 else (g2,)):
            store.add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph))  # type: ignore[arg-type]
    report = validate_store(store, shapes(), graphs=[g1, g2])
    assert keys(report) == keys(validate(data, shapes()))


# --- the build's setting -------------------------------------------------------------------------

def test_validation_engine_setting() -> None:
    assert settings.load(environ={})["validation_engine"] == "compiled"
    assert settings.load(environ={"PARADIP_VALIDATION_ENGINE": "PySHACL"})["validation_engine"] == "pyshacl"
    with pytest.raises(ValueError, match="PARADIP_VALIDATION_ENGINE"):
        settings.load(environ={"PARADIP_VALIDATION_ENGINE": "jena"})


@pytest.mark.slow
def test_build_validates_alike_with_either_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`paradip-kg build` of the bundled graph: the same counts with either engine."""
    from paradip_kg.build import build

    counts = {}
    for engine in settings.VALIDATION_ENGINES:
        monkeypatch.setenv("PARADIP_VALIDATION_ENGINE", engine)
        manifest, built = build(ROOT, tmp_path / engine, force=True)
        assert built and manifest.conforms
        counts[engine] = manifest.results
    assert counts["compiled"] == counts["pyshacl"]


# --- the hand-written plans of SHACL-SPARQL constraints ------------------------------------------

def _found(data: Graph, hand_plans: bool) -> set[tuple[str, ...]]:
    store = ox.Store()
    store.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                      for s, p, o in data)
    run = Run(compile_shapes(shapes()), DataGraph(store), hand_plans=hand_plans)
    return {(str(f.focus), str(f.path), f.component, str(f.value), str(f.shape.node)) for f in run.validate()}


def test_every_hand_plan_is_of_a_project_query() -> None:
    """A plan whose query changed in the shapes is no longer used: say so here rather than keep it."""
    texts = {text_key(str(q)) for q in shapes().objects(None, SH.select)}
    assert set(PLANS) <= texts


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in sorted((CASES / "invalid").glob("*.ttl"))
                                  if "agreement" in p.name or "twinned" in p.name])
def test_hand_plans_equal_the_queries_on_the_cases(path: Path) -> None:
    data = Graph().parse(path, format="turtle")
    assert _found(data, True) == _found(data, False)


@pytest.mark.slow
@pytest.mark.parametrize("path", _entailed_cases())
def test_hand_plans_equal_the_queries_with_entailments(path: Path) -> None:
    data = entailed(Graph().parse(path, format="turtle"))
    assert _found(data, True) == _found(data, False)
