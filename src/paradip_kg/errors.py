"""Every error of the project, in one tree, each carrying its meaning to the CLI and to HTTP.

    ParadipError                 status 500; a bug of ours if it reaches a user unhandled
    ├── InputError               status 400; the user's input is wrong
    │   ├── RdfSyntaxError       a file or body is not valid RDF: names file, line and column
    │   ├── ImportRowError       a table row cannot be imported: names file, row and column
    │   │   └── ImportTableError every bad row of a table at once (each an ImportRowError)
    │   ├── QuerySyntaxError     a SPARQL query does not parse: the parser's message
    │   ├── QueryNotSupported    a query the engine cannot run (an unknown extension function)
    │   ├── ShapesError          the shapes are not usable (pyshacl stopped on them)
    │   ├── BadPattern           a Triple Pattern Fragments selector is not a triple pattern
    │   └── PortTaken            `serve` cannot listen on the port: another program holds it
    ├── AuthenticationFailed     status 401 or 403; a write without a valid bearer token
    ├── NotDescribed             status 404; the graph says nothing about this IRI
    ├── GraphNotFound            status 404; no such named graph (Graph Store Protocol)
    ├── WriteForbidden           status 403; a reserved graph cannot be written
    ├── ReadOnlyBackend          status 405; the backend is only read (remote store: use push)
    ├── NotAcceptable            status 406; no representation the client accepts
    ├── BulkDeleteRefused        status 409; a write would remove too much of the data graph unasked
    ├── PayloadTooLarge          status 413
    ├── OverBudget               status 429; a client spent its query seconds of the minute (Retry-After)
    ├── WriteRejected            status 422; the change would break the shapes (carries the report)
    │   └── Inconsistent         the change contradicts the ontology (owlrl)
    ├── BuildFailed              status 500; the files do not pass validation, or are inconsistent
    ├── RemoteStoreError         status 502; the remote SPARQL store failed or could not be reached
    ├── HarvestFailed            status 502; the Wikidata endpoint failed, even after the retries
    ├── NotAvailable             status 503; the store is not there (not built yet)
    ├── WriteBusy                status 503; another write held the lock too long
    ├── LaneFull                 status 503; every query or validation child and the short queue are busy (Retry-After)
    ├── QueryTimeout             status 503; the query was stopped after the time limit
    └── ValidationTimeout        status 503; the validation was stopped after the time limit

    Signals that never leave the module that raises them:
    CellError                    one cell of an import row is wrong (the importer adds file and row)
    ChangeTooWide                a write reaches too far to narrow: fall back to the whole graph

The CLI maps InputError to exit 2; the web layer's one error handler turns ``status``, ``title``,
``message`` and ``headers`` into the HTTP answer. ``tests/test_errors.py`` checks that this tree is
the real one.
"""

from __future__ import annotations

from typing import Any


class ParadipError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})


class InputError(ParadipError):
    status = 400
    title = "Bad request"


class RdfSyntaxError(InputError):
    title = "Malformed RDF"

    def __init__(self, source: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.source, self.line, self.column = source, line, column
        where = source
        if line is not None:
            where += f", line {line}"
            if column is not None:
                where += f", column {column}"
        super().__init__(f"{where}: {message}")


class ImportRowError(InputError):
    title = "Bad table row"

    def __init__(self, source: str, row: int, column: str, message: str) -> None:
        self.source, self.row, self.column, self.detail = source, row, column, message
        super().__init__(f"{source}, row {row}, column {column!r}: {message}")


class ImportTableError(ImportRowError):
    """Every bad row of an import, reported in one run; the first one's file, row and column."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        first = errors[0]
        super().__init__(first.source, first.row, first.column, first.detail)
        self.errors = list(errors)
        lines = [str(e) for e in errors]
        self.message = (f"{len(errors)} bad rows, nothing imported:\n" + "\n".join(lines)) if len(errors) > 1 \
            else lines[0]
        self.args = (self.message,)


class QuerySyntaxError(InputError):
    title = "Malformed query"


class QueryNotSupported(InputError):
    """The query parses but asks for what the engine does not have: the engine's message."""

    title = "Query not supported"


class ShapesError(InputError):
    """The shapes are not usable: pyshacl stopped with a ValidationFailure (e.g. VALUES in sh:sparql)."""

    title = "Unusable shapes"


class BadPattern(InputError):
    title = "Bad triple pattern"


class PortTaken(InputError):
    """The address ``serve`` should listen on is in use; the message says how to choose another."""

    title = "Port taken"


class AuthenticationFailed(ParadipError):
    """401 or 403 with a ``WWW-Authenticate: Bearer`` challenge (RFC 6750 §3)."""

    title = "Unauthorized"

    def __init__(self, status: int, message: str, challenge: str) -> None:
        super().__init__(message, {"WWW-Authenticate": challenge})
        self.status = status
        self.title = "Unauthorized" if status == 401 else "Forbidden"
        self.challenge = challenge


class NotDescribed(ParadipError):
    status = 404
    title = "Not found"


class GraphNotFound(ParadipError):
    status = 404
    title = "No such graph"


class WriteForbidden(ParadipError):
    status = 403
    title = "Graph not writable"


class ReadOnlyBackend(ParadipError):
    """A write to a backend the app only reads (the remote store: the curator uses ``push``)."""

    status = 405
    title = "Read-only store"


class NotAcceptable(ParadipError):
    status = 406
    title = "Not acceptable"


class BulkDeleteRefused(ParadipError):
    """A write would remove more than the setting ``bulk_delete_share`` of the data graph without
    the request asking for it (``confirm-bulk-delete=yes``); nothing was written."""

    status = 409
    title = "Bulk delete not confirmed"

    def __init__(self, removed: int, total: int, share: float) -> None:
        self.removed, self.total, self.share = removed, total, share
        super().__init__(f"the write would remove {removed} of the {total} triples of the data graph, more than "
                         f"bulk_delete_share={share:g} of it; nothing was written. Send it again with "
                         "confirm-bulk-delete=yes (URL parameter, or the header X-Confirm-Bulk-Delete: yes) if that "
                         "is what you mean; `paradip-kg restore` can bring the triples back afterwards.")


class PayloadTooLarge(ParadipError):
    status = 413
    title = "Payload too large"


class WriteRejected(ParadipError):
    """The change would break the shapes; nothing was committed. ``report`` is the SHACL report."""

    status = 422
    title = "Write rejected by the shapes"

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


class Inconsistent(WriteRejected):
    """owlrl found a contradiction (e.g. a member of two disjoint classes)."""

    title = "Write rejected: inconsistent with the ontology"


class BuildFailed(ParadipError):
    """The graph does not pass validation, or the ontology is inconsistent; ``report`` when validation failed."""

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


class RemoteStoreError(ParadipError):
    """The remote store failed, refused us, or could not be reached."""

    status = 502
    title = "Remote store error"


class HarvestFailed(ParadipError):
    """A harvest that could not finish (the endpoint kept failing, or answered nonsense): nothing was written."""

    status = 502
    title = "Harvest failed"


class NotAvailable(ParadipError):
    status = 503
    title = "Not available"


class WriteBusy(ParadipError):
    status = 503
    title = "Writer busy"


class LaneFull(ParadipError):
    """The children that run queries (or validations) and their short queue are all taken."""

    status = 503
    title = "Busy"


class OverBudget(ParadipError):
    """A client used its query seconds of the last minute (setting ``query_budget``)."""

    status = 429
    title = "Too many requests"


class QueryTimeout(ParadipError):
    status = 503
    title = "Query timed out"


class ValidationTimeout(ParadipError):
    status = 503
    title = "Validation timed out"


class CellError(Exception):
    """One cell of an import row is wrong; the importer turns it into an :class:`ImportRowError`."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


class ChangeTooWide(Exception):
    """A write reaches too far to narrow its inference and validation: fall back to the whole graph."""
