"""`kjd alias`: teach kjd other names of institutes and enterprises."""

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kjd.commands.common import command_options, emit_json, stdout_console
from kjd.config import Settings
from kjd.db import open_db, transaction
from kjd.match.aliases import add_named_alias, list_aliases, remove_alias, validate_kind

app = typer.Typer(
    help="别名：教 kjd 认识高校院所和企业的简称、旧称、英文名。", no_args_is_help=True
)

KindArgument = Annotated[
    str, typer.Argument(help="institute（高校院所）或 enterprise（企业）。")
]


def register(main_app: typer.Typer) -> None:
    """Add `kjd alias` to the kjd app."""
    main_app.add_typer(app, name="alias")


@app.command("add")
@command_options
def add_command(
    settings: Settings,
    kind: KindArgument,
    alias: Annotated[str, typer.Argument(help="别名，例如 吉大。")],
    target: Annotated[str, typer.Argument(help="它指向的单位：全称或记录编号。")],
    replace: Annotated[
        bool, typer.Option("--replace", help="别名已指向其他单位时改为指向这个单位。")
    ] = False,
) -> None:
    """添加别名：以后导入时这个名称会归到指定单位。

    示例：kjd alias add institute 吉大 吉林大学
    """
    db = open_db(settings.db_path)
    with transaction(db):
        result = add_named_alias(
            db, validate_kind(kind), alias, target, replace=replace
        )
    if settings.json:
        emit_json({"status": "ok", **result})
        return
    stdout_console().print(
        f"别名“{escape(alias)}”→ {escape(result['entity_name'])}"
        f"（编号 {result['entity_id']}）"
    )


@app.command("list")
@command_options
def list_command(
    settings: Settings,
    kind: Annotated[
        str | None, typer.Argument(help="只列出 institute 或 enterprise 的别名。")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="只列出别名或单位名称含此文字的。")
    ] = None,
) -> None:
    """列出别名及其指向的单位。

    示例：kjd alias list institute --search 应化
    """
    db = open_db(settings.db_path)
    with transaction(db):
        rows = list_aliases(db, validate_kind(kind) if kind else None, search)
    if settings.json:
        emit_json({"status": "ok", "aliases": rows})
        return
    table = Table("别名", "单位", "编号", "来源")
    for row in rows:
        table.add_row(
            escape(row["alias"]),
            escape(row["entity_name"] or "（已不存在）"),
            str(row["entity_id"]),
            row["source"],
        )
    console = stdout_console()
    console.print(table)
    console.print(f"共 {len(rows)} 个别名。")


@app.command("remove")
@command_options
def remove_command(
    settings: Settings,
    kind: KindArgument,
    alias: Annotated[str, typer.Argument(help="要删除的别名。")],
) -> None:
    """删除别名：以后导入时不再把这个名称归到原单位。

    示例：kjd alias remove institute 吉大
    """
    db = open_db(settings.db_path)
    with transaction(db):
        result = remove_alias(db, validate_kind(kind), alias)
    if settings.json:
        emit_json({"status": "ok", **result})
        return
    stdout_console().print(f"已删除别名“{escape(result['alias'])}”。")
