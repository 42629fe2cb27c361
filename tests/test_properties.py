"""Property-based tests (hypothesis): content negotiation, serialization round trips, parsers."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from paradip_kg.errors import RdfSyntaxError
from paradip_kg.rdf.formats import RDF_FORMATS, Format
from paradip_kg.rdf.parse import parse_bytes
from paradip_kg.web import conneg
from support.rdf import triples_of

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

media_part = st.one_of(
    st.sampled_from(["*", "text", "application", "image", "", "x" * 300, "ld+json", "html", "turtle", "*/*"]),
    st.text(max_size=20),
)
accept_item = st.builds(
    lambda a, b, q, junk: f"{a}/{b}" + (f";q={q}" if q is not None else "") + junk,
    media_part, media_part,
    st.one_of(st.none(), st.sampled_from(["0", "1", "0.5", "abc", "-1", "2", "1e9", "nan", ""]), st.text(max_size=5)),
    st.sampled_from(["", ";level=1", ';x="unterminated', ";;", ","]),
)
accept_header = st.one_of(st.lists(accept_item, max_size=30).map(", ".join), st.text(max_size=200))
FORMAT_SETS = [RDF_FORMATS, conneg.RESULT_FORMATS, (*RDF_FORMATS, conneg.HTML)]


@SETTINGS
@given(header=accept_header)
def test_negotiate_never_crashes(header: str) -> None:
    accept = parse_accept_header(header, MIMEAccept)
    for formats in FORMAT_SETS:
        chosen = conneg.negotiate(accept, formats)
        assert chosen is None or chosen in formats
    conneg.prefers_html(accept)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=accept_header, lang=st.text(max_size=60))
def test_sparql_endpoint_survives_any_accept(bundled_app: Flask, header: str, lang: str) -> None:
    client = bundled_app.test_client()
    try:
        response = client.get("/sparql", query_string={"query": "ASK {}"},
                              headers={"Accept": header, "Accept-Language": lang})
    except ValueError:  # werkzeug refuses header values with newlines before any request is made
        return
    assert response.status_code in {200, 406}, (header, response.status_code, response.get_data()[:300])
    assert response.get_data().strip()


SERIALIZATIONS = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]
OX_SERIALIZE = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
                "trig": ox.RdfFormat.TRIG, "json-ld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}


@pytest.fixture(scope="module")
def bundled_graph(bundled_store: Path) -> Graph:
    from paradip_kg.store.head import open_store

    store = open_store(bundled_store)
    triples = Graph()
    quads = [ox.Quad(q.subject, q.predicate, q.object) for q in store]
    data = ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES)
    parse_bytes(data, "nt", "bundled", into=triples)
    assert len(triples) > 100
    return triples


LOADING_NAME = {f.rdf_format: f.name for f in RDF_FORMATS}


@pytest.mark.parametrize("fmt", [pytest.param(f, id=f.name) for f in RDF_FORMATS])
def test_round_trip(bundled_store: Path, bundled_graph: Graph, fmt: Format) -> None:
    """The app's serializer (what /data and /dumps serve) writes the bundled graph in every RDF
    format; our parser reads it back isomorphically."""
    from paradip_kg.store.head import open_store
    from paradip_kg.web.documents import serialize

    store = open_store(bundled_store)
    data = serialize(list(store), fmt)
    back = triples_of(parse_bytes(data, LOADING_NAME[fmt.rdf_format], f"round-trip.{fmt.name}"))
    assert len(back) == len(bundled_graph)
    assert isomorphic(back, bundled_graph)


def test_every_serialization_is_covered() -> None:
    names = {LOADING_NAME[f.rdf_format] for f in RDF_FORMATS}
    assert set(SERIALIZATIONS) <= names, names


@SETTINGS
@given(data=st.one_of(st.binary(max_size=400),
                      st.text(alphabet='<>{}[]()"@:;.,_ \n\\^#', max_size=200).map(str.encode)))
def test_arbitrary_bytes_give_a_clean_error(data: bytes) -> None:
    for fmt in RDF_FORMATS:
        try:
            parse_bytes(data, fmt, "fuzz")
        except RdfSyntaxError:
            pass
