"""`paradip-kg build` and `paradip-kg export`: make the store, and dumps of it."""

from __future__ import annotations

from pathlib import Path

import click

from paradip_kg.cli.common import cli, ensure_built, run_build, store_dir_of


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
    from paradip_kg.progress import Progress

    manifest, built = run_build(ctx, progress=Progress.to_stderr(), force=force, discard_writes=discard_writes)
    if built:
        click.echo(f"built {store_dir_of(ctx)}: {manifest.total} triples "
                   f"({', '.join(f'{k} {v}' for k, v in manifest.triples.items())})")


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
