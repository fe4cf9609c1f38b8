"""`kjd report`: the 对接清单 (docket) and the leadership summary."""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from kjd.commands.common import (
    command_options,
    emit_json,
    stdout_console,
    warn,
)
from kjd.config import Settings
from kjd.db import open_db
from kjd.errors import UsageError

if TYPE_CHECKING:
    from kjd.reports.report import Report

app = typer.Typer(
    help="报表：生成可直接打印的对接清单和领导汇总表（Excel，或 CSV/JSON/Markdown）。",
    no_args_is_help=True,
)

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="输出文件。Excel 默认写到当前文件夹，"
        "CSV/JSON/Markdown 默认打印到标准输出。",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="xlsx、csv、json 或 md；默认按 -o 的扩展名，没有时为 xlsx。",
        show_default=False,
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="CSV 只输出一张表：docket、unmatched（清单）或 overview、funnel、"
        "by_city、by_field、by_institute（汇总）；默认第一张。",
        show_default=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件。")]


@app.command("docket")
@command_options
def docket_command(
    settings: Settings,
    output: OutputOption = None,
    output_format: FormatOption = None,
    event: Annotated[
        int | None,
        typer.Option("--event", help="只列这个对接活动（编号）安排的对接。"),
    ] = None,
    field: Annotated[
        str | None, typer.Option("--field", help="技术领域包含此文字的需求。")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="所在市州或县区包含此文字的需求，如 长春。"),
    ] = None,
    institute: Annotated[
        str | None,
        typer.Option("--institute", help="依托单位名称包含此文字，或是其简称。"),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="accepted（已确认）或 proposed（待确认）；默认两者都列。"
        ),
    ] = None,
    group_by: Annotated[
        str,
        typer.Option(
            "--group-by", help="分组：field（技术领域）、region（市州）或 none。"
        ),
    ] = "field",
    show_contacts: Annotated[
        bool,
        typer.Option(
            "--show-contacts", help="显示完整电话和邮箱（默认隐去中间数字）。"
        ),
    ] = False,
    sheet: SheetOption = None,
    force: ForceOption = False,
) -> None:
    """生成对接清单：每行一对需求与推荐成果/专家，另附未匹配的需求。

    示例：kjd report docket --event 1 -o 对接清单.xlsx
    """
    from kjd.reports import docket

    db = open_db(settings.db_path)
    docket_filter = docket.DocketFilter(
        event_id=event,
        field=field,
        region=region,
        institute=institute,
        status=status,
    )
    report = docket.build_docket(
        db, docket_filter, show_contacts=show_contacts, group_by=group_by
    )
    _deliver(settings, report, output, output_format, sheet, force, "对接清单")


@app.command("summary")
@command_options
def summary_command(
    settings: Settings,
    output: OutputOption = None,
    output_format: FormatOption = None,
    date_from: Annotated[
        str | None,
        typer.Option("--from", help="统计起始日期，如 2025-01-01（含）。"),
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="统计截止日期，如 2025-06-30（含）。")
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="统计某一年，如 2025。")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0,
            max=100,
            help="待确认推荐的匹配度不低于此值才算“匹配到”；默认全部推荐都算。",
        ),
    ] = None,
    sheet: SheetOption = None,
    force: ForceOption = False,
) -> None:
    """生成领导汇总表：名录数、对接漏斗、按市州/技术领域/依托单位统计和图表。

    示例：kjd report summary --year 2025 -o 汇总.xlsx
    """
    from kjd.reports import summary

    db = open_db(settings.db_path)
    period = summary.make_period(date_from, date_to, year)
    report = summary.build_summary(db, period, threshold=threshold)
    _deliver(settings, report, output, output_format, sheet, force, "对接汇总")


def register(root: typer.Typer) -> None:
    """Add `kjd report` to the kjd app."""
    root.add_typer(app, name="report")


def _deliver(
    settings: Settings,
    report: "Report",
    output: Path | None,
    output_format: str | None,
    sheet: str | None,
    force: bool,
    default_stem: str,
) -> None:
    from kjd.reports.report import format_for, write_report

    chosen = format_for(output, output_format)
    if output is None and chosen != "xlsx":
        _print_text(settings, report, chosen, sheet)
        return
    if output is None:
        output = Path(f"{default_stem}-{date.today():%Y%m%d}.xlsx")
    result = write_report(
        report, output, output_format=chosen, sheet=sheet, force=force
    )
    for message in result.warnings:
        warn(settings, message)
    if settings.json:
        emit_json({"status": "ok", **result.to_dict()})
        return
    if settings.quiet:
        return
    counts = "，".join(f"{name} {rows} 行" for name, rows in result.sheets.items())
    stdout_console().print(
        f"已写入 {escape(str(result.path))}（{escape(counts)}）", soft_wrap=True
    )


def _print_text(settings: Settings, report: "Report", chosen: str, sheet) -> None:
    from kjd.reports.formats import to_json_document
    from kjd.reports.report import render_text

    if chosen == "json":
        sheets = report.sheets if sheet is None else [report.sheet(sheet)]
        document = to_json_document(report.title, report.kind, sheets, report.info)
        emit_json({"status": "ok", **document})
        return
    if settings.json:
        raise UsageError(
            f"--json 要求标准输出只有一个 JSON 文档，不能同时输出 {chosen}；"
            "请用 -o 写入文件，或改用 --format json。"
        )
    # The console reconfigures stdout so that a GBK terminal prints '?' for
    # characters it lacks instead of failing.
    stream = stdout_console().file
    stream.write(render_text(report, chosen, sheet))
    stream.flush()
