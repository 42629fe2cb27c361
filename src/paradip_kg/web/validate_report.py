"""A validation report as an HTTP answer: its negotiated formats, the machine formats, the HTML page.

The same :class:`~paradip_kg.shacl.report.ReportView` answers POST /validate, a kept report,
/quality and the 422 of a rejected write: the JSON summary (scripts get it on ``*/*``), the HTML
page, the ``sh:ValidationReport`` graph as Turtle or JSON-LD, or CSV. ``?output=`` overrides the
Accept header; ``?lang=`` (or a form field) the page language.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from rdflib import URIRef
from rdflib.term import Node
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotAcceptable

from paradip_kg import i18n
from paradip_kg.rdf.formats import Format
from paradip_kg.shacl.messages import SEVERITIES
from paradip_kg.shacl.render import render
from paradip_kg.shacl.report import ReportView
from paradip_kg.web import conneg
from paradip_kg.web.language import page_language
from paradip_kg.web.state import get_state

# The report's representations. Order matters on a tie (``*/*``): scripts get the JSON summary.
REPORT_FORMATS: tuple[Format, ...] = (
    # Our JSON summary, documented in docs/validation.md
    Format("json", "application/json", "JSON", "json", "docs/validation.md", short_names=("json", "summary")),
    conneg.HTML,
    # The SHACL validation report graph, https://www.w3.org/TR/shacl/#validation-report
    Format("turtle", "text/turtle", "Turtle", "ttl", "https://www.w3.org/TR/turtle/",
                  aliases=("application/x-turtle",), short_names=("turtle", "ttl")),
    Format("jsonld", "application/ld+json", "JSON-LD", "jsonld", "https://www.w3.org/TR/json-ld11/",
                  short_names=("jsonld", "json-ld")),
    # RFC 4180, one row per result
    Format("csv", "text/csv", "CSV", "csv", "https://www.rfc-editor.org/rfc/rfc4180", short_names=("csv",)),
)
DOWNLOADS = ("turtle", "jsonld", "json", "csv")  # the formats a report page offers as files
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def params() -> MultiDict[str, str]:
    """Query parameters, and the form fields of a form post (a raw body is left unread)."""
    return request.values if request.mimetype in FORM_TYPES else request.args


def request_language() -> str:
    """``lang`` of the form or query if it is ours, else Accept-Language, else Spanish."""
    wanted = params().get("lang", "")
    return wanted if wanted in i18n.LANGUAGES else page_language()


def output_format() -> Format:
    """The report format: ``output`` if it names one, else the Accept header (406 if none fits)."""
    chosen = conneg.choose(request.accept_mimetypes, params().getlist("output"), REPORT_FORMATS)
    if chosen is None:
        raise NotAcceptable("the report is available as " + ", ".join(f.media_type for f in REPORT_FORMATS))
    return chosen


def respond(view: ReportView, fmt: Format, download_name: str = "validation-report") -> Response:
    """The report in a machine format."""
    response = Response(render(view, fmt.name), content_type=fmt.content_type)
    if params().get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}.{fmt.extension}"'
    response.headers["X-Paradip-Conforms"] = "true" if view.conforms else "false"
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return response


def local_link(term: Node | None) -> str | None:
    """Where a focus node's page is: our IRIs on this host, other http(s) IRIs as they are."""
    if not isinstance(term, URIRef):
        return None
    iri = str(term)
    base = str(get_state().settings["base_iri"])
    if iri.startswith(base) and len(iri) > len(base):
        return request.script_root + "/" + iri[len(base):]
    return iri if iri.startswith(("http://", "https://")) else None


def html_page(template: str, view: ReportView, **context: Any) -> str:
    """A report page: the detailed rows capped at ``validation_html_rows`` (filtered by ``severity``)."""
    limit = int(get_state().settings["validation_html_rows"])
    severity = request.args.get("severity", "")
    if severity not in SEVERITIES:
        severity = ""
    groups, shown = [], 0
    for group in view.groups:
        rows = [r for r in group.results if not severity or r.severity == severity]
        if not rows:
            continue
        if shown >= limit:
            break
        rows = rows[: limit - shown]
        shown += len(rows)
        groups.append((group, rows))
    listed = sum(1 for r in view.results if not severity or r.severity == severity)
    rules = [rule for rule in view.rules if not severity or rule.severity == severity]
    return render_template(template, view=view, lang=view.lang, t=view.words, groups=groups, rules=rules,
                           shown=shown, listed=listed, truncated=shown < listed, limit=limit, severity=severity,
                           link=local_link, **context)
