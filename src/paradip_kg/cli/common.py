"""What every command shares: the `paradip-kg` group, its settings, and building the store when needed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from paradip_kg import __version__
from paradip_kg import settings as settings_mod
from paradip_kg.errors import InputError, RdfSyntaxError


def settings_of(ctx: click.Context) -> dict[str, Any]:
    return ctx.obj["settings"]


def progress(message: str) -> None:
    click.echo(message, err=True)


def error_json(exc: InputError) -> dict[str, object]:
    """An input error as JSON: the web's error shape, with the source, line and column it names."""
    body: dict[str, object] = {"error": exc.title, "message": exc.message, "status": exc.status}
    if isinstance(exc, RdfSyntaxError):
        body.update(source=exc.source, line=exc.line, column=exc.column)
    return body


def fail_input(exc: InputError) -> NoReturn:
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


def store_dir_of(ctx: click.Context) -> Path:
    return Path(settings_of(ctx)["store"])


def project_dir_of(ctx: click.Context) -> Path:
    return Path(settings_of(ctx)["project_dir"])


BACKEND_OPTION = click.option(
    "--backend", type=click.Choice(settings_mod.BACKENDS), default=None,
    help="Read the embedded store (oxigraph), an in-memory one filled from the project's files (memory) "
         "or the remote SPARQL store of the remote_* settings (remote) [env PARADIP_BACKEND; default oxigraph].")


def backend_store(ctx: click.Context, backend: str | None) -> Any:
    """The Store-like object of ``--backend`` / PARADIP_BACKEND; None for the embedded store,
    which the command builds first if needed and reads itself (with its build manifest)."""
    from paradip_kg.backends.configured import make_backend

    values = dict(settings_of(ctx))
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
    from paradip_kg.build import is_current

    store_dir = store_dir_of(ctx)
    if store_dir.exists():
        if not quiet and not is_current(project_dir_of(ctx), store_dir):
            click.echo(f"note: the store {store_dir} is not what the files of {project_dir_of(ctx)} would build "
                       "(other files, or another version of paradip-kg); using it as it is. "
                       "`paradip-kg build` rebuilds it from the files.", err=True)
        return store_dir
    run_build(ctx, progress=None if quiet else progress)
    return store_dir


def run_build(ctx: click.Context, **options: Any) -> tuple[Any, bool]:
    """`build` with the settings of ``ctx`` and ``options``; (manifest, built). A graph that fails
    validation exits 1 with the report's first results, bad input exits 2."""
    from paradip_kg.build import build
    from paradip_kg.errors import BuildFailed

    try:
        return build(project_dir_of(ctx), store_dir_of(ctx), inference=settings_of(ctx)["inference_engine"], **options)
    except BuildFailed as exc:
        click.echo(f"build failed: {exc.message}", err=True)
        if exc.report is not None:
            click.echo(exc.report.text("en", limit=50), err=True)
        sys.exit(1)
    except InputError as exc:
        fail_input(exc)

