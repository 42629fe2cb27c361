"""The columns of an agreements table (docs/import-format.md), reading one, and the checks of one cell.

:data:`COLUMNS` is the format: each column's name, whether it is required, and what it holds
(docs/import-format.md explains each one; a test keeps the two in step). :func:`read_csv` and
:func:`check_header` read a table and check its header; the functions below them check one cell
and raise :class:`~paradip_kg.errors.CellError` naming the column, which the importer turns into
an :class:`~paradip_kg.errors.ImportRowError` with the file and row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from paradip_kg.errors import CellError, ImportRowError
from paradip_kg.namespaces import PDO

WIKIDATA = "http://www.wikidata.org/entity/"

# name → (required, what it holds). docs/import-format.md explains each one; a test keeps the two in step.
COLUMNS: dict[str, tuple[bool, str]] = {
    "source_row": (True, "row number of the agreement in its source table (positive integer)"),
    "reporting_cvegeo": (False, "INEGI CVEGEO (5 digits) of the Mexican municipality whose agreements the table "
                                "lists (required when reporting_country is MX or empty)"),
    "reporting_name": (True, "short name of the reporting municipality or city, used in the agreement's label"),
    "reporting_country": (False, "ISO 3166-1 alpha-2 code of the reporting government's country (default MX)"),
    "reporting_admin_area": (False, "state or province of a reporting city outside Mexico (normalised)"),
    "reporting_locality_wikidata": (False, "Wikidata QID of a reporting city outside Mexico, if verified"),
    "reporting_sources": (False, "key(s) of the sources of the reporting city's names, province and link, "
                                 "separated by ';'"),
    "kind": (True, "kind of agreement: " + ", ".join(("hermanamiento", "cooperacion-descentralizada",
                                                      "acuerdo-interinstitucional", "acuerdo"))),
    "partner_name": (True, "the partner city (normalised spelling)"),
    "partner_country": (True, "ISO 3166-1 alpha-2 code of the partner's country"),
    "start_date": (True, "start as precise as the source: YYYY, YYYY-MM, YYYY-MM-DD or Spanish ('diciembre de 1993')"),
    "source": (True, "key(s) of the source document(s) of the row, separated by ';'"),
    "source_table": (False, "file name of the published table this row transcribes, next to this CSV"),
    "source_text": (False, "the published name cell, verbatim (required with source_table)"),
    "date_text": (False, "the published date cell, verbatim; must mean start_date"),
    "partner_name_source": (False, "the partner's name as published, where partner_name corrects it"),
    "partner_admin_area": (False, "state or province of the partner (normalised)"),
    "partner_admin_area_source": (False, "the state or province as published, where partner_admin_area corrects it"),
    "partner_cvegeo": (False, "INEGI CVEGEO (5 digits) of a Mexican partner's municipality (required for MX)"),
    "partner_municipality": (False, "INEGI name of that municipality (default: partner_name)"),
    "partner_locality_inegi": (False, "INEGI locality code (9 digits) of a Mexican partner city, if verified"),
    "partner_locality_wikidata": (False, "Wikidata QID of the partner city, if verified"),
    "partner_municipality_wikidata": (False, "Wikidata QID of a Mexican partner's municipality, if verified"),
    "partner_sources": (False, "key(s) of the sources of the partner's names, codes and links, separated by ';'"),
    "partner_place_sources": (False, "key(s) of the sources that place the partner in partner_admin_area "
                                     "(on the province or state only)"),
    "partner_code_sources": (False, "key(s) of the sources of the partner's INEGI codes (on the municipality "
                                    "and a coded city only)"),
    "partner_link_sources": (False, "key(s) of the sources of the partner's Wikidata QIDs (on the node that "
                                    "carries each link only)"),
    "approval_date": (False, "date (YYYY-MM-DD) the cabildo approved the agreement, if verified"),
    "approval_source": (False, "key(s) of the source(s) of approval_date (required with it)"),
    "note_es": (False, "editorial note in Spanish"),
    "note_en": (False, "editorial note in English"),
}
REQUIRED = tuple(name for name, (required, _) in COLUMNS.items() if required)


@dataclass(frozen=True)
class Kind:
    cls: URIRef
    es: str
    en: str
    twinning: bool = False
    international_only: bool = False


KINDS = {
    "hermanamiento": Kind(PDO.SisterCityAgreement, "Hermanamiento", "twinning", twinning=True),
    "cooperacion-descentralizada": Kind(PDO.DecentralizedCooperationAgreement,
                                        "Acuerdo de cooperación descentralizada",
                                        "decentralized cooperation agreement", international_only=True),
    "acuerdo-interinstitucional": Kind(PDO.InterinstitutionalAgreement, "Acuerdo interinstitucional",
                                       "interinstitutional agreement", international_only=True),
    "acuerdo": Kind(PDO.Agreement, "Acuerdo", "agreement"),
}

CVEGEO = re.compile(r"\d{5}")
LOCALITY = re.compile(r"\d{9}")
QID = re.compile(r"Q[1-9]\d*")
ISO2 = re.compile(r"[A-Z]{2}")


def slug(text: str) -> str:
    """Lower-case ASCII key: accents folded, every run of other characters one hyphen."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def fold(text: str) -> str:
    """Words to compare names by: lower-case ASCII, single spaces (``"Quintana Roo"`` → ``"quintana roo"``)."""
    return " ".join(slug(text).split("-"))


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRowError(str(path), 1, "",
                             f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRowError(str(path), 1, "", f"not a valid CSV file: {exc}") from None
    if not records:
        raise ImportRowError(str(path), 1, "", "the file is empty: it needs a header row")
    return [name.strip() for name in records[0]], records[1:]


def header_errors(path: Path, header: list[str]) -> list[ImportRowError]:
    """Every problem of a header row: unknown, repeated and missing required columns."""
    errors = []
    for index, name in enumerate(header):
        if name not in COLUMNS:
            errors.append(ImportRowError(str(path), 1, name, "unknown column; the columns are listed in "
                                         "docs/import-format.md"))
        elif name in header[:index]:
            errors.append(ImportRowError(str(path), 1, name, "the column appears twice"))
    errors += [ImportRowError(str(path), 1, name, "missing required column") for name in REQUIRED if name not in header]
    return errors


# --- One cell ----------------------------------------------------------------------------------


def key_slug(text: str, column: str) -> str:
    """:func:`slug` of a cell, for an IRI; never empty."""
    key = slug(text)
    if not key:
        raise CellError(column, f"{text!r} gives an empty key: write it in Latin letters")
    return key


def positive_int(text: str, column: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise CellError(column, f"{text!r} is not a positive integer")
    return int(text)


def cvegeo(text: str, column: str) -> str:
    if not CVEGEO.fullmatch(text):
        raise CellError(column, f"{text!r} is not an INEGI CVEGEO of a municipality (5 digits, e.g. 23005)")
    return text


def wikidata(qid: str, column: str) -> URIRef:
    if not QID.fullmatch(qid):
        raise CellError(column, f"{qid!r} is not a Wikidata item id (Q followed by digits)")
    return URIRef(WIKIDATA + qid)
