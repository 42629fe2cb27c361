"""The renderings of a validation report, each drawn from one :class:`~paradip_kg.shacl.report.ReportView`:

    text    the CLI's default: verdict, rules, then problems per focus node
    table   one line per result, aligned columns
    turtle  the ``sh:ValidationReport`` graph (Turtle)
    jsonld  the same graph as JSON-LD
    json    a summary documented in docs/validation.md (``SUMMARY_VERSION``)
    csv     one row per result (nested ``sh:detail`` causes too, pointing to their parent row)

The HTML report of the web service renders the same view with a template.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from rdflib import Graph

from paradip_kg.namespaces import PREFIXES
from paradip_kg.rdf.jsonld_context import context
from paradip_kg.shacl.report import ReportView, ResultView
from paradip_kg.shacl.terms import term_id

OUTPUTS = ("text", "table", "turtle", "jsonld", "json", "csv")
SUMMARY_VERSION = 1


def render_text(view: ReportView, limit: int | None = None) -> str:
    """The CLI's report: verdict, one line per rule, then the problems of each focus node."""
    t = view.words
    lines = [view.verdict_text()]
    run = _run_line(view)
    if run:
        lines.append(run)
    lines.extend(f"! {n}" for n in view.notices)
    if not view.results:
        lines += ["", t["no_results"]]
        return "\n".join(lines) + "\n"
    lines += ["", f"{t['rules']} ({len(view.rules)})"]
    for rule in view.rules:
        title = " › ".join(x for x in (rule.parent_name, rule.name) if x) or rule.shape_text or rule.parent_text
        ref = rule.shape_text or rule.parent_text
        shown_ref = f" ({ref})" if ref and ref not in title else ""
        lines.append(f"  {rule.count:>5} × {rule.severity_label}  {title}{shown_ref}")
        lines.append(f"          {t['path']}: {rule.path_text or '—'} · {t['constraint']}: {rule.constraint}")
        if rule.description:
            lines.append(f"          {rule.description}")
        more = rule.count - len(rule.examples)
        lines.append(f"          {t['examples']} " + ", ".join(r.focus_text for r in rule.examples)
                     + (f" … ({t['more'].format(n=more)})" if more > 0 else ""))
    lines += ["", f"{t['by_focus']} ({len(view.groups)})"]
    shown = 0
    for group in view.groups:
        if limit is not None and shown >= limit:
            break
        lines.append(f"{group.focus_text}" + (f" — {group.label}" if group.label else ""))
        for r in group.results:
            if limit is not None and shown >= limit:
                break
            shown += 1
            lines.extend(_result_lines(r, t, "  "))
    if limit is not None and shown < view.total:
        lines.append(f"… {t['more'].format(n=view.total - shown)}")
    return "\n".join(lines) + "\n"


def _run_line(view: ReportView) -> str:
    t = view.words
    o = view.options
    parts = []
    if o.get("engine"):
        parts.append(f"{t['engine']}: {o['engine']}")
    if o.get("inference"):
        parts.append(f"{t['inference']}: {o['inference']}")
    if o.get("fail_on"):
        parts.append(f"{t['fail_on']}: {o['fail_on']}")
    return " · ".join(parts)


def _result_lines(r: ResultView, t: dict[str, str], indent: str) -> list[str]:
    head = f"{indent}[{r.severity_label}] "
    if r.path_text:
        head += f"{r.path_text}: "
    lines = [head + r.message]
    if r.value is not None:
        lines.append(f"{indent}    {t['value']}: {r.value_text}")
    ref = r.shape_text or r.shape_name
    lines.append(f"{indent}    {t['shape']}: {ref} · {t['constraint']}: {r.constraint}")
    if r.technical:
        lines.append(f"{indent}    {t['technical']}: {r.technical}")
    for d in r.details:
        lines.append(f"{indent}    {t['detail']} ({d.focus_text}):")
        lines.extend(_result_lines(d, t, indent + "      "))
    return lines


def render_table(view: ReportView, width: int = 48) -> str:
    """One line per result, in aligned columns (long cells are cut with …)."""
    t = view.words
    header = [t["severity"], t["focus"], t["path"], t["value"], t["message"]]
    rows = [[r.severity_label, r.focus_text, r.path_text, r.value_text, r.message] for r in view.results]

    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[cut(c) for c in row] for row in [header] + rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    out = [view.verdict_text()]
    for n, row in enumerate(cells):
        out.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"


def report_graph(view: ReportView) -> Graph:
    """The ``sh:ValidationReport`` graph, with the project's prefixes bound."""
    graph = view.report.graph
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def render_turtle(view: ReportView) -> str:
    return report_graph(view).serialize(format="turtle")


def render_jsonld(view: ReportView) -> str:
    """The report compacted with the project's ``@context`` (published at ``/context.jsonld``; ``sh:``
    is one of its prefixes), inline, so a reader needs to fetch nothing and can reuse it."""
    return report_graph(view).serialize(format="json-ld", context=context(), indent=2) + "\n"


def summary(view: ReportView) -> dict[str, Any]:
    """The JSON summary (docs/validation.md describes every key)."""
    return {
        "summary_version": SUMMARY_VERSION,
        "conforms": view.conforms,
        "passes": view.passes,
        "verdict": view.verdict,
        "counts": view.counts,
        "total": view.total,
        "lang": view.lang,
        "options": view.options,
        "notices": view.notices,
        "rules": [rule.as_json() for rule in view.rules],
        "results": [r.as_json() for r in view.results],
    }


def render_json(view: ReportView) -> str:
    return json.dumps(summary(view), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("row", "detail_of", "severity", "focus_node", "focus_label", "result_path", "value", "message",
               "source_shape", "shape_name", "constraint_component", "description", "technical_message")


def render_csv(view: ReportView) -> str:
    """One row per result; nested causes (sh:detail) follow their result with ``detail_of`` set."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    counter = 0

    def write(r: ResultView, parent: int | None) -> None:
        nonlocal counter
        counter += 1
        row = counter
        writer.writerow([row, parent or "", r.severity, term_id(r.focus), r.focus_label, r.path_text,
                         "" if r.value is None else str(r.value), r.message, term_id(r.shape) or "", r.shape_name,
                         r.component_iri, r.description, r.technical])
        for d in r.details:
            write(d, row)

    for r in view.results:
        write(r, None)
    return out.getvalue()


RENDERERS: dict[str, Callable[[ReportView], str]] = {
    "text": render_text,
    "table": render_table,
    "turtle": render_turtle,
    "jsonld": render_jsonld,
    "json": render_json,
    "csv": render_csv,
}


def render(view: ReportView, output: str) -> str:
    """The report in one of :data:`OUTPUTS`."""
    try:
        return RENDERERS[output](view)
    except KeyError:
        raise ValueError(f"unknown report format {output!r}; use one of {', '.join(OUTPUTS)}") from None


__all__ = ["OUTPUTS", "SUMMARY_VERSION", "CSV_COLUMNS", "render", "render_text", "render_table", "report_graph",
           "summary"]
