"""`paradip-kg harvest wikidata`: Wikidata's P190 twinnings into the graph ``wikidata``, and the reconciliation."""

from __future__ import annotations

import sys

import click

from paradip_kg.cli.common import cli, ensure_built, project_dir_of, settings_of, store_dir_of
from paradip_kg.errors import HarvestFailed, ParadipError


@cli.group()
def harvest() -> None:
    """Harvest external claims into named graphs of their own (docs/wikidata.md)."""


@harvest.command("wikidata")
@click.option("--endpoint", help="SPARQL endpoint [env PARADIP_WIKIDATA_ENDPOINT; default Wikidata's Query Service].")
@click.option("--place", "places", multiple=True, metavar="QID",
              help="A place (Wikidata item, e.g. Q8969) whose twinnings to harvest; repeat for several.")
@click.option("--country", metavar="QID", help="Harvest the twinnings of every place in this country (P17), e.g. Q96.")
@click.option("--all", "everything", is_flag=True, help="Harvest every P190 statement of Wikidata.")
@click.pass_context
def wikidata(ctx: click.Context, endpoint: str | None, places: tuple[str, ...], country: str | None,
             everything: bool) -> None:
    """Fetch P190 statements (with P580/P582 and references) and their places' labels, country, parent
    and coordinates into the graph https://w3id.org/paradip/graph/wikidata, replacing it atomically.

    The store takes it as one accepted write (a running server sees it at its next request) together
    with the recomputed reconciliation; data/harvested/wikidata.nt keeps it for `paradip-kg build`.
    A failed harvest (exit 2) changes nothing.
    """
    from paradip_kg.harvest.client import Client
    from paradip_kg.harvest.commit import publish_harvest
    from paradip_kg.harvest.files import write_harvest
    from paradip_kg.harvest.queries import Selection
    from paradip_kg.harvest.run import harvest as run_harvest
    from paradip_kg.progress import Progress

    if sum((bool(places), bool(country), everything)) != 1:
        raise click.UsageError("give one of --place QID..., --country QID or --all")
    try:
        selection = Selection(tuple(places), country)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    values = settings_of(ctx)
    progress = Progress.to_stderr()
    client = Client(endpoint or values["wikidata_endpoint"], page_size=values["wikidata_page_size"],
                    timeout=values["wikidata_timeout"], retries=values["wikidata_retries"],
                    contact=values["wikidata_contact"], say=progress.say)
    try:
        result = run_harvest(selection, client, progress)
    except HarvestFailed as exc:
        click.echo(f"harvest failed: {exc.message}", err=True)
        sys.exit(2)
    project_dir, store_dir = project_dir_of(ctx), store_dir_of(ctx)
    if not store_dir.exists():  # no store yet: keep the harvest, and build with it
        path = write_harvest(project_dir, result.triples)
        ensure_built(ctx)
        progress.say(f"harvest: {result.statements} statements, {len(result.triples)} triples → {path} and the "
                     f"new store {store_dir}")
        return
    try:
        write, rows = publish_harvest(store_dir, result.triples, timeout=values["write_timeout"])
    except ParadipError as exc:
        click.echo(f"harvest not published: {exc.message}; the store and {project_dir} are unchanged", err=True)
        sys.exit(2 if exc.status < 500 or isinstance(exc, HarvestFailed) else 1)
    path = write_harvest(project_dir, result.triples)
    progress.say(f"harvest: {result.statements} statements, {len(result.triples)} triples in {result.requests} "
                 f"requests; published as write {write.sequence} (+{write.added}/-{write.removed}), "
                 f"{rows} reconciliation rows; kept in {path}")
