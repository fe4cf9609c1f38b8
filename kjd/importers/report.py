"""What an import did, per file and sheet: the figures `--json` prints."""

from dataclasses import dataclass, field

STATUS_OK = "ok"
STATUS_REJECTED = "rejected"
STATUS_FAILED = "failed"
STATUS_NOT_ROSTER = "not-roster"
STATUS_HIDDEN = "hidden-sheet"
STATUS_UNCHANGED_FILE = "unchanged-file"
STATUS_AMBIGUOUS = "ambiguous-kind"


@dataclass
class SheetResult:
    """The figures of one sheet of one file (or of the whole file when it failed).

    read = inserted + updated + unchanged + rejected + skipped: every row below
    the header down to the last filled row. `kind_detected` is true when the
    kind came from the header rather than from --kind.
    """

    path: str
    sheet: str | None = None
    kind: str | None = None
    kind_detected: bool = False
    header_row: int | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    warnings: int = 0
    status: str = STATUS_OK
    message: str | None = None
    skipped_reasons: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    rejects_path: str | None = None
    preview: list[dict] = field(default_factory=list)
    warning_messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "sheet": self.sheet,
            "kind": self.kind,
            "kind_detected": self.kind_detected,
            "header_row": self.header_row,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "status": self.status,
            "message": self.message,
            "skipped_reasons": self.skipped_reasons,
            "metadata": self.metadata,
            "rejects_path": self.rejects_path,
        }


@dataclass
class ImportReport:
    """Every sheet of every file of one import, in the order they were read."""

    sheets: list[SheetResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return sum(result.rejected for result in self.sheets)

    @property
    def status(self) -> str:
        statuses = {result.status for result in self.sheets}
        if STATUS_FAILED in statuses or STATUS_AMBIGUOUS in statuses:
            return "error"
        if STATUS_REJECTED in statuses:
            return STATUS_REJECTED
        return STATUS_OK

    def totals(self) -> dict:
        keys = ("read", "inserted", "updated", "unchanged", "rejected", "skipped")
        return {
            key: sum(getattr(result, key) for result in self.sheets) for key in keys
        }

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "dry_run": self.dry_run,
            "totals": self.totals(),
            "files": [result.to_dict() for result in self.sheets],
        }
