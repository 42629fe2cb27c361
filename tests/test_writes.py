"""Writes (paradip_kg.writes.commit): validated before commit, atomic, durable, isolated, logged.

Every test works on its own copy of the bundled store. The checks that matter most:

- incremental inference equals a full re-inference (paradip_kg.inference.incremental on all data, and owlrl
  itself once), and the rules equal owlrl on the bundled graph;
- incremental validation rejects each invalid shape case, with the case's own (shape,
  component) pairs, when the case is written into the bundled graph;
- a rejected write leaves the published state byte for byte as it was;
- a writer killed with SIGKILL in the middle of a burst loses no acknowledged write and
  publishes no partial one, and readers never see half a write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from paradip_kg.errors import GraphNotFound, Inconsistent, InputError, QuerySyntaxError, WriteForbidden, WriteRejected
from paradip_kg.inference.closure import infer
from paradip_kg.inference.incremental import TBox, entail
from paradip_kg.namespaces import GRAPHS
from paradip_kg.rdf.parse import parse_file
from paradip_kg.rdf.terms import to_rdflib
from paradip_kg.store.disk import resolved
from paradip_kg.store.head import open_store, read_head
from paradip_kg.writes import commit as writes
from paradip_kg.writes import live, operations
from paradip_kg.writes.graphs import WRITES_GRAPH
from support.paths import ROOT
from support.stores import copy_store, write_graphs_store
from support.writes import PREFIXES, agreement, burst_write

CASES = ROOT / "tests" / "shape_cases"
DATA = str(GRAPHS["data"])


@pytest.fixture()
def store_dir(bundled_store: Path, tmp_path: Path) -> Path:
    return copy_store(bundled_store, tmp_path)


def graph_of(store: ox.Store, name: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))}


def nquads(store_dir: Path) -> list[str]:
    return sorted(str(q) for q in open_store(store_dir).quads_for_pattern(None, None, None, None))


def tbox_terms(store: ox.Store) -> set:
    return {q.subject for g in ("ontology", "vocab")
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[g])))}


def full_entailments(store: ox.Store) -> set[tuple]:
    """The instance entailments of the whole asserted data under the rules (a full re-inference)."""
    tbox, terms = Graph(), tbox_terms(store)
    for g in ("ontology", "vocab"):
        for s, p, o in graph_of(store, str(GRAPHS[g])):
            tbox.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    for s, p, o in graph_of(store, str(GRAPHS["inferred"])):
        if s in terms:
            tbox.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    skip = {str(GRAPHS[k]) for k in ("ontology", "vocab", "inferred", "shapes")} | {WRITES_GRAPH}
    data = {(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in store.quads_for_pattern(None, None, None, None)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value not in skip}
    entailed, errors = entail(TBox.from_graph(tbox), data)
    assert not errors
    return {t for t in entailed if t[0] not in {to_rdflib(x) for x in terms}}


def stored_instance_inferences(store: ox.Store) -> set[tuple]:
    terms = tbox_terms(store)
    return {(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in graph_of(store, str(GRAPHS["inferred"]))
            if s not in terms}


# --- The rules against owlrl -------------------------------------------------------------------


def test_rules_give_what_owlrl_gives_on_the_bundled_graph(bundled_store: Path) -> None:
    store = open_store(bundled_store)
    assert full_entailments(store) == stored_instance_inferences(store)


# --- Accepted writes ---------------------------------------------------------------------------


def test_valid_agreement_is_committed_inferred_and_logged(store_dir: Path) -> None:
    before = read_head(store_dir)
    result = writes.sparql_update(store_dir, agreement("a"), agent="curator-1")
    head = read_head(store_dir)
    assert head.sequence == before.sequence + 1 and head.tag != before.tag and head.path != store_dir
    assert result.added == 8 and result.removed == 0 and result.graphs == [DATA]
    assert not result.full_validation and 0 < result.focus_nodes < 50
    store = open_store(store_dir)
    iri = "https://w3id.org/paradip/id/agreement/test-a"
    asked = store.query(f"ASK {{ GRAPH <{GRAPHS['inferred']}> {{ <{iri}> "
                        "a <https://w3id.org/paradip/ontology#InternationalAgreement> } }")
    assert bool(asked), "the scope's owl:hasValue class is inferred"
    partner = store.query(f"ASK {{ GRAPH <{GRAPHS['inferred']}> {{ "
                          f"?g <https://w3id.org/paradip/ontology#partyTo> <{iri}> }} }}")
    assert bool(partner), "the inverse of pdo:hasParty is inferred"
    # The provenance graph says who, when, which graph and how much.
    rows = list(store.query(f"""SELECT ?who ?start ?graph ?added ?removed ?text
      WHERE {{ GRAPH <{WRITES_GRAPH}> {{
        <{result.activity}> a <http://www.w3.org/ns/prov#Activity> ;
            <http://www.w3.org/ns/prov#wasAssociatedWith> ?agent ;
            <http://www.w3.org/ns/prov#startedAtTime> ?start ;
            <https://w3id.org/paradip/ontology#changedGraph> ?graph ;
            <https://w3id.org/paradip/ontology#triplesAdded> ?added ;
            <https://w3id.org/paradip/ontology#triplesRemoved> ?removed ;
            <https://w3id.org/paradip/ontology#addedStatements> ?text .
        ?agent <http://www.w3.org/2000/01/rdf-schema#label> ?who }} }}"""))
    assert len(rows) == 1
    row = rows[0]
    assert row["who"].value == "curator-1" and row["graph"].value == DATA
    assert int(row["added"].value) == 8 and int(row["removed"].value) == 0
    assert iri in row["text"].value
    # Inferences stay consistent: what the write left equals a full re-inference.
    assert stored_instance_inferences(store) == full_entailments(store)


def test_incremental_inference_equals_owlrl_after_a_sequence_of_writes(store_dir: Path) -> None:
    writes.sparql_update(store_dir, agreement("b"), agent="t")
    writes.sparql_update(store_dir, PREFIXES + """
        INSERT DATA { pdid:agreement\\/test-b skos:editorialNote "A note."@en }""", agent="t")
    writes.sparql_update(store_dir, PREFIXES + """
        DELETE { ?a pdo:startDate ?d } INSERT { ?a pdo:startDate "2022-02"^^xsd:gYearMonth }
        WHERE { ?a pdo:startDate ?d FILTER (?a = pdid:agreement\\/test-b) }""", agent="t")
    # Twin two governments directly: pdo:twinnedWith is symmetric.
    writes.sparql_update(store_dir, PREFIXES + """
        INSERT DATA { pdid:government\\/mx-31050 pdo:twinnedWith pdid:government\\/gt-la-antigua }""", agent="t")
    store = open_store(store_dir)
    assert stored_instance_inferences(store) == full_entailments(store)
    # owlrl itself, on everything the store now asserts, agrees with what the writes left.
    asserted = Graph()
    for g in ("ontology", "vocab", "data"):
        for s, p, o in graph_of(store, str(GRAPHS[g])):
            asserted.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    reference, errors = infer(asserted)
    terms = {to_rdflib(t) for t in tbox_terms(store)}
    assert not errors
    assert {t for t in reference if t[0] not in terms} == stored_instance_inferences(store)


def test_deleting_an_agreement_removes_its_inferences(store_dir: Path) -> None:
    writes.sparql_update(store_dir, agreement("c"), agent="t")
    result = writes.sparql_update(store_dir, PREFIXES + "DELETE WHERE { pdid:agreement\\/test-c ?p ?o }", agent="t")
    assert result.removed == 8 and result.inferred_removed > 0
    store = open_store(store_dir)
    assert not bool(store.query("ASK { GRAPH ?g { <https://w3id.org/paradip/id/agreement/test-c> ?p ?o } }"))
    assert not bool(store.query("ASK { GRAPH ?g { ?s ?p <https://w3id.org/paradip/id/agreement/test-c> } "
                                f"FILTER (?g != <{WRITES_GRAPH}>) }}"))
    assert stored_instance_inferences(store) == full_entailments(store)


def test_default_graph_of_an_update_is_the_data_graph(store_dir: Path) -> None:
    writes.sparql_update(store_dir, PREFIXES + """
        INSERT { ?a skos:editorialNote "checked"@en } WHERE { ?a pdo:tableRow 19 }""", agent="t")
    store = open_store(store_dir)
    rows = list(store.query(f"SELECT ?a WHERE {{ GRAPH <{DATA}> {{ "
                            '?a <http://www.w3.org/2004/02/skos/core#editorialNote> "checked"@en } }'))
    assert [r["a"].value for r in rows] == ["https://w3id.org/paradip/id/agreement/mx-23005--mx-31050"]
    # The name works too, and means the same graph.
    writes.sparql_update(store_dir, PREFIXES + f"""
        DELETE WHERE {{ GRAPH <{DATA}> {{ ?a skos:editorialNote "checked"@en }} }}""", agent="t")
    assert not bool(open_store(store_dir).query(
        'ASK { GRAPH ?g { ?a <http://www.w3.org/2004/02/skos/core#editorialNote> "checked"@en } }'))


@pytest.mark.parametrize("text, verb", [
    (agreement("x"), "INSERT"),
    (PREFIXES + 'DELETE DATA { pdid:a rdfs:label "x"@es-MX , "insert"@en ; pdo:tableRow 1e3 , true }', "DELETE"),
    (PREFIXES + 'INSERT DATA { pdid:a rdfs:label "x" } ; DELETE DATA { pdid:a rdfs:label "y" }', None),
    (PREFIXES + 'INSERT { ?a rdfs:label "x"@en } WHERE { ?a pdo:tableRow 1 }', None),
])
def test_data_only_updates_take_the_path_that_costs_the_change(text: str, verb: str | None) -> None:
    """INSERT DATA (or DELETE DATA) alone is read from the request; anything else diffs the store."""
    assert operations.data_only(text, operations.blank_opaque(text)) == verb


def test_a_no_op_write_publishes_nothing(store_dir: Path) -> None:
    before = read_head(store_dir)
    result = writes.sparql_update(store_dir, PREFIXES + 'DELETE DATA { pdid:nothing rdfs:label "x" }', agent="t")
    assert result.added == result.removed == 0
    assert read_head(store_dir) == before


# --- Rejected writes ---------------------------------------------------------------------------


def test_duplicate_agreement_is_rejected_and_nothing_changes(store_dir: Path) -> None:
    before, head = nquads(store_dir), read_head(store_dir)
    with pytest.raises(WriteRejected) as caught:
        writes.sparql_update(store_dir, agreement("dup", a="mx-23005", b="mx-31050", scope="national"), agent="t")
    keys = {(str(r.shape).rsplit("#", 1)[-1], r.component) for r in caught.value.report.results
            if r.severity == "Violation"}
    assert keys == {("AgreementDuplicateShape", "SPARQLConstraintComponent")}
    assert caught.value.status == 422
    report = caught.value.report.graph  # the sh:ValidationReport, with this write's results only
    assert [str(o) for o in report.objects(None, URIRef("http://www.w3.org/ns/shacl#conforms"))] == ["false"]
    assert read_head(store_dir) == head and nquads(store_dir) == before
    # The writer's copy was left dirty; the next write starts from the published state.
    writes.sparql_update(store_dir, agreement("after"), agent="t")
    assert len(nquads(store_dir)) > len(before)
    assert not bool(open_store(store_dir).query(
        "ASK { GRAPH ?g { <https://w3id.org/paradip/id/agreement/test-dup> ?p ?o } }"))


@pytest.mark.parametrize("text, shape", [
    (agreement("wrong-scope", a="mx-23005", b="mx-02001", scope="international"),
     "InternationalAgreementCountriesShape"),
    (agreement("early", a="mx-23005", b="mx-23", start="1200-01", scope="national"), "AgreementAfterFoundingShape"),
    (PREFIXES + "DELETE WHERE { pdid:agreement\\/mx-23005--mx-31050 pdo:hasParty pdid:government\\/mx-31050 }",
     "Agreement-hasParty"),
    (PREFIXES + 'INSERT DATA { pdid:agreement\\/mx-23005--mx-31050 pdo:startDate "2021-13"^^xsd:gYearMonth }',
     "Agreement-startDate"),
], ids=["international-but-one-country", "before-the-seat-was-founded", "one-party-left", "ill-formed-date"])
def test_invalid_changes_are_rejected(store_dir: Path, text: str, shape: str) -> None:
    before = nquads(store_dir)
    with pytest.raises(WriteRejected) as caught:
        writes.sparql_update(store_dir, text, agent="t")
    shapes = {str(r.shape).rsplit("#", 1)[-1] for r in caught.value.report.results if r.severity == "Violation"}
    assert shape in shapes, shapes
    assert nquads(store_dir) == before


def test_reserved_graphs_cannot_be_written(store_dir: Path) -> None:
    before = nquads(store_dir)
    for text in (f"INSERT DATA {{ GRAPH <{GRAPHS['ontology']}> {{ <urn:x> <urn:p> <urn:y> }} }}",
                 f"DELETE WHERE {{ GRAPH <{GRAPHS['inferred']}> {{ ?s ?p ?o }} }}",
                 f"DROP GRAPH <{GRAPHS['shapes']}>", "CLEAR ALL",
                 f"INSERT DATA {{ GRAPH <{WRITES_GRAPH}> {{ <urn:x> <urn:p> <urn:y> }} }}"):
        with pytest.raises(WriteForbidden):
            writes.sparql_update(store_dir, text, agent="t")
    with pytest.raises(WriteForbidden):
        writes.replace_graph(store_dir, str(GRAPHS["vocab"]), Graph(), agent="t")
    assert nquads(store_dir) == before


@pytest.mark.parametrize("text", [
    "INSERT DATA { << <urn:a> <urn:b> <urn:c> >> <urn:said> <urn:someone> }",
    "INSERT { << <urn:a> <urn:b> ?c >> <urn:said> <urn:someone> } WHERE { BIND (<urn:c> AS ?c) }",
], ids=["insert-data", "insert-where"])
def test_triple_terms_are_refused(store_dir: Path, text: str) -> None:
    """owlrl and pyshacl read rdflib graphs, which hold no RDF 1.2 triple terms: 400, nothing written."""
    before = nquads(store_dir)
    with pytest.raises(InputError, match="Triple terms"):
        writes.sparql_update(store_dir, text, agent="t")
    assert nquads(store_dir) == before


@pytest.mark.parametrize("text, error", [
    ("INSERT DATA { <urn:a> <urn:b> }", QuerySyntaxError),
    ("LOAD <http://example.org/data.ttl>", InputError),
    ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", InputError),
    ("INSERT DATA { " + "{" * 200 + " }", QuerySyntaxError),
])
def test_bad_updates_are_refused_before_anything_runs(store_dir: Path, text: str, error: type) -> None:
    before = nquads(store_dir)
    with pytest.raises(error) as caught:
        writes.sparql_update(store_dir, text, agent="t")
    assert caught.value.message
    assert nquads(store_dir) == before


# --- Graph Store operations --------------------------------------------------------------------


def test_graph_store_put_post_delete(store_dir: Path) -> None:
    name = "https://w3id.org/paradip/graph/curation/notes"
    first = Graph()
    first.add((URIRef("https://w3id.org/paradip/id/agreement/mx-23005--mx-31050"),
               URIRef("http://www.w3.org/2004/02/skos/core#note"), to_rdflib(ox.Literal("checked", language="en"))))
    created = writes.replace_graph(store_dir, name, first, agent="t")
    assert created.created and created.added == 1
    again = writes.replace_graph(store_dir, name, first, agent="t")
    assert not again.created and again.added == again.removed == 0
    more = Graph()
    more.add((URIRef("https://w3id.org/paradip/id/agreement/mx-23005--us-wichita"),
              URIRef("http://www.w3.org/2004/02/skos/core#note"), to_rdflib(ox.Literal("checked", language="en"))))
    assert writes.add_to_graph(store_dir, name, more, agent="t").added == 1
    assert len(graph_of(open_store(store_dir), name)) == 2
    assert writes.drop_graph(store_dir, name, agent="t").removed == 2
    assert not open_store(store_dir).contains_named_graph(ox.NamedNode(name))
    with pytest.raises(GraphNotFound):
        writes.drop_graph(store_dir, name, agent="t")


# --- The shape cases, written into the bundled graph ---------------------------------------------


def _expected(path: Path) -> str | set[tuple[str, str]]:
    lines: list[str] = []
    entailed: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect:"):
            lines.append(line.split(":", 1)[1].strip())
        elif line.startswith("# expect-entailed:"):
            entailed.append(line.split(":", 1)[1].strip())
    chosen = entailed or lines
    if chosen and chosen[0].split()[0] in ("nothing", "inconsistent"):
        return chosen[0].split()[0]
    return {tuple(line.split()[:2]) for line in chosen}  # type: ignore[misc]


@pytest.fixture(scope="module")
def tbox_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the bundled ontology and shapes, and no vocabularies nor data: the cases are
    judged with the ontology alone, as tests/test_shapes.py judges them (some redefine concepts)."""
    from paradip_kg.build import load_sources

    src = load_sources(ROOT)
    tbox = Graph()
    for triple in src.ontology:
        tbox.add(triple)
    inferred, errors = infer(tbox)
    assert not errors
    graphs = {"ontology": src.ontology, "vocab": Graph(), "data": Graph(), "inferred": inferred, "shapes": src.shapes}
    return write_graphs_store(tmp_path_factory.mktemp("tbox") / "store", graphs, content_hash="tbox-only")


def _outcome(store_dir: Path, path: Path) -> tuple[str | set[tuple[str, str]], set[tuple[str, str]]]:
    """What writing a case gives: 'inconsistent', or the (shape, component) pairs of the report
    (any severity), and the pairs of violations alone."""
    try:
        result = writes.add_to_graph(store_dir, DATA, parse_file(path), agent="t")
        results = result.report.results if result.report is not None else []
    except Inconsistent:
        return "inconsistent", set()
    except WriteRejected as exc:
        results = exc.report.results
    pairs = {(str(r.shape).rsplit("#", 1)[-1], r.component) for r in results}
    return pairs, {(str(r.shape).rsplit("#", 1)[-1], r.component) for r in results if r.severity == "Violation"}


CASE_FILES = sorted((CASES / "invalid").glob("*.ttl")) + sorted((CASES / "valid").glob("*.ttl"))


@pytest.mark.parametrize("path", CASE_FILES, ids=[f"{p.parent.name}/{p.name}" for p in CASE_FILES])
def test_each_shape_case_written_as_one_change_gets_its_expected_results(tbox_store: Path, tmp_path: Path,
                                                                          path: Path) -> None:
    """Each case of tests/shape_cases, written into a store holding only the T-box, is judged as
    the case's header says (under entailment, as the build validates): the write path's
    inference and its validation of the affected nodes miss nothing a full run finds."""
    store_dir = copy_store(tbox_store, tmp_path)
    expected = _expected(path) if "invalid" in path.parts else set()
    outcome, violations = _outcome(store_dir, path)
    if expected == "inconsistent":
        assert outcome == "inconsistent"
    elif expected == "nothing":
        assert outcome != "inconsistent" and not violations
    else:
        assert outcome != "inconsistent"
        assert expected <= outcome, (expected, outcome)  # type: ignore[operator]
        if "valid" == path.parent.name:
            assert not violations
    if violations:
        assert read_head(store_dir).sequence == 0, "a write with violations was committed"


@pytest.mark.parametrize("name", ["agreement-duplicate-plain", "agreement-international-one-country",
                                  "municipality-code-differs-from-key", "agreement-same-actor-same-as",
                                  "locality-nowhere"])
def test_incremental_validation_equals_full_validation_in_the_bundled_graph(bundled_store: Path, tmp_path: Path,
                                                                            name: str) -> None:
    """Written into the bundled graph (where the cases meet the essay's own nodes), the
    incremental verdict and violations equal those of validating the whole merged graph."""
    from paradip_kg.shacl.engine import validate

    store_dir = copy_store(bundled_store, tmp_path)
    path = CASES / "invalid" / f"{name}.ttl"
    outcome, violations = _outcome(store_dir, path)
    # The same change, judged on everything: asserted data + the case, re-inferred in full.
    store = open_store(bundled_store)
    everything = Graph()
    for g in ("ontology", "vocab", "data"):
        for s, p, o in graph_of(store, str(GRAPHS[g])):
            everything.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    for triple in parse_file(path):
        everything.add(triple)
    entailed, errors = infer(everything)
    if errors:
        assert outcome == "inconsistent"
        return
    for triple in entailed:
        everything.add(triple)
    shapes = Graph()
    for s, p, o in graph_of(store, str(GRAPHS["shapes"])):
        shapes.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    full = validate(everything, shapes, allow_warnings=True)
    full_violations = {(str(r.shape).rsplit("#", 1)[-1], r.component, str(r.focus)) for r in full.results
                       if r.severity == "Violation"}
    assert outcome != "inconsistent"
    assert {(s, c) for s, c, _ in full_violations} == violations


# --- Crashes and readers ---------------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from support.writes import burst_write
from paradip_kg.writes import commit as writes
store_dir = Path(sys.argv[1])
for n in range(int(sys.argv[2]), int(sys.argv[3])):
    writes.sparql_update(store_dir, burst_write(n)[0], agent="burst")
    print(f"ACK {{n}}", flush=True)
"""


def _burst_agreements(store_dir: Path) -> dict[str, int]:
    """Triples per burst agreement in the published state."""
    rows = open_store(store_dir).query(f"""SELECT ?a (COUNT(*) AS ?n) WHERE {{ GRAPH <{DATA}> {{ ?a ?p ?o }}
        FILTER (STRSTARTS(STR(?a), "https://w3id.org/paradip/id/agreement/test-burst-")) }} GROUP BY ?a""")
    return {r["a"].value.rsplit("-", 1)[-1]: int(r["n"].value) for r in rows}


def _whole(found: dict[str, int]) -> bool:
    return all(count == burst_write(int(n))[1] for n, count in found.items())


def _start_writer(store_dir: Path, first: int, last: int) -> subprocess.Popen[str]:
    script = WRITER.format(tests=str(Path(__file__).parent))
    return subprocess.Popen([sys.executable, "-c", script, str(store_dir), str(first), str(last)],
                            stdout=subprocess.PIPE, text=True, cwd=str(ROOT))


def test_kill_9_during_a_burst_loses_no_acknowledged_write(store_dir: Path) -> None:
    acked: set[str] = set()
    first = 0
    for round_, kill_after in enumerate((2, 5, 3)):
        writer = _start_writer(store_dir, first, first + 50)
        assert writer.stdout is not None
        seen = 0
        deadline = time.monotonic() + 120
        while seen < kill_after and time.monotonic() < deadline:
            line = writer.stdout.readline()
            if not line:  # the writer ended: its error is on stderr
                break
            if line.startswith("ACK "):
                acked.add(line.split()[1])
                seen += 1
        # Kill it in the middle of the next write (validation takes most of a write's time).
        time.sleep(0.05 * (round_ + 1))
        writer.send_signal(signal.SIGKILL)
        rest = writer.stdout.read()
        writer.stdout.close()
        writer.wait(10)
        acked |= {line.split()[1] for line in rest.splitlines() if line.startswith("ACK ")}
        found = _burst_agreements(store_dir)
        assert acked <= set(found), f"acknowledged writes lost: {sorted(acked - set(found))}"
        assert _whole(found), f"a partial write is visible: {found}"
        first = max(int(k) for k in found) + 1 if found else first
        assert seen == kill_after
    # The store still takes writes, and its inferences are whole.
    writes.sparql_update(store_dir, agreement("after-crash"), agent="t")
    store = open_store(store_dir)
    assert stored_instance_inferences(store) == full_entailments(store)
    # Old snapshots are collected once readers had time to move on (SNAPSHOT_GRACE).
    snapshots = store_dir.parent / "store.writes" / "snapshots"
    old = time.time() - live.SNAPSHOT_GRACE - 10
    for folder in snapshots.iterdir():
        os.utime(folder, (old, old))
    writes.sparql_update(store_dir, PREFIXES + "INSERT DATA { pdid:agreement\\/test-after-crash "
                         'skos:editorialNote "x"@en }',
                         agent="t")
    kept = sorted(p.name for p in snapshots.iterdir())
    assert len(kept) == live.KEEP_SNAPSHOTS and read_head(store_dir).path.name == kept[-1]


def test_readers_see_the_state_before_or_after_a_write_never_a_mix(store_dir: Path) -> None:
    writer = _start_writer(store_dir, 100, 106)
    problems: list[str] = []
    reads = 0
    stop = threading.Event()

    def read() -> None:
        nonlocal reads
        while not stop.is_set():
            store = open_store(store_dir)
            agreements = {r["a"].value for r in store.query(
                f"SELECT ?a WHERE {{ GRAPH <{DATA}> {{ ?a a <https://w3id.org/paradip/ontology#SisterCityAgreement> }} "
                "FILTER (STRSTARTS(STR(?a), 'https://w3id.org/paradip/id/agreement/test-burst-')) }")}
            logged = int(next(iter(store.query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{WRITES_GRAPH}> {{ "
                "?w a <http://www.w3.org/ns/prov#Activity> } }")))["n"].value)
            inferred = {r["a"].value for r in store.query(
                f"SELECT ?a WHERE {{ GRAPH <{GRAPHS['inferred']}> {{ "
                "?a a <https://w3id.org/paradip/ontology#InternationalAgreement> } "
                "FILTER (STRSTARTS(STR(?a), 'https://w3id.org/paradip/id/agreement/test-burst-')) }")}
            if not (len(agreements) == logged and inferred == agreements):
                problems.append(f"{len(agreements)} agreements, {logged} log records, {len(inferred)} inferred")
            reads += 1

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        assert writer.wait(300) == 0
    finally:
        stop.set()
        for t in readers:
            t.join(30)
        if writer.stdout is not None:
            writer.stdout.close()
    assert not problems, problems[:5]
    assert reads > 10
    found = _burst_agreements(store_dir)
    assert len(found) == 6 and _whole(found)


def test_build_keeps_accepted_writes_or_refuses_to_drop_them(store_dir: Path) -> None:
    """A build of unchanged inputs is a no-op and keeps the writes; a real rebuild would lose
    them, so it refuses unless told to discard them."""
    from paradip_kg.build import build
    from paradip_kg.errors import BuildFailed

    writes.sparql_update(store_dir, agreement("kept"), agent="t")
    manifest, built = build(ROOT, store_dir)
    assert not built and read_head(store_dir).sequence == 1
    with pytest.raises(BuildFailed, match="accepted write"):
        build(ROOT, store_dir, force=True)
    assert read_head(store_dir).sequence == 1
    build(ROOT, store_dir, force=True, discard_writes=True)
    head = read_head(store_dir)
    assert head.sequence == 0 and head.path == resolved(store_dir)  # the new build's folder, the link names it
    assert store_dir.is_symlink() and not (store_dir.parent / "store.writes").exists()
