"""Import tables of agreements (CSV) as RDF: one table (:func:`import_table`), or a folder's (:func:`load_tables`).

The column format is documented in docs/import-format.md (:mod:`paradip_kg.importer.columns`).
One row is one agreement of a Mexican municipality (the "reporting" municipality) with a partner
local government:

    CSV row ──check──▶ reference data (data/*.ttl: countries, Mexican states, sources)     reference
            ──check──▶ the published table it transcribes (source_table), if named          published
            ──map────▶ agreement, partner government, seat locality, territories            mapping

A row that cannot be imported raises :class:`~paradip_kg.errors.ImportRowError` naming the file,
the row (as a spreadsheet numbers it: the header is row 1) and the column; nothing is returned, so
an import is all or nothing. IRIs are deterministic, so importing the same table twice gives the
same triples.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from paradip_kg.errors import ImportRowError
from paradip_kg.importer.columns import REQUIRED, read_csv
from paradip_kg.importer.mapping import TableMapper
from paradip_kg.importer.reference import Reference, default_data_dir


def import_table(path: Path, data_dir: Path | None = None) -> Graph:
    """Map one agreements table (docs/import-format.md) to RDF.

    Args:
        path: the CSV file.
        data_dir: the folder of reference data (countries, states, sources); by default the
            configured project's ``data/``.

    Raises:
        ImportRowError: a row cannot be imported (file, row and column named); nothing is returned.
        InputError: the reference data cannot be found.
    """
    reference = Reference.load(data_dir if data_dir is not None else default_data_dir())
    builder = TableMapper(reference)
    builder.add_table(Path(path))
    return builder.graph


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
    for path in tables:
        builder.add_table(path)
    return builder.graph

