"""The duplicate review workbook: write candidate pairs, read decisions back.

Staff fill the 决定 column (合并 / 不合并, a drop-down) and may switch 保留
(A / B); `apply_review` then merges or records each decided pair in one
transaction. The workbook is written by the shared print-ready layer
(kjd.reports.workbook): text is stored as text, never as a formula, so names
that start with = + - @ show as typed. Its title names the record kind
(企业疑似重复审核表), which is how `apply_review` knows what to merge.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import sqlite_utils

from kjd.db import transaction
from kjd.errors import FileRejected, OutputExists
from kjd.match.dedupe import CandidatePair, record_distinct
from kjd.match.merge import TABLES, merge_records
from kjd.match.rulelabels import rule_label
from kjd.reports.workbook import Column, write_table_workbook

logger = logging.getLogger(__name__)

SHEET = "待核对"
# Workbooks written before the title named the kind keep it on this hidden sheet.
META_SHEET = "kjd"
TITLE_SUFFIX = "疑似重复审核表"
MERGE = "合并"
DISTINCT = "不合并"
KIND_LABELS = {"institute": "高校院所", "enterprise": "企业", "expert": "专家"}
COLUMNS = (
    Column("cluster", "组号", kind="integer", width=6),
    Column("id_a", "记录A编号", kind="integer", width=9),
    Column("name_a", "记录A名称", max_width=30),
    Column("detail_a", "记录A信息", max_width=30),
    Column("id_b", "记录B编号", kind="integer", width=9),
    Column("name_b", "记录B名称", max_width=30),
    Column("detail_b", "记录B信息", max_width=30),
    Column("score", "相似度", kind="number", width=8),
    Column("rule_label", "依据", max_width=24),
    Column("decision", "决定", width=9, align="center"),
    Column("keep", "保留", width=6, align="center"),
)
NOTES = (
    "决定：选“合并”或“不合并”，留空表示暂不处理。"
    "保留：合并后保留记录 A 还是记录 B，默认 A。",
    "填好后运行 kjd dedupe --apply 本文件；选了“不合并”的记录对以后不再列出。",
)
# The header row is searched for within this many rows from the top.
_HEADER_SEARCH_ROWS = 10


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

    One print-ready sheet 待核对 with the title block, a row per pair with
    drop-downs in 决定 and 保留, and the instructions under the table.

    Raises:
        OutputExists: the file exists and `force` is false.
        OutputNotWritable: the file is open in Excel/WPS or the folder is read-only.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(f"文件已存在：{path}。加 --force 覆盖。", path=str(path))
    details = _details(db, kind, pairs)
    rows = [_pair_row(pair, details) for pair in pairs]
    write_table_workbook(
        path,
        review_title(kind),
        {"类型": KIND_LABELS[kind], "疑似重复": f"{len(pairs)} 对"},
        COLUMNS,
        rows,
        sheet_name=SHEET,
        validations={"decision": [MERGE, DISTINCT], "keep": ["A", "B"]},
        notes=NOTES,
        numbered=False,
        force=True,
    )
    return path


def review_title(kind: str) -> str:
    """Return the title of the review workbook of `kind`: 企业疑似重复审核表."""
    return KIND_LABELS[kind] + TITLE_SUFFIX


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
    # A number cell that Excel or WPS saved as 12.0 reads back as "12.0".
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _exists(db, kind: str, entity_id: int) -> bool:
    table = TABLES[kind]
    return bool(
        db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [entity_id]).fetchone()
    )


def _read_review(path: Path) -> tuple[str, list[tuple[int, dict]]]:
    """Return the record kind and the data rows (Excel row number, values by header)."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise FileRejected(f"无法读取审核表 {path}：{exc}", path=str(path)) from exc
    try:
        if SHEET not in workbook.sheetnames:
            raise FileRejected(
                f"{path} 不是 kjd dedupe --export 生成的审核表"
                f"（缺少工作表“{SHEET}”）。",
                path=str(path),
            )
        rows = list(workbook[SHEET].iter_rows(values_only=True))
        meta = _meta_kind(workbook)
    finally:
        workbook.close()

    header_index = _header_index(rows)
    if header_index is None:
        raise FileRejected(
            f"{path} › {SHEET}：前 {_HEADER_SEARCH_ROWS} 行没有“记录A编号”列，"
            "请用 kjd dedupe --export 重新导出审核表。",
            path=str(path),
        )
    header = [_text(cell) for cell in rows[header_index]]
    missing = [name for name in ("记录B编号", "决定") if name not in header]
    if missing:
        raise FileRejected(f"{path} › {SHEET}：缺少列“{missing[0]}”。", path=str(path))
    kind = meta or _title_kind(rows[:header_index])
    if kind not in TABLES:
        titles = "、".join(review_title(name) for name in KIND_LABELS)
        raise FileRejected(
            f"{path} › {SHEET}：标题应为{titles}之一，无法判断记录类型；"
            "请勿修改标题，或重新导出审核表。",
            path=str(path),
        )

    found = []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        values = {name: _text(cell) for name, cell in zip(header, row, strict=False)}
        if values.get("记录A编号") or values.get("记录B编号"):
            found.append((offset, values))
    return kind, found


def _meta_kind(workbook) -> str:
    if META_SHEET not in workbook.sheetnames:
        return ""
    meta = {
        row[0]: row[1]
        for row in workbook[META_SHEET].iter_rows(values_only=True)
        if row and row[0]
    }
    return str(meta.get("kind") or "")


def _header_index(rows: list[tuple]) -> int | None:
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if "记录A编号" in (_text(cell) for cell in row):
            return index
    return None


def _title_kind(rows: list[tuple]) -> str:
    by_title = {review_title(kind): kind for kind in KIND_LABELS}
    for row in rows:
        for cell in row:
            kind = by_title.get(_text(cell))
            if kind:
                return kind
    return ""


def _text(cell) -> str:
    return str(cell).strip() if cell is not None else ""


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


def _pair_row(pair: CandidatePair, details: dict[int, str]) -> dict:
    return {
        "cluster": pair.cluster,
        "id_a": pair.id_a,
        "name_a": pair.name_a,
        "detail_a": details.get(pair.id_a, ""),
        "id_b": pair.id_b,
        "name_b": pair.name_b,
        "detail_b": details.get(pair.id_b, ""),
        "score": pair.score,
        "rule_label": rule_label(pair.rule),
        "decision": None,
        "keep": pair.keep,
    }


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
