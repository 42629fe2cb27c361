"""The dates of an agreements table: ISO forms and Spanish ones as published, at the precision written."""

from __future__ import annotations

import re
from datetime import date

from rdflib import Literal
from rdflib.namespace import XSD

from paradip_kg.errors import CellError
from paradip_kg.importer.columns import fold

SPANISH_MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# "1985", "desde 1985", "diciembre 1987", "desde diciembre de 1993", "17 de diciembre de 2021"
_SPANISH_DATE = re.compile(r"(?:desde\s+)?(?:(?:el\s+)?(\d{1,2})\s+de\s+)?(?:([a-z]+)\s+(?:(?:de|del)\s+)?)?(\d{4})")


def parse_date(text: str) -> Literal:
    """The date at the precision written: xsd:gYear, xsd:gYearMonth or xsd:date.

    Accepts ISO forms (``1985``, ``1987-12``, ``2021-12-17``) and Spanish ones as published
    (``desde diciembre de 1993``, ``17 de diciembre de 2021``). Raises ValueError otherwise.
    """
    clean = " ".join(text.split())
    iso = _ISO_DATE.fullmatch(clean)
    if iso:
        year, month, day = iso.groups()
        return _date_literal(int(year), int(month) if month else None, int(day) if day else None)
    folded = fold(clean)
    spanish = _SPANISH_DATE.fullmatch(folded)
    if not spanish:
        raise ValueError(f"{text!r} is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or e.g. 'diciembre de 1993')")
    day, month_name, year = spanish.groups()
    if month_name is None:
        if day is not None:
            raise ValueError(f"{text!r} has a day but no month")
        return _date_literal(int(year), None, None)
    if month_name not in SPANISH_MONTHS:
        raise ValueError(f"{month_name!r} in {text!r} is not a Spanish month name")
    return _date_literal(int(year), SPANISH_MONTHS[month_name], int(day) if day else None)


def _date_literal(year: int, month: int | None, day: int | None) -> Literal:
    if month is None:
        return Literal(f"{year:04d}", datatype=XSD.gYear)
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not between 1 and 12")
    if day is None:
        return Literal(f"{year:04d}-{month:02d}", datatype=XSD.gYearMonth)
    try:
        return Literal(date(year, month, day).isoformat(), datatype=XSD.date)
    except ValueError as exc:
        raise ValueError(f"{year:04d}-{month:02d}-{day:02d} is not a calendar date ({exc})") from None



def date_cell(text: str, column: str) -> Literal:
    """:func:`parse_date` of a cell (CellError naming the column)."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CellError(column, str(exc)) from None
