"""The charts' data types: a chart, its table and links, and a government the charts can be about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from paradip_kg.sparql.local import run_on_store


@dataclass(frozen=True)
class Government:
    """A government party to at least one agreement: a choice of the home page's selector."""

    iri: str
    key: str  # the IRI after id/government/ (the selector's value)
    place: str  # its seat's name, else its own label
    code: str  # ISO 3166-1 code of its country, if known
    agreements: int


@dataclass
class Link:
    text: str
    href: str | None = None


@dataclass
class Table:
    """The data table that stands in for a chart (its first column names the row)."""

    columns: list[str]
    rows: list[Row]


@dataclass
class Chart:
    """One chart: its words, its query, its picture (``kind`` + ``layout``) and its table."""

    slug: str
    kind: str  # "years", "bars", "share", "network" or "empty"
    title: str
    caption: str
    summary: str  # one sentence for <desc>: what the picture shows
    query: str
    query_href: str
    table: Table
    layout: dict[str, Any] = field(default_factory=dict)
    empty: str | None = None  # the empty state, said instead of a picture
    note: str | None = None



Linker = Callable[[str], "str | None"]
Row = list[Link | str | int]
Rows = Callable[[str], list[dict[str, Any]]]  # a query text → its rows (the web keeps them per published state)
Source = ox.Store | Rows


def _bindings(store: Source, text: str) -> list[dict[str, Any]]:
    """The rows of ``text``: run on the store, or asked of ``store`` when it is a :data:`Rows`."""
    if isinstance(store, ox.Store):
        return run_on_store(store, text).rows
    return store(text)
