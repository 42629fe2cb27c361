"""`paradip-kg serve` and `paradip-kg push`: publish the graph over HTTP, or into a remote store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paradip_kg.cli.common import cli, ensure_built, fail_input, progress, settings_of
from paradip_kg.errors import BuildFailed, InputError, ParadipError


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--host", help="Address to bind [env PARADIP_HOST; default 127.0.0.1].")
@click.option("--port", type=int, help="Port [env PARADIP_PORT; default 8080].")
@click.option("--workers", type=int, help="gunicorn worker processes [env PARADIP_WORKERS; default 2].")
@click.pass_context
def serve(ctx: click.Context, files: tuple[Path, ...], host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the knowledge graph over HTTP under gunicorn (SPARQL endpoint, pages, validation).

    Without FILES it serves the store (--store), building it first if there is none; a store
    that exists is served as it is, never rebuilt (`paradip-kg build` rebuilds it). Given RDF
    files, it serves them instead: built as the data graph with the project's ontology and
    vocabularies (inferred, validated, indexed; violations are reported, not fatal) into a
    temporary store, so their pages work as the bundled graph's do. TriG/N-Quads files are served
    as they are, with their graph names (then only /sparql reads them).
    """
    from paradip_kg.serving import serve as run_server

    values = dict(settings_of(ctx))
    for key, value in (("host", host), ("port", port), ("workers", workers)):
        if value is not None:
            values[key] = value
    if not files:
        ensure_built(ctx)
    try:
        run_server(list(files), values)
    except InputError as exc:
        fail_input(exc)
    except BuildFailed as exc:  # files inconsistent with the ontology
        click.echo(f"serve: {exc.message}", err=True)
        sys.exit(1)


@cli.command("push")
@click.option("--endpoint", help="SPARQL query endpoint of the remote store [env PARADIP_REMOTE_ENDPOINT].")
@click.option("--update-endpoint", help="SPARQL update endpoint (Virtuoso: .../sparql-auth) "
              "[env PARADIP_REMOTE_UPDATE_ENDPOINT; default: --endpoint].")
@click.option("--graph-store", help="Graph Store Protocol endpoint to upload to instead of SPARQL Update "
              "(Virtuoso: .../sparql-graph-crud-auth, about 10x faster) [env PARADIP_REMOTE_GRAPH_STORE].")
@click.option("--user", help="User for Digest or Basic authentication [env PARADIP_REMOTE_USER].")
@click.option("--password", help="Password [env PARADIP_REMOTE_PASSWORD, which keeps it out of the process list].")
@click.pass_context
def push_cmd(ctx: click.Context, endpoint: str | None, update_endpoint: str | None, graph_store: str | None,
             user: str | None, password: str | None) -> None:
    """Load the built graphs into a remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, ...).

    Each named graph of the store (ontology, vocab, data, inferred, shapes) replaces the graph
    of the same IRI in the remote store: loaded in chunks into a staging graph (SPARQL Update
    INSERT DATA, or Graph Store Protocol uploads with --graph-store), then moved into place
    (SPARQL MOVE). Builds first if needed. Exits 1 if the remote store then holds a different
    number of triples in a graph, 2 if it cannot be reached or refuses the load. See
    docs/remote-store.md.
    """
    from paradip_kg.backends.client import RemoteStore
    from paradip_kg.backends.push import push

    values = dict(settings_of(ctx))
    for key, value in (("remote_endpoint", endpoint), ("remote_update_endpoint", update_endpoint),
                       ("remote_graph_store", graph_store), ("remote_user", user), ("remote_password", password)):
        if value is not None:
            values[key] = value
    if not values["remote_endpoint"]:
        raise click.UsageError("give the remote store's endpoint with --endpoint or PARADIP_REMOTE_ENDPOINT")
    store_dir = ensure_built(ctx)
    remote = RemoteStore.from_settings(values, timeout=300.0)
    try:
        result = push(store_dir, remote, progress=progress)
    except ParadipError as exc:
        click.echo(f"push failed: {exc.message}", err=True)
        sys.exit(2)
    for name, count in result.local.items():
        click.echo(f"{name:<10} {count:>8} triples pushed, {result.remote.get(name, 0):>8} in the remote store")
    if not result.ok:
        click.echo("the remote store holds a different number of triples in: "
                   + ", ".join(result.mismatches) + " (see docs/remote-store.md, known differences)", err=True)
        sys.exit(1)
