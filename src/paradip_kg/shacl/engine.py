"""The SHACL engine: pyshacl, run the same way by the build, the writes, the CLI and the web.

:func:`validate` runs pyshacl and reads its ``sh:ValidationReport`` graph into a
:class:`~paradip_kg.shacl.results.Report`; :func:`meta_validate` checks shapes against
SHACL-for-SHACL; :func:`engine_options` is how a run is echoed in the reports. Two things are
set up in rdflib before each run, so that verdicts and speed do not depend on what ran before in
the process: strict lexical forms for the XSD Gregorian datatypes, and a SPARQL processor that
translates each query text once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier

from paradip_kg.errors import ShapesError
from paradip_kg.shacl.results import Report, read_results

# Lexical forms of the XSD Gregorian datatypes (XML Schema 1.1 Part 2, 3.3.11-3.3.15). rdflib has
# no converter for them, so pySHACL's sh:datatype accepted any text ("22"^^xsd:gYear); owlrl
# registers stricter ones (which also reject time zones) as a side effect of inference, so the
# verdict depended on what ran before in the process. One definition instead, applied at import
# (literals are checked when they are created) and again before each validation.
_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
GREGORIAN = {
    XSD.gYear: _YEAR + _ZONE,
    XSD.gYearMonth: _YEAR + r"-(0[1-9]|1[0-2])" + _ZONE,
    XSD.gMonth: r"--(0[1-9]|1[0-2])" + _ZONE,
    XSD.gDay: r"---(0[1-9]|[12][0-9]|3[01])" + _ZONE,
    XSD.gMonthDay: r"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _ZONE,
}


def _lexical_check(datatype: URIRef, pattern: str) -> Callable[[str], str]:
    compiled = re.compile(f"^{pattern}$")

    def check(text: str) -> str:
        if not compiled.match(text):
            raise ValueError(f"{text!r} is not a valid {datatype}")
        return text

    return check


# Typed as rdflib's converter table is (keyed by datatype IRI strings), for the update below.
_GREGORIAN_CHECKS: dict[str | None, Callable[[str], Any] | None] = {
    datatype: _lexical_check(datatype, pattern) for datatype, pattern in GREGORIAN.items()}


def check_gregorian_literals() -> None:
    """Make rdflib flag ill-formed xsd:gYear, gYearMonth, gMonth, gDay and gMonthDay literals."""
    from rdflib.term import _toPythonMapping

    _toPythonMapping.update(_GREGORIAN_CHECKS)


check_gregorian_literals()


@lru_cache(maxsize=512)
def _translated_query(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Query:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces))


def _use_prepared_queries() -> None:
    """Make rdflib translate each SPARQL text once per process, not once per call.

    pyshacl runs a SHACL-SPARQL constraint by handing rdflib the same query text once per focus
    node, and rdflib parses it every time (pyparsing, about 0.25 s a query): on the bundled graph
    that was nine tenths of the validation time. This registers, under rdflib's plugin name
    ``sparql``, a processor that keeps the translated algebra of recent texts; the algebra of a
    prepared query is meant to be evaluated again with other initial bindings.
    """
    from rdflib import plugin
    from rdflib.query import Processor

    plugin.register("sparql", Processor, "paradip_kg.shacl.engine", "PreparingSPARQLProcessor")


class PreparingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor with the translations of query texts cached."""

    # The override error is rdflib's: its Processor interface has no ``base``, but Graph.query
    # passes one and its own SPARQLProcessor takes it (ignoring the same error).
    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            namespaces = tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _translated_query(strOrQuery, base, namespaces)
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


def validate(data: Graph, shapes: Graph, ontology: Graph | None = None, inference: str = "none",
             focus_nodes: list[URIRef] | None = None, shape_iris: list[URIRef] | None = None,
             allow_warnings: bool = False, do_owl_imports: bool = False) -> Report:
    """Validate ``data`` against ``shapes`` with pyshacl.

    Args:
        data: the graph to check (pyshacl works on a copy when inference is on).
        shapes: the SHACL shapes graph.
        ontology: mixed into the data before inference (``ont_graph``).
        inference: ``none``, ``rdfs`` or ``owlrl``.
        focus_nodes, shape_iris: narrow the run to these nodes or shapes.
        allow_warnings: warnings and infos do not break conformance.
        do_owl_imports: let pyshacl fetch what the shapes ``owl:imports`` (never the data's).
    """
    import pyshacl

    _use_prepared_queries()
    check_gregorian_literals()
    # pyshacl adds to the shapes graph it is given (e.g. owl:Class rdfs:subClassOf rdfs:Class):
    # give it a copy, so that what the build stores is what shapes/ says.
    shapes_copy = Graph()
    for prefix, namespace in shapes.namespaces():
        shapes_copy.bind(prefix, namespace)
    for triple in shapes:
        shapes_copy.add(triple)
    conforms, report_graph, _ = pyshacl.validate(
        data, shacl_graph=shapes_copy, ont_graph=ontology,
        inference=None if inference == "none" else inference,
        advanced=True, allow_warnings=allow_warnings, allow_infos=True,
        focus_nodes=_iri_list(focus_nodes), use_shapes=_iri_list(shape_iris), meta_shacl=False, iterate_rules=False,
        do_owl_imports=do_owl_imports,
    )
    if not isinstance(report_graph, Graph):  # a pyshacl ValidationFailure: the shapes cannot be run
        raise ShapesError(f"the shapes cannot be used: {getattr(report_graph, 'message', report_graph)}")
    return Report(conforms=bool(conforms), results=read_results(report_graph, shapes), graph=report_graph)


def _iri_list(iris: list[URIRef] | None) -> list[str | URIRef] | None:
    """The list pyshacl's options take (typed to accept plain strings too)."""
    return None if iris is None else list(iris)


def meta_validate(shapes: Graph) -> Report:
    """Check a shapes graph against the SHACL-for-SHACL shapes that pyshacl ships."""
    from pyshacl.entrypoints import meta_validate as _meta

    conforms, report_graph, _ = _meta(shapes)
    return Report(conforms=bool(conforms), results=read_results(report_graph, Graph()), graph=report_graph)


def engine_options(inference: str, allow_warnings: bool, shapes: str, **extra: Any) -> dict[str, Any]:
    """How a validation ran, as the reports echo it."""
    import pyshacl

    return {"engine": f"pySHACL {pyshacl.__version__}", "inference": inference, "allow_warnings": allow_warnings,
            "shapes": shapes, **extra}


__all__ = ["GREGORIAN", "check_gregorian_literals", "validate", "meta_validate", "engine_options"]
