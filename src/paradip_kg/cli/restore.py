"""`paradip-kg restore`: undo accepted writes from the write journal (:mod:`paradip_kg.writes.journal`)."""

from __future__ import annotations

import sys

import click

from paradip_kg.cli.common import cli, fail_input, store_dir_of
from paradip_kg.errors import InputError, ParadipError


@cli.command()
@click.option("--before", "before", type=int, default=None, metavar="N",
              help="Restore the state before write N (1: the build itself). Default: before the last write.")
@click.option("--list", "listing", is_flag=True, help="List the journal's writes (number, time, agent, counts); "
              "change nothing.")
@click.option("--agent", default="restore (command line)", show_default=True,
              help="Who the restore is recorded as, in the writes log.")
@click.pass_context
def restore(ctx: click.Context, before: int | None, listing: bool, agent: str) -> None:
    """Bring the store back to its state before an accepted write.

    Every accepted write (/update, the Graph Store Protocol) leaves in the write journal,
    beside the store (<store>.journal/), the triples it added and the ones it removed. A
    restore undoes the writes from N to the last one, newest first, as one new write: it is
    inferred over, validated and published like any other (a running server serves it at its
    next request) and recorded in the writes log, so it can itself be undone (`restore` again).
    Exit 0 restored (or nothing to undo with --list), 2 no such write or no journal entry.
    """
    from paradip_kg.store.head import read_head
    from paradip_kg.writes.commit import commit
    from paradip_kg.writes.graphs import HARVESTED_GRAPHS
    from paradip_kg.writes.journal import entries, restore_change

    store_dir = store_dir_of(ctx)
    try:
        head = read_head(store_dir)
    except FileNotFoundError as exc:
        fail_input(InputError(str(exc)))
    if listing:
        found = entries(store_dir, head)
        if not found:
            click.echo(f"no journaled writes: {store_dir} serves its build" if head.sequence == 0 else
                       f"the journal has no entries for the {head.sequence} write(s) the store holds")
        for entry in found:
            h = entry.header
            click.echo(f"{h['sequence']:>6}  {h['at']}  {h['operation']:<20}  +{h['added']} -{h['removed']}  "
                       f"{h['agent']}")
        return
    try:
        target, change = restore_change(store_dir, before)
        result = commit(store_dir, change, agent=agent, operation=f"Restore to before write {target}",
                        also_writes=HARVESTED_GRAPHS)  # a restore may undo a harvest too
    except InputError as exc:
        fail_input(exc)
    except ParadipError as exc:  # the restored state breaks the shapes (422), or the writer is busy
        click.echo(f"restore failed: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"restored the state before write {target}: {result.removed} triple(s) removed, "
               f"{result.added} brought back (write {result.sequence})")
