"""Validate files in this process: the flow of ``paradip-kg validate``.

    files ──inputs──▶ data graph (+ the project's context) and shapes graph
          ──jobs.execute──▶ report ──report.build_view──▶ view ──render──▶ text, table, Turtle, JSON…

The web runs the same job in a child process that can be stopped (:mod:`paradip_kg.shacl.runner`).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from paradip_kg.shacl.engine import engine_options
from paradip_kg.shacl.inputs import (
    data_notices,
    load_data,
    load_shapes,
    mix_in,
    project_context,
    project_folder,
    shapes_notices,
)
from paradip_kg.shacl.jobs import Job, execute
from paradip_kg.shacl.render import render
from paradip_kg.shacl.report import build_view
from paradip_kg.shacl.results import fail_on_of


def run_validation(files: list[Path], fmt: str | None, shapes_files: list[Path], project_dir: Path,
                   inference: str = "none", allow_warnings: bool = False, lang: str = "es",
                   focus: list[str] | None = None, shape_iris: list[str] | None = None,
                   output: str = "text", context: bool = True, fail_on: str | None = None) -> tuple[str, bool]:
    """Validate ``files``; return the rendered report and whether the data passes at the
    ``fail_on`` level (:data:`~paradip_kg.shacl.results.FAIL_ON`; default ``warning``, or
    ``violation`` with ``allow_warnings``).

    With the project's shapes and ``context``, the project's ontology and vocabularies are mixed
    into the data (:func:`~paradip_kg.shacl.inputs.project_context`); with other shapes, the
    ontology only to infer with.

    Raises:
        InputError: a file cannot be read (file, line, column), or the shapes are not valid SHACL.
    """
    data = load_data(files, fmt)
    shapes = load_shapes(shapes_files, project_dir)
    notices = data_notices(data, lang) + shapes_notices(shapes, lang)  # never followed, as on the web
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
                                             files=[str(f) for f in files], context=context and not shapes_files,
                                             fail_on=fail_on_of(fail_on, allow_warnings)))
    return render(view, output), view.passes
