"""Import roster files: read, find headers, parse, load, one transaction per file."""

import hashlib
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from kjd.collector import collector_paused
from kjd.db import transaction
from kjd.errors import AmbiguousKind, FileRejected, UsageError
from kjd.importers.headers import find_header, map_header
from kjd.importers.load import SheetLoader, now_text, settle_bodies
from kjd.importers.records import ParsedSheet, parse_sheet, preview_cells
from kjd.importers.rejects import (
    RejectedSheet,
    default_rejects_path,
    write_rejects_workbook,
)
from kjd.importers.report import (
    STATUS_AMBIGUOUS,
    STATUS_FAILED,
    STATUS_HIDDEN,
    STATUS_NOT_ROSTER,
    STATUS_OK,
    STATUS_REJECTED,
    STATUS_UNCHANGED_FILE,
    ImportReport,
    SheetResult,
)
from kjd.importers.rosters import KIND_LABELS, KINDS, ROSTERS
from kjd.importers.workbook import NotARoster, RawWorkbook, read_workbook
from kjd.match.aliases import forget_seeding
from kjd.match.nameindex import forget_indexes

logger = logging.getLogger(__name__)

MAX_WARNING_MESSAGES = 20
# Kinds in the order their sheets are written, so that the rosters that name
# bodies (institutes with their short names, enterprises) are in the database
# before the rows that refer to them (experts, achievements, demands).
LOAD_ORDER = ("institutes", "enterprises", "experts", "projects", "demands")


class _Rollback(Exception):
    """Undo the file's writes: a dry run, or --strict with rejected rows."""


def import_paths(
    db: sqlite_utils.Database,
    paths,
    *,
    kind: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    rejects_path: Path | None = None,
    on_progress=None,
    skip_unchanged: bool = False,
    preview_rows: int = 0,
) -> ImportReport:
    """Import roster files and folders into the database, one transaction per file.

    Every file is read and parsed first. Files are then written in LOAD_ORDER
    of the first roster kind each contains (institute rosters first, demands
    last), and the sheets of one file in the same order. A 完成单位 written
    as a short name (长中医) then finds the institute whose roster lists that
    short name. The report lists the sheets in the order given.

    Args:
        db: an open kjd database.
        paths: files or folders (folders are searched recursively; Excel lock
            files ~$… and hidden files are left out).
        kind: the roster kind for every file (demands, projects, experts,
            institutes, enterprises); detected from the header when None.
        sheet: import only the sheet with this name.
        dry_run: compute every figure, write nothing (database or rejects file).
        strict: a file with any rejected row is not written at all.
        rejects_path: one rejects workbook for all files, instead of one beside
            each input (名单_未导入.xlsx).
        on_progress: called as on_progress(done, total) with the rows of the
            current file.
        skip_unchanged: skip a file whose content (sha256) was already imported
            successfully (status "unchanged-file").
        preview_rows: keep the first N rows of each sheet in the result.

    Returns:
        An ImportReport with one SheetResult per sheet; a file that is not a
        roster has status "not-roster", a corrupt one "failed" with a message.

    Raises:
        UsageError: `kind` is not a roster kind.
    """
    if kind is not None and kind not in KINDS:
        raise UsageError(f"未知的名单类型：{kind}。可选：{'、'.join(KINDS)}。")
    options = {
        "kind": kind,
        "sheet": sheet,
        "dry_run": dry_run,
        "strict": strict,
        "skip_unchanged": skip_unchanged,
        "preview_rows": preview_rows,
    }

    # read every file, then write them rosters first (see LOAD_ORDER)
    # NOTE: the parsed rows of all files are held in memory until written.
    collected: list[RejectedSheet] = []
    with collector_paused():
        files = [_read_file(db, path, options) for path in expand_paths(paths)]
        for read in sorted(files, key=lambda item: item.rank):
            rejected = _import_read_file(db, read, options, on_progress)
            if rejected and not dry_run:
                if rejects_path is None:
                    target = default_rejects_path(read.path)
                    _write_rejects(target, rejected, read.results)
                collected.extend(rejected)

    report = ImportReport(dry_run=dry_run)
    report.sheets = [result for read in files for result in read.results]
    if rejects_path is not None and collected and not dry_run:
        written = write_rejects_workbook(Path(rejects_path), collected)
        for result in report.sheets:
            if result.rejected:
                result.rejects_path = str(written)
    return report


def expand_paths(paths) -> list[Path]:
    """Return the files to import: files as given, folders searched recursively."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith((".", "~$")) for part in child.parts)
                if child.is_file() and not hidden:
                    files.append(child)
        else:
            files.append(path)
    return files


@dataclass
class _ReadFile:
    """One file read and parsed, not yet written."""

    path: Path
    digest: str | None
    results: list[SheetResult]
    parsed: list[tuple[ParsedSheet, SheetResult]] = field(default_factory=list)

    @property
    def rank(self) -> int:
        """The place of the file's first roster kind in LOAD_ORDER."""
        ranks = [LOAD_ORDER.index(sheet.kind) for sheet, _ in self.parsed]
        return min(ranks, default=len(LOAD_ORDER))


def _read_file(db, path: Path, options: dict) -> _ReadFile:
    path = Path(path)
    name = str(path)

    def status(value: str, message: str) -> _ReadFile:
        return _ReadFile(path, None, [_status(name, value, message)])

    if path.name.startswith("~$"):
        return status(STATUS_NOT_ROSTER, "Excel 临时锁定文件，已跳过")
    if not path.is_file():
        return status(STATUS_FAILED, f"{path.name}：文件不存在")
    digest = file_sha256(path)
    if options["skip_unchanged"] and _already_imported(db, digest):
        return status(STATUS_UNCHANGED_FILE, "内容与上次成功导入时相同，已跳过")

    # read and parse every sheet before writing anything
    try:
        workbook = read_workbook(path, options["sheet"])
    except NotARoster:
        return status(STATUS_NOT_ROSTER, "不是 Excel 或 CSV 名单")
    except FileRejected as exc:
        return status(STATUS_FAILED, exc.message)
    if options["sheet"] is not None and not workbook.sheets:
        return status(
            STATUS_FAILED, f"{path.name}：没有名为“{options['sheet']}”的工作表"
        )
    results, parsed = _parse_workbook(workbook, name, options)
    parsed.sort(key=lambda item: LOAD_ORDER.index(item[0].kind))
    return _ReadFile(path, digest, results, parsed)


def _import_read_file(
    db, read: _ReadFile, options: dict, on_progress
) -> list[RejectedSheet]:
    # One transaction for the whole file; returns its rejected rows.
    if not read.parsed:
        return []
    try:
        _write_file(db, read.path, read.digest, read.parsed, options, on_progress)
    except _Rollback:
        _forget_rolled_back(db)
    except BaseException:
        _forget_rolled_back(db)
        raise
    return [
        RejectedSheet(read.path.name, sheet.name, sheet.rejects)
        for sheet, _ in read.parsed
        if sheet.rejects
    ]


def _parse_workbook(workbook: RawWorkbook, name: str, options: dict):
    results: list[SheetResult] = []
    parsed: list[tuple[ParsedSheet, SheetResult]] = []
    for raw in workbook.sheets:
        result = SheetResult(path=name, sheet=raw.name)
        results.append(result)
        if not raw.visible and options["sheet"] is None:
            result.status, result.message = STATUS_HIDDEN, "隐藏的工作表，已跳过"
            continue
        bounds = find_header(raw.rows, raw.merged, options["kind"])
        header = None
        if bounds is not None:
            try:
                header = map_header(raw.rows, *bounds, raw.name, options["kind"])
            except AmbiguousKind as exc:
                result.status, result.message = STATUS_AMBIGUOUS, exc.message
                continue
        if header is None:
            result.status, result.message = STATUS_NOT_ROSTER, "没有找到名单表头"
            continue
        result.kind_detected = options["kind"] is None
        if header.missing_required and not header.identified_by_ref:
            result.kind, result.header_row = header.kind, header.header_row
            result.status, result.message = STATUS_FAILED, _missing_columns(header)
            continue
        sheet = parse_sheet(raw, header)
        _describe(result, sheet, options["preview_rows"])
        parsed.append((sheet, result))
    return results, parsed


def _missing_columns(header) -> str:
    roster = ROSTERS[header.kind]
    message = f"表头中没有{KIND_LABELS[header.kind]}的必填列：{roster.required_label}"
    if roster.identified_by_ref:
        message += "，也没有编号列"
    return message


def _describe(result: SheetResult, sheet: ParsedSheet, preview_rows: int) -> None:
    result.kind = sheet.kind
    result.header_row = sheet.header.header_row
    result.read = sheet.read
    result.rejected = len(sheet.rejects)
    result.skipped = sum(sheet.skipped.values())
    result.skipped_reasons = {
        key: count for key, count in sheet.skipped.items() if count
    }
    result.metadata = sheet.metadata
    result.status = STATUS_REJECTED if sheet.rejects else STATUS_OK
    result.preview = [
        preview_cells(sheet.header, record) for record in sheet.records[:preview_rows]
    ]
    _count_warnings(result, sheet)


def _count_warnings(result: SheetResult, sheet: ParsedSheet) -> None:
    # Called again after loading, which may add warnings (short names).
    result.warnings = sheet.warning_count
    messages = list(sheet.warnings)
    for record in sheet.records:
        messages.extend(record.warnings)
    result.warning_messages = [
        _warning_line(w) for w in messages[:MAX_WARNING_MESSAGES]
    ]


def _warning_line(warning) -> str:
    where = []
    if warning.row_number:
        where.append(f"第 {warning.row_number} 行")
    if warning.column:
        where.append(f"列“{warning.column}”")
    prefix = " › ".join(where)
    return f"{prefix}：{warning.message}" if prefix else warning.message


def _write_file(db, path, digest, parsed, options, on_progress) -> None:
    total = sum(len(sheet.records) for sheet, _ in parsed)
    done_before = 0
    # Records written by one sheet are never the corrected version of a row of
    # another sheet of the same file.
    written: dict[str, set[int]] = {}
    # An institute or enterprise may have rows on several sheets of the file.
    bodies: dict[str, dict] = {}
    imported = []
    with _file_transaction(db):
        for sheet, result in parsed:
            import_id = _insert_import(db, path, digest, sheet)
            source = {
                "source_file": path.name,
                "source_sheet": sheet.name,
            }
            loader = SheetLoader(
                db,
                sheet,
                source,
                written.setdefault(sheet.kind, set()),
                bodies.setdefault(sheet.kind, {}),
            )

            def progress(done, offset=done_before):
                if on_progress is not None:
                    on_progress(offset + done, total)

            loader.load(result, on_record=progress)
            _count_warnings(result, sheet)
            done_before += len(sheet.records)
            _insert_rejects_and_warnings(db, import_id, path, sheet)
            imported.append((import_id, result))
        for kind_bodies in bodies.values():
            settle_bodies(kind_bodies)
        for import_id, result in imported:
            _finish_import(db, import_id, result)
        if options["strict"] and any(sheet.rejects for sheet, _ in parsed):
            for sheet, result in parsed:
                result.status = STATUS_FAILED
                result.inserted = result.updated = result.unchanged = 0
                result.message = (
                    f"有 {len(sheet.rejects)} 行被拒收，--strict 模式下整个文件未写入"
                )
            raise _Rollback
        if options["dry_run"]:
            raise _Rollback


def _forget_rolled_back(db) -> None:
    # The resolver keeps, on the database object, an index of the names it has
    # seen and a note that the seed institutes exist. A rollback undoes both,
    # so the next file must index and seed again.
    forget_indexes(db)
    forget_seeding(db)


@contextmanager
def _file_transaction(db):
    """Open one transaction per file, or a savepoint inside the caller's one."""
    conn = db.conn
    if not conn.in_transaction:
        with transaction(db):
            yield
        return
    conn.execute("SAVEPOINT kjd_import_file")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO kjd_import_file")
        conn.execute("RELEASE kjd_import_file")
        raise
    conn.execute("RELEASE kjd_import_file")


def _insert_import(db, path: Path, digest: str, sheet: ParsedSheet) -> int:
    cursor = db.execute(
        "INSERT INTO imports (path, file_name, sha256, sheet, kind, header_row, "
        "metadata, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'running')",
        [
            str(path.resolve()),
            path.name,
            digest,
            sheet.name,
            sheet.kind,
            sheet.header.header_row,
            json.dumps(sheet.metadata, ensure_ascii=False),
        ],
    )
    return cursor.lastrowid


def _insert_rejects_and_warnings(db, import_id: int, path: Path, sheet) -> None:
    db.conn.executemany(
        "INSERT INTO rejects (import_id, file_name, sheet, row_number, column_name, "
        "value, reason, cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                import_id,
                path.name,
                sheet.name,
                reject.row_number,
                reject.column,
                reject.value,
                reject.reason,
                json.dumps(reject.cells, ensure_ascii=False),
            ]
            for reject in sheet.rejects
        ],
    )
    warnings = list(sheet.warnings)
    for record in sheet.records:
        warnings.extend(record.warnings)
    db.conn.executemany(
        "INSERT INTO import_warnings (import_id, sheet, row_number, column_name, "
        "value, code, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [import_id, sheet.name, w.row_number, w.column, w.value, w.code, w.message]
            for w in warnings
        ],
    )


def _finish_import(db, import_id: int, result: SheetResult) -> None:
    db.execute(
        "UPDATE imports SET read = ?, inserted = ?, updated = ?, unchanged = ?, "
        "rejected = ?, skipped = ?, warnings = ?, status = ?, finished_at = ? "
        "WHERE id = ?",
        [
            result.read,
            result.inserted,
            result.updated,
            result.unchanged,
            result.rejected,
            result.skipped,
            result.warnings,
            result.status,
            now_text(),
            import_id,
        ],
    )


def _write_rejects(target: Path, rejected, results) -> None:
    try:
        written = write_rejects_workbook(target, rejected)
    except Exception as exc:  # the rejects file must not undo a committed import
        logger.warning("rejects workbook not written to %s: %s", target, exc)
        fallback = Path.cwd() / target.name
        written = write_rejects_workbook(fallback, rejected)
    for result in results:
        if result.rejected:
            result.rejects_path = str(written)


def _already_imported(db, digest: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM imports WHERE sha256 = ? AND status IN (?, ?) LIMIT 1",
        [digest, STATUS_OK, STATUS_REJECTED],
    ).fetchone()
    return row is not None


def _status(path: str, status: str, message: str) -> SheetResult:
    return SheetResult(path=path, status=status, message=message)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
