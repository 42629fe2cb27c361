"""Import tables of agreements (CSV) as RDF: one table (:func:`import_table`), or a folder's (:func:`load_tables`).

The column format is documented in docs/import-format.md (:mod:`paradip_kg.importer.columns`).
One row is one agreement of a local government anywhere (the "reporting" one) with a partner
local government:

    CSV row ──check──▶ reference data (data/*.ttl: countries, Mexican states, sources)     reference
            ──check──▶ the published table it transcribes (source_table), if named          published
            ──map────▶ agreement, partner government, seat locality, territories            mapping

Every row that cannot be imported is reported at once, in one
:class:`~paradip_kg.errors.ImportTableError` that lists each bad row with the file, the row (as a
spreadsheet numbers it: the header is row 1) and the column; nothing is returned, so an import is
all or nothing. IRIs are deterministic, so importing the same table twice gives the
same triples.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from paradip_kg.errors import ImportRowError, ImportTableError
from paradip_kg.importer.columns import REQUIRED, read_csv
from paradip_kg.importer.mapping import TableMapper
from paradip_kg.importer.reference import Reference, default_data_dir


def import_table(path: Path, data_dir: Path | None = None, *, with_reference: bool = False) -> Graph:
    """Map one agreements table (docs/import-format.md) to RDF.

    Args:
        path: the CSV file.
        data_dir: the folder of reference data (countries, states, sources); by default the
            configured project's ``data/``.
        with_reference: add what the reference data says of the things the table points to (its
            sources, countries, states, and what those point to in turn), so that the output
            validates on its own (``paradip-kg validate``).

    Raises:
        ImportTableError: rows cannot be imported (each with file, row and column); nothing is returned.
        InputError: the reference data cannot be found.
    """
    reference = Reference.load(data_dir if data_dir is not None else default_data_dir())
    builder = TableMapper(reference)
    builder.add_table(Path(path))
    if with_reference and reference.graph is not None:
        return builder.graph + referenced(builder.graph, reference.graph)
    return builder.graph


def referenced(graph: Graph, reference: Graph) -> Graph:
    """The triples of ``reference`` about the IRIs ``graph`` points to, and about what those point to."""
    out = Graph()
    seen: set[URIRef] = set()
    todo = [o for o in {*graph.objects(), *graph.subjects()} if isinstance(o, URIRef)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in reference.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, URIRef) and o not in seen:
                todo.append(o)
    return out


def load_tables(directory: Path, data_dir: Path | None = None, reference: Reference | None = None) -> Graph:
    """Import every agreements table of ``directory`` (data/sources/) into one graph.

    Every CSV file of the folder is an agreements table, except the published tables that those
    tables name in ``source_table`` (they are only read to check the transcription). The
    reference data is ``reference``, or read from ``data_dir``, by default the folder above
    ``directory`` (data/).
    """
    directory = Path(directory)
    if reference is None:
        reference = Reference.load(data_dir if data_dir is not None else directory.parent)
    tables: list[Path] = []
    published: set[Path] = set()
    others: dict[Path, list[str]] = {}  # CSV files that are not agreements tables → their header
    for path in sorted(p for p in directory.glob("*.csv") if p.is_file()):
        header, rows = read_csv(path)
        if not set(REQUIRED) <= set(header):
            others[path] = header
            continue
        tables.append(path)
        if "source_table" in header:
            column = header.index("source_table")
            published |= {(path.parent / row[column].strip()).resolve()
                          for row in rows if len(row) > column and row[column].strip()}
    for path, header in others.items():
        if path.resolve() not in published:
            missing = next(name for name in REQUIRED if name not in header)
            raise ImportRowError(str(path), 1, missing, "missing required column: the file is not an agreements "
                                 "table (docs/import-format.md), and no table names it in source_table")
    builder = TableMapper(reference)
    errors: list[ImportRowError] = []
    for path in tables:
        try:
            builder.add_table(path)
        except ImportTableError as exc:  # report the bad rows of every table, then stop
            errors += exc.errors
    if errors:
        raise ImportTableError(errors)
    return builder.graph

