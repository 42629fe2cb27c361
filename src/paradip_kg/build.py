"""Build the knowledge graph: files → graphs → inference → validation → store.

    ontology/ vocab/ data/ (+ data/sources/*.csv) shapes/
        │ parse (pyoxigraph parsers → rdflib graphs)      one named graph per folder
        │ import (importer: agreement tables → RDF)        into the data graph
        │ infer (owlrl, entailments only)                  graph/inferred
        │ validate (pyshacl; fails on violations)          report
        ▼ store (embedded Oxigraph) + manifest

A second build of unchanged inputs (same files, same code) is a no-op.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph

from paradip_kg import __version__
from paradip_kg.errors import BuildFailed
from paradip_kg.inference.closure import infer
from paradip_kg.rdf.parse import load_folder, rdf_files
from paradip_kg.shacl.engine import validate
from paradip_kg.store.disk import Manifest, manifest_path, write_store
from paradip_kg.store.head import read_head, writes_dir

Progress = Callable[[str], None]
FOLDERS = {"ontology": "ontology", "vocab": "vocab", "data": "data", "shapes": "shapes"}


@dataclass
class Sources:
    """The parsed input graphs of a build."""

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


def input_files(project_dir: Path) -> list[Path]:
    """Every file whose content the build depends on, sorted."""
    files: list[Path] = []
    for folder in FOLDERS.values():
        files += rdf_files(project_dir / folder)
    sources = project_dir / "data" / "sources"
    if sources.is_dir():
        files += sorted(p for p in sources.glob("*.csv"))
    return files


def code_files() -> list[Path]:
    """Every module of the package, subpackages included: a change to any can change a build."""
    return sorted(Path(__file__).parent.rglob("*.py"))


def content_hash(project_dir: Path) -> str:
    """SHA-256 over the input files and the code that turns them into the store."""
    digest = hashlib.sha256(__version__.encode())
    code = Path(__file__).parent
    for path in code_files() + input_files(project_dir):
        rel = path.relative_to(code if path.is_relative_to(code) else project_dir)
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_sources(project_dir: Path) -> Sources:
    """Parse the four folders, and import the agreement tables of data/sources into the data graph."""
    graphs = {key: load_folder(project_dir / folder) for key, folder in FOLDERS.items()}
    sources = project_dir / "data" / "sources"
    if sources.is_dir():
        from paradip_kg.importer.table import load_tables

        for triple in load_tables(sources):
            graphs["data"].add(triple)
    return Sources(**graphs)


def is_current(project_dir: Path, store_dir: Path) -> bool:
    manifest = Manifest.read(manifest_path(store_dir))
    return manifest is not None and store_dir.exists() and manifest.content_hash == content_hash(project_dir)


def build(project_dir: Path, store_dir: Path, progress: Progress | None = None, force: bool = False,
          allow_warnings: bool = True, fail_on_violations: bool = True,
          discard_writes: bool = False) -> tuple[Manifest, bool]:
    """Build the store at ``store_dir`` from ``project_dir``.

    Returns the manifest and whether anything was built (False: the store was current).
    Raises BuildFailed (with the report) when the graph does not conform to the shapes, unless
    ``fail_on_violations`` is False (benchmarks on synthetic data time every stage regardless).
    A store that took writes (:mod:`paradip_kg.writes.commit`) is rebuilt only with ``discard_writes``:
    a build starts from the files, so it would drop them.
    """
    say = progress or (lambda message: None)
    digest = content_hash(project_dir)
    manifest = Manifest.read(manifest_path(store_dir))
    if not force and manifest is not None and store_dir.exists() and manifest.content_hash == digest:
        say(f"store {store_dir} is up to date ({manifest.total} triples); nothing to do")
        return manifest, False

    writes_folder = writes_dir(store_dir)
    if store_dir.exists() and writes_folder.exists():
        accepted = read_head(store_dir).sequence
        if accepted and not discard_writes:
            raise BuildFailed(f"the store holds {accepted} accepted write(s) that the files do not have; "
                              "a build would drop them. Save them first (`paradip-kg export`, or the "
                              "provenance graph lists each change), then build with --discard-writes.")
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    say("parse: ontology/, vocab/, data/, shapes/ and data/sources/ tables")
    src = load_sources(project_dir)
    seconds["parse"] = time.perf_counter() - start
    say(f"parse: {len(src.ontology)} ontology, {len(src.vocab)} vocabulary, {len(src.data)} data, "
        f"{len(src.shapes)} shape triples ({seconds['parse']:.1f} s)")

    start = time.perf_counter()
    say("infer: OWL 2 RL closure (owlrl)")
    asserted = src.union()
    inferred, errors = infer(asserted)
    seconds["infer"] = time.perf_counter() - start
    if errors:
        raise BuildFailed("the ontology and data are inconsistent:\n" + "\n".join(errors))
    say(f"infer: {len(inferred)} entailed triples ({seconds['infer']:.1f} s)")

    start = time.perf_counter()
    say("validate: SHACL (pyshacl)")
    for triple in inferred:
        asserted.add(triple)
    report = validate(asserted, src.shapes, allow_warnings=allow_warnings)
    seconds["validate"] = time.perf_counter() - start
    counts = report.counts()
    say(f"validate: {counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} infos "
        f"({seconds['validate']:.1f} s)")
    if counts["Violation"] and fail_on_violations:
        raise BuildFailed("the knowledge graph does not conform to the shapes", report)

    start = time.perf_counter()
    say(f"store: writing {store_dir}")
    triples = write_store(store_dir, {"ontology": src.ontology, "vocab": src.vocab, "data": src.data,
                                      "inferred": inferred, "shapes": src.shapes})
    seconds["store"] = time.perf_counter() - start
    manifest = Manifest(content_hash=digest, built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        triples=triples, seconds={k: round(v, 3) for k, v in seconds.items()},
                        conforms=report.conforms, results=counts, version=__version__)
    manifest.write(manifest_path(store_dir))
    if writes_folder.exists():  # writes on the previous build (HEAD no longer matches it)
        shutil.rmtree(writes_folder)
    say(f"store: {manifest.total} triples in {len(triples)} graphs ({seconds['store']:.1f} s)")
    return manifest, True
