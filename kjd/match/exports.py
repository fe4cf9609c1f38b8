"""Write stored matches to CSV, JSON or xlsx with demand and target references.

CSV is for other programs and for Excel: UTF-8 with BOM (Excel on Chinese
Windows reads it without garbling), and a cell starting with = + - @, a tab or a
carriage return gets a leading apostrophe so that Excel shows it as text
instead of running it. JSON keeps values as they are. xlsx cells are typed as
text, so no formula can be written.
"""

import csv
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kjd.errors import OutputExists, OutputNotWritable, UsageError
from kjd.match.review import explain, write_safe
from kjd.match.views import STATUS_LABELS, TARGET_LABELS, names_by_type

logger = logging.getLogger(__name__)

FORMATS = ("csv", "json", "xlsx")
FIELDS = (
    ("demand_ref", "需求编号"),
    ("demand_title", "需求名称"),
    ("enterprise", "需求单位"),
    ("target_type", "对象类别"),
    ("target_ref", "对象编号"),
    ("target_name", "对象名称"),
    ("target_unit", "所属单位"),
    ("rank", "排名"),
    ("score", "匹配度"),
    ("explanation", "匹配理由"),
    ("shared_terms", "共同关键词"),
    ("status", "状态"),
    ("note", "备注"),
    ("run_id", "匹配批次"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportResult:
    """Summary of a written export file."""

    path: str
    format: str
    rows: int

    def to_dict(self) -> dict:
        return {"status": "ok", **asdict(self)}


def match_records(
    db: sqlite_utils.Database, *, statuses: tuple[str, ...] = ("proposed", "accepted")
) -> list[dict]:
    """Return stored matches with the references and names of both sides."""
    sql = (
        "SELECT m.*, d.ref AS demand_ref, d.title AS demand_title, "
        "d.enterprise_name, dc.note FROM matches m "
        "JOIN demands d ON d.id = m.demand_id "
        "LEFT JOIN decisions dc ON dc.demand_id = m.demand_id AND "
        "dc.target_type = m.target_type AND dc.target_id = m.target_id "
        "WHERE m.status IN (SELECT value FROM json_each(?)) "
        "ORDER BY m.demand_id, m.target_type, m.rank, m.score DESC"
    )
    rows = list(db.query(sql, [json.dumps(list(statuses))]))
    names = names_by_type(db, rows)
    records = []
    for row in rows:
        target = names[row["target_type"]].get(row["target_id"], {})
        parts = json.loads(row["parts"] or "{}")
        records.append(
            {
                "demand_ref": row["demand_ref"],
                "demand_title": row["demand_title"],
                "enterprise": row["enterprise_name"],
                "target_type": row["target_type"],
                "target_ref": target.get("ref"),
                "target_name": target.get("name"),
                "target_unit": target.get("unit"),
                "rank": row["rank"],
                "score": round(row["score"], 1),
                "parts": parts,
                "explanation": explain(parts),
                "shared_terms": json.loads(row["shared_terms"] or "[]"),
                "status": row["status"],
                "note": row["note"],
                "run_id": row["run_id"],
                "match_rule": row["match_rule"],
            }
        )
    return records


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
    records = match_records(db, statuses=statuses)
    writer = {"csv": _write_csv, "json": _write_json, "xlsx": _write_xlsx}[chosen]
    try:
        writer(path, records)
    except OSError as exc:
        raise OutputNotWritable(
            f"无法写入 {path}：{exc}；文件可能正在 Excel/WPS 中打开。", path=str(path)
        ) from exc
    return ExportResult(str(path), chosen, len(records))


def _display(record: dict) -> list:
    values = []
    for key, _ in FIELDS:
        value = record[key]
        if key == "target_type":
            value = TARGET_LABELS[value]
        elif key == "status":
            value = STATUS_LABELS.get(value, value)
        elif key == "shared_terms":
            value = "、".join(value)
        values.append(value)
    return values


def csv_safe(value) -> str:
    """Return a CSV cell that Excel shows as text: '=1+1' → \"'=1+1\"."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write_csv(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([label for _, label in FIELDS])
        for record in records:
            writer.writerow([csv_safe(v) for v in _display(record)])


def _write_json(path: Path, records: list[dict]) -> None:
    document = {"matches": records}
    path.write_text(
        json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _write_xlsx(path: Path, records: list[dict]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "匹配结果"
    for column, (_, label) in enumerate(FIELDS, start=1):
        cell = sheet.cell(row=1, column=column, value=label)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = 14
    for row_number, record in enumerate(records, start=2):
        for column, value in enumerate(_display(record), start=1):
            write_safe(sheet.cell(row=row_number, column=column), value)
    sheet.freeze_panes = "A2"
    workbook.save(path)
