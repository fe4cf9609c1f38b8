"""`kjd import`: read roster files into the database and show what happened."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from kjd import db as database
from kjd.commands.common import (
    command_options,
    emit_json,
    stderr_console,
    stdout_console,
)
from kjd.config import Settings
from kjd.errors import EXIT_FAILED, EXIT_REJECTED, EXIT_USAGE, UsageError
from kjd.importers import ImportReport, import_paths
from kjd.importers.report import (
    STATUS_AMBIGUOUS,
    STATUS_FAILED,
    STATUS_HIDDEN,
    STATUS_NOT_ROSTER,
    STATUS_OK,
    STATUS_REJECTED,
    STATUS_UNCHANGED_FILE,
)
from kjd.importers.rosters import KIND_LABELS, KINDS

STATUS_LABELS = {
    STATUS_OK: "成功",
    STATUS_REJECTED: "有拒收",
    STATUS_FAILED: "失败",
    STATUS_NOT_ROSTER: "非名单",
    STATUS_HIDDEN: "隐藏表",
    STATUS_UNCHANGED_FILE: "未变化",
    STATUS_AMBIGUOUS: "类型不明",
}
SKIP_LABELS = {
    "blank": "空行",
    "footer": "合计/说明行",
    "hidden": "隐藏行",
    "header-repeat": "重复表头",
    "after-end": "“以下空白”之后",
}
WARNINGS_SHOWN = 5
PREVIEW_COLUMNS = 8
PREVIEW_WIDTH = 24


def register(app: typer.Typer) -> None:
    """Add `kjd import` to the kjd app."""
    app.command("import")(import_command)


@command_options
def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="名单文件或文件夹（xlsx、xlsm、xls、csv、tsv）。"),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=f"名单类型：{'、'.join(KINDS)}（默认按表头自动识别）。",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="只导入这个名称的工作表。")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="只检查并预览前几行，不写入数据库和拒收清单。"),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="文件中有任何一行被拒收时，整个文件都不写入。"),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help="所有拒收行写入这个工作簿（默认写在名单旁：名单_未导入.xlsx）。",
        ),
    ] = None,
    preview: Annotated[
        int, typer.Option("--preview", help="--dry-run 时每个工作表预览的行数。")
    ] = 5,
    skip_unchanged: Annotated[
        bool,
        typer.Option(
            "--skip-unchanged", help="跳过内容与上次成功导入时完全相同的文件。"
        ),
    ] = False,
    *,
    settings: Settings,
) -> None:
    """导入高校院所、专家、科技成果、企业或企业需求名单。

    示例：kjd import 企业技术需求汇总表.xlsx --dry-run
    """
    for path in files:
        if not path.exists():
            raise UsageError(f"文件不存在：{path}", path=str(path))
    db = _open_db(settings.db_path, dry_run)
    with _progress(settings) as on_progress:
        report = import_paths(
            db,
            files,
            kind=kind,
            sheet=sheet,
            dry_run=dry_run,
            strict=strict,
            rejects_path=rejects,
            on_progress=on_progress,
            skip_unchanged=skip_unchanged,
            preview_rows=preview if dry_run else 0,
        )
    if settings.json:
        emit_json(report.to_dict())
    else:
        _render(report, settings)
    raise typer.Exit(_exit_code(report))


def _open_db(path: Path, dry_run: bool):
    # A dry run writes nothing, so it neither creates the database file nor
    # upgrades an older one.
    if dry_run:
        return database.open_db_for_preview(path)
    return database.open_db(path)


class _progress:
    """A transient rich progress bar on a terminal; nothing otherwise."""

    def __init__(self, settings: Settings):
        self.enabled = sys.stderr.isatty() and not (settings.quiet or settings.json)
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.enabled:
            return None
        self.bar = Progress(
            TextColumn("导入"),
            BarColumn(),
            MofNCompleteColumn(),
            console=stderr_console(),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("import", total=None)
        return self.update

    def update(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc_info):
        if self.bar is not None:
            self.bar.stop()
        return False


def _render(report: ImportReport, settings: Settings) -> None:
    if not settings.quiet:
        _render_summary(report)
        _render_warnings(report, settings)
    if report.dry_run:
        _render_previews(report)
    totals = report.totals()
    prefix = "预检（未写入）" if report.dry_run else "导入完成"
    stdout_console().print(
        f"{prefix}：读取 {totals['read']} 行，新增 {totals['inserted']}，"
        f"更新 {totals['updated']}，未变 {totals['unchanged']}，"
        f"拒收 {totals['rejected']}，跳过 {totals['skipped']}"
    )


def _render_summary(report: ImportReport) -> None:
    console = stderr_console()
    if not sys.stderr.isatty():
        for result in report.sheets:
            console.print(escape(_summary_line(result)), soft_wrap=True)
        return
    table = Table(title="导入结果")
    for heading in ("文件", "工作表", "类型", "表头行", "读取", "新增", "更新"):
        table.add_column(heading)
    for heading in ("未变", "拒收", "跳过", "警告", "状态"):
        table.add_column(heading)
    for result in report.sheets:
        table.add_row(
            escape(Path(result.path).name),
            escape(result.sheet or ""),
            _kind_label(result),
            str(result.header_row or ""),
            *(
                str(getattr(result, key))
                for key in ("read", "inserted", "updated", "unchanged")
            ),
            *(str(getattr(result, key)) for key in ("rejected", "skipped", "warnings")),
            STATUS_LABELS.get(result.status, result.status),
        )
    console.print(table)
    for result in report.sheets:
        if result.message and result.status != STATUS_OK:
            console.print(f"{escape(Path(result.path).name)}：{escape(result.message)}")


def _summary_line(result) -> str:
    place = Path(result.path).name + (f" › {result.sheet}" if result.sheet else "")
    status = STATUS_LABELS.get(result.status, result.status)
    if result.kind is None:
        return f"{place}：{status}（{result.message or ''}）"
    skipped = "、".join(
        f"{SKIP_LABELS.get(key, key)} {count}"
        for key, count in result.skipped_reasons.items()
    )
    line = (
        f"{place}：{_kind_label(result)}，表头第 {result.header_row} 行，"
        f"读取 {result.read}，新增 {result.inserted}，更新 {result.updated}，"
        f"未变 {result.unchanged}，拒收 {result.rejected}，跳过 {result.skipped}"
    )
    if skipped:
        line += f"（{skipped}）"
    line += f"，警告 {result.warnings}，{status}"
    if result.message:
        line += f"：{result.message}"
    return line


def _kind_label(result) -> str:
    label = KIND_LABELS.get(result.kind, "")
    return f"{label}（按表头识别）" if label and result.kind_detected else label


def _render_warnings(report: ImportReport, settings: Settings) -> None:
    console = stderr_console()
    if report.dry_run:
        saved_where = "预检不保存警告（加 -v 显示更多）"
    else:
        saved_where = "见数据库 import_warnings 表（加 -v 显示更多）"
    for result in report.sheets:
        place = Path(result.path).name + (f" › {result.sheet}" if result.sheet else "")
        if result.rejects_path:
            console.print(f"拒收清单：{escape(result.rejects_path)}", soft_wrap=True)
        limit = len(result.warning_messages) if settings.verbose else WARNINGS_SHOWN
        for message in result.warning_messages[:limit]:
            console.print(
                f"[yellow]警告：[/]{escape(place)} › {escape(message)}", soft_wrap=True
            )
        hidden = result.warnings - min(limit, len(result.warning_messages))
        if hidden > 0:
            console.print(f"{escape(place)}：另有 {hidden} 条警告，" + saved_where)


def _render_previews(report: ImportReport) -> None:
    console = stdout_console()
    for result in report.sheets:
        if not result.preview:
            continue
        labels = list(result.preview[0])[:PREVIEW_COLUMNS]
        title = (
            f"{Path(result.path).name} › {result.sheet}（前 {len(result.preview)} 行）"
        )
        table = Table(title=escape(title))
        for label in labels:
            table.add_column(
                escape(label), max_width=PREVIEW_WIDTH, overflow="ellipsis"
            )
        for cells in result.preview:
            table.add_row(*(escape(_short(cells.get(label))) for label in labels))
        console.print(table)


def _short(value: str | None) -> str:
    if not value:
        return ""
    text = value.replace("\n", " ")
    return text if len(text) <= PREVIEW_WIDTH * 2 else text[: PREVIEW_WIDTH * 2] + "…"


def _exit_code(report: ImportReport) -> int:
    statuses = {result.status for result in report.sheets}
    if STATUS_AMBIGUOUS in statuses:
        return EXIT_USAGE
    if STATUS_FAILED in statuses:
        return EXIT_FAILED
    imported = statuses & {STATUS_OK, STATUS_REJECTED, STATUS_UNCHANGED_FILE}
    if not imported:
        return EXIT_FAILED
    if STATUS_REJECTED in statuses:
        return EXIT_REJECTED
    return 0
