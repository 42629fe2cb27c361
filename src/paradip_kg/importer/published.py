"""The published tables an agreements table transcribes (column ``source_table``), and the check of a row against one.

A curator may transcribe a table exactly as a source publishes it (a CSV next to the agreements
table, keyed by its first column). A row naming it in ``source_table`` must then agree with it:
its ``source_row`` exists there, its ``source_text`` is the published name cell and its
``date_text`` the published date cell, verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from paradip_kg.errors import CellError
from paradip_kg.importer.columns import read_csv


@dataclass
class PublishedTable:
    """A table as published, keyed by its first column; only read to check transcriptions."""

    cells: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> PublishedTable:
        _header, rows = read_csv(path)
        return cls({row[0].strip(): [cell.strip() for cell in row] for row in rows if row})


class PublishedTables:
    """The published tables read so far (each read once), and the check of a row against its own."""

    def __init__(self) -> None:
        self.tables: dict[Path, PublishedTable] = {}

    def check(self, path: Path, row: dict[str, str], table_row: int) -> None:
        """The row of the agreements table at ``path`` agrees with the published table it names (if any)."""
        if not row["source_table"]:
            return
        if not row["source_text"]:
            raise CellError("source_text", "source_table is given, so the published name cell is required")
        if Path(row["source_table"]).name != row["source_table"]:
            raise CellError("source_table", f"{row['source_table']!r} is not a plain file name: the published "
                            "table must sit next to the agreements table")
        table_path = path.parent / row["source_table"]
        if table_path not in self.tables:
            if not table_path.is_file():
                raise CellError("source_table", f"no published table {table_path}")
            self.tables[table_path] = PublishedTable.read(table_path)
        cells = self.tables[table_path].cells.get(str(table_row))
        if cells is None:
            raise CellError("source_row", f"{row['source_table']} has no row {table_row}")
        if len(cells) < 2 or cells[1] != row["source_text"]:
            published = cells[1] if len(cells) > 1 else ""
            raise CellError("source_text", f"{row['source_text']!r} is not what {row['source_table']} row "
                            f"{table_row} publishes: {published!r}")
        if row["date_text"] and (len(cells) < 3 or cells[2] != row["date_text"]):
            published = cells[2] if len(cells) > 2 else ""
            raise CellError("date_text", f"{row['date_text']!r} is not what {row['source_table']} row "
                            f"{table_row} publishes: {published!r}")
