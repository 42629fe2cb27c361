"""Validate someone's data against shapes: the engine behind `paradip-kg validate` and POST /validate.

    files or request body ──parse (strict, line/column)──▶ data graph
    project shapes/ or uploaded shapes ──meta-SHACL──▶ shapes graph
    project ontology/ and vocab/ (with the project's shapes) ──mixed into──▶ data graph
    pyshacl ──▶ report, plus the causes of sh:or / sh:xone failures as sh:detail
    ──▶ report_formats (text, table, Turtle, JSON-LD, JSON, CSV, HTML)

Uploads are held to a few rules: nothing is fetched on their say-so. The loading module refuses
remote JSON-LD contexts and XML entities; here uploaded shapes that ``owl:imports`` something, or
whose SPARQL reaches out (SERVICE, FROM, LOAD), are refused unless the operator allows it
(settings ``validation_follow_imports``, ``allow_service``). ``owl:imports`` in the data is never
followed (SHACL and pySHACL agree: data-graph imports are not part of validation).

The web runs each validation in a child process that is killed after ``validation_timeout``
seconds (:mod:`paradip_kg.shacl.runner`); the CLI runs it in-process.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from paradip_kg.errors import InputError
from paradip_kg.rdf.parse import load_folder, parse_bytes, parse_file
from paradip_kg.shacl.engine import Report, meta_validate, read_results, validate
from paradip_kg.shacl.report import build_view, render

# rdflib logs a traceback for every literal whose lexical form does not fit its datatype; for a
# validator such literals are expected input, and sh:datatype reports them.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

INFERENCE = ("none", "rdfs", "owlrl")
SPARQL_TEXT = (SH.select, SH.ask, SH.construct, SH.update)
# SPARQL that makes rdflib reach the network: SERVICE calls an endpoint, FROM / FROM NAMED load
# graphs by IRI (rdflib's SPARQL_LOAD_GRAPHS), LOAD is an update that fetches a document.
REACHING_OUT = re.compile(r"\b(SERVICE|FROM|LOAD)\b", re.IGNORECASE)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
LOGICAL = {SH.OrConstraintComponent: SH["or"], SH.XoneConstraintComponent: SH.xone}


@dataclass
class Job:
    """Everything one validation run needs; it crosses to the child process by pickling."""

    data: Graph
    shapes: Graph
    inference: str = "none"
    focus: list[URIRef] | None = None
    shape_iris: list[URIRef] | None = None
    allow_warnings: bool = False
    meta: bool = True
    follow_imports: bool = False


# --- inputs ------------------------------------------------------------------------------------

def load_data(files: list[Path], fmt: str | None = None) -> Graph:
    """Parse the files into one graph (graph names of quad formats are merged)."""
    graph = Graph()
    for path in files:
        parse_file(path, fmt, into=graph)
    return graph


def load_upload(body: bytes, fmt: str, source: str) -> Graph:
    """Parse an uploaded document into one graph (graph names of quad formats are merged)."""
    graph = Graph()
    parse_bytes(body, fmt, source, into=graph)
    return graph


def load_shapes(shapes_files: list[Path], project_dir: Path) -> Graph:
    """The shapes given as files, or the project's shapes/ folder."""
    if shapes_files:
        shapes = Graph()
        for path in shapes_files:
            parse_file(path, into=shapes)
    else:
        shapes = load_folder(project_dir / "shapes")
    if len(shapes) == 0:
        raise InputError("no shapes to validate against")
    return shapes


def project_context(project_dir: Path) -> Graph:
    """What is mixed into data checked against the project's shapes: the ontology and vocabularies.

    Harvested data usually states only the most specific class (``pdo:MunicipalGovernment``);
    ``sh:class pdo:Actor`` and ``sh:targetClass`` follow ``rdfs:subClassOf`` in the data graph, so
    the ontology's class hierarchy must be there. Scopes, themes and SDG targets are checked
    against our SKOS schemes, so their ``skos:inScheme`` must be there too.
    """
    return merged(project_folder(project_dir / "ontology"), project_folder(project_dir / "vocab"))


@lru_cache(maxsize=8)
def _folder_cached(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> Graph:
    return load_folder(Path(folder))


def project_folder(folder: Path) -> Graph:
    """A project folder parsed once per process (again when a file changes)."""
    if not folder.is_dir():
        return Graph()
    stamp = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))
    return _folder_cached(str(folder), stamp)


def mix_in(data: Graph, context: Graph) -> Graph:
    """The data plus what ``context`` says about things the data does not describe itself.

    Data that only refers to ``pdv:scope/national`` gets our description of it; data that
    describes a concept itself (or a class) is validated on its own description, so a concept
    it gives without labels is reported rather than hidden behind ours.
    """
    described = set(data.subjects())
    out = merged(data)
    for s, p, o in context:
        if s not in described:
            out.add((s, p, o))
    return out


def merged(*graphs: Graph | None) -> Graph:
    """One graph holding the triples of ``graphs``."""
    out = Graph()
    for g in graphs:
        if g is not None:
            for triple in g:
                out.add(triple)
    return out


def check_uploaded_shapes(shapes: Graph, follow_imports: bool = False, allow_service: bool = False) -> None:
    """Refuse uploaded shapes that would make the server fetch something.

    Raises:
        InputError: the shapes ``owl:imports`` a document (and following imports is off), or a
            SPARQL constraint, target, rule or function uses SERVICE, FROM or LOAD.
    """
    imports = sorted(str(o) for o in shapes.objects(None, OWL.imports))
    if imports and not follow_imports:
        raise InputError(
            "the shapes import other documents (owl:imports " + ", ".join(f"<{i}>" for i in imports[:5])
            + "); this server does not fetch documents for uploads. Put the imported shapes into the upload "
            "(the operator can allow imports with the setting validation_follow_imports).")
    if allow_service:
        return
    for prop in SPARQL_TEXT:
        for holder, text in shapes.subject_objects(prop):
            match = REACHING_OUT.search(_without_strings_and_iris(str(text)))
            if match:
                raise InputError(
                    f"a SPARQL query of the shapes (sh:{prop.fragment} of {_name(holder)}) uses {match.group(1).upper()}, "
                    "which would fetch data from the network; this server does not do that for uploads "
                    "(the operator can allow it with the setting allow_service).")


def _without_strings_and_iris(query: str) -> str:
    """The query text without string literals, IRIs and comments, so that keywords stand alone."""
    query = re.sub(r"<[^<>\s]*>", " ", query)
    query = re.sub(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"", " ", query, flags=re.S)
    return re.sub(r"#[^\n]*", " ", query)


def _name(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else "a blank node"


def data_notices(data: Graph, lang: str = "en") -> list[str]:
    """Sentences the reader should see about how the data was read."""
    imports = sorted(str(o) for o in data.objects(None, OWL.imports))
    if not imports:
        return []
    listed = ", ".join(f"<{i}>" for i in imports[:5])
    if lang == "es":
        return [f"Los datos importan otros documentos (owl:imports {listed}); no se siguen: "
                "la validación SHACL no incluye los documentos que importa el grafo de datos."]
    return [f"The data imports other documents (owl:imports {listed}); they are not followed: "
            "SHACL validation does not include documents the data graph imports."]


# --- running -----------------------------------------------------------------------------------

def execute(job: Job) -> Report:
    """Check the shapes, validate, and explain sh:or / sh:xone failures (runs wherever it is called).

    Raises:
        InputError: the shapes are not valid SHACL (with the meta-SHACL report).
    """
    if job.meta:
        meta = meta_validate(job.shapes)
        if not meta.conforms:
            raise InputError("the shapes are not valid SHACL:\n" + meta.text("en", limit=20))
    kwargs: dict[str, Any] = dict(inference=job.inference, allow_warnings=job.allow_warnings,
                                  do_owl_imports=job.follow_imports)
    try:
        report = validate(job.data, job.shapes, **kwargs)
    except Exception as exc:  # pyshacl refuses some shapes only at run time (e.g. an unknown sh:node)
        from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError

        if isinstance(exc, (ReportableRuntimeError, ShapeLoadError, ConstraintLoadError)):
            raise InputError(f"the shapes cannot be used: {getattr(exc, 'message', exc)}") from None
        raise
    explain_logical(report, job)
    if job.focus or job.shape_iris:
        narrow(report, job)
    return report


def narrow(report: Report, job: Job) -> None:
    """Keep the results about ``job.focus`` nodes and from ``job.shape_iris`` (or their property shapes).

    pySHACL's own ``focus_nodes`` also filters the value nodes that nested shapes (sh:node) check,
    and its ``use_shapes`` skips the property shapes of a chosen node shape, so both lose results;
    the whole graph is validated and the report narrowed instead.
    """
    graph = report.graph
    focus, chosen = set(job.focus or ()), set(job.shape_iris or ())

    def owners(shape: Node | None) -> set[Node]:
        found: set[Node] = set()
        while shape is not None and shape not in found:
            found.add(shape)
            parents = sorted(job.shapes.subjects(SH.property, shape), key=str)
            shape = parents[0] if parents else None
        return found

    for node in list(graph.subjects(SH.conforms, None)):
        blocking = False
        for result in list(graph.objects(node, SH.result)):
            keep = (not focus or graph.value(result, SH.focusNode) in focus) and \
                (not chosen or bool(owners(graph.value(result, SH.sourceShape)) & chosen))
            if keep:
                severity = graph.value(result, SH.resultSeverity)
                blocking |= severity == SH.Violation or (severity == SH.Warning and not job.allow_warnings)
            else:
                graph.remove((node, SH.result, result))
                _drop_description(graph, result)
        graph.set((node, SH.conforms, Literal(not blocking)))
        report.conforms = not blocking
    report.results = read_results(graph, job.shapes)


def explain_logical(report: Report, job: Job) -> None:
    """Add the reason each member shape failed under every sh:or / sh:xone result, as sh:detail.

    pySHACL nests causes for sh:node only. For sh:or and sh:xone we validate each value node
    against each member shape again (a copy of the shapes graph without targets, the members
    targeting the value nodes) and nest those results under the logical result.
    """
    graph = report.graph
    logical = []
    for component in LOGICAL:
        for r in graph.subjects(SH.sourceConstraintComponent, component):
            shape = graph.value(r, SH.sourceShape)
            value = graph.value(r, SH.value)  # none for a node shape's own sh:or: then the focus node
            value = graph.value(r, SH.focusNode) if value is None else value
            if shape is not None and value is not None:
                logical.append((r, shape, value))
    if not logical:
        return
    probe = Graph()
    for triple in job.shapes:
        if triple[1] in TARGETS or (triple[1] == RDF.type and triple[2] in (RDFS.Class, OWL.Class)):
            continue
        probe.add(triple)
    members_of: dict[Node, list[Node]] = {}
    for r, shape, value in logical:
        members: list[Node] = []
        for prop in LOGICAL.values():
            for head in job.shapes.objects(shape, prop):
                members += list(job.shapes.items(head))
        members_of[r] = members
        for member in members:
            probe.add((member, SH.targetNode, value))
    try:
        causes = validate(job.data, probe, inference=job.inference, allow_warnings=True)
    except Exception:  # explaining is a courtesy; the main report stands on its own
        return
    all_members = {m for ms in members_of.values() for m in ms}
    found: dict[tuple[Node, Node], list[Node]] = {}
    for node in causes.graph.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in causes.graph:
            continue
        source, focus = causes.graph.value(node, SH.sourceShape), causes.graph.value(node, SH.focusNode)
        owner = source if source in all_members else job.shapes.value(None, SH.property, source)
        if owner is not None and focus is not None:
            found.setdefault((owner, focus), []).append(node)
    for r, shape, value in logical:
        for member in members_of[r]:
            for node in found.get((member, value), []):
                _copy_description(causes.graph, node, graph)
                graph.add((r, SH.detail, node))
    report.results = read_results(graph, job.shapes)


def _drop_description(graph: Graph, node: Node) -> None:
    """Remove the triples about ``node`` and, recursively, about the blank nodes it points to
    (a result left out of a report takes its details and paths with it)."""
    described = Graph()
    _copy_description(graph, node, described)
    for triple in described:
        graph.remove(triple)


def _copy_description(source: Graph, node: Node, target: Graph) -> None:
    """Copy the triples about ``node`` and, recursively, about the blank nodes it points to."""
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            if isinstance(o, BNode) or p == SH.detail:
                todo.append(o)


# --- the command line --------------------------------------------------------------------------

def engine_options(inference: str, allow_warnings: bool, shapes: str, **extra: Any) -> dict[str, Any]:
    """How a validation ran, as the reports echo it."""
    import pyshacl

    return {"engine": f"pySHACL {pyshacl.__version__}", "inference": inference, "allow_warnings": allow_warnings,
            "shapes": shapes, **extra}


def run_validation(files: list[Path], fmt: str | None, shapes_files: list[Path], project_dir: Path,
                   inference: str = "none", allow_warnings: bool = False, lang: str = "es",
                   focus: list[str] | None = None, shape_iris: list[str] | None = None,
                   output: str = "text", context: bool = True) -> tuple[str, bool]:
    """Validate ``files``; return the rendered report and whether the data passes.

    With the project's shapes and ``context``, the project's ontology and vocabularies are mixed
    into the data (:func:`project_context`); with other shapes, the ontology only to infer with.

    Raises:
        InputError: a file cannot be read (file, line, column), or the shapes are not valid SHACL.
    """
    data = load_data(files, fmt)
    shapes = load_shapes(shapes_files, project_dir)
    notices = data_notices(data, lang)
    if shapes_files and any(shapes.objects(None, OWL.imports)):
        notices.append("Las formas importan otros documentos (owl:imports); no se siguen." if lang == "es" else
                       "The shapes import other documents (owl:imports); they are not followed.")
    if shapes_files or not context:  # our ontology only to infer with
        mixed_in = project_folder(project_dir / "ontology") if inference != "none" else Graph()
    else:
        mixed_in = project_context(project_dir)
    job = Job(data=mix_in(data, mixed_in), shapes=shapes, inference=inference,
              focus=[URIRef(f) for f in focus or []] or None,
              shape_iris=[URIRef(s) for s in shape_iris or []] or None, allow_warnings=allow_warnings,
              meta=bool(shapes_files))  # the project's shapes are meta-validated by the test suite
    report = execute(job)
    view = build_view(report, shapes, job.data, lang=lang, notices=notices,
                      options=engine_options(inference, allow_warnings,
                                             "files" if shapes_files else "project",
                                             files=[str(f) for f in files], context=context and not shapes_files))
    return render(view, output), not report.blocking(allow_warnings)


__all__ = ["Job", "load_data", "load_upload", "load_shapes", "project_context", "merged",
           "mix_in", "check_uploaded_shapes", "data_notices", "execute", "run_validation", "engine_options",
           "INFERENCE"]

