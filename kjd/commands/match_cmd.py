"""`kjd match` (run, show, stats, review) and `kjd search`."""

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kjd.commands.common import (
    command_options,
    emit_json,
    say,
    stderr_console,
    stdout_console,
    warn,
)
from kjd.config import Settings
from kjd.db import open_db
from kjd.defaults import MATCH_LIMIT, MATCH_THRESHOLD
from kjd.errors import EXIT_REJECTED, UsageError

if TYPE_CHECKING:
    from kjd.match import runs, views

app = typer.Typer(
    help="匹配企业需求与科技成果、专家、院所；查看、审核、统计匹配结果。",
    invoke_without_command=True,
)

# Shared terms shown per row of `kjd match show` (--json has all of them).
SHARED_TERMS_IN_TABLE = 4

_TARGET_OPTION_VALUES = {
    "projects": "project",
    "project": "project",
    "成果": "project",
    "experts": "expert",
    "expert": "expert",
    "专家": "expert",
    "institutes": "institute",
    "institute": "institute",
    "院所": "institute",
}


def parse_targets(text: str) -> tuple[str, ...]:
    """Turn 'projects,experts' into ('project', 'expert')."""
    names = [part.strip().lower() for part in text.replace("，", ",").split(",")]
    unknown = [n for n in names if n and n not in _TARGET_OPTION_VALUES]
    if unknown or not any(names):
        raise UsageError(
            f"--targets 不认识：{'、'.join(unknown) or '（空）'}；"
            "可选 projects、experts、institutes，用逗号分隔。"
        )
    targets = []
    for name in names:
        if name and _TARGET_OPTION_VALUES[name] not in targets:
            targets.append(_TARGET_OPTION_VALUES[name])
    return tuple(targets)


@contextmanager
def progress_bar(settings: Settings, description: str):
    """Yield an on_progress(done, total) callback drawing a bar on a terminal."""
    if settings.quiet or settings.json or not sys.stderr.isatty():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr_console(), transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@app.callback()
@command_options
def match_command(
    ctx: typer.Context,
    settings: Settings,
    demand: Annotated[
        list[str] | None,
        typer.Option("--demand", help="只匹配这条需求（需求编号），可重复给出。"),
    ] = None,
    field: Annotated[
        str | None, typer.Option("--field", help="只匹配所属领域含此文字的需求。")
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="只匹配位于此市州的需求（“吉林省”表示全省）。"),
    ] = None,
    targets: Annotated[
        str,
        typer.Option(
            "--targets", help="匹配对象，逗号分隔：projects、experts、institutes。"
        ),
    ] = "projects,experts,institutes",
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="每条需求、每类对象最多保留几条。")
    ] = MATCH_LIMIT,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", min=0, max=100, help="匹配度（0–100）不低于此值才保留。"
        ),
    ] = MATCH_THRESHOLD,
    only_changed: Annotated[
        bool,
        typer.Option(
            "--only-changed", help="只重算新增或修改过的需求（名单未变时什么也不写）。"
        ),
    ] = False,
    dictionary: Annotated[
        Path | None,
        typer.Option("--dict", help="追加的分词词典文件（UTF-8 或 GBK，每行一个词）。"),
    ] = None,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic",
            help="加入语义相近度（需安装 kjd[semantic]；每段新文字约 0.05 秒）。",
        ),
    ] = False,
    preview: Annotated[
        bool,
        typer.Option("--preview", help="只统计将要打分的候选对数，不写入数据库。"),
    ] = False,
) -> None:
    """为企业需求匹配科技成果、专家和院所，保存得分及其构成。

    示例：kjd match --targets projects,experts --limit 10 --threshold 30
    """
    from kjd.match import runs

    if ctx.invoked_subcommand is not None:
        return
    if dictionary is not None and not dictionary.is_file():
        raise UsageError(f"找不到词典文件：{dictionary}（--dict）。")
    db = open_db(settings.db_path)
    target_types = parse_targets(targets)
    if preview:
        counts = runs.preview_matching(
            db,
            demand_refs=demand,
            field=field,
            region=region,
            targets=target_types,
            limit=limit,
            user_dictionary=dictionary,
        )
        _render_preview(settings, counts)
        return
    with progress_bar(settings, "匹配中") as on_progress:
        result = runs.run_matching(
            db,
            demand_refs=demand,
            field=field,
            region=region,
            targets=target_types,
            limit=limit,
            threshold=threshold,
            only_changed=only_changed,
            user_dictionary=dictionary,
            semantic=semantic,
            on_progress=on_progress,
        )
    _render_run(settings, result)


def _render_preview(settings: Settings, counts: dict) -> None:
    from kjd.match import views

    if settings.json:
        emit_json(counts)
        return
    console = stdout_console()
    console.print(f"需求 {counts['demands']} 条")
    for kind, pairs in counts["candidate_pairs"].items():
        total = counts["targets"][kind]
        label = views.TARGET_LABELS[kind]
        console.print(f"{label}：共 {total} 条，候选对 {pairs:,}")
    console.print(f"合计候选对 {counts['total_candidate_pairs']:,}（未打分、未写入）")


def _render_run(settings: Settings, result: "runs.MatchRunResult") -> None:
    from kjd.match import views

    if settings.json:
        emit_json(result.to_dict())
        return
    console = stdout_console()
    if result.run_id is None:
        unchanged = result.demands_unchanged
        console.print(f"没有需要匹配的需求（{unchanged} 条未变化），未写入。")
        return
    console.print(
        f"匹配批次 {result.run_id}：需求 {result.demands} 条，"
        f"用时 {result.seconds:.1f} 秒" + ("，含语义相近度" if result.semantic else "")
    )
    for kind, count in result.matches.items():
        pairs = result.candidate_pairs.get(kind, 0)
        console.print(
            f"  {views.TARGET_LABELS[kind]}：候选对 {pairs:,}，保留 {count:,}"
        )
    if result.demands_unchanged:
        console.print(f"  未变化而跳过的需求：{result.demands_unchanged} 条")
    if result.demands_without_match:
        warn(
            settings,
            f"{result.demands_without_match} 条需求没有匹配度不低于 "
            f"{result.threshold:g} 的对象；"
            "可用 kjd match stats 查看分布后调低 --threshold。",
        )


@app.command("show")
@command_options
def show_command(
    settings: Settings,
    demand_ref: Annotated[str, typer.Argument(help="需求编号（如 D001）。")],
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="每类对象最多显示几条。")
    ] = 10,
    rejected: Annotated[
        bool, typer.Option("--rejected", help="同时显示已被否决的匹配。")
    ] = False,
) -> None:
    """显示一条需求的匹配结果：排名、匹配度及其构成、共同关键词。

    示例：kjd match show D001 --limit 5
    """
    from kjd.match import views

    db = open_db(settings.db_path)
    result = views.demand_matches(
        db, demand_ref, limit=limit, include_rejected=rejected
    )
    if settings.json:
        emit_json(result.to_dict())
        return
    console = stdout_console()
    console.print(
        f"需求 {escape(result.demand_ref or str(result.demand_id))}："
        f"{escape(result.title or '')}"
        + (f"（{escape(result.enterprise)}）" if result.enterprise else "")
    )
    if not result.matches:
        console.print("还没有匹配结果；先运行 kjd match。")
        return
    console.print(_matches_table(result.matches))


def _matches_table(matches: "list[views.MatchView]") -> Table:
    from kjd.match import views
    from kjd.match.score import PART_LABELS

    # One narrow column per score part and no inner borders keep the table
    # readable in an 80-column console window.
    names = [n for n in PART_LABELS if any(m.parts.get(n) for m in matches)]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("对象", no_wrap=True)
    table.add_column("编号", no_wrap=True)
    table.add_column("名称", overflow="fold", min_width=10, ratio=3)
    table.add_column("匹配度", justify="right", no_wrap=True)
    for name in names:
        table.add_column(PART_LABELS[name][:2], justify="right", no_wrap=True)
    table.add_column("共同关键词", overflow="fold", min_width=8, ratio=2)
    table.add_column("状态", no_wrap=True, min_width=4)
    for match in matches:
        table.add_row(
            f"{match.target_label}{match.rank or ''}",
            escape(match.target_ref or ""),
            escape(match.target_name),
            f"{match.score:.1f}",
            *(f"{match.parts.get(name, 0):g}" for name in names),
            escape("、".join(match.shared_terms[:SHARED_TERMS_IN_TABLE])),
            views.STATUS_LABELS.get(match.status, match.status),
        )
    return table


@app.command("stats")
@command_options
def stats_command(
    settings: Settings,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", min=0, max=100, help="统计没有达到此匹配度的需求。"
        ),
    ] = MATCH_THRESHOLD,
) -> None:
    """显示匹配度分布，以及有多少需求没有达到阈值的匹配，帮助选择阈值。

    示例：kjd match stats --threshold 40
    """
    from kjd.match import views

    db = open_db(settings.db_path)
    stats = views.match_stats(db, threshold=threshold)
    if settings.json:
        emit_json(stats.to_dict())
        return
    console = stdout_console()
    console.print(
        f"需求 {stats.demands} 条；有匹配度 ≥ {stats.threshold:g} 结果的 "
        f"{stats.demands_with_match} 条，没有的 {stats.demands_without_match} 条。"
    )
    widest = max((row["matches"] for row in stats.histogram), default=0) or 1
    table = Table()
    for heading in ("匹配度", "条数", ""):
        table.add_column(heading)
    for row in stats.histogram:
        bar = "#" * round(30 * row["matches"] / widest)
        table.add_row(f"{row['from']}–{row['to']}", str(row["matches"]), bar)
    console.print(table)
    statuses = "，".join(
        f"{views.STATUS_LABELS.get(k, k)} {v}" for k, v in stats.by_status.items()
    )
    console.print(f"状态：{statuses or '无'}")


@app.command("review")
@command_options
def review_command(
    settings: Settings,
    export_path: Annotated[
        Path | None,
        typer.Option("--export", help="把待审的匹配写成审核工作簿（.xlsx）。"),
    ] = None,
    import_path: Annotated[
        Path | None,
        typer.Option("--import", help="读回审核工作簿中的“决定”和“备注”。"),
    ] = None,
    all_statuses: Annotated[
        bool,
        typer.Option("--all", help="导出时包含已同意和已否决的匹配。"),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已存在的导出文件。")
    ] = False,
) -> None:
    """审核匹配结果：导出带“决定”下拉框的工作簿，填好后再导入。

    示例：kjd match review --export 待审.xlsx；kjd match review --import 待审.xlsx
    """
    from kjd.match import review, review_import

    if (export_path is None) == (import_path is None):
        raise UsageError("请给出 --export 文件 或 --import 文件（二选一）。")
    db = open_db(settings.db_path)
    if export_path is not None:
        result = review.export_review(
            db, export_path, include_decided=all_statuses, overwrite=force
        )
        if settings.json:
            emit_json(result.to_dict())
            return
        stdout_console().print(
            f"已写出 {result.rows} 行待审匹配：{escape(str(result.path))}"
        )
        return
    result = review_import.import_review(db, import_path)
    if settings.json:
        emit_json(result.to_dict())
    else:
        stdout_console().print(
            f"已读入 {result.rows} 行：同意 {result.accepted}，"
            f"不同意 {result.rejected}，待定 {result.pending}，"
            f"未填 {result.blank}，未变化 {result.unchanged}。"
        )
        for problem in result.problems:
            warn(settings, problem)
    if result.problems:
        # Like an import with rejected rows: the readable rows are written.
        raise typer.Exit(EXIT_REJECTED)


def search_command(
    settings: Settings,
    terms: Annotated[list[str], typer.Argument(help="检索词，多个词须同时出现。")],
    within: Annotated[
        str,
        typer.Option(
            "--in", help="检索范围：projects、experts、demands、institutes 或 all。"
        ),
    ] = "all",
    limit: Annotated[int, typer.Option("--limit", min=1, help="最多显示几条。")] = 50,
) -> None:
    """按关键词检索成果、专家、需求和院所（单字、双字词也能找到）。

    示例：kjd search 氢能 储运 --in projects
    """
    from kjd.match import search

    db = open_db(settings.db_path)
    result = search.search(db, terms, within=within, limit=limit)
    if settings.json:
        emit_json(result.to_dict())
        return
    console = stdout_console()
    if not result.hits:
        say(settings, "没有找到同时含有这些词的记录。")
        return
    table = Table()
    for heading in ("类别", "编号", "名称", "命中"):
        table.add_column(heading, overflow="fold")
    for hit in result.hits:
        table.add_row(
            search.KIND_LABELS[hit.kind],
            escape(hit.ref or str(hit.id)),
            escape(hit.name),
            "、".join(search.column_labels(hit.kind, hit.matched_columns)),
        )
    console.print(table)
    if result.truncated:
        say(settings, f"只显示前 {limit} 条；用 --limit 显示更多。")


def register(root: typer.Typer) -> None:
    """Add `kjd match` (with show, stats, review) and `kjd search` to the kjd app."""
    root.add_typer(app, name="match")
    root.command("search")(command_options(search_command))
