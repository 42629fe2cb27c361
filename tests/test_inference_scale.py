"""The build's fast inference (owlrl on the T-box, the compiled rules on the A-box) equals owlrl.

owlrl over the whole graph (paradip_kg.inference.closure.infer) is the oracle. The staged closure
(paradip_kg.inference.staged) must give exactly its inferred graph, as a set of triples after the
project's filtering, and the same inconsistencies in the same words:

- on the bundled graph, and on a ~10k-triple world sample (bench/world.py) next to it (the size issue 14 names);
- on a T-box and data made to reach every rule: (inverse) functional properties and owl:sameAs,
  transitive and symmetric properties, schema axioms stated in the data, disjoint classes and
  owl:Nothing;
- the filter of trivial entailments on term integers agrees with closure.is_trivial on every
  triple of owlrl's closure of the bundled graph.

The build's parse path (pyoxigraph triples) reads the same graphs as the rdflib path, and the
progress lines say what the stages did.
"""

from __future__ import annotations

import io
import sys
import warnings
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from paradip_kg.build import Inputs, infer_stage, load_sources, read_inputs
from paradip_kg.inference.closure import closure, infer, is_trivial
from paradip_kg.inference.incremental import rdflib_terms
from paradip_kg.inference.rules import Trivial
from paradip_kg.inference.staged import StagedClosure
from paradip_kg.progress import Progress
from paradip_kg.rdf.parse import TripleReader
from paradip_kg.rdf.terms import oxigraph_triple, to_rdflib
from support.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import world  # noqa: E402

WORLD_SIZE = 10_000
TEST = "https://w3id.org/paradip/synthetic/test#"
PREFIXES = f"""@prefix ex: <{TEST}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix pdo: <https://w3id.org/paradip/ontology#> .
"""
# A T-box extension and data that make every compiled rule fire, and both kinds of inconsistency.
EXTRA_TBOX = PREFIXES + """
ex:fp a owl:ObjectProperty, owl:FunctionalProperty ; rdfs:domain ex:A .
ex:ifp a owl:ObjectProperty, owl:InverseFunctionalProperty ; rdfs:range ex:B .
ex:sub rdfs:subPropertyOf pdo:locatedIn .
"""
EXTRA_DATA = PREFIXES + """
ex:x ex:fp ex:y1, ex:y2 . ex:y1 a pdo:Place . ex:y2 pdo:locatedIn ex:z . ex:z ex:sub ex:top .
ex:u1 ex:ifp ex:v . ex:u2 ex:ifp ex:v . ex:u1 pdo:twinnedWith ex:w .
ex:m owl:sameAs ex:n . ex:n a ex:C . ex:q ex:rel ex:m .
ex:Sub rdfs:subClassOf pdo:Agreement . ex:ag a ex:Sub .
"""
INCONSISTENT = PREFIXES + "ex:both a pdo:Place, pdo:Actor . ex:none a owl:Nothing .\n"

Triples = set[tuple]


@cache
def bundled() -> Inputs:
    return read_inputs(ROOT)


def tbox_graph(extra: str = "") -> Graph:
    graph = Graph()
    for triple in bundled().graph("ontology", "vocab"):
        graph.add(triple)
    if extra:
        graph.parse(data=extra, format="turtle")
    return graph


def oracle(tbox: Graph, data: list[ox.Triple]) -> tuple[Triples, list[str]]:
    """owlrl over everything: the inferred graph and the errors, as the build took them before."""
    asserted = Graph()
    for triple in tbox:
        asserted.add(triple)
    for t in data:
        asserted.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    inferred, errors = infer(asserted)
    return set(inferred), errors


def staged(tbox: Graph, data: list[ox.Triple]) -> tuple[Triples, list[str]]:
    result = StagedClosure(tbox, data).run()
    triples = {(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in result.triples()}
    return triples, result.errors


def turtle_triples(text: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]


def assert_same(got: Triples, want: Triples) -> None:
    missing, extra = sorted(want - got)[:10], sorted(got - want)[:10]
    assert not missing and not extra, f"missing {len(want - got)}: {missing}\nextra {len(got - want)}: {extra}"


# --- The rules against owlrl -------------------------------------------------------------------


def test_rules_equal_owlrl_on_the_bundled_graph() -> None:
    tbox, data = tbox_graph(), bundled().triples["data"]
    want, want_errors = oracle(tbox, data)
    got, errors = staged(tbox, data)
    assert want and want_errors == []
    assert_same(got, want)
    assert errors == want_errors


@pytest.mark.slow
def test_rules_equal_owlrl_on_a_world_sample() -> None:
    """A ~10k world next to the bundled graph: owlrl takes ~20 s here, the rules about one."""
    sample = [q.triple for q in world.generate(WORLD_SIZE, seed=3)]
    data = list(dict.fromkeys(bundled().triples["data"] + sample))
    tbox = tbox_graph()
    want, want_errors = oracle(tbox, data)
    got, errors = staged(tbox, data)
    assert len(want) > WORLD_SIZE  # the sample's own entailments are there
    assert_same(got, want)
    assert errors == want_errors == []


def test_rules_equal_owlrl_on_every_rule() -> None:
    tbox, data = tbox_graph(EXTRA_TBOX), bundled().triples["data"] + turtle_triples(EXTRA_DATA)
    want, want_errors = oracle(tbox, data)
    got, errors = staged(tbox, data)
    same = ox.NamedNode(TEST + "n")
    assert (to_rdflib(same), to_rdflib(ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")),
            to_rdflib(ox.NamedNode(TEST + "m"))) in want, "eq-sym ran"
    assert_same(got, want)
    assert errors == want_errors == []


def test_inconsistencies_are_reported_alike() -> None:
    tbox, data = tbox_graph(EXTRA_TBOX), bundled().triples["data"] + turtle_triples(EXTRA_DATA + INCONSISTENT)
    want, want_errors = oracle(tbox, data)
    got, errors = staged(tbox, data)
    assert any("Disjoint classes" in e and e.endswith("#both") for e in want_errors)  # cax-dw
    assert any("is defined of type 'Nothing'" in e for e in want_errors)  # cls-nothing2
    assert any(e.endswith("is a member of owl:Nothing") for e in want_errors)
    assert errors == want_errors
    assert_same(got, want)


def test_the_trivial_filter_on_integers_is_closure_is_trivial() -> None:
    closed = closure(bundled().graph("ontology", "vocab", "data"))
    terms = rdflib_terms()
    trivial = Trivial(terms)
    facts = list(terms.encode(closed))
    decoded = terms.terms
    differ = [(decoded[s], decoded[p], decoded[o]) for s, p, o in facts
              if trivial(s, p, o) != is_trivial(decoded[s], decoded[p], decoded[o])]
    assert len(facts) > 5000 and differ == []


def test_a_tbox_the_rules_cannot_run_is_left_to_owlrl() -> None:
    some = PREFIXES + "ex:R a owl:Restriction ; owl:onProperty pdo:hasParty ; owl:someValuesFrom ex:A ."
    assert StagedClosure(tbox_graph(some), []).unsupported == ["owl:someValuesFrom"]
    inputs = bundled()
    cut = Inputs({**inputs.triples, "ontology": inputs.triples["ontology"] + turtle_triples(some)})
    lines: list[str] = []
    inference = infer_stage(cut, "rules", Progress(lines.append).stage("infer"))
    assert inference.engine == "owlrl" and isinstance(inference.graph, Graph) and inference.errors == []
    assert "owl:someValuesFrom" in lines[0]


# --- The build's parse path ----------------------------------------------------------------------


def test_the_triples_path_reads_what_the_rdflib_path_reads() -> None:
    sources, inputs = load_sources(ROOT), bundled()
    for key in ("ontology", "vocab", "data", "shapes"):
        assert isomorphic(inputs.graph(key), getattr(sources, key)), key
        assert len(inputs.triples[key]) == len(getattr(sources, key)), key


def test_literals_are_read_as_rdflib_reads_them(tmp_path: Path) -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    (tmp_path / "a.ttl").write_text(f'<{TEST}a> <{TEST}p> "01"^^<{xsd}integer>, "none"^^<{xsd}boolean>, "x"@EN .\n'
                                    f'<{TEST}a> <{TEST}p> "1"^^<{xsd}integer> .\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdflib warns about the weird boolean, as it does on the rdflib path
        triples = TripleReader().folder(tmp_path)
    objects = sorted(str(t.object) for t in triples)
    # "01" is rdflib's "1" (once); the ill-typed boolean keeps its lexical form for SHACL to see.
    assert objects == ['"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
                       '"none"^^<http://www.w3.org/2001/XMLSchema#boolean>', '"x"@en']


def test_the_encoding_of_oxigraph_and_rdflib_terms_agree() -> None:
    """The writes' entail (rdflib terms) and the build (pyoxigraph terms) run one engine: the same
    data gives the same entailments either way."""
    from paradip_kg.inference.incremental import TBox, entail

    data = bundled().triples["data"] + turtle_triples(EXTRA_DATA)
    tbox = tbox_graph(EXTRA_TBOX)
    run = StagedClosure(tbox, data)
    rdflib_data = {(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in data}
    entailed, errors = entail(TBox.from_graph(run.tbox_closure), rdflib_data)
    got, _ = staged(tbox, data)
    text = {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in ox.parse(run.run().ntriples(), format=ox.RdfFormat.N_TRIPLES)}
    assert text == got, "the N-Triples the build loads are the triples"
    tbox_subjects = set(run.tbox_graph.subjects())
    assert {t for t in got if t[0] not in tbox_subjects} == {t for t in entailed if t[0] not in tbox_subjects}
    assert errors == []
    assert oxigraph_triple(*next(iter(entailed)))  # a plain RDF triple


# --- Progress ------------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_lines_off_a_terminal_and_live_updates_on_one() -> None:
    lines: list[str] = []
    quiet = Progress(lines.append)
    stage = quiet.stage("parse")
    stage.update(500_000)
    stage.done(1_000_000, "(4 files)")
    assert len(lines) == 1 and lines[0].startswith("parse 1,000,000 triples ") and lines[0].endswith("/s) (4 files)")
    screen = Terminal()
    live = Progress(lines.append, live=screen, interval=0.0)
    stage = live.stage("infer")
    stage.update(1200)
    stage.done(2400)
    assert screen.getvalue().startswith("\rinfer 1,200 triples ") and lines[-1].startswith("infer 2,400 triples")


# --- A build that fails ----------------------------------------------------------------------------


def test_a_build_that_fails_validation_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """The new store is written while the graph is validated; a violation drops it, the old one stays."""
    import shutil

    from paradip_kg.build import build
    from paradip_kg.errors import BuildFailed

    project = tmp_path / "project"
    for folder in ("ontology", "vocab", "data", "shapes"):
        shutil.copytree(ROOT / folder, project / folder)
    store = tmp_path / "store"
    manifest, built = build(project, store)
    assert built and manifest.inference == "rules" and manifest.triples["inferred"] > 0
    before = sorted(str(q) for q in ox.Store.read_only(str(store)))
    (project / "data" / "bad.ttl").write_text(PREFIXES + "ex:bad a pdo:SisterCityAgreement .\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="does not conform") as failed:
        build(project, store)
    assert failed.value.report is not None and failed.value.report.counts()["Violation"] > 0
    assert sorted(str(q) for q in ox.Store.read_only(str(store))) == before
    assert not list((tmp_path / "store.builds").glob("*.new"))  # the dropped build is gone
