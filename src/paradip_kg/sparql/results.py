"""Query results as bytes: SPARQL JSON, XML, CSV and TSV writers, RDF through pyoxigraph.

The writers of :func:`paradip_kg.sparql.execute.execute` (in the query child process), and of
any other module that writes triples in a negotiated RDF format (the Service Description). For
the HTML page, :func:`plain_term` turns terms into picklable tuples.

Specifications: SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/),
XML (https://www.w3.org/TR/rdf-sparql-XMLres/), CSV and TSV
(https://www.w3.org/TR/sparql11-results-csv-tsv/). CSV and TSV define no ASK result; like
Apache Jena we write a one-column table ``_askResult``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from paradip_kg.rdf.formats import Format
from paradip_kg.rdf.jsonld_context import with_context

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Term = Any  # ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence["Term | None"]

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- SELECT / ASK writers -------------------------------------------------------------------


def json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": json_term(term.subject), "predicate": json_term(term.predicate),
                                        "object": json_term(term.object)}}


_string = json.JSONEncoder(ensure_ascii=False).encode  # a str as a JSON string


def json_term_text(term: Term) -> str:
    """``json_term(term)`` as compact JSON text, written directly for the common terms: the same
    bytes as ``json.dumps(json_term(term), ensure_ascii=False, separators=(",", ":"))``, about 3× faster
    (a SELECT's rows are most of its answer's time after the query, tests/test_results.py)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _string(term.value) + "}"
    if kind is ox.Literal:
        value = '{"type":"literal","value":' + _string(term.value)
        if term.language:
            return value + ',"xml:lang":' + _string(term.language) + "}"
        datatype = term.datatype.value
        return value + ("}" if datatype == XSD_STRING else ',"datatype":' + _string(datatype) + "}")
    return json.dumps(json_term(term), ensure_ascii=False, separators=(",", ":"))


def write_json(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    keys = [_string(v) + ":" for v in variables]
    bindings = ("{" + ",".join(k + json_term_text(t) for k, t in zip(keys, row, strict=True) if t is not None) + "}"
                for row in rows)
    head = json.dumps({"vars": list(variables)}, ensure_ascii=False, separators=(",", ":"))
    return ('{"head":' + head + ',"results":{"bindings":[' + ",".join(bindings) + "]}}").encode("utf-8")


def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))


def xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attr = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attr = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{_xml_text(term.value)}</literal>"
    return (f"<triple><subject>{xml_term(term.subject)}</subject><predicate>{xml_term(term.predicate)}"
            f"</predicate><object>{xml_term(term.object)}</object></triple>")


def write_xml(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<sparql xmlns="{SPARQL_RESULTS_NS}">\n<head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out.append("</head>\n<results>\n")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(v)}>{xml_term(t)}</binding>" for v, t in zip(variables, row, strict=True)
                if t is not None]
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode("utf-8")


def csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def write_csv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([csv_value(t) for t in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def write_tsv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    # Terms in their N-Triples form, which escapes tabs and newlines inside literals.
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# The writer of each SPARQL results format, by the name of its row in paradip_kg.web.conneg.
TABLE_WRITERS: dict[str, Callable[[Sequence[str], Iterable[Row]], bytes]] = {
    "json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv,
}


def write_boolean(value: bool, fmt: str) -> bytes:
    word = "true" if value else "false"
    if fmt == "json":
        return ('{"head":{},"boolean":' + word + "}").encode()
    if fmt == "xml":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n'
                f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n").encode()
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    return f"?_askResult\n{word}\n".encode()


# --- CONSTRUCT / DESCRIBE -------------------------------------------------------------------


def serialize_rdf(triples: Iterable[ox.Triple], fmt: Format, prefixes: dict[str, str] | None = None) -> bytes:
    """Write triples in the RDF format ``fmt``; quad formats put them in the default graph.

    ``prefixes`` abbreviate IRIs in the formats that have prefixes (Turtle, TriG, N3, RDF/XML).
    JSON-LD carries the project's ``@context`` inline (:func:`paradip_kg.rdf.jsonld_context.with_context`),
    as every JSON-LD document of the app does.
    """
    if fmt.rdf_format is None:
        raise ValueError(f"{fmt.label} is not an RDF format")
    items: Iterable[Any] = triples
    if fmt.quads:
        items = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    # Without an output file pyoxigraph returns the bytes (its stub says "or None").
    if fmt.prefixes and prefixes:
        return ox.serialize(items, format=fmt.rdf_format, prefixes=prefixes) or b""
    body = ox.serialize(items, format=fmt.rdf_format) or b""
    return with_context(body) if fmt.rdf_format == ox.RdfFormat.JSON_LD else body


# --- HTML table values ----------------------------------------------------------------------


def plain_term(term: Term | None) -> tuple[str, ...] | None:
    """A term as a picklable tuple for the HTML table."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language or "")
    return ("triple", str(term))
