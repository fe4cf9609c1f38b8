"""`kjd dedupe`: find duplicate records, review them in Excel, merge, undo."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kjd.commands.common import command_options, emit_json, say, stdout_console
from kjd.config import Settings
from kjd.defaults import DEDUPE_THRESHOLD
from kjd.errors import UsageError

KIND_ARGUMENTS = {
    "institutes": "institute",
    "enterprises": "enterprise",
    "experts": "expert",
}


def register(app: typer.Typer) -> None:
    """Add `kjd dedupe` to the kjd app."""
    app.command("dedupe")(dedupe_command)


@command_options
def dedupe_command(
    settings: Settings,
    kind: Annotated[
        str | None,
        typer.Argument(
            help="institutes（高校院所）、enterprises（企业）或 experts（专家）。",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            min=0,
            max=100,
            help="相似度不低于此值（0–100）的记录对列为疑似重复。",
        ),
    ] = DEDUPE_THRESHOLD,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export", help="把疑似重复写入审核表（xlsx），在“决定”列选合并/不合并。"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已存在的审核表。")
    ] = False,
    apply: Annotated[
        Path | None,
        typer.Option("--apply", help="按填好的审核表合并记录或标记为不同单位。"),
    ] = None,
    undo: Annotated[
        int | None,
        typer.Option(
            "--undo",
            help="撤销编号为 MERGE_ID 的合并，恢复合并前的状态。",
            metavar="MERGE_ID",
        ),
    ] = None,
    merges: Annotated[
        bool,
        typer.Option("--merges", help="列出最近的合并及其编号（供 --undo 使用）。"),
    ] = False,
) -> None:
    """找出疑似重复的高校院所、企业或专家，导出审核表，按审核结果合并或撤销合并。

    示例：kjd dedupe enterprises --export 查重.xlsx，填好后 kjd dedupe --apply 查重.xlsx
    """
    from kjd.db import open_db

    modes = [bool(kind or export), apply is not None, undo is not None, merges]
    if sum(modes) != 1:
        raise UsageError(
            "请只选一种用法：kjd dedupe 类型 [--export 文件]、--apply 文件、"
            "--undo MERGE_ID 或 --merges。"
        )
    db = open_db(settings.db_path)
    if apply is not None:
        _apply(settings, db, apply)
    elif undo is not None:
        _undo(settings, db, undo)
    elif merges:
        _merges(settings, db)
    else:
        _find(settings, db, kind, threshold, export, force)


def _find(settings, db, kind, threshold, export, force) -> None:
    from kjd.db import transaction
    from kjd.match.dedupe_review import KIND_LABELS, review_duplicates

    if kind is None or kind not in KIND_ARGUMENTS:
        raise UsageError(
            f"类型“{kind or ''}”无效，应为 institutes、enterprises 或 experts。",
            kind=kind,
        )
    entity_kind = KIND_ARGUMENTS[kind]
    with transaction(db):
        result = review_duplicates(
            db, entity_kind, threshold=threshold, export=export, force=force
        )
    if settings.json:
        emit_json({"status": "ok", **result})
        return
    pairs = result["pairs"]
    label = KIND_LABELS[entity_kind]
    table = Table("组", "A", "名称 A", "B", "名称 B", "相似度", "依据")
    for column in (2, 4, 6):
        table.columns[column].overflow = "fold"
    for pair in pairs:
        table.add_row(
            str(pair["cluster"]),
            str(pair["id_a"]),
            escape(pair["name_a"]),
            str(pair["id_b"]),
            escape(pair["name_b"]),
            f"{pair['score']:.0f}",
            escape(pair["rule_label"]),
        )
    if pairs:
        stdout_console().print(table)
    stdout_console().print(
        f"{label}：{len(pairs)} 对疑似重复，{result['clusters']} 组"
        f"（阈值 {threshold:g}）。"
    )
    if result["workbook"]:
        stdout_console().print(f"审核表：{escape(result['workbook'])}")


def _apply(settings, db, path: Path) -> None:
    from kjd.match.dedupe_review import apply_review

    result = apply_review(db, path).to_dict()
    if settings.json:
        emit_json({"status": "ok", **result})
        return
    console = stdout_console()
    for merge in result["merged"]:
        console.print(
            f"合并 {merge['merge_id']}："
            f"记录 {merge['merged_id']} 并入 {merge['kept_id']}"
        )
    console.print(
        f"已合并 {len(result['merged'])} 对，标记不同单位 {result['distinct']} 对，"
        f"未填写 {result['undecided']} 对，跳过 {len(result['skipped'])} 对。"
    )
    for skipped in result["skipped"]:
        say(
            settings,
            f"第 {skipped['row_number']} 行：{escape(skipped['reason'])}",
            "yellow",
        )


def _undo(settings, db, merge_id: int) -> None:
    from kjd.db import transaction
    from kjd.match.merge import undo_merge

    with transaction(db):
        result = undo_merge(db, merge_id)
    if settings.json:
        emit_json({"status": "ok", **result})
        return
    stdout_console().print(
        f"已撤销合并 {merge_id}：记录 {result['merged_id']} 已恢复，引用已移回。"
    )


def _merges(settings, db) -> None:
    from kjd.match.dedupe_review import KIND_LABELS
    from kjd.match.merge import list_merges

    rows = list_merges(db)
    if settings.json:
        emit_json({"status": "ok", "merges": rows})
        return
    table = Table("编号", "类型", "保留", "并入", "时间", "撤销")
    for row in rows:
        table.add_row(
            str(row["id"]),
            KIND_LABELS.get(row["kind"], row["kind"]),
            f"{row['kept_id']} {escape(row['kept_name'] or '')}",
            f"{row['merged_id']} {escape(row['merged_name'] or '')}",
            row["merged_at"],
            row["undone_at"] or "",
        )
    stdout_console().print(table)
