"""The weekly job in one call: import a folder of rosters, match, write workbooks.

`run_pipeline` is what `kjd run` calls. Each step commits on its own: a failed
step leaves what earlier steps committed in place, and the result names which
step failed and what was kept.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlite_utils

from kjd.defaults import OUTPUT_DIR
from kjd.errors import EXIT_FAILED, EXIT_OK, EXIT_REJECTED, KjdError

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT_DIR = OUTPUT_DIR
OUTPUT_NAMES = {
    "docket": "对接清单",
    "review": "待审匹配",
    "summary": "工作汇总",
}

# Written beside the workbooks: the database stamp they were made from.
STAMP_FILE = ".kjd-run.json"

# Import statuses that mean the file was not used, and why.
_NOT_IMPORTED = {"not-roster", "hidden-sheet"}


@dataclass
class RunOptions:
    """Folders, filters and date of one `kjd run`."""

    roster_dir: Path
    output_dir: Path = DEFAULT_OUTPUT_DIR
    event_id: int | None = None
    field: str | None = None
    region: str | None = None
    today: datetime | None = None


@dataclass
class RunResult:
    """Counts and outputs of one run; `to_dict()` is the `--json` document."""

    files_imported: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_skipped: list[dict] = field(default_factory=list)
    files_failed: list[dict] = field(default_factory=list)
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_rejected: int = 0
    rejects_files: list[str] = field(default_factory=list)
    demands_matched: int = 0
    matches_proposed: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    outputs_unchanged: bool = False
    failed_step: str | None = None
    error: str | None = None
    steps_done: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.failed_step or self.files_failed:
            return EXIT_FAILED
        if self.rows_rejected:
            return EXIT_REJECTED
        return EXIT_OK

    @property
    def status(self) -> str:
        return {EXIT_OK: "ok", EXIT_REJECTED: "rejected"}.get(self.exit_code, "error")

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "files": {
                "imported": self.files_imported,
                "unchanged": self.files_unchanged,
                "skipped": self.files_skipped,
                "failed": self.files_failed,
            },
            "rows": {
                "inserted": self.rows_inserted,
                "updated": self.rows_updated,
                "rejected": self.rows_rejected,
            },
            "rejects_files": self.rejects_files,
            "demands_matched": self.demands_matched,
            "matches_proposed": self.matches_proposed,
            "outputs": self.outputs,
            "outputs_unchanged": self.outputs_unchanged,
            "steps_done": self.steps_done,
            "failed_step": self.failed_step,
            "error": self.error or self._files_error(),
        }

    def _files_error(self) -> str | None:
        if not self.files_failed:
            return None
        names = "、".join(Path(entry["path"]).name for entry in self.files_failed)
        return f"{len(self.files_failed)} 个文件导入失败：{names}"


def run_pipeline(
    db: sqlite_utils.Database, options: RunOptions, on_step=None
) -> RunResult:
    """Import every roster under `options.roster_dir`, match, write the workbooks.

    Files already imported with the same content are skipped by their sha256.
    Matching covers only demands that are new or changed. A step that raises
    KjdError stops the run; the steps before it stay committed.

    Args:
        on_step: called with a short step name ("import", "match", "docket",
            "review", "summary") before each step starts.
    """
    result = RunResult()
    steps = [
        ("import", _import_step),
        ("match", _match_step),
        ("docket", _docket_step),
        ("review", _review_step),
        ("summary", _summary_step),
    ]
    for name, step in steps:
        if name == "docket" and _outputs_current(db, options, result):
            result.outputs_unchanged = True
            result.steps_done.extend(["docket", "review", "summary"])
            break
        if on_step is not None:
            on_step(name)
        try:
            step(db, options, result)
        except KjdError as exc:
            result.failed_step = name
            result.error = exc.message
            logger.error("step %s failed: %s", name, exc.message)
            break
        result.steps_done.append(name)
    return result


def output_path(options: RunOptions, report: str) -> Path:
    """Return the dated workbook path for one report, e.g. 输出/对接清单-20261204.xlsx.

    A second run on the same day writes a new file with the time added, so an
    earlier workbook someone has open or has annotated is never overwritten.
    """
    now = options.today or datetime.now()
    base = options.output_dir / f"{OUTPUT_NAMES[report]}-{now:%Y%m%d}.xlsx"
    if not base.exists():
        return base
    return base.with_name(f"{OUTPUT_NAMES[report]}-{now:%Y%m%d-%H%M%S}.xlsx")


def _import_step(db, options: RunOptions, result: RunResult) -> None:
    from kjd.importers.pipeline import import_paths

    if not options.roster_dir.is_dir():
        raise KjdError(f"名单文件夹不存在：{options.roster_dir}")
    report = import_paths(db, [options.roster_dir], skip_unchanged=True)
    seen_failed = set()
    for sheet in report.sheets:
        if sheet.status == "unchanged-file":
            _add_once(result.files_unchanged, sheet.path)
        elif sheet.status == "failed" or sheet.status == "ambiguous-kind":
            if (sheet.path, sheet.sheet) not in seen_failed:
                seen_failed.add((sheet.path, sheet.sheet))
                result.files_failed.append(
                    {"path": sheet.path, "sheet": sheet.sheet, "message": sheet.message}
                )
        elif sheet.status in _NOT_IMPORTED:
            result.files_skipped.append(
                {
                    "path": sheet.path,
                    "sheet": sheet.sheet,
                    "reason": sheet.status,
                    "message": sheet.message,
                }
            )
        else:
            _add_once(result.files_imported, sheet.path)
        result.rows_inserted += sheet.inserted
        result.rows_updated += sheet.updated
        result.rows_rejected += sheet.rejected
        if sheet.rejects_path:
            _add_once(result.rejects_files, sheet.rejects_path)
    _drop_partly_skipped(result)


def _drop_partly_skipped(result: RunResult) -> None:
    # A workbook with one roster sheet and one hidden option sheet was imported;
    # list it once, as imported, not also as skipped.
    imported = set(result.files_imported) | set(result.files_unchanged)
    result.files_skipped = [
        entry for entry in result.files_skipped if entry["path"] not in imported
    ]


def _add_once(items: list, value) -> None:
    if value not in items:
        items.append(value)


def _match_step(db, options: RunOptions, result: RunResult) -> None:
    from kjd.match.runs import run_matching

    matched = run_matching(
        db, field=options.field, region=options.region, only_changed=True
    )
    result.demands_matched = matched.demands
    result.matches_proposed = matched.total_matches


def _docket_step(db, options: RunOptions, result: RunResult) -> None:
    from kjd.reports.docket import write_docket

    path = _prepare(options, "docket")
    write_docket(
        db,
        path,
        event_id=options.event_id,
        field=options.field,
        region=options.region,
    )
    result.outputs["docket"] = str(path)


def _review_step(db, options: RunOptions, result: RunResult) -> None:
    from kjd.match.review import export_review

    path = _prepare(options, "review")
    export_review(db, path)
    result.outputs["review"] = str(path)


def _summary_step(db, options: RunOptions, result: RunResult) -> None:
    from kjd.reports.summary import write_summary

    path = _prepare(options, "summary")
    write_summary(db, path)
    result.outputs["summary"] = str(path)
    _write_stamp(db, options, result.outputs)


def database_stamp(db: sqlite_utils.Database) -> str:
    """Return a digest that changes whenever a row that reports read changes.

    It covers each table's row count and largest rowid, and the newest
    updated_at or decision time, so an edit, a decision or a new outcome all
    change it.
    """
    parts = []
    for table in (
        "institutes",
        "experts",
        "projects",
        "enterprises",
        "demands",
        "matches",
        "decisions",
        "events",
        "meetings",
        "outcomes",
    ):
        parts.append(
            db.execute(f"SELECT count(*), max(rowid) FROM [{table}]").fetchone()
        )
    for table, column in (
        ("demands", "updated_at"),
        ("matches", "updated_at"),
        ("decisions", "decided_at"),
        ("projects", "updated_at"),
        ("experts", "updated_at"),
        ("institutes", "updated_at"),
        ("enterprises", "updated_at"),
    ):
        parts.append(db.execute(f"SELECT max([{column}]) FROM [{table}]").fetchone())
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _outputs_current(db, options: RunOptions, result: RunResult) -> bool:
    """Return True when the workbooks of an earlier run still describe the data.

    Then nothing is written again, so a daily job with no new rosters does not
    pile up copies of the same workbooks.
    """
    stamp_path = options.output_dir / STAMP_FILE
    try:
        previous = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    outputs = previous.get("outputs", {})
    if previous.get("stamp") != database_stamp(db):
        return False
    if previous.get("filters") != _filters(options):
        return False
    if set(outputs) != set(OUTPUT_NAMES):
        return False
    if not all(Path(path).exists() for path in outputs.values()):
        return False
    result.outputs = dict(outputs)
    return True


def _filters(options: RunOptions) -> list:
    return [options.event_id, options.field, options.region]


def _write_stamp(db, options: RunOptions, outputs: dict[str, str]) -> None:
    document = {
        "stamp": database_stamp(db),
        "filters": _filters(options),
        "outputs": outputs,
    }
    try:
        (options.output_dir / STAMP_FILE).write_text(
            json.dumps(document, ensure_ascii=False), encoding="utf-8"
        )
    except OSError as exc:
        logger.warning(
            "could not record the run stamp in %s: %s", options.output_dir, exc
        )


def _prepare(options: RunOptions, report: str) -> Path:
    try:
        options.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KjdError(f"无法创建输出文件夹 {options.output_dir}：{exc}") from exc
    return output_path(options, report)
