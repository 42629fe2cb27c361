"""Build the knowledge graph: files → graphs → inference → validation → store.

    ontology/ vocab/ data/ (+ data/sources/*.csv) shapes/
        │ parse (pyoxigraph: the distinct triples of each folder)   one named graph per folder
        │ import (importer: agreement tables → RDF)                  into the data graph
        │ infer (setting inference_engine)                           graph/inferred
        │   rules: owlrl on the T-box, then the compiled A-box rules over all the data
        │          (inference/staged.py; the same graph as owlrl's, tests/test_inference_scale.py)
        │   owlrl: owlrl over everything (inference/closure.py), minutes at 100k triples
        │ validate (setting validation_engine; fails on violations)  report
        │   compiled: each constraint once over the whole graph, in Oxigraph (shacl/compiled.py)
        │   pyshacl: focus node by focus node (shacl/engine.py), the compiled engine's oracle
        ▼ store (embedded Oxigraph) + search index + manifest, as a new build folder
          published whole by one atomic rename of the store's link (store/disk.py)

The triples stay pyoxigraph terms from the parser to the rules, and go on to Oxigraph as N-Triples
text (the in-memory store the compiled validation reads, the on-disk store): no Python object per
triple past the parser. rdflib graphs are made only where an rdflib engine reads them: the T-box
for owlrl, the shapes, and, for the owlrl and pyshacl engines, everything.
Each stage reports a line with its count and rate (:mod:`paradip_kg.progress`), and live counts
within it on a terminal. A second build of unchanged inputs (same files, same code) is a no-op.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from paradip_kg import __version__, collector
from paradip_kg import settings as settings_mod
from paradip_kg.errors import BuildFailed, InputError
from paradip_kg.harvest.files import harvest_path, only_harvests, read_harvest
from paradip_kg.inference.closure import infer
from paradip_kg.inference.staged import StagedClosure
from paradip_kg.namespaces import PDO
from paradip_kg.progress import Progress, Stage
from paradip_kg.publish.kept import ChartRows, keep_for_pages, write_search_index
from paradip_kg.publish.reconciliation import graph_text, reconciled_for_build
from paradip_kg.publish.reconciliation_rows import save_rows
from paradip_kg.rdf.parse import TripleReader, load_folder, rdf_files
from paradip_kg.rdf.terms import oxigraph_triple, to_rdflib
from paradip_kg.shacl.compiled import validate_store
from paradip_kg.shacl.engine import validate
from paradip_kg.shacl.results import Report
from paradip_kg.store import search_index
from paradip_kg.store.disk import GraphContent, Manifest, StoreWriter, manifest_path, publish_build
from paradip_kg.store.head import open_store, read_head, writes_dir

ProgressLike = Progress | Callable[[str], None] | None
FOLDERS = {"ontology": "ontology", "vocab": "vocab", "data": "data", "shapes": "shapes"}


@dataclass
class Sources:
    """The parsed input graphs of a build, as rdflib graphs (:func:`load_sources`)."""

    ontology: Graph
    vocab: Graph
    data: Graph
    shapes: Graph

    def union(self, *extra: Graph) -> Graph:
        """Ontology, vocabularies and data (and ``extra``) in one graph."""
        union = Graph()
        for g in (self.ontology, self.vocab, self.data, *extra):
            for triple in g:
                union.add(triple)
        return union


def input_files(project_dir: Path, data_files: Sequence[Path] | None = None) -> list[Path]:
    """Every file whose content the build depends on, sorted; ``data_files`` (in their order) in
    place of data/ and its tables and harvest (:func:`build`)."""
    files: list[Path] = []
    for key, folder in FOLDERS.items():
        files += list(data_files) if key == "data" and data_files is not None else rdf_files(project_dir / folder)
    if data_files is not None:
        return files
    sources = project_dir / "data" / "sources"
    if sources.is_dir():
        files += sorted(p for p in sources.glob("*.csv"))
    if harvest_path(project_dir).is_file():  # the kept Wikidata harvest (graph wikidata)
        files.append(harvest_path(project_dir))
    return files


def code_files() -> list[Path]:
    """Every module of the package, subpackages included: a change to any can change a build."""
    return sorted(Path(__file__).parent.rglob("*.py"))


def content_hash(project_dir: Path, data_files: Sequence[Path] | None = None) -> str:
    """SHA-256 over the input files and the code that turns them into the store."""
    digest = hashlib.sha256(__version__.encode())
    code = Path(__file__).parent
    for path in code_files() + input_files(project_dir, data_files):
        rel = path.relative_to(code) if path.is_relative_to(code) else \
            path.relative_to(project_dir) if path.is_relative_to(project_dir) else path.resolve()
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_sources(project_dir: Path) -> Sources:
    """Parse the four folders into rdflib graphs, and import the agreement tables of data/sources
    into the data graph (what the memory backend and the tests read; the build reads :class:`Inputs`)."""
    graphs = {key: load_folder(project_dir / folder) for key, folder in FOLDERS.items()}
    sources = project_dir / "data" / "sources"
    if sources.is_dir():
        from paradip_kg.importer.table import load_tables

        for triple in load_tables(sources):
            graphs["data"].add(triple)
    return Sources(**graphs)


class Inputs:
    """The parsed inputs: the distinct pyoxigraph triples of each folder (key of :data:`FOLDERS`),
    and rdflib graphs of them, made the first time an rdflib engine asks."""

    def __init__(self, triples: dict[str, list[ox.Triple]]) -> None:
        self.triples = triples
        self._graphs: dict[str, Graph] = {}
        self._terms: dict[object, Node] = {}  # one rdflib term per pyoxigraph term

    def graph(self, *keys: str) -> Graph:
        """The folders ``keys`` as one rdflib graph (made once per combination)."""
        name = "+".join(keys)
        if name not in self._graphs:
            self._graphs[name] = self.rdflib(*(self.triples[k] for k in keys))
        return self._graphs[name]

    def rdflib(self, *parts: Iterable[ox.Triple]) -> Graph:
        """An rdflib graph of pyoxigraph triples."""
        graph, terms = Graph(), self._terms

        def term(t: object) -> Node:
            found = terms.get(t)
            if found is None:
                found = terms[t] = to_rdflib(t)  # type: ignore[arg-type]
            return found

        for part in parts:
            for s, p, o in part:
                graph.add((term(s), term(p), term(o)))
        return graph

    def total(self) -> int:
        return sum(len(t) for t in self.triples.values())


def read_inputs(project_dir: Path, stage: Stage | None = None, data_files: Sequence[Path] | None = None) -> Inputs:
    """Parse the four folders, and import the agreement tables of data/sources into the data graph;
    or, given ``data_files``, read the data graph from those files alone."""
    reader = TripleReader(tick=stage.update if stage is not None else None)
    triples = {key: reader.files(data_files) if key == "data" and data_files is not None
               else reader.folder(project_dir / folder) for key, folder in FOLDERS.items()}
    sources = project_dir / "data" / "sources"
    if data_files is None and sources.is_dir() and any(sources.glob("*.csv")):
        from paradip_kg.importer.reference import Reference
        from paradip_kg.importer.table import load_tables

        # The importer's reference data is what data/ says; hand it the few triples it reads.
        rdf_type = ox.NamedNode(str(RDF.type))
        described = frozenset(URIRef(t.subject.value) for t in triples["data"]
                              if t.predicate == rdf_type and isinstance(t.subject, ox.NamedNode))
        reference = Reference.from_graph(Inputs(triples).rdflib(_reference_triples(triples["data"])), described)
        known = dict.fromkeys(triples["data"])
        for triple in load_tables(sources, reference=reference):
            known[oxigraph_triple(*triple)] = None
        triples["data"] = list(known)
    return Inputs(triples)


def _reference_triples(data: list[ox.Triple]) -> list[ox.Triple]:
    """The countries, states and source documents of ``data``: their typings, codes and labels
    (what :meth:`paradip_kg.importer.reference.Reference.from_graph` reads)."""
    rdf_type = ox.NamedNode(str(RDF.type))
    classes = {ox.NamedNode(str(c)) for c in (PDO.Country, PDO.State, PDO.SourceDocument)}
    wanted = {ox.NamedNode(str(p)) for p in (PDO.isoCountryCode, PDO.inegiCode, RDFS.label, SKOS.altLabel)}
    typed = [t for t in data if t.predicate == rdf_type and t.object in classes]
    subjects = {t.subject for t in typed}
    return typed + [t for t in data if t.predicate in wanted and t.subject in subjects]


def ntriples(triples: Iterable[ox.Triple]) -> str:
    """pyoxigraph triples as N-Triples (``str`` of a pyoxigraph term is its N-Triples form)."""
    return "".join([f"{t.subject} {t.predicate} {t.object} .\n" for t in triples])


@dataclass
class Inference:
    """What the infer stage hands on: the data and its entailments as N-Triples, for Oxigraph to load
    without a Python object per triple, and owlrl's rdflib graph when owlrl ran."""

    engine: str  # the engine that ran: "rules" or "owlrl"
    errors: list[str]  # inconsistencies, in owlrl's words
    count: int  # entailed triples
    texts: dict[str, str]  # "data" and "inferred", as N-Triples
    graph: Graph | None = None  # owlrl's entailments


def infer_stage(inputs: Inputs, engine: str, stage: Stage) -> Inference:
    """The inferred graph and the inconsistencies found (``rules`` leaves a T-box that uses a construct
    the rules lack to ``owlrl``)."""
    if engine == "rules":
        staged = StagedClosure(inputs.graph("ontology", "vocab"), inputs.triples["data"])
        if not staged.unsupported:
            result = staged.run(tick=stage.update)
            return Inference("rules", result.errors, len(result),
                             {"data": staged.data_ntriples(), "inferred": result.ntriples()})
        stage.progress.say(f"infer: the ontology uses {', '.join(staged.unsupported)}, which the compiled rules "
                           "do not run; owlrl infers over everything instead")
    entailed, errors = infer(inputs.graph("ontology", "vocab", "data"))
    texts = {"data": ntriples(inputs.triples["data"]), "inferred": ntriples(oxigraph_triple(*t) for t in entailed)}
    return Inference("owlrl", errors, len(entailed), texts, entailed)


def asserted_texts(inputs: Inputs, inference: Inference) -> dict[str, str]:
    """The ontology, vocabulary, data and inferred graphs, as N-Triples."""
    return {"ontology": ntriples(inputs.triples["ontology"]), "vocab": ntriples(inputs.triples["vocab"]),
            **inference.texts}


def everything(inputs: Inputs, inference: Inference) -> Graph:
    """Everything asserted and inferred, as one rdflib graph (what pyshacl validates)."""
    if inference.graph is not None:
        union = Graph()
        for g in (inputs.graph("ontology", "vocab", "data"), inference.graph):
            for triple in g:
                union.add(triple)
        return union
    inferred = [q.triple for q in ox.parse(inference.texts["inferred"], format=ox.RdfFormat.N_TRIPLES)]
    return inputs.rdflib(*(inputs.triples[k] for k in ("ontology", "vocab", "data")), inferred)


def validate_stage(inputs: Inputs, inference: Inference, texts: dict[str, str],
                   allow_warnings: bool) -> tuple[Report, ox.Store | None]:
    """The validation stage, one call: SHACL over everything asserted and inferred (``texts``), with the
    shapes graph the store keeps (pyshacl adds a few triples to it). Also the in-memory store validated
    (the compiled engine's; None with pyshacl): the reconciliation reads the graph from it."""
    if settings_mod.load()["validation_engine"] == "compiled":  # shacl/compiled.py; pyshacl is its oracle
        store = ox.Store()  # in memory, everything in its default graph (a triple of two graphs once)
        for text in texts.values():
            store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, lenient=True)  # our own output: valid
        return validate_store(store, inputs.graph("shapes"), allow_warnings=allow_warnings), store
    return validate(everything(inputs, inference), inputs.graph("shapes"), allow_warnings=allow_warnings), None


def _only_harvests(store_dir: Path) -> bool:
    """Whether the store's accepted writes are all harvests, which data/harvested/ keeps (harvest/files.py)."""
    return only_harvests(open_store(store_dir))


def is_current(project_dir: Path, store_dir: Path) -> bool:
    manifest = Manifest.read(manifest_path(store_dir))
    return manifest is not None and store_dir.exists() and manifest.content_hash == content_hash(project_dir)


def _accepted_writes(store_dir: Path) -> int:
    """How many accepted writes the store serves on top of its build (0: none, or no store)."""
    if not store_dir.exists() or not writes_dir(store_dir).exists():
        return 0
    return read_head(store_dir).sequence


@collector.paused  # the build's millions of long-lived triples: collections walked them all (collector.py)
def build(project_dir: Path, store_dir: Path, progress: ProgressLike = None, force: bool = False,
          allow_warnings: bool = True, fail_on_violations: bool = True,
          discard_writes: bool = False, inference: str | None = None,
          data_files: Sequence[Path] | None = None) -> tuple[Manifest, bool]:
    """Build the store at ``store_dir`` from ``project_dir``.

    Returns the manifest and whether anything was built (False: the store was current).
    Raises InputError when ``project_dir`` has no ontology (not a project: an empty graph is never
    published), and BuildFailed (with the report) when the graph does not conform to the shapes, unless
    ``fail_on_violations`` is False (benchmarks on synthetic data time every stage regardless).
    A store that took writes (:mod:`paradip_kg.writes.commit`) is rebuilt only with ``discard_writes``:
    a build starts from the files, so it would drop them. ``progress`` gets the stage lines (a
    :class:`~paradip_kg.progress.Progress`, or a callback for each line); ``inference`` is the engine
    (setting ``inference_engine`` when None). ``data_files``: the data graph is these RDF files
    (``paradip-kg serve FILE...``) instead of data/, its tables and the kept harvest; the ontology,
    vocabularies and shapes are still the project's.
    """
    report_to = Progress.of(progress)
    engine = inference or settings_mod.load()["inference_engine"]
    if engine not in settings_mod.INFERENCE_ENGINES:
        raise ValueError(f"the inference engine is one of {', '.join(settings_mod.INFERENCE_ENGINES)}, not {engine!r}")
    if not rdf_files(project_dir / FOLDERS["ontology"]):  # not a project: never publish an empty graph
        raise InputError(f"{project_dir.absolute()} is not a paradip-kg project: it has no {FOLDERS['ontology']}/ "
                         "with RDF files. Run the command in the project's folder (the one with ontology/, vocab/, "
                         "data/ and shapes/), or name it with --project-dir (env PARADIP_PROJECT_DIR).")
    digest = content_hash(project_dir, data_files)
    manifest = Manifest.read(manifest_path(store_dir))
    if not force and manifest is not None and store_dir.exists() and manifest.content_hash == digest:
        if not search_index.index_path(store_dir).exists():  # a store built before there was a search index
            keep_for_pages(store_dir, manifest)
        accepted = _accepted_writes(store_dir)
        if accepted and discard_writes:  # the files have not changed: dropping the writes is all there is to do
            shutil.rmtree(writes_dir(store_dir))
            keep_for_pages(store_dir, manifest)  # the index followed the writes: back to the build's
            report_to.say(f"discarded {accepted} accepted write(s): store {store_dir} serves the build again "
                          f"({manifest.total} triples); the files have not changed, nothing to rebuild")
            return manifest, False
        kept = f", and {accepted} accepted write(s) on top, kept" if accepted else ""
        report_to.say(f"store {store_dir} is up to date ({manifest.total} triples{kept}); nothing to do")
        return manifest, False

    writes_folder = writes_dir(store_dir)
    if store_dir.exists() and writes_folder.exists():
        accepted = _accepted_writes(store_dir)
        if accepted and not discard_writes and not _only_harvests(store_dir):
            raise BuildFailed(f"the store holds {accepted} accepted write(s) that the files do not have; "
                              "a build would drop them. Save them first (`paradip-kg export`, or the "
                              "provenance graph lists each change), then build with --discard-writes.")
    seconds: dict[str, float] = {}
    stage = report_to.stage("parse")
    inputs = read_inputs(project_dir, stage, data_files)
    sizes = {k: len(v) for k, v in inputs.triples.items()}
    seconds["parse"] = stage.done(inputs.total(), f"({sizes['ontology']:,} ontology, {sizes['vocab']:,} vocabulary, "
                                                  f"{sizes['data']:,} data, {sizes['shapes']:,} shapes)")

    stage = report_to.stage("infer")
    closure = infer_stage(inputs, engine, stage)
    asserted = sizes["ontology"] + sizes["vocab"] + sizes["data"]
    seconds["infer"] = stage.done(asserted, f"→ {closure.count:,} entailed ({closure.engine})")
    if closure.errors:
        raise BuildFailed("the ontology and data are inconsistent:\n" + "\n".join(closure.errors))

    stage = report_to.stage("validate")
    texts = asserted_texts(inputs, closure)
    written = [0]  # quads in the new store so far, for the live line
    # The store is written while the graph is validated (Oxigraph's load releases the GIL), and
    # swapped in only if the graph conforms.
    writer = StoreWriter(store_dir, texts, tick=lambda n: written.__setitem__(0, n))
    try:
        with stage.ticking(lambda: asserted + closure.count):
            report, validated = validate_stage(inputs, closure, texts, allow_warnings)
        counts = report.counts()
        seconds["validate"] = stage.done(asserted + closure.count, f"→ {counts['Violation']} violations, "
                                         f"{counts['Warning']} warnings, {counts['Info']} infos")
        if counts["Violation"] and fail_on_violations:
            raise BuildFailed("the knowledge graph does not conform to the shapes", report)
    except BaseException:
        writer.abandon()
        raise

    stage = report_to.stage("store")
    started = time.perf_counter()
    with stage.ticking(lambda: written[0]):
        # The kept Wikidata harvest: its own graph, and the reconciliation derived from it (not validated
        # or inferred over: external claims in Wikidata's terms, which no shape or rule reads).
        harvested = read_harvest(project_dir) if data_files is None else ""
        rows = reconciled_for_build(texts, harvested, validated)
        validated = None  # the in-memory copy of the graph: freed before the last graphs are loaded
        harvest_graphs: dict[str, GraphContent] = {"wikidata": harvested, "reconciliation": graph_text(rows)}
        triples = writer.finish({"shapes": inputs.graph("shapes"), **{k: v for k, v in harvest_graphs.items() if v}})
    manifest = Manifest(content_hash=digest, built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        triples=triples, seconds={}, conforms=report.conforms, results=counts, version=__version__,
                        inference=closure.engine)
    seconds["store"] = time.perf_counter() - started
    stage.done(manifest.total, f"→ {len(triples)} graphs in {store_dir} ({writer.seconds:.1f} s of loading "
                               "in all, most of it while validating)")
    stage = report_to.stage("search")
    labels, asked = [0], [0]  # read so far: the live line counts them, then its seconds run on while they are indexed
    home_rows = ChartRows(writer.folder, tick=lambda n: asked.__setitem__(0, n))  # while the index is written
    with stage.ticking(lambda: labels[0], "labels read"):
        index = write_search_index(writer.folder, manifest, tick=lambda n: labels.__setitem__(0, n))
    seconds["search"] = stage.done(index.entries, "labels indexed")
    stage = report_to.stage("charts", "queries")
    with stage.ticking(lambda: asked[0], "run"):
        queries = home_rows.keep(writer.folder, manifest)
    seconds["charts"] = stage.done(queries, "of the home page kept (run beside the search index)")
    manifest.seconds = {k: round(v, 3) for k, v in seconds.items()}
    manifest.write(manifest_path(writer.folder))
    # The build is whole (store, search index, manifest): serve it, at one moment (store/disk.py).
    publish_build(store_dir, writer.folder)
    if writes_folder.exists():  # writes on the previous build (HEAD no longer matches it)
        shutil.rmtree(writes_folder)
    save_rows(store_dir, digest[:16], rows)  # /reconciliation reads them (the state's version: the hash)
    return manifest, True
