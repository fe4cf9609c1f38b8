"""The review workbook round trip: export proposed matches, import people's decisions.

The exported sheet has one row per pair with a 决定 drop-down (同意/不同意/待定)
and a 备注 column. Reviewers may sort, filter, hide or delete rows: import reads
each remaining row by its key (the hidden 对接键 column, else the demand and
target references), never by its position.
"""

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kjd.db import transaction
from kjd.errors import FileRejected, OutputExists, OutputNotWritable
from kjd.match.score import PART_LABELS
from kjd.match.text import fold
from kjd.match.views import TARGET_LABELS, names_by_type

logger = logging.getLogger(__name__)

SHEET_TITLE = "待审匹配"
DECISION_HEADER = "决定"
NOTE_HEADER = "备注"
KEY_HEADER = "对接键"
DECISION_CHOICES = ("同意", "不同意", "待定")

_DECISION_WORDS = {
    "accepted": (
        "同意",
        "接受",
        "通过",
        "是",
        "可以",
        "yes",
        "y",
        "accept",
        "accepted",
        "√",
        "✓",
        "ok",
    ),
    "rejected": (
        "不同意",
        "否决",
        "拒绝",
        "不通过",
        "否",
        "不合适",
        "no",
        "n",
        "reject",
        "rejected",
        "×",
        "✗",
        "x",
    ),
    "pending": ("待定", "待议", "再议", "pending", "?", "？"),
}
_STATUS_OF = {"accepted": "accepted", "rejected": "rejected", "pending": "proposed"}

COLUMNS = (
    ("序号", 6),
    ("需求编号", 10),
    ("需求名称", 30),
    ("需求单位", 20),
    ("对象类别", 8),
    ("对象编号", 10),
    ("对象名称", 30),
    ("所属单位", 20),
    ("匹配度", 8),
    ("匹配理由", 36),
    ("共同关键词", 24),
    (DECISION_HEADER, 10),
    (NOTE_HEADER, 24),
    (KEY_HEADER, 16),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ReviewExport:
    """Summary of a written review workbook."""

    path: str
    rows: int

    def to_dict(self) -> dict:
        return {"status": "ok", **asdict(self)}


@dataclass
class ReviewImport:
    """Counts of the rows an import read, and the problems it found."""

    path: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    blank: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        document = asdict(self)
        document["status"] = "rejected" if self.problems else "ok"
        return document


def export_review(
    db: sqlite_utils.Database,
    path: Path,
    *,
    include_decided: bool = False,
    overwrite: bool = False,
) -> ReviewExport:
    """Write the review workbook: proposed matches (all matches with include_decided).

    Raises:
        OutputExists: the file exists and `overwrite` is false.
        OutputNotWritable: the file is open in Excel/WPS or the folder is read-only.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExists(f"文件已存在：{path}；加 --force 覆盖。", path=str(path))
    rows = _review_rows(db, include_decided)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _write_header(sheet)
    for number, values in enumerate(rows, start=1):
        _write_row(sheet, number + 1, [number, *values])
    _finish_sheet(sheet, len(rows))
    try:
        workbook.save(path)
    except OSError as exc:
        raise OutputNotWritable(
            f"无法写入 {path}：{exc}；文件可能正在 Excel/WPS 中打开。", path=str(path)
        ) from exc
    return ReviewExport(str(path), len(rows))


def _review_rows(db, include_decided: bool) -> list[list]:
    sql = (
        "SELECT m.*, d.ref AS demand_ref, d.title AS demand_title, "
        "d.enterprise_name, dc.decision, dc.note FROM matches m "
        "JOIN demands d ON d.id = m.demand_id LEFT JOIN decisions dc ON "
        "dc.demand_id = m.demand_id AND dc.target_type = m.target_type AND "
        "dc.target_id = m.target_id"
    )
    if not include_decided:
        sql += " WHERE m.status = 'proposed'"
    sql += (
        " ORDER BY m.demand_id, CASE m.target_type WHEN 'project' THEN 0 "
        "WHEN 'expert' THEN 1 ELSE 2 END, m.score DESC"
    )
    matches = list(db.query(sql))
    names = names_by_type(db, matches)
    rows = []
    for match in matches:
        kind = match["target_type"]
        target = names[kind].get(match["target_id"], {})
        decision = {"accepted": "同意", "rejected": "不同意", "pending": "待定"}.get(
            match["decision"] or "", ""
        )
        rows.append(
            [
                match["demand_ref"] or str(match["demand_id"]),
                match["demand_title"],
                match["enterprise_name"],
                TARGET_LABELS[kind],
                target.get("ref") or str(match["target_id"]),
                target.get("name"),
                target.get("unit"),
                round(match["score"], 1),
                explain(json.loads(match["parts"] or "{}")),
                "、".join(json.loads(match["shared_terms"] or "[]")),
                decision,
                match["note"],
                f"{match['demand_id']}:{kind}:{match['target_id']}",
            ]
        )
    return rows


def explain(parts: dict[str, float]) -> str:
    """Return the score parts as one line: '正文相关 31.2；标题相近 12'."""
    return "；".join(
        f"{PART_LABELS.get(name, name)} {value:g}"
        for name, value in parts.items()
        if value
    )


def _write_header(sheet) -> None:
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, (heading, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column, value=heading)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
        sheet.column_dimensions[get_column_letter(column)].width = width


def _write_row(sheet, row_number: int, values: list) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row_number, column=column)
        write_safe(cell, value)
        cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))


def write_safe(cell, value) -> None:
    """Store a value so that Excel never runs it: '=1+1' stays the text '=1+1'."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
        return
    cell.value = value


def _finish_sheet(sheet, rows: int) -> None:
    last_row = max(rows + 1, 2)
    decision_column = get_column_letter(_column_number(DECISION_HEADER))
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(DECISION_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="决定",
        error="请从下拉框选择：同意、不同意或待定。",
    )
    validation.add(f"{decision_column}2:{decision_column}{max(last_row, 1000)}")
    sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    sheet.column_dimensions[get_column_letter(_column_number(KEY_HEADER))].hidden = True
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _column_number(heading: str) -> int:
    return [h for h, _ in COLUMNS].index(heading) + 1


def parse_decision(value) -> str | None:
    """Return 'accepted', 'rejected', 'pending', '' for blank, None if unreadable."""
    text = fold(str(value)) if value is not None else ""
    if not text:
        return ""
    for decision, words in _DECISION_WORDS.items():
        if text in words:
            return decision
    return None


def import_review(db: sqlite_utils.Database, path: Path) -> ReviewImport:
    """Read the 决定 and 备注 of a review workbook into decisions and matches.

    Rows are found by key, whatever order or filter the sheet was left in. A
    decision also sets the match status (accepted/rejected, or proposed for 待定),
    all in one transaction. Rows whose decision cannot be read are listed in
    `problems` and change nothing.

    Raises:
        FileRejected: the file is not a readable workbook or has no 决定 column.
    """
    path = Path(path)
    sheet, header_row, columns = _open_review_sheet(path)
    result = ReviewImport(str(path))
    with transaction(db):
        for row_number, row in enumerate(
            sheet.iter_rows(min_row=header_row + 1, values_only=True),
            start=header_row + 1,
        ):
            if not any(v not in (None, "") for v in row):
                continue
            result.rows += 1
            _import_row(db, path, sheet.title, row_number, row, columns, result)
    return result


def _open_review_sheet(path: Path):
    try:
        workbook = load_workbook(path, read_only=False, data_only=True)
    except FileNotFoundError as exc:
        raise FileRejected(f"找不到审核工作簿：{path}", path=str(path)) from exc
    except Exception as exc:
        raise FileRejected(f"无法读取审核工作簿 {path}：{exc}", path=str(path)) from exc
    for sheet in workbook.worksheets:
        for row_number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=10, values_only=True), start=1
        ):
            headings = [fold(str(v)) if v is not None else "" for v in row]
            if DECISION_HEADER in headings:
                return sheet, row_number, {h: i for i, h in enumerate(headings) if h}
    raise FileRejected(
        f"{path.name} 中找不到“{DECISION_HEADER}”列；"
        "请使用 kjd match review --export 导出的工作簿。",
        path=str(path),
    )


def _import_row(db, path, sheet_title, row_number, row, columns, result) -> None:
    where = f"{path.name} › {sheet_title} › 第 {row_number} 行"
    key = _row_key(db, row, columns)
    if key is None:
        result.problems.append(
            f"{where}：找不到对应的匹配（对接键、需求编号或对象编号不对）"
        )
        return
    raw_decision = row[columns[DECISION_HEADER]] if DECISION_HEADER in columns else None
    decision = parse_decision(raw_decision)
    if decision is None:
        result.problems.append(
            f"{where} › 列“{DECISION_HEADER}”：不认识“{raw_decision}”，"
            "应为 同意、不同意 或 待定"
        )
        return
    note_index = columns.get(NOTE_HEADER)
    note = row[note_index] if note_index is not None and note_index < len(row) else None
    note = str(note).strip() if note not in (None, "") else None
    if decision == "" and note is None:
        result.blank += 1
        return
    decision = decision or "pending"
    if _apply_decision(db, key, decision, note):
        setattr(result, decision, getattr(result, decision) + 1)
    else:
        result.unchanged += 1


def _row_key(db, row, columns) -> tuple[int, str, int] | None:
    index = columns.get(fold(KEY_HEADER))
    if index is not None and index < len(row) and row[index]:
        parts = str(row[index]).split(":")
        if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
            key = (int(parts[0]), parts[1], int(parts[2]))
            if db.execute(
                "SELECT 1 FROM matches WHERE demand_id = ? AND target_type = ? "
                "AND target_id = ?",
                list(key),
            ).fetchone():
                return key
    return _key_from_refs(db, row, columns)


def _key_from_refs(db, row, columns) -> tuple[int, str, int] | None:
    def cell(heading):
        index = columns.get(heading)
        return (
            str(row[index]).strip()
            if index is not None and row[index] is not None
            else ""
        )

    kinds = {label: kind for kind, label in TARGET_LABELS.items()}
    kind = kinds.get(cell("对象类别"))
    demand_ref, target_ref = cell("需求编号"), cell("对象编号")
    if not kind or not demand_ref or not target_ref:
        return None
    table = {"project": "projects", "expert": "experts", "institute": "institutes"}[
        kind
    ]
    found = db.execute(
        f"SELECT m.demand_id, m.target_type, m.target_id FROM matches m "
        f"JOIN demands d ON d.id = m.demand_id JOIN [{table}] t ON t.id = m.target_id "
        "WHERE m.target_type = ? AND (d.ref = ? OR CAST(d.id AS TEXT) = ?) "
        "AND (t.ref = ? OR CAST(t.id AS TEXT) = ?)",
        [kind, demand_ref, demand_ref, target_ref, target_ref],
    ).fetchall()
    return tuple(found[0]) if len(found) == 1 else None


def _apply_decision(db, key, decision: str, note: str | None) -> bool:
    demand_id, target_type, target_id = key
    current = db.execute(
        "SELECT decision, note FROM decisions WHERE demand_id = ? AND target_type = ? "
        "AND target_id = ?",
        list(key),
    ).fetchone()
    if current is not None and current[0] == decision and (current[1] or None) == note:
        return False
    db.execute(
        "INSERT INTO decisions (demand_id, target_type, target_id, decision, note) "
        "VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(demand_id, target_type, target_id) DO UPDATE "
        "SET decision = excluded.decision, note = excluded.note, "
        "decided_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')",
        [demand_id, target_type, target_id, decision, note],
    )
    db.execute(
        "UPDATE matches SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%S', "
        "'now', 'localtime') WHERE demand_id = ? AND target_type = ? AND target_id = ?",
        [_STATUS_OF[decision], demand_id, target_type, target_id],
    )
    return True
