"""The match review workbook: one row per proposed pair, with a 决定 drop-down.

The shared print-ready layer (kjd.reports.workbook) writes it: a title block,
then one row per pair (demand, target, score, explanation) with a 决定
drop-down (同意/不同意/待定), a 备注 column and the 对接键 column that
`kjd.match.review_import` reads each row back by, and the instructions under
the table. Text is always stored as text, never as a formula.
"""

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlite_utils

from kjd.errors import OutputExists
from kjd.match.views import match_records
from kjd.reports.workbook import Column, write_table_workbook

logger = logging.getLogger(__name__)

TITLE = "匹配结果审核表"
SHEET_NAME = "待审匹配"
DECISION_HEADER = "决定"
NOTE_HEADER = "备注"
KEY_HEADER = "对接键"
DEMAND_REF_HEADER = "需求编号"
TARGET_LABEL_HEADER = "对象类别"
TARGET_REF_HEADER = "对象编号"
DECISION_CHOICES = ("同意", "不同意", "待定")
DECISION_LABELS = dict(
    zip(("accepted", "rejected", "pending"), DECISION_CHOICES, strict=True)
)
COLUMNS = (
    Column("demand_ref", DEMAND_REF_HEADER, width=10),
    Column("demand_title", "需求名称", max_width=30),
    Column("enterprise", "需求单位", max_width=20),
    Column("target_label", TARGET_LABEL_HEADER, width=8, align="center"),
    Column("target_ref", TARGET_REF_HEADER, width=10),
    Column("target_name", "对象名称", max_width=30),
    Column("target_unit", "所属单位", max_width=20),
    Column("score", "匹配度", kind="number", width=8),
    Column("explanation", "匹配理由", max_width=36),
    Column("shared_terms", "共同关键词", max_width=24),
    Column("decision", DECISION_HEADER, width=10, align="center"),
    Column("note", NOTE_HEADER, width=24),
    Column("key", KEY_HEADER, width=14, wrap=False),
)
NOTES = (
    "决定：从下拉框选“同意”“不同意”或“待定”，留空表示暂不处理；备注可写理由。",
    "填好后运行 kjd match review --import 本文件。可以排序、筛选、删除行，"
    "但请勿修改“对接键”列：导入时按它找到每一对匹配。",
)


@dataclass
class ReviewExport:
    """Summary of a written review workbook."""

    path: str
    rows: int

    def to_dict(self) -> dict:
        return {"status": "ok", **asdict(self)}


def export_review(
    db: sqlite_utils.Database,
    path: Path,
    *,
    include_decided: bool = False,
    overwrite: bool = False,
) -> ReviewExport:
    """Write the review workbook: proposed matches (all matches with include_decided).

    Decisions already made are filled in, so a workbook of all matches shows
    what was decided and can be edited and imported again.

    Raises:
        OutputExists: the file exists and `overwrite` is false.
        OutputNotWritable: the file is open in Excel/WPS or the folder is read-only.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExists(f"文件已存在：{path}；加 --force 覆盖。", path=str(path))
    statuses = None if include_decided else ("proposed",)
    rows = [_review_row(record) for record in match_records(db, statuses=statuses)]
    write_table_workbook(
        path,
        TITLE,
        {("全部匹配" if include_decided else "待审匹配"): f"{len(rows)} 对"},
        COLUMNS,
        rows,
        sheet_name=SHEET_NAME,
        validations={"decision": DECISION_CHOICES},
        notes=NOTES,
        force=True,
    )
    return ReviewExport(str(path), len(rows))


def match_key(demand_id: int, target_type: str, target_id: int) -> str:
    """Return the 对接键 of a pair: '12:project:345'."""
    return f"{demand_id}:{target_type}:{target_id}"


def _review_row(record: dict) -> dict:
    return {
        **record,
        "demand_ref": record["demand_ref"] or str(record["demand_id"]),
        "target_ref": record["target_ref"] or str(record["target_id"]),
        "shared_terms": "、".join(record["shared_terms"]),
        "decision": DECISION_LABELS.get(record["decision"] or "", ""),
        "key": match_key(
            record["demand_id"], record["target_type"], record["target_id"]
        ),
    }
