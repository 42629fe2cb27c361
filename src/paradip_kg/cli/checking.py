"""`paradip-kg validate` and `paradip-kg import`: check files against the shapes, map tables to RDF."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from paradip_kg.cli.common import cli, error_json, fail_input, project_dir_of
from paradip_kg.errors import InputError
from paradip_kg.rdf.formats import RDF_FORMATS


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", help=f"RDF format of the files ({', '.join(f.name for f in RDF_FORMATS)}; "
              "short names such as ttl, nt or json-ld work too); default: from each file's extension.")
@click.option("--shapes", "shapes_files", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Shapes file(s) to use instead of the project's shapes/ (repeatable).")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl"]), default="none", show_default=True,
              help="Entailment to apply first, with the project ontology mixed in.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default=None,
              help="The least severe result that makes the data fail (exit 1): violation, warning or info; "
                   "a custom severity fails at every level [default: warning, as the build].")
@click.option("--allow-warnings", is_flag=True,
              help="Warnings (and infos) do not make the data fail: --fail-on violation.")
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
             inference: str, fail_on: str | None, allow_warnings: bool, lang: str, focus: tuple[str, ...],
             shape_iris: tuple[str, ...], output: str, context: bool) -> None:
    """Validate RDF files against the project's SHACL shapes (or --shapes).

    Exit codes: 0 the data passes (no result at the --fail-on level or above), 1 it does not,
    2 a file cannot be read (the message names the file, line and column) or the shapes cannot
    be used; with -o json the error is JSON on standard output too. The report's sh:conforms is
    SHACL's: true only when there is no result at all.
    """
    from paradip_kg.shacl.local import run_validation

    if allow_warnings and fail_on not in (None, "violation"):
        raise click.UsageError(f"--allow-warnings means --fail-on violation; it cannot go with --fail-on {fail_on}")
    try:
        text, passes = run_validation(list(files), fmt=fmt, shapes_files=list(shapes_files),
                                        project_dir=project_dir_of(ctx), inference=inference,
                                        allow_warnings=allow_warnings, lang=lang, focus=list(focus),
                                        shape_iris=list(shape_iris), output=output, context=context,
                                        fail_on=fail_on)
    except InputError as exc:
        if output == "json":  # a script reading JSON gets JSON, errors too (the web's error shape)
            click.echo(json.dumps(error_json(exc), indent=2, ensure_ascii=False))
            sys.exit(2)
        fail_input(exc)
    click.echo(text, nl=not text.endswith("\n"))
    sys.exit(0 if passes else 1)


@cli.command("import")
@click.argument("table", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the Turtle here instead of standard output.")
@click.option("--no-reference", is_flag=True,
              help="Leave out what the reference data (data/*.ttl) says of the sources, countries and states "
                   "the table points to; without them the output does not validate on its own.")
def import_cmd(table: Path, output: Path | None, no_reference: bool) -> None:
    """Map an agreements table (CSV, see docs/import-format.md) to RDF (Turtle).

    Every bad row is reported at once, each with the file, row and column; exit 2, and nothing is
    written. The output includes the reference data it points to, so `paradip-kg validate` of it
    passes on its own. Put the CSV in data/sources/ to have `build` import it into the knowledge graph.
    """
    from paradip_kg.importer.table import import_table
    from paradip_kg.rdf.serialize import turtle

    try:
        graph = import_table(table, with_reference=not no_reference)
    except InputError as exc:
        fail_input(exc)
    text = turtle(graph)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(graph)} triples to {output}", err=True)
    else:
        click.echo(text, nl=False)
