"""Run one SPARQL :class:`~paradip_kg.sparql.jobs.Job` on a store and write its result.

:func:`execute` runs inside the query child process (:mod:`paradip_kg.sparql.runner`), or in this
process for the memory and remote backends. It reads at most ``limit + 1`` rows (or triples)
so it can tell whether the result was cut, and writes them with :mod:`paradip_kg.sparql.results`
in the format the worker negotiated. For the HTML page it returns a table of plain tuples with
the labels of the IRIs instead. Errors come back in the :class:`~paradip_kg.sparql.jobs.Reply`,
never raised: they must cross the pipe.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from paradip_kg.namespaces import PREFIXES
from paradip_kg.sparql.inspect import undeclared_prefixes
from paradip_kg.sparql.jobs import Job, Reply
from paradip_kg.sparql.results import TABLE_WRITERS, Row, plain_term, serialize_rdf, write_boolean

LABEL_PROPERTIES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel")
MAX_LABELLED = 5000  # IRIs whose labels one HTML table looks up


def dataset_options(job: Job, default_graphs: Sequence[str], union: bool) -> dict[str, Any]:
    """pyoxigraph query options for the dataset: protocol, else the query's FROM, else the store's."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
                "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()]}
    if job.query_dataset:
        return {}  # pyoxigraph's default_graph and union options would override FROM
    return store_options(default_graphs, union)


# How Oxigraph words a call to an extension function it does not have (it raises RuntimeError).
UNSUPPORTED = "The custom function"


def store_options(default_graphs: Sequence[str], union: bool) -> dict[str, Any]:
    if union:
        return {"use_default_graph_as_union": True}
    if default_graphs:
        return {"default_graph": [ox.NamedNode(g) for g in default_graphs]}
    return {}


def run_query(store: Any, text: str, prefixes: Mapping[str, str] | None = PREFIXES, **options: Any) -> Any:
    """``store.query`` with ``prefixes`` predeclared (by default the project's, :data:`PREFIXES`):
    a query may use ``pdo:``, ``skos:``, ``schema:`` ... without PREFIX lines, and a PREFIX the
    query declares wins. The one place where both ``paradip-kg query`` and ``/sparql`` run a query.

    Raises SyntaxError with Oxigraph's message, plus which prefix is undeclared if one is.
    """
    try:
        return store.query(text, prefixes=dict(prefixes) if prefixes else None, **options)
    except SyntaxError as exc:
        missing = undeclared_prefixes(text, prefixes or ())
        if not missing:
            raise
        names = ", ".join(f"{p}:" for p in missing)
        what = f"the prefix {names} is" if len(missing) == 1 else f"the prefixes {names} are"
        raise SyntaxError(f"{exc.msg or exc}; {what} not declared (add a PREFIX line)") from None


def execute(store: ox.Store, job: Job, default_graphs: Sequence[str] = (), union: bool = False) -> Reply:
    """Run ``job`` and write its result; errors come back in the reply, never raised."""
    try:
        result = run_query(store, job.query, job.prefixes, base_iri=job.base_iri,
                           **dataset_options(job, default_graphs, union))
        return _write(store, job, result, store_options(default_graphs, union))
    except SyntaxError as exc:
        return Reply(error="syntax", message=str(exc.msg or exc))
    except RuntimeError as exc:
        if str(exc).startswith(UNSUPPORTED):  # the user's query, not our bug: 400 with the engine's words
            return Reply(error="unsupported", message=str(exc))
        return Reply(error="engine", message=f"{type(exc).__name__}: {exc}")
    except (OSError, ValueError, TypeError) as exc:
        # Evaluation errors (a SERVICE that fails, a store read error) and writers that
        # cannot express the result (RDF/XML and some predicate IRIs).
        return Reply(error="engine", message=f"{type(exc).__name__}: {exc}")


def _write(store: ox.Store, job: Job, result: Any, label_options: dict[str, Any]) -> Reply:
    # Triples come as QueryTriples, or as a list from the remote store.
    kind = "results" if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)) else "rdf"
    fmt = job.formats.get(kind)
    if fmt is None:  # the query's form was not known before it ran (see inspect_query)
        return Reply(kind=kind, error="not_acceptable")
    page = fmt.name == "html"
    if isinstance(result, ox.QueryBoolean):
        if page:
            return Reply(kind=kind, table={"boolean": bool(result)}, count=1)
        return Reply(kind=kind, body=write_boolean(bool(result), fmt.name), count=1)
    rows: list[Any] = list(itertools.islice(result, job.limit + 1))
    reply = Reply(kind=kind, truncated=len(rows) > job.limit)
    rows = rows[: job.limit]
    reply.count = len(rows)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [tuple(solution) for solution in rows]
    else:
        variables = ["subject", "predicate", "object"]
    if page:
        table_rows = rows if kind == "results" else [(t.subject, t.predicate, t.object) for t in rows]
        reply.table = html_table(store, variables, table_rows, job.label_lang, label_options)
    elif kind == "results":
        reply.body = TABLE_WRITERS[fmt.name](variables, rows)
    else:
        reply.body = serialize_rdf(rows, fmt, job.prefixes)
    return reply


# --- HTML tables ----------------------------------------------------------------------------


def lookup_labels(store: ox.Store, iris: Iterable[str], lang: str, options: dict[str, Any]) -> dict[str, str]:
    """The best label (``lang``, then no language, then es/en, then any) of each IRI."""
    wanted = list(dict.fromkeys(iris))[:MAX_LABELLED]
    if not wanted:
        return {}
    values = " ".join(str(ox.NamedNode(i)) for i in wanted)
    props = "|".join(f"<{p}>" for p in LABEL_PROPERTIES)
    query = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s {props} ?l }}"
    best: dict[str, tuple[int, str]] = {}
    solutions = store.query(query, **options)
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT
    for row in solutions:
        label = row["l"]
        if not isinstance(label, ox.Literal):
            continue
        rank = 3 if label.language == lang else 2 if not label.language else 1 if label.language in ("es", "en") else 0
        iri = row["s"].value
        if iri not in best or rank > best[iri][0]:
            best[iri] = (rank, label.value)
    return {iri: label for iri, (_, label) in best.items()}


def html_table(store: ox.Store, variables: Sequence[str], rows: Sequence[Row], lang: str,
               options: dict[str, Any]) -> dict[str, Any]:
    iris = [t.value for row in rows for t in row if isinstance(t, ox.NamedNode)]
    return {"vars": list(variables), "rows": [[plain_term(t) for t in row] for row in rows],
            "labels": lookup_labels(store, iris, lang, options)}
