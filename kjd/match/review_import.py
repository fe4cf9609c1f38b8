"""Read a filled match review workbook back into decisions and match statuses.

Reviewers may sort, filter, hide or delete rows and move columns. Each column is
found by its header, wherever the header row is: row 3 under the title block,
or row 1 in workbooks written before the title block existed. Each row is
found by its 对接键, else by its 需求编号, 对象类别 and 对象编号, never by its
position.
"""

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils
from openpyxl import load_workbook

from kjd.db import transaction
from kjd.errors import FileRejected
from kjd.match.dedupe_review import TITLE_SUFFIX as DEDUPE_TITLE_SUFFIX
from kjd.match.review import (
    DECISION_HEADER,
    DEMAND_REF_HEADER,
    KEY_HEADER,
    NOTE_HEADER,
    TARGET_LABEL_HEADER,
    TARGET_REF_HEADER,
)
from kjd.match.text import fold
from kjd.match.views import label_types

logger = logging.getLogger(__name__)

# The header row is searched for within this many rows from the top.
HEADER_SEARCH_ROWS = 10
REFERENCE_HEADERS = (DEMAND_REF_HEADER, TARGET_LABEL_HEADER, TARGET_REF_HEADER)

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
_TABLES = {"project": "projects", "expert": "experts", "institute": "institutes"}


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


@dataclass
class _ReviewRow:
    """One data row of the sheet: its Excel row number and its cells by header."""

    row_number: int
    cells: dict[str, str]

    def get(self, header: str) -> str:
        return self.cells.get(fold(header), "")


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
    all in one transaction. Rows whose decision cannot be read, or whose pair is
    not in the database, are listed in `problems` and change nothing.

    Raises:
        FileRejected: the file is not a readable workbook, is not a match review
            workbook (no 决定 column next to 对接键 or the reference columns),
            or none of its rows is a match of this database.
    """
    path = Path(path)
    sheet_title, rows = _read_review(path)
    keys = {row.row_number: _row_key(db, row) for row in rows}
    if rows and not any(keys.values()):
        raise FileRejected(
            f"{path} 中没有一行对应本数据库中的匹配"
            "（对接键、需求编号、对象编号都对不上）；"
            "请确认 --db 是导出时用的数据库，或重新导出审核工作簿。",
            path=str(path),
        )
    result = ReviewImport(str(path), rows=len(rows))
    with transaction(db):
        for row in rows:
            where = f"{path.name} › {sheet_title} › 第 {row.row_number} 行"
            _import_row(db, where, row, keys[row.row_number], result)
    return result


def _read_review(path: Path) -> tuple[str, list[_ReviewRow]]:
    """Return the review sheet's title and its data rows."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise FileRejected(f"找不到审核工作簿：{path}", path=str(path)) from exc
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise FileRejected(f"无法读取审核工作簿 {path}：{exc}", path=str(path)) from exc
    try:
        titles = []
        for sheet in workbook.worksheets:
            # Read every row even when the file's stored sheet size is wrong.
            sheet.reset_dimensions()
            rows = list(sheet.iter_rows(values_only=True))
            header_index = _header_index(rows)
            if header_index is not None:
                return sheet.title, _data_rows(rows, header_index)
            titles.extend(_texts(rows[:HEADER_SEARCH_ROWS]))
    finally:
        workbook.close()
    raise FileRejected(_not_review_message(path, titles), path=str(path))


def _header_index(rows: list[tuple]) -> int | None:
    # The header row has 决定 and a way to find the pair: the key or the refs.
    wanted_key = fold(KEY_HEADER)
    wanted_refs = {fold(header) for header in REFERENCE_HEADERS}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = set(_texts([row]))
        if fold(DECISION_HEADER) not in headers:
            continue
        if wanted_key in headers or wanted_refs <= headers:
            return index
    return None


def _data_rows(rows: list[tuple], header_index: int) -> list[_ReviewRow]:
    # Rows without a key, references or decision are not pairs: the notes under
    # the table, blank rows, a reviewer's own remarks.
    headers = [fold(_text(cell)) for cell in rows[header_index]]
    found = []
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {
            header: _text(cell)
            for header, cell in zip(headers, row, strict=False)
            if header
        }
        review_row = _ReviewRow(number, cells)
        has_refs = review_row.get(DEMAND_REF_HEADER) and review_row.get(
            TARGET_REF_HEADER
        )
        if review_row.get(KEY_HEADER) or has_refs or review_row.get(DECISION_HEADER):
            found.append(review_row)
    return found


def _not_review_message(path: Path, titles: list[str]) -> str:
    message = (
        f"{path} 不是匹配审核工作簿：前 {HEADER_SEARCH_ROWS} 行没有“{DECISION_HEADER}”"
        f"和“{KEY_HEADER}”（或需求编号、对象类别、对象编号）列，未导入任何决定"
    )
    if any(title.endswith(DEDUPE_TITLE_SUFFIX) for title in titles):
        return message + "；这是疑似重复审核表，请用 kjd dedupe --apply 导入。"
    return message + "；请导入 kjd match review --export 导出并填好的工作簿。"


def _texts(rows: list[tuple]) -> list[str]:
    return [fold(_text(cell)) for row in rows for cell in row if cell is not None]


def _text(cell) -> str:
    # A number cell that Excel or WPS saved as 12.0 reads back as 12.
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip() if cell is not None else ""


def _import_row(db, where: str, row: _ReviewRow, key, result: ReviewImport) -> None:
    if key is None:
        result.problems.append(
            f"{where}：找不到对应的匹配（对接键、需求编号或对象编号不对）"
        )
        return
    raw_decision = row.get(DECISION_HEADER)
    decision = parse_decision(raw_decision)
    if decision is None:
        result.problems.append(
            f"{where} › 列“{DECISION_HEADER}”：不认识“{raw_decision}”，"
            "应为 同意、不同意 或 待定"
        )
        return
    note = row.get(NOTE_HEADER) or None
    if decision == "" and note is None:
        result.blank += 1
        return
    decision = decision or "pending"
    if _apply_decision(db, key, decision, note):
        setattr(result, decision, getattr(result, decision) + 1)
    else:
        result.unchanged += 1


def _row_key(db, row: _ReviewRow) -> tuple[int, str, int] | None:
    parts = row.get(KEY_HEADER).split(":")
    if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
        key = (int(parts[0]), parts[1], int(parts[2]))
        if db.execute(
            "SELECT 1 FROM matches WHERE demand_id = ? AND target_type = ? "
            "AND target_id = ?",
            list(key),
        ).fetchone():
            return key
    return _key_from_refs(db, row)


def _key_from_refs(db, row: _ReviewRow) -> tuple[int, str, int] | None:
    kind = label_types().get(row.get(TARGET_LABEL_HEADER))
    demand_ref = row.get(DEMAND_REF_HEADER)
    target_ref = row.get(TARGET_REF_HEADER)
    if not kind or not demand_ref or not target_ref:
        return None
    found = db.execute(
        f"SELECT m.demand_id, m.target_type, m.target_id FROM matches m "
        f"JOIN demands d ON d.id = m.demand_id "
        f"JOIN [{_TABLES[kind]}] t ON t.id = m.target_id "
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
