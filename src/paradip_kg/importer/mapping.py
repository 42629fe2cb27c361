"""Rows of an agreements table → triples, following docs/model.md.

One row is one agreement of a local government (the "reporting" one: a Mexican municipality by
its INEGI code, or a city anywhere by its country and name) with a partner local government.
:class:`TableMapper` checks each row (its cells, the reference data, the published table it
transcribes) and adds the agreement, the partner government, its seat locality and the
territories. It checks rows against each other too: an agreement twice, or two labels for one
node, is an error. IRIs are deterministic, so mapping the same table twice gives
the same triples.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SDO, SKOS, XSD

from paradip_kg.errors import CellError, ImportRowError, ImportTableError
from paradip_kg.importer.columns import (
    COLUMNS,
    ISO2,
    KINDS,
    LOCALITY,
    REQUIRED,
    cvegeo,
    fold,
    header_errors,
    key_slug,
    positive_int,
    read_csv,
    wikidata,
)
from paradip_kg.importer.dates import date_cell
from paradip_kg.importer.published import PublishedTables
from paradip_kg.importer.reference import MexicanState, Reference
from paradip_kg.namespaces import ID, PDO, VOCAB


class TableMapper:
    """Accumulates the triples of one or more tables; checks rows against each other too."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.graph = Graph()
        self.agreements: dict[URIRef, str] = {}  # IRI → "file, row n", to report duplicates
        self.labels: dict[tuple[URIRef, str | None], tuple[str, str]] = {}  # (node, lang) → (label, where)
        self.published = PublishedTables()
        self.statement_sources: dict[str, list[URIRef]] = {}  # the current row's, per kind of partner statement

    def add_table(self, path: Path) -> None:
        """Map every row of the table at ``path``; every bad row is reported at once.

        Raises:
            ImportTableError: one or more rows (or the header) are bad; each names its row and column.
        """
        header, records = read_csv(path)
        errors = header_errors(path, header)
        if errors:
            raise ImportTableError(errors)
        if not records:
            raise ImportTableError([ImportRowError(str(path), 2, "source_row", "the table has no rows")])
        seen_rows: dict[str, int] = {}
        for number, record in enumerate(records, start=2):
            if len(record) > len(header):
                errors.append(ImportRowError(str(path), number, "", f"the row has {len(record)} cells, "
                                             f"the header {len(header)} columns"))
                continue
            row = dict.fromkeys(COLUMNS, "")  # absent optional columns read as empty cells
            row.update((name, record[i].strip() if i < len(record) else "") for i, name in enumerate(header))
            try:
                key = row["source_row"]
                if key in seen_rows:
                    raise CellError("source_row", f"row {seen_rows[key]} already has source_row {key}")
                seen_rows[key] = number
                self._add_row(path, number, row)
            except CellError as exc:
                errors.append(ImportRowError(str(path), number, exc.column, exc.message))
        if errors:
            raise ImportTableError(errors)

    # -- one row ---------------------------------------------------------------------------

    def _add_row(self, path: Path, number: int, row: dict[str, str]) -> None:
        where = f"{path.name}, row {number}"
        for name in REQUIRED:
            if not row[name]:
                raise CellError(name, "required value is empty")
        table_row = positive_int(row["source_row"], "source_row")
        kind = KINDS.get(row["kind"])
        if kind is None:
            raise CellError("kind", f"unknown kind {row['kind']!r}; use one of {', '.join(KINDS)}")
        start = date_cell(row["start_date"], "start_date")
        if row["date_text"]:
            written = date_cell(row["date_text"], "date_text")
            if written != start:
                raise CellError("date_text", f"{row['date_text']!r} means {written}, but start_date is {start}")
        self.published.check(path, row, table_row)
        sources = self._sources(row["source"], "source")
        partner_sources = sources + self._sources(row["partner_sources"], "partner_sources")
        # Sources of one kind of partner statement each: they go on the node that carries it only.
        self.statement_sources = {kind: self._sources(row[f"partner_{kind}_sources"], f"partner_{kind}_sources")
                                  for kind in ("place", "code", "link")}
        country = self._country(row["partner_country"], "partner_country")
        reporting_country = row["reporting_country"] or "MX"
        self._country(reporting_country, "reporting_country")
        if reporting_country == "MX":
            if not row["reporting_cvegeo"]:
                raise CellError("reporting_cvegeo", "a Mexican reporting municipality needs its INEGI CVEGEO "
                                "(or give reporting_country for a government outside Mexico)")
            for column in ("reporting_admin_area", "reporting_locality_wikidata"):
                if row[column]:
                    raise CellError(column, "only a reporting government outside Mexico takes this column; a "
                                    "Mexican one is named by reporting_cvegeo")
            reporting_code = cvegeo(row["reporting_cvegeo"], "reporting_cvegeo")
            reporting = self._mexican_government(reporting_code, row["reporting_name"], None, sources, where,
                                                 "reporting_cvegeo", "reporting_name")
        else:
            if row["reporting_cvegeo"]:
                raise CellError("reporting_cvegeo", f"the reporting government is in {reporting_country}: INEGI "
                                "codes are for Mexican municipalities only")
            reporting = self._foreign_reporting(row, reporting_country, sources, where)
        if row["partner_country"] == "MX":
            partner, locality = self._mexican_partner(row, partner_sources, where)
        else:
            partner, locality = self._foreign_partner(row, country, partner_sources, where)
        if partner == reporting:
            raise CellError("partner_name", "the partner is the reporting municipality itself")
        if row["partner_locality_wikidata"]:
            self.graph.add((locality, SDO.sameAs, wikidata(row["partner_locality_wikidata"],
                                                            "partner_locality_wikidata")))
            self._derived(locality, self.statement_sources["link"])

        national = row["partner_country"] == reporting_country
        if national and kind.international_only:
            raise CellError("kind", f"kind {row['kind']} is international only, but the partner is in the "
                            f"reporting government's country ({reporting_country})")
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
            approval = date_cell(row["approval_date"], "approval_date")
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

    def _mexican_partner(self, row: dict[str, str], sources: list[URIRef], where: str) -> tuple[URIRef, URIRef]:
        if not row["partner_cvegeo"]:
            raise CellError("partner_cvegeo", "a Mexican partner needs its municipality's INEGI CVEGEO")
        code = cvegeo(row["partner_cvegeo"], "partner_cvegeo")
        state = self._state(code, "partner_cvegeo")
        if row["partner_admin_area_source"] and not row["partner_admin_area"]:
            raise CellError("partner_admin_area", "partner_admin_area_source is given but partner_admin_area is empty")
        if row["partner_admin_area"] and fold(row["partner_admin_area"]) not in state.names:
            named = [c for c, s in self.reference.states.items() if fold(row["partner_admin_area"]) in s.names]
            if not named:
                raise CellError("partner_admin_area", f"{row['partner_admin_area']!r} is not a Mexican state "
                                "of the reference data")
            raise CellError("partner_cvegeo", f"CVEGEO {code} does not start with {named[0]}, the code of "
                            f"{row['partner_admin_area']}")
        _check_in_row(row)
        government = self._mexican_government(code, row["partner_municipality"] or row["partner_name"],
                                              row["partner_municipality_wikidata"], sources, where,
                                              "partner_cvegeo", "partner_municipality")
        municipality = ID[f"municipality/mx-{code}"]
        if municipality not in self.reference.described:
            self._derived(municipality, self.statement_sources["code"])
            if row["partner_municipality_wikidata"]:
                self._derived(municipality, self.statement_sources["link"])
        if row["partner_locality_inegi"]:
            inegi = row["partner_locality_inegi"]
            if not LOCALITY.fullmatch(inegi) or not inegi.startswith(code):
                raise CellError("partner_locality_inegi", f"{inegi!r} is not a 9-digit INEGI locality code "
                                f"starting with the municipality's CVEGEO {code}")
            locality = ID[f"locality/mx-{inegi}"]
            self.graph.add((locality, PDO.inegiCode, Literal(inegi)))
            self._derived(locality, self.statement_sources["code"])
        else:
            locality = ID[f"locality/mx-{key_slug(row['partner_name'], 'partner_name')}"]
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
            g.add((municipality, SDO.sameAs, wikidata(municipality_qid, "partner_municipality_wikidata")))
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
                raise CellError(column, "only Mexican partners (partner_country MX) have INEGI codes and "
                                "municipalities")
        iso = row["partner_country"].lower()
        key = f"{iso}-{key_slug(row['partner_name'], 'partner_name')}"
        place = country
        if row["partner_admin_area"]:
            place = ID[f"state/{iso}-{key_slug(row['partner_admin_area'], 'partner_admin_area')}"]
            self.graph.add((place, RDF.type, PDO.State))
            self.graph.add((place, PDO.locatedIn, country))
            for lang in ("es", "en"):
                self._label(place, row["partner_admin_area"], lang, where, "partner_admin_area")
            _check_in_row(row)
            # The row's own sources support the province only where its text names it
            # (Tabla 1 names Kansas and Buenos Aires, not Maldonado); the rest is partner_sources'.
            row_sources = set(self._sources(row["source"], "source"))
            named = not row["source_text"] or (fold(row["partner_admin_area_source"] or row["partner_admin_area"])
                                               in fold(row["source_text"]))
            place_sources = [s for s in sources if named or s not in row_sources] + self.statement_sources["place"]
            if not place_sources:
                raise CellError("partner_sources", f"the row's text does not name {row['partner_admin_area']!r}: "
                                "partner_sources must give the source of partner_admin_area")
            self._derived(place, place_sources)
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

    def _country(self, code: str, column: str) -> URIRef:
        if not ISO2.fullmatch(code):
            raise CellError(column, f"{code!r} is not an ISO 3166-1 alpha-2 code (two upper-case letters)")
        if code not in self.reference.countries:
            raise CellError(column, f"unknown country code {code!r}: it is not in ISO 3166-1 (the reference "
                            f"gazetteer data/gazetteer.ttl has {len(self.reference.countries)} countries)")
        return self.reference.countries[code]

    def _foreign_reporting(self, row: dict[str, str], iso: str, sources: list[URIRef], where: str) -> URIRef:
        """The government of a reporting city outside Mexico (``id/government/{iso}-{slug}``, as a partner
        of that name and country would be), its seat and province; described unless the reference data does."""
        key = f"{iso.lower()}-{key_slug(row['reporting_name'], 'reporting_name')}"
        government, locality = ID[f"government/{key}"], ID[f"locality/{key}"]
        if government in self.reference.described:
            return government
        sources = sources + self._sources(row["reporting_sources"], "reporting_sources")
        country = self.reference.countries[iso]
        place = country
        g = self.graph
        if row["reporting_admin_area"]:
            place = ID[f"state/{iso.lower()}-{key_slug(row['reporting_admin_area'], 'reporting_admin_area')}"]
            g.add((place, RDF.type, PDO.State))
            g.add((place, PDO.locatedIn, country))
            for lang in ("es", "en"):
                self._label(place, row["reporting_admin_area"], lang, where, "reporting_admin_area")
            self._derived(place, sources)
        g.add((locality, RDF.type, PDO.Locality))
        g.add((locality, PDO.locatedIn, place))
        for lang in ("es", "en"):
            self._label(locality, row["reporting_name"], lang, where, "reporting_name")
        if row["reporting_locality_wikidata"]:
            g.add((locality, SDO.sameAs, wikidata(row["reporting_locality_wikidata"], "reporting_locality_wikidata")))
        self._derived(locality, sources)
        g.add((government, RDF.type, PDO.MunicipalGovernment))
        g.add((government, PDO.hasSeat, locality))
        self._label(government, f"Gobierno municipal de {row['reporting_name']}", "es", where, "reporting_name")
        self._label(government, f"Municipal government of {row['reporting_name']}", "en", where, "reporting_name")
        self._derived(government, sources)
        return government

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


def _check_in_row(row: dict[str, str]) -> None:
    """The published wording of a corrected state or province must be in the row's own cell.

    The wording is kept there (the agreement's pdo:sourceLabel), not on the state, which other
    rows share: Ensenada's row writes «Baja California», Tijuana's «Baja California Norte».
    """
    wording = row["partner_admin_area_source"]
    if wording and row["source_text"] and fold(wording) not in fold(row["source_text"]):
        raise CellError("partner_admin_area_source", f"{wording!r} is not in the row's source_text "
                        f"{row['source_text']!r}")


def _key(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[1]

