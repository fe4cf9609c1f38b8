"""The duplicate review workbook: write candidate pairs, read decisions back.

Staff fill the 决定 column (合并 / 不合并, a drop-down) and may switch 保留
(A / B); `apply_review` then merges or records each decided pair in one
transaction. Every cell is written as a string or a number, never as a
formula, so names that start with = + - @ show as typed.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import sqlite_utils
import xlsxwriter

from kjd.db import transaction
from kjd.errors import FileRejected, OutputExists, OutputNotWritable
from kjd.match.dedupe import CandidatePair, record_distinct
from kjd.match.merge import TABLES, merge_records
from kjd.match.rulelabels import rule_label

logger = logging.getLogger(__name__)

SHEET = "待核对"
META_SHEET = "kjd"
MERGE = "合并"
DISTINCT = "不合并"
KIND_LABELS = {"institute": "高校院所", "enterprise": "企业", "expert": "专家"}
HEADERS = (
    "组号",
    "记录A编号",
    "记录A名称",
    "记录A信息",
    "记录B编号",
    "记录B名称",
    "记录B信息",
    "相似度",
    "依据",
    "决定",
    "保留",
)


@dataclass
class ApplyResult:
    """What `apply_review` did."""

    kind: str
    merged: list[dict] = field(default_factory=list)
    distinct: int = 0
    undecided: int = 0
    skipped: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "merged": self.merged,
            "distinct": self.distinct,
            "undecided": self.undecided,
            "skipped": self.skipped,
        }


def export_review(
    db: sqlite_utils.Database,
    kind: str,
    pairs: list[CandidatePair],
    path: Path,
    *,
    force: bool = False,
) -> Path:
    """Write the review workbook for `pairs` to `path`.

    Raises:
        OutputExists: the file exists and `force` is false.
        OutputNotWritable: the file is open in Excel/WPS or the folder is read-only.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(f"文件已存在：{path}。加 --force 覆盖。", path=str(path))
    details = _details(db, kind, pairs)
    try:
        workbook = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False}
        )
        _write_pairs(workbook, kind, pairs, details)
        _write_meta(workbook, kind)
        workbook.close()
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        raise OutputNotWritable(
            f"无法写入 {path}：{exc}。请关闭正在打开它的 Excel/WPS 或换一个文件夹。",
            path=str(path),
        ) from exc
    return path


def apply_review(db: sqlite_utils.Database, path: Path) -> ApplyResult:
    """Apply the decisions of a review workbook in one transaction.

    合并 merges record B into A (or A into B when 保留 is B); 不合并 records
    that the two are different bodies. Rows whose records no longer exist
    (merged earlier in the same workbook: the merge follows to the kept
    record) are skipped with a reason.

    Raises:
        FileRejected: the file is not a kjd review workbook.
    """
    kind, rows = _read_review(Path(path))
    result = ApplyResult(kind=kind)
    merged_into: dict[int, int] = {}
    with transaction(db):
        for row_number, values in rows:
            _apply_row(db, kind, row_number, values, merged_into, result)
    return result


def _apply_row(db, kind, row_number, values, merged_into, result) -> None:
    decision = (values.get("决定") or "").strip()
    if not decision:
        result.undecided += 1
        return
    if decision not in (MERGE, DISTINCT):
        result.skipped.append(
            {
                "row_number": row_number,
                "reason": f"决定“{decision}”无效，应为合并或不合并",
            }
        )
        return
    id_a = _follow(merged_into, _as_id(values.get("记录A编号")))
    id_b = _follow(merged_into, _as_id(values.get("记录B编号")))
    if id_a is None or id_b is None:
        result.skipped.append({"row_number": row_number, "reason": "记录编号缺失"})
        return
    if id_a == id_b:
        result.skipped.append({"row_number": row_number, "reason": "两条记录已合并"})
        return
    missing = [
        entity_id for entity_id in (id_a, id_b) if not _exists(db, kind, entity_id)
    ]
    if missing:
        result.skipped.append(
            {"row_number": row_number, "reason": f"记录 {missing[0]} 已不存在"}
        )
        return
    if decision == DISTINCT:
        record_distinct(db, kind, id_a, id_b)
        result.distinct += 1
        return
    keep_b = (values.get("保留") or "A").strip().upper() == "B"
    kept, merged = (id_b, id_a) if keep_b else (id_a, id_b)
    merge_id = merge_records(db, kind, kept, merged)
    merged_into[merged] = kept
    result.merged.append(
        {
            "merge_id": merge_id,
            "kept_id": kept,
            "merged_id": merged,
            "row_number": row_number,
        }
    )


def _follow(merged_into: dict[int, int], entity_id: int | None) -> int | None:
    while entity_id in merged_into:
        entity_id = merged_into[entity_id]
    return entity_id


def _as_id(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _exists(db, kind: str, entity_id: int) -> bool:
    table = TABLES[kind]
    return bool(
        db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [entity_id]).fetchone()
    )


def _read_review(path: Path) -> tuple[str, list[tuple[int, dict]]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise FileRejected(f"无法读取审核表 {path}：{exc}", path=str(path)) from exc
    try:
        if SHEET not in workbook.sheetnames or META_SHEET not in workbook.sheetnames:
            raise FileRejected(
                f"{path} 不是 kjd dedupe --export 生成的审核表"
                f"（缺少工作表“{SHEET}”）。",
                path=str(path),
            )
        meta = {
            row[0]: row[1]
            for row in workbook[META_SHEET].iter_rows(values_only=True)
            if row and row[0]
        }
        kind = str(meta.get("kind") or "")
        if kind not in TABLES:
            raise FileRejected(f"{path} 的类型“{kind}”无效。", path=str(path))
        rows = list(workbook[SHEET].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    missing = [
        name for name in ("记录A编号", "记录B编号", "决定") if name not in header
    ]
    if missing:
        raise FileRejected(f"{path} › {SHEET}：缺少列“{missing[0]}”。", path=str(path))
    found = []
    for offset, row in enumerate(rows[1:], start=2):
        values = {
            name: (str(cell) if cell is not None else "")
            for name, cell in zip(header, row, strict=False)
        }
        if values.get("记录A编号") or values.get("记录B编号"):
            found.append((offset, values))
    return kind, found


def _details(db, kind: str, pairs: list[CandidatePair]) -> dict[int, str]:
    ids = {pair.id_a for pair in pairs} | {pair.id_b for pair in pairs}
    details = {}
    for entity_id in ids:
        details[entity_id] = _describe(db, kind, entity_id)
    return details


def _describe(db, kind: str, entity_id: int) -> str:
    if kind == "enterprise":
        row = db.execute(
            "SELECT credit_code, city, county FROM enterprises WHERE id = ?",
            [entity_id],
        ).fetchone()
        labels = ("信用代码", "市州", "县区")
    elif kind == "institute":
        row = db.execute(
            "SELECT kind, city, short_names FROM institutes WHERE id = ?", [entity_id]
        ).fetchone()
        labels = ("类型", "城市", "简称")
    else:
        row = db.execute(
            "SELECT institute_name, title, research_fields FROM experts WHERE id = ?",
            [entity_id],
        ).fetchone()
        labels = ("单位", "职称", "研究方向")
    if row is None:
        return ""
    pairs = zip(labels, row, strict=True)
    return "；".join(f"{label}：{value}" for label, value in pairs if value)


def _write_pairs(workbook, kind: str, pairs: list[CandidatePair], details) -> None:
    sheet = workbook.add_worksheet(SHEET)
    header_format = workbook.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
    )
    text_format = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
    number_format = workbook.add_format({"valign": "top", "border": 1})
    for column, title in enumerate(HEADERS):
        sheet.write_string(0, column, title, header_format)
    for row, pair in enumerate(pairs, start=1):
        texts = (
            pair.name_a,
            details.get(pair.id_a, ""),
            pair.name_b,
            details.get(pair.id_b, ""),
            rule_label(pair.rule),
        )
        sheet.write_number(row, 0, pair.cluster, number_format)
        sheet.write_number(row, 1, pair.id_a, number_format)
        sheet.write_string(row, 2, texts[0], text_format)
        sheet.write_string(row, 3, texts[1], text_format)
        sheet.write_number(row, 4, pair.id_b, number_format)
        sheet.write_string(row, 5, texts[2], text_format)
        sheet.write_string(row, 6, texts[3], text_format)
        sheet.write_number(row, 7, pair.score, number_format)
        sheet.write_string(row, 8, texts[4], text_format)
        sheet.write_blank(row, 9, None, number_format)
        sheet.write_string(row, 10, pair.keep, number_format)
    last = max(len(pairs), 1)
    sheet.data_validation(
        1, 9, last, 9,
        {"validate": "list", "source": [MERGE, DISTINCT],
         "input_title": "决定", "input_message": "合并 或 不合并；留空表示暂不处理"},
    )  # fmt: skip
    sheet.data_validation(
        1, 10, last, 10,
        {"validate": "list", "source": ["A", "B"],
         "input_title": "保留", "input_message": "合并后保留记录 A 还是记录 B"},
    )  # fmt: skip
    for column, width in enumerate((6, 9, 30, 30, 9, 30, 30, 8, 24, 9, 6)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, last, len(HEADERS) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.repeat_rows(0)
    sheet.fit_to_pages(1, 0)


def _write_meta(workbook, kind: str) -> None:
    sheet = workbook.add_worksheet(META_SHEET)
    sheet.write_string(0, 0, "kind")
    sheet.write_string(0, 1, kind)
    sheet.write_string(1, 0, "label")
    sheet.write_string(1, 1, KIND_LABELS[kind])
    sheet.hide()


def review_duplicates(
    db: sqlite_utils.Database,
    kind: str,
    *,
    threshold: float,
    export: Path | None = None,
    force: bool = False,
) -> dict:
    """Find the candidate pairs of `kind` and write the review workbook if asked.

    Returns the pairs (as dicts), the number of clusters and the workbook path.
    """
    from kjd.match.aliases import ensure_seeded
    from kjd.match.dedupe import find_duplicates

    ensure_seeded(db)
    pairs = find_duplicates(db, kind, threshold=threshold)
    written = export_review(db, kind, pairs, export, force=force) if export else None
    return {
        "kind": kind,
        "threshold": threshold,
        "pairs": [pair.to_dict() for pair in pairs],
        "clusters": len({pair.cluster for pair in pairs}),
        "workbook": str(written) if written else None,
    }
