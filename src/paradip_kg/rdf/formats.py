"""The RDF formats: one table, one name each; every other list of formats is derived from it.

Each row of :data:`RDF_FORMATS` says everything the package knows about one RDF syntax: its
name, media type and the other media types clients send for it, file suffixes (the first is
the extension of the files we write), label, specification, W3C formats IRI
(https://www.w3.org/ns/formats/, for ``sd:resultFormat`` and ``void:feature``), the pyoxigraph
and rdflib names, whether it holds quads or triples, and whether it abbreviates IRIs with
prefixes. Names are one scheme (``turtle``, ``ntriples``, ``jsonld``, ``rdfxml``, ``trig``,
``nquads``, ``n3``); the short names people type (``ttl``, ``nt``, ``n-triples``, ``json-ld``,
``xml``, ...) are accepted wherever a format is named: the CLI's ``--format``, ``?format=``,
form fields (:func:`lookup`).

:class:`Format` is also the class of the representations that are not RDF, which
:mod:`paradip_kg.web.conneg` defines next to these (SPARQL results, HTML): the format chosen
by content negotiation is one object from the request to the writer, even across the pipe to
the query child process (a row of this table pickles as a reference to the row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

FORMATS_NS = "http://www.w3.org/ns/formats/"  # https://www.w3.org/ns/formats/


@dataclass(frozen=True)
class Format:
    """One representation: its name (``?format=``), media types, label, file extension and spec.

    Args:
        name: the one name of the format.
        media_type: the registered media type (sent as Content-Type).
        label: for people ("N-Triples").
        extension: of files in this format (no dot).
        spec: the URL of its specification.
        sd_iri: its W3C formats IRI (``sd:resultFormat``), if it has one.
        aliases: other media types clients send for it.
        short_names: every name accepted for it (``?format=``, ``--format``), its name included.
        suffixes: file suffixes read as this format (RDF only; the first is ``.extension``).
        rdf_format: pyoxigraph's format (RDF only).
        rdflib: rdflib's name of the format (RDF only).
        quads: the format holds named graphs (TriG, N-Quads).
        prefixes: the format abbreviates IRIs with prefixes (Turtle, TriG, N3, RDF/XML).
    """

    name: str
    media_type: str
    label: str
    extension: str
    spec: str
    sd_iri: str = ""
    aliases: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    rdf_format: ox.RdfFormat | None = None
    rdflib: str = ""
    quads: bool = False
    prefixes: bool = False

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        """The Content-Type header value: text and XML types say their charset."""
        if self.media_type.startswith("text/") or self.media_type.endswith("xml"):
            return self.media_type + "; charset=utf-8"
        return self.media_type

    def __reduce_ex__(self, protocol: Any) -> Any:
        # pyoxigraph's RdfFormat cannot be pickled: a row of the table crosses as its name.
        if BY_NAME.get(self.name) is self:
            return (rdf_format_named, (self.name,))
        return super().__reduce_ex__(protocol)


def _rdf(name: str, media_type: str, label: str, suffixes: tuple[str, ...], spec: str, sd_name: str,
         rdf_format: ox.RdfFormat, rdflib: str, aliases: tuple[str, ...] = (), names: tuple[str, ...] = (),
         quads: bool = False, prefixes: bool = False) -> Format:
    return Format(name, media_type, label, suffixes[0].lstrip("."), spec, FORMATS_NS + sd_name, aliases,
                  (name, *names), suffixes, rdf_format, rdflib, quads, prefixes)


# Order matters: on a tie (``*/*``) content negotiation picks the first one.
# RDF 1.1 Turtle (application/x-turtle and application/turtle are legacy)
TURTLE = _rdf("turtle", "text/turtle", "Turtle", (".ttl", ".turtle"), "https://www.w3.org/TR/turtle/", "Turtle",
              ox.RdfFormat.TURTLE, "turtle", aliases=("application/x-turtle", "application/turtle"), names=("ttl",),
              prefixes=True)
# RDF 1.1 N-Triples (text/plain: its type before registration)
NTRIPLES = _rdf("ntriples", "application/n-triples", "N-Triples", (".nt", ".ntriples"),
                "https://www.w3.org/TR/n-triples/", "N-Triples", ox.RdfFormat.N_TRIPLES, "nt", aliases=("text/plain",),
                names=("nt", "n-triples"))
# JSON-LD 1.1 (application/x-json+ld: SPARQLWrapper's second choice)
JSONLD = _rdf("jsonld", "application/ld+json", "JSON-LD", (".jsonld",), "https://www.w3.org/TR/json-ld11/", "JSON-LD",
              ox.RdfFormat.JSON_LD, "json-ld", aliases=("application/x-json+ld", "application/json"),
              names=("json-ld", "json"))
# RDF 1.1 XML Syntax
RDFXML = _rdf("rdfxml", "application/rdf+xml", "RDF/XML", (".rdf", ".owl", ".xml"),
              "https://www.w3.org/TR/rdf-syntax-grammar/", "RDF_XML", ox.RdfFormat.RDF_XML, "xml",
              aliases=("application/xml", "text/xml"), names=("rdf+xml", "rdf/xml", "rdf", "xml"), prefixes=True)
# RDF 1.1 TriG
TRIG = _rdf("trig", "application/trig", "TriG", (".trig",), "https://www.w3.org/TR/trig/", "TriG", ox.RdfFormat.TRIG,
            "trig", quads=True, prefixes=True)
# RDF 1.1 N-Quads
NQUADS = _rdf("nquads", "application/n-quads", "N-Quads", (".nq", ".nquads"), "https://www.w3.org/TR/n-quads/",
              "N-Quads", ox.RdfFormat.N_QUADS, "nquads", names=("nq", "n-quads"), quads=True)
# Notation3 (text/rdf+n3, application/n3: SPARQLWrapper's N3 list)
N3 = _rdf("n3", "text/n3", "N3", (".n3",), "https://www.w3.org/TeamSubmission/n3/", "N3", ox.RdfFormat.N3, "n3",
          aliases=("text/rdf+n3", "application/n3"), prefixes=True)

RDF_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS, N3)

BY_NAME: dict[str, Format] = {f.name: f for f in RDF_FORMATS}
# Every name people type, lower case: the one name first, so that no short name shadows it.
BY_SHORT_NAME: dict[str, Format] = {**{n: f for f in RDF_FORMATS for n in f.short_names}, **BY_NAME}
# Media type (as sent in Content-Type) → format; the main media types win over aliases.
BY_MEDIA_TYPE: dict[str, Format] = {**{t: f for f in RDF_FORMATS for t in f.aliases},
                                    **{f.media_type: f for f in RDF_FORMATS}}
BY_SUFFIX: dict[str, Format] = {s: f for f in RDF_FORMATS for s in f.suffixes}


def rdf_format_named(name: str) -> Format:
    """The row called ``name`` (its one name; KeyError otherwise)."""
    return BY_NAME[name]


def lookup(name: str) -> Format | None:
    """The format a person named: its name or a short name (``nt``, ``json-ld``, ``xml``), any case."""
    return BY_SHORT_NAME.get(name.strip().lower())
