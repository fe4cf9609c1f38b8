"""`kjd export`: write stored results to CSV, JSON or xlsx files."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from kjd.commands.common import command_options, emit_json, stdout_console
from kjd.config import Settings
from kjd.db import open_db
from kjd.errors import UsageError

app = typer.Typer(
    help="导出：把匹配结果写成 CSV、JSON 或 Excel 文件。", no_args_is_help=True
)

_STATUS_CHOICES = {
    "proposed": ("proposed",),
    "accepted": ("accepted",),
    "rejected": ("rejected",),
    "current": ("proposed", "accepted"),
    "all": ("proposed", "accepted", "rejected", "stale"),
}


@app.command("matches")
@command_options
def matches_command(
    settings: Settings,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="输出文件路径（.csv、.json 或 .xlsx）；省略或写 - 时输出到标准输出。",
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option("--format", help="csv、json 或 xlsx（默认按文件扩展名）。"),
    ] = None,
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help="导出哪些：current（待审和已同意）、proposed、accepted、rejected、all。",
        ),
    ] = "current",
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件。")] = False,
) -> None:
    """导出匹配结果（含需求编号、对象编号、匹配度和理由）。

    CSV 为带 BOM 的 UTF-8；以 = + - @ 开头的单元格前加单引号，Excel 中按文字显示。

    示例：kjd export matches --format xlsx -o 匹配结果.xlsx
    kjd export matches --format csv > 匹配结果.csv
    """
    from kjd.match import exports

    if status not in _STATUS_CHOICES:
        raise UsageError(
            f"--status 应为 {'、'.join(_STATUS_CHOICES)} 之一，收到“{status}”。"
        )
    db = open_db(settings.db_path)
    if output is None or str(output) == "-":
        text, rows = exports.render_matches(
            db, format=format or "csv", statuses=_STATUS_CHOICES[status]
        )
        sys.stdout.write(text)
        return
    result = exports.export_matches(
        db, output, format=format, statuses=_STATUS_CHOICES[status], overwrite=force
    )
    if settings.json:
        emit_json(result.to_dict())
        return
    stdout_console().print(f"已导出 {result.rows} 条匹配：{escape(result.path)}")


def register(root: typer.Typer) -> None:
    """Add `kjd export` to the kjd app."""
    root.add_typer(app, name="export")
