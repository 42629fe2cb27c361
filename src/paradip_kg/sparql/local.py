"""Run a SPARQL query on a built store in this process (for the CLI and tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from paradip_kg.errors import QuerySyntaxError
from paradip_kg.namespaces import PREFIXES
from paradip_kg.sparql.execute import run_query
from paradip_kg.sparql.inspect import check_nesting
from paradip_kg.store.disk import default_graph_names
from paradip_kg.store.head import open_store


@dataclass
class LocalResult:
    kind: str  # "bindings", "boolean" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]] = field(default_factory=list)
    boolean: bool = False
    turtle: str = ""

    def text_rows(self) -> list[list[str]]:
        return [[_text(row.get(v)) for v in self.variables] for row in self.rows]

    def json_rows(self) -> list[dict[str, dict[str, str] | None]]:
        return [{v: _json(row.get(v)) for v in self.variables} for row in self.rows]

    def table(self) -> str:
        rows = self.text_rows()
        widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(self.variables)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
        out = [line(self.variables), line(["-" * w for w in widths])] + [line(r) for r in rows]
        out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
        return "\n".join(out)


def _text(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    return getattr(term, "value", str(term))


def _json(term: object) -> dict[str, str] | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    assert isinstance(term, ox.Literal)
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def run_on_store(store: ox.Store, text: str,
                 default_graph: Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None) -> LocalResult:
    """Run ``text`` with the project's prefixes and the endpoint's default graph (the union of
    :func:`default_graph_names`), or ``default_graph`` where given."""
    check_nesting(text)  # deep nesting crashes the engine (stack overflow)
    graphs = list(default_graph) if default_graph is not None else [*default_graph_names()]
    try:
        result = run_query(store, text, PREFIXES, default_graph=graphs)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    if isinstance(result, ox.QueryBoolean):
        return LocalResult(kind="boolean", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [dict(zip(variables, solution, strict=True)) for solution in result]  # its values, in order
        return LocalResult(kind="bindings", variables=variables, rows=rows)
    triples = list(result)
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return LocalResult(kind="graph", turtle=(data or b"").decode("utf-8"))


def run_local(store_dir: Path, text: str) -> LocalResult:
    return run_on_store(open_store(store_dir), text)
