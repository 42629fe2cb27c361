"""Errors that carry their meaning to the CLI and to HTTP.

    ParadipError                 status 500; a bug of ours if it reaches a user unhandled
    ├── InputError               status 400; the user's input is wrong
    │   ├── RdfSyntaxError       a file or body is not valid RDF: names file, line and column
    │   ├── ImportRowError       a table row cannot be imported: names file, row and column
    │   └── QuerySyntaxError     a SPARQL query does not parse: the parser's message
    ├── NotAcceptable            status 406; no representation the client accepts
    ├── PayloadTooLarge          status 413
    └── QueryTimeout             status 503; the query was stopped after the time limit

The CLI maps InputError to exit 2; the web layer turns ``status`` into the HTTP status.
"""

from __future__ import annotations


class ParadipError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
        self.source, self.row, self.column = source, row, column
        super().__init__(f"{source}, row {row}, column {column!r}: {message}")


class QuerySyntaxError(InputError):
    title = "Malformed query"


class NotAcceptable(ParadipError):
    status = 406
    title = "Not acceptable"


class PayloadTooLarge(ParadipError):
    status = 413
    title = "Payload too large"


class QueryTimeout(ParadipError):
    status = 503
    title = "Query timed out"
