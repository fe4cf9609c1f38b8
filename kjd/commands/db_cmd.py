"""`kjd db`: create, describe, back up and check the database."""

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
from kjd.errors import EXIT_FAILED, OutputExists

app = typer.Typer(help="数据库：创建、查看、备份、检查。", no_args_is_help=True)

TABLE_LABELS = {
    "institutes": "高校院所",
    "aliases": "别名",
    "experts": "专家",
    "projects": "科技成果",
    "enterprises": "企业",
    "demands": "企业需求",
    "imports": "导入记录",
    "rejects": "未导入行",
    "match_runs": "匹配批次",
    "matches": "匹配结果",
    "decisions": "人工决定",
    "events": "对接活动",
    "meetings": "对接安排",
    "outcomes": "对接成果",
}


@app.command("init")
@command_options
def init_command(settings: Settings) -> None:
    """创建数据库（其他命令首次使用时也会自动创建）。

    示例：kjd db init --db 对接.db
    """
    db = database.open_db(settings.db_path)
    version = database.schema_version(db)
    if settings.json:
        emit_json(
            {
                "status": "ok",
                "path": str(settings.db_path.resolve()),
                "schema_version": version,
            }
        )
        return
    say(
        settings, f"数据库已就绪：{escape(str(settings.db_path))}（结构版本 {version}）"
    )


@app.command("info")
@command_options
def info_command(settings: Settings) -> None:
    """显示数据库路径、大小、结构版本、各表行数和最近的导入。

    示例：kjd db info --json
    """
    db = database.open_db(settings.db_path)
    details = database.info(db, settings.db_path)
    if settings.json:
        emit_json({"status": "ok", **details})
        return
    console = stdout_console()
    console.print(f"数据库：{escape(details['path'])}")
    console.print(
        f"大小：{details['size_bytes']:,} 字节　结构版本：{details['schema_version']}"
    )
    table = Table(title="各表行数")
    table.add_column("表")
    table.add_column("说明")
    table.add_column("行数", justify="right")
    for name, count in details["counts"].items():
        table.add_row(name, TABLE_LABELS.get(name, ""), str(count))
    console.print(table)
    if details["last_imports"]:
        imports = Table(title="最近的导入")
        for column in (
            "文件",
            "工作表",
            "类型",
            "新增",
            "更新",
            "未变",
            "拒收",
            "状态",
        ):
            imports.add_column(column)
        for row in details["last_imports"]:
            imports.add_row(
                escape(row["file_name"]),
                escape(row["sheet"] or ""),
                row["kind"] or "",
                str(row["inserted"]),
                str(row["updated"]),
                str(row["unchanged"]),
                str(row["rejected"]),
                row["status"],
            )
        console.print(imports)


@app.command("backup")
@command_options
def backup_command(
    dest: Annotated[Path, typer.Argument(help="备份文件路径。")],
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已有的备份文件。")
    ] = False,
    *,
    settings: Settings,
) -> None:
    """用 SQLite 在线备份接口复制数据库，其他程序正在写入时也能得到一致的副本。

    示例：kjd db backup 备份/kjd-20261204.db
    """
    if dest.exists() and not force:
        raise OutputExists(
            f"文件已存在：{dest}。如需覆盖请加 --force。", path=str(dest)
        )
    db = database.open_db(settings.db_path)
    database.backup(db, dest)
    copy = database.open_db(dest, migrate=False)
    counts = database.table_counts(copy)
    copy.conn.close()
    if settings.json:
        emit_json({"status": "ok", "path": str(dest.resolve()), "counts": counts})
        return
    say(settings, f"已备份到 {escape(str(dest))}（{sum(counts.values())} 行）")
    stdout_console().print(str(dest))


@app.command("check")
@command_options
def check_command(settings: Settings) -> None:
    """检查数据库完整性和外键；发现问题时退出码为 1。

    示例：kjd db check
    """
    db = database.open_db(settings.db_path)
    result = database.check(db)
    if settings.json:
        emit_json({"status": "ok" if result["ok"] else "error", **result})
    elif result["ok"]:
        stdout_console().print("ok")
    else:
        console = stderr_console()
        for line in result["integrity"]:
            console.print(f"[red]完整性问题：[/]{escape(line)}")
        for problem in result["foreign_keys"]:
            console.print(
                f"[red]外键问题：[/]表 {problem['table']} 第 {problem['rowid']} 行"
                f"引用的 {problem['parent']} 记录不存在"
            )
    if not result["ok"]:
        raise typer.Exit(EXIT_FAILED)
