"""Import tables of agreements (CSV) as RDF, following docs/model.md.

The column format is documented in docs/import-format.md. One row is one agreement of a
Mexican municipality (the "reporting" municipality) with a partner local government:

    CSV row ──check──▶ reference data (data/*.ttl: countries, Mexican states, sources)
            ──check──▶ the published table it transcribes (source_table), if named
            ──map────▶ agreement, partner government, seat locality, territories

A row that cannot be imported raises :class:`ImportRowError` naming the file, the row (as a
spreadsheet numbers it: the header is row 1) and the column; nothing is returned, so an import
is all or nothing. IRIs are deterministic, so importing the same table twice gives the same
triples.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SDO, SKOS, XSD

from paradip_kg import settings as settings_mod
from paradip_kg.errors import CellError, ImportRowError, InputError
from paradip_kg.namespaces import ID, PDO, VOCAB
from paradip_kg.rdf.parse import load_folder

WIKIDATA = "http://www.wikidata.org/entity/"

# name → (required, what it holds). docs/import-format.md explains each one; a test keeps the two in step.
COLUMNS: dict[str, tuple[bool, str]] = {
    "source_row": (True, "row number of the agreement in its source table (positive integer)"),
    "reporting_cvegeo": (True, "INEGI CVEGEO (5 digits) of the municipality whose agreements the table lists"),
    "reporting_name": (True, "short name of that municipality, used in the agreement's label"),
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

SPANISH_MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
# "1985", "desde 1985", "diciembre 1987", "desde diciembre de 1993", "17 de diciembre de 2021"
_SPANISH_DATE = re.compile(r"(?:desde\s+)?(?:(?:el\s+)?(\d{1,2})\s+de\s+)?(?:([a-z]+)\s+(?:(?:de|del)\s+)?)?(\d{4})")
_CVEGEO = re.compile(r"\d{5}")
_LOCALITY = re.compile(r"\d{9}")
_QID = re.compile(r"Q[1-9]\d*")
_ISO2 = re.compile(r"[A-Z]{2}")


def slug(text: str) -> str:
    """Lower-case ASCII key: accents folded, every run of other characters one hyphen."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def _fold(text: str) -> str:
    return " ".join(slug(text).split("-"))


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
    folded = _fold(clean)
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


@dataclass(frozen=True)
class MexicanState:
    iri: URIRef
    label_es: str
    label_en: str
    names: frozenset[str]  # folded labels and alternative labels, to recognise it by name


@dataclass(frozen=True)
class Reference:
    """What an imported row may point to: the shared reference data in data/*.ttl."""

    countries: dict[str, URIRef]
    states: dict[str, MexicanState]  # INEGI CVE_ENT → state
    sources: frozenset[URIRef]
    described: frozenset[URIRef]  # subjects the reference data already types (their labels live there)

    @classmethod
    def load(cls, data_dir: Path) -> Reference:
        """Read countries (ISO code), Mexican states (INEGI code) and source documents from ``data_dir``."""
        if not data_dir.is_dir():
            raise InputError(f"reference data not found: {data_dir} is not a folder "
                             "(it holds the countries, states and sources an agreement table refers to; "
                             "run from the project folder or set PARADIP_PROJECT_DIR)")
        graph = load_folder(data_dir)
        countries = {str(code): iri for iri in graph.subjects(RDF.type, PDO.Country)
                     for code in graph.objects(iri, PDO.isoCountryCode) if isinstance(iri, URIRef)}
        states: dict[str, MexicanState] = {}
        for iri in graph.subjects(RDF.type, PDO.State):
            if not isinstance(iri, URIRef) or not str(iri).startswith(str(ID["state/mx-"])):
                continue
            labels = {lit.language: str(lit) for lit in graph.objects(iri, RDFS.label) if isinstance(lit, Literal)}
            names = [*graph.objects(iri, RDFS.label), *graph.objects(iri, SKOS.altLabel)]
            for code in graph.objects(iri, PDO.inegiCode):
                states[str(code)] = MexicanState(iri, labels.get("es", str(code)), labels.get("en", str(code)),
                                                 frozenset(_fold(str(n)) for n in names))
        sources = frozenset(s for s in graph.subjects(RDF.type, PDO.SourceDocument) if isinstance(s, URIRef))
        described = frozenset(s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef))
        return cls(countries, states, sources, described)


def default_data_dir() -> Path:
    """The data/ folder of the configured project (setting ``project_dir``)."""
    return Path(settings_mod.load()["project_dir"]) / "data"


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
    builder = _Builder(reference)
    builder.add_table(Path(path))
    return builder.graph


def load_tables(directory: Path, data_dir: Path | None = None) -> Graph:
    """Import every agreements table of ``directory`` (data/sources/) into one graph.

    Every CSV file of the folder is an agreements table, except the published tables that those
    tables name in ``source_table`` (they are only read to check the transcription). The
    reference data is ``data_dir``, by default the folder above ``directory`` (data/).
    """
    directory = Path(directory)
    reference = Reference.load(data_dir if data_dir is not None else directory.parent)
    tables: list[Path] = []
    published: set[Path] = set()
    others: dict[Path, list[str]] = {}  # CSV files that are not agreements tables → their header
    for path in sorted(p for p in directory.glob("*.csv") if p.is_file()):
        header, rows = _read_csv(path)
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
    builder = _Builder(reference)
    for path in tables:
        builder.add_table(path)
    return builder.graph


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRowError(str(path), 1, "", f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRowError(str(path), 1, "", f"not a valid CSV file: {exc}") from None
    if not records:
        raise ImportRowError(str(path), 1, "", "the file is empty: it needs a header row")
    return [name.strip() for name in records[0]], records[1:]


def _check_header(path: Path, header: list[str]) -> None:
    for name in header:
        if name not in COLUMNS:
            raise ImportRowError(str(path), 1, name, "unknown column; the columns are listed in docs/import-format.md")
        if header.count(name) > 1:
            raise ImportRowError(str(path), 1, name, "the column appears twice")
    for name in REQUIRED:
        if name not in header:
            raise ImportRowError(str(path), 1, name, "missing required column")


@dataclass
class _PublishedTable:
    """A table as published, keyed by its first column; only read to check transcriptions."""

    cells: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> _PublishedTable:
        _header, rows = _read_csv(path)
        return cls({row[0].strip(): [cell.strip() for cell in row] for row in rows if row})


class _Builder:
    """Accumulates the triples of one or more tables; checks rows against each other too."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.graph = Graph()
        self.agreements: dict[URIRef, str] = {}  # IRI → "file, row n", to report duplicates
        self.labels: dict[tuple[URIRef, str | None], tuple[str, str]] = {}  # (node, lang) → (label, where)
        self.published: dict[Path, _PublishedTable] = {}

    def add_table(self, path: Path) -> None:
        header, records = _read_csv(path)
        _check_header(path, header)
        if not records:
            raise ImportRowError(str(path), 2, "source_row", "the table has no rows")
        seen_rows: dict[str, int] = {}
        for number, record in enumerate(records, start=2):
            if len(record) > len(header):
                raise ImportRowError(str(path), number, "", f"the row has {len(record)} cells, "
                                     f"the header {len(header)} columns")
            row = dict.fromkeys(COLUMNS, "")  # absent optional columns read as empty cells
            row.update((name, record[i].strip() if i < len(record) else "") for i, name in enumerate(header))
            try:
                key = row["source_row"]
                if key in seen_rows:
                    raise CellError("source_row", f"row {seen_rows[key]} already has source_row {key}")
                seen_rows[key] = number
                self._add_row(path, number, row)
            except CellError as exc:
                raise ImportRowError(str(path), number, exc.column, exc.message) from None

    # -- one row ---------------------------------------------------------------------------

    def _add_row(self, path: Path, number: int, row: dict[str, str]) -> None:
        where = f"{path.name}, row {number}"
        for name in REQUIRED:
            if not row[name]:
                raise CellError(name, "required value is empty")
        table_row = _positive_int(row["source_row"], "source_row")
        kind = KINDS.get(row["kind"])
        if kind is None:
            raise CellError("kind", f"unknown kind {row['kind']!r}; use one of {', '.join(KINDS)}")
        start = _date(row["start_date"], "start_date")
        if row["date_text"]:
            written = _date(row["date_text"], "date_text")
            if written != start:
                raise CellError("date_text", f"{row['date_text']!r} means {written}, but start_date is {start}")
        self._check_published(path, row, table_row)
        sources = self._sources(row["source"], "source")
        partner_sources = sources + self._sources(row["partner_sources"], "partner_sources")
        country = self._country(row["partner_country"])

        reporting_code = _cvegeo(row["reporting_cvegeo"], "reporting_cvegeo")
        reporting = self._mexican_government(reporting_code, row["reporting_name"], None, sources, where,
                                             "reporting_cvegeo", "reporting_name")
        if row["partner_country"] == "MX":
            partner, locality = self._mexican_partner(row, partner_sources, where)
        else:
            partner, locality = self._foreign_partner(row, country, partner_sources, where)
        if partner == reporting:
            raise CellError("partner_name", "the partner is the reporting municipality itself")
        if row["partner_locality_wikidata"]:
            self.graph.add((locality, SDO.sameAs, _wikidata(row["partner_locality_wikidata"],
                                                            "partner_locality_wikidata")))

        national = row["partner_country"] == "MX"
        if national and kind.international_only:
            raise CellError("kind", f"kind {row['kind']} is international only, but the partner is in Mexico (MX)")
        agreement = ID[f"agreement/{_key(reporting)}--{_key(partner)}"]
        if agreement in self.agreements:
            raise CellError("partner_name", f"{self.agreements[agreement]} is already the agreement {agreement}")
        self.agreements[agreement] = where
        reporting_name, partner_name = row["reporting_name"], row["partner_name"]
        g = self.graph
        g.add((agreement, RDF.type, kind.cls))
        self._label(agreement, f"{kind.es} {reporting_name} – {partner_name}", "es", where, "partner_name")
        self._label(agreement, f"{reporting_name} – {partner_name} {kind.en}", "en", where, "partner_name")
        g.add((agreement, PDO.scope, VOCAB["scope/national" if national else "scope/international"]))
        g.add((agreement, PDO.hasParty, reporting))
        g.add((agreement, PDO.hasParty, partner))
        g.add((agreement, PDO.startDate, start))
        g.add((agreement, PDO.tableRow, Literal(table_row, datatype=XSD.integer)))
        if row["source_text"]:
            g.add((agreement, PDO.sourceLabel, Literal(row["source_text"], lang="es")))
        agreement_sources = list(sources)
        if row["approval_date"]:
            approval = _date(row["approval_date"], "approval_date")
            if approval.datatype != XSD.date:
                raise CellError("approval_date", f"{row['approval_date']!r} is not a full date (YYYY-MM-DD)")
            if not row["approval_source"]:
                raise CellError("approval_source", "approval_date needs the source that gives it")
            g.add((agreement, PDO.approvalDate, approval))
            agreement_sources += self._sources(row["approval_source"], "approval_source")
        elif row["approval_source"]:
            raise CellError("approval_date", "approval_source is given but approval_date is empty")
        for lang in ("es", "en"):
            if row[f"note_{lang}"]:
                g.add((agreement, SKOS.editorialNote, Literal(row[f"note_{lang}"], lang=lang)))
        self._derived(agreement, agreement_sources)
        if kind.twinning:
            g.add((reporting, PDO.twinnedWith, partner))

    def _check_published(self, path: Path, row: dict[str, str], table_row: int) -> None:
        if not row["source_table"]:
            return
        if not row["source_text"]:
            raise CellError("source_text", "source_table is given, so the published name cell is required")
        if Path(row["source_table"]).name != row["source_table"]:
            raise CellError("source_table", f"{row['source_table']!r} is not a plain file name: the published "
                            "table must sit next to the agreements table")
        table_path = path.parent / row["source_table"]
        if table_path not in self.published:
            if not table_path.is_file():
                raise CellError("source_table", f"no published table {table_path}")
            self.published[table_path] = _PublishedTable.read(table_path)
        cells = self.published[table_path].cells.get(str(table_row))
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

    def _mexican_partner(self, row: dict[str, str], sources: list[URIRef], where: str) -> tuple[URIRef, URIRef]:
        if not row["partner_cvegeo"]:
            raise CellError("partner_cvegeo", "a Mexican partner needs its municipality's INEGI CVEGEO")
        code = _cvegeo(row["partner_cvegeo"], "partner_cvegeo")
        state = self._state(code, "partner_cvegeo")
        if row["partner_admin_area_source"] and not row["partner_admin_area"]:
            raise CellError("partner_admin_area", "partner_admin_area_source is given but partner_admin_area is empty")
        if row["partner_admin_area"] and _fold(row["partner_admin_area"]) not in state.names:
            named = [c for c, s in self.reference.states.items() if _fold(row["partner_admin_area"]) in s.names]
            if not named:
                raise CellError("partner_admin_area", f"{row['partner_admin_area']!r} is not a Mexican state "
                                "of the reference data")
            raise CellError("partner_cvegeo", f"CVEGEO {code} does not start with {named[0]}, the code of "
                            f"{row['partner_admin_area']}")
        if row["partner_admin_area_source"]:
            self.graph.add((state.iri, PDO.sourceLabel, Literal(row["partner_admin_area_source"], lang="es")))
        government = self._mexican_government(code, row["partner_municipality"] or row["partner_name"],
                                              row["partner_municipality_wikidata"], sources, where,
                                              "partner_cvegeo", "partner_municipality")
        if row["partner_locality_inegi"]:
            inegi = row["partner_locality_inegi"]
            if not _LOCALITY.fullmatch(inegi) or not inegi.startswith(code):
                raise CellError("partner_locality_inegi", f"{inegi!r} is not a 9-digit INEGI locality code "
                                f"starting with the municipality's CVEGEO {code}")
            locality = ID[f"locality/mx-{inegi}"]
            self.graph.add((locality, PDO.inegiCode, Literal(inegi)))
        else:
            locality = ID[f"locality/mx-{_slug(row['partner_name'], 'partner_name')}"]
        self._locality(locality, row, ID[f"municipality/mx-{code}"], sources, where)
        self.graph.add((government, PDO.hasSeat, locality))
        return government, locality

    def _mexican_government(self, code: str, name: str, municipality_qid: str | None, sources: list[URIRef],
                            where: str, code_column: str, name_column: str) -> URIRef:
        """The ayuntamiento of municipality ``code``, and the municipality; described unless the reference data does."""
        state = self._state(code, code_column)
        government, municipality = ID[f"government/mx-{code}"], ID[f"municipality/mx-{code}"]
        g = self.graph
        if municipality_qid:
            g.add((municipality, SDO.sameAs, _wikidata(municipality_qid, "partner_municipality_wikidata")))
        if government in self.reference.described:
            return government
        g.add((municipality, RDF.type, PDO.Municipality))
        g.add((municipality, PDO.inegiCode, Literal(code)))
        g.add((municipality, PDO.locatedIn, state.iri))
        self._label(municipality, f"Municipio de {name} ({state.label_es})", "es", where, name_column)
        self._label(municipality, f"Municipality of {name} ({state.label_en})", "en", where, name_column)
        self._derived(municipality, sources)
        g.add((government, RDF.type, PDO.MunicipalGovernment))
        g.add((government, PDO.governs, municipality))
        self._label(government, f"Gobierno municipal de {name} ({state.label_es})", "es", where, name_column)
        self._label(government, f"Municipal government of {name} ({state.label_en})", "en", where, name_column)
        self._derived(government, sources)
        return government

    def _foreign_partner(self, row: dict[str, str], country: URIRef, sources: list[URIRef],
                         where: str) -> tuple[URIRef, URIRef]:
        for column in ("partner_cvegeo", "partner_municipality", "partner_locality_inegi",
                       "partner_municipality_wikidata"):
            if row[column]:
                raise CellError(column, "only Mexican partners (partner_country MX) have INEGI codes and municipalities")
        iso = row["partner_country"].lower()
        key = f"{iso}-{_slug(row['partner_name'], 'partner_name')}"
        place = country
        if row["partner_admin_area"]:
            place = ID[f"state/{iso}-{_slug(row['partner_admin_area'], 'partner_admin_area')}"]
            self.graph.add((place, RDF.type, PDO.State))
            self.graph.add((place, PDO.locatedIn, country))
            for lang in ("es", "en"):
                self._label(place, row["partner_admin_area"], lang, where, "partner_admin_area")
            if row["partner_admin_area_source"]:
                self.graph.add((place, PDO.sourceLabel, Literal(row["partner_admin_area_source"], lang="es")))
            self._derived(place, sources)
        elif row["partner_admin_area_source"]:
            raise CellError("partner_admin_area", "partner_admin_area_source is given but partner_admin_area is empty")
        locality, government = ID[f"locality/{key}"], ID[f"government/{key}"]
        self._locality(locality, row, place, sources, where)
        g = self.graph
        g.add((government, RDF.type, PDO.MunicipalGovernment))
        g.add((government, PDO.hasSeat, locality))
        self._label(government, f"Gobierno municipal de {row['partner_name']}", "es", where, "partner_name")
        self._label(government, f"Municipal government of {row['partner_name']}", "en", where, "partner_name")
        self._derived(government, sources)
        return government, locality

    def _locality(self, locality: URIRef, row: dict[str, str], place: URIRef, sources: list[URIRef],
                  where: str) -> None:
        g = self.graph
        g.add((locality, RDF.type, PDO.Locality))
        g.add((locality, PDO.locatedIn, place))
        for lang in ("es", "en"):
            self._label(locality, row["partner_name"], lang, where, "partner_name")
        if row["partner_name_source"]:
            g.add((locality, PDO.sourceLabel, Literal(row["partner_name_source"], lang="es")))
        self._derived(locality, sources)

    # -- helpers that check one value -------------------------------------------------------

    def _country(self, code: str) -> URIRef:
        if not _ISO2.fullmatch(code):
            raise CellError("partner_country", f"{code!r} is not an ISO 3166-1 alpha-2 code (two upper-case letters)")
        if code not in self.reference.countries:
            raise CellError("partner_country", f"unknown country code {code!r}: the reference data has "
                            f"{', '.join(sorted(self.reference.countries))}")
        return self.reference.countries[code]

    def _state(self, cvegeo: str, column: str) -> MexicanState:
        state = self.reference.states.get(cvegeo[:2])
        if state is None:
            raise CellError(column, f"CVEGEO {cvegeo} starts with {cvegeo[:2]}, which is not the INEGI code of a "
                            "Mexican state in the reference data")
        return state

    def _sources(self, cell: str, column: str) -> list[URIRef]:
        found = []
        for item in (part.strip() for part in cell.split(";")):
            if not item:
                continue
            iri = URIRef(item) if re.match(r"https?://", item) else ID[f"source/{item}"]
            if iri not in self.reference.sources:
                raise CellError(column, f"{item!r} is not a source document of the reference data "
                                "(a key of id/source/..., described in data/sources.ttl)")
            found.append(iri)
        return found

    def _label(self, node: URIRef, text: str, lang: str, where: str, column: str) -> None:
        known = self.labels.get((node, lang))
        if known is not None and known[0] != text:
            raise CellError(column, f"{node} is labelled {known[0]!r}@{lang} by {known[1]}, here {text!r}")
        self.labels[(node, lang)] = (text, known[1] if known else where)
        self.graph.add((node, RDFS.label, Literal(text, lang=lang)))

    def _derived(self, node: URIRef, sources: list[URIRef]) -> None:
        for source in sources:
            self.graph.add((node, PROV.wasDerivedFrom, source))


def _key(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[1]


def _slug(text: str, column: str) -> str:
    key = slug(text)
    if not key:
        raise CellError(column, f"{text!r} gives an empty key: write it in Latin letters")
    return key


def _positive_int(text: str, column: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise CellError(column, f"{text!r} is not a positive integer")
    return int(text)


def _date(text: str, column: str) -> Literal:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CellError(column, str(exc)) from None


def _cvegeo(text: str, column: str) -> str:
    if not _CVEGEO.fullmatch(text):
        raise CellError(column, f"{text!r} is not an INEGI CVEGEO of a municipality (5 digits, e.g. 23005)")
    return text


def _wikidata(qid: str, column: str) -> URIRef:
    if not _QID.fullmatch(qid):
        raise CellError(column, f"{qid!r} is not a Wikidata item id (Q followed by digits)")
    return URIRef(WIKIDATA + qid)
