"""Errors that kjd reports to staff: a code slug and a message in Chinese.

Library code raises these; the command line prints the message on one line and
exits with `exit_code`. Row-level problems in rosters are not exceptions: they are
collected as data (see kjd.importers) and reported with exit code 3.
"""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_INTERRUPTED = 130


class KjdError(Exception):
    """Base class: something failed and the step wrote nothing."""

    code = "error"
    exit_code = EXIT_FAILED

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **self.details}


class UsageError(KjdError):
    """The options or arguments cannot work together."""

    code = "usage"
    exit_code = EXIT_USAGE


class DatabaseError(KjdError):
    """The database file cannot be opened, upgraded or written."""

    code = "database"


class SchemaTooNew(DatabaseError):
    """The database was written by a newer kjd than this one."""

    code = "schema-too-new"


class DatabaseBusy(DatabaseError):
    """Another process holds the database or the run lock for too long."""

    code = "database-busy"


class FileRejected(KjdError):
    """A whole input file cannot be read: corrupt, truncated, unsafe or empty."""

    code = "file-rejected"


class SheetNotFound(KjdError):
    """The sheet named by --sheet is not in the workbook."""

    code = "sheet-not-found"


class HeaderRowNotFound(KjdError):
    """No row of the sheet looks like a roster header."""

    code = "header-row-not-found"


class AmbiguousKind(KjdError):
    """The header fits two roster kinds equally well; --kind must choose."""

    code = "ambiguous-kind"
    exit_code = EXIT_USAGE


class NotFound(KjdError):
    """A record named on the command line does not exist."""

    code = "not-found"


class OutputExists(KjdError):
    """The output file exists and --force was not given."""

    code = "output-exists"


class OutputNotWritable(KjdError):
    """The output file is locked (open in Excel or WPS) or the folder is read-only."""

    code = "output-not-writable"
