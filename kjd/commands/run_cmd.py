"""`kjd run` (the whole weekly job) and `kjd status`."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kjd import db as database
from kjd.commands.common import (
    command_options,
    emit_json,
    say,
    stderr_console,
    stdout_console,
)
from kjd.config import Settings
from kjd.defaults import OUTPUT_DIR
from kjd.lock import run_lock
from kjd.runlog import RunLog

STEP_LABELS = {
    "import": "导入名单",
    "match": "匹配需求",
    "docket": "生成对接清单",
    "review": "生成待审匹配表",
    "summary": "生成工作汇总",
}


def register(app: typer.Typer) -> None:
    """Add `kjd run` and `kjd status` to the kjd app."""
    app.command("run")(run_command)
    app.command("status")(status_command)


@command_options
def run_command(
    roster_dir: Annotated[
        Path,
        typer.Argument(
            help="存放名单文件的文件夹。", exists=True, file_okay=False, dir_okay=True
        ),
    ],
    output_dir: Annotated[
        Path, typer.Option("--output", "-o", help="工作簿输出文件夹。")
    ] = OUTPUT_DIR,
    event: Annotated[
        int | None, typer.Option("--event", help="只为这个活动编号生成对接清单。")
    ] = None,
    field: Annotated[
        str | None, typer.Option("--field", help="只处理这个技术领域的需求。")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="只处理这个市州的需求。")
    ] = None,
    wait: Annotated[
        float,
        typer.Option("--wait", help="另一个 kjd run 正在运行时最多等待的秒数。"),
    ] = 0,
    log: Annotated[
        Path | None, typer.Option("--log", help="把带时间的运行记录追加到这个文件。")
    ] = None,
    *,
    settings: Settings,
) -> None:
    """导入文件夹中的全部名单、匹配新增或变化的需求，并生成对接清单、待审匹配表和工作汇总。

    示例：kjd run 名单/2026年12月 -o 输出 --json
    """
    from kjd.pipeline import RunOptions, run_pipeline

    run_log = RunLog(log)
    options = RunOptions(roster_dir, output_dir, event, field, region)
    with run_lock(settings.db_path, wait):
        db = database.open_db(settings.db_path)
        result = run_pipeline(db, options, on_step=_step_printer(settings))
    run_log.write_result(result)
    if settings.json:
        emit_json(result.to_dict())
    elif settings.quiet:
        _print_failures(result)
    else:
        _print_run(settings, result)
    raise typer.Exit(result.exit_code)


def _step_printer(settings: Settings):
    def announce(step: str) -> None:
        say(settings, f"… {STEP_LABELS[step]}")

    return announce


def _print_run(settings: Settings, result) -> None:
    console = stdout_console()
    table = Table(title="kjd run 结果", show_header=False)
    table.add_column("项目")
    table.add_column("数量", justify="right")
    table.add_row("导入的文件", str(len(result.files_imported)))
    table.add_row("内容未变、跳过的文件", str(len(result.files_unchanged)))
    table.add_row("不是名单、跳过的文件", str(len(result.files_skipped)))
    table.add_row("失败的文件", str(len(result.files_failed)))
    table.add_row("新增 / 更新的行", f"{result.rows_inserted} / {result.rows_updated}")
    table.add_row("未导入的行", str(result.rows_rejected))
    table.add_row("重新匹配的需求", str(result.demands_matched))
    table.add_row("推荐的匹配", str(result.matches_proposed))
    console.print(table)
    for entry in result.files_skipped:
        console.print(f"跳过：{escape(entry['path'])}（{_reason(entry['reason'])}）")
    for path in result.rejects_files:
        console.print(f"拒收清单：{escape(path)}")
    for path in result.outputs.values():
        label = "数据没有变化，沿用" if result.outputs_unchanged else "已生成"
        console.print(f"{label}：{escape(path)}")
    _print_failures(result)


def _print_failures(result) -> None:
    errors = stderr_console()
    for entry in result.files_failed:
        message = entry["message"] or ""
        name = Path(entry["path"]).name
        where = "" if name in message else f"{entry['path']}："
        errors.print(f"[red]失败：[/]{escape(where + message)}", soft_wrap=True)
    if result.failed_step:
        saved_steps = "、".join(STEP_LABELS[s] for s in result.steps_done) or "无"
        errors.print(
            f"[red]步骤“{STEP_LABELS[result.failed_step]}”失败：[/]"
            f"{escape(result.error or '')}。已完成并保存的步骤：{saved_steps}。"
        )


def _reason(status: str) -> str:
    return {"not-roster": "不是名单", "hidden-sheet": "隐藏工作表"}.get(status, status)


@command_options
def status_command(settings: Settings) -> None:
    """显示数据库概况、最近的导入、没有匹配的需求、即将举行的活动和待跟进的对接。

    示例：kjd status
    """
    from kjd.status import collect_status

    db = database.open_db(settings.db_path)
    status = collect_status(db)
    if settings.json:
        emit_json({"status": "ok", **status})
        return
    console = stdout_console()
    counts = status["counts"]
    console.print(
        f"高校院所 {counts.get('institutes', 0)}　专家 {counts.get('experts', 0)}　"
        f"科技成果 {counts.get('projects', 0)}　企业 {counts.get('enterprises', 0)}　"
        f"需求 {counts.get('demands', 0)}　匹配 {counts.get('matches', 0)}"
    )
    for row in status["last_imports"][:1]:
        console.print(
            f"最近导入：{escape(row['file_name'])}（{row['finished_at'] or '未完成'}）"
        )
    console.print(f"没有匹配结果的需求：{status['unmatched_demand_count']} 条")
    for row in status["unmatched_demands"]:
        console.print(f"  {escape(row['ref'] or '')} {escape(row['title'] or '')}")
    _print_rows(console, "即将举行的活动", status["upcoming_events"], ("date", "name"))
    _print_rows(
        console,
        "待跟进的对接（已同意超过 30 天、尚无成果）",
        status["follow_ups_due"],
        ("demand_ref", "demand_title"),
    )


def _print_rows(console, title: str, rows: list[dict], keys: tuple[str, ...]) -> None:
    console.print(f"{title}：{len(rows)} 项")
    for row in rows:
        console.print("  " + " ".join(escape(str(row[key] or "")) for key in keys))
