"""Validate user files against shapes: the engine behind `paradip-kg validate`."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, URIRef

from paradip_kg.errors import InputError
from paradip_kg.loading import load_folder, parse_file
from paradip_kg.validation import Report, meta_validate, validate


def load_data(files: list[Path], fmt: str | None = None) -> Graph:
    """Parse the files into one graph (graph names of quad formats are merged)."""
    graph = Graph()
    for path in files:
        parsed = parse_file(path, fmt)
        for s, p, o, *_ in (parsed.quads() if hasattr(parsed, "quads") else parsed):  # type: ignore[union-attr]
            graph.add((s, p, o))
    return graph


def load_shapes(shapes_files: list[Path], project_dir: Path) -> Graph:
    """The shapes to use, after checking them against SHACL-for-SHACL."""
    if shapes_files:
        shapes = Graph()
        for path in shapes_files:
            parse_file(path, into=shapes)
    else:
        shapes = load_folder(project_dir / "shapes")
    if len(shapes) == 0:
        raise InputError("no shapes to validate against")
    meta = meta_validate(shapes)
    if not meta.conforms:
        raise InputError("the shapes are not valid SHACL:\n" + meta.text("en", limit=20))
    return shapes


def render(report: Report, output: str, lang: str) -> str:
    if output == "turtle":
        return report.graph.serialize(format="turtle")
    if output == "json":
        return json.dumps({"conforms": report.conforms, "counts": report.counts(), "results": [
            {"focus": str(r.focus), "path": str(r.path) if r.path is not None else None,
             "value": str(r.value) if r.value is not None else None, "severity": r.severity,
             "component": r.component, "shape": str(r.shape) if r.shape is not None else None,
             "shape_name": r.shape_name(lang), "message": r.message(lang)} for r in report.results]},
            indent=2, ensure_ascii=False) + "\n"
    return report.text(lang) + "\n"


def run_validation(files: list[Path], fmt: str | None, shapes_files: list[Path], project_dir: Path,
                   inference: str = "none", allow_warnings: bool = False, lang: str = "es",
                   focus: list[str] | None = None, shape_iris: list[str] | None = None,
                   output: str = "text") -> tuple[str, bool]:
    """Validate ``files``; return the rendered report and whether the data conforms."""
    data = load_data(files, fmt)
    shapes = load_shapes(shapes_files, project_dir)
    ontology = load_folder(project_dir / "ontology") if inference != "none" else None
    report = validate(data, shapes, ontology=ontology, inference=inference,
                      focus_nodes=[URIRef(f) for f in focus or []] or None,
                      shape_iris=[URIRef(s) for s in shape_iris or []] or None,
                      allow_warnings=allow_warnings)
    conforms = not report.blocking(allow_warnings)
    return render(report, output, lang), conforms
