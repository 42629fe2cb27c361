"""`paradip-kg stats` and `paradip-kg query`: read the built graph."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click

from paradip_kg.cli.common import BACKEND_OPTION, backend_store, cli, ensure_built, fail_input, store_dir_of
from paradip_kg.errors import InputError


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@BACKEND_OPTION
@click.pass_context
def stats(ctx: click.Context, as_json: bool, backend: str | None) -> None:
    """Figures of the built knowledge graph: triples per graph, agreements, actors, sources."""
    from paradip_kg.publish.stats import collect

    store = backend_store(ctx, backend)
    figures = collect(ensure_built(ctx, quiet=as_json) if store is None else store_dir_of(ctx), store)
    if as_json:
        click.echo(json.dumps(figures, indent=2, ensure_ascii=False))
        return
    for section, values in figures.items():
        click.echo(f"{section}:")
        for key, value in values.items():
            click.echo(f"  {key:<28} {value}")


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a file.")
@click.option("-o", "--output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="How to print SELECT/ASK results (CONSTRUCT/DESCRIBE print Turtle).")
@BACKEND_OPTION
@click.pass_context
def query(ctx: click.Context, query: str | None, query_file: Any, output: str, backend: str | None) -> None:
    """Run a SPARQL query against the built store (or --backend) and print the results.

    The default graph is the union of the ontology, vocabulary, data and inferred graphs;
    the project's prefixes (pdo:, pdid:, skos:, …) are predeclared. Exits 2 with the
    parser's message on a malformed query.
    """
    from paradip_kg.sparql.local import run_local, run_on_store

    text = query_file.read() if query_file else query
    if not text:
        raise click.UsageError("give a query as an argument or with --file")
    store = backend_store(ctx, backend)
    try:
        result = run_local(ensure_built(ctx, quiet=True), text) if store is None else run_on_store(store, text)
    except InputError as exc:
        fail_input(exc)
    if result.kind == "boolean":
        click.echo("true" if result.boolean else "false") if output != "json" else \
            click.echo(json.dumps({"head": {}, "boolean": result.boolean}))
    elif result.kind == "graph":
        click.echo(result.turtle, nl=False)
    elif output == "json":
        click.echo(json.dumps({"head": {"vars": result.variables},
                               "results": {"bindings": [{k: v for k, v in row.items() if v is not None}
                                                        for row in result.json_rows()]}}, indent=2, ensure_ascii=False))
    elif output == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.variables)
        for row in result.text_rows():
            writer.writerow(row)
    else:
        click.echo(result.table())
