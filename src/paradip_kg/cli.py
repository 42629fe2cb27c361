"""The `paradip-kg` command line: build, stats, query, validate, import, export, serve.

Exit codes: 0 success (or: the data conforms), 1 the data does not conform / the build
failed validation, 2 bad input (unreadable file, malformed query, bad table row).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from paradip_kg import __version__
from paradip_kg import settings as settings_mod
from paradip_kg.errors import InputError, ParadipError, RdfSyntaxError
from paradip_kg.rdf.formats import RDF_FORMATS


def _settings(ctx: click.Context) -> dict[str, Any]:
    return ctx.obj["settings"]


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _error_json(exc: InputError) -> dict[str, object]:
    """An input error as JSON: the web's error shape, with the source, line and column it names."""
    body: dict[str, object] = {"error": exc.title, "message": exc.message, "status": exc.status}
    if isinstance(exc, RdfSyntaxError):
        body.update(source=exc.source, line=exc.line, column=exc.column)
    return body


def _fail_input(exc: InputError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="paradip-kg")
@click.option("--store", type=click.Path(path_type=Path), help="Store folder [env PARADIP_STORE; default var/store].")
@click.option("--project-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder with ontology/, vocab/, data/, shapes/ [env PARADIP_PROJECT_DIR; default .].")
@click.pass_context
def cli(ctx: click.Context, store: Path | None, project_dir: Path | None) -> None:
    """paradip-kg: build, query, validate and publish the paradiplomacy knowledge graph.

    Start with `paradip-kg build`, then `paradip-kg stats`, `paradip-kg query` or `paradip-kg serve`.
    Every setting also has an environment variable (PARADIP_...); see docs/settings.md.
    """
    values = settings_mod.load({"store": str(store) if store else None,
                                "project_dir": str(project_dir) if project_dir else None})
    ctx.obj = {"settings": values}


def _store_dir(ctx: click.Context) -> Path:
    return Path(_settings(ctx)["store"])


def _project_dir(ctx: click.Context) -> Path:
    return Path(_settings(ctx)["project_dir"])


BACKEND_OPTION = click.option(
    "--backend", type=click.Choice(settings_mod.BACKENDS), default=None,
    help="Read the embedded store (oxigraph), an in-memory one filled from the project's files (memory) "
         "or the remote SPARQL store of the remote_* settings (remote) [env PARADIP_BACKEND; default oxigraph].")


def _backend_store(ctx: click.Context, backend: str | None) -> Any:
    """The Store-like object of ``--backend`` / PARADIP_BACKEND; None for the embedded store,
    which the command builds first if needed and reads itself (with its build manifest)."""
    from paradip_kg.backends.configured import make_backend

    values = dict(_settings(ctx))
    if backend:
        values["backend"] = backend
    if values["backend"] == "oxigraph":
        return None
    if values["backend"] == "remote" and not values["remote_endpoint"]:
        raise click.UsageError("the remote backend needs remote_endpoint (PARADIP_REMOTE_ENDPOINT)")
    return make_backend(values).store()


def ensure_built(ctx: click.Context, quiet: bool = False) -> Path:
    """Build the store if there is none; return its folder.

    A store that exists is never rebuilt here, only by `paradip-kg build`: it may hold another
    project's graph (a world-sized one, say) or accepted writes, and a rebuild from this folder's
    files would replace it. When it is not what the files here would build, say so in one line.
    """
    from paradip_kg.build import build, is_current
    from paradip_kg.errors import BuildFailed

    store_dir = _store_dir(ctx)
    if store_dir.exists():
        if not quiet and not is_current(_project_dir(ctx), store_dir):
            click.echo(f"note: the store {store_dir} is not what the files of {_project_dir(ctx)} would build "
                       "(other files, or another version of paradip-kg); using it as it is. "
                       "`paradip-kg build` rebuilds it from the files.", err=True)
        return store_dir
    try:
        build(_project_dir(ctx), store_dir, progress=None if quiet else _progress,
              inference=_settings(ctx)["inference_engine"])
    except BuildFailed as exc:
        click.echo(f"build failed: {exc.message}", err=True)
        if exc.report is not None:
            click.echo(exc.report.text("en", limit=50), err=True)
        sys.exit(1)
    except InputError as exc:
        _fail_input(exc)
    return store_dir


@cli.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs have not changed.")
@click.option("--discard-writes", is_flag=True,
              help="Rebuild a store that took writes (/update, Graph Store), dropping them.")
@click.pass_context
def build_cmd(ctx: click.Context, force: bool, discard_writes: bool) -> None:
    """Load, infer (OWL RL), validate (SHACL) and store the knowledge graph.

    Reads ontology/, vocab/, data/ (with the agreement tables in data/sources/) and shapes/,
    writes the embedded Oxigraph store and a manifest beside it. Each stage prints a line with
    its count and rate on standard error (live counts too, on a terminal). Exits 1 with the SHACL
    report when the graph has violations; a build of unchanged inputs does nothing. The setting
    inference_engine (PARADIP_INFERENCE_ENGINE) picks the compiled rules (default) or owlrl.
    """
    from paradip_kg.build import build
    from paradip_kg.errors import BuildFailed
    from paradip_kg.progress import Progress

    try:
        manifest, built = build(_project_dir(ctx), _store_dir(ctx), progress=Progress.to_stderr(), force=force,
                                discard_writes=discard_writes, inference=_settings(ctx)["inference_engine"])
    except BuildFailed as exc:
        click.echo(f"build failed: {exc.message}", err=True)
        if exc.report is not None:
            click.echo(exc.report.text("en", limit=50), err=True)
        sys.exit(1)
    except InputError as exc:
        _fail_input(exc)
    if built:
        click.echo(f"built {_store_dir(ctx)}: {manifest.total} triples "
                   f"({', '.join(f'{k} {v}' for k, v in manifest.triples.items())})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@BACKEND_OPTION
@click.pass_context
def stats(ctx: click.Context, as_json: bool, backend: str | None) -> None:
    """Figures of the built knowledge graph: triples per graph, agreements, actors, sources."""
    from paradip_kg.publish.stats import collect

    store = _backend_store(ctx, backend)
    figures = collect(ensure_built(ctx, quiet=as_json) if store is None else _store_dir(ctx), store)
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
    store = _backend_store(ctx, backend)
    try:
        result = run_local(ensure_built(ctx, quiet=True), text) if store is None else run_on_store(store, text)
    except InputError as exc:
        _fail_input(exc)
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


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", help=f"RDF format of the files ({', '.join(f.name for f in RDF_FORMATS)}; "
              "short names such as ttl, nt or json-ld work too); default: from each file's extension.")
@click.option("--shapes", "shapes_files", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Shapes file(s) to use instead of the project's shapes/ (repeatable).")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl"]), default="none", show_default=True,
              help="Entailment to apply first, with the project ontology mixed in.")
@click.option("--allow-warnings", is_flag=True, help="Warnings (and infos) do not make the data fail.")
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True,
              help="Language of messages and shape names.")
@click.option("--focus", multiple=True, help="Validate only this focus node IRI (repeatable).")
@click.option("--shape", "shape_iris", multiple=True, help="Use only this shape IRI (repeatable).")
@click.option("-o", "--output", type=click.Choice(["text", "table", "turtle", "jsonld", "json", "csv"]),
              default="text", show_default=True, help="Report format.")
@click.option("--context/--no-context", default=True, show_default=True,
              help="Mix the project's ontology and vocabularies into the data (with the project's shapes).")
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], fmt: str | None, shapes_files: tuple[Path, ...],
             inference: str, allow_warnings: bool, lang: str, focus: tuple[str, ...], shape_iris: tuple[str, ...],
             output: str, context: bool) -> None:
    """Validate RDF files against the project's SHACL shapes (or --shapes).

    Exit codes: 0 the data conforms, 1 it does not, 2 a file cannot be read (the message
    names the file, line and column) or the shapes cannot be used; with -o json the error is
    JSON on standard output too.
    """
    from paradip_kg.shacl.local import run_validation

    try:
        text, conforms = run_validation(list(files), fmt=fmt, shapes_files=list(shapes_files),
                                        project_dir=_project_dir(ctx), inference=inference,
                                        allow_warnings=allow_warnings, lang=lang, focus=list(focus),
                                        shape_iris=list(shape_iris), output=output, context=context)
    except InputError as exc:
        if output == "json":  # a script reading JSON gets JSON, errors too (the web's error shape)
            click.echo(json.dumps(_error_json(exc), indent=2, ensure_ascii=False))
            sys.exit(2)
        _fail_input(exc)
    click.echo(text, nl=not text.endswith("\n"))
    sys.exit(0 if conforms else 1)


@cli.command("import")
@click.argument("table", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the Turtle here instead of standard output.")
def import_cmd(table: Path, output: Path | None) -> None:
    """Map an agreements table (CSV, see docs/import-format.md) to RDF (Turtle).

    A bad row fails with the file, row and column, exit 2, and nothing is written.
    Put the CSV in data/sources/ to have `build` import it into the knowledge graph.
    """
    from paradip_kg.importer.table import import_table
    from paradip_kg.rdf.serialize import turtle

    try:
        graph = import_table(table)
    except InputError as exc:
        _fail_input(exc)
    text = turtle(graph)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(graph)} triples to {output}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("-o", "--out-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("var/dumps"),
              show_default=True, help="Folder to write the dumps into.")
@click.pass_context
def export(ctx: click.Context, out_dir: Path) -> None:
    """Write deterministic dumps of the built store: N-Quads (gzip) of all graphs, and
    Turtle and JSON-LD per graph, with SHA-256 checksums."""
    from paradip_kg.publish.dumps import write_dumps

    store_dir = ensure_built(ctx)
    for path in write_dumps(store_dir, out_dir):
        click.echo(str(path))


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
    files, it serves them instead (TriG/N-Quads keep their graph names).
    """
    from paradip_kg.serving import serve as run_server

    values = dict(_settings(ctx))
    for key, value in (("host", host), ("port", port), ("workers", workers)):
        if value is not None:
            values[key] = value
    if not files:
        ensure_built(ctx)
    try:
        run_server(list(files), values)
    except InputError as exc:
        _fail_input(exc)


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

    values = dict(_settings(ctx))
    for key, value in (("remote_endpoint", endpoint), ("remote_update_endpoint", update_endpoint),
                       ("remote_graph_store", graph_store), ("remote_user", user), ("remote_password", password)):
        if value is not None:
            values[key] = value
    if not values["remote_endpoint"]:
        raise click.UsageError("give the remote store's endpoint with --endpoint or PARADIP_REMOTE_ENDPOINT")
    store_dir = ensure_built(ctx)
    remote = RemoteStore.from_settings(values, timeout=300.0)
    try:
        result = push(store_dir, remote, progress=_progress)
    except ParadipError as exc:
        click.echo(f"push failed: {exc.message}", err=True)
        sys.exit(2)
    for name, count in result.local.items():
        click.echo(f"{name:<10} {count:>8} triples pushed, {result.remote.get(name, 0):>8} in the remote store")
    if not result.ok:
        click.echo("the remote store holds a different number of triples in: "
                   + ", ".join(result.mismatches) + " (see docs/remote-store.md, known differences)", err=True)
        sys.exit(1)


def main() -> None:
    try:
        cli(prog_name="paradip-kg")
    except ParadipError as exc:  # a bug of ours, or an environment problem
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)

