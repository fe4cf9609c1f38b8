"""Write stored matches to CSV, JSON or xlsx with demand and target references.

CSV is for other programs and for Excel: UTF-8 with BOM (Excel on Chinese
Windows reads it without garbling), and a cell starting with = + - @, a tab or a
carriage return gets a leading apostrophe so that Excel shows it as text
instead of running it. JSON keeps values as they are. xlsx is a print-ready
workbook of the shared layer (kjd.reports.workbook), whose text cells are
always text, never a formula.
"""

import csv
import io
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils

from kjd.errors import OutputExists, OutputNotWritable, UsageError
from kjd.match.views import STATUS_LABELS, match_records
from kjd.reports.cells import csv_safe
from kjd.reports.workbook import Column, write_table_workbook

logger = logging.getLogger(__name__)

FORMATS = ("csv", "json", "xlsx")
XLSX_TITLE = "匹配结果"
# The flat columns of CSV and xlsx: record key, header, and the xlsx look.
COLUMNS = (
    Column("demand_ref", "需求编号", width=10),
    Column("demand_title", "需求名称", max_width=30),
    Column("enterprise", "需求单位", max_width=20),
    Column("target_label", "对象类别", width=8, align="center"),
    Column("target_ref", "对象编号", width=10),
    Column("target_name", "对象名称", max_width=30),
    Column("target_unit", "所属单位", max_width=20),
    Column("rank", "排名", kind="integer", width=6),
    Column("score", "匹配度", kind="number", width=8),
    Column("explanation", "匹配理由", max_width=36),
    Column("shared_terms", "共同关键词", max_width=24),
    Column("status", "状态", width=8, align="center"),
    Column("note", "备注", max_width=24),
    Column("run_id", "匹配批次", kind="integer", width=8),
)
# Keys of the JSON records that only the review round trip needs.
_INTERNAL_KEYS = ("demand_id", "target_id", "decision")


@dataclass
class ExportResult:
    """Summary of a written export file."""

    path: str
    format: str
    rows: int

    def to_dict(self) -> dict:
        return {"status": "ok", **asdict(self)}


def export_matches(
    db: sqlite_utils.Database,
    path: Path,
    *,
    format: str | None = None,
    statuses: tuple[str, ...] = ("proposed", "accepted"),
    overwrite: bool = False,
) -> ExportResult:
    """Write the matches to `path` as csv, json or xlsx (from the suffix by default).

    Raises:
        UsageError: unknown format.
        OutputExists: the file exists and `overwrite` is false.
        OutputNotWritable: the file is locked or the folder read-only.
    """
    path = Path(path)
    chosen = (format or path.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise UsageError(f"--format 应为 csv、json 或 xlsx，收到“{chosen}”。")
    if path.exists() and not overwrite:
        raise OutputExists(f"文件已存在：{path}；加 --force 覆盖。", path=str(path))
    records = [_public(record) for record in match_records(db, statuses=statuses)]
    if chosen == "xlsx":
        _write_xlsx(path, records)
        return ExportResult(str(path), chosen, len(records))
    writer = {"csv": _write_csv, "json": _write_json}[chosen]
    try:
        writer(path, records)
    except OSError as exc:
        raise OutputNotWritable(
            f"无法写入 {path}：{exc}；文件可能正在 Excel/WPS 中打开。", path=str(path)
        ) from exc
    return ExportResult(str(path), chosen, len(records))


def _public(record: dict) -> dict:
    return {key: value for key, value in record.items() if key not in _INTERNAL_KEYS}


def _display(record: dict) -> dict:
    values = dict(record)
    values["status"] = STATUS_LABELS.get(record["status"], record["status"])
    values["shared_terms"] = "、".join(record["shared_terms"])
    return values


def _csv_cell(value) -> str:
    return "" if value is None else csv_safe(str(value))


def render_matches(
    db: sqlite_utils.Database,
    *,
    format: str = "csv",
    statuses: tuple[str, ...] = ("proposed", "accepted"),
) -> tuple[str, int]:
    """Return the matches as CSV or JSON text (for stdout) and their count.

    Raises:
        UsageError: a format other than csv or json.
    """
    if format not in ("csv", "json"):
        raise UsageError(
            f"输出到标准输出时 --format 应为 csv 或 json，收到“{format}”。"
        )
    records = [_public(record) for record in match_records(db, statuses=statuses)]
    render = _csv_text if format == "csv" else _json_text
    return render(records), len(records)


def _csv_text(records: list[dict]) -> str:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow([column.header for column in COLUMNS])
    for record in records:
        values = _display(record)
        writer.writerow([_csv_cell(values[column.key]) for column in COLUMNS])
    return handle.getvalue()


def _json_text(records: list[dict]) -> str:
    return json.dumps({"matches": records}, ensure_ascii=False, indent=2) + "\n"


def _write_csv(path: Path, records: list[dict]) -> None:
    path.write_text(_csv_text(records), encoding="utf-8-sig", newline="")


def _write_json(path: Path, records: list[dict]) -> None:
    path.write_text(_json_text(records), encoding="utf-8")


def _write_xlsx(path: Path, records: list[dict]) -> None:
    write_table_workbook(
        path,
        XLSX_TITLE,
        {"匹配": f"{len(records)} 对"},
        COLUMNS,
        [_display(record) for record in records],
        force=True,
    )
