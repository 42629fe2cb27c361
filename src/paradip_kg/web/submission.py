"""What a client sent to POST /validate: the data, maybe shapes, and the options, parsed.

The data comes as the request body (its media type, or ``?data_format=``, says the format) or as
a form: a multipart upload (``data``, optional ``shapes``) or pasted text (``data_text``,
``shapes_text``). Options: ``inference`` (none, rdfs, owlrl), ``allow_warnings``, ``context``
(mix the project's ontology and vocabularies in), ``focus`` and ``shape`` (IRIs, repeatable).
Malformed RDF is an :class:`~paradip_kg.errors.RdfSyntaxError` naming the line and column.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from urllib.parse import quote

from flask import request
from rdflib import Graph, URIRef
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import UnsupportedMediaType

from paradip_kg.errors import InputError, RdfSyntaxError
from paradip_kg.rdf.formats import BY_MEDIA_TYPE, BY_SUFFIX
from paradip_kg.rdf.parse import add_quads, guess_format, read_quads
from paradip_kg.shacl.jobs import INFERENCE
from paradip_kg.shacl.runner import timed_out
from paradip_kg.web.validate_report import FORM_TYPES

# An absolute IRI as a focus node or shape option: a scheme, then no spaces or characters IRIs exclude.
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


@dataclass
class Submission:
    """What a client sent: the data, maybe shapes, and the options."""

    data: Graph
    source: str
    shapes: Graph | None = None
    shapes_source: str = ""
    inference: str = "none"
    allow_warnings: bool = False
    context: bool = True
    focus: list[URIRef] = field(default_factory=list)
    shape_iris: list[URIRef] = field(default_factory=list)
    base: str = ""  # the IRI relative IRIs of the data resolve against
    shapes_base: str = ""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _iris(values: list[str], what: str) -> list[URIRef]:
    out = []
    for value in values:
        for part in value.split():
            if not ABSOLUTE_IRI.match(part):
                raise InputError(f"{what} {part!r} is not an absolute IRI")
            out.append(URIRef(part))
    return out


def _upload_format(explicit: str | None, filename: str, media_type: str | None, source: str) -> str:
    if explicit:
        return guess_format(source, explicit)
    if filename and Path(filename).suffix.lower() in BY_SUFFIX:
        return guess_format(filename)
    if media_type and media_type in BY_MEDIA_TYPE and media_type not in ("application/octet-stream",):
        return BY_MEDIA_TYPE[media_type].name
    return "turtle"


def upload_base(values: MultiDict[str, str], field_name: str, source: str) -> str:
    """The base IRI of an uploaded document: the client's (``base`` / ``shapes_base``), else the
    document's name under this endpoint's URL, as a file's base is the file's own URL (RFC 3986
    §5.1.3: the URI used to retrieve it). The document's own ``@base`` / ``xml:base`` wins."""
    given = (values.get(field_name) or "").strip()
    if given:
        if not ABSOLUTE_IRI.match(given):
            raise InputError(f"{field_name} must be an absolute IRI, not {given[:200]!r}")
        return given
    name = source if source not in ("pasted data", "pasted shapes", "request body") else source.replace(" ", "-")
    return request.base_url.rstrip("/") + "/" + quote(name, safe="")


PARSE_CHUNK = 5000  # quads added to the rdflib graph between two looks at the clock


@dataclass(frozen=True)
class Deadline:
    """When the request's validation time is up (time.monotonic), and the limit it came from."""

    at: float
    limit: float

    def check(self) -> None:
        """ValidationTimeout (503) once the time is up."""
        if time.monotonic() >= self.at:
            raise timed_out(self.limit)


def load_upload(body: bytes, fmt: str, source: str, base_iri: str, deadline: Deadline | None = None) -> Graph:
    """Parse an uploaded document into one graph (graph names of quad formats merged), stopping
    with ValidationTimeout when ``deadline`` passes: parsing counts in the validation's time limit.

    Oxigraph reads the bytes (fast, and nesting past the limit is refused before); filling the
    rdflib graph is the slow part, done in chunks with a look at the clock between them."""
    quads = iter(read_quads(body, fmt, source, base_iri))
    graph = Graph()
    while chunk := list(islice(quads, PARSE_CHUNK)):
        if deadline is not None:
            deadline.check()
        try:
            add_quads(chunk, graph)
        except ValueError as exc:  # a triple term
            raise RdfSyntaxError(source, str(exc)) from None
    return graph


def read_submission(deadline: Deadline | None = None) -> Submission:
    """The data, shapes and options of this request (parsing stopped at ``deadline``).

    Raises:
        InputError: no data, malformed RDF (line and column), bad options.
        UnsupportedMediaType: a request body whose media type is not an RDF format.
        ValidationTimeout: parsing went past ``deadline``.
    """
    values: MultiDict[str, str]
    if request.mimetype in FORM_TYPES:
        values, files = request.form, request.files
        upload = files.get("data")
        if upload is not None and upload.filename:
            body, source = upload.read(), upload.filename
            fmt = _upload_format(values.get("data_format"), upload.filename, upload.mimetype, source)
        else:
            text = values.get("data") or values.get("data_text") or ""
            body, source = text.encode("utf-8"), "pasted data"
            fmt = _upload_format(values.get("data_format"), "", None, source)
        shapes_upload = files.get("shapes")
        shapes_text = values.get("shapes_text", "")
        if shapes_upload is not None and shapes_upload.filename:
            shapes_body, shapes_source = shapes_upload.read(), shapes_upload.filename
            shapes_fmt = _upload_format(values.get("shapes_format"), shapes_upload.filename, shapes_upload.mimetype,
                                        shapes_source)
        elif shapes_text.strip():
            shapes_body, shapes_source = shapes_text.encode("utf-8"), "pasted shapes"
            shapes_fmt = _upload_format(values.get("shapes_format"), "", None, shapes_source)
        else:
            shapes_body, shapes_source, shapes_fmt = b"", "", ""
    else:
        values = request.args
        media_type = request.mimetype
        fmt_name = values.get("data_format")
        if fmt_name:
            fmt = guess_format("request body", fmt_name)
        elif media_type in BY_MEDIA_TYPE:
            fmt = BY_MEDIA_TYPE[media_type].name
        else:
            raise UnsupportedMediaType(
                f"send the data with an RDF media type ({', '.join(sorted(BY_MEDIA_TYPE))}), "
                f"or as a multipart/form-data upload; got {media_type or 'no Content-Type'}")
        body, source = request.get_data(cache=False), "request body"
        shapes_body, shapes_source, shapes_fmt = b"", "", ""
    if not body.strip():
        raise InputError("no data to validate: paste RDF, choose a file, or send it as the request body")
    inference = values.get("inference", "none") or "none"
    if inference not in INFERENCE:
        raise InputError(f"inference must be one of {', '.join(INFERENCE)}, not {inference!r}")
    base = upload_base(values, "base", source)
    sub = Submission(data=load_upload(body, fmt, source, base, deadline), source=source, inference=inference, base=base,
                     allow_warnings=_flag(values.get("allow_warnings")),
                     context=values.get("context", "1").strip().lower() not in {"0", "false", "no", "off"},
                     focus=_iris(values.getlist("focus"), "focus node"),
                     shape_iris=_iris(values.getlist("shape"), "shape"))
    if shapes_body.strip():
        sub.shapes_base = upload_base(values, "shapes_base", shapes_source)
        sub.shapes = load_upload(shapes_body, shapes_fmt, shapes_source, sub.shapes_base, deadline)
        sub.shapes_source = shapes_source
    return sub
